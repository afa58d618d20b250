//! Budgets: `--budget USD/PERIOD` through a real native gateway in front of
//! the fake OpenAI upstream, at the prices set with `price set`: the call
//! that crosses the budget completes, the next is refused until midnight
//! UTC; what `token show` and `team show` report, exactly; unpriced calls
//! cost nothing; the overshoot with two gateways; hostile input.

use crate::gateways::native_gateway::Native;
use crate::gateways::{eventually, token};
use crate::on_both_backends;
use crate::quotas::{quota_usage, secs_to_midnight, wait_known};
use crate::spend::call;
use serde_json::{json, Value};
use std::time::Duration;

/// The model the fake upstream's answers name, and the price set for it:
/// USD per million input and output tokens. Every answer reports 17 input
/// and 5 output tokens, so a call costs 17 × 33.333333 + 5 × 100 = 1066.666661
/// micro-dollars: not a whole micro-dollar, so rounding each call would show.
pub const MODEL: &str = crate::fake_openai::MODEL;
pub const PRICE_IN: &str = "33.333333";
pub const PRICE_OUT: &str = "100";

/// The budget entry of `subject` (`token` or `team`) in a `quota_usage` list.
pub fn budget_of(usage: &Value, subject: &str) -> Value {
    usage
        .as_array()
        .and_then(|u| {
            u.iter()
                .find(|q| q["subject"] == subject && q["kind"] == "budget")
        })
        .cloned()
        .unwrap_or(Value::Null)
}

/// Adds the LLM route `llm` to the fake OpenAI upstream.
pub fn llm_route(s: &Native) {
    crate::fake_openai::add_llm_route(&s.cli, &s.upstream.url, &[]);
}

/// One chat completion through the gateway with `secret`: its status and
/// body.
pub fn chat(s: &Native, secret: &str) -> crate::upstream::Reply {
    let url = format!("{}/api/llm/chat/completions", s.gw.url);
    let headers = [("x-api-key", secret), ("content-type", "application/json")];
    s.http.send(
        "POST",
        &url,
        &headers,
        r#"{"model":"gpt-4o","messages":[]}"#,
    )
}

on_both_backends! {
    fn a_budget_lets_the_crossing_call_complete_then_refuses_until_midnight(srv) {
        let s = Native::start(srv);
        llm_route(&s);

        // No price yet: calls cost nothing toward the budget, and are said
        // to be unpriced.
        let early = token(&s.cli, "early", &["--scope", "llm", "--budget", "0.000001/day"]);
        wait_known(&s.http, &s.gw.url, &early);
        for _ in 0..3 {
            assert_eq!(chat(&s, &early).status, 200, "an unpriced call is never refused");
        }
        eventually("unpriced calls counted", Duration::from_secs(15), || {
            budget_of(&quota_usage(&s.srv, "early"), "token")["unpriced_calls"] == 3
        });
        let b = budget_of(&quota_usage(&s.srv, "early"), "token");
        assert_eq!((b["used"].clone(), b["used_usd"].clone()), (json!(0), json!("0.000000")), "{b}");
        let shown = s.cli.run(&["token", "show", "early"]).ok().stdout.clone();
        assert!(shown.contains("3 calls of unpriced models"), "{shown}");

        s.cli.json(&["price", "set", MODEL, "--in", PRICE_IN, "--out", PRICE_OUT]);
        let agent = token(&s.cli, "agent", &["--scope", "llm", "--budget", "0.01/day"]);
        let created = s.cli.json(&["token", "show", "agent"]);
        assert_eq!(created["quotas"], json!([{"kind": "budget", "amount": 10_000, "period": "day"}]), "{created}");
        wait_known(&s.http, &s.gw.url, &agent);
        // $0.01 is 9.4 calls: nine leave it unspent, the tenth crosses it
        // and completes, the eleventh is refused.
        for i in 0..10 {
            let r = chat(&s, &agent);
            assert_eq!(r.status, 200, "call {i}: {}", String::from_utf8_lossy(&r.body));
        }
        let r = chat(&s, &agent);
        assert_eq!((r.status, r.code()), (429, "quota_exceeded".to_string()), "{}", String::from_utf8_lossy(&r.body));
        let retry: i64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
        let expected = secs_to_midnight();
        assert!((retry - expected).abs() <= 2, "Retry-After {retry}, midnight in {expected} s");
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("daily budget"), "{message}");
        for _ in 0..5 {
            assert_eq!(chat(&s, &agent).status, 429);
        }

        // Ten calls cost exactly 10 × $0.001066666661.
        eventually("the cost counted", Duration::from_secs(15), || {
            budget_of(&quota_usage(&s.srv, "agent"), "token")["used_usd"] == "0.01066666661"
        });
        let b = budget_of(&quota_usage(&s.srv, "agent"), "token");
        assert_eq!(b["used"], 10_666, "whole micro-dollars: {b}");
        assert_eq!((b["remaining"].clone(), b["remaining_usd"].clone()), (json!(0), json!("0.000000")), "{b}");
        assert_eq!((b["limit_usd"].clone(), b["unpriced_calls"].clone()), (json!("0.010000"), json!(0)), "{b}");
        let shown = s.cli.run(&["token", "show", "agent"]).ok().stdout.clone();
        assert!(shown.contains("$0.01/day") && shown.contains("$0.01066666661") && shown.contains("0 (used up)"), "{shown}");
        let report = s.cli.json(&["usage", "token", "agent"]);
        assert_eq!(budget_of(&report["quotas"], "token")["used_usd"], "0.01066666661", "{report}");

        // Raised by one call's worth and a bit: one more passes.
        s.cli.json(&["token", "update", "agent", "--budget", "0.0115/day"]);
        eventually("the raised budget at the gateway", Duration::from_secs(10), || chat(&s, &agent).status == 200);
        assert_eq!(chat(&s, &agent).status, 429);
        s.cli.json(&["token", "update", "agent", "--budget", "none"]);
        eventually("no budget at the gateway", Duration::from_secs(10), || chat(&s, &agent).status == 200);
        let audit = s.cli.json(&["audit", "list", "--action", "token.update"]);
        assert!(audit.as_array().unwrap().iter().any(|e| e["before"]["quotas"][0]["amount"] == 10_000
            && e["after"]["quotas"][0]["amount"] == 11_500), "{audit}");
    }

    fn a_team_budget_caps_all_its_tokens_together(srv) {
        let s = Native::start(srv);
        llm_route(&s);
        s.cli.json(&["price", "set", MODEL, "--in", PRICE_IN, "--out", PRICE_OUT]);
        s.cli.json(&["team", "create", "research"]);
        let a = token(&s.cli, "a", &["--team", "research", "--scope", "llm"]);
        let b = token(&s.cli, "b", &["--team", "research", "--scope", "llm", "--budget", "1/day"]);
        let team = s.cli.json(&["team", "update", "research", "--budget", "0.005/day"]);
        assert_eq!(team["quotas"], json!([{"kind": "budget", "amount": 5_000, "period": "day"}]), "{team}");
        wait_known(&s.http, &s.gw.url, &a);
        wait_known(&s.http, &s.gw.url, &b);
        // The first call also waits for the team's budget at the gateway.
        eventually("the team budget at the gateway", Duration::from_secs(10), || {
            s.cli.json(&["team", "show", "research"])["quota_usage"].as_array().is_some_and(|u| !u.is_empty())
                && chat(&s, &a).status == 200
        });
        // $0.005 is 4.7 calls: the fifth crosses it, together.
        let mut passed = 1;
        for i in 0..12 {
            let r = chat(&s, if i % 2 == 0 { &b } else { &a });
            match r.status {
                200 => passed += 1,
                429 => {
                    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
                    assert!(message.contains("team has used up its daily budget"), "{message}");
                }
                other => panic!("status {other}"),
            }
        }
        assert_eq!(passed, 5, "both tokens together");
        eventually("the team's cost counted", Duration::from_secs(15), || {
            budget_of(&s.cli.json(&["team", "show", "research"])["quota_usage"], "team")["used_usd"] == "0.005333333305"
        });
        let shown = s.cli.run(&["team", "show", "research"]).ok().stdout.clone();
        assert!(shown.contains("$0.005/day") && shown.contains("0 (used up)"), "{shown}");
        // `token show` lists the team's budget beside the token's own.
        let usage = quota_usage(&s.srv, "b");
        assert_eq!(budget_of(&usage, "token")["limit_usd"], "1.000000", "{usage}");
        assert_eq!(budget_of(&usage, "team")["remaining_usd"], "0.000000", "{usage}");
        let audit = s.cli.json(&["audit", "list", "--action", "team.update"]);
        assert!(audit.as_array().unwrap().iter().any(|e| e["after"]["quotas"][0]["kind"] == "budget"), "{audit}");
    }

    fn two_gateways_overshoot_a_budget_within_the_documented_bound(srv) {
        let s = Native::start(srv);
        llm_route(&s);
        s.cli.json(&["price", "set", MODEL, "--in", PRICE_IN, "--out", PRICE_OUT]);
        let second = crate::common::TestGateway::start(&s.srv);
        second.wait_ready();
        // $0.05 is 46.9 calls: one gateway alone passes 47.
        let t = token(&s.cli, "shared", &["--scope", "llm", "--budget", "0.05/day"]);
        wait_known(&s.http, &s.gw.url, &t);
        wait_known(&s.http, &second.url, &t);
        let gateways = [s.gw.url.clone(), second.url.clone()];
        let mut passed = 0u64;
        for i in 0..200 {
            let url = format!("{}/api/llm/chat/completions", gateways[i % 2]);
            let headers = [("x-api-key", t.as_str()), ("content-type", "application/json")];
            let r = s.http.send("POST", &url, &headers, r#"{"model":"gpt-4o","messages":[]}"#);
            match r.status {
                200 => passed += 1,
                429 => assert_eq!(r.code(), "quota_exceeded"),
                other => panic!("status {other}"),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        println!("two native gateways, budget 0.05/day (47 calls alone): {passed} calls passed at ~40 calls/s");
        // Each gateway passes at most the budget on its own count, plus
        // the call that crosses it.
        assert!((47..=94).contains(&passed), "{passed}");
    }

    fn invalid_budgets_are_refused_and_nothing_is_stored(srv) {
        let cli = srv.cli();
        cli.json(&["route", "add", "r", "--all-teams", "--path", "/r", "--upstream", "https://r.example"]);
        cli.json(&["token", "create", "--name", "kept", "--scope", "r", "--budget", "2.5/month"]);
        cli.json(&["team", "create", "t"]);
        let bad_budgets = [
            "0/day", "-1/day", "0.0000001/day", "1.1234567/day", "1000000000.01/day", "99999999999999999999/day",
            "1e3/day", "NaN/day", "1,5/day", ".5/day", "1./day", "5/week", "5", "garbage", "",
        ];
        for bad in bad_budgets {
            let created = cli.run(&["token", "create", "--name", "bad", "--scope", "r", &format!("--budget={bad}")]);
            assert!(created.fails(2).contains("budget"), "{bad}: {}", created.stderr);
            cli.run(&["token", "update", "kept", &format!("--budget={bad}")]).fails(2);
            cli.run(&["team", "update", "t", &format!("--budget={bad}")]).fails(2);
            let (status, body) = call(&srv, "POST", "/v1/tokens", Some(json!({"name": "bad", "scopes": ["r"], "budget": bad})));
            assert_eq!(status, 422, "{bad}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("budget"), "{body}");
            let (status, body) = call(&srv, "PATCH", "/v1/tokens/kept", Some(json!({"budget": bad})));
            assert_eq!(status, 422, "{bad}: {body}");
            let (status, body) = call(&srv, "PATCH", "/v1/teams/t", Some(json!({"budget": bad})));
            assert_eq!(status, 422, "{bad}: {body}");
        }
        for bad in [json!(5), json!(0.5), json!(["1/day"]), json!("1/day".repeat(10_000))] {
            let (status, body) = call(&srv, "PATCH", "/v1/tokens/kept", Some(json!({"budget": bad})));
            assert!(matches!(status, 400 | 422), "{bad}: {status} {body}");
            assert!(body["error"]["message"].as_str().unwrap().len() < 300, "{body}");
        }
        cli.run(&["token", "show", "bad"]).fails(3);
        let kept = cli.json(&["token", "show", "kept"]);
        assert_eq!(kept["quotas"], json!([{"kind": "budget", "amount": 2_500_000, "period": "month"}]), "nothing stored");
        assert_eq!(cli.json(&["team", "show", "t"])["quotas"], json!([]), "nothing stored");
        // The largest budget and six decimals are fine.
        cli.json(&["token", "update", "kept", "--budget", "1000000000/hour"]);
        cli.json(&["token", "update", "kept", "--budget", "0.000001/day"]);
        assert_eq!(cli.json(&["token", "show", "kept"])["quotas"][0]["amount"], 1);
    }
}
