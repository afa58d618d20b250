// Every query of the control plane, written once. This file is compiled
// twice, by `postgres.rs` and `sqlite.rs`, each of which defines:
//   type Db                 the sqlx database type
//   const FOR_UPDATE: &str  row lock suffix for SELECTs in write transactions
//   async fn begin_write    a transaction that may write
//   async fn lock_bootstrap serialises bootstrap across server processes
//   async fn serialize_changes      makes change-log writers take turns
//   async fn begin_consistent_read  one snapshot for several statements
//   async fn insert_usage_events    bulk insert of usage events
// and `Repo::connect`. SQL uses `$n` placeholders, which both backends read.

use crate::api::{self, Candidate, TokenStatus};
use crate::db::{
    Actor, AuditFilter, AuditRecord, GatewayConfig, KeyState, NewRoute, NewToken, Principal,
    Rotation, RouteAuthority, RouteChange, SealedSecret, SecretChange, TokenChange, UsageIngest,
    UsageScope,
};
use crate::error::{on_constraint, ApiError, ApiResult};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, QueryBuilder};
use std::collections::{BTreeSet, HashMap};
use tokenctl_gateway::address::UpstreamAccess;
use tokenctl_gateway::host;
use tokenctl_gateway::snapshot::{RouteEntry, TokenEntry};
use tokenctl_gateway::token::{hash_secret, Secret, SecretKind};
use tokenctl_gateway::usage::UsageEvent;
use uuid::Uuid;

type Tx = sqlx::Transaction<'static, Db>;

#[derive(Clone)]
pub struct Repo {
    pool: sqlx::Pool<Db>,
    /// Bumped after every committed change that gateways must see, so
    /// change-feed long polls wake at once.
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// Signalled after usage events were stored, to wake the roll-up job.
    ingested: std::sync::Arc<tokio::sync::Notify>,
}

#[derive(FromRow)]
struct TeamRow {
    id: Uuid,
    name: String,
    description: String,
    is_system: bool,
    created_at: DateTime<Utc>,
}

impl From<TeamRow> for api::Team {
    fn from(r: TeamRow) -> Self {
        api::Team {
            id: r.id,
            name: r.name,
            description: r.description,
            system: r.is_system,
            created_at: r.created_at,
        }
    }
}

#[derive(FromRow)]
struct TokenRow {
    id: Uuid,
    team_id: Uuid,
    team_name: String,
    name: String,
    description: String,
    scopes: Json<Vec<String>>,
    allow_ips: Json<Vec<ipnet::IpNet>>,
    rate_limit: Option<Json<api::RateLimit>>,
    secret_hint: String,
    previous_hint: Option<String>,
    previous_expires_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

const TOKEN_SELECT: &str = "SELECT t.id, t.team_id, tm.name AS team_name, t.name, t.description, \
     t.scopes, t.allow_ips, t.rate_limit, t.secret_hint, t.previous_hint, t.previous_expires_at, \
     t.expires_at, u.name AS created_by_name, t.created_at, t.updated_at, \
     t.rotated_at, t.revoked_at, t.last_used_at \
     FROM tokens t JOIN teams tm ON tm.id = t.team_id LEFT JOIN users u ON u.id = t.created_by";

impl TokenRow {
    fn view(self, now: DateTime<Utc>) -> api::Token {
        let status = if self.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|e| e <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        };
        let previous_secret = match (self.previous_hint, self.previous_expires_at) {
            (Some(hint), Some(expires_at)) if expires_at > now && self.revoked_at.is_none() => {
                Some(api::PreviousSecret { hint, expires_at })
            }
            _ => None,
        };
        api::Token {
            id: self.id,
            name: self.name,
            description: self.description,
            team: self.team_name,
            team_id: self.team_id,
            scopes: self.scopes.0,
            status,
            secret_hint: self.secret_hint,
            previous_secret,
            allow_ips: self.allow_ips.0,
            rate_limit: self.rate_limit.map(|r| r.0),
            expires_at: self.expires_at,
            created_by: self.created_by_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
            rotated_at: self.rotated_at,
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
        }
    }
}

#[derive(FromRow)]
struct RouteRow {
    id: Uuid,
    name: String,
    path: String,
    upstream: String,
    description: String,
    tags: Json<Vec<String>>,
    auth: Json<api::UpstreamAuth>,
    timeout_ms: i64,
    all_teams: bool,
    upstream_access: String,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const ROUTE_SELECT: &str = "SELECT r.id, r.name, r.path, r.upstream, r.description, r.tags, \
     r.auth, r.timeout_ms, r.all_teams, r.upstream_access, u.name AS created_by_name, \
     r.created_at, r.updated_at FROM routes r LEFT JOIN users u ON u.id = r.created_by";

/// Route id → the live teams it is granted to by name: (id, name), by name.
type Grants = HashMap<Uuid, Vec<(Uuid, String)>>;

impl RouteRow {
    /// An unknown value (written by a newer version) fails closed.
    fn access(&self) -> UpstreamAccess {
        UpstreamAccess::parse(&self.upstream_access).unwrap_or_default()
    }

    fn view(self, grants: &Grants) -> api::Route {
        let upstream_access = self.access();
        let teams = if self.all_teams {
            vec![api::ALL_TEAMS.to_string()]
        } else {
            grants
                .get(&self.id)
                .map(|g| g.iter().map(|(_, name)| name.clone()).collect())
                .unwrap_or_default()
        };
        api::Route {
            id: self.id,
            name: self.name,
            path: self.path,
            upstream: self.upstream,
            tags: self.tags.0,
            auth: self.auth.0,
            timeout_ms: u64::try_from(self.timeout_ms).unwrap_or(0),
            description: self.description,
            teams,
            upstream_access,
            created_by: self.created_by_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The route as gateways see it.
    fn entry(self, grants: &Grants) -> RouteEntry {
        let upstream_access = self.access();
        let teams = if self.all_teams {
            vec![]
        } else {
            grants
                .get(&self.id)
                .map(|g| g.iter().map(|(id, _)| *id).collect())
                .unwrap_or_default()
        };
        RouteEntry {
            id: self.id,
            name: self.name,
            path: self.path,
            upstream: self.upstream,
            tags: self.tags.0,
            auth: self.auth.0,
            timeout_ms: u64::try_from(self.timeout_ms).unwrap_or(0),
            all_teams: self.all_teams,
            teams,
            upstream_access,
        }
    }
}

/// The grants of one route, or of all (`None`), to teams that are not deleted.
async fn grants_of(tx: &mut Tx, route: Option<Uuid>) -> sqlx::Result<Grants> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT rg.route_id, t.id, t.name FROM route_grants rg \
         JOIN teams t ON t.id = rg.team_id WHERE t.deleted_at IS NULL",
    );
    if let Some(id) = route {
        q.push(" AND rg.route_id = ").push_bind(id);
    }
    q.push(" ORDER BY t.name");
    let rows: Vec<(Uuid, Uuid, String)> = q.build_query_as().fetch_all(&mut **tx).await?;
    let mut grants = Grants::new();
    for (route, team, name) in rows {
        grants.entry(route).or_default().push((team, name));
    }
    Ok(grants)
}

#[derive(FromRow)]
struct SecretRow {
    id: Uuid,
    name: String,
    fingerprint: String,
    version: i64,
    hosts: Json<Vec<String>>,
    set_by_name: Option<String>,
    set_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

const SECRET_SELECT: &str = "SELECT s.id, s.name, s.fingerprint, s.version, s.hosts, \
     u.name AS set_by_name, s.set_at, s.created_at \
     FROM secrets s LEFT JOIN users u ON u.id = s.set_by";

/// A secret as gateways get it.
#[derive(FromRow)]
struct SealedRow {
    name: String,
    ciphertext: Vec<u8>,
    hosts: Json<Vec<String>>,
}

const SEALED_SELECT: &str = "SELECT name, ciphertext, hosts FROM secrets";

impl From<SealedRow> for SealedSecret {
    fn from(r: SealedRow) -> Self {
        SealedSecret {
            name: r.name,
            sealed: r.ciphertext,
            hosts: r.hosts.0,
        }
    }
}

#[derive(FromRow)]
struct CredentialRow {
    id: Uuid,
    name: String,
    hint: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<CredentialRow> for api::Credential {
    fn from(r: CredentialRow) -> Self {
        api::Credential {
            id: r.id,
            name: r.name,
            hint: r.hint,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
        }
    }
}

#[derive(FromRow)]
struct GatewayKeyRow {
    id: Uuid,
    name: String,
    hint: String,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    last_seen_at: Option<DateTime<Utc>>,
}

const GATEWAY_KEY_SELECT: &str = "SELECT g.id, g.name, g.hint, u.name AS created_by_name, \
     g.created_at, g.revoked_at, g.last_seen_at FROM gateway_keys g LEFT JOIN users u ON u.id = g.created_by";

impl From<GatewayKeyRow> for api::GatewayKey {
    fn from(r: GatewayKeyRow) -> Self {
        api::GatewayKey {
            id: r.id,
            name: r.name,
            hint: r.hint,
            created_by: r.created_by_name,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_seen_at: r.last_seen_at,
        }
    }
}

async fn gateway_key(tx: &mut Tx, id: Uuid) -> sqlx::Result<api::GatewayKey> {
    Ok(
        sqlx::query_as::<_, GatewayKeyRow>(&format!("{GATEWAY_KEY_SELECT} WHERE g.id = $1"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .into(),
    )
}

const CREDENTIAL_COLUMNS: &str = "id, name, hint, created_at, expires_at, revoked_at, last_used_at";

#[derive(FromRow)]
struct UserRow {
    id: Uuid,
    name: String,
    email: Option<String>,
    global_admin: bool,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct MembershipRow {
    team_id: Uuid,
    team: String,
    role: String,
    is_system: bool,
}

#[derive(FromRow)]
struct AuditRow {
    id: Uuid,
    at: DateTime<Utc>,
    actor_user_id: Option<Uuid>,
    actor_name: String,
    actor_credential_id: Option<Uuid>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    target_name: Option<String>,
    team_id: Option<Uuid>,
    before: Option<Json<serde_json::Value>>,
    after: Option<Json<serde_json::Value>>,
    request_id: Option<String>,
    client_ip: Option<String>,
}

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("wire types serialise")
}

async fn write_audit(tx: &mut Tx, actor: &Actor, rec: AuditRecord) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_user_id, actor_name, actor_credential_id, action, \
         target_type, target_id, target_name, team_id, before, after, request_id, client_ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(Uuid::now_v7())
    .bind(api::now())
    .bind(actor.user_id)
    .bind(&actor.user_name)
    .bind(actor.credential_id)
    .bind(rec.action)
    .bind(rec.target_type)
    .bind(rec.target_id)
    .bind(rec.target_name)
    .bind(rec.team_id)
    .bind(rec.before.map(Json))
    .bind(rec.after.map(Json))
    .bind(&actor.request_id)
    .bind(&actor.client_ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn system_team_id(tx: &mut Tx) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT id FROM teams WHERE is_system = $1")
        .bind(true)
        .fetch_optional(&mut **tx)
        .await
}

async fn token_by_id(tx: &mut Tx, id: Uuid, lock: bool) -> sqlx::Result<Option<TokenRow>> {
    // Row locks cannot cover the joined tables on PostgreSQL, so lock the
    // token row first and read the view afterwards.
    if lock && !FOR_UPDATE.is_empty() {
        sqlx::query(&format!("SELECT id FROM tokens WHERE id = $1{FOR_UPDATE}"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query_as::<_, TokenRow>(&format!("{TOKEN_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Checks that no scope names a route not granted to `team`, and (unless
/// `allow_unknown`) that every scope names an existing route or tag.
async fn check_scopes(
    tx: &mut Tx,
    team: Uuid,
    scopes: &[String],
    allow_unknown: bool,
) -> ApiResult<()> {
    if scopes.is_empty() {
        return Err(ApiError::invalid(
            "a token needs at least one scope (`*`, a route name or `tag:TAG`)",
        ));
    }
    let routes: Vec<(Uuid, String, Json<Vec<String>>, bool)> =
        sqlx::query_as("SELECT id, name, tags, all_teams FROM routes")
            .fetch_all(&mut **tx)
            .await?;
    let granted: BTreeSet<Uuid> =
        sqlx::query_scalar("SELECT route_id FROM route_grants WHERE team_id = $1")
            .bind(team)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let not_granted: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| {
            routes
                .iter()
                .any(|(id, name, _, all)| name == s && !all && !granted.contains(id))
        })
        .collect();
    if !not_granted.is_empty() {
        let team_name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
            .bind(team)
            .fetch_one(&mut **tx)
            .await?;
        let list = not_granted
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::Invalid {
            code: "route_not_granted",
            message: format!(
                "route{} {list} {} not granted to team `{team_name}`, so its tokens cannot use {}; \
                 a manager of the system team can grant {} with `tokenctl route grant ROUTE {team_name}`",
                if not_granted.len() > 1 { "s" } else { "" },
                if not_granted.len() > 1 { "are" } else { "is" },
                if not_granted.len() > 1 { "them" } else { "it" },
                if not_granted.len() > 1 { "them" } else { "it" },
            ),
        });
    }
    if allow_unknown {
        return Ok(());
    }
    let names: BTreeSet<&str> = routes.iter().map(|(_, n, _, _)| n.as_str()).collect();
    let tags: BTreeSet<&str> = routes
        .iter()
        .flat_map(|(_, _, t, _)| t.0.iter().map(String::as_str))
        .collect();
    let unknown: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| {
            *s != "*"
                && match s.strip_prefix("tag:") {
                    Some(tag) => !tags.contains(tag),
                    None => !names.contains(s),
                }
        })
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(ApiError::Invalid {
        code: "unknown_scope",
        message: format!(
            "scope{} {} name{} no existing route or tag (see `tokenctl route list`; pass --allow-unknown-scope to keep {})",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
            if unknown.len() > 1 { "" } else { "s" },
            if unknown.len() > 1 { "them" } else { "it" },
        ),
    })
}

fn dedup(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

fn token_candidates(tokens: &[api::Token]) -> Vec<Candidate> {
    tokens
        .iter()
        .map(|t| Candidate {
            id: t.id,
            name: t.name.clone(),
            team: Some(t.team.clone()),
            status: Some(t.status.as_str().into()),
        })
        .collect()
}

/// The ids of the secrets `auth` uses. Each must exist and be bound to the
/// host of `upstream` (see `tokenctl_gateway::host`).
async fn secret_ids(tx: &mut Tx, auth: &api::UpstreamAuth, upstream: &str) -> ApiResult<Vec<Uuid>> {
    let upstream_host = host::upstream_host(upstream).unwrap_or_default();
    let mut ids = Vec::new();
    for name in auth.secret_names() {
        let row: Option<(Uuid, Json<Vec<String>>)> =
            sqlx::query_as("SELECT id, hosts FROM secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((id, hosts)) = row else {
            return Err(ApiError::Invalid {
                code: "unknown_secret",
                message: format!(
                    "secret `{name}` does not exist; store it first with `tokenctl secret set {name} --host HOST`"
                ),
            });
        };
        if !host::matches_any(&hosts.0, &upstream_host) {
            return Err(secret_host_error(name, &hosts.0, &upstream_host));
        }
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn secret_host_error(name: &str, hosts: &[String], upstream_host: &str) -> ApiError {
    ApiError::Invalid {
        code: "secret_host_not_allowed",
        message: format!(
            "secret `{name}` may not be sent to `{upstream_host}` (it may be sent to: {}); \
             an admin of the system team decides where a secret may go, with \
             `tokenctl secret set {name} --keep-value --host HOST …`",
            if hosts.is_empty() {
                "no host yet".to_string()
            } else {
                hosts.join(", ")
            }
        ),
    }
}

/// Whether `prefix` covers `path` on segment boundaries (`/` covers all).
fn covers(prefix: &str, path: &str) -> bool {
    prefix == "/"
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A route whose requests a route at another path would take or border on.
#[derive(Debug, serde::Serialize)]
struct Shadowed {
    name: String,
    path: String,
    /// `nested_under` (the new path is below this route's) or `prefix_of`.
    relation: &'static str,
}

/// The routes a route at `path` would shadow: those it is nested under,
/// whose requests below `path` it takes, and those it is a prefix of
/// (including `/`), whose neighbourhood it takes. Refused unless the
/// caller may change each of them.
async fn check_shadowing(
    tx: &mut Tx,
    path: &str,
    except: Option<Uuid>,
    authority: RouteAuthority,
) -> ApiResult<Vec<Shadowed>> {
    let rows: Vec<(Uuid, String, String, String)> =
        sqlx::query_as("SELECT id, name, path, upstream_access FROM routes ORDER BY path")
            .fetch_all(&mut **tx)
            .await?;
    let mut shadowed = Vec::new();
    for (id, name, other, access) in rows {
        if Some(id) == except || other == path {
            continue;
        }
        let relation = if covers(&other, path) {
            "nested_under"
        } else if covers(path, &other) {
            "prefix_of"
        } else {
            continue;
        };
        let access = UpstreamAccess::parse(&access).unwrap_or(UpstreamAccess::Private);
        let needed = if access != UpstreamAccess::Public && !authority.private_upstreams {
            Some("admin")
        } else if !authority.change_routes {
            Some("manager")
        } else {
            None
        };
        if let Some(role) = needed {
            let how = if relation == "nested_under" {
                format!("is nested under route `{name}` ({other}) and would take its requests below {path}")
            } else {
                format!("is a prefix of route `{name}` ({other}) and would take requests around it")
            };
            return Err(ApiError::forbidden(format!(
                "path `{path}` {how}; that needs the right to change route `{name}`: the {role} role (or higher) in the system team"
            )));
        }
        shadowed.push(Shadowed {
            name,
            path: other,
            relation,
        });
    }
    Ok(shadowed)
}

fn metadata_refused(upstream: &str) -> ApiError {
    ApiError::Invalid {
        code: "upstream_forbidden",
        message: format!(
            "upstream `{upstream}` is a cloud metadata service; such upstreams are refused unless the server runs with --allow-metadata-upstreams"
        ),
    }
}

async fn insert_grants(
    tx: &mut Tx,
    actor: &Actor,
    route: Uuid,
    teams: &[Uuid],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for team in teams {
        sqlx::query(
            "INSERT INTO route_grants (route_id, team_id, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (route_id, team_id) DO NOTHING",
        )
        .bind(route)
        .bind(team)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| on_constraint(e, || "a team was deleted meanwhile; retry".to_string()))?;
    }
    Ok(())
}

async fn set_all_teams(
    tx: &mut Tx,
    route: Uuid,
    all: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE routes SET all_teams = $1, updated_at = $2 WHERE id = $3")
        .bind(all)
        .bind(now)
        .bind(route)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn dedup_ids(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = BTreeSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

fn private_route_forbidden(name: &str) -> ApiError {
    ApiError::forbidden(format!(
        "route `{name}` may reach private addresses; changing it needs the admin role (or higher) in the system team"
    ))
}

async fn route_conflict(
    tx: &mut Tx,
    name: &str,
    path: &str,
    except: Option<Uuid>,
) -> ApiResult<()> {
    let clash: Option<(String, String)> =
        sqlx::query_as("SELECT name, path FROM routes WHERE (name = $1 OR path = $2) AND id <> $3")
            .bind(name)
            .bind(path)
            .bind(except.unwrap_or(Uuid::nil()))
            .fetch_optional(&mut **tx)
            .await?;
    match clash {
        Some((n, _)) if n == name => Err(ApiError::Conflict {
            code: "already_exists",
            message: format!("a route named `{name}` already exists"),
        }),
        Some((n, _)) => Err(ApiError::Conflict {
            code: "already_exists",
            message: format!("path `{path}` is already served by route `{n}`"),
        }),
        None => Ok(()),
    }
}

async fn route_row(tx: &mut Tx, id: Uuid) -> sqlx::Result<RouteRow> {
    sqlx::query_as::<_, RouteRow>(&format!("{ROUTE_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await
}

async fn route_view(tx: &mut Tx, id: Uuid) -> sqlx::Result<api::Route> {
    let grants = grants_of(tx, Some(id)).await?;
    Ok(route_row(tx, id).await?.view(&grants))
}

/// Every route as gateways see it.
async fn route_entries(tx: &mut Tx, clause: &str) -> sqlx::Result<Vec<RouteEntry>> {
    let grants = grants_of(tx, None).await?;
    Ok(
        sqlx::query_as::<_, RouteRow>(&format!("{ROUTE_SELECT}{clause}"))
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|r| r.entry(&grants))
            .collect(),
    )
}

/// Live tokens whose scopes name `route`.
async fn tokens_scoping(
    tx: &mut Tx,
    route: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<api::Token>> {
    let rows = sqlx::query_as::<_, TokenRow>(&format!(
        "{TOKEN_SELECT} WHERE t.revoked_at IS NULL ORDER BY t.created_at"
    ))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|t| t.scopes.0.iter().any(|s| s == route))
        .map(|t| t.view(now))
        .collect())
}

async fn set_token_scopes(
    tx: &mut Tx,
    id: Uuid,
    scopes: &[String],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE tokens SET scopes = $1, updated_at = $2 WHERE id = $3")
        .bind(Json(scopes))
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn secret_info(tx: &mut Tx, row: SecretRow) -> sqlx::Result<api::SecretInfo> {
    let used_by: Vec<String> = sqlx::query_scalar(
        "SELECT r.name FROM route_secrets rs JOIN routes r ON r.id = rs.route_id \
         WHERE rs.secret_id = $1 ORDER BY r.name",
    )
    .bind(row.id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(api::SecretInfo {
        name: row.name,
        fingerprint: row.fingerprint,
        version: row.version,
        set_by: row.set_by_name,
        set_at: row.set_at,
        created_at: row.created_at,
        used_by,
        hosts: row.hosts.0,
    })
}

/// Revokes a (locked, live) token: the row, its audit entry and the change
/// log entry that takes it off the gateways.
async fn revoke_in_tx(
    tx: &mut Tx,
    actor: &Actor,
    before: &api::Token,
    now: DateTime<Utc>,
) -> ApiResult<api::Token> {
    sqlx::query(
        "UPDATE tokens SET revoked_at = $1, revoked_by = $2, previous_hash = NULL, \
         previous_hint = NULL, previous_expires_at = NULL, updated_at = $1 WHERE id = $3",
    )
    .bind(now)
    .bind(actor.user_id)
    .bind(before.id)
    .execute(&mut **tx)
    .await?;
    let after = token_by_id(tx, before.id, false)
        .await?
        .expect("locked row exists")
        .view(now);
    write_audit(
        tx,
        actor,
        AuditRecord {
            action: "token.revoke",
            target_type: "token",
            target_id: Some(before.id.to_string()),
            target_name: Some(after.name.clone()),
            team_id: Some(after.team_id),
            before: Some(to_json(before)),
            after: Some(to_json(&after)),
        },
    )
    .await?;
    record_change(tx, "token", before.id.to_string()).await?;
    Ok(after)
}

/// Appends to the change log that gateways follow (and the KV sync drains).
async fn record_change(tx: &mut Tx, entity_type: &str, entity_id: String) -> sqlx::Result<()> {
    serialize_changes(tx).await?;
    sqlx::query("INSERT INTO config_changes (at, entity_type, entity_id) VALUES ($1, $2, $3)")
        .bind(api::now())
        .bind(entity_type)
        .bind(entity_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct GatewayTokenRow {
    id: Uuid,
    team_id: Uuid,
    team_name: String,
    name: String,
    secret_hash: String,
    previous_hash: Option<String>,
    previous_expires_at: Option<DateTime<Utc>>,
    scopes: Json<Vec<String>>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    allow_ips: Json<Vec<ipnet::IpNet>>,
    rate_limit: Option<Json<api::RateLimit>>,
}

const GATEWAY_TOKEN_SELECT: &str = "SELECT t.id, t.team_id, tm.name AS team_name, t.name, \
     t.secret_hash, t.previous_hash, t.previous_expires_at, t.scopes, t.expires_at, t.revoked_at, \
     t.allow_ips, t.rate_limit FROM tokens t JOIN teams tm ON tm.id = t.team_id";

impl GatewayTokenRow {
    fn entry(self, now: DateTime<Utc>) -> TokenEntry {
        let in_grace = self.previous_expires_at.is_some_and(|e| e > now);
        TokenEntry {
            id: self.id,
            team_id: self.team_id,
            team: self.team_name,
            name: self.name,
            secret_hash: self.secret_hash,
            previous_hash: self.previous_hash.filter(|_| in_grace),
            previous_expires_at: self.previous_expires_at.filter(|_| in_grace),
            scopes: self.scopes.0,
            expires_at: self.expires_at,
            revoked: self.revoked_at.is_some(),
            allow_ips: self.allow_ips.0,
            rate_limit: self.rate_limit.map(|r| r.0),
        }
    }
}

/// How long the result of an idempotent rotation can be fetched again.
fn rotation_replay_window() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// What binds a sealed rotation result to its row and its caller.
fn rotation_binding(token: Uuid, idempotency_hash: &str, actor: &Actor) -> String {
    format!(
        "token-rotation/{token}/{idempotency_hash}/{}",
        actor
            .credential_id
            .map_or_else(|| "-".to_string(), |c| c.to_string())
    )
}

#[derive(FromRow)]
struct RotationRow {
    secret_hash: String,
    grace_ms: i64,
    credential_id: Option<Uuid>,
    sealed_token: Option<Vec<u8>>,
}

/// A retried idempotent rotation: the stored result, only for the
/// credential that made the rotation, and only while it is the token's
/// current secret. Audited as `token.rotate.replay`.
#[allow(clippy::too_many_arguments)]
async fn replay_rotation(
    tx: &mut Tx,
    actor: &Actor,
    master: &crate::crypto::MasterKey,
    row: &TokenRow,
    idempotency_hash: &str,
    earlier: RotationRow,
    grace_ms: i64,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let not_reproducible = || ApiError::Conflict {
        code: "rotation_not_reproducible",
        message: "this idempotency key's rotation cannot be returned again (it was made before \
                  this server kept rotation results, or under another master key); use a new key"
            .into(),
    };
    let Some(sealed) = earlier.sealed_token else {
        return Err(not_reproducible());
    };
    if earlier.credential_id != actor.credential_id {
        return Err(ApiError::Conflict {
            code: "idempotency_key_reused",
            message: "this idempotency key was used by another credential; use a new key".into(),
        });
    }
    if earlier.grace_ms != grace_ms {
        return Err(ApiError::Invalid {
            code: "idempotency_key_mismatch",
            message: "this idempotency key was used for a rotation with a different --grace; use a new key".into(),
        });
    }
    let current: String = sqlx::query_scalar("SELECT secret_hash FROM tokens WHERE id = $1")
        .bind(row.id)
        .fetch_one(&mut **tx)
        .await?;
    if current != earlier.secret_hash {
        return Err(ApiError::Conflict {
            code: "rotation_superseded",
            message:
                "this idempotency key's rotation has since been superseded by another rotation"
                    .into(),
        });
    }
    let token = master
        .open_rotation(&rotation_binding(row.id, idempotency_hash, actor), &sealed)
        .and_then(|p| String::from_utf8(p).ok())
        .filter(|t| hash_secret(t) == earlier.secret_hash)
        .ok_or_else(not_reproducible)?;
    let view = token_by_id(tx, row.id, false)
        .await?
        .expect("locked row exists")
        .view(now);
    write_audit(
        tx,
        actor,
        AuditRecord {
            action: "token.rotate.replay",
            target_type: "token",
            target_id: Some(row.id.to_string()),
            target_name: Some(view.name.clone()),
            team_id: Some(view.team_id),
            before: None,
            after: Some(serde_json::json!({
                "token": view,
                "returned": "the stored result of an earlier rotation with this idempotency key",
            })),
        },
    )
    .await?;
    Ok(token)
}

impl Repo {
    /// The connection pool at this moment.
    pub fn pool_usage(&self) -> super::PoolUsage {
        super::PoolUsage {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    fn new(pool: sqlx::Pool<Db>) -> Repo {
        Repo {
            pool,
            changed: std::sync::Arc::new(tokio::sync::watch::channel(0).0),
            ingested: std::sync::Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Commits a transaction that recorded config changes and wakes the
    /// change-feed waiters.
    async fn commit_config(&self, tx: Tx) -> sqlx::Result<()> {
        tx.commit().await?;
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
        Ok(())
    }

    pub fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    async fn read(&self) -> sqlx::Result<Tx> {
        self.pool.begin().await
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn key_state(&self) -> anyhow::Result<KeyState> {
        let check: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'master_key_check'")
                .fetch_optional(&self.pool)
                .await?;
        if let Some(check) = check {
            return Ok(KeyState::Check(check));
        }
        let secrets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secrets")
            .fetch_one(&self.pool)
            .await?;
        Ok(if secrets > 0 {
            KeyState::SecretsWithoutCheck
        } else {
            KeyState::Fresh
        })
    }

    pub async fn record_key_check(&self, check: String) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('master_key_check', $1) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(check)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn bootstrap(
        &self,
        secret: Secret,
        expires_at: Option<DateTime<Utc>>,
        deliver: &(dyn Fn(&Secret) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        lock_bootstrap(&mut tx).await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if users > 0 {
            return Ok(false);
        }
        let now = api::now();
        let team_id = match system_team_id(&mut tx).await? {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO teams (id, name, description, is_system, created_at) \
                     VALUES ($1, 'system', 'Owns routes and upstream secrets', $2, $3)",
                )
                .bind(id)
                .bind(true)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let user_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, name, global_admin, created_at) VALUES ($1, 'admin', $2, $3)",
        )
        .bind(user_id)
        .bind(true)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO memberships (team_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)",
        )
        .bind(team_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let credential_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO credentials (id, user_id, name, secret_hash, hint, expires_at, created_at) \
             VALUES ($1, $2, 'bootstrap', $3, $4, $5, $6)",
        )
        .bind(credential_id)
        .bind(user_id)
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(expires_at.map(api::trunc_micros))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        write_audit(
            &mut tx,
            &Actor::system(),
            AuditRecord {
                action: "system.bootstrap",
                target_type: "user",
                target_id: Some(user_id.to_string()),
                target_name: Some("admin".into()),
                team_id: Some(team_id),
                before: None,
                after: Some(serde_json::json!({
                    "user": "admin", "global_admin": true, "team": "system",
                    "credential": {"id": credential_id, "name": "bootstrap", "hint": secret.hint(),
                                   "expires_at": expires_at.map(api::trunc_micros)},
                })),
            },
        )
        .await?;
        deliver(&secret)?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn authenticate(
        &self,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<(Principal, bool)>> {
        let mut tx = self.read().await?;
        let cred = sqlx::query_as::<_, (Uuid, Uuid)>(
            "SELECT id, user_id FROM credentials WHERE secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((cred_id, user_id)) = cred else {
            return Ok(None);
        };
        let credential: api::Credential = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1"
        ))
        .bind(cred_id)
        .fetch_one(&mut *tx)
        .await?
        .into();
        let u = sqlx::query_as::<_, UserRow>(
            "SELECT id, name, email, global_admin, disabled_at, created_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        let memberships = sqlx::query_as::<_, MembershipRow>(
            "SELECT m.team_id, t.name AS team, m.role, t.is_system FROM memberships m \
             JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1 ORDER BY t.name",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(api::TeamMembership {
                team_id: m.team_id,
                team: m.team,
                role: api::Role::parse(&m.role)?,
                system: m.is_system,
            })
        })
        .collect();
        tx.commit().await?;
        let usable = credential.revoked_at.is_none()
            && credential.expires_at.is_none_or(|e| e > now)
            && u.disabled_at.is_none();
        if usable
            && credential
                .last_used_at
                .is_none_or(|t| now - t > chrono::Duration::seconds(60))
        {
            // Coarse last-use tracking: at most one write a minute per credential.
            sqlx::query("UPDATE credentials SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(cred_id)
                .execute(&self.pool)
                .await?;
        }
        let principal = Principal {
            user: api::User {
                id: u.id,
                name: u.name,
                email: u.email,
                global_admin: u.global_admin,
                disabled_at: u.disabled_at,
                created_at: u.created_at,
            },
            credential,
            memberships,
        };
        Ok(Some((principal, usable)))
    }

    // ------------------------------------------------------------ teams

    pub async fn list_teams(&self, readable: Option<Vec<Uuid>>) -> ApiResult<Vec<api::Team>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, name, description, is_system, created_at FROM teams WHERE deleted_at IS NULL",
        );
        if let Some(ids) = readable {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            q.push(" AND id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(id);
            }
            q.push(")");
        }
        q.push(" ORDER BY name");
        let rows = q.build_query_as::<TeamRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn find_team(&self, reference: &str) -> ApiResult<Option<api::Team>> {
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let row = sqlx::query_as::<_, TeamRow>(
            "SELECT id, name, description, is_system, created_at FROM teams \
             WHERE (id = $1 OR name = $2) AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    // ------------------------------------------------------------ tokens

    pub async fn create_token(
        &self,
        actor: &Actor,
        new: NewToken,
        secret: &Secret,
    ) -> ApiResult<api::Token> {
        let mut tx = begin_write(&self.pool).await?;
        let scopes = dedup(new.scopes);
        check_scopes(&mut tx, new.team_id, &scopes, new.allow_unknown_scope).await?;
        let now = api::now();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO tokens (id, team_id, name, description, scopes, allow_ips, rate_limit, \
             secret_hash, secret_hint, expires_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id)
        .bind(new.team_id)
        .bind(&new.name)
        .bind(&new.description)
        .bind(Json(&scopes))
        .bind(Json(&new.allow_ips))
        .bind(new.rate_limit.map(Json))
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(new.expires_at)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            on_constraint(e, || {
                format!("a token named `{}` already exists in this team", new.name)
            })
        })?;
        let token = token_by_id(&mut tx, id, false)
            .await?
            .expect("just inserted")
            .view(now);
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "token.create",
                target_type: "token",
                target_id: Some(id.to_string()),
                target_name: Some(token.name.clone()),
                team_id: Some(token.team_id),
                before: None,
                after: Some(to_json(&token)),
            },
        )
        .await?;
        record_change(&mut tx, "token", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(token)
    }

    pub async fn list_tokens(
        &self,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
        status: api::StatusFilter,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        q.push(" WHERE 1 = 1");
        if let Some(ids) = readable {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            q.push(" AND t.team_id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(id);
            }
            q.push(")");
        }
        if let Some(team) = team {
            q.push(" AND t.team_id = ").push_bind(team);
        }
        match status {
            api::StatusFilter::Active => {
                q.push(" AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ")
                    .push_bind(now)
                    .push(")");
            }
            api::StatusFilter::Expired => {
                q.push(" AND t.revoked_at IS NULL AND t.expires_at <= ")
                    .push_bind(now);
            }
            api::StatusFilter::Revoked => {
                q.push(" AND t.revoked_at IS NOT NULL");
            }
            api::StatusFilter::All => {}
        }
        q.push(" ORDER BY tm.name, t.name, t.created_at");
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    pub async fn find_tokens(
        &self,
        reference: &str,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        if let Ok(id) = Uuid::parse_str(reference) {
            q.push(" WHERE t.id = ").push_bind(id);
        } else if Secret::kind_of(reference) == Some(SecretKind::ApiToken) {
            let secret =
                Secret::parse(SecretKind::ApiToken, reference).map_err(|e| ApiError::Invalid {
                    code: "malformed_token",
                    message: e.to_string(),
                })?;
            let hash = secret.hash();
            q.push(" WHERE (t.secret_hash = ")
                .push_bind(hash.clone())
                .push(" OR (t.previous_hash = ")
                .push_bind(hash)
                .push(" AND t.previous_expires_at > ")
                .push_bind(now)
                .push("))");
        } else {
            q.push(" WHERE t.name = ").push_bind(reference.to_string());
        }
        if let Some(ids) = readable {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            q.push(" AND t.team_id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(id);
            }
            q.push(")");
        }
        if let Some(team) = team {
            q.push(" AND t.team_id = ").push_bind(team);
        }
        q.push(" ORDER BY t.created_at");
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    pub async fn token_creator(&self, id: Uuid) -> ApiResult<Option<Uuid>> {
        Ok(
            sqlx::query_scalar::<_, Option<Uuid>>("SELECT created_by FROM tokens WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    pub async fn update_token(
        &self,
        actor: &Actor,
        id: Uuid,
        change: TokenChange,
    ) -> ApiResult<api::Token> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let row = token_by_id(&mut tx, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("token", &id.to_string()))?;
        if row.revoked_at.is_some() {
            return Err(ApiError::Conflict {
                code: "token_revoked",
                message: format!("token `{}` is revoked and cannot be changed", row.name),
            });
        }
        let before = row.view(now);
        let mut scopes = change
            .scopes
            .clone()
            .unwrap_or_else(|| before.scopes.clone());
        scopes.extend(change.add_scopes.iter().cloned());
        // Removing a scope the token does not have is a mistake (a typo, a
        // stale script): say so instead of reporting success.
        let absent: Vec<&String> = change
            .remove_scopes
            .iter()
            .filter(|s| !scopes.contains(s))
            .collect();
        if !absent.is_empty() {
            return Err(ApiError::Invalid {
                code: "scope_not_present",
                message: format!(
                    "token `{}` has no scope {}; its scopes are {}",
                    before.name,
                    absent
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    before
                        .scopes
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            });
        }
        scopes.retain(|s| !change.remove_scopes.contains(s));
        let scopes = dedup(scopes);
        let scopes_changed = scopes != before.scopes;
        if scopes_changed {
            // Only newly added scopes must name something; kept ones may
            // predate a route's removal.
            let added: Vec<String> = scopes
                .iter()
                .filter(|s| !before.scopes.contains(s))
                .cloned()
                .collect();
            if scopes.is_empty() {
                check_scopes(&mut tx, before.team_id, &scopes, true).await?;
            } else if !added.is_empty() {
                check_scopes(&mut tx, before.team_id, &added, change.allow_unknown_scope).await?;
            }
        }
        let name = change.name.clone().unwrap_or_else(|| before.name.clone());
        let description = change
            .description
            .clone()
            .unwrap_or_else(|| before.description.clone());
        let expires_at = change.expires_at.unwrap_or(before.expires_at);
        let allow_ips = change
            .allow_ips
            .clone()
            .unwrap_or_else(|| before.allow_ips.clone());
        let rate_limit = change.rate_limit.unwrap_or(before.rate_limit);
        sqlx::query(
            "UPDATE tokens SET name = $1, description = $2, scopes = $3, expires_at = $4, \
             allow_ips = $5, rate_limit = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&name)
        .bind(&description)
        .bind(Json(&scopes))
        .bind(expires_at)
        .bind(Json(&allow_ips))
        .bind(rate_limit.map(Json))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            on_constraint(e, || {
                format!("a token named `{name}` already exists in this team")
            })
        })?;
        let after = token_by_id(&mut tx, id, false)
            .await?
            .expect("locked row exists")
            .view(now);
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "token.update",
                target_type: "token",
                target_id: Some(id.to_string()),
                target_name: Some(after.name.clone()),
                team_id: Some(after.team_id),
                before: Some(to_json(&before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        record_change(&mut tx, "token", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Token> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let row = token_by_id(&mut tx, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("token", &id.to_string()))?;
        if row.revoked_at.is_some() {
            return Err(ApiError::Conflict {
                code: "already_revoked",
                message: format!("token `{}` was already revoked", row.name),
            });
        }
        let after = revoke_in_tx(&mut tx, actor, &row.view(now), now).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn rotate_token(
        &self,
        actor: &Actor,
        id: Uuid,
        rotation: Rotation,
    ) -> ApiResult<api::IssuedToken> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let row = token_by_id(&mut tx, id, true)
            .await?
            .ok_or_else(|| ApiError::not_found("token", &id.to_string()))?;
        if row.revoked_at.is_some() {
            return Err(ApiError::Conflict {
                code: "token_revoked",
                message: format!("token `{}` is revoked and cannot be rotated", row.name),
            });
        }
        // An idempotent rotation needs the master key, to seal its result.
        let idempotency = match &rotation.idempotency_key {
            None => None,
            Some(key) => {
                let master = rotation.master_key.as_ref().ok_or_else(|| ApiError::Unavailable {
                    code: "master_key_missing",
                    message: "idempotent rotation needs the server's master key (TOKENCTL_MASTER_KEY or --master-key-file)".into(),
                })?;
                Some((master, hash_secret(key)))
            }
        };
        let grace_ms = i64::try_from(rotation.grace.as_millis()).unwrap_or(i64::MAX);
        if let Some((master, idem)) = &idempotency {
            // Results are kept for a day at most; an expired one is gone.
            sqlx::query(
                "DELETE FROM token_rotations WHERE token_id = $1 AND idempotency_hash = $2 \
                 AND (expires_at <= $3 OR (expires_at IS NULL AND created_at <= $4))",
            )
            .bind(id)
            .bind(idem)
            .bind(now)
            .bind(now - rotation_replay_window())
            .execute(&mut *tx)
            .await?;
            let earlier: Option<RotationRow> = sqlx::query_as(
                "SELECT secret_hash, grace_ms, credential_id, sealed_token FROM token_rotations \
                 WHERE token_id = $1 AND idempotency_hash = $2",
            )
            .bind(id)
            .bind(idem)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(earlier) = earlier {
                let token =
                    replay_rotation(&mut tx, actor, master, &row, idem, earlier, grace_ms, now)
                        .await?;
                tx.commit().await?;
                return Ok(api::IssuedToken {
                    info: row.view(now),
                    token,
                });
            }
        }
        let secret = Secret::generate(SecretKind::ApiToken, &mut rand::rngs::OsRng);
        let before = row.view(now);
        let grace = chrono::Duration::from_std(rotation.grace)
            .map_err(|_| ApiError::invalid("grace period is too long"))?;
        let (prev_hash, prev_hint, prev_expires): (
            Option<String>,
            Option<String>,
            Option<DateTime<Utc>>,
        ) = if grace > chrono::Duration::zero() {
            let current_hash: String =
                sqlx::query_scalar("SELECT secret_hash FROM tokens WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            (
                Some(current_hash),
                Some(before.secret_hint.clone()),
                Some(now + grace),
            )
        } else {
            (None, None, None)
        };
        sqlx::query(
            "UPDATE tokens SET secret_hash = $1, secret_hint = $2, previous_hash = $3, \
             previous_hint = $4, previous_expires_at = $5, rotated_at = $6, updated_at = $6 \
             WHERE id = $7",
        )
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(prev_hash)
        .bind(prev_hint)
        .bind(prev_expires)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some((master, idem)) = &idempotency {
            let sealed = master.seal_rotation(
                &rotation_binding(id, idem, actor),
                secret.expose().as_bytes(),
            );
            sqlx::query(
                "INSERT INTO token_rotations (token_id, idempotency_hash, secret_hash, grace_ms, \
                 created_at, credential_id, sealed_token, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(idem)
            .bind(secret.hash())
            .bind(grace_ms)
            .bind(now)
            .bind(actor.credential_id)
            .bind(sealed)
            .bind(now + rotation_replay_window())
            .execute(&mut *tx)
            .await?;
        }
        let after = token_by_id(&mut tx, id, false)
            .await?
            .expect("locked row exists")
            .view(now);
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "token.rotate",
                target_type: "token",
                target_id: Some(id.to_string()),
                target_name: Some(after.name.clone()),
                team_id: Some(after.team_id),
                before: Some(to_json(&before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        record_change(&mut tx, "token", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(api::IssuedToken {
            info: after,
            token: secret.into_exposed(),
        })
    }

    /// Deletes idempotent rotation results past their replay window.
    pub async fn purge_rotation_results(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(sqlx::query(
            "DELETE FROM token_rotations WHERE expires_at <= $1 \
             OR (expires_at IS NULL AND created_at <= $2)",
        )
        .bind(now)
        .bind(now - rotation_replay_window())
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    // ------------------------------------------------------------ routes

    pub async fn create_route(
        &self,
        actor: &Actor,
        new: NewRoute,
        authority: RouteAuthority,
    ) -> ApiResult<api::Route> {
        if new.upstream_access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(ApiError::forbidden(
                "a route that may reach private addresses needs the admin role (or higher) in the system team",
            ));
        }
        if new.upstream_access == UpstreamAccess::Metadata && !authority.allow_metadata {
            return Err(metadata_refused(&new.upstream));
        }
        let mut tx = begin_write(&self.pool).await?;
        route_conflict(&mut tx, &new.name, &new.path, None).await?;
        let shadowed = check_shadowing(&mut tx, &new.path, None, authority).await?;
        let secret_ids = secret_ids(&mut tx, &new.auth, &new.upstream).await?;
        let now = api::now();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO routes (id, name, path, upstream, description, tags, auth, timeout_ms, \
             all_teams, upstream_access, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id)
        .bind(&new.name)
        .bind(&new.path)
        .bind(&new.upstream)
        .bind(&new.description)
        .bind(Json(dedup(new.tags.clone())))
        .bind(Json(&new.auth))
        .bind(i64::try_from(new.timeout_ms).unwrap_or(i64::MAX))
        .bind(new.all_teams)
        .bind(new.upstream_access.as_str())
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            on_constraint(e, || {
                format!("route `{}` or path `{}` already exists", new.name, new.path)
            })
        })?;
        for sid in secret_ids {
            sqlx::query("INSERT INTO route_secrets (route_id, secret_id) VALUES ($1, $2)")
                .bind(id)
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
        if !new.all_teams {
            insert_grants(&mut tx, actor, id, &new.teams, now).await?;
        }
        let route = route_view(&mut tx, id).await?;
        let team = system_team_id(&mut tx).await?;
        let mut after = to_json(&route);
        if !shadowed.is_empty() {
            after["shadows"] = to_json(&shadowed);
        }
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "route.create",
                target_type: "route",
                target_id: Some(id.to_string()),
                target_name: Some(route.name.clone()),
                team_id: team,
                before: None,
                after: Some(after),
            },
        )
        .await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(route)
    }

    pub async fn list_routes(&self) -> ApiResult<Vec<api::Route>> {
        let mut tx = self.read().await?;
        let grants = grants_of(&mut tx, None).await?;
        let rows = sqlx::query_as::<_, RouteRow>(&format!("{ROUTE_SELECT} ORDER BY r.name"))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|r| r.view(&grants)).collect())
    }

    pub async fn find_route(&self, reference: &str) -> ApiResult<Option<api::Route>> {
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let mut tx = self.read().await?;
        let row = sqlx::query_as::<_, RouteRow>(&format!(
            "{ROUTE_SELECT} WHERE r.id = $1 OR r.name = $2 OR r.path = $2"
        ))
        .bind(id)
        .bind(reference)
        .fetch_optional(&mut *tx)
        .await?;
        let route = match row {
            Some(row) => {
                let grants = grants_of(&mut tx, Some(row.id)).await?;
                Some(row.view(&grants))
            }
            None => None,
        };
        tx.commit().await?;
        Ok(route)
    }

    pub async fn update_route(
        &self,
        actor: &Actor,
        id: Uuid,
        change: RouteChange,
        authority: RouteAuthority,
    ) -> ApiResult<api::Route> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        sqlx::query(&format!("SELECT id FROM routes WHERE id = $1{FOR_UPDATE}"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ApiError::not_found("route", &id.to_string()))?;
        let before = route_view(&mut tx, id).await?;
        let name = change.name.clone().unwrap_or_else(|| before.name.clone());
        let path = change.path.clone().unwrap_or_else(|| before.path.clone());
        let upstream = change
            .upstream
            .clone()
            .unwrap_or_else(|| before.upstream.clone());
        // The approval stays with the host it was given for.
        let mut access = change.access_needed;
        if change.approve_private {
            access = access.max(UpstreamAccess::Private);
        }
        if host::upstream_host(&upstream) == host::upstream_host(&before.upstream) {
            access = access.max(before.upstream_access);
        }
        if before.upstream_access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(private_route_forbidden(&before.name));
        }
        if access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(ApiError::forbidden(format!(
                "route `{name}` would reach private addresses; that needs the admin role (or higher) in the system team"
            )));
        }
        if access == UpstreamAccess::Metadata && !authority.allow_metadata {
            return Err(metadata_refused(&upstream));
        }
        route_conflict(&mut tx, &name, &path, Some(id)).await?;
        let shadowed = if path == before.path {
            vec![]
        } else {
            check_shadowing(&mut tx, &path, Some(id), authority).await?
        };
        let mut tags = change.tags.clone().unwrap_or_else(|| before.tags.clone());
        tags.extend(change.add_tags.iter().cloned());
        tags.retain(|t| !change.remove_tags.contains(t));
        let tags = dedup(tags);
        let auth = change.auth.clone().unwrap_or_else(|| before.auth.clone());
        let secret_ids = secret_ids(&mut tx, &auth, &upstream).await?;
        sqlx::query(
            "UPDATE routes SET name = $1, path = $2, upstream = $3, description = $4, tags = $5, \
             auth = $6, timeout_ms = $7, upstream_access = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&name)
        .bind(&path)
        .bind(&upstream)
        .bind(change.description.as_ref().unwrap_or(&before.description))
        .bind(Json(&tags))
        .bind(Json(&auth))
        .bind(i64::try_from(change.timeout_ms.unwrap_or(before.timeout_ms)).unwrap_or(i64::MAX))
        .bind(access.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            on_constraint(e, || {
                format!("route `{name}` or path `{path}` already exists")
            })
        })?;
        sqlx::query("DELETE FROM route_secrets WHERE route_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for sid in secret_ids {
            sqlx::query("INSERT INTO route_secrets (route_id, secret_id) VALUES ($1, $2)")
                .bind(id)
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
        // A rename carries the tokens that scope the route by name along.
        let mut renamed_in = Vec::new();
        if name != before.name {
            for t in tokens_scoping(&mut tx, &before.name, now).await? {
                let scopes: Vec<String> = dedup(t.scopes.iter().map(|s| {
                    if *s == before.name {
                        name.clone()
                    } else {
                        s.clone()
                    }
                }));
                set_token_scopes(&mut tx, t.id, &scopes, now).await?;
                renamed_in.push(t);
            }
        }
        let after = route_view(&mut tx, id).await?;
        let team = system_team_id(&mut tx).await?;
        let mut after_json = to_json(&after);
        if !renamed_in.is_empty() {
            after_json["scopes_renamed_in_tokens"] = to_json(&token_candidates(&renamed_in));
        }
        if !shadowed.is_empty() {
            after_json["shadows"] = to_json(&shadowed);
        }
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "route.update",
                target_type: "route",
                target_id: Some(id.to_string()),
                target_name: Some(after.name.clone()),
                team_id: team,
                before: Some(to_json(&before)),
                after: Some(after_json),
            },
        )
        .await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        for t in &renamed_in {
            record_change(&mut tx, "token", t.id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(after)
    }

    /// Grants the route to `teams` (and, with `all_teams`, to every team),
    /// or withdraws those grants (`grant` false). A change that changes
    /// nothing writes nothing.
    pub async fn grant_route(
        &self,
        actor: &Actor,
        id: Uuid,
        teams: Vec<Uuid>,
        all_teams: bool,
        grant: bool,
        authority: RouteAuthority,
    ) -> ApiResult<api::Route> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        sqlx::query(&format!("SELECT id FROM routes WHERE id = $1{FOR_UPDATE}"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ApiError::not_found("route", &id.to_string()))?;
        let row = route_row(&mut tx, id).await?;
        let was_all = row.all_teams;
        let before = route_view(&mut tx, id).await?;
        if before.upstream_access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(private_route_forbidden(&before.name));
        }
        let held: BTreeSet<Uuid> = grants_of(&mut tx, Some(id))
            .await?
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|(team, _)| team)
            .collect();
        let mut changed_teams: Vec<Uuid> = Vec::new();
        if grant {
            if all_teams && !was_all {
                set_all_teams(&mut tx, id, true, now).await?;
            }
            let added: Vec<Uuid> = dedup_ids(&teams)
                .into_iter()
                .filter(|t| !held.contains(t))
                .collect();
            insert_grants(&mut tx, actor, id, &added, now).await?;
            changed_teams = added;
        } else {
            if !teams.is_empty() && was_all && !all_teams {
                return Err(ApiError::Invalid {
                    code: "invalid_input",
                    message: format!(
                        "route `{}` is granted to all teams; withdraw that first with \
                         `tokenctl route ungrant {} --all-teams` (teams granted by name keep it), \
                         then ungrant the teams that should lose it",
                        before.name, before.name
                    ),
                });
            }
            if all_teams && was_all {
                set_all_teams(&mut tx, id, false, now).await?;
            }
            for t in dedup_ids(&teams) {
                if held.contains(&t) {
                    sqlx::query("DELETE FROM route_grants WHERE route_id = $1 AND team_id = $2")
                        .bind(id)
                        .bind(t)
                        .execute(&mut *tx)
                        .await?;
                    changed_teams.push(t);
                }
            }
        }
        let all_changed = all_teams && was_all != grant;
        if changed_teams.is_empty() && !all_changed {
            tx.commit().await?;
            return Ok(before);
        }
        sqlx::query("UPDATE routes SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = route_view(&mut tx, id).await?;
        let mut names = Vec::new();
        for t in &changed_teams {
            let name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
                .bind(t)
                .fetch_one(&mut *tx)
                .await?;
            names.push(name);
        }
        if all_changed {
            names.insert(0, api::ALL_TEAMS.to_string());
        }
        let mut after_json = to_json(&after);
        if grant {
            after_json["granted"] = to_json(&names);
        } else {
            after_json["withdrawn"] = to_json(&names);
            // Tokens of teams that lost the route and still name it: their
            // calls to it are refused from now on.
            let lost: Vec<api::Token> = if after.teams.iter().any(|t| t == api::ALL_TEAMS) {
                vec![]
            } else {
                tokens_scoping(&mut tx, &after.name, now)
                    .await?
                    .into_iter()
                    .filter(|t| !after.teams.contains(&t.team))
                    .collect()
            };
            if !lost.is_empty() {
                after_json["tokens_naming_route"] = to_json(&token_candidates(&lost));
            }
        }
        let team = system_team_id(&mut tx).await?;
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: if grant {
                    "route.grant"
                } else {
                    "route.ungrant"
                },
                target_type: "route",
                target_id: Some(id.to_string()),
                target_name: Some(after.name.clone()),
                team_id: team,
                before: Some(to_json(&before)),
                after: Some(after_json),
            },
        )
        .await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn remove_route(
        &self,
        actor: &Actor,
        id: Uuid,
        force: bool,
    ) -> ApiResult<api::RouteRemoved> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        sqlx::query(&format!("SELECT id FROM routes WHERE id = $1{FOR_UPDATE}"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ApiError::not_found("route", &id.to_string()))?;
        let route = route_view(&mut tx, id).await?;
        let affected = tokens_scoping(&mut tx, &route.name, now).await?;
        if !affected.is_empty() && !force {
            return Err(ApiError::Conflict {
                code: "route_in_use",
                message: format!(
                    "route `{}` is scoped by name in {} live token(s): {}; pass --force to remove it and drop that scope from them (tokens left with no scope are revoked)",
                    route.name,
                    affected.len(),
                    affected
                        .iter()
                        .map(|t| format!("{}/{}", t.team, t.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let mut revoked = Vec::new();
        for t in &affected {
            let scopes: Vec<String> = t
                .scopes
                .iter()
                .filter(|s| **s != route.name)
                .cloned()
                .collect();
            if scopes.is_empty() {
                // A live token with no scope is a token nobody can reason
                // about: revoke it, in the open, with its own audit entry.
                revoked.push(revoke_in_tx(&mut tx, actor, t, now).await?);
            } else {
                set_token_scopes(&mut tx, t.id, &scopes, now).await?;
            }
        }
        sqlx::query("DELETE FROM routes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let removed = api::RouteRemoved {
            route,
            affected_tokens: token_candidates(&affected),
            revoked_tokens: token_candidates(&revoked),
        };
        let team = system_team_id(&mut tx).await?;
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "route.remove",
                target_type: "route",
                target_id: Some(id.to_string()),
                target_name: Some(removed.route.name.clone()),
                team_id: team,
                before: Some(to_json(&removed.route)),
                after: Some(serde_json::json!({
                    "scope_removed_from_tokens": removed.affected_tokens,
                    "revoked_tokens_left_without_scope": removed.revoked_tokens,
                })),
            },
        )
        .await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        for t in &affected {
            record_change(&mut tx, "token", t.id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(removed)
    }

    /// Routes to classify after migration 0007 (which added route grants,
    /// upstream access and secret hosts), or `None` once that is done.
    pub async fn upgrade_0007_pending(&self) -> anyhow::Result<Option<Vec<(Uuid, String)>>> {
        let done: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'upgrade_0007'")
                .fetch_optional(&self.pool)
                .await?;
        if done.is_some() {
            return Ok(None);
        }
        Ok(Some(
            sqlx::query_as("SELECT id, upstream FROM routes ORDER BY path")
                .fetch_all(&self.pool)
                .await?,
        ))
    }

    /// Finishes migration 0007 once: gives existing routes the upstream
    /// access their upstreams need today (`access`, classified by the
    /// caller), binds every secret to the hosts of the routes that use it,
    /// and puts every route and secret on the change log so gateways and
    /// the KV sync get grants and hosts. Audited as the `system` actor.
    /// Returns whether this call did it.
    pub async fn upgrade_0007_finish(
        &self,
        access: Vec<(Uuid, UpstreamAccess)>,
    ) -> anyhow::Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        lock_bootstrap(&mut tx).await?;
        let done: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'upgrade_0007'")
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            tx.commit().await?;
            return Ok(false);
        }
        let actor = Actor::system();
        let team = system_team_id(&mut tx).await?;
        for (id, access) in access
            .into_iter()
            .filter(|(_, a)| *a != UpstreamAccess::Public)
        {
            let Ok(before) = route_view(&mut tx, id).await else {
                continue;
            };
            sqlx::query("UPDATE routes SET upstream_access = $1 WHERE id = $2")
                .bind(access.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let mut after = to_json(&route_view(&mut tx, id).await?);
            after["reason"] =
                to_json(&"the upstream reached private addresses before upstream access existed");
            write_audit(
                &mut tx,
                &actor,
                AuditRecord {
                    action: "route.update",
                    target_type: "route",
                    target_id: Some(id.to_string()),
                    target_name: Some(before.name.clone()),
                    team_id: team,
                    before: Some(to_json(&before)),
                    after: Some(after),
                },
            )
            .await?;
        }
        let secrets = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} ORDER BY s.name"))
            .fetch_all(&mut *tx)
            .await?;
        for row in secrets {
            let upstreams: Vec<String> = sqlx::query_scalar(
                "SELECT r.upstream FROM route_secrets rs JOIN routes r ON r.id = rs.route_id \
                 WHERE rs.secret_id = $1",
            )
            .bind(row.id)
            .fetch_all(&mut *tx)
            .await?;
            let hosts: Vec<String> = upstreams
                .iter()
                .filter_map(|u| host::upstream_host(u))
                .filter_map(|h| host::normalize_pattern(&h).ok())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let name = row.name.clone();
            record_change(&mut tx, "secret", name.clone()).await?;
            if hosts.is_empty() || hosts == row.hosts.0 {
                continue;
            }
            let id = row.id;
            let before = secret_info(&mut tx, row).await?;
            sqlx::query("UPDATE secrets SET hosts = $1 WHERE id = $2")
                .bind(Json(&hosts))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let mut after = before.clone();
            after.hosts = hosts;
            write_audit(
                &mut tx,
                &actor,
                AuditRecord {
                    action: "secret.hosts",
                    target_type: "secret",
                    target_id: Some(id.to_string()),
                    target_name: Some(name),
                    team_id: team,
                    before: Some(to_json(&before)),
                    after: Some(to_json(&after)),
                },
            )
            .await?;
        }
        let routes: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM routes")
            .fetch_all(&mut *tx)
            .await?;
        for id in routes {
            record_change(&mut tx, "route", id.to_string()).await?;
        }
        sqlx::query("INSERT INTO settings (key, value) VALUES ('upgrade_0007', $1)")
            .bind(api::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
        self.commit_config(tx).await?;
        Ok(true)
    }

    // ------------------------------------------------------------ secrets

    /// Stores a new secret, or changes an existing one's value, hosts or both.
    pub async fn set_secret(
        &self,
        actor: &Actor,
        change: SecretChange,
    ) -> ApiResult<api::SecretInfo> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let name = change.name.clone();
        if !FOR_UPDATE.is_empty() {
            sqlx::query(&format!(
                "SELECT id FROM secrets WHERE name = $1{FOR_UPDATE}"
            ))
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
        }
        let existing =
            sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
        let before = match existing {
            Some(row) => Some((row.id, secret_info(&mut tx, row).await?)),
            None => None,
        };
        let hosts_changed = match (&before, &change.hosts) {
            (Some((_, b)), Some(hosts)) => *hosts != b.hosts,
            _ => false,
        };
        // Decided once, with the row locked: a secret created concurrently
        // after this makes the insert below fail (409), never turns it
        // into a replace.
        match (&before, &change.value) {
            (None, _) => change.may.create?,
            (Some(_), Some(_)) => change.may.replace?,
            (Some(_), None) => {}
        }
        match (&before, &change.value) {
            (None, None) => {
                return Err(ApiError::invalid(format!(
                    "secret `{name}` does not exist yet; give its value"
                )))
            }
            (Some((id, b)), value) => {
                if hosts_changed {
                    if !change.may_change_hosts {
                        return Err(ApiError::forbidden(format!(
                            "changing the hosts secret `{name}` may be sent to needs the admin role (or higher) in the system team"
                        )));
                    }
                    let hosts = change.hosts.as_deref().unwrap_or_default();
                    let users: Vec<(String, String)> = sqlx::query_as(
                        "SELECT r.name, r.upstream FROM route_secrets rs \
                         JOIN routes r ON r.id = rs.route_id WHERE rs.secret_id = $1 ORDER BY r.name",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    let stranded: Vec<String> = users
                        .iter()
                        .filter_map(|(route, upstream)| {
                            let h = host::upstream_host(upstream).unwrap_or_default();
                            (!host::matches_any(hosts, &h)).then(|| format!("{route} ({h})"))
                        })
                        .collect();
                    if !stranded.is_empty() {
                        return Err(ApiError::Invalid {
                            code: "secret_host_not_allowed",
                            message: format!(
                                "route(s) {} use secret `{name}` and would lose it, as their upstream host is not among the new hosts; change their --upstream or --auth first",
                                stranded.join(", ")
                            ),
                        });
                    }
                    sqlx::query("UPDATE secrets SET hosts = $1 WHERE id = $2")
                        .bind(Json(hosts))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some((sealed, fingerprint)) = value {
                    sqlx::query(
                        "UPDATE secrets SET ciphertext = $1, fingerprint = $2, version = version + 1, \
                         set_by = $3, set_at = $4 WHERE id = $5",
                    )
                    .bind(sealed)
                    .bind(fingerprint)
                    .bind(actor.user_id)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                } else if !hosts_changed {
                    // Nothing to change.
                    tx.commit().await?;
                    return Ok(b.clone());
                }
            }
            (None, Some((sealed, fingerprint))) => {
                sqlx::query(
                    "INSERT INTO secrets (id, name, ciphertext, fingerprint, version, hosts, set_by, set_at, created_at) \
                     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $7)",
                )
                .bind(Uuid::now_v7())
                .bind(&name)
                .bind(sealed)
                .bind(fingerprint)
                .bind(Json(change.hosts.clone().unwrap_or_default()))
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| on_constraint(e, || format!("secret `{name}` was set concurrently; retry")))?;
            }
        }
        let row = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
            .bind(&name)
            .fetch_one(&mut *tx)
            .await?;
        let id = row.id;
        let after = secret_info(&mut tx, row).await?;
        let team = system_team_id(&mut tx).await?;
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: if change.value.is_some() {
                    "secret.set"
                } else {
                    "secret.hosts"
                },
                target_type: "secret",
                target_id: Some(id.to_string()),
                target_name: Some(name),
                team_id: team,
                before: before.as_ref().map(|(_, b)| to_json(b)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        record_change(&mut tx, "secret", after.name.clone()).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn find_secret(&self, name: &str) -> ApiResult<Option<api::SecretInfo>> {
        let mut tx = self.read().await?;
        let row = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let info = match row {
            Some(row) => Some(secret_info(&mut tx, row).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(info)
    }

    pub async fn list_secrets(&self) -> ApiResult<Vec<api::SecretInfo>> {
        let mut tx = self.read().await?;
        let rows = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} ORDER BY s.name"))
            .fetch_all(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(secret_info(&mut tx, row).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn remove_secret(&self, actor: &Actor, name: &str) -> ApiResult<api::SecretInfo> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(&format!(
            "SELECT id FROM secrets WHERE name = $1{FOR_UPDATE}"
        ))
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::not_found("secret", name))?;
        let row = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        let id = row.id;
        let info = secret_info(&mut tx, row).await?;
        if !info.used_by.is_empty() {
            return Err(ApiError::Conflict {
                code: "secret_in_use",
                message: format!(
                    "secret `{name}` is used by route(s) {}; change their --auth first",
                    info.used_by.join(", ")
                ),
            });
        }
        sqlx::query("DELETE FROM secrets WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| on_constraint(e, || format!("secret `{name}` is used by a route")))?;
        let team = system_team_id(&mut tx).await?;
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "secret.remove",
                target_type: "secret",
                target_id: Some(id.to_string()),
                target_name: Some(name.to_string()),
                team_id: team,
                before: Some(to_json(&info)),
                after: None,
            },
        )
        .await?;
        record_change(&mut tx, "secret", name.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(info)
    }

    // ------------------------------------------------------------ audit

    pub async fn list_audit(&self, f: AuditFilter) -> ApiResult<api::AuditPage> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, at, actor_user_id, actor_name, actor_credential_id, action, target_type, \
             target_id, target_name, team_id, before, after, request_id, client_ip \
             FROM audit_log WHERE 1 = 1",
        );
        if let Some(teams) = &f.readable_teams {
            q.push(" AND (actor_user_id = ")
                .push_bind(f.reader.unwrap_or(Uuid::nil()));
            if !teams.is_empty() {
                q.push(" OR team_id IN (");
                let mut sep = q.separated(", ");
                for id in teams {
                    sep.push_bind(*id);
                }
                q.push(")");
            }
            q.push(")");
        }
        if let Some(since) = f.since {
            q.push(" AND at >= ").push_bind(since);
        }
        if let Some(until) = f.until {
            q.push(" AND at < ").push_bind(until);
        }
        if let Some(actor) = f.actor {
            q.push(" AND actor_name = ").push_bind(actor);
        }
        if let Some(action) = f.action {
            if let Some(prefix) = action
                .strip_suffix(".*")
                .or_else(|| action.strip_suffix('.'))
            {
                q.push(" AND action LIKE ")
                    .push_bind(format!("{}.%", prefix.replace(['%', '_'], "")));
            } else {
                q.push(" AND action = ").push_bind(action);
            }
        }
        if let Some(tt) = f.target_type {
            q.push(" AND target_type = ").push_bind(tt);
        }
        if let Some(target) = f.target {
            q.push(" AND (target_id = ")
                .push_bind(target.clone())
                .push(" OR target_name = ")
                .push_bind(target)
                .push(")");
        }
        if let Some(team) = f.team_id {
            q.push(" AND team_id = ").push_bind(team);
        }
        if let Some(cursor) = f.cursor {
            q.push(" AND id < ").push_bind(cursor);
        }
        let limit = f.limit.clamp(1, 1000);
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let mut rows = q.build_query_as::<AuditRow>().fetch_all(&self.pool).await?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| r.id)
        } else {
            None
        };
        let entries = rows
            .into_iter()
            .map(|r| api::AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor_name,
                actor_id: r.actor_user_id,
                credential_id: r.actor_credential_id,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                target_name: r.target_name,
                team_id: r.team_id,
                before: r.before.map(|j| j.0),
                after: r.after.map(|j| j.0),
                request_id: r.request_id,
                client_ip: r.client_ip,
            })
            .collect();
        Ok(api::AuditPage {
            entries,
            next_cursor,
        })
    }

    // ------------------------------------------------------------ credentials

    pub async fn create_credential(
        &self,
        actor: &Actor,
        user_id: Uuid,
        name: String,
        expires_at: Option<DateTime<Utc>>,
        secret: &Secret,
    ) -> ApiResult<api::Credential> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::now_v7();
        let now = api::now();
        sqlx::query(
            "INSERT INTO credentials (id, user_id, name, secret_hash, hint, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(user_id)
        .bind(&name)
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_constraint(e, || format!("you already have a live credential named `{name}`")))?;
        let cred: api::Credential = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .into();
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "credential.create",
                target_type: "credential",
                target_id: Some(id.to_string()),
                target_name: Some(name),
                team_id: None,
                before: None,
                after: Some(to_json(&cred)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(cred)
    }

    pub async fn list_credentials(&self, user_id: Uuid) -> ApiResult<Vec<api::Credential>> {
        let rows = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE user_id = $1 ORDER BY created_at"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn revoke_credential(
        &self,
        actor: &Actor,
        user_id: Uuid,
        reference: &str,
    ) -> ApiResult<api::Credential> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let rows = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE user_id = $1 AND (id = $2 OR name = $3) \
             ORDER BY created_at"
        ))
        .bind(user_id)
        .bind(id)
        .bind(reference)
        .fetch_all(&mut *tx)
        .await?;
        let live: Vec<&CredentialRow> = rows.iter().filter(|r| r.revoked_at.is_none()).collect();
        let row = match (live.as_slice(), rows.as_slice()) {
            ([one], _) => *one,
            ([], []) => return Err(ApiError::not_found("credential", reference)),
            ([], _) => {
                return Err(ApiError::Conflict {
                    code: "already_revoked",
                    message: format!("credential `{reference}` was already revoked"),
                })
            }
            (many, _) => {
                return Err(ApiError::Ambiguous {
                    message: format!(
                        "`{reference}` matches {} credentials; use an id",
                        many.len()
                    ),
                    candidates: many
                        .iter()
                        .map(|r| Candidate {
                            id: r.id,
                            name: r.name.clone(),
                            team: None,
                            status: None,
                        })
                        .collect(),
                })
            }
        };
        let now = api::now();
        let id = row.id;
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credentials WHERE user_id = $1 AND id <> $2 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)",
        )
        .bind(user_id)
        .bind(id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(ApiError::Conflict {
                code: "last_credential",
                message: format!(
                    "`{}` is your last usable credential; create another with `tokenctl credential create` first",
                    row.name
                ),
            });
        }
        sqlx::query("UPDATE credentials SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let cred: api::Credential = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .into();
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "credential.revoke",
                target_type: "credential",
                target_id: Some(id.to_string()),
                target_name: Some(cred.name.clone()),
                team_id: None,
                before: None,
                after: Some(to_json(&cred)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(cred)
    }

    // ------------------------------------------------------------ gateways

    pub async fn create_gateway_key(
        &self,
        actor: &Actor,
        name: String,
        secret: &Secret,
    ) -> ApiResult<api::GatewayKey> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO gateway_keys (id, name, secret_hash, hint, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&name)
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(actor.user_id)
        .bind(api::now())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            on_constraint(e, || {
                format!("a live gateway key named `{name}` already exists")
            })
        })?;
        let key = gateway_key(&mut tx, id).await?;
        let team = system_team_id(&mut tx).await?;
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "gateway_key.create",
                target_type: "gateway_key",
                target_id: Some(id.to_string()),
                target_name: Some(name),
                team_id: team,
                before: None,
                after: Some(to_json(&key)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(key)
    }

    pub async fn list_gateway_keys(&self) -> ApiResult<Vec<api::GatewayKey>> {
        Ok(sqlx::query_as::<_, GatewayKeyRow>(&format!(
            "{GATEWAY_KEY_SELECT} ORDER BY g.created_at"
        ))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
    }

    pub async fn revoke_gateway_key(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> ApiResult<api::GatewayKey> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let ids: Vec<(Uuid, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT id, revoked_at FROM gateway_keys WHERE id = $1 OR name = $2 ORDER BY created_at",
        )
        .bind(id)
        .bind(reference)
        .fetch_all(&mut *tx)
        .await?;
        let live: Vec<Uuid> = ids
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|(i, _)| *i)
            .collect();
        let id = match (live.as_slice(), ids.is_empty()) {
            ([one], _) => *one,
            (_, true) => return Err(ApiError::not_found("gateway key", reference)),
            ([], false) => {
                return Err(ApiError::Conflict {
                    code: "already_revoked",
                    message: format!("gateway key `{reference}` was already revoked"),
                })
            }
            _ => {
                return Err(ApiError::invalid(format!(
                    "`{reference}` matches several gateway keys; use an id"
                )))
            }
        };
        let before = gateway_key(&mut tx, id).await?;
        sqlx::query("UPDATE gateway_keys SET revoked_at = $1 WHERE id = $2")
            .bind(api::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = gateway_key(&mut tx, id).await?;
        let team = system_team_id(&mut tx).await?;
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "gateway_key.revoke",
                target_type: "gateway_key",
                target_id: Some(id.to_string()),
                target_name: Some(after.name.clone()),
                team_id: team,
                before: Some(to_json(&before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The live gateway key with this hash, noting that it was seen.
    pub async fn authenticate_gateway(
        &self,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<api::GatewayKey>> {
        let key = sqlx::query_as::<_, GatewayKeyRow>(&format!(
            "{GATEWAY_KEY_SELECT} WHERE g.secret_hash = $1"
        ))
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(api::GatewayKey::from);
        if let Some(k) = &key {
            if k.revoked_at.is_none()
                && k.last_seen_at
                    .is_none_or(|t| now - t > chrono::Duration::seconds(30))
            {
                sqlx::query("UPDATE gateway_keys SET last_seen_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(k.id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(key)
    }

    /// Everything gateways enforce, consistent with change-log position `version`.
    pub async fn gateway_config(&self, after: Option<u64>) -> ApiResult<GatewayConfig> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let now = api::now();
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let latest = u64::try_from(latest.unwrap_or(0)).unwrap_or(0);
        let mut config = GatewayConfig {
            version: latest,
            full: after.is_none_or(|a| a > latest),
            ..GatewayConfig::default()
        };
        if config.full {
            config.tokens = sqlx::query_as::<_, GatewayTokenRow>(&format!(
                "{GATEWAY_TOKEN_SELECT} WHERE t.revoked_at IS NULL"
            ))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.entry(now))
            .collect();
            config.routes = route_entries(&mut tx, "").await?;
            config.secrets = sqlx::query_as::<_, SealedRow>(SEALED_SELECT)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(Into::into)
                .collect();
        } else if let Some(after) = after.filter(|a| *a < latest) {
            let changed: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT entity_type, entity_id FROM config_changes WHERE seq > $1",
            )
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await?;
            for (kind, id) in changed {
                match kind.as_str() {
                    "token" => {
                        let uuid = Uuid::parse_str(&id).map_err(anyhow::Error::from)?;
                        let row = sqlx::query_as::<_, GatewayTokenRow>(&format!(
                            "{GATEWAY_TOKEN_SELECT} WHERE t.id = $1"
                        ))
                        .bind(uuid)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match row.filter(|r| r.revoked_at.is_none()) {
                            Some(r) => config.tokens.push(r.entry(now)),
                            None => config.removed_tokens.push(uuid),
                        }
                    }
                    "route" => {
                        let uuid = Uuid::parse_str(&id).map_err(anyhow::Error::from)?;
                        let row = sqlx::query_as::<_, RouteRow>(&format!(
                            "{ROUTE_SELECT} WHERE r.id = $1"
                        ))
                        .bind(uuid)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match row {
                            Some(r) => {
                                let grants = grants_of(&mut tx, Some(uuid)).await?;
                                config.routes.push(r.entry(&grants));
                            }
                            None => config.removed_routes.push(uuid),
                        }
                    }
                    _ => {
                        let row = sqlx::query_as::<_, SealedRow>(&format!(
                            "{SEALED_SELECT} WHERE name = $1"
                        ))
                        .bind(&id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match row {
                            Some(r) => config.secrets.push(r.into()),
                            None => config.removed_secrets.push(id),
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(config)
    }
}
