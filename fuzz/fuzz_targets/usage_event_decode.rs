//! Usage events and ingest batches as the server reads them
//! (`POST /v1/usage/events` takes a JSON array of `UsageEvent`), then
//! aggregated into rollup rows as the server's roll-up job does.
//!
//! Invariants: no panic; an event in the years 0000-9999 survives a JSON
//! round trip (latencies to within an ulp, everything else exactly); the
//! rollups of a batch count every event once, and a histogram survives its
//! encoding.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use tokenctl_gateway::UsageEvent;
use tokenctl_server::usage::{aggregate, Histogram, Level};

fn round_trip(e: &UsageEvent) {
    let json = serde_json::to_string(e).expect("an event serialises");
    if !(0..=9999).contains(&e.at.year()) {
        // chrono writes such years in a form RFC 3339 cannot read back.
        return;
    }
    let back: UsageEvent = serde_json::from_str(&json).expect("and reads back");
    // serde_json reads floats to within an ulp, not always exactly (its
    // `float_roundtrip` feature is off): compare latencies loosely, the
    // rest exactly.
    let near = |a: f64, b: f64| a == b || (a - b).abs() <= a.abs().max(b.abs()) * 1e-15;
    assert!(near(back.latency_ms, e.latency_ms));
    match (back.upstream_latency_ms, e.upstream_latency_ms) {
        (Some(a), Some(b)) => assert!(near(a, b)),
        (a, b) => assert_eq!(a, b),
    }
    let exact = |mut e: UsageEvent| {
        e.latency_ms = 0.0;
        e.upstream_latency_ms = e.upstream_latency_ms.map(|_| 0.0);
        serde_json::to_string(&e).unwrap()
    };
    assert_eq!(exact(back), exact(e.clone()));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = serde_json::from_slice::<UsageEvent>(data) {
        round_trip(&e);
    }
    let Ok(batch) = serde_json::from_slice::<Vec<UsageEvent>>(data) else {
        return;
    };
    for e in &batch {
        round_trip(e);
    }
    let refs: Vec<&UsageEvent> = batch.iter().collect();
    for level in Level::ALL {
        let rows = aggregate(&refs, level, &BTreeMap::new());
        let requests: i64 = rows.values().map(|a| a.requests).sum();
        assert_eq!(requests, batch.len() as i64);
        for (key, agg) in &rows {
            assert_eq!(level.truncate(key.bucket), key.bucket);
            assert!(agg.errors <= agg.requests);
            assert_eq!(Histogram::decode(&agg.hist.encode()), agg.hist);
            assert_eq!(agg.hist.count(), agg.requests as u64);
        }
    }
});
