//! `/v1/sync`: the Cloudflare KV sync (system-team admins).

use super::answers::Forbidden;
use super::{ApiQuery, AppState};
use crate::api::sync::{KvExportEntry, SyncPushResult, SyncStatus};
use crate::api::ErrorBody;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::permissions::{require, Action};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sync_status))
        .routes(routes!(sync_push))
        .routes(routes!(sync_export))
}

/// Where the KV sync stands: pending changes, the oldest one's age, the last
/// success and error, which server process syncs, and the last full push.
#[utoipa::path(get, path = "/sync/status", tag = "sync",
    responses((status = 200, body = SyncStatus), (status = 403, body = ErrorBody)))]
async fn sync_status(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<SyncStatus>> {
    require(&caller.principal, Action::SyncManage, None)?;
    Ok(Json(state.kv_sync.status().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PushQuery {
    /// Reconcile: list every key in the namespace, rewrite what differs from
    /// the database and delete orphans. Without it, wait until the changes
    /// pending now are in KV.
    #[serde(default)]
    full: bool,
}

/// Push to KV now and wait for it (up to 10 minutes). With `full=true`,
/// returns how many keys were listed, unchanged, written and deleted. KV is
/// never read back into the database.
#[utoipa::path(post, path = "/sync/push", tag = "sync", params(PushQuery),
    responses((status = 200, body = SyncPushResult), Forbidden,
        (status = 409, description = "`kv_sync_disabled`: KV sync is not configured on this server", body = ErrorBody),
        (status = 503, description = "`kv_sync_failed`: Cloudflare refuses the sync or cannot be reached; `kv_sync_pending`: it did not finish in time", body = ErrorBody)))]
async fn sync_push(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PushQuery>,
) -> ApiResult<Json<SyncPushResult>> {
    require(&caller.principal, Action::SyncManage, None)?;
    tracing::info!(full = q.full, user = %caller.actor.user_name, "KV sync push requested");
    Ok(Json(state.kv_sync.push(q.full).await?))
}

/// What KV should hold now, as a JSON array in wrangler's bulk format
/// (`[{"key","value","expiration"?}]`), e.g. to fill a local KV for tests.
/// Upstream secrets appear only sealed under the edge key, and only when
/// one is configured.
#[utoipa::path(get, path = "/sync/export", tag = "sync",
    responses((status = 200, body = Vec<KvExportEntry>), (status = 403, body = ErrorBody)))]
async fn sync_export(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<KvExportEntry>>> {
    require(&caller.principal, Action::SyncManage, None)?;
    Ok(Json(state.kv_sync.export().await?))
}
