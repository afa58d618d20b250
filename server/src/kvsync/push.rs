//! `POST /v1/sync/push` and `GET /v1/sync/export`.

use super::desired::meta_entry;
use super::{internal, KvSync, RoundError};
use crate::api;
use crate::api::sync::{KvExportEntry, SyncPushResult};
use crate::error::{ApiError, ApiResult};
use std::time::Duration;
use tokio::time::Instant;

/// How long `POST /v1/sync/push` waits for the worker.
const PUSH_WAIT: Duration = Duration::from_secs(600);

impl KvSync {
    /// `POST /v1/sync/push`: asks the lease holder (maybe this process) for
    /// a round, or a full reconcile, and waits for it.
    pub async fn push(&self, full: bool) -> ApiResult<SyncPushResult> {
        self.cf()?;
        let namespace = self.cf()?.config.namespace_id.clone();
        let requested = api::now();
        let target = if full {
            self.db.kv_request_full(requested).await.map_err(internal)?;
            0
        } else {
            self.db.kv_state().await.map_err(internal)?.latest_seq
        };
        self.wake.notify_one();
        let deadline = Instant::now() + PUSH_WAIT;
        loop {
            let state = self.db.kv_state().await.map_err(internal)?;
            if full {
                if state.full_done_at.is_some_and(|d| d >= requested) {
                    return state
                        .full_result
                        .as_deref()
                        .and_then(|r| serde_json::from_str(r).ok())
                        .ok_or_else(|| internal(anyhow::anyhow!("full sync result missing")));
                }
            } else if state.synced_seq >= target
                && state.namespace_id.as_deref() == Some(namespace.as_str())
            {
                return Ok(SyncPushResult {
                    full: false,
                    version: state.synced_seq,
                    started_at: Some(requested),
                    finished_at: Some(api::now()),
                    ..SyncPushResult::default()
                });
            }
            let kind = state.last_error_kind.as_deref();
            if matches!(kind, Some("fatal" | "unreachable"))
                && state.failing_since.is_some()
                && state.last_error_at.is_some_and(|t| t >= requested)
            {
                let error = state.last_error.unwrap_or_default();
                return Err(ApiError::Unavailable {
                    code: "kv_sync_failed",
                    message: if kind == Some("fatal") {
                        format!("Cloudflare refused the sync: {error}")
                    } else {
                        format!("{error}; the sync keeps retrying")
                    },
                });
            }
            if Instant::now() >= deadline {
                return Err(ApiError::Unavailable {
                    code: "kv_sync_pending",
                    message: format!(
                        "the sync has not finished within {}s; `tokenctl sync status` shows how far it got",
                        PUSH_WAIT.as_secs()
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `GET /v1/sync/export`: what KV should hold now, in wrangler's bulk
    /// format. Secrets only with an edge key, sealed under it.
    pub async fn export(&self) -> ApiResult<Vec<KvExportEntry>> {
        let desired = self.desired_state().await.map_err(|e| match e {
            RoundError::Internal(e) => internal(e),
            other => internal(anyhow::anyhow!("{other:?}")),
        })?;
        let now = api::now();
        let meta = meta_entry(desired.version, now);
        Ok(desired
            .keys
            .values()
            .chain(std::iter::once(&meta))
            .map(|d| KvExportEntry {
                key: d.key.clone(),
                value: d.value.clone(),
                expiration: d.expiration(now),
            })
            .collect())
    }
}
