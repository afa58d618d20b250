//! The delivery worker: claims due deliveries with a lease, a few per
//! receiver at a time, sends them signed, and records the outcome or the
//! time of the next attempt.
//!
//! Each receiver has at most [`PER_RECEIVER`] attempts in flight and the
//! process at most [`TOTAL`]; deliveries are claimed only for receivers
//! with a free slot, so a slow receiver holds its own slots and no others.

use super::receiver::{receiver_refusal, PolicyResolver};
use super::{secret_context, signature, Webhooks};
use crate::api;
use crate::db::{DeliveryJob, DeliveryOutcome};
use backon::{BackoffBuilder, ExponentialBuilder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Attempts in flight to one receiver (webhook).
pub const PER_RECEIVER: usize = 4;
/// Attempts in flight in this process.
pub const TOTAL: usize = 64;
/// How long a receiver has to answer an attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A claim lasts this long: well past an attempt's timeout, so only a
/// process that died mid-attempt leaves a delivery claimed, and then for
/// at most this long.
const LEASE: Duration = Duration::from_secs(30);
/// How often an idle worker looks for due deliveries (another process may
/// have queued them, or a retry came due).
const POLL: Duration = Duration::from_secs(1);
/// Of a receiver's answer, at most this much is read (into `last_error`).
const BODY_READ_MAX: usize = 1024;
/// Deliveries are retried until this long after they were created.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Between attempts at one delivery: 2 s doubling to an hour, each wait
/// stretched by up to as much again at random, so that receivers that
/// come back after an outage are not hit by every delivery at once; tried
/// until [`GIVE_UP_AFTER`] (some 25 to 35 attempts).
const RETRY: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_secs(2))
    .with_factor(2.0)
    .with_max_delay(Duration::from_secs(3600))
    .with_jitter()
    .without_max_times();

/// The wait after the `attempts`-th failed attempt.
fn retry_delay(attempts: i64) -> Duration {
    let n = usize::try_from(attempts.max(1) - 1).unwrap_or(0).min(64);
    // A seed of our own: without backon's `std` feature its jitter starts
    // from a fixed seed, the same in every process.
    RETRY
        .with_jitter_seed(rand::random())
        .build()
        .nth(n)
        .unwrap_or(Duration::from_secs(3600))
}

/// The HTTP clients attempts go out with: no redirects, a timeout, and a
/// resolver that keeps only addresses the webhook may reach.
struct Clients {
    public: reqwest::Client,
    private: reqwest::Client,
}

impl Clients {
    fn new(policy: crate::upstream::UpstreamPolicy) -> Clients {
        let build = |private_receiver| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(ATTEMPT_TIMEOUT)
                .connect_timeout(ATTEMPT_TIMEOUT)
                .user_agent(concat!("tokenctl-webhooks/", env!("CARGO_PKG_VERSION")))
                .dns_resolver(Arc::new(PolicyResolver {
                    policy,
                    private_receiver,
                }))
                .build()
                .expect("the webhook HTTP client builds")
        };
        Clients {
            public: build(false),
            private: build(true),
        }
    }
}

impl Webhooks {
    /// Claims and sends due deliveries until aborted.
    pub(super) async fn deliver_loop(self: Arc<Self>) {
        let clients = Arc::new(Clients::new(self.policy));
        let total = Arc::new(tokio::sync::Semaphore::new(TOTAL));
        let busy: Arc<Mutex<HashMap<Uuid, usize>>> = Arc::default();
        // Receivers take turns at free slots: the one served first this
        // round goes last the next.
        let mut turn = 0usize;
        loop {
            let claimed = match self.claim_round(&total, &busy, &clients, &mut turn).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming webhook deliveries failed; retrying");
                    0
                }
            };
            if claimed == 0 {
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    }

    /// One pass: for each receiver with due deliveries and a free slot,
    /// claims as many as it and the process have slots, and starts them.
    async fn claim_round(
        self: &Arc<Self>,
        total: &Arc<tokio::sync::Semaphore>,
        busy: &Arc<Mutex<HashMap<Uuid, usize>>>,
        clients: &Arc<Clients>,
        turn: &mut usize,
    ) -> anyhow::Result<usize> {
        if total.available_permits() == 0 {
            return Ok(0);
        }
        let now = api::now();
        let mut due = self.db.webhooks_with_due(now).await?;
        if due.is_empty() {
            return Ok(0);
        }
        due.sort();
        let start = *turn % due.len();
        due.rotate_left(start);
        *turn = turn.wrapping_add(1);
        let mut started = 0;
        for webhook in due {
            let in_flight = busy.lock().unwrap().get(&webhook).copied().unwrap_or(0);
            let free = PER_RECEIVER
                .saturating_sub(in_flight)
                .min(total.available_permits());
            if free == 0 {
                continue;
            }
            let lease_until = now + chrono::Duration::from_std(LEASE).expect("small");
            let jobs = self
                .db
                .claim_webhook_deliveries(webhook, now, lease_until, free as u32)
                .await?;
            for job in jobs {
                let permit = total
                    .clone()
                    .try_acquire_owned()
                    .expect("no more claimed than free");
                *busy.lock().unwrap().entry(webhook).or_default() += 1;
                started += 1;
                let (this, busy, clients) = (self.clone(), busy.clone(), clients.clone());
                tokio::spawn(async move {
                    let lease = job.lease_until;
                    let id = job.id;
                    let outcome = this.attempt(&clients, &job).await;
                    if let Err(e) = this.db.finish_webhook_delivery(id, lease, outcome).await {
                        tracing::warn!(error = %e, delivery = %id, "recording a webhook attempt failed; the lease will run out and it is tried again");
                    }
                    drop(permit);
                    let mut busy = busy.lock().unwrap();
                    if let Some(n) = busy.get_mut(&webhook) {
                        *n -= 1;
                        if *n == 0 {
                            busy.remove(&webhook);
                        }
                    }
                    drop(busy);
                    this.wake.notify_one();
                });
            }
        }
        Ok(started)
    }

    /// One attempt at one delivery, and what follows from it.
    async fn attempt(&self, clients: &Clients, job: &DeliveryJob) -> DeliveryOutcome {
        let result = self.send(clients, job).await;
        let now = api::now();
        let (status, error) = match result {
            Ok(status) if (200..300).contains(&status) => {
                tracing::info!(delivery = %job.id, event = %job.event, status, attempts = job.attempts, "webhook delivered");
                return DeliveryOutcome {
                    delivered: true,
                    status: Some(status),
                    ..DeliveryOutcome::default()
                };
            }
            Ok(status) => (Some(status), format!("the receiver answered {status}")),
            Err(e) => (None, e),
        };
        let next = now + chrono::Duration::from_std(retry_delay(job.attempts)).expect("small");
        let give_up = job.created_at + chrono::Duration::from_std(GIVE_UP_AFTER).expect("small");
        let next_attempt_at = (next <= give_up).then_some(next);
        if next_attempt_at.is_none() {
            tracing::warn!(delivery = %job.id, event = %job.event, attempts = job.attempts, error = %error, "webhook delivery failed for 24 hours; given up");
        } else {
            tracing::info!(delivery = %job.id, event = %job.event, attempts = job.attempts, error = %error, "webhook attempt failed; will retry");
        }
        DeliveryOutcome {
            delivered: false,
            status,
            error: Some(error),
            next_attempt_at,
        }
    }

    /// Sends the delivery; the receiver's status, or why there is none.
    async fn send(&self, clients: &Clients, job: &DeliveryJob) -> Result<u16, String> {
        let key = self
            .master_key
            .as_ref()
            .ok_or("the server has no master key to open the webhook's secret")?;
        let secret = key
            .open(&secret_context(job.webhook_id), &job.sealed_secret)
            .ok_or("the webhook's secret does not open with this server's master key")?;
        if let Some(refusal) = receiver_refusal(&self.policy, &job.url, job.private_receiver).await
        {
            return Err(refusal);
        }
        let body = job.payload.as_bytes().to_vec();
        let signed = signature::sign(&secret, api::now().timestamp(), &body);
        let client = if job.private_receiver {
            &clients.private
        } else {
            &clients.public
        };
        let response = client
            .post(&job.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signed)
            .header(signature::DELIVERY_HEADER, job.id.to_string())
            .header(signature::EVENT_HEADER, &job.event)
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        // A little of the answer, for `last_error`; the rest is dropped
        // unread, so a receiver cannot make the worker read a large body.
        let mut response = response;
        let mut read = Vec::new();
        while read.len() < BODY_READ_MAX {
            match tokio::time::timeout(ATTEMPT_TIMEOUT, response.chunk()).await {
                Ok(Ok(Some(chunk))) => read.extend_from_slice(&chunk),
                _ => break,
            }
        }
        if !(200..300).contains(&status) && !read.is_empty() {
            read.truncate(200);
            let text: String = String::from_utf8_lossy(&read)
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            return Err(format!("the receiver answered {status}: {text}"));
        }
        Ok(status)
    }
}

/// An HTTP client error as one readable line, with its causes.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("no answer within {}s", ATTEMPT_TIMEOUT.as_secs())
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_2s_to_an_hour() {
        for (attempts, base) in [(1, 2), (2, 4), (3, 8), (11, 2048), (12, 3600), (40, 3600)] {
            let d = retry_delay(attempts);
            assert!(
                d >= Duration::from_secs(base) && d <= Duration::from_secs(2 * base),
                "after attempt {attempts}: {d:?}"
            );
        }
        // The jitter is random, not the same sequence every time.
        let firsts: std::collections::BTreeSet<Duration> =
            (0..20).map(|_| retry_delay(1)).collect();
        assert!(firsts.len() > 10, "{firsts:?}");
    }
}
