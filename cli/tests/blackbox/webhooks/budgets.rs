//! `budget.80_percent` and `budget.exhausted`: LLM calls through a real
//! native gateway spend a token's budget at the prices set; each event
//! arrives once, signed, with the exact dollars, however many calls are
//! refused after.

use super::receiver::Receiver;
use super::{add, start};
use crate::budgets::{chat, llm_route, MODEL, PRICE_IN, PRICE_OUT};
use crate::common::Backend;
use crate::gateways::native_gateway::Native;
use crate::gateways::token;
use crate::quotas::wait_known;
use std::time::Duration;

pub(super) fn budget_warning_and_exhaustion_arrive_once(backend: Backend) {
    let Some(srv) = start(backend, &[]) else {
        return;
    };
    let s = Native::start(srv);
    let rx = Receiver::start(0);
    let (_, secret) = add(
        &s.cli,
        &format!("{}/budget", rx.base),
        "budget.80_percent,budget.exhausted,quota.80_percent,quota.exhausted",
    );
    llm_route(&s);
    s.cli
        .json(&["price", "set", MODEL, "--in", PRICE_IN, "--out", PRICE_OUT]);
    let t = token(
        &s.cli,
        "spender",
        &["--scope", "llm", "--budget", "0.01/day"],
    );
    wait_known(&s.http, &s.gw.url, &t);
    // Each call costs $0.001066666661: the eighth reaches 80 %, the tenth
    // crosses the budget.
    let statuses: Vec<u16> = (0..14).map(|_| chat(&s, &t).status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    let got = rx.wait_for("/budget", Duration::from_secs(20), |a| a.len() >= 2);
    for _ in 0..5 {
        assert_eq!(chat(&s, &t).status, 429);
    }
    std::thread::sleep(Duration::from_secs(3));
    let got_later = rx.at("/budget");
    assert_eq!(
        got_later.len(),
        2,
        "once each, no quota events: {got_later:#?}"
    );
    let mut events: Vec<String> = got
        .iter()
        .map(|a| {
            assert!(a.signed_with(&secret));
            a.json()["event"].as_str().unwrap().to_string()
        })
        .collect();
    events.sort();
    assert_eq!(events, ["budget.80_percent", "budget.exhausted"]);
    for a in &got {
        let body = a.json();
        let data = &body["data"];
        assert_eq!(data["subject"], "token", "{body}");
        assert_eq!(data["name"], "spender", "{body}");
        assert_eq!(data["kind"], "budget", "{body}");
        assert_eq!(data["limit"], "0.01/day", "{body}");
        assert_eq!(data["limit_usd"], "0.010000", "{body}");
        match body["event"].as_str().unwrap() {
            "budget.80_percent" => {
                // Eight to ten calls, by how the usage batches arrived.
                let used = data["used_usd"].as_str().unwrap();
                assert!(
                    ["0.008533333288", "0.009599999949", "0.01066666661"].contains(&used),
                    "{body}"
                );
            }
            _ => {
                assert_eq!(data["used_usd"], "0.01066666661", "{body}");
                assert_eq!(data["used"], 10_666, "{body}");
            }
        }
    }
}
