//! The usage pipeline's contract (`gateway/core/src/usage`): whatever a
//! client makes of its request, the event a gateway records passes the
//! check ingest applies; denial counting never loses or invents a request
//! and stays within its address bound; reading any ingest answer never
//! panics.
//!
//! Invariants: `normalise` then `check` is `Ok` (for a non-nil id) and
//! `normalise` is idempotent; the aggregator's flushed counts plus what it
//! handed back equal what it was offered, and every flushed event passes
//! the check; `IngestAnswer::classify` accepts any status and body.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use tokenctl_gateway::usage::event::COUNT_MAX;
use tokenctl_gateway::usage::{DenialAggregator, IngestAnswer, UsageEvent};

#[derive(Debug, Arbitrary)]
struct Raw<'a> {
    method: &'a str,
    status: u16,
    latency_ms: f64,
    upstream_latency_ms: Option<f64>,
    bytes_in: u64,
    bytes_out: u64,
    client_ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    error_code: Option<&'a str>,
    /// Seconds from "now".
    offset_secs: i32,
    count: u32,
    with_token: bool,
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    events: Vec<Raw<'a>>,
    window_secs: u8,
    max_addresses: u8,
    status: Option<u16>,
    body: &'a [u8],
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fuzz_target!(|input: Input<'_>| {
    let _ = IngestAnswer::classify(input.status, input.body);
    let mut agg = DenialAggregator::new(
        TimeDelta::seconds(i64::from(input.window_secs)),
        usize::from(input.max_addresses),
    );
    let (mut offered, mut handed_back) = (0u64, 0u64);
    let mut next_id = 1u128;
    for raw in input.events.iter().take(256) {
        let mut e = UsageEvent {
            id: uuid::Uuid::from_u128(next_id),
            token_id: raw.with_token.then(|| uuid::Uuid::from_u128(7)),
            route_id: None,
            method: raw.method.to_string(),
            status: raw.status,
            latency_ms: raw.latency_ms,
            upstream_latency_ms: raw.upstream_latency_ms,
            bytes_in: raw.bytes_in,
            bytes_out: raw.bytes_out,
            client_ip: raw.client_ip.map(str::to_string),
            user_agent: raw.user_agent.map(str::to_string),
            error_code: raw.error_code.map(str::to_string),
            at: now() + TimeDelta::seconds(i64::from(raw.offset_secs)),
            count: raw.count,
            model: None,
            input_tokens: None,
            output_tokens: None,
            cached_input_tokens: None,
        };
        next_id += 1;
        e.normalise(now());
        assert_eq!(e.check(now()), Ok(()), "{e:?}");
        let mut again = e.clone();
        again.normalise(now());
        assert_eq!(again, e);
        offered += u64::from(e.count);
        if let Some(back) = agg.offer(e) {
            handed_back += u64::from(back.count);
        }
    }
    let mut ids = 1_000_000u128;
    let mut new_id = |_| {
        ids += 1;
        uuid::Uuid::from_u128(ids)
    };
    let mut flushed = agg.flush_due(now(), &mut new_id);
    flushed.extend(agg.flush_all(&mut new_id));
    assert_eq!(agg.pending(), 0);
    // Distinct keys with an address: at most `max_addresses` per window
    // (no offer came between the flushes to free a slot), plus one for
    // each tally that reached COUNT_MAX, which frees its slot.
    let addressed: std::collections::BTreeSet<_> = flushed
        .iter()
        .filter(|e| e.client_ip.is_some())
        .map(|e| (e.client_ip.clone(), e.error_code.clone(), e.status, e.method.clone()))
        .collect();
    let windows: std::collections::BTreeSet<_> = flushed
        .iter()
        .map(|e| e.at.timestamp().div_euclid(i64::from(input.window_secs.max(1))))
        .collect();
    let full = flushed.iter().filter(|e| e.count == COUNT_MAX).count();
    assert!(addressed.len() <= usize::from(input.max_addresses) * windows.len().max(1) + full);
    for e in &flushed {
        assert_eq!(e.check(now()), Ok(()), "{e:?}");
    }
    let counted: u64 = flushed.iter().map(|e| u64::from(e.count)).sum();
    assert_eq!(counted + handed_back, offered);
});
