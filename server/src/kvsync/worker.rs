//! The sync worker: one loop per process that takes rounds while it holds
//! the lease, waking on local changes, polling for other processes'
//! changes, and backing off after failed rounds.

use super::calls::jitter;
use super::client::KvError;
use super::{KvSync, RoundError};
use crate::api;
use backon::{BackoffBuilder, ExponentialBuilder};
use std::sync::Arc;
use std::time::Duration;
use tokenctl_gateway::kv::{EdgeKey, META_KEY};

/// How often an idle worker checks for changes made by other processes.
const POLL: Duration = Duration::from_secs(2);
/// KV allows one write per second to a key: rounds start at least this far
/// apart (every round writes `meta`, or quota states that may be
/// published again a second later).
const MIN_ROUND_INTERVAL: Duration = Duration::from_millis(1_100);
/// While idle, a cheap read this often shows whether Cloudflare is reachable
/// and the API token still valid.
const IDLE_CHECK: Duration = Duration::from_secs(60);

/// After a round failed on its own retries (an outage, a rate limit):
/// 1 s doubling to a minute, so a change waits little once Cloudflare is
/// back, and a long outage costs one round a minute.
const ROUND_RETRY: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_secs(1))
    .with_factor(2.0)
    .with_max_delay(Duration::from_secs(60))
    .without_max_times();

/// After Cloudflare refused a round (authentication, permission, unknown
/// namespace): retrying cannot help until an operator fixes it, so 30 s
/// doubling to 5 minutes, which spends little of the shared API budget.
const FATAL_ROUND_RETRY: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_secs(30))
    .with_factor(2.0)
    .with_max_delay(Duration::from_secs(300))
    .without_max_times();

/// The policy after a failed round of this kind.
fn round_retry(fatal: bool) -> ExponentialBuilder {
    if fatal {
        FATAL_ROUND_RETRY
    } else {
        ROUND_RETRY
    }
}

/// What one pass of the loop did.
enum Tick {
    /// Another process holds the lease.
    Standby,
    /// Nothing to do.
    Idle,
    /// A round ran.
    Wrote,
}

impl KvSync {
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
        // The waits between failed rounds, and whether they follow fatal
        // ones; restarted by a round that succeeds or a failure of the
        // other kind.
        let mut backoff: Option<(bool, <ExponentialBuilder as BackoffBuilder>::Backoff)> = None;
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
                    if backoff
                        .as_ref()
                        .is_none_or(|(was_fatal, _)| *was_fatal != fatal)
                    {
                        backoff = Some((fatal, round_retry(fatal).build()));
                    }
                    let (_, waits) = backoff.as_mut().expect("set above");
                    let wait = waits.next().expect("round retries never end");
                    (jitter(wait), false)
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

    async fn tick(&self) -> Result<Tick, RoundError> {
        let cf = self.cloudflare();
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
            self.call(|| cf.client.read(META_KEY)).await?;
        }
        Ok(Tick::Idle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_retries_back_off_by_kind() {
        let waits = |fatal| -> Vec<Duration> { round_retry(fatal).build().take(10).collect() };
        let secs = Duration::from_secs;
        assert_eq!(waits(false), [1, 2, 4, 8, 16, 32, 60, 60, 60, 60].map(secs));
        assert_eq!(
            waits(true),
            [30, 60, 120, 240, 300, 300, 300, 300, 300, 300].map(secs)
        );
    }
}
