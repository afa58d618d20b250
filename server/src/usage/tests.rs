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
        model: None,
        input_tokens: None,
        output_tokens: None,
        cached_input_tokens: None,
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
