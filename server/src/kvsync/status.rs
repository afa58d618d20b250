//! Reporting: `GET /v1/sync/status` and the `kv_sync` health check, both
//! read from the shared sync state in the database.

use super::client::Counters;
use super::{secs_since, KvSync};
use crate::api::sync::{FullSyncState, SyncCounters, SyncLease, SyncSecrets, SyncStatus};
use crate::api::{self, HealthCheck};
use crate::db::KvSyncState;
use crate::error::ApiResult;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Health: a run of failures this long means Cloudflare cannot be reached.
const FAILING_DOWN_AFTER: Duration = Duration::from_secs(30);
/// Health: pending changes this old mean the edge is behind.
const BACKLOG_DOWN_AFTER: Duration = Duration::from_secs(300);

impl KvSync {
    /// `GET /v1/sync/status`.
    pub async fn status(&self) -> ApiResult<SyncStatus> {
        let state = self.db.kv_state().await.map_err(super::internal)?;
        let now = api::now();
        let secrets = match &self.edge_key {
            Some(k) => SyncSecrets {
                enabled: true,
                key_id: Some(k.key_id()),
                message: format!(
                    "upstream secrets are written to KV sealed under edge key {}",
                    k.key_id()
                ),
            },
            None => SyncSecrets {
                enabled: false,
                key_id: None,
                message: "TOKENCTL_EDGE_KEY is not set: upstream secrets are not written to KV"
                    .into(),
            },
        };
        let lease = match (&state.lease_holder, state.lease_until) {
            (Some(holder), Some(until)) if until > now => Some(SyncLease {
                holder: holder.clone(),
                until,
                this_process: *holder == self.holder,
            }),
            _ => None,
        };
        let last_result = state
            .full_result
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        let in_progress = state
            .full_requested_at
            .is_some_and(|r| state.full_done_at.is_none_or(|d| d < r));
        let process = match &self.cf {
            None => SyncCounters::default(),
            Some(cf) => {
                let c = &cf.client.counters;
                SyncCounters {
                    requests: Counters::get(&c.requests),
                    retries: Counters::get(&c.retries),
                    rate_limited: Counters::get(&c.rate_limited),
                    failures: Counters::get(&c.failures),
                    keys_written: Counters::get(&c.keys_written),
                    keys_deleted: Counters::get(&c.keys_deleted),
                }
            }
        };
        let message = match &self.cf {
            None => {
                "KV sync is off: CF_ACCOUNT_ID, CF_API_TOKEN and CF_KV_NAMESPACE_ID are not set"
                    .to_string()
            }
            Some(_) => self.health_verdict(&state, now).1,
        };
        Ok(SyncStatus {
            enabled: self.cf.is_some(),
            message,
            namespace_id: self.cf.as_ref().map(|c| c.config.namespace_id.clone()),
            secrets,
            current_version: state.latest_seq,
            synced_version: state.synced_seq,
            pending_changes: state.pending,
            oldest_pending_at: state.oldest_pending_at,
            oldest_pending_age_secs: state.oldest_pending_at.map(|t| secs_since(t, now)),
            last_success_at: state.last_success_at,
            last_error: state.last_error,
            last_error_at: state.last_error_at,
            last_error_kind: state.last_error_kind,
            failing_since: state.failing_since,
            lease,
            full: FullSyncState {
                requested_at: state.full_requested_at,
                done_at: state.full_done_at,
                in_progress,
                progress_done: state.full_progress_done,
                progress_total: state.full_progress_total,
                last_result,
            },
            process,
        })
    }

    /// (healthy, one line) from the shared sync state.
    fn health_verdict(&self, state: &KvSyncState, now: DateTime<Utc>) -> (bool, String) {
        let failing_for = state.failing_since.map(|t| secs_since(t, now));
        let error = state.last_error.as_deref().unwrap_or("unknown error");
        match (state.last_error_kind.as_deref(), failing_for) {
            (Some("fatal"), Some(_)) => {
                return (false, format!("Cloudflare refuses the sync: {error}"));
            }
            (Some("unreachable"), Some(_)) => {
                return (false, error.to_string());
            }
            (Some("transient"), Some(s)) if s > FAILING_DOWN_AFTER.as_secs_f64() => {
                return (
                    false,
                    format!("calls to Cloudflare have failed for {s:.0}s: {error}"),
                );
            }
            _ => {}
        }
        if let Some(age) = state.oldest_pending_at.map(|t| secs_since(t, now)) {
            if age > BACKLOG_DOWN_AFTER.as_secs_f64() {
                return (
                    false,
                    format!(
                        "{} change(s) not in KV, the oldest for {age:.0}s",
                        state.pending
                    ),
                );
            }
        }
        let rate_limited = if state.last_error_kind.as_deref()
            == Some(super::client::KvError::RATE_LIMITED)
            && state.failing_since.is_some()
        {
            "; rate limited by Cloudflare, waiting"
        } else {
            ""
        };
        let line = if state.pending == 0 {
            format!("in sync at version {}{rate_limited}", state.synced_seq)
        } else {
            format!(
                "{} change(s) pending, synced to version {} of {}{rate_limited}",
                state.pending, state.synced_seq, state.latest_seq
            )
        };
        (true, line)
    }

    /// The `kv_sync` check of `/health/detailed`: never a live call (that
    /// would spend the API budget), the state of the worker's last calls.
    pub async fn health(&self) -> HealthCheck {
        let check = |status: &str, message: String| HealthCheck {
            name: "kv_sync".into(),
            status: status.into(),
            message,
            latency_ms: None,
        };
        if self.cf.is_none() {
            return check(
                "disabled",
                "not configured (CF_ACCOUNT_ID, CF_API_TOKEN, CF_KV_NAMESPACE_ID)".into(),
            );
        }
        match tokio::time::timeout(Duration::from_secs(3), self.db.kv_state()).await {
            Ok(Ok(state)) => {
                let (ok, line) = self.health_verdict(&state, api::now());
                check(if ok { "ok" } else { "down" }, line)
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot read the KV sync state");
                check(
                    "down",
                    "cannot read the sync state from the database".into(),
                )
            }
            Err(_) => check("down", "the database did not answer within 3s".into()),
        }
    }
}
