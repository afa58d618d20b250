//! Snapshots and config updates from JSON, indexed into a `Gateway`, and
//! requests decided against them.
//!
//! The input is a JSON object `{"snapshot":…, "update":…, "requests":[…]}`
//! (see the seeds); anything else is still tried as a bare `Snapshot` and a
//! bare `ConfigUpdate`. Invariants: no panic; a snapshot survives a JSON
//! round trip; applying an update gives its version and leaves removed ids
//! out; an allowed request goes to its route's upstream; a denial has a
//! 4xx/5xx status and a JSON body.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::net::IpAddr;
use tokenctl_gateway::snapshot::ConfigUpdate;
use tokenctl_gateway::{Gateway, RateLimiter, RequestInfo, Snapshot};

#[derive(Deserialize)]
struct Input {
    snapshot: Snapshot,
    #[serde(default)]
    update: Option<ConfigUpdate>,
    #[serde(default)]
    requests: Vec<Request>,
}

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    method: String,
    #[serde(default)]
    path: String,
    query: Option<String>,
    api_key: Option<String>,
    authorization: Option<String>,
    ip: Option<IpAddr>,
    now: DateTime<Utc>,
}

fn round_trip(s: &Snapshot) {
    let json = serde_json::to_string(s).expect("a snapshot serialises");
    let back: Snapshot = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(&back, s);
}

fn decide(gateway: &Gateway, requests: &[Request]) {
    let mut limiter = RateLimiter::new();
    for r in requests {
        let req = RequestInfo {
            method: &r.method,
            raw_path: &r.path,
            query: r.query.as_deref(),
            api_key_header: r.api_key.as_deref(),
            authorization_header: r.authorization.as_deref(),
            client_ip: r.ip,
        };
        match gateway.authorize(&mut limiter, &req, r.now) {
            Ok(allowed) => {
                let route = gateway
                    .routes()
                    .routes()
                    .iter()
                    .find(|x| x.id == allowed.route_id)
                    .expect("allowed on a known route");
                assert!(allowed.upstream_url.starts_with(&route.upstream));
            }
            Err(denied) => {
                assert!((400..600).contains(&denied.status), "{denied:?}");
                let body: serde_json::Value =
                    serde_json::from_str(&denied.json_body()).expect("JSON body");
                assert!(body.is_object());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = serde_json::from_slice::<Input>(data) {
        let mut snapshot = input.snapshot;
        round_trip(&snapshot);
        decide(&Gateway::new(snapshot.clone()), &input.requests);
        if let Some(update) = input.update {
            let (version, full) = (update.version, update.full);
            let removed = update.removed_tokens.clone();
            let before = snapshot.version;
            match snapshot.apply(update) {
                Ok(()) => {
                    assert_eq!(snapshot.version, version);
                    if !full {
                        assert!(version >= before);
                        assert!(!snapshot.tokens.iter().any(|t| removed.contains(&t.id)));
                    }
                    round_trip(&snapshot);
                    decide(&Gateway::new(snapshot), &input.requests);
                }
                Err(stale) => assert!(!full && stale.update < stale.current),
            }
        }
        return;
    }
    if let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) {
        round_trip(&snapshot);
        let gateway = Gateway::new(snapshot);
        for w in gateway.warnings() {
            let _ = w.to_string();
        }
    }
    if let Ok(update) = serde_json::from_slice::<ConfigUpdate>(data) {
        let mut empty: Snapshot =
            serde_json::from_str(r#"{"version":0,"generated_at":"2026-01-01T00:00:00Z"}"#).unwrap();
        if empty.apply(update).is_ok() {
            let _ = Gateway::new(empty);
        }
    }
});
