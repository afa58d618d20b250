//! Cloudflare KV sync: keeps a KV namespace equal to what the database says
//! the edge (the Cloudflare Worker) must enforce. The keys and values are
//! the gateway core's (`tokenctl_gateway::kv`, described in
//! `docs/kv-layout.md`), so the Worker reads exactly what is written here.
//!
//! * The change log (`config_changes`) is the outbox: every token, route
//!   and secret change writes a row in its own transaction. The worker
//!   drains it in rounds: it reads what changed after the synced position
//!   (`Database::gateway_config`), writes and deletes the affected keys in
//!   bulk (≤ 1,000 per request), writes `meta` last, and only then moves
//!   the synced position. A failed round leaves the position where it was,
//!   so the next round covers the same changes again: nothing is dropped
//!   before Cloudflare confirmed it.
//! * Every call goes through one token bucket (the Cloudflare API allows
//!   1,200 requests per 5 minutes per token, for all uses together), honours
//!   429 / `Retry-After` for all calls, and retries 5xx, timeouts and the
//!   `unsuccessful_keys` of a partial bulk failure with backoff.
//! * Only the holder of a lease row (`kv_sync_state`) talks to Cloudflare,
//!   so with several server processes one syncs, in change-log order. The
//!   lease is renewed before every request and outlives a request's timeout
//!   by a wide margin, so a process that lost it cannot still be writing
//!   when another starts.
//! * Token keys are recorded (`kv_token_keys`) before they are written and
//!   forgotten after their deletion is confirmed, so the old secret of a
//!   rotated token is deleted even though `tokens` no longer holds it.
//! * A full reconcile (first start, new namespace or edge key, a restored
//!   database, or `tokenctl sync push --full`) lists the namespace, compares
//!   each key's metadata (version and content hash) with the database,
//!   rewrites what differs and deletes orphans. KV is never read back into
//!   the database.
//!
//! Where things are: `config` (settings from the environment),
//! `client` (one HTTP request each), `calls` (the budget, retries and
//! bulk writes), `lease` (one syncer among several processes), `worker`
//! (the loop and its rounds), `incremental` and `reconcile` (what a round
//! writes), `desired` (what a key should hold), `status` and `push` (the
//! admin API).

mod calls;
mod client;
mod config;
mod desired;
mod incremental;
mod lease;
mod push;
mod reconcile;
mod status;
mod worker;

pub use config::{KvConfig, DEFAULT_API_BASE_URL};

use crate::crypto::MasterKey;
use crate::db::Database;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use client::{Budget, Counters, KvClient, KvError};
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokenctl_gateway::kv::EdgeKey;
use tokio::time::Instant;
use uuid::Uuid;

/// Why a round stopped.
#[derive(Debug)]
enum RoundError {
    Kv(KvError),
    /// Another process holds the lease now; this one stops writing.
    LeaseLost,
    Internal(anyhow::Error),
}

impl From<KvError> for RoundError {
    fn from(e: KvError) -> Self {
        RoundError::Kv(e)
    }
}

impl From<anyhow::Error> for RoundError {
    fn from(e: anyhow::Error) -> Self {
        RoundError::Internal(e)
    }
}

impl From<ApiError> for RoundError {
    fn from(e: ApiError) -> Self {
        RoundError::Internal(anyhow::Error::new(e))
    }
}

/// The Cloudflare side, when configured.
struct Cloudflare {
    config: KvConfig,
    client: KvClient,
    budget: Budget,
}

/// The KV sync of one server process: the worker loop, status, push and
/// export. Present (disabled) when Cloudflare is not configured.
pub struct KvSync {
    db: Database,
    master_key: Option<Arc<MasterKey>>,
    edge_key: Option<EdgeKey>,
    cf: Option<Cloudflare>,
    /// This process's name in the lease row.
    holder: String,
    wake: tokio::sync::Notify,
    /// Whether the last call failed (so the next success clears the
    /// failure streak in the database).
    failing: AtomicBool,
    last_contact: std::sync::Mutex<Option<Instant>>,
}

impl fmt::Debug for KvSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvSync")
            .field("enabled", &self.cf.is_some())
            .field("holder", &self.holder)
            .finish()
    }
}

fn holder_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "server".into());
    let id = Uuid::now_v7().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &id[id.len() - 8..])
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

fn secs_since(t: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    (now - t).num_milliseconds().max(0) as f64 / 1000.0
}

impl KvSync {
    pub fn new(
        db: Database,
        master_key: Option<Arc<MasterKey>>,
        config: Option<KvConfig>,
        edge_key: Option<EdgeKey>,
    ) -> anyhow::Result<Arc<KvSync>> {
        let cf = match config {
            None => None,
            Some(config) => Some(Cloudflare {
                client: KvClient::new(&config)?,
                config,
                budget: Budget::cloudflare_default(),
            }),
        };
        Ok(Arc::new(KvSync {
            db,
            master_key,
            edge_key,
            cf,
            holder: holder_name(),
            wake: tokio::sync::Notify::new(),
            failing: AtomicBool::new(false),
            last_contact: std::sync::Mutex::new(None),
        }))
    }

    pub fn enabled(&self) -> bool {
        self.cf.is_some()
    }

    /// Calls to Cloudflare by this process that failed for good (0 when
    /// KV sync is off).
    pub fn failures(&self) -> u64 {
        self.cf
            .as_ref()
            .map_or(0, |cf| Counters::get(&cf.client.counters.failures))
    }

    fn cf(&self) -> Result<&Cloudflare, ApiError> {
        self.cf.as_ref().ok_or_else(|| ApiError::NotConfigured {
            feature: crate::api::MissingFeature::KvSync,
            message: "KV sync is not configured on this server: set CF_ACCOUNT_ID, CF_API_TOKEN and CF_KV_NAMESPACE_ID".into(),
        })
    }

    /// The Cloudflare side; only called on paths that run when configured.
    fn cloudflare(&self) -> &Cloudflare {
        self.cf
            .as_ref()
            .expect("only runs when KV sync is configured")
    }
}
