//! Storage. One implementation of every query (the files under `queries/`,
//! one per resource), compiled once per backend with that backend's
//! concrete sqlx types (`postgres.rs`, `sqlite.rs`), behind the
//! [`Database`] enum that the HTTP layer uses.

mod begin;
mod constraints;
mod kv;
mod postgres;
mod sqlite;

pub use kv::{KvSyncState, KvTokenKey, TokenHashes};

/// Where counting usage events that wait for the roll-up stops, so that a
/// health check stays cheap however far behind the job is.
pub const PENDING_COUNT_CAP: i64 = 100_000;

use crate::api::{self, Role};
use crate::config::DatabaseUrl;
use crate::crypto::MasterKey;
use crate::error::ApiResult;
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokenctl_gateway::token::Secret;
use uuid::Uuid;

/// Who is making a change, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub user_name: String,
    pub credential_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            user_name: "system".into(),
            credential_id: None,
            request_id: None,
            client_ip: None,
        }
    }
}

/// An authenticated operator: user, the credential used, and team roles.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: api::User,
    pub credential: api::Credential,
    pub memberships: Vec<api::TeamMembership>,
}

impl Principal {
    pub fn role_in(&self, team_id: Uuid) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.team_id == team_id)
            .map(|m| m.role)
    }

    pub fn system_role(&self) -> Option<Role> {
        self.memberships.iter().find(|m| m.system).map(|m| m.role)
    }

    /// Teams whose data the caller may read; `None` means all (global admin).
    pub fn readable_teams(&self) -> Option<Vec<Uuid>> {
        if self.user.global_admin {
            None
        } else {
            Some(self.memberships.iter().map(|m| m.team_id).collect())
        }
    }
}

/// A validated new token.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub team_id: Uuid,
    pub name: String,
    pub description: String,
    pub scopes: Vec<String>,
    pub allow_unknown_scope: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub allow_ips: Vec<ipnet::IpNet>,
    pub rate_limit: Option<api::RateLimit>,
    pub quotas: Vec<api::Quota>,
}

/// A validated token change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TokenChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub add_scopes: Vec<String>,
    pub remove_scopes: Vec<String>,
    pub allow_unknown_scope: bool,
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub allow_ips: Option<Vec<ipnet::IpNet>>,
    pub rate_limit: Option<Option<api::RateLimit>>,
    /// Quotas to set (`Some`) or remove (`None`), by kind.
    pub quotas: Vec<(api::QuotaKind, Option<api::Quota>)>,
}

/// A validated rotation request.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub grace: Duration,
    /// The caller's idempotency key: a retry with the same key by the same
    /// credential, within a day, returns the same new secret, which is kept
    /// sealed under the master key until then.
    pub idempotency_key: Option<String>,
    pub master_key: Option<MasterKey>,
}

/// An admin credential to issue: its secret and when it expires.
#[derive(Debug, Clone, Copy)]
pub struct NewCredential<'a> {
    pub secret: &'a Secret,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What the caller may do to a secret. The handler decides; `set_secret`
/// applies the one that fits once it knows, inside its transaction,
/// whether the secret exists, so a concurrent creation cannot turn a
/// create into a replace the caller may not make.
#[derive(Debug)]
pub struct SecretWrite {
    pub create: ApiResult<()>,
    pub replace: ApiResult<()>,
}

/// A validated invitation.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub user_name: String,
    pub roles: Vec<api::InvitedRole>,
    pub global_admin: bool,
    pub expires_at: DateTime<Utc>,
}

/// A validated new route.
#[derive(Debug, Clone)]
pub struct NewRoute {
    pub name: String,
    pub path: String,
    pub upstream: String,
    pub tags: Vec<String>,
    pub auth: api::UpstreamAuth,
    pub timeout_ms: u64,
    pub description: String,
    /// Granted to every team, or to `teams` (ids).
    pub all_teams: bool,
    pub teams: Vec<Uuid>,
    /// What the upstream needs (from resolving it), or more if approved.
    pub upstream_access: api::UpstreamAccess,
    /// The LLM API the upstream speaks, if any.
    pub llm: Option<tokenctl_gateway::llm::Provider>,
}

/// A validated new model price.
#[derive(Debug, Clone)]
pub struct NewPrice {
    pub model: String,
    /// Micro-dollars per million tokens.
    pub input_micros: i64,
    pub output_micros: i64,
    pub effective_from: DateTime<Utc>,
}

/// A validated route change.
#[derive(Debug, Clone, Default)]
pub struct RouteChange {
    pub name: Option<String>,
    pub path: Option<String>,
    pub upstream: Option<String>,
    pub tags: Option<Vec<String>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub auth: Option<api::UpstreamAuth>,
    pub timeout_ms: Option<u64>,
    pub description: Option<String>,
    /// What the resulting upstream needs, from resolving it now.
    pub access_needed: api::UpstreamAccess,
    /// Approve private addresses whatever the resolution says.
    pub approve_private: bool,
    /// `Some(None)` clears the threshold of `route.error_rate`.
    pub alert_error_rate: Option<Option<f64>>,
    /// A new LLM API (`Some(None)`: not an LLM route any more).
    pub llm: Option<Option<tokenctl_gateway::llm::Provider>>,
}

/// What the caller may do to routes beyond the rule it was admitted by,
/// checked by the repo inside the transaction against the rows it locks.
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteAuthority {
    /// May change routes (the system team's manager): needed to shadow them.
    pub change_routes: bool,
    /// May add or change routes that reach private addresses (system admin).
    pub private_upstreams: bool,
    /// The server allows cloud metadata upstreams (`--allow-metadata-upstreams`).
    pub allow_metadata: bool,
}

/// A validated change to a secret: a new value (sealed, with its
/// fingerprint), new hosts, or both.
#[derive(Debug)]
pub struct SecretChange {
    pub name: String,
    pub value: Option<(Vec<u8>, String)>,
    pub hosts: Option<Vec<String>>,
    /// May store a new secret / replace a value: decided inside the write
    /// transaction by whether the secret exists.
    pub may: SecretWrite,
    /// May change the hosts of an existing secret (system admin).
    pub may_change_hosts: bool,
}

/// A secret as gateways need it: name, value sealed under the master key,
/// and the hosts it may be sent to.
#[derive(Debug, Clone)]
pub struct SealedSecret {
    pub name: String,
    pub sealed: Vec<u8>,
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    /// Exact action, or all of a resource's: `token.*` (or `token.`).
    pub action: Option<String>,
    pub target_type: Option<String>,
    /// Target id or name.
    pub target: Option<String>,
    pub team_id: Option<Uuid>,
    /// At most this many entries.
    pub limit: u32,
    /// Entries older than this id (the last of the previous page).
    pub before: Option<Uuid>,
    /// Restrict to these teams (plus the caller's own entries); `None` = all.
    pub readable_teams: Option<Vec<Uuid>>,
    pub reader: Option<Uuid>,
}

/// Gateway configuration as of change-log position `version`: everything
/// (`full`), or what changed after the position a gateway already has.
#[derive(Debug, Default)]
pub struct GatewayConfig {
    pub version: u64,
    pub full: bool,
    pub tokens: Vec<tokenctl_gateway::snapshot::TokenEntry>,
    pub removed_tokens: Vec<Uuid>,
    pub routes: Vec<tokenctl_gateway::snapshot::RouteEntry>,
    pub removed_routes: Vec<Uuid>,
    /// Names, sealed (encrypted) values and hosts.
    pub secrets: Vec<SealedSecret>,
    pub removed_secrets: Vec<String>,
    /// Quota state of subjects (tokens, teams) with quotas.
    pub quotas: Vec<tokenctl_gateway::quota::QuotaState>,
    pub removed_quotas: Vec<Uuid>,
    /// Per model: the price in force and any later ones.
    pub prices: Vec<tokenctl_gateway::quota::PriceEntry>,
}

/// Whose usage a report may include: these teams (`None` = all), and
/// optionally only one token or route.
#[derive(Debug, Clone, Default)]
pub struct UsageScope {
    pub teams: Option<Vec<Uuid>>,
    pub token: Option<Uuid>,
    pub route: Option<Uuid>,
}

/// A team's members and tokens by status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCounts {
    pub team_id: Uuid,
    pub team: String,
    pub members: i64,
    pub active: i64,
    pub expired: i64,
    pub revoked: i64,
}

/// The outcome of one usage batch.
#[derive(Debug, Clone, Copy)]
pub struct UsageIngest {
    pub received: usize,
    pub inserted: usize,
    pub duplicates: usize,
}

/// A validated new webhook; its secret already sealed under the master
/// key (bound to `id`).
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<api::WebhookEvent>,
    pub sealed_secret: Vec<u8>,
    pub private_receiver: bool,
}

/// A delivery claimed for an attempt, with what sending it needs.
#[derive(Debug, Clone)]
pub struct DeliveryJob {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub url: String,
    pub sealed_secret: Vec<u8>,
    pub private_receiver: bool,
    pub event: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    /// The claim: the attempt's result is recorded only while it holds.
    pub lease_until: DateTime<Utc>,
}

/// How an attempt went.
#[derive(Debug, Clone, Default)]
pub struct DeliveryOutcome {
    pub delivered: bool,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    pub error: Option<String>,
    /// When to try again; `None` (and not delivered): give up.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// What the server needs to decide at start-up about the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// No secrets stored and no key check recorded.
    Fresh,
    /// A check value is stored (from an earlier key).
    Check(String),
    /// Secrets are stored but no check value (should not happen).
    SecretsWithoutCheck,
}

macro_rules! forward {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty; )*) => {
        impl Database {
            $(
                $(#[$doc])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        Database::Postgres(r) => r.$name($($arg),*).await,
                        Database::Sqlite(r) => r.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

/// The database, on one of the supported backends.
#[derive(Clone)]
pub enum Database {
    Postgres(postgres::Repo),
    Sqlite(sqlite::Repo),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.backend())
    }
}

impl Database {
    /// Connects and runs pending migrations (safe with several servers
    /// starting at once).
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Database> {
        match url {
            DatabaseUrl::Postgres(u) => Ok(Database::Postgres(postgres::Repo::connect(u).await?)),
            DatabaseUrl::Sqlite(path) => Ok(Database::Sqlite(sqlite::Repo::connect(path).await?)),
        }
    }

    /// A receiver that changes whenever config changes are committed by this process.
    pub fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        match self {
            Database::Postgres(r) => r.subscribe_changes(),
            Database::Sqlite(r) => r.subscribe_changes(),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Database::Postgres(_) => "postgres",
            Database::Sqlite(_) => "sqlite",
        }
    }

    /// How many connections the pool holds now, and how many of them idle.
    pub fn pool_usage(&self) -> PoolUsage {
        match self {
            Database::Postgres(r) => r.pool_usage(),
            Database::Sqlite(r) => r.pool_usage(),
        }
    }
}

/// The connection pool at one moment.
#[derive(Debug, Clone, Copy)]
pub struct PoolUsage {
    /// Connections open, idle or in use.
    pub size: u32,
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

forward! {
    /// `SELECT 1`, for health checks.
    fn ping(&self) -> anyhow::Result<()>;
    fn key_state(&self) -> anyhow::Result<KeyState>;
    fn record_key_check(&self, check: String) -> anyhow::Result<()>;
    /// Creates the system team and the first admin on an empty database.
    /// Returns the admin credential if one was created.
    /// `deliver` runs before the commit; if it fails, nothing is created.
    fn bootstrap(&self, secret: Secret, expires_at: Option<DateTime<Utc>>, deliver: &(dyn Fn(&Secret) -> anyhow::Result<()> + Sync)) -> anyhow::Result<bool>;
    fn authenticate(&self, secret_hash: &str, now: DateTime<Utc>) -> anyhow::Result<Option<(Principal, bool)>>;

    fn teams_page(&self, readable: Option<Vec<Uuid>>, after: Option<String>, fetch: u32) -> ApiResult<Vec<api::Team>>;
    fn find_team(&self, reference: &str) -> ApiResult<Option<api::Team>>;

    fn create_token(&self, actor: &Actor, new: NewToken, secret: &Secret) -> ApiResult<api::Token>;
    fn list_tokens(&self, readable: Option<Vec<Uuid>>, team: Option<Uuid>, status: api::StatusFilter) -> ApiResult<Vec<api::Token>>;
    fn tokens_page(&self, readable: Option<Vec<Uuid>>, team: Option<Uuid>, status: api::StatusFilter, after: Option<(String, Uuid)>, fetch: u32) -> ApiResult<Vec<api::Token>>;
    fn tokens_by_name(&self, readable: Option<Vec<Uuid>>, team: Option<Uuid>, with_revoked: bool, after: Option<(String, Uuid)>, fetch: u32) -> ApiResult<Vec<api::Token>>;
    fn count_unrevoked_tokens(&self, readable: Option<Vec<Uuid>>, team: Option<Uuid>) -> ApiResult<i64>;
    fn tokens_by_ids(&self, readable: Option<Vec<Uuid>>, ids: &[Uuid]) -> ApiResult<Vec<api::Token>>;
    fn tokens_expiring_soonest(&self, readable: Option<Vec<Uuid>>, until: DateTime<Utc>, limit: u32) -> ApiResult<Vec<api::Token>>;
    fn tokens_created_since(&self, readable: Option<Vec<Uuid>>, since: DateTime<Utc>) -> ApiResult<Vec<DateTime<Utc>>>;
    /// Tokens matching an id, a plaintext secret or a name.
    fn find_tokens(&self, reference: &str, readable: Option<Vec<Uuid>>, team: Option<Uuid>) -> ApiResult<Vec<api::Token>>;
    fn token_creator(&self, id: Uuid) -> ApiResult<Option<Uuid>>;
    fn update_token(&self, actor: &Actor, id: Uuid, change: TokenChange) -> ApiResult<api::Token>;
    fn revoke_token(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Token>;
    fn rotate_token(&self, actor: &Actor, id: Uuid, rotation: Rotation) -> ApiResult<api::IssuedToken>;
    /// Deletes idempotent rotation results older than their replay window.
    fn purge_rotation_results(&self, now: DateTime<Utc>) -> anyhow::Result<u64>;

    fn create_route(&self, actor: &Actor, new: NewRoute, authority: RouteAuthority) -> ApiResult<api::Route>;
    fn list_routes(&self) -> ApiResult<Vec<api::Route>>;
    fn routes_page(&self, after: Option<String>, fetch: u32) -> ApiResult<Vec<api::Route>>;
    fn find_route(&self, reference: &str) -> ApiResult<Option<api::Route>>;
    fn update_route(&self, actor: &Actor, id: Uuid, change: RouteChange, authority: RouteAuthority) -> ApiResult<api::Route>;
    fn remove_route(&self, actor: &Actor, id: Uuid, force: bool) -> ApiResult<api::RouteRemoved>;
    /// Grants a route to teams (or every team), or withdraws it.
    fn grant_route(&self, actor: &Actor, id: Uuid, teams: Vec<Uuid>, all_teams: bool, grant: bool, authority: RouteAuthority) -> ApiResult<api::Route>;
    /// Routes (id, upstream) still to be classified after migration 0007;
    /// `None` when that was done.
    fn upgrade_0007_pending(&self) -> anyhow::Result<Option<Vec<(Uuid, String)>>>;
    fn upgrade_0007_finish(&self, access: Vec<(Uuid, api::UpstreamAccess)>) -> anyhow::Result<bool>;

    fn set_secret(&self, actor: &Actor, change: SecretChange) -> ApiResult<api::SecretInfo>;
    fn find_secret(&self, name: &str) -> ApiResult<Option<api::SecretInfo>>;
    fn list_secrets(&self) -> ApiResult<Vec<api::SecretInfo>>;
    fn remove_secret(&self, actor: &Actor, name: &str) -> ApiResult<api::SecretInfo>;

    fn list_audit(&self, filter: AuditFilter) -> ApiResult<Vec<api::AuditEntry>>;

    fn create_gateway_key(&self, actor: &Actor, name: String, secret: &Secret) -> ApiResult<api::GatewayKey>;
    fn list_gateway_keys(&self) -> ApiResult<Vec<api::GatewayKey>>;
    fn revoke_gateway_key(&self, actor: &Actor, reference: &str) -> ApiResult<api::GatewayKey>;
    fn authenticate_gateway(&self, secret_hash: &str, now: DateTime<Utc>) -> anyhow::Result<Option<api::GatewayKey>>;
    /// All gateway config (`after` = None), or the changes after a position.
    fn gateway_config(&self, after: Option<u64>) -> ApiResult<GatewayConfig>;
    /// All gateway config, its tokens sent one at a time (see the query).
    fn stream_gateway_config(&self, tokens: tokio::sync::mpsc::Sender<tokenctl_gateway::snapshot::TokenEntry>) -> ApiResult<GatewayConfig>;
    fn ingest_usage(&self, gateway_key_id: Uuid, events: Vec<tokenctl_gateway::usage::UsageEvent>) -> ApiResult<UsageIngest>;
    /// A token's and its team's quotas with their current-period consumption.
    /// Announces the quota counts publication held back (every second).
    fn publish_held_quotas(&self, now: DateTime<Utc>) -> anyhow::Result<usize>;
    fn quota_status(&self, token: Uuid, team: Uuid) -> ApiResult<Vec<api::QuotaStatus>>;
    fn team_quota_status(&self, team: Uuid) -> ApiResult<Vec<api::QuotaStatus>>;

    fn create_credential(&self, actor: &Actor, user_id: Uuid, name: String, expires_at: Option<DateTime<Utc>>, secret: &Secret) -> ApiResult<api::Credential>;
    fn list_credentials(&self, user_id: Uuid) -> ApiResult<Vec<api::Credential>>;
    fn revoke_credential(&self, actor: &Actor, user_id: Uuid, reference: &str) -> ApiResult<api::Credential>;
}

forward! {
    fn create_team(&self, actor: &Actor, name: String, description: String, admin: Option<Uuid>) -> ApiResult<api::TeamDetail>;
    fn team_detail(&self, id: Uuid) -> ApiResult<Option<api::TeamDetail>>;
    fn update_team(&self, actor: &Actor, id: Uuid, name: Option<String>, description: Option<String>, quotas: Vec<(api::QuotaKind, Option<api::Quota>)>) -> ApiResult<api::Team>;
    fn delete_team(&self, actor: &Actor, id: Uuid, revoke_tokens: bool) -> ApiResult<api::TeamDeleted>;
    fn member_role(&self, team: Uuid, user: Uuid) -> ApiResult<Option<Role>>;
    fn set_member(&self, actor: &Actor, team: Uuid, user: Uuid, role: Role, expected: Option<Role>) -> ApiResult<api::TeamMember>;
    fn remove_member(&self, actor: &Actor, team: Uuid, user: Uuid, expected: Role) -> ApiResult<api::TeamMember>;
    fn list_users(&self, teams: Option<Vec<Uuid>>, me: Uuid) -> ApiResult<Vec<api::UserInfo>>;
    fn users_page(&self, teams: Option<Vec<Uuid>>, me: Uuid, after: Option<String>, fetch: u32) -> ApiResult<Vec<api::UserInfo>>;
    fn find_user(&self, reference: &str) -> ApiResult<Option<api::UserInfo>>;
    fn create_user(&self, actor: &Actor, name: String, email: Option<String>, global_admin: bool, roles: Vec<(Uuid, Role)>, credential: NewCredential<'_>) -> ApiResult<api::CreatedUser>;
    fn update_user(&self, actor: &Actor, id: Uuid, email: Option<Option<String>>, global_admin: Option<bool>, disabled: Option<bool>) -> ApiResult<api::UserInfo>;
    fn create_invitation(&self, actor: &Actor, new: NewInvitation, code: &Secret) -> ApiResult<api::Invitation>;
    fn list_invitations(&self, created_by: Option<Uuid>) -> ApiResult<Vec<api::Invitation>>;
    fn find_invitation(&self, id: Uuid) -> ApiResult<Option<(api::Invitation, Option<Uuid>)>>;
    fn revoke_invitation(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Invitation>;
    fn enrol(&self, code_hash: &str, credential: NewCredential<'_>, request: &Actor) -> ApiResult<api::Enrolled>;
}

forward! {
    /// Members and tokens by status per team (of `readable`; `None` = all).
    fn team_counts(&self, readable: Option<Vec<Uuid>>, now: DateTime<Utc>) -> ApiResult<Vec<TeamCounts>>;
    /// When each user last used an admin credential (never: left out).
    fn last_active(&self, users: Vec<Uuid>) -> ApiResult<std::collections::HashMap<Uuid, DateTime<Utc>>>;
    fn search_tokens(&self, text: String, readable: Option<Vec<Uuid>>, limit: usize) -> ApiResult<Vec<api::Token>>;
    fn search_teams(&self, text: String, readable: Option<Vec<Uuid>>, limit: usize) -> ApiResult<Vec<api::Team>>;
    fn search_users(&self, text: String, teams: Option<Vec<Uuid>>, me: Uuid, limit: usize) -> ApiResult<Vec<api::User>>;
}

forward! {
    fn kv_state(&self) -> anyhow::Result<KvSyncState>;
    fn kv_take_lease(&self, holder: String, now: DateTime<Utc>, until: DateTime<Utc>) -> anyhow::Result<bool>;
    fn kv_release_lease(&self, holder: String) -> anyhow::Result<()>;
    fn kv_record_grace_ends(&self, now: DateTime<Utc>) -> anyhow::Result<usize>;
    fn kv_routes(&self) -> anyhow::Result<(u64, Vec<tokenctl_gateway::snapshot::RouteEntry>)>;
    fn kv_prices(&self, now: DateTime<Utc>) -> anyhow::Result<(u64, Vec<tokenctl_gateway::quota::PriceEntry>)>;
    fn kv_secrets(&self) -> anyhow::Result<(u64, Vec<SealedSecret>)>;
    fn kv_token_hashes(&self, ids: Vec<Uuid>) -> anyhow::Result<Vec<TokenHashes>>;
    fn kv_known_keys(&self, tokens: Option<Vec<Uuid>>) -> anyhow::Result<Vec<KvTokenKey>>;
    fn kv_remember_keys(&self, keys: Vec<KvTokenKey>) -> anyhow::Result<()>;
    fn kv_forget_keys(&self, keys: Vec<String>) -> anyhow::Result<()>;
    fn kv_mark_synced(&self, seq: u64, namespace_id: String, edge_key_id: Option<String>, now: DateTime<Utc>) -> anyhow::Result<()>;
    fn kv_mark_reachable(&self, now: DateTime<Utc>) -> anyhow::Result<()>;
    fn kv_record_error(&self, message: String, kind: String, now: DateTime<Utc>) -> anyhow::Result<()>;
    fn kv_request_full(&self, now: DateTime<Utc>) -> anyhow::Result<()>;
    fn kv_full_progress(&self, done: u64, total: u64) -> anyhow::Result<()>;
    fn kv_full_done(&self, requested_at: Option<DateTime<Utc>>, result: String) -> anyhow::Result<()>;
}

forward! {
    fn set_price(&self, actor: &Actor, price: NewPrice) -> ApiResult<api::ModelPrice>;
    fn all_prices(&self) -> ApiResult<Vec<api::ModelPrice>>;
    fn price_history(&self, model: String) -> ApiResult<Vec<api::ModelPrice>>;
}

forward! {
    fn usage_rollups(&self, scope: UsageScope, level: crate::usage::Level, since: DateTime<Utc>, until: DateTime<Utc>) -> ApiResult<Vec<(crate::usage::Key, crate::usage::Agg)>>;
    fn usage_token_rollups(&self, scope: UsageScope, level: crate::usage::Level, since: DateTime<Utc>, until: DateTime<Utc>) -> ApiResult<Vec<(crate::usage::tokens::TokenKey, crate::usage::tokens::TokenAgg)>>;
    fn usage_recent(&self, scope: UsageScope, status: Option<u16>, limit: u32) -> ApiResult<Vec<api::UsageCall>>;
    fn usage_retention(&self, raw: DateTime<Utc>, minute: DateTime<Utc>, hour: DateTime<Utc>, day: DateTime<Utc>) -> anyhow::Result<u64>;
    fn overview_counts(&self, readable: Option<Vec<Uuid>>, now: DateTime<Utc>) -> ApiResult<api::OverviewCounts>;
    fn roll_up(&self, limit: u32) -> anyhow::Result<usize>;
    fn rollup_pending(&self) -> anyhow::Result<i64>;
    /// When the oldest stored event not yet rolled up was received.
    fn rollup_oldest_pending(&self) -> anyhow::Result<Option<DateTime<Utc>>>;
    /// Waits until usage events were stored, at most `timeout`.
    fn ingested(&self, timeout: std::time::Duration) -> ();
}

forward! {
    fn create_webhook(&self, actor: &Actor, new: NewWebhook) -> ApiResult<api::Webhook>;
    fn list_webhooks(&self) -> ApiResult<Vec<api::Webhook>>;
    fn find_webhook(&self, id: Uuid) -> ApiResult<Option<api::Webhook>>;
    fn remove_webhook(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Webhook>;
    fn test_webhook(&self, actor: &Actor, id: Uuid) -> ApiResult<api::WebhookDelivery>;
    fn webhook_deliveries_page(&self, webhook: Uuid, before: Option<Uuid>, fetch: u32) -> ApiResult<Vec<api::WebhookDelivery>>;
    fn queue_webhook_event(&self, event: api::WebhookEvent, dedup_key: String, data: serde_json::Value) -> anyhow::Result<usize>;
    fn webhook_event_since(&self, prefix: String, since: DateTime<Utc>) -> anyhow::Result<bool>;
    fn webhooks_with_due(&self, now: DateTime<Utc>) -> anyhow::Result<Vec<Uuid>>;
    fn claim_webhook_deliveries(&self, webhook: Uuid, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> anyhow::Result<Vec<DeliveryJob>>;
    fn finish_webhook_delivery(&self, id: Uuid, lease_until: DateTime<Utc>, outcome: DeliveryOutcome) -> anyhow::Result<()>;
    fn tokens_expiring(&self, now: DateTime<Utc>, until: DateTime<Utc>) -> anyhow::Result<Vec<(Uuid, String, String, DateTime<Utc>)>>;
    fn route_error_rates(&self, since: DateTime<Utc>) -> anyhow::Result<Vec<(Uuid, String, f64, i64, i64)>>;
}

/// Every query, written once: each backend module (`postgres.rs`,
/// `sqlite.rs`) invokes this after defining what differs between the
/// backends, so the files under `queries/` are compiled once per backend,
/// with its concrete sqlx types, as one module. `repo.rs` comes first: it
/// holds the imports the others share.
macro_rules! queries {
    () => {
        include!("queries/repo.rs");
        include!("queries/audit.rs");
        include!("queries/startup.rs");
        include!("queries/credentials.rs");
        include!("queries/teams.rs");
        include!("queries/memberships.rs");
        include!("queries/users.rs");
        include!("queries/invitations.rs");
        include!("queries/tokens.rs");
        include!("queries/scopes.rs");
        include!("queries/token_rotation.rs");
        include!("queries/routes.rs");
        include!("queries/route_checks.rs");
        include!("queries/route_grants.rs");
        include!("queries/secrets.rs");
        include!("queries/gateway_keys.rs");
        include!("queries/config_feed.rs");
        include!("queries/quotas.rs");
        include!("queries/quota_events.rs");
        include!("queries/kv_sync.rs");
        include!("queries/usage.rs");
        include!("queries/prices.rs");
        include!("queries/search.rs");
        include!("queries/webhooks.rs");
    };
}
use queries;

// The query files are not modules of their own; these lines only let
// rustfmt and editors see them.
#[cfg(any())]
mod queries {
    mod audit;
    mod config_feed;
    mod credentials;
    mod gateway_keys;
    mod invitations;
    mod kv_sync;
    mod memberships;
    mod quota_events;
    mod quotas;
    mod repo;
    mod route_checks;
    mod route_grants;
    mod routes;
    mod scopes;
    mod search;
    mod secrets;
    mod startup;
    mod teams;
    mod token_rotation;
    mod tokens;
    mod usage;
    mod users;
    mod webhooks;
}
