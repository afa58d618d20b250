//! Usage rollups: the latency histogram, the aggregation of events into
//! rollup rows, and the choice of rollup level for a report window. Pure
//! logic, tested here; storage is in `db/usage_queries.rs`.

use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeMap;
use tokenctl_gateway::usage::UsageEvent;
use uuid::Uuid;

/// Log-scale latency histogram. Bucket `i ≥ 1` holds latencies in
/// `[MIN·G^(i-1), MIN·G^i)` ms and is reported as the geometric middle of
/// that range, so any percentile read from it is within ±`(√G − 1)` ≈ 4.4 %
/// of a latency actually observed in that bucket. Bucket 0 holds everything
/// under `MIN`.
///
/// Counts are dense (index = bucket) and end at the highest bucket in use,
/// so merging — what reports do for every rollup row — is a plain addition
/// of slices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    /// Never ends in a zero.
    counts: Vec<u64>,
}

const MIN_MS: f64 = 0.05;
const GROWTH: f64 = 1.09;
const MAX_BUCKET: u16 = 250;

impl Histogram {
    fn bucket(ms: f64) -> u16 {
        if ms.is_nan() || ms < MIN_MS {
            return 0;
        }
        let i = ((ms / MIN_MS).ln() / GROWTH.ln()).floor() as i64 + 1;
        i.clamp(1, i64::from(MAX_BUCKET)) as u16
    }

    fn representative(bucket: usize) -> f64 {
        if bucket == 0 {
            return MIN_MS / 2.0;
        }
        MIN_MS * GROWTH.powf(bucket as f64 - 0.5)
    }

    fn add(&mut self, bucket: usize, count: u64) {
        if count == 0 {
            return;
        }
        if self.counts.len() <= bucket {
            self.counts.resize(bucket + 1, 0);
        }
        self.counts[bucket] += count;
    }

    pub fn record(&mut self, ms: f64) {
        self.record_n(ms, 1);
    }

    /// Records `count` requests that took `ms` each.
    pub fn record_n(&mut self, ms: f64, count: u64) {
        self.add(usize::from(Self::bucket(ms)), count);
    }

    pub fn merge(&mut self, other: &Histogram) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The latency at quantile `q` (0–1), nearest rank; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (b, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(Self::representative(b));
            }
        }
        None
    }

    /// Compact encoding: (u16 bucket, u32 count) little-endian pairs for the
    /// buckets in use.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (b, c) in self.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            out.extend_from_slice(&u16::try_from(b).unwrap_or(MAX_BUCKET).to_le_bytes());
            out.extend_from_slice(&u32::try_from(*c).unwrap_or(u32::MAX).to_le_bytes());
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Histogram {
        let mut h = Histogram::default();
        for c in bytes.chunks_exact(6) {
            let bucket = u16::from_le_bytes([c[0], c[1]]).min(MAX_BUCKET);
            h.add(
                usize::from(bucket),
                u64::from(u32::from_le_bytes([c[2], c[3], c[4], c[5]])),
            );
        }
        h
    }
}

/// A rollup level: how wide its buckets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Minute,
    Hour,
    Day,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Minute, Level::Hour, Level::Day];

    pub fn table(self) -> &'static str {
        match self {
            Level::Minute => "usage_minute",
            Level::Hour => "usage_hour",
            Level::Day => "usage_day",
        }
    }

    /// `minute`, `hour`, `day`: what reports call the level they read.
    pub fn name(self) -> &'static str {
        match self {
            Level::Minute => "minute",
            Level::Hour => "hour",
            Level::Day => "day",
        }
    }

    pub fn width(self) -> TimeDelta {
        match self {
            Level::Minute => TimeDelta::minutes(1),
            Level::Hour => TimeDelta::hours(1),
            Level::Day => TimeDelta::days(1),
        }
    }

    /// The start of the bucket holding `t`. Total: works for every time
    /// chrono can represent, also those outside the nanosecond range that
    /// `DurationRound` refuses (an ingested event may carry any `at`).
    pub fn truncate(self, t: DateTime<Utc>) -> DateTime<Utc> {
        // Every level's width divides a day and chrono's range starts and
        // ends on whole days, so the floor is always representable.
        floor(t, self.width()).unwrap_or(t)
    }
}

/// `t` rounded down to a multiple of `width` (whole seconds, at least one)
/// since the Unix epoch; `None` if that lies outside chrono's range.
fn floor(t: DateTime<Utc>, width: TimeDelta) -> Option<DateTime<Utc>> {
    let w = width.num_seconds().max(1);
    DateTime::from_timestamp(t.timestamp().div_euclid(w) * w, 0)
}

/// The rollup key: bucket start, team, token, route, HTTP status. Unknown
/// team/token/route are the nil UUID. Exact statuses (not classes) let
/// status breakdowns come from rollups too; a token or route sees few
/// distinct ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub bucket: DateTime<Utc>,
    pub team_id: Uuid,
    pub token_id: Uuid,
    pub route_id: Uuid,
    pub status: i16,
}

/// What a rollup row sums up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Agg {
    pub requests: i64,
    pub errors: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub latency_sum: f64,
    pub hist: Histogram,
    pub last_at: Option<DateTime<Utc>>,
}

impl Agg {
    /// Adds an event: `count` requests (more than one for aggregated
    /// denials) with its latency each.
    pub fn add_event(&mut self, e: &UsageEvent) {
        let n = i64::from(e.count.max(1));
        self.requests += n;
        if e.status >= 400 {
            self.errors += n;
        }
        self.bytes_in += i64::try_from(e.bytes_in).unwrap_or(i64::MAX);
        self.bytes_out += i64::try_from(e.bytes_out).unwrap_or(i64::MAX);
        self.latency_sum += e.latency_ms * n as f64;
        self.hist.record_n(e.latency_ms, n as u64);
        self.last_at = self.last_at.max(Some(e.at));
    }

    pub fn merge(&mut self, other: &Agg) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.latency_sum += other.latency_sum;
        self.hist.merge(&other.hist);
        self.last_at = self.last_at.max(other.last_at);
    }
}

/// Groups events into rollup rows of one level. `teams` maps token ids to
/// their team.
pub fn aggregate(
    events: &[&UsageEvent],
    level: Level,
    teams: &BTreeMap<Uuid, Uuid>,
) -> BTreeMap<Key, Agg> {
    let mut out: BTreeMap<Key, Agg> = BTreeMap::new();
    for e in events {
        let token = e.token_id.unwrap_or(Uuid::nil());
        let key = Key {
            bucket: level.truncate(e.at),
            team_id: teams.get(&token).copied().unwrap_or(Uuid::nil()),
            token_id: token,
            route_id: e.route_id.unwrap_or(Uuid::nil()),
            status: i16::try_from(e.status).unwrap_or(i16::MAX),
        };
        out.entry(key).or_default().add_event(e);
    }
    out
}

/// The class of an HTTP status, 1–5 (`2` for 2xx); statuses outside
/// 100–599 count as 5 (server-side failures) or 1.
pub fn status_class(status: i16) -> i16 {
    (status / 100).clamp(1, 5)
}

/// How long each level of usage data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Raw events (recent calls).
    pub raw: TimeDelta,
    pub minute: TimeDelta,
    pub hour: TimeDelta,
    pub day: TimeDelta,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            raw: TimeDelta::days(30),
            minute: TimeDelta::days(7),
            hour: TimeDelta::days(180),
            day: TimeDelta::days(730),
        }
    }
}

impl Retention {
    /// The limits on report windows that follow from this retention: no
    /// window longer than the longest-kept rollup level (reports read
    /// rollups only, so a longer window could only add empty buckets), at
    /// most [`MAX_BUCKETS`] buckets per timeline, and each level serves only
    /// windows whose start it still keeps.
    pub fn window_limits(&self) -> WindowLimits {
        WindowLimits {
            longest: self.minute.max(self.hour).max(self.day),
            max_buckets: MAX_BUCKETS,
            retention: *self,
        }
    }

    /// How long the rollups of `level` are kept.
    pub fn of(&self, level: Level) -> TimeDelta {
        match level {
            Level::Minute => self.minute,
            Level::Hour => self.hour,
            Level::Day => self.day,
        }
    }
}

/// The most buckets a report timeline may have. The default retention
/// needs at most 732 (a two-year window in daily buckets, widened to whole
/// days); the cap bounds what one report allocates per row whatever the
/// retention.
pub const MAX_BUCKETS: usize = 1000;

/// What a report window may span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowLimits {
    /// The longest `until - since`.
    pub longest: TimeDelta,
    /// The most timeline buckets, after widening to whole buckets.
    pub max_buckets: usize,
    /// How long each rollup level is kept: a level serves a window only
    /// if it still holds the window's first bucket.
    pub retention: Retention,
}

/// Why a report window cannot be planned. The messages are for the person
/// who typed the window and name the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("`since` must be before `until`")]
    Empty,
    #[error(
        "the report window spans {span}; reports cover at most {limit}, the longest usage data is kept"
    )]
    TooLong { span: String, limit: String },
    #[error(
        "the report window needs {buckets} buckets of {bucket}; reports have at most {max} buckets"
    )]
    TooManyBuckets {
        buckets: i64,
        bucket: String,
        max: usize,
    },
    #[error("the report window lies outside the supported range of times")]
    OutOfRange,
}

/// A span as people write it: whole days when it is that long, else hours,
/// minutes or seconds (rounded down).
fn human_span(d: TimeDelta) -> String {
    let s = d.num_seconds();
    match s {
        _ if s >= 86_400 => format!("{} days", s / 86_400),
        _ if s >= 3_600 => format!("{} hours", s / 3_600),
        _ if s >= 60 => format!("{} minutes", s / 60),
        _ => format!("{s} seconds"),
    }
}

/// How a report window is bucketed: the rollup level it reads, the bucket
/// width of its timeline, and the window aligned to whole buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub level: Level,
    pub bucket: TimeDelta,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Set when the window starts before the oldest data that even the
    /// coarsest level still keeps: the part of the window before this time
    /// is not covered (its calls are gone, not zero). May lie past `until`
    /// (nothing of the window is kept).
    pub uncovered_until: Option<DateTime<Utc>>,
}

/// `t` rounded up to a multiple of `width`; `None` outside chrono's range.
fn ceil(t: DateTime<Utc>, width: TimeDelta) -> Option<DateTime<Utc>> {
    let f = floor(t, width)?;
    if f < t {
        f.checked_add_signed(width)
    } else {
        Some(f)
    }
}

impl Plan {
    /// The bucket width follows the window's span — 1m up to 2h, 5m up to
    /// 6h, 1h up to 2d, else 1d — and is read from the coarsest level that
    /// has it (a week of daily rows is about 1/20 of a week of hourly
    /// ones). But a level serves a window only while it still keeps the
    /// window's first bucket (relative to `now`): when it does not — an old
    /// window, e.g. six hours a month ago, past the minute rollups' 7 days —
    /// the next coarser level that does serves it, with its own bucket
    /// width (which only lowers the bucket count). When even the coarsest
    /// level no longer keeps the start, it serves the window and
    /// [`Plan::uncovered_until`] says from when on the window is covered.
    /// The window is widened to whole buckets.
    ///
    /// Refuses an empty window, one longer than `limits.longest`, one that
    /// would need more than `limits.max_buckets` buckets, and one whose
    /// widened bounds chrono cannot represent. Never panics.
    pub fn for_window(
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        limits: &WindowLimits,
    ) -> Result<Plan, PlanError> {
        if since >= until {
            return Err(PlanError::Empty);
        }
        // Cannot overflow: chrono's whole range fits a `TimeDelta`.
        let span = until - since;
        if span > limits.longest {
            return Err(PlanError::TooLong {
                span: human_span(span),
                limit: human_span(limits.longest),
            });
        }
        let (wanted, width) = if span <= TimeDelta::hours(2) {
            (Level::Minute, TimeDelta::minutes(1))
        } else if span <= TimeDelta::hours(6) {
            (Level::Minute, TimeDelta::minutes(5))
        } else if span <= TimeDelta::days(2) {
            (Level::Hour, TimeDelta::hours(1))
        } else {
            (Level::Day, TimeDelta::days(1))
        };
        let mut plan = None;
        for level in Level::ALL.into_iter().skip_while(|l| *l != wanted) {
            let bucket = width.max(level.width());
            let start = floor(since, bucket).ok_or(PlanError::OutOfRange)?;
            let end = ceil(until, bucket).ok_or(PlanError::OutOfRange)?;
            // Rows from here on are kept: retention deletes buckets that
            // start before `now - kept` (and ran at or before `now`).
            let kept_from = match now.checked_sub_signed(limits.retention.of(level)) {
                Some(t) => ceil(t, level.width()).unwrap_or(DateTime::<Utc>::MAX_UTC),
                None => DateTime::<Utc>::MIN_UTC,
            };
            let covered = start >= kept_from;
            plan = Some(Plan {
                level,
                bucket,
                since: start,
                until: end,
                uncovered_until: (!covered).then_some(kept_from),
            });
            if covered {
                break;
            }
        }
        // `wanted` is one of `Level::ALL`, so the loop ran at least once.
        let plan = plan.ok_or(PlanError::OutOfRange)?;
        let buckets = (plan.until - plan.since).num_seconds() / plan.bucket.num_seconds();
        if usize::try_from(buckets).map_or(true, |b| b > limits.max_buckets) {
            return Err(PlanError::TooManyBuckets {
                buckets,
                bucket: plan.bucket_label(),
                max: limits.max_buckets,
            });
        }
        Ok(plan)
    }

    pub fn buckets(&self) -> usize {
        usize::try_from((self.until - self.since).num_seconds() / self.bucket.num_seconds().max(1))
            .unwrap_or(0)
    }

    /// The timeline index of a rollup bucket.
    pub fn index(&self, t: DateTime<Utc>) -> Option<usize> {
        if t < self.since || t >= self.until {
            return None;
        }
        usize::try_from((t - self.since).num_seconds() / self.bucket.num_seconds().max(1)).ok()
    }

    /// `1m`, `5m`, `1h`, `1d`.
    pub fn bucket_label(&self) -> String {
        let s = self.bucket.num_seconds();
        match s {
            _ if s % 86_400 == 0 => format!("{}d", s / 86_400),
            _ if s % 3_600 == 0 => format!("{}h", s / 3_600),
            _ => format!("{}m", s / 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_quantile(values: &mut [f64], q: f64) -> f64 {
        values.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
        values[rank - 1]
    }

    proptest! {
        /// Percentiles from the histogram stay within ±5 % of the exact ones.
        #[test]
        fn quantiles_within_five_percent(values in proptest::collection::vec(0.06f64..120_000.0, 1..2000), q in 0.01f64..1.0) {
            let mut h = Histogram::default();
            for v in &values {
                h.record(*v);
            }
            let mut sorted = values.clone();
            let exact = exact_quantile(&mut sorted, q);
            let approx = h.quantile(q).unwrap();
            prop_assert!((approx - exact).abs() <= exact * 0.05, "exact {exact} approx {approx}");
            prop_assert_eq!(Histogram::decode(&h.encode()), h);
        }
    }

    #[test]
    fn merge_adds_and_encoding_roundtrips() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        for v in [1.0, 2.0, 3.0] {
            a.record(v);
        }
        for v in [3.0, 400.0] {
            b.record(v);
        }
        a.merge(&b);
        assert_eq!(a.count(), 5);
        assert_eq!(Histogram::decode(&a.encode()), a);
        assert_eq!(Histogram::default().quantile(0.5), None);
        let mut zero = Histogram::default();
        zero.record(0.0);
        assert!(zero.quantile(0.5).unwrap() < MIN_MS);
    }

    fn limits() -> WindowLimits {
        Retention::default().window_limits()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn plans_align_windows_to_buckets() {
        let until: DateTime<Utc> = "2026-11-26T15:37:12Z".parse().unwrap();
        let p = Plan::for_window(until - TimeDelta::hours(24), until, until, &limits()).unwrap();
        assert_eq!(p.level, Level::Hour);
        assert_eq!(p.bucket_label(), "1h");
        assert_eq!(
            p.since,
            "2026-11-25T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            p.until,
            "2026-11-26T16:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(p.buckets(), 25);
        let p = Plan::for_window(until - TimeDelta::hours(1), until, until, &limits()).unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.buckets()),
            (Level::Minute, "1m", 61)
        );
        let p = Plan::for_window(until - TimeDelta::days(7), until, until, &limits()).unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.buckets()),
            (Level::Day, "1d", 8)
        );
        let p = Plan::for_window(until - TimeDelta::days(30), until, until, &limits()).unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.buckets()),
            (Level::Day, "1d", 31)
        );
        assert_eq!(p.index(p.since), Some(0));
        assert_eq!(p.index(p.until), None);
    }

    /// The window: six hours a month ago, past the minute rollups'
    /// 7 days. It is read from the hourly rollups, in 1h buckets.
    #[test]
    fn old_windows_read_the_finest_level_still_kept() {
        let now = at("2026-12-02T17:10:00Z");
        let l = limits();
        let p = Plan::for_window(
            at("2026-11-01T00:00:00Z"),
            at("2026-11-01T06:00:00Z"),
            now,
            &l,
        )
        .unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.buckets()),
            (Level::Hour, "1h", 6)
        );
        assert_eq!(
            (p.since, p.until),
            (at("2026-11-01T00:00:00Z"), at("2026-11-01T06:00:00Z"))
        );
        assert_eq!(p.uncovered_until, None);
        // The same six hours two days ago: still minute rollups, 5m buckets.
        let p = Plan::for_window(
            at("2026-11-30T00:00:00Z"),
            at("2026-11-30T06:00:00Z"),
            now,
            &l,
        )
        .unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.buckets()),
            (Level::Minute, "5m", 72)
        );
        // The edge of the minute retention: the first minute still kept is
        // served from minutes, the minute before it from hours.
        let edge = now - TimeDelta::days(7);
        let p = Plan::for_window(edge, edge + TimeDelta::hours(1), now, &l).unwrap();
        assert_eq!((p.level, p.bucket_label().as_str()), (Level::Minute, "1m"));
        let p = Plan::for_window(
            edge - TimeDelta::seconds(1),
            edge + TimeDelta::hours(1),
            now,
            &l,
        )
        .unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.since),
            (Level::Hour, "1h", at("2026-11-25T17:00:00Z"))
        );
        // Past the hourly rollups' 180 days: daily buckets.
        let p = Plan::for_window(
            at("2026-03-01T10:00:00Z"),
            at("2026-03-01T12:00:00Z"),
            now,
            &l,
        )
        .unwrap();
        assert_eq!(
            (p.level, p.bucket_label().as_str(), p.buckets()),
            (Level::Day, "1d", 1)
        );
        assert_eq!(p.uncovered_until, None);
        // Coarser levels only lower the bucket count, so the caps hold.
        assert!(p.buckets() <= l.max_buckets);
    }

    /// A window older than even the daily rollups is served from them and
    /// says from when on it is covered, rather than looking empty.
    #[test]
    fn windows_past_every_retention_say_what_is_not_covered() {
        let now = at("2026-12-02T17:10:00Z");
        let l = limits();
        let kept_from = at("2024-12-03T00:00:00Z"); // now - 730 days, a whole day
        let p = Plan::for_window(
            at("2024-11-01T00:00:00Z"),
            at("2024-11-01T06:00:00Z"),
            now,
            &l,
        )
        .unwrap();
        assert_eq!((p.level, p.bucket_label().as_str()), (Level::Day, "1d"));
        assert_eq!(p.uncovered_until, Some(kept_from));
        assert!(
            p.uncovered_until.unwrap() >= p.until,
            "nothing of it is kept"
        );
        // Straddling the edge: covered from the first whole day kept.
        let p = Plan::for_window(
            at("2024-11-20T00:00:00Z"),
            at("2024-12-20T00:00:00Z"),
            now,
            &l,
        )
        .unwrap();
        assert_eq!(p.uncovered_until, Some(kept_from));
        assert!(p.since < kept_from && kept_from < p.until);
        // Recent windows are covered.
        let p = Plan::for_window(now - TimeDelta::days(30), now, now, &l).unwrap();
        assert_eq!(p.uncovered_until, None);
    }

    #[test]
    fn windows_are_bounded_by_the_longest_retention() {
        let l = limits();
        assert_eq!(l.longest, TimeDelta::days(730));
        let until = at("2026-11-26T15:37:12Z");
        // Exactly the longest retention: allowed, 732 daily buckets at most.
        let p = Plan::for_window(until - TimeDelta::days(730), until, until, &l).unwrap();
        assert_eq!((p.level, p.buckets()), (Level::Day, 731));
        assert!(p.buckets() <= MAX_BUCKETS);
        // One second longer: refused, and the message names the limit.
        let e = Plan::for_window(
            until - TimeDelta::days(730) - TimeDelta::seconds(1),
            until,
            until,
            &l,
        )
        .unwrap_err();
        assert!(matches!(e, PlanError::TooLong { .. }));
        assert!(e.to_string().contains("at most 730 days"), "{e}");
        // The request, and a window from 1600: refused, no panic.
        let e = Plan::for_window(
            at("1678-01-01T00:00:00Z"),
            at("2261-12-31T00:00:00Z"),
            until,
            &l,
        )
        .unwrap_err();
        assert!(e.to_string().contains("at most 730 days"), "{e}");
        let e = Plan::for_window(at("1600-01-01T00:00:00Z"), until, until, &l).unwrap_err();
        assert!(e.to_string().contains("at most 730 days"), "{e}");
        // Empty and reversed windows.
        assert_eq!(
            Plan::for_window(until, until, until, &l),
            Err(PlanError::Empty)
        );
        assert_eq!(
            Plan::for_window(until, until - TimeDelta::hours(1), until, &l),
            Err(PlanError::Empty)
        );
        // The limit follows the retention the server runs with.
        let longer = Retention {
            day: TimeDelta::days(800),
            ..Retention::default()
        };
        assert!(Plan::for_window(
            until - TimeDelta::days(780),
            until,
            until,
            &longer.window_limits()
        )
        .is_ok());
    }

    #[test]
    fn bucket_cap_applies_after_widening() {
        let until = at("2026-11-26T15:37:12Z");
        let l = WindowLimits {
            longest: TimeDelta::days(5000),
            max_buckets: MAX_BUCKETS,
            retention: Retention::default(),
        };
        let e = Plan::for_window(until - TimeDelta::days(1500), until, until, &l).unwrap_err();
        assert_eq!(
            e,
            PlanError::TooManyBuckets {
                buckets: 1501,
                bucket: "1d".into(),
                max: MAX_BUCKETS
            }
        );
        assert!(e.to_string().contains("at most 1000 buckets"), "{e}");
        // 999 days widen to 1000 buckets: still allowed.
        assert_eq!(
            Plan::for_window(until - TimeDelta::days(999), until, until, &l)
                .unwrap()
                .buckets(),
            1000
        );
    }

    #[test]
    fn planning_works_outside_the_nanosecond_range() {
        // `DurationRound` refuses times before 1677 or after 2262; planning
        // and the roll-up's truncation must not.
        let l = limits();
        let now = at("2026-11-26T15:37:12Z");
        for (since, until) in [
            ("1600-01-01T00:00:30Z", "1600-01-01T01:00:00Z"),
            ("2300-06-01T00:00:00Z", "2300-07-01T00:00:00Z"),
            ("0000-01-01T00:00:00Z", "0000-01-02T00:00:00Z"),
        ] {
            let p = Plan::for_window(at(since), at(until), now, &l).unwrap();
            assert!(p.since <= at(since) && p.until >= at(until));
        }
        let t = at("1600-01-01T12:34:56Z");
        assert_eq!(Level::Minute.truncate(t), at("1600-01-01T12:34:00Z"));
        assert_eq!(Level::Hour.truncate(t), at("1600-01-01T12:00:00Z"));
        assert_eq!(Level::Day.truncate(t), at("1600-01-01T00:00:00Z"));
        for level in Level::ALL {
            assert_eq!(
                level.truncate(DateTime::<Utc>::MIN_UTC),
                DateTime::<Utc>::MIN_UTC
            );
            assert!(level.truncate(DateTime::<Utc>::MAX_UTC) <= DateTime::<Utc>::MAX_UTC);
        }
        // A window touching the end of chrono's range cannot be widened.
        assert_eq!(
            Plan::for_window(
                DateTime::<Utc>::MAX_UTC - TimeDelta::hours(1),
                DateTime::<Utc>::MAX_UTC,
                now,
                &l
            ),
            Err(PlanError::OutOfRange)
        );
    }

    /// Regression: the roll-up truncated `at` with `DurationRound`, whose
    /// `expect("in range")` panicked for an event before 1677 or after 2262
    /// (a gateway may send any `at` in the past), killing the roll-up task.
    #[test]
    fn roll_up_aggregates_events_of_any_time() {
        let event = |at: DateTime<Utc>| UsageEvent {
            id: Uuid::nil(),
            token_id: None,
            route_id: None,
            method: "GET".into(),
            status: 200,
            latency_ms: 1.0,
            upstream_latency_ms: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: None,
            user_agent: None,
            error_code: None,
            at,
            count: 1,
        };
        let events = [
            event(at("1600-01-01T00:00:30Z")),
            event(at("2300-01-01T10:20:30Z")),
            event(DateTime::<Utc>::MIN_UTC),
            event(DateTime::<Utc>::MAX_UTC),
        ];
        let refs: Vec<&UsageEvent> = events.iter().collect();
        for level in Level::ALL {
            let rows = aggregate(&refs, level, &BTreeMap::new());
            assert_eq!(rows.values().map(|a| a.requests).sum::<i64>(), 4);
            assert!(rows.keys().any(|k| k.bucket == at("1600-01-01T00:00:00Z")));
        }
    }

    /// Any time chrono can represent, with its extremes and the edges of
    /// the nanosecond range drawn often.
    fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
        let min = DateTime::<Utc>::MIN_UTC.timestamp();
        let max = DateTime::<Utc>::MAX_UTC.timestamp();
        let edge = |s: &str| at(s).timestamp();
        prop_oneof![
            (min..=max, 0u32..1_000_000_000),
            (
                prop_oneof![
                    Just(min),
                    Just(max),
                    Just(0),
                    Just(edge("1677-09-21T00:12:43Z")),
                    Just(edge("2262-04-11T23:47:16Z")),
                    Just(edge("2026-11-26T00:00:00Z")),
                ],
                0u32..1_000_000_000
            )
                .prop_flat_map(|(s, n)| ((s - 200_000)..=(s + 200_000), Just(n))),
        ]
        .prop_map(move |(s, n)| {
            DateTime::from_timestamp(s.clamp(min, max), n).unwrap_or(DateTime::<Utc>::MAX_UTC)
        })
    }

    proptest! {
        /// No window panics; every accepted one is non-empty, within the
        /// limits, covers what was asked, and is aligned to its buckets.
        #[test]
        fn planning_never_panics_and_obeys_the_caps(
            since in any_time(),
            until in any_time(),
            longest_days in 1i64..5000,
            max_buckets in 1usize..3000,
            now in prop_oneof![any_time(), Just(at("2026-11-26T15:37:12Z"))],
        ) {
            let limits = [
                super::Retention::default().window_limits(),
                WindowLimits {
                    longest: TimeDelta::days(longest_days),
                    max_buckets,
                    retention: Retention::default(),
                },
            ];
            for l in &limits {
                if let Ok(p) = Plan::for_window(since, until, now, l) {
                    prop_assert!(since < until);
                    prop_assert!(until - since <= l.longest);
                    prop_assert!(p.buckets() >= 1 && p.buckets() <= l.max_buckets);
                    prop_assert!(p.since <= since && p.until >= until);
                    prop_assert_eq!(p.since.timestamp() % p.bucket.num_seconds(), 0);
                    prop_assert_eq!(p.bucket.num_seconds() % p.level.width().num_seconds(), 0);
                    prop_assert_eq!(p.index(p.since), Some(0));
                    prop_assert_eq!(p.index(p.until), None);
                    // The level read still keeps the window's first bucket,
                    // unless it is the coarsest and says what is not covered.
                    let kept = now.checked_sub_signed(l.retention.of(p.level));
                    match p.uncovered_until {
                        None => prop_assert!(kept.is_none_or(|k| p.since >= k)),
                        Some(u) => {
                            prop_assert_eq!(p.level, Level::Day);
                            prop_assert!(p.since < u);
                        }
                    }
                }
            }
            for level in Level::ALL {
                let t = level.truncate(since);
                prop_assert!(t <= since && since - t < level.width());
            }
        }
    }
}
