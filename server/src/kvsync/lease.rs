//! One syncer among several server processes: only the holder of the
//! lease row (`kv_sync_state`) talks to Cloudflare. The lease is renewed
//! before every request and outlives a request's timeout by a wide margin
//! (`KvConfig::lease`), so a process that lost it cannot
//! still be writing when another starts.

use super::{KvSync, RoundError};
use crate::api;
use std::time::Duration;
use tokio::time::Instant;

impl KvSync {
    pub(super) async fn renew_lease(&self) -> Result<bool, RoundError> {
        let cf = self.cloudflare();
        let now = api::now();
        let until = now + chrono::Duration::from_std(cf.config.lease()).expect("small");
        Ok(self
            .db
            .kv_take_lease(self.holder.clone(), now, until)
            .await?)
    }

    /// Sleeps `d`, renewing the lease on the way; fails if it was lost.
    pub(super) async fn sleep_holding(&self, d: Duration) -> Result<(), RoundError> {
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

    /// Gives up the lease, so another process takes over at once.
    pub async fn release(&self) {
        if self.cf.is_some() {
            if let Err(e) = self.db.kv_release_lease(self.holder.clone()).await {
                tracing::warn!(error = %e, "cannot release the KV sync lease");
            }
        }
    }
}
