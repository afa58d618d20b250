//! Users, invitations and enrolment.

use super::{Credential, Role, TeamMembership, User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user and their team roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserInfo {
    #[serde(flatten)]
    pub user: User,
    pub teams: Vec<TeamMembership>,
}

/// A user in `GET /v1/users`, with their last activity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserSummary {
    #[serde(flatten)]
    pub info: UserInfo,
    /// When one of the user's admin credentials was last used (signing in
    /// included), to the minute; `null` if never.
    pub last_active_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateUser {
    #[schema(schema_with = super::input::schema::name)]
    pub name: String,
    #[serde(default)]
    #[schema(schema_with = super::input::schema::email_or_null)]
    pub email: Option<String>,
    /// `TEAM:ROLE`, e.g. `platform:developer`.
    #[serde(default)]
    #[schema(schema_with = super::input::schema::team_roles)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub global_admin: bool,
}

/// A new user; `secret` is their first admin credential, shown only now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserInfo,
    pub credential: Credential,
    pub secret: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpdateUser {
    /// New e-mail; an empty string clears it.
    #[schema(schema_with = super::input::schema::email_or_empty_or_null)]
    pub email: Option<String>,
    pub global_admin: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    /// The user name the enrolled user gets.
    pub user: String,
    pub roles: Vec<InvitedRole>,
    pub global_admin: bool,
    pub hint: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub used_at: Option<DateTime<Utc>>,
    /// `pending`, `used`, `expired` or `revoked`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvitedRole {
    pub team_id: Uuid,
    pub team: String,
    pub role: Role,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateInvitation {
    #[schema(schema_with = super::input::schema::email)]
    pub email: String,
    /// User name for the new user; default: the e-mail's local part.
    #[serde(default)]
    #[schema(schema_with = super::input::schema::name_or_null)]
    pub name: Option<String>,
    /// How long the code is valid, e.g. `7d` (default), `24h`; at most 30 days.
    #[serde(default)]
    #[schema(example = "7d")]
    pub expires: Option<String>,
    /// `TEAM:ROLE`, e.g. `platform:developer`.
    #[serde(default)]
    #[schema(schema_with = super::input::schema::team_roles)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub global_admin: bool,
}

/// A new invitation; `code` (`tke_…`) is shown only now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedInvitation {
    #[serde(flatten)]
    pub invitation: Invitation,
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Enrol {
    pub code: String,
}

/// The enrolled user's first credential; `secret` is shown only now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Enrolled {
    pub user: UserInfo,
    pub credential: Credential,
    pub secret: String,
}
