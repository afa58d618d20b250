//! Wire types of the admin REST API (`/v1`): what the server sends and
//! receives, and what the CLI decodes. Defined once, here.

pub mod input;
pub mod sync;

use chrono::{DateTime, SubsecRound, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Times are stored and sent with microsecond precision, always UTC.
pub fn trunc_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

pub fn now() -> DateTime<Utc> {
    trunc_micros(Utc::now())
}

/// Every error the API returns: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `conflict`, `unknown_scope`.
    pub code: String,
    /// One readable sentence.
    pub message: String,
    /// For `ambiguous_reference`: the candidates that matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
}

/// A feature a request needs that this server is not configured for. Such
/// a request is answered 409 with the feature's code: the client cannot fix
/// it and retrying does not help; the operator has to configure the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingFeature {
    /// Cloudflare KV sync (`CF_ACCOUNT_ID`, `CF_API_TOKEN`, `CF_KV_NAMESPACE_ID`).
    KvSync,
    /// The master key that encrypts upstream secrets.
    MasterKey,
}

impl MissingFeature {
    pub const ALL: [MissingFeature; 2] = [MissingFeature::KvSync, MissingFeature::MasterKey];

    /// The error `code` the API answers with.
    pub fn code(self) -> &'static str {
        match self {
            MissingFeature::KvSync => "kv_sync_disabled",
            MissingFeature::MasterKey => "master_key_missing",
        }
    }

    pub fn from_code(code: &str) -> Option<MissingFeature> {
        MissingFeature::ALL.into_iter().find(|f| f.code() == code)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

// ---------------------------------------------------------------- health

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`/`down`.
    pub status: String,
    pub version: String,
    pub time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<HealthCheck>,
    /// The admin API's connections (in the detailed report only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnectionStats>,
}

/// Counters of the admin API's listener since start.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct ConnectionStats {
    /// Connections open now.
    pub open: usize,
    /// The most connections allowed open at once (`--max-connections`).
    pub max: usize,
    /// Connections accepted.
    pub accepted: u64,
    /// Idle connections closed to make room for a new one at the limit.
    pub evicted: u64,
    /// Connections closed because request headers (or the first request)
    /// did not arrive within the header-read timeout.
    pub timed_out: u64,
    /// Connections closed after the keep-alive timeout without traffic.
    pub idle_closed: u64,
    /// Failed accepts (e.g. out of file descriptors).
    pub accept_errors: u64,
}

impl From<tokenctl_listener::StatsSnapshot> for ConnectionStats {
    fn from(s: tokenctl_listener::StatsSnapshot) -> ConnectionStats {
        ConnectionStats {
            open: s.open,
            max: s.max,
            accepted: s.accepted,
            evicted: s.evicted,
            timed_out: s.timed_out,
            idle_closed: s.idle_closed,
            accept_errors: s.accept_errors,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HealthCheck {
    pub name: String,
    /// `ok`, `down`, or `disabled`.
    pub status: String,
    pub message: String,
    pub latency_ms: Option<f64>,
}

// ---------------------------------------------------------------- identity

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Developer,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Developer, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Developer => "developer",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Identity {
    pub user: User,
    pub credential: Credential,
    pub teams: Vec<TeamMembership>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub global_admin: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamMembership {
    pub team_id: Uuid,
    pub team: String,
    pub role: Role,
    pub system: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// The system team owns routes and upstream secrets.
    pub system: bool,
    pub created_at: DateTime<Utc>,
}

// ---------------------------------------------------------------- credentials

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Credential {
    pub id: Uuid,
    pub name: String,
    /// Masked form, e.g. `tkc_Ab3x…q9ZkP0`.
    pub hint: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateCredential {
    pub name: String,
    /// `never`, a duration (`30d`), a date or an RFC 3339 time. Default:
    /// the expiry of the credential making the request (never, if it never
    /// expires), or the server's `--max-credential-ttl`, whichever is
    /// earlier. A later expiry is refused.
    #[serde(default)]
    pub expires: Option<String>,
}

/// A new credential; `secret` is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedCredential {
    #[serde(flatten)]
    pub credential: Credential,
    pub secret: String,
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        }
    }
}

/// Filter for `GET /v1/tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    #[default]
    Active,
    Expired,
    Revoked,
    All,
}

pub use tokenctl_gateway::address::UpstreamAccess;
pub use tokenctl_gateway::snapshot::{RateLimit, UpstreamAuth};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Team name.
    pub team: String,
    pub team_id: Uuid,
    pub scopes: Vec<String>,
    pub status: TokenStatus,
    /// Masked current secret, e.g. `ntk_Ab3x…q9ZkP0`.
    pub secret_hint: String,
    /// The previous secret while a rotation grace runs.
    pub previous_secret: Option<PreviousSecret>,
    #[schema(value_type = Vec<String>)]
    pub allow_ips: Vec<IpNet>,
    pub rate_limit: Option<RateLimit>,
    pub expires_at: Option<DateTime<Utc>>,
    /// User name of the creator.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreviousSecret {
    pub hint: String,
    /// When the previous secret stops working.
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateToken {
    pub name: String,
    /// Team name or id; may be left out when the caller belongs to one team.
    #[serde(default)]
    pub team: Option<String>,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `never` (default), a duration (`30d`, `12h`), a date or an RFC 3339 time.
    #[serde(default)]
    pub expires: Option<String>,
    /// CIDRs or addresses the token may be used from; empty = anywhere.
    #[serde(default)]
    pub allow_ips: Vec<String>,
    /// `N/PERIOD`, e.g. `100/1m`.
    #[serde(default)]
    pub rate: Option<String>,
    /// Accept scopes that name no existing route or tag.
    #[serde(default)]
    pub allow_unknown_scope: bool,
}

/// A new or rotated token; `token` is the plaintext, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub info: Token,
    pub token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateToken {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Replace all scopes.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub add_scopes: Vec<String>,
    #[serde(default)]
    pub remove_scopes: Vec<String>,
    /// `never`, a duration, a date or an RFC 3339 time.
    #[serde(default)]
    pub expires: Option<String>,
    /// Replace the IP allow-list (empty list = anywhere).
    #[serde(default)]
    pub allow_ips: Option<Vec<String>>,
    /// `N/PERIOD`, or `none` to remove the limit.
    #[serde(default)]
    pub rate: Option<String>,
    #[serde(default)]
    pub allow_unknown_scope: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RotateToken {
    /// How long the old secret keeps working, e.g. `1h`. Default: it stops now.
    #[serde(default)]
    pub grace: Option<String>,
}

// ---------------------------------------------------------------- routes

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Route {
    pub id: Uuid,
    pub name: String,
    /// Normalised path prefix, matched on segment boundaries.
    pub path: String,
    pub upstream: String,
    pub tags: Vec<String>,
    pub auth: UpstreamAuth,
    pub timeout_ms: u64,
    pub description: String,
    /// The teams whose tokens may use the route (names), or `["*"]` for every team.
    pub teams: Vec<String>,
    /// Which addresses gateways may connect to for this route: `public`, or
    /// `private`/`metadata` as approved by a system admin.
    pub upstream_access: UpstreamAccess,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `teams` of a [`Route`] granted to every team.
pub const ALL_TEAMS: &str = "*";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateRoute {
    pub name: String,
    pub path: String,
    pub upstream: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// `none`, `bearer:SECRET`, `header:HEADER-NAME:SECRET` or `basic:USER-SECRET:PASS-SECRET`.
    #[serde(default)]
    pub auth: Option<String>,
    /// e.g. `30s` (default).
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Teams (names or ids) whose tokens may use the route. Give these or
    /// `all_teams`.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Let every team's tokens use the route.
    #[serde(default)]
    pub all_teams: bool,
    /// Approve the upstream to be reached at private addresses even where
    /// the server cannot resolve it (system admins only).
    #[serde(default)]
    pub private_upstream: bool,
}

/// Teams to grant a route to, or to withdraw it from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RouteGrants {
    /// Team names or ids.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Grant: every team. Ungrant: stop granting every team (the teams
    /// granted by name keep the route).
    #[serde(default)]
    pub all_teams: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateRoute {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub upstream: Option<String>,
    /// Replace all tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
    #[serde(default)]
    pub auth: Option<String>,
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Approve the upstream to be reached at private addresses even where
    /// the server cannot resolve it (system admins only).
    #[serde(default)]
    pub private_upstream: bool,
}

/// What removing a route did or would do.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RouteRemoved {
    pub route: Route,
    /// Tokens whose scopes named the route; with `force` those scopes were removed.
    pub affected_tokens: Vec<Candidate>,
    /// Of those, the tokens that had no other scope: with `force` they were
    /// revoked rather than left live with no scope.
    #[serde(default)]
    pub revoked_tokens: Vec<Candidate>,
}

// ---------------------------------------------------------------- secrets

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SetSecret {
    /// The new value; may be left out to change only `hosts` of an existing secret.
    #[serde(default)]
    pub value: Option<String>,
    /// Replace the hosts the secret may be sent to: exact hosts
    /// (`api.openai.com`) or `*.example.com`. Left out: unchanged (none for
    /// a new secret, which no route can then use). Changing the hosts of an
    /// existing secret needs the admin role in the system team.
    #[serde(default)]
    pub hosts: Option<Vec<String>>,
}

/// A stored upstream secret: never its value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecretInfo {
    pub name: String,
    /// Short keyed fingerprint of the value, to tell whether two values match.
    pub fingerprint: String,
    pub version: i64,
    pub set_by: Option<String>,
    pub set_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Routes whose upstream auth uses this secret.
    pub used_by: Vec<String>,
    /// Host patterns the secret may be sent to; a route may use it only if
    /// its upstream host matches one.
    pub hosts: Vec<String>,
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// User name of the actor.
    pub actor: String,
    pub actor_id: Option<Uuid>,
    pub credential_id: Option<Uuid>,
    /// `resource.verb`, e.g. `token.create`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub team_id: Option<Uuid>,
    /// State before the change, secrets redacted.
    pub before: Option<serde_json::Value>,
    /// State after the change, secrets redacted.
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `cursor` to get the next (older) page.
    pub next_cursor: Option<Uuid>,
}

// ---------------------------------------------------------------- gateways

/// A gateway's credential: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GatewayKey {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last time a gateway used this key.
    pub last_seen_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateGatewayKey {
    pub name: String,
}

/// A new gateway key; `secret` is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedGatewayKey {
    #[serde(flatten)]
    pub key: GatewayKey,
    pub secret: String,
}

/// The result of a usage batch: the gateway core's ingest contract.
pub use tokenctl_gateway::usage::{IngestResult as UsageBatchResult, RefusedEvent};

// ---------------------------------------------------------------- teams, users

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateTeam {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// A user (name or id) to make the team's first admin.
    #[serde(default)]
    pub admin: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateTeam {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A team with its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamDetail {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<TeamMember>,
    /// Tokens of the team that are not revoked (active or expired).
    pub live_tokens: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamMember {
    pub user_id: Uuid,
    pub user: String,
    pub email: Option<String>,
    pub role: Role,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SetMember {
    pub role: Role,
}

/// What deleting a team did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamDeleted {
    pub team: Team,
    /// Tokens revoked with the team (`revoke_tokens`).
    pub revoked_tokens: Vec<Candidate>,
}

/// A user and their team roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserInfo {
    #[serde(flatten)]
    pub user: User,
    pub teams: Vec<TeamMembership>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateUser {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// `TEAM:ROLE`, e.g. `platform:developer`.
    #[serde(default)]
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
pub struct UpdateUser {
    /// New e-mail; an empty string clears it.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
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
    pub email: String,
    /// User name for the new user; default: the e-mail's local part.
    #[serde(default)]
    pub name: Option<String>,
    /// `TEAM:ROLE`, e.g. `platform:developer`.
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub global_admin: bool,
    /// How long the code is valid, e.g. `7d` (default), `24h`.
    #[serde(default)]
    pub expires: Option<String>,
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

// ---------------------------------------------------------------- usage

/// The window a report covers, aligned to whole buckets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageWindow {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Timeline bucket width, e.g. `1h`.
    pub bucket: String,
    pub bucket_secs: i64,
    pub buckets: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UsageTotals {
    pub calls: i64,
    /// Calls answered with status ≥ 400 (by the gateway or the upstream).
    pub errors: i64,
    /// Percent of calls below 400; absent when there were no calls.
    pub success_rate: Option<f64>,
    /// Calls per status class: `2xx`, `3xx`, `4xx`, `5xx`.
    pub by_class: std::collections::BTreeMap<String, i64>,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub bytes_in: i64,
    pub bytes_out: i64,
}

/// One token or route in a usage list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageRow {
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub calls: i64,
    pub errors: i64,
    pub success_rate: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Calls per timeline bucket.
    pub timeline: Vec<i64>,
}

/// `GET /v1/usage`: the overview.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageSummary {
    pub window: UsageWindow,
    pub totals: UsageTotals,
    pub calls_timeline: Vec<i64>,
    pub errors_timeline: Vec<i64>,
    pub top_tokens: Vec<UsageRow>,
    pub top_routes: Vec<UsageRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageRows {
    pub window: UsageWindow,
    /// Rows before `limit` was applied (servers before this field: absent).
    #[serde(default)]
    pub total: usize,
    pub rows: Vec<UsageRow>,
}

/// One call, from the raw events.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageCall {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub token_id: Option<Uuid>,
    pub token: Option<String>,
    pub route_id: Option<Uuid>,
    pub route: Option<String>,
    pub method: String,
    pub status: u16,
    pub latency_ms: f64,
    pub upstream_latency_ms: Option<f64>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    /// Requests this call stands for: 1, or more for requests refused
    /// without a valid token, which gateways count per client address,
    /// reason and minute.
    #[serde(default = "one")]
    pub requests: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusCount {
    pub status: u16,
    pub calls: i64,
}

/// `GET /v1/usage/tokens/{reference}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenUsage {
    pub window: UsageWindow,
    pub token: Token,
    pub totals: UsageTotals,
    pub calls_timeline: Vec<i64>,
    pub errors_timeline: Vec<i64>,
    pub by_route: Vec<UsageRow>,
    pub by_status: Vec<StatusCount>,
    pub recent: Vec<UsageCall>,
}

/// `GET /v1/usage/routes/{reference}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RouteUsage {
    pub window: UsageWindow,
    pub route: Route,
    pub totals: UsageTotals,
    pub calls_timeline: Vec<i64>,
    /// p50 / p95 latency per timeline bucket (absent where no calls).
    pub p50_timeline: Vec<Option<f64>>,
    pub p95_timeline: Vec<Option<f64>>,
    pub top_tokens: Vec<UsageRow>,
    pub recent: Vec<UsageCall>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OverviewCounts {
    pub active_tokens: i64,
    pub expired_tokens: i64,
    pub revoked_tokens: i64,
    pub routes: i64,
    pub teams: i64,
    pub users: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayCount {
    pub date: chrono::NaiveDate,
    pub count: i64,
}

/// `GET /v1/overview`: the dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    pub counts: OverviewCounts,
    /// Tokens that expire in the next 30 days, soonest first.
    pub expiring_soon: Vec<Token>,
    /// Tokens created per day over the last 7 days (oldest first).
    pub created_per_day: Vec<DayCount>,
    pub recent_activity: Vec<AuditEntry>,
}
