//! Cloudflare KV sync: keeps a KV namespace equal to what the database says
//! the edge (the Cloudflare Worker) must enforce. The layout is in
//! `docs/kv-layout.md` and [`layout`].
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

mod client;
pub mod layout;

use crate::api::sync::{
    FullSyncState, KvExportEntry, SyncCounters, SyncLease, SyncPushResult, SyncSecrets, SyncStatus,
};
use crate::api::{self, HealthCheck};
use crate::crypto::{EdgeKey, MasterKey};
use crate::db::{Database, KvSyncState, KvTokenKey};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use client::{Budget, BulkItem, Counters, KvClient, KvError, ListedKey, BULK_MAX};
use layout::Desired;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokenctl_gateway::snapshot::SecretHosts;
use tokio::time::Instant;
use uuid::Uuid;

/// Default Cloudflare API base URL.
pub const DEFAULT_API_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// How often an idle worker checks for changes made by other processes.
const POLL: Duration = Duration::from_secs(2);
/// KV allows one write per second to a key: rounds start at least this far
/// apart (every round writes `meta`).
const MIN_ROUND_INTERVAL: Duration = Duration::from_millis(1_100);
/// While idle, a cheap read this often shows whether Cloudflare is reachable
/// and the API token still valid.
const IDLE_CHECK: Duration = Duration::from_secs(60);
/// Attempts per request before a round gives up (and is retried whole).
const MAX_ATTEMPTS: u32 = 10;
/// How long `POST /v1/sync/push` waits for the worker.
const PUSH_WAIT: Duration = Duration::from_secs(600);
/// Health: a run of failures this long means Cloudflare cannot be reached.
const FAILING_DOWN_AFTER: Duration = Duration::from_secs(30);
/// Health: pending changes this old mean the edge is behind.
const BACKLOG_DOWN_AFTER: Duration = Duration::from_secs(300);

/// Cloudflare KV settings; without them KV sync is off.
#[derive(Clone)]
pub struct KvConfig {
    pub account_id: String,
    pub api_token: String,
    pub namespace_id: String,
    pub base_url: String,
    /// Per request, including the body.
    pub request_timeout: Duration,
}

impl fmt::Debug for KvConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvConfig")
            .field("account_id", &self.account_id)
            .field("api_token", &"<redacted>")
            .field("namespace_id", &self.namespace_id)
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

impl KvConfig {
    /// From `CF_ACCOUNT_ID`, `CF_API_TOKEN`, `CF_KV_NAMESPACE_ID` (all or
    /// none), `CF_API_BASE_URL` and `TOKENCTL_KV_TIMEOUT`.
    pub fn from_env() -> Result<Option<KvConfig>, String> {
        KvConfig::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<KvConfig>, String> {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let names = ["CF_ACCOUNT_ID", "CF_API_TOKEN", "CF_KV_NAMESPACE_ID"];
        let values: Vec<Option<String>> = names.iter().map(|n| get(n)).collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "KV sync needs CF_ACCOUNT_ID, CF_API_TOKEN and CF_KV_NAMESPACE_ID together; missing: {}",
                missing.join(", ")
            ));
        }
        let base_url = get("CF_API_BASE_URL").unwrap_or_else(|| DEFAULT_API_BASE_URL.into());
        match url::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base() => {}
            _ => {
                return Err(format!(
                    "CF_API_BASE_URL `{base_url}` is not an http(s) URL"
                ))
            }
        }
        let request_timeout = match get("TOKENCTL_KV_TIMEOUT") {
            None => Duration::from_secs(30),
            Some(t) => humantime::parse_duration(&t)
                .ok()
                .filter(|d| *d >= Duration::from_millis(100) && *d <= Duration::from_secs(300))
                .ok_or_else(|| {
                    format!(
                        "TOKENCTL_KV_TIMEOUT `{t}` must be a duration from 100ms to 5m, e.g. 30s"
                    )
                })?,
        };
        let mut values = values.into_iter().map(Option::unwrap);
        Ok(Some(KvConfig {
            account_id: values.next().unwrap(),
            api_token: values.next().unwrap(),
            namespace_id: values.next().unwrap(),
            base_url,
            request_timeout,
        }))
    }

    /// The lease outlives any request by a wide margin (see the module docs).
    fn lease(&self) -> Duration {
        (self.request_timeout * 3).max(Duration::from_secs(60))
    }
}

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

enum Tick {
    /// Another process holds the lease.
    Standby,
    /// Nothing to do.
    Idle,
    /// A round ran.
    Wrote,
}

/// What the KV should hold, from the database at change-log `version`.
struct DesiredState {
    version: u64,
    keys: BTreeMap<String, Desired>,
    /// Plaintext secrets and their hosts for comparing the `secrets` key,
    /// when this process manages it (an edge key is set and every secret
    /// opened).
    secrets: Option<(BTreeMap<String, Vec<u8>>, SecretHosts)>,
}

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
        self.cf.as_ref().ok_or_else(|| ApiError::Unavailable {
            code: "kv_sync_disabled",
            message: "KV sync is not configured on this server: set CF_ACCOUNT_ID, CF_API_TOKEN and CF_KV_NAMESPACE_ID".into(),
        })
    }

    // ------------------------------------------------------------ worker

    /// The worker loop; returns when `stop` turns true. Runs only when
    /// KV sync is configured.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let Some(cf) = &self.cf else { return };
        tracing::info!(
            namespace = %cf.config.namespace_id,
            secrets = self.edge_key.is_some(),
            "KV sync started"
        );
        let mut changes = self.db.subscribe_changes();
        let mut changes_open = true;
        let mut backoff: Option<Duration> = None;
        loop {
            changes.mark_unchanged();
            let (delay, wake_on_change) = match self.tick().await {
                Ok(Tick::Wrote) => {
                    backoff = None;
                    (MIN_ROUND_INTERVAL, false)
                }
                Ok(Tick::Idle) => {
                    backoff = None;
                    (POLL, true)
                }
                Ok(Tick::Standby) => (POLL * 2, false),
                Err(e) => {
                    let fatal = matches!(&e, RoundError::Kv(KvError::Fatal(_)));
                    self.record_error(&e).await;
                    let (first, cap) = if fatal {
                        (Duration::from_secs(30), Duration::from_secs(300))
                    } else {
                        (Duration::from_secs(1), Duration::from_secs(60))
                    };
                    let next = backoff.map_or(first, |b| (b * 2).min(cap));
                    backoff = Some(next);
                    (jitter(next), false)
                }
            };
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(delay) => {}
                () = self.wake.notified() => {}
                r = changes.changed(), if wake_on_change && changes_open => {
                    changes_open = r.is_ok();
                }
            }
            if *stop.borrow() {
                break;
            }
        }
        self.release().await;
    }

    /// Gives up the lease, so another process takes over at once.
    pub async fn release(&self) {
        if self.cf.is_some() {
            if let Err(e) = self.db.kv_release_lease(self.holder.clone()).await {
                tracing::warn!(error = %e, "cannot release the KV sync lease");
            }
        }
    }

    async fn record_error(&self, e: &RoundError) {
        match e {
            RoundError::LeaseLost => {
                tracing::info!("KV sync lease taken over by another server process");
            }
            RoundError::Internal(e) => {
                tracing::error!(error = ?e, "KV sync round failed");
            }
            RoundError::Kv(e) => {
                // Already recorded by the call that failed.
                tracing::warn!(error = %e, kind = e.kind(), "KV sync round failed; will retry");
            }
        }
    }

    async fn note_failure(&self, e: &KvError) {
        self.failing.store(true, Ordering::Relaxed);
        if let Some(cf) = &self.cf {
            Counters::add(&cf.client.counters.failures, 1);
        }
        if let Err(db) = self
            .db
            .kv_record_error(e.to_string(), e.kind().into(), api::now())
            .await
        {
            tracing::warn!(error = %db, "cannot record the KV sync error");
        }
    }

    async fn tick(&self) -> Result<Tick, RoundError> {
        let cf = self.cf.as_ref().expect("only runs when configured");
        if !self.renew_lease().await? {
            return Ok(Tick::Standby);
        }
        self.db.kv_record_grace_ends(api::now()).await?;
        let state = self.db.kv_state().await?;
        let full_requested = state
            .full_requested_at
            .is_some_and(|r| state.full_done_at.is_none_or(|d| d < r));
        let moved = state.namespace_id.as_deref() != Some(cf.config.namespace_id.as_str())
            || state.edge_key_id != self.edge_key.as_ref().map(EdgeKey::key_id);
        if full_requested || moved {
            let result = self.reconcile(state.full_requested_at).await?;
            tracing::info!(
                version = result.version,
                written = result.written,
                deleted = result.deleted,
                unchanged = result.unchanged,
                "KV full reconcile done"
            );
            return Ok(Tick::Wrote);
        }
        if state.latest_seq != state.synced_seq {
            self.incremental(&state).await?;
            return Ok(Tick::Wrote);
        }
        let idle_for = self
            .last_contact
            .lock()
            .unwrap()
            .map_or(IDLE_CHECK, |t| t.elapsed());
        if idle_for >= IDLE_CHECK {
            // A read of `meta` (absent is fine) proves reachability and auth.
            self.call(|| cf.client.read(layout::META_KEY)).await?;
        }
        Ok(Tick::Idle)
    }

    async fn renew_lease(&self) -> Result<bool, RoundError> {
        let cf = self.cf.as_ref().expect("configured");
        let now = api::now();
        let until = now + chrono::Duration::from_std(cf.config.lease()).expect("small");
        Ok(self
            .db
            .kv_take_lease(self.holder.clone(), now, until)
            .await?)
    }

    /// Sleeps `d`, renewing the lease on the way; fails if it was lost.
    async fn sleep_holding(&self, d: Duration) -> Result<(), RoundError> {
        let deadline = Instant::now() + d;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            tokio::time::sleep((deadline - now).min(Duration::from_secs(10))).await;
            if !self.renew_lease().await? {
                return Err(RoundError::LeaseLost);
            }
        }
    }

    /// One request to Cloudflare with the budget, the lease and retries.
    async fn call<T, F, Fut>(&self, mut op: F) -> Result<T, RoundError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, KvError>>,
    {
        let cf = self.cf.as_ref().expect("configured");
        let mut attempt = 0;
        loop {
            if let Some(blocked) = cf.budget.blocked_for().await {
                self.sleep_holding(blocked).await?;
            }
            cf.budget.acquire().await;
            if !self.renew_lease().await? {
                return Err(RoundError::LeaseLost);
            }
            let error = match op().await {
                Ok(v) => {
                    self.contact_ok().await;
                    return Ok(v);
                }
                Err(e) => e,
            };
            attempt += 1;
            self.note_failure(&error).await;
            let wait = match &error {
                KvError::Fatal(_) => return Err(error.into()),
                _ if attempt >= MAX_ATTEMPTS => return Err(error.into()),
                KvError::RateLimited { retry_after } => {
                    Counters::add(&cf.client.counters.rate_limited, 1);
                    cf.budget.block_for(*retry_after).await;
                    Duration::ZERO
                }
                KvError::Unreachable(_) | KvError::Transient(_) => retry_backoff(attempt),
            };
            Counters::add(&cf.client.counters.retries, 1);
            tracing::debug!(error = %error, attempt, "retrying a KV call");
            self.sleep_holding(wait).await?;
        }
    }

    async fn contact_ok(&self) {
        *self.last_contact.lock().unwrap() = Some(Instant::now());
        if self.failing.swap(false, Ordering::Relaxed) {
            if let Err(e) = self.db.kv_mark_reachable(api::now()).await {
                tracing::warn!(error = %e, "cannot record KV sync state");
            }
        }
    }

    /// Writes `items` in bulk requests, retrying the keys Cloudflare
    /// reports as not written.
    async fn put_all(
        &self,
        items: &[&Desired],
        mut progress: impl FnMut(u64),
    ) -> Result<u64, RoundError> {
        let cf = self.cf.as_ref().expect("configured");
        let mut written = 0;
        for chunk in items.chunks(BULK_MAX) {
            let mut pending: Vec<&Desired> = chunk.to_vec();
            let mut attempt = 0;
            loop {
                let now = api::now();
                let body: Vec<BulkItem> = pending
                    .iter()
                    .map(|d| BulkItem {
                        key: d.key.clone(),
                        value: d.value.clone(),
                        metadata: Some(d.metadata.clone()),
                        expiration: d.expiration(now),
                    })
                    .collect();
                let failed = self.call(|| cf.client.bulk_put(&body)).await?;
                let done = pending.len().saturating_sub(failed.len()) as u64;
                written += done;
                Counters::add(&cf.client.counters.keys_written, done);
                progress(done);
                if failed.is_empty() {
                    break;
                }
                attempt += 1;
                let error = KvError::Transient(format!(
                    "bulk write: Cloudflare did not write {} of {} keys",
                    failed.len(),
                    pending.len()
                ));
                self.note_failure(&error).await;
                if attempt >= MAX_ATTEMPTS {
                    return Err(error.into());
                }
                Counters::add(&cf.client.counters.retries, 1);
                let failed: BTreeSet<String> = failed.into_iter().collect();
                pending.retain(|d| failed.contains(&d.key));
                self.sleep_holding(retry_backoff(attempt)).await?;
            }
        }
        Ok(written)
    }

    /// Deletes `keys` in bulk requests, retrying what Cloudflare reports
    /// as not deleted.
    async fn delete_all(
        &self,
        keys: &[String],
        mut progress: impl FnMut(u64),
    ) -> Result<u64, RoundError> {
        let cf = self.cf.as_ref().expect("configured");
        let mut deleted = 0;
        for chunk in keys.chunks(BULK_MAX) {
            let mut pending: Vec<String> = chunk.to_vec();
            let mut attempt = 0;
            loop {
                let failed = self.call(|| cf.client.bulk_delete(&pending)).await?;
                let done = pending.len().saturating_sub(failed.len()) as u64;
                deleted += done;
                Counters::add(&cf.client.counters.keys_deleted, done);
                progress(done);
                if failed.is_empty() {
                    break;
                }
                attempt += 1;
                let error = KvError::Transient(format!(
                    "bulk delete: Cloudflare did not delete {} of {} keys",
                    failed.len(),
                    pending.len()
                ));
                self.note_failure(&error).await;
                if attempt >= MAX_ATTEMPTS {
                    return Err(error.into());
                }
                Counters::add(&cf.client.counters.retries, 1);
                let failed: BTreeSet<String> = failed.into_iter().collect();
                pending.retain(|k| failed.contains(k));
                self.sleep_holding(retry_backoff(attempt)).await?;
            }
        }
        Ok(deleted)
    }

    /// Decrypts every upstream secret with the master key, and collects
    /// their hosts. `None` (leave the `secrets` key alone) when one cannot
    /// be opened.
    fn open_secrets(
        &self,
        sealed: Vec<crate::db::SealedSecret>,
    ) -> Option<(BTreeMap<String, Vec<u8>>, SecretHosts)> {
        let mut plain = BTreeMap::new();
        let mut hosts = SecretHosts::new();
        for secret in sealed {
            let name = secret.name;
            match self
                .master_key
                .as_ref()
                .and_then(|k| k.open(&name, &secret.sealed))
            {
                Some(v) => {
                    hosts.insert(name.clone(), secret.hosts);
                    plain.insert(name, v);
                }
                None => {
                    tracing::error!(secret = %name, "cannot decrypt upstream secret for KV; leaving the secrets key as it is");
                    return None;
                }
            }
        }
        Some((plain, hosts))
    }

    /// Everything KV should hold (without `meta`), at one change-log position.
    async fn desired_state(&self) -> Result<DesiredState, RoundError> {
        let config = self.db.gateway_config(None).await?;
        let version = config.version;
        let mut keys = BTreeMap::new();
        for token in &config.tokens {
            for d in layout::token_entries(version, token) {
                keys.insert(d.key.clone(), d);
            }
        }
        let routes = layout::routes_entry(version, &config.routes);
        keys.insert(routes.key.clone(), routes);
        let mut secrets = None;
        if let Some(edge) = &self.edge_key {
            if let Some((plain, hosts)) = self.open_secrets(config.secrets) {
                let d = layout::secrets_entry(version, edge, &plain, &hosts);
                keys.insert(d.key.clone(), d);
                secrets = Some((plain, hosts));
            }
        }
        Ok(DesiredState {
            version,
            keys,
            secrets,
        })
    }

    /// Lists the namespace, rewrites what differs from the database, deletes
    /// orphans. `requested_at`: the `sync push --full` request this answers.
    async fn reconcile(
        &self,
        requested_at: Option<DateTime<Utc>>,
    ) -> Result<SyncPushResult, RoundError> {
        let cf = self.cf.as_ref().expect("configured");
        let started_at = api::now();
        self.db.kv_full_progress(0, 0).await?;
        let desired = self.desired_state().await?;
        let version = desired.version;

        // 1. List our keys.
        let mut listed: BTreeMap<String, ListedKey> = BTreeMap::new();
        let mut cursor: Option<String> = None;
        let mut last_report = Instant::now();
        loop {
            let (page, next) = self.call(|| cf.client.list_page(cursor.as_deref())).await?;
            for k in page {
                if layout::is_ours(&k.name) {
                    listed.insert(k.name.clone(), k);
                }
            }
            if last_report.elapsed() > Duration::from_millis(250) {
                self.db.kv_full_progress(listed.len() as u64, 0).await?;
                last_report = Instant::now();
            }
            match next {
                Some(c) if Some(&c) != cursor.as_ref() => cursor = Some(c),
                _ => break,
            }
        }

        // 2. Compare.
        let mut writes: Vec<&Desired> = vec![];
        let mut unchanged = 0u64;
        for (key, d) in &desired.keys {
            let up_to_date = match listed.get(key) {
                None => false,
                Some(_) if key == layout::SECRETS_KEY => {
                    let (edge, (plain, hosts)) = (
                        self.edge_key.as_ref().expect("secrets need the edge key"),
                        desired.secrets.as_ref().expect("set with the key"),
                    );
                    let stored = self.call(|| cf.client.read(layout::SECRETS_KEY)).await?;
                    stored.is_some_and(|s| layout::secrets_match(&s, version, edge, plain, hosts))
                }
                // A previous secret's key must also expire by itself.
                Some(l) => {
                    layout::listed_up_to_date(l.metadata.as_ref(), d, version)
                        && (d.grace_end.is_none() || l.expiration.is_some())
                }
            };
            if up_to_date {
                unchanged += 1;
            } else {
                writes.push(d);
            }
        }
        // Orphans: our keys the database does not want. Keys believed to be
        // in KV are included, as listings lag behind writes. `secrets` stays
        // when this process does not manage it (no edge key).
        let known = self.db.kv_known_keys(None).await?;
        let deletes: Vec<String> = listed
            .keys()
            .cloned()
            .chain(known.iter().map(|k| k.key.clone()))
            .collect::<BTreeSet<String>>()
            .into_iter()
            .filter(|k| !desired.keys.contains_key(k))
            .filter(|k| k != layout::META_KEY)
            .filter(|k| k != layout::SECRETS_KEY || desired.secrets.is_some())
            .collect();

        // 3. Apply: remember token keys first, then deletes, writes, meta.
        let total = (writes.len() + deletes.len()) as u64;
        self.db.kv_full_progress(0, total).await?;
        self.db.kv_remember_keys(token_keys(&writes)).await?;
        let mut done = 0u64;
        let db = &self.db;
        let mut report = |n: u64| {
            done += n;
            let db = db.clone();
            let d = done;
            tokio::spawn(async move {
                let _ = db.kv_full_progress(d, total).await;
            });
        };
        self.delete_all(&deletes, &mut report).await?;
        self.put_all(&writes, &mut report).await?;
        let meta_current = listed
            .get(layout::META_KEY)
            .and_then(|m| m.metadata.as_ref())
            .and_then(|m| m.get("v"))
            .and_then(serde_json::Value::as_u64)
            == Some(version);
        if !writes.is_empty() || !deletes.is_empty() || !meta_current {
            let meta = layout::meta_entry(version, api::now());
            self.put_all(&[&meta], |_| {}).await?;
        }

        // 4. Bookkeeping: exactly the desired token keys are in KV now.
        let desired_tokens: BTreeSet<&String> = desired
            .keys
            .values()
            .filter(|d| d.token_id.is_some())
            .map(|d| &d.key)
            .collect();
        let stale: Vec<String> = known
            .into_iter()
            .map(|k| k.key)
            .filter(|k| !desired_tokens.contains(k))
            .collect();
        self.db.kv_forget_keys(stale).await?;
        self.db
            .kv_remember_keys(token_keys(&desired.keys.values().collect::<Vec<_>>()))
            .await?;
        self.db
            .kv_mark_synced(
                version,
                cf.config.namespace_id.clone(),
                self.edge_key.as_ref().map(EdgeKey::key_id),
                api::now(),
            )
            .await?;
        let result = SyncPushResult {
            full: true,
            version,
            listed: listed.len() as u64,
            unchanged,
            written: writes.len() as u64,
            deleted: deletes.len() as u64,
            started_at: Some(started_at),
            finished_at: Some(api::now()),
        };
        self.db
            .kv_full_done(
                requested_at,
                serde_json::to_string(&result).expect("serialises"),
            )
            .await?;
        Ok(result)
    }

    /// Writes what changed after the synced position.
    async fn incremental(&self, state: &KvSyncState) -> Result<(), RoundError> {
        let config = self.db.gateway_config(Some(state.synced_seq)).await?;
        if config.full {
            // The change log is behind the synced position: a restored
            // database. Start over from what it says.
            tracing::warn!(
                synced = state.synced_seq,
                latest = config.version,
                "change log is behind the KV sync position (restored database?); reconciling"
            );
            self.reconcile(None).await?;
            return Ok(());
        }
        let version = config.version;
        if version <= state.synced_seq {
            return Ok(());
        }
        let mut ids: Vec<Uuid> = config.tokens.iter().map(|t| t.id).collect();
        ids.extend(&config.removed_tokens);
        let mut known: HashMap<Uuid, Vec<String>> = HashMap::new();
        for k in self.db.kv_known_keys(Some(ids)).await? {
            known.entry(k.token_id).or_default().push(k.key);
        }
        let mut writes: BTreeMap<String, Desired> = BTreeMap::new();
        let mut deletes: BTreeSet<String> = BTreeSet::new();
        for token in &config.tokens {
            let wanted = layout::token_entries(version, token);
            for key in known.get(&token.id).into_iter().flatten() {
                if !wanted.iter().any(|d| &d.key == key) {
                    deletes.insert(key.clone());
                }
            }
            for d in wanted {
                writes.insert(d.key.clone(), d);
            }
        }
        for id in &config.removed_tokens {
            deletes.extend(known.get(id).into_iter().flatten().cloned());
        }
        // Also the hashes the database still has for removed tokens, in case
        // a key reached KV some other way (an older export, say).
        for h in self
            .db
            .kv_token_hashes(config.removed_tokens.clone())
            .await?
        {
            deletes.insert(layout::token_key(&h.secret_hash));
            if let Some(p) = &h.previous_hash {
                deletes.insert(layout::token_key(p));
            }
        }
        if !config.routes.is_empty() || !config.removed_routes.is_empty() {
            let (v, routes) = self.db.kv_routes().await?;
            let d = layout::routes_entry(v.max(version), &routes);
            writes.insert(d.key.clone(), d);
        }
        if !config.secrets.is_empty() || !config.removed_secrets.is_empty() {
            if let Some(edge) = &self.edge_key {
                let (v, sealed) = self.db.kv_secrets().await?;
                if let Some((plain, hosts)) = self.open_secrets(sealed) {
                    let d = layout::secrets_entry(v.max(version), edge, &plain, &hosts);
                    writes.insert(d.key.clone(), d);
                }
            }
        }
        deletes.retain(|k| !writes.contains_key(k));
        let deletes: Vec<String> = deletes.into_iter().collect();
        let writes: Vec<&Desired> = writes.values().collect();

        self.db.kv_remember_keys(token_keys(&writes)).await?;
        self.delete_all(&deletes, |_| {}).await?;
        self.put_all(&writes, |_| {}).await?;
        let meta = layout::meta_entry(version, api::now());
        self.put_all(&[&meta], |_| {}).await?;
        self.db.kv_forget_keys(deletes.clone()).await?;
        let cf = self.cf.as_ref().expect("configured");
        self.db
            .kv_mark_synced(
                version,
                cf.config.namespace_id.clone(),
                self.edge_key.as_ref().map(EdgeKey::key_id),
                api::now(),
            )
            .await?;
        tracing::debug!(
            version,
            written = writes.len(),
            deleted = deletes.len(),
            "KV sync round done"
        );
        Ok(())
    }

    // ------------------------------------------------------------ API

    /// `GET /v1/sync/status`.
    pub async fn status(&self) -> ApiResult<SyncStatus> {
        let state = self.db.kv_state().await.map_err(internal)?;
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
        let rate_limited = if state.last_error_kind.as_deref() == Some("rate_limited")
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
        let meta = layout::meta_entry(desired.version, now);
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

fn token_keys(items: &[&Desired]) -> Vec<KvTokenKey> {
    items
        .iter()
        .filter_map(|d| {
            d.token_id.map(|token_id| KvTokenKey {
                key: d.key.clone(),
                token_id,
            })
        })
        .collect()
}

/// 250 ms, 500 ms, 1 s, … up to 15 s.
fn retry_backoff(attempt: u32) -> Duration {
    jitter(
        (Duration::from_millis(250) * 2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(Duration::from_secs(15)),
    )
}

/// ±20 %, so several processes do not retry in step.
fn jitter(d: Duration) -> Duration {
    use rand::Rng;
    d.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(KvConfig::from_lookup(env(&[])).unwrap().is_none());
        let err = KvConfig::from_lookup(env(&[("CF_ACCOUNT_ID", "a")])).unwrap_err();
        assert!(err.contains("CF_API_TOKEN") && err.contains("CF_KV_NAMESPACE_ID"));
        let c = KvConfig::from_lookup(env(&[
            ("CF_ACCOUNT_ID", "acc"),
            ("CF_API_TOKEN", "secret-token"),
            ("CF_KV_NAMESPACE_ID", "ns"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.base_url, DEFAULT_API_BASE_URL);
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert!(c.lease() >= c.request_timeout * 2);
        assert!(!format!("{c:?}").contains("secret-token"));
        let c = KvConfig::from_lookup(env(&[
            ("CF_ACCOUNT_ID", "acc"),
            ("CF_API_TOKEN", "t"),
            ("CF_KV_NAMESPACE_ID", "ns"),
            ("CF_API_BASE_URL", "http://127.0.0.1:9/client/v4"),
            ("TOKENCTL_KV_TIMEOUT", "2s"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.request_timeout, Duration::from_secs(2));
        assert_eq!(c.lease(), Duration::from_secs(60));
        assert!(KvConfig::from_lookup(env(&[
            ("CF_ACCOUNT_ID", "acc"),
            ("CF_API_TOKEN", "t"),
            ("CF_KV_NAMESPACE_ID", "ns"),
            ("CF_API_BASE_URL", "not a url"),
        ]))
        .is_err());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(retry_backoff(1) <= Duration::from_millis(300));
        assert!(retry_backoff(3) >= Duration::from_millis(800));
        assert!(retry_backoff(30) <= Duration::from_secs(18));
    }
}
