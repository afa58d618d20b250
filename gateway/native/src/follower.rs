//! Keeps the gateway's config current: a full snapshot first, then the
//! server's change feed (long poll). The last good snapshot is kept on disk,
//! encrypted, so the gateway can restart and serve while the server is down.

use crate::control::{ControlError, ControlPlane};
use crate::state::Shared;
use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokenctl_gateway::{Gateway, Snapshot};

/// How long one long poll waits for a change. It bounds the config age the
/// health endpoint reports while the server is reachable.
const WAIT: Duration = Duration::from_secs(10);
/// Retries stay this frequent so a change made while the server was away
/// (a revocation above all) applies within a second of its return.
const MAX_BACKOFF: Duration = Duration::from_millis(500);
/// Between failed calls to the feed: 250 ms, then [`MAX_BACKOFF`] for as
/// long as the server is away (one small request a gateway every half
/// second costs the server nothing). No jitter: the delays are too short
/// for a herd of gateways to matter.
const FEED_RETRY: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(250))
    .with_factor(2.0)
    .with_max_delay(MAX_BACKOFF)
    .without_max_times();

/// The snapshot on disk, sealed with AES-256-GCM under a key derived from
/// the gateway key: it holds upstream secrets. Next to it, sealed the same
/// way, when the server last confirmed it was current, so a restart during
/// an outage does not make an old config look fresh.
pub struct SnapshotStore {
    path: PathBuf,
    key: [u8; 32],
}

/// The sealed file's associated data for the confirmation time.
const CONFIRMED_AAD: &[u8] = b"confirmed-at";
/// The confirmation time is written at most this often.
const PERSIST_CONFIRMED_EVERY: Duration = Duration::from_secs(5);
/// While the config is older than this, a warning is logged once per this.
const STALE_WARN_EVERY: Duration = Duration::from_secs(60);

impl SnapshotStore {
    pub fn new(path: PathBuf, gateway_key: &str) -> SnapshotStore {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(gateway_key.as_bytes()).expect("any key length");
        mac.update(b"tokenctl gateway snapshot v1");
        SnapshotStore {
            path,
            key: mac.finalize().into_bytes().into(),
        }
    }

    pub fn load(&self) -> Option<Snapshot> {
        let sealed = std::fs::read(&self.path).ok()?;
        let plain = match tokenctl_gateway::sealed::open(&self.key, b"", &sealed) {
            Some(p) => p,
            None => {
                tracing::warn!(path = %self.path.display(), "stored snapshot does not open with this gateway key; ignoring it");
                return None;
            }
        };
        serde_json::from_slice(&plain).ok()
    }

    pub fn save(&self, snapshot: &Snapshot) -> std::io::Result<()> {
        let plain = serde_json::to_vec(snapshot).expect("snapshots serialise");
        let mut nonce = [0u8; tokenctl_gateway::sealed::NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = tokenctl_gateway::sealed::seal(&self.key, b"", &plain, nonce);
        crate::write_private_atomic(&self.path, &sealed)
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(self.confirmed_path());
    }

    fn confirmed_path(&self) -> PathBuf {
        self.path.with_extension("confirmed")
    }

    /// When the server last confirmed the stored snapshot.
    pub fn load_confirmed(&self) -> Option<DateTime<Utc>> {
        let sealed = std::fs::read(self.confirmed_path()).ok()?;
        let plain = tokenctl_gateway::sealed::open(&self.key, CONFIRMED_AAD, &sealed)?;
        std::str::from_utf8(&plain).ok()?.parse().ok()
    }

    pub fn save_confirmed(&self, at: DateTime<Utc>) -> std::io::Result<()> {
        let mut nonce = [0u8; tokenctl_gateway::sealed::NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let text = at.to_rfc3339();
        let sealed =
            tokenctl_gateway::sealed::seal(&self.key, CONFIRMED_AAD, text.as_bytes(), nonce);
        crate::write_private_atomic(&self.confirmed_path(), &sealed)
    }
}

/// Indexes a snapshot and swaps it in for the request path.
pub fn install(shared: &Shared, snapshot: &Snapshot) {
    let gateway = Gateway::new(snapshot.clone());
    for warning in gateway.warnings() {
        tracing::warn!(%warning, "snapshot entry ignored");
    }
    tracing::debug!(
        version = snapshot.version,
        tokens = snapshot.tokens.len(),
        routes = snapshot.routes.len(),
        "config installed"
    );
    if let Some(metrics) = &shared.metrics {
        metrics.routes_installed(gateway.routes().routes());
    }
    shared
        .gateway
        .store(Some(Arc::new(crate::state::Installed::new(gateway))));
}

/// Follows the server's config until the process ends, and warns while
/// the config is old.
pub async fn follow(
    shared: Arc<Shared>,
    control: ControlPlane,
    store: SnapshotStore,
    snapshot: Option<Snapshot>,
) {
    tokio::join!(
        follow_feed(&shared, control, store, snapshot),
        warn_while_stale(&shared)
    );
}

/// Logs a warning once a minute while the server has not confirmed the
/// config for more than a minute.
async fn warn_while_stale(shared: &Shared) {
    let mut tick = tokio::time::interval(STALE_WARN_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = Utc::now();
        let Some(age) = shared.health.config_age(now) else {
            continue;
        };
        if age <= STALE_WARN_EVERY {
            continue;
        }
        let age = humantime::format_duration(Duration::from_secs(age.as_secs()));
        match shared.health.max_stale {
            Some(max) if shared.health.too_stale(now) => tracing::error!(
                %age,
                max_stale = %humantime::format_duration(max),
                "the server has not confirmed the config for longer than --max-stale; \
                 requests are refused with 503 config_stale until it answers"
            ),
            Some(max) => tracing::warn!(
                %age,
                max_stale = %humantime::format_duration(max),
                "the server has not confirmed the config; serving the last one until --max-stale"
            ),
            None => tracing::warn!(
                %age,
                "the server has not confirmed the config; serving the last one (no --max-stale)"
            ),
        }
    }
}

async fn follow_feed(
    shared: &Shared,
    control: ControlPlane,
    store: SnapshotStore,
    mut snapshot: Option<Snapshot>,
) {
    let mut retries = FEED_RETRY.build();
    let mut persisted: Option<std::time::Instant> = None;
    // After a failure the first call does not wait: the server confirms
    // the config (or sends what changed meanwhile) at once, rather than
    // after a long poll.
    let mut failing = false;
    loop {
        let after = snapshot.as_ref().map(|s| s.version);
        let wait = if failing { Duration::ZERO } else { WAIT };
        match control.config(after, wait).await {
            Ok(update) => {
                failing = false;
                retries = FEED_RETRY.build();
                let now = Utc::now();
                shared.health.contact_ok(now);
                if persisted.is_none_or(|t| t.elapsed() >= PERSIST_CONFIRMED_EVERY) {
                    if let Err(e) = store.save_confirmed(now) {
                        tracing::warn!(error = %e, "cannot persist the config confirmation time");
                    }
                    persisted = Some(std::time::Instant::now());
                }
                let changed = update.full
                    || !update.tokens.is_empty()
                    || !update.removed_tokens.is_empty()
                    || !update.routes.is_empty()
                    || !update.removed_routes.is_empty()
                    || !update.secrets.0.is_empty()
                    || !update.removed_secrets.is_empty()
                    || after != Some(update.version);
                if !changed {
                    continue;
                }
                let next = match snapshot.take() {
                    Some(mut current) => match current.apply(update) {
                        Ok(()) => current,
                        Err(stale) => {
                            tracing::warn!(
                                ?stale,
                                "stale config update ignored; refetching everything"
                            );
                            snapshot = None;
                            continue;
                        }
                    },
                    None if update.full => {
                        let mut fresh = Snapshot {
                            version: 0,
                            generated_at: update.generated_at,
                            tokens: vec![],
                            routes: vec![],
                            secrets: Default::default(),
                            secret_hosts: Default::default(),
                            quotas: Default::default(),
                        };
                        fresh.apply(update).expect("a full update always applies");
                        fresh
                    }
                    None => continue,
                };
                install(shared, &next);
                if let Err(e) = store.save(&next) {
                    tracing::warn!(error = %e, "cannot persist the config snapshot");
                }
                snapshot = Some(next);
                // Benchmark only (`crate::ladder`): the first snapshot, then no feed.
                if !crate::ladder::has(crate::ladder::Rung::Follower) {
                    std::future::pending::<()>().await;
                }
            }
            Err(ControlError::Unauthorized(message)) => {
                // A revoked gateway key means this gateway is no longer
                // trusted: stop serving, and forget the secrets it held.
                tracing::error!(%message, "gateway key rejected; serving stops until a valid key is configured");
                shared
                    .health
                    .contact_failed(format!("gateway key rejected: {message}"));
                shared.gateway.store(None);
                store.remove();
                snapshot = None;
                failing = true;
                tokio::time::sleep(MAX_BACKOFF).await;
            }
            Err(e) => {
                failing = true;
                shared.health.contact_failed(e.to_string());
                let retry_in = retries.next().unwrap_or(MAX_BACKOFF);
                tracing::warn!(error = %e, ?retry_in, "config feed unavailable; serving the last good snapshot");
                tokio::time::sleep(retry_in).await;
            }
        }
    }
}
