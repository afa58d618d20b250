//! Calendar periods in UTC: the hour, day or month an instant falls in.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The calendar period a quota counts over, always in UTC: a quota of
/// `100/day` allows 100 requests from 00:00:00 UTC to the next midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// From hh:00:00 to the next hour.
    Hour,
    /// From 00:00:00 to the next midnight.
    Day,
    /// From the 1st, 00:00:00, to the 1st of the next month.
    Month,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 3] = [Period::Hour, Period::Day, Period::Month];

    /// The name used in `N/PERIOD`: `hour`, `day`, `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Month => "month",
        }
    }

    /// The start of the period `at` falls in (inclusive).
    pub fn start(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let date = at.date_naive();
        let start = match self {
            Period::Hour => date.and_hms_opt(at.hour(), 0, 0),
            Period::Day => date.and_hms_opt(0, 0, 0),
            Period::Month => date.with_day(1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        };
        start
            .expect("the start of an existing period exists")
            .and_utc()
    }

    /// The end of the period `at` falls in (exclusive): the next period's
    /// start. Saturates at the largest representable instant.
    pub fn end(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let start = self.start(at);
        let end = match self {
            Period::Hour => start.checked_add_signed(TimeDelta::hours(1)),
            Period::Day => start.checked_add_signed(TimeDelta::days(1)),
            Period::Month => {
                let (y, m) = (start.year(), start.month());
                let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                NaiveDate::from_ymd_opt(y, m, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            }
        };
        end.unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whole seconds from `now` to the end of its period, rounded up and
    /// at least 1: the `Retry-After` of a refused request.
    pub fn secs_to_end(self, now: DateTime<Utc>) -> u64 {
        let left = self.end(now) - now;
        let secs = left.num_seconds() + i64::from(left.subsec_nanos() > 0);
        u64::try_from(secs).unwrap_or(0).max(1)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not `hour`, `day` or `month`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the period must be hour, day or month")]
pub struct UnknownPeriod;

impl FromStr for Period {
    type Err = UnknownPeriod;

    fn from_str(s: &str) -> Result<Period, UnknownPeriod> {
        Period::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(UnknownPeriod)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn calendar_boundaries() {
        let at = t("2026-12-03T13:25:33.5Z");
        assert_eq!(Period::Hour.start(at), t("2026-12-03T13:00:00Z"));
        assert_eq!(Period::Hour.end(at), t("2026-12-03T14:00:00Z"));
        assert_eq!(Period::Day.start(at), t("2026-12-03T00:00:00Z"));
        assert_eq!(Period::Day.end(at), t("2026-12-04T00:00:00Z"));
        assert_eq!(Period::Month.start(at), t("2026-12-01T00:00:00Z"));
        assert_eq!(Period::Month.end(at), t("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn month_ends_respect_month_lengths_and_leap_years() {
        let cases = [
            ("2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z"),
            ("2025-02-28T12:00:00Z", "2025-03-01T00:00:00Z"),
            ("2000-02-15T00:00:00Z", "2000-03-01T00:00:00Z"),
            ("2100-02-15T00:00:00Z", "2100-03-01T00:00:00Z"),
            ("2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z"),
            ("2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z"),
        ];
        for (at, end) in cases {
            assert_eq!(Period::Month.end(t(at)), t(end), "{at}");
        }
        // 2100 is not a leap year, 2000 was.
        let feb = |y: &str| {
            let start = t(&format!("{y}-02-10T00:00:00Z"));
            (Period::Month.end(start) - Period::Month.start(start)).num_days()
        };
        assert_eq!((feb("2000"), feb("2024"), feb("2100")), (29, 29, 28));
    }

    #[test]
    fn an_instant_on_a_boundary_starts_the_next_period() {
        let midnight = t("2026-12-04T00:00:00Z");
        assert_eq!(Period::Day.start(midnight), midnight);
        assert_eq!(Period::Day.secs_to_end(midnight), 86_400);
        assert_eq!(Period::Day.secs_to_end(t("2026-12-03T23:59:59.2Z")), 1);
        assert_eq!(Period::Hour.secs_to_end(t("2026-12-03T13:25:33Z")), 2_067);
    }

    #[test]
    fn parses_names() {
        assert_eq!("day".parse(), Ok(Period::Day));
        assert_eq!(" Month ".parse(), Ok(Period::Month));
        for bad in ["week", "d", "1h", "", "days"] {
            assert_eq!(bad.parse::<Period>(), Err(UnknownPeriod), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_instant_lies_in_its_period(secs in 0i64..8_000_000_000, nanos in 0u32..1_000_000_000) {
            let at = DateTime::from_timestamp(secs, nanos).unwrap();
            for p in Period::ALL {
                let (start, end) = (p.start(at), p.end(at));
                prop_assert!(start <= at && at < end);
                // The end is the next period's start, and periods tile time.
                prop_assert_eq!(p.start(end), end);
                prop_assert_eq!(p.end(end - TimeDelta::nanoseconds(1)), end);
                let len = (end - start).num_hours();
                let ok = match p {
                    Period::Hour => len == 1,
                    Period::Day => len == 24,
                    Period::Month => (28 * 24..=31 * 24).contains(&len),
                };
                prop_assert!(ok, "{p} from {start} to {end}");
                let wait = p.secs_to_end(at);
                prop_assert!(wait >= 1);
                prop_assert!(at + TimeDelta::seconds(i64::try_from(wait).unwrap()) >= end);
                prop_assert!(at + TimeDelta::seconds(i64::try_from(wait).unwrap() - 1) < end || wait == 1);
            }
        }
    }
}
