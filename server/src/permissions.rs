//! Who may do what: one declarative table, checked by every handler, and
//! rendered into `docs/permissions.md` (a test keeps the two equal).
//!
//! A rule grants an action to a minimum role, either in the team that owns
//! the object (`Scope::Team`), in the system team (`Scope::System`), in any
//! team (`Scope::AnyTeam`), or to global admins only (`Scope::Global`).
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
    /// Set, change or remove a token's quotas (on create or update): a
    /// spend control, so not the token's creator's to lift.
    TokenQuotaSet,
    AuditRead,
    TeamRead,
    TeamCreate,
    /// Rename a team, change its description.
    TeamUpdate,
    /// Set, change or remove a team's quotas.
    TeamQuotaSet,
    TeamDelete,
    /// Add, remove, or change the role of developers and viewers.
    MemberManage,
    /// Add, remove, or change the role of managers and admins.
    MemberManageElevated,
    UserCreate,
    /// Change a user's e-mail or global-admin flag; disable or enable a user.
    UserManage,
    /// Route names, paths and tags: everyone who belongs to some team needs
    /// them to pick scopes.
    RouteRead,
    RouteCreate,
    /// Change routes and which teams may use them; also needed to add a
    /// route that uses a secret or shadows other routes.
    RouteUpdate,
    RouteDelete,
    /// Add or change routes whose upstream is (or resolves to) a private,
    /// loopback, link-local or unique-local address, or this server.
    RoutePrivateUpstream,
    /// Secret names and fingerprints, never values.
    SecretRead,
    SecretCreate,
    SecretUpdate,
    /// Change the hosts an existing secret may be sent to.
    SecretHostsUpdate,
    SecretDelete,
    /// Issue, list and revoke gateway keys.
    GatewayKeyManage,
    /// See the Cloudflare KV sync, push to it, export what it should hold.
    SyncManage,
    /// Add, list, test and remove webhooks; read their deliveries.
    WebhookManage,
    /// Set model prices (every signed-in user may read them).
    PriceSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The role in the team that owns the object.
    Team,
    /// The role in the system team.
    System,
    /// The role in any team.
    AnyTeam,
    /// Global admins only.
    Global,
}

pub struct Rule {
    pub action: Action,
    pub scope: Scope,
    /// Ignored for `Scope::Global`.
    pub min_role: Role,
    /// One line for `docs/permissions.md`.
    pub description: &'static str,
}

const fn rule(action: Action, scope: Scope, min_role: Role, description: &'static str) -> Rule {
    Rule {
        action,
        scope,
        min_role,
        description,
    }
}

pub const RULES: &[Rule] = &[
    rule(
        Action::TokenRead,
        Scope::Team,
        Role::Viewer,
        "Read a team's tokens (never their secrets)",
    ),
    rule(
        Action::TokenCreate,
        Scope::Team,
        Role::Developer,
        "Create tokens in a team",
    ),
    rule(
        Action::TokenManageOwn,
        Scope::Team,
        Role::Developer,
        "Update, rotate, revoke tokens you created",
    ),
    rule(
        Action::TokenManageAny,
        Scope::Team,
        Role::Manager,
        "Update, rotate, revoke any token of the team",
    ),
    rule(
        Action::TokenQuotaSet,
        Scope::Team,
        Role::Manager,
        "Set, change or remove quotas of the team's tokens (`--quota`, `--quota-tokens`, `--budget`)",
    ),
    rule(
        Action::AuditRead,
        Scope::Team,
        Role::Viewer,
        "Read the team's audit entries (you always see your own actions)",
    ),
    rule(
        Action::TeamRead,
        Scope::Team,
        Role::Viewer,
        "See a team and its members",
    ),
    rule(
        Action::TeamCreate,
        Scope::Global,
        Role::Admin,
        "Create teams",
    ),
    rule(
        Action::TeamUpdate,
        Scope::Team,
        Role::Admin,
        "Rename a team, change its description",
    ),
    rule(
        Action::TeamQuotaSet,
        Scope::Global,
        Role::Admin,
        "Set, change or remove a team's quotas and budget (`team update --quota`, `--budget`)",
    ),
    rule(
        Action::TeamDelete,
        Scope::Team,
        Role::Admin,
        "Delete a team (with --revoke-tokens if it has active tokens)",
    ),
    rule(
        Action::MemberManage,
        Scope::Team,
        Role::Manager,
        "Add and remove developers and viewers, change roles among them",
    ),
    rule(
        Action::MemberManageElevated,
        Scope::Team,
        Role::Admin,
        "Add and remove managers and admins, make someone manager or admin",
    ),
    rule(
        Action::UserCreate,
        Scope::Global,
        Role::Admin,
        "Create users",
    ),
    rule(
        Action::UserManage,
        Scope::Global,
        Role::Admin,
        "Change a user's e-mail or global-admin flag; disable and enable users",
    ),
    rule(
        Action::RouteRead,
        Scope::AnyTeam,
        Role::Viewer,
        "Read routes (names, paths, upstreams, tags)",
    ),
    rule(
        Action::RouteCreate,
        Scope::System,
        Role::Developer,
        "Add routes to public upstreams without upstream auth that shadow no other route",
    ),
    rule(
        Action::RouteUpdate,
        Scope::System,
        Role::Manager,
        "Change routes, grant them to teams and withdraw them; add routes that use a secret or shadow other routes",
    ),
    rule(
        Action::RouteDelete,
        Scope::System,
        Role::Admin,
        "Remove routes",
    ),
    rule(
        Action::RoutePrivateUpstream,
        Scope::System,
        Role::Admin,
        "Add or change routes whose upstream is (or resolves to) a loopback, private, link-local or unique-local address, or this server",
    ),
    rule(
        Action::SecretRead,
        Scope::System,
        Role::Viewer,
        "List secrets (names and fingerprints, never values)",
    ),
    rule(
        Action::SecretCreate,
        Scope::System,
        Role::Developer,
        "Store a new secret",
    ),
    rule(
        Action::SecretUpdate,
        Scope::System,
        Role::Manager,
        "Replace a secret's value",
    ),
    rule(
        Action::SecretHostsUpdate,
        Scope::System,
        Role::Admin,
        "Change the hosts a secret may be sent to",
    ),
    rule(
        Action::SecretDelete,
        Scope::System,
        Role::Admin,
        "Remove secrets",
    ),
    rule(
        Action::GatewayKeyManage,
        Scope::System,
        Role::Admin,
        "Issue, list and revoke gateway keys",
    ),
    rule(
        Action::SyncManage,
        Scope::System,
        Role::Admin,
        "See the Cloudflare KV sync, push to it, export its contents",
    ),
    rule(
        Action::WebhookManage,
        Scope::Global,
        Role::Admin,
        "Add, list, test and remove webhooks, read their deliveries",
    ),
    rule(
        Action::PriceSet,
        Scope::Global,
        Role::Admin,
        "Set model prices (every signed-in user may read them and the costs in usage reports)",
    ),
];

pub fn rule_for(action: Action) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.action == action)
        .expect("every action has a rule")
}

/// Whether `p` may perform `action` on an object of `team` (ignored for
/// system-, any-team- and global-scoped actions).
pub fn allowed(p: &Principal, action: Action, team: Option<Uuid>) -> bool {
    if p.user.global_admin {
        return true;
    }
    let rule = rule_for(action);
    let role = match rule.scope {
        Scope::Team => team.and_then(|t| p.role_in(t)),
        Scope::System => p.system_role(),
        Scope::AnyTeam => p.memberships.iter().map(|m| m.role).max(),
        Scope::Global => None,
    };
    role.is_some_and(|r| r >= rule.min_role)
}

/// The teams in which `p` may do a team-scoped `action`, for filtering
/// lists; `None` means every team (global admins).
pub fn teams_allowed(p: &Principal, action: Action) -> Option<Vec<Uuid>> {
    if p.user.global_admin {
        return None;
    }
    Some(
        p.memberships
            .iter()
            .filter(|m| allowed(p, action, Some(m.team_id)))
            .map(|m| m.team_id)
            .collect(),
    )
}

/// Like [`allowed`], as a 403 with a message naming what is missing.
pub fn require(p: &Principal, action: Action, team: Option<Uuid>) -> Result<(), ApiError> {
    if allowed(p, action, team) {
        return Ok(());
    }
    let rule = rule_for(action);
    let needed = match rule.scope {
        Scope::Team => format!("the {} role (or higher) in the owning team", rule.min_role),
        Scope::System => format!("the {} role (or higher) in the system team", rule.min_role),
        Scope::AnyTeam => format!("the {} role (or higher) in some team", rule.min_role),
        Scope::Global => "a global admin".to_string(),
    };
    Err(ApiError::forbidden(format!("this needs {needed}")))
}

/// The membership action needed to give (or take away) `role`.
pub fn member_action(role: Role) -> Action {
    if role >= Role::Manager {
        Action::MemberManageElevated
    } else {
        Action::MemberManage
    }
}

/// May `p` make someone `new` (from `old`) in `team`? Besides the rules,
/// nobody raises anyone above their own role.
pub fn require_role_change(
    p: &Principal,
    team: Uuid,
    old: Option<Role>,
    new: Option<Role>,
) -> Result<(), ApiError> {
    for role in [old, new].into_iter().flatten() {
        require(p, member_action(role), Some(team))?;
    }
    if let Some(new) = new {
        if !p.user.global_admin && p.role_in(team).is_none_or(|own| new > own) {
            return Err(ApiError::forbidden(format!(
                "you cannot make someone {new}: that is above your own role in this team"
            )));
        }
    }
    Ok(())
}

/// Could someone with role `own` in a team (or a global admin) make
/// someone `role` there directly? That is what an invitation may grant:
/// checked when it is sent, and again when its code is used.
pub fn can_grant(global_admin: bool, own: Option<Role>, role: Role) -> bool {
    if global_admin {
        return true;
    }
    let rule = rule_for(member_action(role));
    debug_assert_eq!(rule.scope, Scope::Team);
    own.is_some_and(|own| own >= rule.min_role && role <= own)
}

/// `docs/permissions.md`, generated from [`RULES`].
pub fn markdown() -> String {
    let mut out = String::from(
        "# Permissions\n\n\
         <!-- Generated from server/src/permissions.rs; a test fails when this file is stale.\n     \
         Regenerate: TOKENCTL_UPDATE_DOCS=1 cargo test -p tokenctl-server permissions -->\n\n\
         Operators are users with a role per team: `viewer` < `developer` < `manager` < `admin`.\n\
         A role includes everything the roles below it may do. One team, `system`, owns routes,\n\
         upstream secrets and gateway keys. **Global admins** may do everything, including\n\
         creating teams and users.\n\n\
         | Action | Who | Where |\n|---|---|---|\n",
    );
    for r in RULES {
        let (who, place) = match r.scope {
            Scope::Team => (format!("{}+", r.min_role), "the team that owns the object"),
            Scope::System => (format!("{}+", r.min_role), "the `system` team"),
            Scope::AnyTeam => (format!("{}+", r.min_role), "any team"),
            Scope::Global => ("global admin".to_string(), "—"),
        };
        out.push_str(&format!("| {} | {who} | {place} |\n", r.description));
    }
    out.push_str(
        "\nAlso enforced:\n\n\
         - Nobody can make anyone a role above their own in a team, and managers cannot\n  \
         touch managers or admins.\n\
         - Nobody can remove or demote the last admin of a team.\n\
         - Nobody can disable, or take the global-admin flag from, the last global admin.\n\
         - Invitations grant only what the inviter could grant directly, both when sent\n  \
         and when used: an enrolment code stops working once its inviter is disabled or\n  \
         could no longer grant a role it names, or a team it names is deleted. Disabling a\n  \
         user, or lowering their role (a demotion, removal from a team, losing the\n  \
         global-admin flag), revokes their pending invitations; deleting a team revokes\n  \
         the pending invitations into it.\n\
         - Admin credentials are personal: you list, create and revoke your own. Revoking\n  \
         your last usable credential is refused. A credential never outlives the one it is\n  \
         created with, nor the server's `--max-credential-ttl`.\n\
         - Reads are scoped: lists show only the teams, tokens, users and audit entries you may\n  \
         see; objects of teams you cannot see answer `404`, as if they did not exist. A user\n  \
         record lists only the memberships in teams you may see, and an audit entry's\n  \
         before and after states only the roles and memberships in teams you may see.\n\
         - Search (`tokenctl search`) finds only what the lists show you: tokens and teams of\n  \
         your teams, routes if you may read routes, and users who share a team with you (and\n  \
         yourself). Team lists and the overview count only tokens you may read.\n\
         - An idempotent rotation's result is returned again only to the credential that\n  \
         made the rotation.\n\
         - Gateways authenticate with gateway keys, which grant only the config feed and\n  \
         usage ingest; admin credentials cannot call those, and gateway keys nothing else.\n\
         - A route is usable only by the teams it is granted to (or by every team): a token's\n  \
         `*`, `tag:` and route-name scopes reach only those routes, and naming a route not\n  \
         granted to the token's team in a scope is refused.\n\
         - A route whose path is nested under another route's, or is a prefix of other routes'\n  \
         paths (`/` included), takes requests from them: adding or moving it needs the right\n  \
         to change each of them, and its audit entry names them (`shadows`).\n\
         - Routes to cloud metadata services (169.254.169.254, fd00:ec2::254, …) are refused\n  \
         unless the server runs with `--allow-metadata-upstreams`.\n\
         - A route may use a secret only if its upstream host matches one of the secret's hosts;\n  \
         a new secret's creator sets its first hosts.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_rule() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..].iter().all(|o| o.action != r.action),
                "{:?} twice",
                r.action
            );
        }
    }

    fn principal(global_admin: bool, roles: &[(Uuid, Role)]) -> Principal {
        let now = chrono::Utc::now();
        Principal {
            user: crate::api::User {
                id: Uuid::nil(),
                name: "u".into(),
                email: None,
                global_admin,
                disabled_at: None,
                created_at: now,
            },
            credential: crate::api::Credential {
                id: Uuid::nil(),
                name: "c".into(),
                hint: "tkc_…".into(),
                created_at: now,
                expires_at: None,
                revoked_at: None,
                last_used_at: None,
            },
            memberships: roles
                .iter()
                .map(|(team_id, role)| crate::api::TeamMembership {
                    team_id: *team_id,
                    team: team_id.to_string(),
                    role: *role,
                    system: false,
                })
                .collect(),
        }
    }

    #[test]
    fn list_filters_follow_the_rule_of_their_action() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let p = principal(false, &[(a, Role::Viewer), (b, Role::Developer)]);
        // The audit log is filtered by the AuditRead rule (viewer+)…
        assert_eq!(teams_allowed(&p, Action::AuditRead), Some(vec![a, b]));
        // …and a stricter rule gives fewer teams.
        assert_eq!(teams_allowed(&p, Action::TokenCreate), Some(vec![b]));
        assert_eq!(teams_allowed(&p, Action::TeamDelete), Some(vec![]));
        assert_eq!(
            teams_allowed(&principal(true, &[]), Action::AuditRead),
            None
        );
    }

    #[test]
    fn can_grant_is_what_a_direct_role_change_allows() {
        for own in [None].into_iter().chain(Role::ALL.map(Some)) {
            for role in Role::ALL {
                let direct = own.is_some_and(|own| {
                    let rule = rule_for(member_action(role));
                    own >= rule.min_role && role <= own
                });
                assert_eq!(can_grant(false, own, role), direct, "{own:?} -> {role}");
                assert!(can_grant(true, own, role));
            }
        }
        assert!(can_grant(false, Some(Role::Manager), Role::Developer));
        assert!(!can_grant(false, Some(Role::Manager), Role::Manager));
        assert!(!can_grant(false, Some(Role::Developer), Role::Viewer));
        assert!(can_grant(false, Some(Role::Admin), Role::Admin));
    }

    #[test]
    fn permissions_doc_matches_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/permissions.md");
        let fresh = markdown();
        if std::env::var_os("TOKENCTL_UPDATE_DOCS").is_some() {
            std::fs::write(path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == fresh,
            "docs/permissions.md is stale; regenerate with: TOKENCTL_UPDATE_DOCS=1 cargo test -p tokenctl-server permissions"
        );
    }
}
