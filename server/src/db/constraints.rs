//! The constraints a change can break when the application's own checks
//! lose a race (or, for names, are left to the database). Each is named as
//! PostgreSQL names it; a call site maps a violation of a named constraint
//! to a 409 with its own message, and anything else stays an internal
//! error, so a message never claims a cause the database did not report.

use crate::error::{ApiError, ApiResult};
use sqlx::error::{DatabaseError, ErrorKind};

/// A unique constraint or foreign key of the schema (see `migrations/`).
#[derive(Debug, Clone, Copy)]
pub struct Constraint {
    /// The constraint's (or unique index's) name, which PostgreSQL reports.
    name: &'static str,
    /// What SQLite reports instead, as it does not name constraints: the
    /// columns of a unique constraint (`table.column, …`). SQLite does not
    /// say which foreign key failed at all, so a foreign key matches any
    /// foreign-key violation there; each statement maps at most one.
    sqlite_columns: Option<&'static str>,
}

const fn unique(name: &'static str, sqlite_columns: &'static str) -> Constraint {
    Constraint {
        name,
        sqlite_columns: Some(sqlite_columns),
    }
}

const fn foreign_key(name: &'static str) -> Constraint {
    Constraint {
        name,
        sqlite_columns: None,
    }
}

pub const TEAM_NAME: Constraint = unique("teams_name_key", "teams.name");
pub const USER_NAME: Constraint = unique("users_name_key", "users.name");
/// Among a team's tokens that are not revoked.
pub const TOKEN_NAME: Constraint = unique("tokens_team_name_live", "tokens.team_id, tokens.name");
pub const ROUTE_NAME: Constraint = unique("routes_name_key", "routes.name");
pub const ROUTE_PATH: Constraint = unique("routes_path_key", "routes.path");
pub const SECRET_NAME: Constraint = unique("secrets_name_key", "secrets.name");
/// Among a user's credentials that are not revoked.
pub const CREDENTIAL_NAME: Constraint = unique(
    "credentials_user_name_live",
    "credentials.user_id, credentials.name",
);
/// Among gateway keys that are not revoked.
pub const GATEWAY_KEY_NAME: Constraint = unique("gateway_keys_name_live", "gateway_keys.name");
/// A grant names a team that exists.
pub const GRANT_TEAM: Constraint = foreign_key("route_grants_team_id_fkey");
/// A secret used by a route cannot be deleted (`ON DELETE RESTRICT`).
pub const ROUTE_SECRET: Constraint = foreign_key("route_secrets_secret_id_fkey");

impl Constraint {
    fn is_unique(&self) -> bool {
        self.sqlite_columns.is_some()
    }

    /// Whether `error` reports a violation of this constraint.
    fn broken_by(&self, error: &dyn DatabaseError) -> bool {
        let kind_matches = if self.is_unique() {
            error.kind() == ErrorKind::UniqueViolation
        } else {
            // SQLite reports an `ON DELETE RESTRICT` violation under another
            // code (SQLITE_CONSTRAINT_TRIGGER), with the same message.
            error.kind() == ErrorKind::ForeignKeyViolation
                || (error.constraint().is_none()
                    && error.message() == "FOREIGN KEY constraint failed")
        };
        if !kind_matches {
            return false;
        }
        match (error.constraint(), self.sqlite_columns) {
            (Some(name), _) => name == self.name,
            (None, Some(columns)) => {
                error.message().strip_prefix("UNIQUE constraint failed: ") == Some(columns)
            }
            (None, None) => true,
        }
    }

    /// The error code of the 409 a violation becomes.
    fn code(&self) -> &'static str {
        if self.is_unique() {
            "already_exists"
        } else {
            "in_use"
        }
    }
}

/// Maps a violation of one named constraint to a 409 with its message.
pub trait OnConstraint<T> {
    /// Turns a violation of `constraint` into a 409 with `message`; any
    /// other error passes through (a database error stays internal).
    /// Chain it to map several constraints of one statement.
    fn on_constraint(
        self,
        constraint: Constraint,
        message: impl FnOnce() -> String,
    ) -> ApiResult<T>;
}

impl<T, E: Into<ApiError>> OnConstraint<T> for Result<T, E> {
    fn on_constraint(
        self,
        constraint: Constraint,
        message: impl FnOnce() -> String,
    ) -> ApiResult<T> {
        self.map_err(|e| {
            let error: ApiError = e.into();
            let broken = match &error {
                ApiError::Internal(inner) => inner
                    .downcast_ref::<sqlx::Error>()
                    .and_then(sqlx::Error::as_database_error)
                    .is_some_and(|d| constraint.broken_by(d)),
                _ => false,
            };
            if broken {
                ApiError::Conflict {
                    code: constraint.code(),
                    message: message(),
                }
            } else {
                error
            }
        })
    }
}

#[cfg(test)]
#[path = "constraints_tests.rs"]
mod tests;
