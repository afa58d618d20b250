//! Signed webhooks (docs/webhooks.md): a periodic scan finds events and
//! writes them to a durable outbox (`webhook_deliveries`, one row per
//! event per webhook, deduplicated by key); a delivery worker claims due
//! rows with a lease and sends them, signed, retrying with backoff for
//! 24 hours. A process that dies mid-attempt loses nothing: its lease runs
//! out and the attempt runs again (at least once; receivers dedupe by the
//! `Tokenctl-Delivery` header).
//!
//! One file per concern: `signature.rs` (the `Tokenctl-Signature`
//! header), `receiver.rs` (the address policy receivers follow),
//! `worker.rs` (claiming, sending, retrying), `scan.rs` (finding events).

mod receiver;
mod scan;
pub mod signature;
mod worker;

use crate::crypto::MasterKey;
use crate::db::Database;
use crate::upstream::UpstreamPolicy;
use std::sync::Arc;
use std::time::Duration;

pub use receiver::receiver_refusal;

/// Webhook settings of `tokenctl server`.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// How often the scan looks for events (`--webhook-scan-interval`).
    pub scan_interval: Duration,
    /// `token.expiring` fires this long before a token expires, once per
    /// warning (`--webhook-token-expiry-warnings`), longest first.
    pub token_expiry_warnings: Vec<Duration>,
    /// `kvsync.failing` fires once the KV sync has failed for this long
    /// (`--webhook-kv-failing-after`).
    pub kv_failing_after: Duration,
    /// `usage.rollup_lagging` fires once the oldest event waiting for the
    /// roll-up is this old (`--webhook-rollup-lag-after`).
    pub rollup_lag_after: Duration,
    /// `route.error_rate` looks at the 5xx share of this last window
    /// (`--webhook-error-rate-window`).
    pub error_rate_window: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            scan_interval: Duration::from_secs(60),
            token_expiry_warnings: vec![
                Duration::from_secs(7 * 86_400),
                Duration::from_secs(86_400),
            ],
            kv_failing_after: Duration::from_secs(10 * 60),
            rollup_lag_after: Duration::from_secs(5 * 60),
            error_rate_window: Duration::from_secs(5 * 60),
        }
    }
}

/// The webhook machinery of one server process.
pub struct Webhooks {
    db: Database,
    master_key: Option<Arc<MasterKey>>,
    policy: UpstreamPolicy,
    config: WebhookConfig,
    /// Woken when this process queued deliveries or an attempt finished.
    wake: tokio::sync::Notify,
}

impl Webhooks {
    pub fn new(
        db: Database,
        master_key: Option<Arc<MasterKey>>,
        policy: UpstreamPolicy,
        config: WebhookConfig,
    ) -> Arc<Webhooks> {
        Arc::new(Webhooks {
            db,
            master_key,
            policy,
            config,
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Wakes the delivery worker (after queueing a delivery).
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// Runs the scan and the delivery worker until `stop` turns true.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let scan = tokio::spawn(self.clone().scan_loop());
        let deliver = tokio::spawn(self.clone().deliver_loop());
        let _ = stop.changed().await;
        scan.abort();
        deliver.abort();
    }
}

/// The context sealing a webhook's secret under the master key.
pub fn secret_context(id: uuid::Uuid) -> String {
    format!("webhook-secret:{id}")
}
