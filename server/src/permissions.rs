//! Who may do what: one declarative table, checked by every handler.
//!
//! A rule grants an action to a minimum role, either in the team that owns
//! the object (`Scope::Team`) or in the system team (`Scope::System`).
//! Global admins may do everything.

use crate::api::Role;
use crate::db::Principal;
use crate::error::ApiError;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    TokenRead,
    TokenCreate,
    /// Update, rotate or revoke a token the caller created.
    TokenManageOwn,
    /// Update, rotate or revoke any token of the team.
    TokenManageAny,
    AuditRead,
    TeamRead,
    /// Route names, paths and tags: everyone who belongs to some team needs
    /// them to pick scopes.
    RouteRead,
    RouteCreate,
    RouteUpdate,
    RouteDelete,
    /// Secret names and fingerprints, never values.
    SecretRead,
    SecretCreate,
    SecretUpdate,
    SecretDelete,
    /// Issue, list and revoke gateway keys.
    GatewayKeyManage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The role in the team that owns the object.
    Team,
    /// The role in the system team.
    System,
    /// The role in any team.
    AnyTeam,
}

pub struct Rule {
    pub action: Action,
    pub scope: Scope,
    pub min_role: Role,
}

const fn rule(action: Action, scope: Scope, min_role: Role) -> Rule {
    Rule {
        action,
        scope,
        min_role,
    }
}

pub const RULES: &[Rule] = &[
    rule(Action::TokenRead, Scope::Team, Role::Viewer),
    rule(Action::TokenCreate, Scope::Team, Role::Developer),
    rule(Action::TokenManageOwn, Scope::Team, Role::Developer),
    rule(Action::TokenManageAny, Scope::Team, Role::Manager),
    rule(Action::AuditRead, Scope::Team, Role::Viewer),
    rule(Action::TeamRead, Scope::Team, Role::Viewer),
    rule(Action::RouteRead, Scope::AnyTeam, Role::Viewer),
    rule(Action::RouteCreate, Scope::System, Role::Developer),
    rule(Action::RouteUpdate, Scope::System, Role::Manager),
    rule(Action::RouteDelete, Scope::System, Role::Admin),
    rule(Action::SecretRead, Scope::System, Role::Viewer),
    rule(Action::SecretCreate, Scope::System, Role::Developer),
    rule(Action::SecretUpdate, Scope::System, Role::Manager),
    rule(Action::SecretDelete, Scope::System, Role::Admin),
    rule(Action::GatewayKeyManage, Scope::System, Role::Admin),
];

fn rule_for(action: Action) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.action == action)
        .expect("every action has a rule")
}

/// Whether `p` may perform `action` on an object of `team` (ignored for
/// system- and any-team scoped actions).
pub fn allowed(p: &Principal, action: Action, team: Option<Uuid>) -> bool {
    if p.user.global_admin {
        return true;
    }
    let rule = rule_for(action);
    let role = match rule.scope {
        Scope::Team => team.and_then(|t| p.role_in(t)),
        Scope::System => p.system_role(),
        Scope::AnyTeam => p.memberships.iter().map(|m| m.role).max(),
    };
    role.is_some_and(|r| r >= rule.min_role)
}

/// Like [`allowed`], as a 403 with a message naming what is missing.
pub fn require(p: &Principal, action: Action, team: Option<Uuid>) -> Result<(), ApiError> {
    if allowed(p, action, team) {
        return Ok(());
    }
    let rule = rule_for(action);
    let place = match rule.scope {
        Scope::Team => "the owning team",
        Scope::System => "the system team",
        Scope::AnyTeam => "some team",
    };
    Err(ApiError::forbidden(format!(
        "this needs the {} role (or higher) in {place}",
        rule.min_role
    )))
}
