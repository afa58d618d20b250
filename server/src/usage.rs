//! Usage rollups: the latency histogram, the aggregation of events into
//! rollup rows, and the choice of rollup level for a report window. Pure
//! logic, tested here; storage is in `db/usage_queries.rs`.

use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeMap;

pub mod cost;
pub mod tokens;
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

    /// The table of this level's LLM token rollups.
    pub fn tokens_table(self) -> &'static str {
        match self {
            Level::Minute => "usage_tokens_minute",
            Level::Hour => "usage_tokens_hour",
            Level::Day => "usage_tokens_day",
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
mod tests;
