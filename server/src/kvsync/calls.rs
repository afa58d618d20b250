//! Calls to Cloudflare: every request goes through the rate budget and the
//! lease, and is retried with backoff; bulk writes and deletes retry the
//! keys Cloudflare reports as not done.

use super::client::{BulkItem, Counters, KvError, BULK_MAX};
use super::desired::Desired;
use super::{KvSync, RoundError};
use crate::api;
use backon::{BackoffBuilder, ExponentialBuilder};
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Attempts at one request, or at one bulk chunk's failed keys, before the
/// round gives up (and is retried whole by the worker loop).
const MAX_ATTEMPTS: usize = 10;

/// Waits between attempts: 250 ms doubling to 15 s, nine of them (about a
/// minute) for ten attempts. Short at first, as most 5xx and timeouts
/// pass at once; capped well below the lease (at least 60 s, renewed while
/// waiting) so a waiting syncer keeps it; and far inside the rate budget.
const CALL_RETRY: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(250))
    .with_factor(2.0)
    .with_max_delay(Duration::from_secs(15))
    .with_max_times(MAX_ATTEMPTS - 1);

/// The waits of [`CALL_RETRY`], each jittered; `None` once attempts are
/// used up.
fn call_retries() -> impl Iterator<Item = Duration> {
    CALL_RETRY.build().map(jitter)
}

/// ±20 %, so several processes do not retry in step. (backon's own jitter
/// only adds, up to 100 %.)
pub(super) fn jitter(d: Duration) -> Duration {
    use rand::Rng;
    d.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

impl KvSync {
    /// One request to Cloudflare with the budget, the lease and retries.
    pub(super) async fn call<T, F, Fut>(&self, mut op: F) -> Result<T, RoundError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, KvError>>,
    {
        let cf = self.cloudflare();
        let mut retries = call_retries();
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
            self.note_failure(&error).await;
            if let KvError::Fatal(_) = error {
                return Err(error.into());
            }
            let Some(backoff) = retries.next() else {
                return Err(error.into());
            };
            let wait = match &error {
                // The budget holds every call until then, this one too.
                KvError::RateLimited { retry_after } => {
                    Counters::add(&cf.client.counters.rate_limited, 1);
                    cf.budget.block_for(*retry_after).await;
                    Duration::ZERO
                }
                _ => backoff,
            };
            Counters::add(&cf.client.counters.retries, 1);
            tracing::debug!(error = %error, "retrying a KV call");
            self.sleep_holding(wait).await?;
        }
    }

    pub(super) async fn note_failure(&self, e: &KvError) {
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
    pub(super) async fn put_all<'a>(
        &self,
        items: &[&'a Desired],
        progress: impl FnMut(u64),
    ) -> Result<u64, RoundError> {
        let cf = self.cloudflare();
        let put = |pending: Vec<&'a Desired>| async move {
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
            cf.client.bulk_put(&body).await
        };
        let done = &cf.client.counters.keys_written;
        self.bulk("write", items, |d| &d.key, put, done, progress)
            .await
    }

    /// Deletes `keys` in bulk requests, retrying what Cloudflare reports
    /// as not deleted.
    pub(super) async fn delete_all(
        &self,
        keys: &[String],
        progress: impl FnMut(u64),
    ) -> Result<u64, RoundError> {
        let cf = self.cloudflare();
        let delete = |pending: Vec<String>| async move { cf.client.bulk_delete(&pending).await };
        let done = &cf.client.counters.keys_deleted;
        self.bulk("delete", keys, |k| k, delete, done, progress)
            .await
    }

    /// Sends `items` in chunks of [`BULK_MAX`] with `send` (which answers
    /// the keys Cloudflare did not `verb`), resending each chunk's failed
    /// keys with backoff.
    async fn bulk<T: Clone, F, Fut>(
        &self,
        verb: &str,
        items: &[T],
        key: impl Fn(&T) -> &str,
        send: F,
        counter: &AtomicU64,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, RoundError>
    where
        F: Fn(Vec<T>) -> Fut,
        Fut: Future<Output = Result<Vec<String>, KvError>>,
    {
        let cf = self.cloudflare();
        let mut done_total = 0;
        for chunk in items.chunks(BULK_MAX) {
            let mut pending: Vec<T> = chunk.to_vec();
            let mut retries = call_retries();
            loop {
                let failed = self.call(|| send(pending.clone())).await?;
                let done = pending.len().saturating_sub(failed.len()) as u64;
                done_total += done;
                Counters::add(counter, done);
                progress(done);
                if failed.is_empty() {
                    break;
                }
                let error = KvError::Transient(format!(
                    "bulk {verb}: Cloudflare did not {verb} {} of {} keys",
                    failed.len(),
                    pending.len()
                ));
                self.note_failure(&error).await;
                let Some(wait) = retries.next() else {
                    return Err(error.into());
                };
                Counters::add(&cf.client.counters.retries, 1);
                let failed: BTreeSet<String> = failed.into_iter().collect();
                pending.retain(|item| failed.contains(key(item)));
                self.sleep_holding(wait).await?;
            }
        }
        Ok(done_total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_retries_grow_are_capped_and_end() {
        let waits: Vec<Duration> = CALL_RETRY.build().collect();
        let ms = |n| Duration::from_millis(n);
        let secs = |n| Duration::from_secs(n);
        assert_eq!(
            waits,
            [
                ms(250),
                ms(500),
                secs(1),
                secs(2),
                secs(4),
                secs(8),
                secs(15),
                secs(15),
                secs(15)
            ],
            "nine waits for ten attempts"
        );
        for (wait, jittered) in waits.iter().zip(call_retries()) {
            assert!(jittered >= wait.mul_f64(0.8) && jittered <= wait.mul_f64(1.2));
        }
        assert_eq!(call_retries().count(), MAX_ATTEMPTS - 1);
    }
}
