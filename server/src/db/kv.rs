//! Types of the KV sync's queries (`kv_queries.rs`), shared by both backends.

use chrono::{DateTime, Utc};

/// Where the Cloudflare KV copy stands: the `kv_sync_state` row and the
/// change log around it.
#[derive(Debug, Clone, Default)]
pub struct KvSyncState {
    pub namespace_id: Option<String>,
    pub edge_key_id: Option<String>,
    /// Every change up to this position is confirmed in KV.
    pub synced_seq: u64,
    /// The newest change-log position.
    pub latest_seq: u64,
    /// Change-log rows after `synced_seq`.
    pub pending: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_error_kind: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub lease_holder: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub full_requested_at: Option<DateTime<Utc>>,
    pub full_done_at: Option<DateTime<Utc>>,
    pub full_progress_done: u64,
    pub full_progress_total: u64,
    /// JSON of the last full reconcile's result.
    pub full_result: Option<String>,
}

/// A token's key in KV and the token it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KvTokenKey {
    pub key: String,
    pub token_id: uuid::Uuid,
}

/// The secret hashes a token has in the database (also when revoked).
#[derive(Debug, Clone)]
pub struct TokenHashes {
    pub token_id: uuid::Uuid,
    pub secret_hash: String,
    pub previous_hash: Option<String>,
}
