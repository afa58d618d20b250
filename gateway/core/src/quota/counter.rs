//! A gateway's own count of what its quotas consumed, between the control
//! plane's publications.
//!
//! The control plane publishes, per subject and quota, `used` as of its
//! last computation (from ingested usage). A gateway also counts what it
//! lets through itself, and estimates a quota's consumption as
//!
//! ```text
//! max(local total this period, published used + local count since that publication arrived)
//! ```
//!
//! With one gateway the local total is exact (every request passed through
//! it), so a quota of 100 passes exactly 100. With several, the estimate is
//! a lower bound of the truth: what the other gateways let through since
//! the last publication is unknown, which bounds the overshoot by their
//! traffic during the ingest and publication lag (see `docs/spend.md`).
//!
//! A publication "arrives" when the published `used` differs from the one
//! last seen; that is noticed at the next check, and nothing is counted
//! between the two, so noticing late loses nothing.
//!
//! Like [`RateLimiter`](crate::RateLimiter) it lives apart from the
//! [`Gateway`](crate::Gateway) so it survives snapshot swaps; no clock is
//! read, time is passed in.

use super::{PicoCarry, QuotaKind, QuotaState, QuotaUsage};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Below this many entries no automatic sweep happens.
pub const MIN_SWEEP_LEN: usize = 1024;

/// Local consumption per subject and quota kind.
#[derive(Debug, Clone)]
pub struct QuotaCounter {
    counts: HashMap<(Uuid, QuotaKind), LocalCount>,
    sweep_at: usize,
}

impl Default for QuotaCounter {
    fn default() -> Self {
        QuotaCounter {
            counts: HashMap::new(),
            sweep_at: MIN_SWEEP_LEN,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct LocalCount {
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
    /// Everything this gateway counted in the period.
    total: u64,
    /// What it counted since the publication it last saw.
    since_published: u64,
    /// The published `used` last seen (for this period).
    published_used: u64,
    /// For a budget: the sub-micro-dollar rest of the costs recorded.
    carry: PicoCarry,
}

impl LocalCount {
    /// Brings the count to `usage`'s current period and publication, and
    /// returns the estimated consumption.
    fn estimate(&mut self, usage: &QuotaUsage, now: DateTime<Utc>) -> u64 {
        let start = usage.period.start(now);
        if self.period_start != start {
            *self = LocalCount::new(usage, now);
        }
        let published = usage.used_at(now);
        if published != self.published_used {
            self.published_used = published;
            self.since_published = 0;
        }
        self.total
            .max(published.saturating_add(self.since_published))
    }

    fn new(usage: &QuotaUsage, now: DateTime<Utc>) -> LocalCount {
        LocalCount {
            period_start: usage.period.start(now),
            period_end: usage.period.end(now),
            total: 0,
            since_published: 0,
            published_used: usage.used_at(now),
            carry: PicoCarry::default(),
        }
    }

    fn add(&mut self, n: u64) {
        self.total = self.total.saturating_add(n);
        self.since_published = self.since_published.saturating_add(n);
    }
}

/// A quota that is used up: the first one found, and when every exhausted
/// quota of the request has a new period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    /// The subject whose quota is used up (token or team id).
    pub subject: Uuid,
    /// Which quota.
    pub kind: QuotaKind,
    /// The quota's limit and period.
    pub usage: QuotaUsage,
    /// Whole seconds until the last of the exhausted quotas starts a new
    /// period, for `Retry-After`.
    pub retry_after_secs: u64,
}

impl QuotaCounter {
    /// An empty counter.
    pub fn new() -> QuotaCounter {
        QuotaCounter::default()
    }

    /// Admits one request under every quota in `states` (a token's and its
    /// team's) at `now`: refused when any quota's estimate has reached its
    /// limit; otherwise the request counts against every request quota.
    /// A refused request counts nowhere.
    ///
    /// LLM-token and budget quotas refuse once reached but count nothing
    /// here: what a request costs is known after its answer
    /// ([`QuotaCounter::record`]), so the request that crosses such a
    /// limit completes and the next one is refused.
    pub fn admit(&mut self, states: &[&QuotaState], now: DateTime<Utc>) -> Result<(), Exhausted> {
        let mut exhausted: Option<Exhausted> = None;
        for state in states {
            for usage in &state.limits {
                let count = self
                    .counts
                    .entry((state.subject, usage.kind))
                    .or_insert_with(|| LocalCount::new(usage, now));
                if count.estimate(usage, now) >= usage.limit {
                    let wait = usage.period.secs_to_end(now);
                    let e = exhausted.get_or_insert(Exhausted {
                        subject: state.subject,
                        kind: usage.kind,
                        usage: *usage,
                        retry_after_secs: wait,
                    });
                    e.retry_after_secs = e.retry_after_secs.max(wait);
                }
            }
        }
        if let Some(e) = exhausted {
            return Err(e);
        }
        for state in states {
            if state.limits.iter().any(|u| u.kind == QuotaKind::Requests) {
                if let Some(count) = self.counts.get_mut(&(state.subject, QuotaKind::Requests)) {
                    count.add(1);
                }
            }
        }
        if self.counts.len() > self.sweep_at {
            self.sweep(now);
        }
        Ok(())
    }

    /// Counts `amount` of `kind` (LLM tokens, micro-dollars) against the
    /// subject's quota, once the request's answer told it. Only subjects
    /// with such a quota are counted (their entry was made when the request
    /// was admitted); an amount from a period that has ended since is
    /// dropped.
    pub fn record(&mut self, subject: Uuid, kind: QuotaKind, amount: u64, at: DateTime<Utc>) {
        if let Some(count) = self.counts.get_mut(&(subject, kind)) {
            if count.period_start <= at && at < count.period_end {
                count.add(amount);
            }
        }
    }

    /// Counts an answer's cost, in pico-dollars, against the subject's
    /// budget, like [`QuotaCounter::record`]. Whole micro-dollars count at
    /// once; the rest is carried to the next cost, so many small calls
    /// lose nothing.
    pub fn record_cost(&mut self, subject: Uuid, pico: u128, at: DateTime<Utc>) {
        if let Some(count) = self.counts.get_mut(&(subject, QuotaKind::Budget)) {
            if count.period_start <= at && at < count.period_end {
                let micros = count.carry.add(pico);
                count.add(micros);
            }
        }
    }

    /// What this gateway counted of `kind` for `subject` in the period that
    /// holds `now` (0 when nothing).
    pub fn local_total(&self, subject: Uuid, kind: QuotaKind, now: DateTime<Utc>) -> u64 {
        self.counts
            .get(&(subject, kind))
            .filter(|c| c.period_start <= now && now < c.period_end)
            .map_or(0, |c| c.total)
    }

    /// Drops the counts of periods that ended before `now` (a new period
    /// starts from nothing anyway) and returns how many.
    pub fn sweep(&mut self, now: DateTime<Utc>) -> usize {
        let before = self.counts.len();
        self.counts.retain(|_, c| c.period_end > now);
        self.sweep_at = (2 * self.counts.len()).max(MIN_SWEEP_LEN);
        before - self.counts.len()
    }

    /// Number of counts kept.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}
