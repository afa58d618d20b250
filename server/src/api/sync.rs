//! Wire types of `/v1/sync`: the Cloudflare KV sync.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where the KV sync stands. Positions are change-log sequence numbers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncStatus {
    /// Whether KV sync is configured on this server process.
    pub enabled: bool,
    /// One line: what is going on, or why sync is off.
    pub message: String,
    /// The KV namespace synced to.
    pub namespace_id: Option<String>,
    pub secrets: SyncSecrets,
    /// The newest change-log position.
    pub current_version: u64,
    /// Every change up to here is confirmed in KV.
    pub synced_version: u64,
    /// Changes not yet confirmed in KV.
    pub pending_changes: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub oldest_pending_age_secs: Option<f64>,
    /// Last call to Cloudflare that succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// `fatal` (authentication, permission, namespace), `unreachable`,
    /// `rate_limited` or `transient`.
    pub last_error_kind: Option<String>,
    /// Start of the current run of failures; `null` once a call succeeds.
    pub failing_since: Option<DateTime<Utc>>,
    /// The server process that syncs (only one does at a time).
    pub lease: Option<SyncLease>,
    pub full: FullSyncState,
    /// Calls made by this server process since it started.
    pub process: SyncCounters,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncSecrets {
    /// Whether upstream secrets are written to KV (needs `TOKENCTL_EDGE_KEY`).
    pub enabled: bool,
    /// First 8 hex characters of the SHA-256 of the edge key.
    pub key_id: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncLease {
    pub holder: String,
    pub until: DateTime<Utc>,
    /// Whether the process that answered holds it.
    pub this_process: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FullSyncState {
    pub requested_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub in_progress: bool,
    /// While listing: keys listed so far (`progress_total` 0); then writes
    /// and deletes confirmed out of `progress_total`.
    pub progress_done: u64,
    pub progress_total: u64,
    pub last_result: Option<SyncPushResult>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SyncCounters {
    pub requests: u64,
    /// Calls repeated after a 429, 5xx, timeout or partial bulk failure.
    pub retries: u64,
    pub rate_limited: u64,
    pub failures: u64,
    pub keys_written: u64,
    pub keys_deleted: u64,
}

/// What a push did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SyncPushResult {
    /// A full reconcile (list, compare, rewrite, delete orphans), or an
    /// incremental push of pending changes.
    pub full: bool,
    /// The change-log position KV reflects now.
    pub version: u64,
    /// Keys of the KV layout found in the namespace (full only).
    pub listed: u64,
    /// Keys the database wants that were already right (full only).
    pub unchanged: u64,
    /// Keys written because they were missing or differed.
    pub written: u64,
    /// Keys deleted: revoked or rotated-away tokens, orphans.
    pub deleted: u64,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl SyncPushResult {
    /// Keys changed in KV.
    pub fn diff(&self) -> u64 {
        self.written + self.deleted
    }
}

/// One key of `GET /v1/sync/export`, in wrangler's bulk format.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KvExportEntry {
    pub key: String,
    /// The value, a JSON document as a string.
    pub value: String,
    /// Absolute expiry, unix seconds (previous secrets during a grace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<i64>,
}
