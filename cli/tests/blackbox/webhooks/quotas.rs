//! `quota.80_percent` and `quota.exhausted`: requests through a real native
//! gateway use up a token's quota; each event arrives once, signed, with
//! the subject and the period, however many requests are refused after.

use super::receiver::Receiver;
use super::{add, start};
use crate::common::Backend;
use crate::gateways::native_gateway::Native;
use crate::gateways::token;
use crate::quotas::wait_known;
use std::time::Duration;

pub(super) fn quota_warning_and_exhaustion_arrive_once(backend: Backend) {
    let Some(srv) = start(backend, &[]) else {
        return;
    };
    let s = Native::start(srv);
    let rx = Receiver::start(0);
    let (_, secret) = add(
        &s.cli,
        &format!("{}/quota", rx.base),
        "quota.80_percent,quota.exhausted",
    );
    let t = token(&s.cli, "metered", &["--scope", "echo", "--quota", "10/day"]);
    wait_known(&s.http, &s.gw.url, &t);
    let url = format!("{}/api/echo/q", s.gw.url);
    let statuses: Vec<u16> = (0..25).map(|_| s.http.get(&url, Some(&t)).status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    let got = rx.wait_for("/quota", Duration::from_secs(20), |a| a.len() >= 2);
    // More refused requests, and their usage ingested: nothing new.
    for _ in 0..10 {
        assert_eq!(s.http.get(&url, Some(&t)).status, 429);
    }
    std::thread::sleep(Duration::from_secs(3));
    let got_later = rx.at("/quota");
    assert_eq!(got_later.len(), 2, "once each: {got_later:#?}");
    let mut events: Vec<String> = got
        .iter()
        .map(|a| {
            assert!(a.signed_with(&secret));
            a.json()["event"].as_str().unwrap().to_string()
        })
        .collect();
    events.sort();
    assert_eq!(events, ["quota.80_percent", "quota.exhausted"]);
    for a in &got {
        let body = a.json();
        let data = &body["data"];
        assert_eq!(data["subject"], "token", "{body}");
        assert_eq!(data["name"], "metered", "{body}");
        assert_eq!(data["limit"], "10/day", "{body}");
        assert_eq!(data["kind"], "requests", "{body}");
        let used = data["used"].as_u64().unwrap();
        match body["event"].as_str().unwrap() {
            "quota.80_percent" => assert!((8..=10).contains(&used), "{body}"),
            _ => assert_eq!(used, 10, "{body}"),
        }
    }
}
