//! What gateways talk to: their keys (managed by admins), the config feed
//! and usage ingest (authenticated with a gateway key, `tkg_…`).

use super::answers::{Conflict, Forbidden, Invalid, NotFound};
use super::{created, AnyJson, ApiJson, ApiPath, ApiQuery, AppState, Created};
use crate::api::{
    self, input, CreateGatewayKey, CreatedGatewayKey, ErrorBody, GatewayKey, UsageBatchResult,
};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::permissions::{require, Action};
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::time::Duration;
use tokenctl_gateway::snapshot::{ConfigUpdate, SecretHosts, UpstreamSecrets};
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_gateway::usage::ingest::MAX_BATCH;
use tokenctl_gateway::usage::{RefusedEvent, UsageEvent};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_gateway_keys, create_gateway_key))
        .routes(routes!(revoke_gateway_key))
        .routes(routes!(gateway_config))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(ingest_usage))
                .layer(DefaultBodyLimit::max(32 << 20)),
        )
}

/// A gateway authenticated with its key.
pub struct GatewayCaller {
    pub key: GatewayKey,
}

impl FromRequestParts<AppState> for GatewayCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthenticated = |code: &'static str, message: &str| ApiError::Unauthenticated {
            code,
            message: message.to_string(),
        };
        let value = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(tokenctl_gateway::token::bearer)
            .ok_or_else(|| {
                unauthenticated(
                    "missing_credential",
                    "send `Authorization: Bearer tkg_…` (a gateway key)",
                )
            })?;
        let secret = Secret::parse(SecretKind::GatewayKey, value)
            .map_err(|e| unauthenticated("malformed_credential", &e.to_string()))?;
        let key = state
            .db
            .authenticate_gateway(&secret.hash(), api::now())
            .await?
            .ok_or_else(|| unauthenticated("invalid_credential", "unknown gateway key"))?;
        if key.revoked_at.is_some() {
            return Err(unauthenticated(
                "credential_revoked",
                "this gateway key has been revoked",
            ));
        }
        Ok(GatewayCaller { key })
    }
}

/// List gateway keys (system team admins).
#[utoipa::path(get, path = "/gateway-keys", tag = "gateways",
    responses((status = 200, body = Vec<GatewayKey>), (status = 403, body = ErrorBody)))]
async fn list_gateway_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<GatewayKey>>> {
    require(&caller.principal, Action::GatewayKeyManage, None)?;
    Ok(Json(state.db.list_gateway_keys().await?))
}

/// Issue a gateway key; `secret` is shown only now.
#[utoipa::path(post, path = "/gateway-keys", tag = "gateways", request_body = CreateGatewayKey,
    responses((status = 201, body = CreatedGatewayKey), Forbidden, Conflict, Invalid))]
async fn create_gateway_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateGatewayKey>,
) -> ApiResult<Created<CreatedGatewayKey>> {
    require(&caller.principal, Action::GatewayKeyManage, None)?;
    let name = input::name("gateway key", &req.name)?;
    let secret = Secret::generate(SecretKind::GatewayKey, &mut rand::rngs::OsRng);
    let key = state
        .db
        .create_gateway_key(&caller.actor, name, &secret)
        .await?;
    Ok(created(CreatedGatewayKey {
        key,
        secret: secret.into_exposed(),
    }))
}

/// Revoke a gateway key by name or id; the gateway using it is cut off at once.
#[utoipa::path(post, path = "/gateway-keys/{reference}/revoke", tag = "gateways",
    params(("reference" = String, Path, description = "Gateway key name or id", example = "old-edge")),
    responses((status = 200, body = GatewayKey), NotFound, Conflict))]
async fn revoke_gateway_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> ApiResult<Json<GatewayKey>> {
    require(&caller.principal, Action::GatewayKeyManage, None)?;
    Ok(Json(
        state
            .db
            .revoke_gateway_key(&caller.actor, &reference)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConfigQuery {
    /// The config version the gateway has; omit for everything.
    #[param(minimum = 0)]
    after: Option<i64>,
    /// Wait up to this many seconds (at most 60 are waited) for a change
    /// after `after`.
    #[param(maximum = 4294967295.0)]
    wait: Option<u32>,
}

/// Gateway configuration: every token, route and upstream secret, or —
/// with `after` — what changed since that version, waiting (`wait`) until
/// something does. Upstream secret values are included: protect this
/// channel with TLS.
#[utoipa::path(get, path = "/gateway/config", tag = "gateways", params(ConfigQuery),
    security(("gateway_key" = [])),
    responses((status = 200, description = "A full or incremental config update", body = ConfigUpdate),
        (status = 422, description = "A negative `after`", body = ErrorBody)))]
async fn gateway_config(
    State(state): State<AppState>,
    _gateway: GatewayCaller,
    ApiQuery(q): ApiQuery<ConfigQuery>,
) -> ApiResult<Response> {
    let after = q
        .after
        .map(u64::try_from)
        .transpose()
        .map_err(|_| ApiError::invalid("`after` is a config version, never negative"))?;
    if after.is_none() {
        return super::config_stream::full_config(state).await;
    }
    let wait = Duration::from_secs(u64::from(q.wait.unwrap_or(0).min(60)));
    let deadline = tokio::time::Instant::now() + wait;
    let mut changes = state.db.subscribe_changes();
    loop {
        changes.mark_unchanged();
        let config = state.db.gateway_config(after).await?;
        let current = after.is_some_and(|a| a == config.version) && !config.full;
        if !current || tokio::time::Instant::now() >= deadline {
            return Ok(Json(to_update(&state, config)).into_response());
        }
        // Woken at once by changes this process commits; other server
        // processes' changes are picked up by the short poll.
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

pub(super) fn to_update(state: &AppState, config: crate::db::GatewayConfig) -> ConfigUpdate {
    let mut secret_hosts = SecretHosts::new();
    let secrets: UpstreamSecrets = config
        .secrets
        .into_iter()
        .filter_map(|secret| {
            let opened = state
                .master_key
                .as_ref()
                .and_then(|k| k.open(&secret.name, &secret.sealed))
                .and_then(|v| String::from_utf8(v).ok());
            if opened.is_none() {
                tracing::error!(secret = %secret.name, "cannot decrypt upstream secret for gateways");
            }
            secret_hosts.insert(secret.name.clone(), secret.hosts);
            Some((secret.name, opened?))
        })
        .collect();
    ConfigUpdate {
        version: config.version,
        generated_at: api::now(),
        full: config.full,
        tokens: config.tokens,
        removed_tokens: config.removed_tokens,
        routes: config.routes,
        removed_routes: config.removed_routes,
        secrets,
        secret_hosts,
        removed_secrets: config.removed_secrets,
        quotas: config.quotas,
        removed_quotas: config.removed_quotas,
        prices: config.prices,
    }
}

/// Longest refusal reason sent back (a decoding error may quote input).
const REASON_MAX: usize = 200;

/// Decodes and checks each event of a batch on its own, by the gateway
/// core's rules: the valid ones to store, the others with their reason.
fn sort_events(raw: &[Box<RawValue>]) -> (Vec<UsageEvent>, Vec<RefusedEvent>) {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<uuid::Uuid>,
    }
    let now = api::now();
    let mut valid = Vec::with_capacity(raw.len());
    let mut refused = Vec::new();
    for (index, value) in raw.iter().enumerate() {
        let problem = match serde_json::from_str::<UsageEvent>(value.get()) {
            Ok(event) => match event.check(now) {
                Ok(()) => {
                    valid.push(event);
                    continue;
                }
                Err(problem) => problem.to_string(),
            },
            Err(e) => format!("not a usage event: {e}"),
        };
        let mut reason = problem;
        if reason.len() > REASON_MAX {
            let mut cut = REASON_MAX;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
        }
        refused.push(RefusedEvent {
            index,
            id: serde_json::from_str::<IdOnly>(value.get())
                .ok()
                .and_then(|i| i.id),
            reason,
        });
    }
    (valid, refused)
}

/// Record usage events in bulk (up to 10,000 per call). Idempotent on the
/// event id: a retried batch is counted once. Each event is checked on its
/// own: the valid ones are stored and the others listed in `refused` with
/// the reason, so one bad event never costs the others. Only a body that is
/// not a JSON array, or a batch over the limit, is refused whole.
#[utoipa::path(post, path = "/usage/events", tag = "gateways", request_body = Vec<UsageEvent>,
    security(("gateway_key" = [])),
    responses((status = 200, body = UsageBatchResult), Invalid, (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
async fn ingest_usage(
    State(state): State<AppState>,
    gateway: GatewayCaller,
    AnyJson(raw): AnyJson<Vec<Box<RawValue>>>,
) -> ApiResult<Json<UsageBatchResult>> {
    if raw.len() > MAX_BATCH {
        return Err(ApiError::invalid(format!(
            "a batch may carry at most {MAX_BATCH} events, got {}",
            raw.len()
        )));
    }
    let (events, refused) = sort_events(&raw);
    if let Some(first) = refused.first() {
        tracing::warn!(
            gateway = %gateway.key.name,
            refused = refused.len(),
            first_reason = %first.reason,
            "usage events refused"
        );
    }
    let valid = events.len();
    let inserted = if events.is_empty() {
        0
    } else {
        state
            .db
            .ingest_usage(gateway.key.id, events)
            .await?
            .inserted
    };
    if let Some(metrics) = &state.metrics {
        metrics.usage_received(inserted, valid - inserted, refused.len());
    }
    Ok(Json(UsageBatchResult {
        received: raw.len(),
        inserted,
        duplicates: valid - inserted,
        refused,
    }))
}
