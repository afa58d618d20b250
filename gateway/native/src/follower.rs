//! Keeps the gateway's config current: a full snapshot first, then the
//! server's change feed (long poll). Each change is applied to the config
//! the request path reads in proportion to its size (see
//! [`Gateway::apply`]); the follower keeps no other copy. The last config
//! is also kept on disk, sealed ([`SnapshotStore`]), so the gateway can
//! restart and serve while the server is down: written by a task of its
//! own, off the path of a revocation, and only the newest config when
//! changes come faster than it writes.

use crate::control::{ControlError, ControlPlane};
pub use crate::snapshot_store::SnapshotStore;
use crate::state::Shared;
use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokenctl_gateway::Gateway;
use tokio::sync::watch;

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

/// The confirmation time is written at most this often.
const PERSIST_CONFIRMED_EVERY: Duration = Duration::from_secs(5);
/// While the config is older than this, a warning is logged once per this.
const STALE_WARN_EVERY: Duration = Duration::from_secs(60);

/// What the disk writer should do next.
#[derive(Clone)]
enum Persist {
    Nothing,
    Save(Gateway),
    Remove,
}

/// Swaps a config in for the request path.
pub fn install(shared: &Shared, gateway: Gateway) {
    for warning in gateway.warnings() {
        tracing::warn!(%warning, "snapshot entry ignored");
    }
    tracing::debug!(
        version = gateway.version(),
        tokens = gateway.tokens().len(),
        routes = gateway.route_config().routes.len(),
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
    stored: Option<Gateway>,
) {
    let (persist, to_persist) = watch::channel(Persist::Nothing);
    tokio::join!(
        follow_feed(&shared, control, &store, &persist, stored),
        persist_config(store.clone(), to_persist),
        warn_while_stale(&shared)
    );
}

/// Writes the newest config to disk whenever it changes. A `watch`
/// channel keeps only the latest value, so changes that arrive while a
/// write runs are coalesced into the next write.
async fn persist_config(store: SnapshotStore, mut next: watch::Receiver<Persist>) {
    while next.changed().await.is_ok() {
        let job = next.borrow_and_update().clone();
        let store = store.clone();
        let written = tokio::task::spawn_blocking(move || match job {
            Persist::Nothing => Ok(()),
            Persist::Save(gateway) => store.save(&gateway),
            Persist::Remove => {
                store.remove();
                Ok(())
            }
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot persist the config snapshot"),
            Err(e) => tracing::warn!(error = %e, "the config snapshot writer failed"),
        }
    }
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
    store: &SnapshotStore,
    persist: &watch::Sender<Persist>,
    mut current: Option<Gateway>,
) {
    let mut retries = FEED_RETRY.build();
    let mut persisted: Option<std::time::Instant> = None;
    // After a failure the first call does not wait: the server confirms
    // the config (or sends what changed meanwhile) at once, rather than
    // after a long poll.
    let mut failing = false;
    loop {
        let after = current.as_ref().map(|g| g.version());
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
                if !update.changes_anything(after) {
                    continue;
                }
                let next = match &current {
                    Some(gateway) => match gateway.apply_streamed(update) {
                        Ok(next) => next,
                        Err(stale) => {
                            tracing::warn!(
                                ?stale,
                                "stale config update ignored; refetching everything"
                            );
                            current = None;
                            continue;
                        }
                    },
                    None if update.update.full => Gateway::default()
                        .apply_streamed(update)
                        .expect("a full update always applies"),
                    None => continue,
                };
                install(shared, next.clone());
                persist.send_replace(Persist::Save(next.clone()));
                current = Some(next);
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
                // Through the writer, so a write under way cannot bring
                // the file back after it is removed.
                persist.send_replace(Persist::Remove);
                current = None;
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
