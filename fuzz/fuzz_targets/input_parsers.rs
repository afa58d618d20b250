//! The control plane's input parsers (`server/src/api/input.rs`) and the
//! planning of report windows (`server/src/usage.rs`), fed what an
//! operator or a query string can carry.
//!
//! Invariants: no panic at any clock time; an accepted expiry lies after
//! now; an accepted route path or webhook URL is a fixed point; an accepted
//! report window obeys the caps.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use tokenctl_gateway::quota::QuotaKind;
use tokenctl_server::api::input;
use tokenctl_server::usage::{Level, Plan, Retention, WindowLimits};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    a: &'a str,
    b: &'a str,
    /// Seconds and nanoseconds of "now": anything chrono can hold.
    now_secs: i64,
    now_nanos: u32,
    real_clock: bool,
    limit: u32,
    longest_days: u16,
    max_buckets: u16,
}

fuzz_target!(|input: Input<'_>| {
    let (a, b) = (input.a, input.b);
    let _ = input::name("token", a);
    let _ = input::team_name(a);
    let _ = input::team_role(a);
    let _ = input::email(a);
    let _ = input::description(a);
    let _ = input::cidr(a);
    let _ = input::rate_limit(a);
    let _ = input::upstream_url(a);
    let _ = input::upstream_auth(a);
    let _ = input::scope(a);
    let _ = input::tag(a);
    if let Ok(limit) = input::page_limit(input.limit) {
        assert_eq!(limit, input.limit);
    }
    // Quotas and budgets: an accepted one, written back as the CLI shows
    // it, parses to the same limit.
    for kind in [QuotaKind::Requests, QuotaKind::LlmTokens, QuotaKind::Budget] {
        if let Ok(limit) = kind.parse(a) {
            assert!(limit.amount >= 1);
            let shown = format!("{}/{}", kind.format_amount(limit.amount), limit.period);
            assert_eq!(kind.parse(&shown), Ok(limit), "{shown}");
        }
        let _ = input::quota(kind, a);
    }
    // Webhooks: an accepted receiver URL is a fixed point within the
    // length limit; thresholds and warnings stay in their bounds.
    if let Ok(url) = input::webhooks::url(a) {
        assert_eq!(input::webhooks::url(&url).as_ref(), Ok(&url));
        assert!(url.starts_with("http://") || url.starts_with("https://"));
    }
    if let Ok(Some(rate)) = input::webhooks::error_rate(a) {
        assert!(rate > 0.0 && rate <= 1.0);
    }
    if let Ok(warnings) = input::webhooks::expiry_warnings(a) {
        assert!(!warnings.is_empty() && warnings.len() <= 8);
        assert!(warnings.windows(2).all(|w| w[0] > w[1]));
    }
    let names: Vec<String> = a.split(',').map(str::to_string).collect();
    if let Ok(events) = input::webhooks::events(&names) {
        assert_eq!(events.len(), names.len());
    }
    if let Ok(d) = input::duration("grace", a) {
        let _ = input::format_duration(d);
    }
    if let Ok(p) = input::route_path(a) {
        assert_eq!(input::route_path(&p).as_ref(), Ok(&p));
        assert!(p.starts_with('/') && !p.contains("//"));
    }

    let now = if input.real_clock {
        "2026-11-26T12:00:00Z".parse().unwrap()
    } else {
        DateTime::<Utc>::from_timestamp(input.now_secs, input.now_nanos % 1_000_000_000)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    if let Ok(Some(at)) = input::expiry(a, now) {
        assert!(at > now);
    }
    let (Ok(since), Ok(until)) = (
        input::moment("since", a, now),
        input::moment("until", b, now),
    ) else {
        return;
    };
    for limits in [
        Retention::default().window_limits(),
        WindowLimits {
            longest: chrono::TimeDelta::days(i64::from(input.longest_days)),
            max_buckets: usize::from(input.max_buckets),
            retention: Retention::default(),
        },
    ] {
        if let Ok(plan) = Plan::for_window(since, until, now, &limits) {
            assert!(since < until && until - since <= limits.longest);
            assert!(plan.buckets() >= 1 && plan.buckets() <= limits.max_buckets);
            assert!(plan.since <= since && plan.until >= until);
            // The level read keeps the window's start, or is the coarsest
            // and says what is not covered.
            match plan.uncovered_until {
                None => assert!(now
                    .checked_sub_signed(limits.retention.of(plan.level))
                    .is_none_or(|kept| plan.since >= kept)),
                Some(u) => assert!(plan.level == Level::Day && plan.since < u),
            }
            let _ = plan.bucket_label();
        }
    }
});
