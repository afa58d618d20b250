//! Per-token rate limiting with GCRA, the Generic Cell Rate Algorithm.
//!
//! # The math
//!
//! A limit of `N` requests per period `P` is a token bucket holding at most
//! `N` tokens that refills continuously at `N / P`. GCRA implements that
//! bucket with a single timestamp per key instead of a counter plus a
//! refill time:
//!
//! * `T = P / N`, the *emission interval*: one request's worth of refill.
//! * `τ = P − T = (N − 1)·T`, the *burst tolerance*: how far ahead of
//!   schedule a client may run, i.e. `N − 1` requests beyond the current one.
//! * `TAT`, the *theoretical arrival time*: when the bucket will be full
//!   again. A key never seen (or seen long ago) has `TAT ≤ now`.
//!
//! A request at time `t` conforms iff `t ≥ TAT − τ`. If it does, the bucket
//! loses one token: `TAT := max(TAT, t) + T`. If it does not, nothing
//! changes (hammering a limit does not extend it) and the client may retry
//! after `TAT − τ − t`.
//!
//! Consequences, all covered by tests:
//!
//! * from idle, `N` requests pass at once (`TAT` climbs from `t` to
//!   `t + N·T = t + P`, and `t ≥ t + P − T − τ` holds for each);
//! * afterwards one request passes every `T`, so the long-run rate is `N/P`;
//! * in any window of length `L` at most `1 + ⌊(L + τ) / T⌋` requests pass
//!   (at most `2N − 1` in any window of one period: a full burst plus the
//!   refill during the period).
//!
//! Time is kept as `u128` nanoseconds since the Unix epoch so no limit that
//! fits the snapshot types can overflow. `T` is rounded down to whole
//! nanoseconds, which errs by at most 1 ns per request in the client's
//! favour. Time is always passed in; nothing here reads a clock.
//!
//! # Memory
//!
//! An entry whose `TAT ≤ now` describes a full bucket, exactly like a
//! missing entry, so dropping it loses nothing. [`RateLimiter::sweep`]
//! drops all such entries; [`RateLimiter::check`] also sweeps by itself
//! whenever the map has doubled since the last sweep, so memory stays
//! within about twice the number of keys limited within the last period
//! (plus [`MIN_SWEEP_LEN`]) at amortised O(1) cost per call.

use crate::snapshot::RateLimit;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;
use uuid::Uuid;

/// Below this many entries no automatic sweep happens.
pub const MIN_SWEEP_LEN: usize = 1024;

/// A request was over its limit; it may be retried after `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds to wait, rounded up and at least 1, as sent in a
    /// `Retry-After` header (retrying earlier would be refused again).
    pub fn secs(&self) -> u64 {
        let secs = self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0);
        secs.max(1)
    }
}

/// Rate-limit state for many keys (token ids by default).
///
/// Kept apart from [`crate::Gateway`] so that state survives when a new
/// snapshot replaces the gateway.
#[derive(Debug, Clone)]
pub struct RateLimiter<K = Uuid> {
    /// Theoretical arrival time per key, in ns since the epoch.
    tat: HashMap<K, u128>,
    /// Sweep automatically once the map grows beyond this.
    sweep_at: usize,
}

impl<K: Eq + Hash> Default for RateLimiter<K> {
    fn default() -> Self {
        RateLimiter {
            tat: HashMap::new(),
            sweep_at: MIN_SWEEP_LEN,
        }
    }
}

impl<K: Eq + Hash> RateLimiter<K> {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one request for `key` against `limit` at time `now`.
    ///
    /// Edge cases: `requests == 0` allows nothing (retry after one period,
    /// at least a second); `period_secs == 0` imposes no limit.
    pub fn check(
        &mut self,
        key: K,
        limit: RateLimit,
        now: DateTime<Utc>,
    ) -> Result<(), RetryAfter> {
        const NANOS: u128 = 1_000_000_000;
        let now = nanos_since_epoch(now);
        let period = u128::from(limit.period_secs) * NANOS;
        if limit.requests == 0 {
            return Err(RetryAfter(Duration::from_secs(limit.period_secs.max(1))));
        }
        let emission = period / u128::from(limit.requests);
        if emission == 0 {
            // Zero period, or more requests than nanoseconds per period.
            return Ok(());
        }
        let tolerance = period - emission;

        let tat = self.tat.get(&key).copied().unwrap_or(now).max(now);
        let allow_at = tat - tolerance.min(tat);
        if now < allow_at {
            return Err(RetryAfter(duration_from_nanos(allow_at - now)));
        }
        self.tat.insert(key, tat + emission);
        if self.tat.len() > self.sweep_at {
            self.sweep_nanos(now);
        }
        Ok(())
    }

    /// Drops every entry whose bucket is full again at `now` (which
    /// changes no future decision) and returns how many were dropped.
    pub fn sweep(&mut self, now: DateTime<Utc>) -> usize {
        let now = nanos_since_epoch(now);
        self.sweep_nanos(now)
    }

    fn sweep_nanos(&mut self, now: u128) -> usize {
        let before = self.tat.len();
        self.tat.retain(|_, tat| *tat > now);
        self.sweep_at = (2 * self.tat.len()).max(MIN_SWEEP_LEN);
        before - self.tat.len()
    }

    /// Number of keys currently tracked.
    pub fn len(&self) -> usize {
        self.tat.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.tat.is_empty()
    }
}

/// Nanoseconds since the Unix epoch; times before it count as the epoch.
fn nanos_since_epoch(t: DateTime<Utc>) -> u128 {
    let secs = u128::try_from(t.timestamp()).unwrap_or(0);
    secs * 1_000_000_000 + u128::from(t.timestamp_subsec_nanos())
}

fn duration_from_nanos(n: u128) -> Duration {
    let secs = u64::try_from(n / 1_000_000_000).unwrap_or(u64::MAX);
    Duration::new(secs, (n % 1_000_000_000) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_800_000_000_000 + ms).unwrap()
    }

    fn limit(requests: u32, period_secs: u64) -> RateLimit {
        RateLimit {
            requests,
            period_secs,
        }
    }

    #[test]
    fn a_full_burst_passes_then_the_next_waits_one_interval() {
        let mut rl = RateLimiter::new();
        let l = limit(10, 60); // T = 6 s
        for _ in 0..10 {
            assert_eq!(rl.check(1, l, at(0)), Ok(()));
        }
        assert_eq!(
            rl.check(1, l, at(0)),
            Err(RetryAfter(Duration::from_secs(6)))
        );
        // Denials do not push the schedule back.
        assert_eq!(
            rl.check(1, l, at(0)),
            Err(RetryAfter(Duration::from_secs(6)))
        );
        assert_eq!(
            rl.check(1, l, at(5_500)),
            Err(RetryAfter(Duration::from_millis(500)))
        );
        assert_eq!(rl.check(1, l, at(6_000)), Ok(()));
        assert!(rl.check(1, l, at(6_000)).is_err());
    }

    #[test]
    fn keys_are_independent() {
        let mut rl = RateLimiter::new();
        let l = limit(1, 1);
        assert!(rl.check("a", l, at(0)).is_ok());
        assert!(rl.check("a", l, at(0)).is_err());
        assert!(rl.check("b", l, at(0)).is_ok());
    }

    #[test]
    fn steady_rate_is_sustained_exactly() {
        let mut rl = RateLimiter::new();
        let l = limit(5, 1); // T = 200 ms
                             // Drain the burst, then one request every 200 ms keeps passing
                             // while one every 150 ms does not.
        for _ in 0..5 {
            rl.check(1, l, at(0)).unwrap();
        }
        for i in 1..=50 {
            assert_eq!(rl.check(1, l, at(i * 200)), Ok(()), "request {i}");
        }
        let mut rl = RateLimiter::new();
        let passed = (0..=100)
            .filter(|i| rl.check(1, l, at(i * 150)).is_ok())
            .count();
        // 15 s at 5/s plus the initial burst of 5, minus the one request the
        // burst allowance covers: 1 + ⌊(L + τ)/T⌋ = 1 + ⌊(15 + 0.8)/0.2⌋ = 80.
        assert_eq!(passed, 80);
    }

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        assert_eq!(RetryAfter(Duration::from_millis(1)).secs(), 1);
        assert_eq!(RetryAfter(Duration::ZERO).secs(), 1);
        assert_eq!(RetryAfter(Duration::from_millis(6_000)).secs(), 6);
        assert_eq!(RetryAfter(Duration::from_millis(6_001)).secs(), 7);

        let mut rl = RateLimiter::new();
        let l = limit(2, 86_400); // 2 per day: T = 12 h
        rl.check(1, l, at(0)).unwrap();
        rl.check(1, l, at(0)).unwrap();
        assert_eq!(rl.check(1, l, at(1_000)).unwrap_err().secs(), 12 * 3600 - 1);
    }

    #[test]
    fn degenerate_limits() {
        let mut rl = RateLimiter::new();
        assert_eq!(
            rl.check(1, limit(0, 60), at(0)),
            Err(RetryAfter(Duration::from_secs(60)))
        );
        assert_eq!(rl.check(1, limit(0, 0), at(0)).unwrap_err().secs(), 1);
        for _ in 0..1000 {
            assert!(rl.check(1, limit(1, 0), at(0)).is_ok());
        }
        // Huge but representable numbers do not overflow.
        assert!(rl.check(2, limit(u32::MAX, u64::MAX), at(0)).is_ok());
        assert!(rl.check(3, limit(1, u64::MAX), at(0)).is_ok());
        assert!(rl.check(3, limit(1, u64::MAX), at(0)).is_err());
        // Times before the epoch are clamped, not a panic.
        let early = Utc.timestamp_opt(-10, 0).unwrap();
        assert!(rl.check(4, limit(1, 1), early).is_ok());
    }

    #[test]
    fn sweep_drops_only_full_buckets() {
        let mut rl = RateLimiter::new();
        rl.check(1, limit(1, 10), at(0)).unwrap(); // full again at 10 s
        rl.check(2, limit(1, 60), at(0)).unwrap(); // full again at 60 s
        assert_eq!(rl.sweep(at(9_999)), 0);
        assert_eq!(rl.sweep(at(10_000)), 1);
        assert_eq!(rl.len(), 1);
        // Dropping key 1 changed nothing: it gets a full bucket either way.
        assert!(rl.check(1, limit(1, 10), at(10_000)).is_ok());
        assert!(rl.check(2, limit(1, 60), at(10_000)).is_err());
    }

    #[test]
    fn memory_is_bounded_without_explicit_sweeps() {
        let mut rl = RateLimiter::new();
        let l = limit(1, 1);
        // A million distinct keys, each limited for one second, one new key
        // per millisecond: at most ~1000 are live at any time.
        for i in 0..1_000_000u32 {
            rl.check(i, l, at(i64::from(i))).unwrap();
            assert!(
                rl.len() <= 2 * 1001 + MIN_SWEEP_LEN,
                "len {} at {i}",
                rl.len()
            );
        }
    }

    proptest! {
        /// Whatever the arrival pattern, no window of length L admits more
        /// than 1 + ⌊(L + τ)/T⌋ requests, and a client that waits the
        /// announced retry-after is admitted.
        #[test]
        fn never_exceeds_the_gcra_bound(
            requests in 1u32..20,
            period_secs in 1u64..10,
            gaps in prop::collection::vec(0i64..1500, 1..200),
        ) {
            let l = limit(requests, period_secs);
            let period = i128::from(period_secs) * 1_000_000_000;
            let t = period / i128::from(requests);
            let tau = period - t;
            let mut rl = RateLimiter::new();
            let mut now = 0;
            let mut passed = Vec::new();
            for gap in gaps {
                now += gap;
                match rl.check((), l, at(now)) {
                    Ok(()) => passed.push(i128::from(now) * 1_000_000),
                    Err(RetryAfter(wait)) => {
                        prop_assert!(wait > Duration::ZERO && wait.as_nanos() <= period as u128);
                        let mut probe = rl.clone();
                        let later = at(now) + chrono::Duration::from_std(wait).unwrap();
                        prop_assert!(probe.check((), l, later).is_ok());
                    }
                }
            }
            for (i, &start) in passed.iter().enumerate() {
                for (j, &end) in passed.iter().enumerate().skip(i) {
                    let count = (j - i + 1) as i128;
                    prop_assert!(count <= 1 + (end - start + tau) / t);
                }
            }
        }
    }
}
