//! Spend control: LLM routes (`--llm`), the token counts usage events
//! carry and their bounds at ingest.

use crate::common::{runtime, TestServer};
use crate::on_both_backends;
use crate::usage::event;
use serde_json::{json, Value};

/// Sends `method path` with the admin credential and a JSON body; returns
/// the status and the decoded body.
pub(crate) fn call(
    srv: &TestServer,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    runtime().block_on(async {
        let mut request = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", srv.url))
            .bearer_auth(&srv.admin);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    })
}

on_both_backends! {
    fn llm_routes_are_marked_shown_and_cleared(srv) {
        let cli = srv.cli();
        let route = cli.json(&[
            "route", "add", "oai", "--all-teams", "--path", "/oai", "--upstream", "https://api.openai.com/v1",
            "--llm", "openai",
        ]);
        assert_eq!(route["llm"], "openai");
        let plain = cli.json(&["route", "add", "plain", "--all-teams", "--path", "/plain", "--upstream", "https://example.com"]);
        assert_eq!(plain["llm"], Value::Null, "not an LLM route unless asked");
        assert_eq!(cli.json(&["route", "show", "oai"])["llm"], "openai");
        let list = cli.json(&["route", "list"]);
        let llm_of = |name: &str| list.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["llm"].clone();
        assert_eq!((llm_of("oai"), llm_of("plain")), (json!("openai"), Value::Null));
        let table = cli.run(&["route", "list"]).ok().stdout.clone();
        assert!(table.contains("LLM") && table.contains("openai"), "{table}");
        let shown = cli.run(&["route", "show", "oai"]).ok().stdout.clone();
        assert!(shown.contains("openai (model and tokens recorded)"), "{shown}");

        // Changed, kept by unrelated updates, cleared with `none`.
        assert_eq!(cli.json(&["route", "update", "oai", "--llm", "anthropic"])["llm"], "anthropic");
        assert_eq!(cli.json(&["route", "update", "oai", "--timeout", "1m"])["llm"], "anthropic");
        assert_eq!(cli.json(&["route", "update", "oai", "--llm", "none"])["llm"], Value::Null);
        let audit = cli.json(&["audit", "list", "--action", "route.update"]);
        assert!(audit.as_array().unwrap().iter().any(|e| e["before"]["llm"] == "anthropic" && e["after"]["llm"] == Value::Null), "{audit}");

        // Refused before any request by the CLI, and by the server.
        let typo = cli.run(&["route", "update", "oai", "--llm", "OpenAI"]);
        assert!(typo.fails(2).contains("openai, anthropic or none"), "{}", typo.stderr);
        cli.run(&["route", "add", "x", "--all-teams", "--path", "/x", "--upstream", "https://x.example", "--llm", "gemini"]).fails(2);
        for bad in [json!("gemini"), json!(""), json!(5), json!(["openai"]), json!("openai".repeat(10_000))] {
            let (status, body) = call(&srv, "POST", "/v1/routes", Some(json!({
                "name": "hostile", "path": "/hostile", "upstream": "https://h.example", "all_teams": true, "llm": bad,
            })));
            // 422 for a value, 400 for a body of the wrong shape.
            assert!(matches!(status, 400 | 422), "{bad}: {status} {body}");
            assert!(body["error"]["message"].as_str().is_some(), "{body}");
            let (status, body) = call(&srv, "PATCH", "/v1/routes/oai", Some(json!({"llm": bad})));
            assert!(matches!(status, 400 | 422), "{bad}: {status} {body}");
        }
        cli.run(&["route", "show", "hostile"]).fails(3);
        assert_eq!(cli.json(&["route", "show", "oai"])["llm"], Value::Null, "nothing stored");
        // `null` in a change leaves it as it is.
        cli.json(&["route", "update", "oai", "--llm", "openai"]);
        let (status, body) = call(&srv, "PATCH", "/v1/routes/oai", Some(json!({"llm": null, "timeout": "2m"})));
        assert_eq!((status, &body["llm"]), (200, &json!("openai")), "{body}");
    }

    fn ingest_bounds_token_counts_and_models(srv) {
        let cli = srv.cli();
        let key = cli.json(&["gateway-key", "create", "feeder"])["secret"].as_str().unwrap().to_string();
        let now = chrono::Utc::now();
        let with = |fields: Value| {
            let mut e = event(now, None, None, 200, 5.0, None);
            for (k, v) in fields.as_object().unwrap() {
                e[k] = v.clone();
            }
            e
        };
        let events = json!([
            with(json!({"model": "gpt-4o", "input_tokens": 10, "output_tokens": 2, "cached_input_tokens": 0})),
            with(json!({"model": "gpt-4o", "input_tokens": 1_000_000_001u64, "output_tokens": 2})),
            with(json!({"model": "gpt-4o", "output_tokens": u64::MAX})),
            with(json!({"model": "", "input_tokens": 1})),
            with(json!({"model": "m".repeat(257), "input_tokens": 1})),
            with(json!({"model": "a\u{7}b", "input_tokens": 1})),
            with(json!({"model": "gpt-4o", "cached_input_tokens": 1_000_000_001u64, "input_tokens": 1})),
            with(json!({"input_tokens": -1})),
            with(json!({"model": 5})),
        ]);
        let answer = crate::usage::post(&srv, &key, &events);
        assert_eq!((answer["received"].as_u64(), answer["inserted"].as_u64()), (Some(9), Some(1)), "{answer}");
        let refused: Vec<(u64, String)> = answer["refused"].as_array().unwrap().iter()
            .map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(refused[0].1.contains("token counts"), "{refused:?}");
        assert!(refused[2].1.contains("model"), "{refused:?}");
    }

    fn prices_are_exact_audited_and_keep_their_history(srv) {
        let cli = srv.cli();
        let first = cli.json(&["price", "set", "gpt-4o", "--in", "2.50", "--out", "10", "--from", "2026-01-01T00:00:00Z"]);
        assert_eq!((first["model"].as_str(), first["input_usd_per_1m"].as_str(), first["output_usd_per_1m"].as_str()),
            (Some("gpt-4o"), Some("2.500000"), Some("10.000000")));
        assert_eq!(first["set_by"], "admin");
        cli.json(&["price", "set", "gpt-4o", "--in", "0.075", "--out", "0.3"]);
        cli.json(&["price", "set", "o3", "--in", "0.000001", "--out", "1000000"]);
        let list = cli.json(&["price", "list"]);
        let rows: Vec<(String, String, String)> = list.as_array().unwrap().iter().map(|p| (
            p["model"].as_str().unwrap().to_string(),
            p["input_usd_per_1m"].as_str().unwrap().to_string(),
            p["output_usd_per_1m"].as_str().unwrap().to_string(),
        )).collect();
        assert_eq!(rows, [
            ("gpt-4o".into(), "0.075000".into(), "0.300000".into()),
            ("o3".into(), "0.000001".into(), "1000000.000000".into()),
        ]);
        let history = cli.json(&["price", "history", "gpt-4o"]);
        let inputs: Vec<&str> = history.as_array().unwrap().iter().map(|p| p["input_usd_per_1m"].as_str().unwrap()).collect();
        assert_eq!(inputs, ["0.075000", "2.500000"], "newest first");
        assert_eq!(cli.json(&["price", "history", "never-priced"]), json!([]));
        let table = cli.run(&["price", "list"]).ok().stdout.clone();
        assert!(table.contains("INPUT $/1M") && table.contains("0.075000"), "{table}");
        assert_eq!(cli.json(&["audit", "list", "--action", "price.set"]).as_array().unwrap().len(), 3);

        // The same moment twice is a conflict: history is not rewritten.
        cli.run(&["price", "set", "gpt-4o", "--in", "9", "--out", "9", "--from", "2026-01-01T00:00:00Z"]).fails(5);
        // Hostile prices and models: a clear 4xx, nothing stored.
        for bad in ["-1", "1e3", "0.0000001", "1000000.000001", "NaN", "", "2,50", "99999999999999999999"] {
            cli.run(&["price", "set", "x", "--in", bad, "--out", "1"]).fails(2);
            let (status, body) = call(&srv, "POST", "/v1/prices", Some(json!({
                "model": "x", "input_usd_per_1m": "1", "output_usd_per_1m": bad,
            })));
            assert_eq!(status, 422, "{bad}: {body}");
        }
        for (status_wanted, body) in [
            (422, json!({"model": "", "input_usd_per_1m": "1", "output_usd_per_1m": "1"})),
            (422, json!({"model": "m".repeat(257), "input_usd_per_1m": "1", "output_usd_per_1m": "1"})),
            (422, json!({"model": "a\nb", "input_usd_per_1m": "1", "output_usd_per_1m": "1"})),
            (422, json!({"model": "x", "input_usd_per_1m": "1", "output_usd_per_1m": "1", "effective_from": "yesterday-ish"})),
            (400, json!({"model": "x", "input_usd_per_1m": 2.5, "output_usd_per_1m": "1"})),
            (400, json!({"model": "x", "input_usd_per_1m": "1"})),
        ] {
            let (status, answer) = call(&srv, "POST", "/v1/prices", Some(body.clone()));
            assert_eq!(status, status_wanted, "{body}: {answer}");
        }
        let (status, _) = call(&srv, "GET", &format!("/v1/prices/history?model={}", "m".repeat(300)), None);
        assert_eq!(status, 422);
        assert_eq!(cli.json(&["price", "history", "x"]), json!([]), "nothing stored");
    }

    /// Reports sum tokens per model and price each bucket with the price in
    /// force at its start: a price change in the middle of the window
    /// prices the calls before it at the old price.
    fn reports_sum_tokens_per_model_and_price_them_per_bucket(srv) {
        let cli = srv.cli();
        let route = cli.json(&["route", "add", "oai", "--all-teams", "--path", "/oai", "--upstream", "https://api.openai.com/v1", "--llm", "openai"]);
        let route_id = route["id"].as_str().unwrap().to_string();
        let token = cli.json(&["token", "create", "--name", "wf", "--scope", "oai"]);
        let token_id = token["id"].as_str().unwrap().to_string();
        let key = cli.json(&["gateway-key", "create", "feeder"])["secret"].as_str().unwrap().to_string();
        use chrono::{DurationRound, TimeDelta};
        let hour = chrono::Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap();
        let early = hour - TimeDelta::hours(3) + TimeDelta::minutes(5);
        let late = hour - TimeDelta::hours(1) + TimeDelta::minutes(5);
        let call = |at, model: &str, input: u64, output: u64, cached: u64| {
            let mut e = event(at, Some(&token_id), Some(&route_id), 200, 5.0, None);
            e["model"] = json!(model);
            e["input_tokens"] = json!(input);
            e["output_tokens"] = json!(output);
            e["cached_input_tokens"] = json!(cached);
            e
        };
        let plain = event(late, Some(&token_id), Some(&route_id), 200, 5.0, None);
        crate::usage::post(&srv, &key, &json!([
            call(early, "gpt-4o", 1000, 100, 0),
            call(late, "gpt-4o", 2000, 300, 1024),
            call(late, "gpt-4o", 1, 1, 0),
            call(late, "mystery-model", 50, 5, 0),
            plain,
        ]));
        crate::usage::rolled_up(&srv);
        // gpt-4o: USD 2.50/10 until two hours ago, then USD 5/20.
        let change = (hour - TimeDelta::hours(2)).to_rfc3339();
        cli.json(&["price", "set", "gpt-4o", "--in", "2.50", "--out", "10", "--from", "2026-01-01"]);
        cli.json(&["price", "set", "gpt-4o", "--in", "5", "--out", "20", "--from", &change]);

        let report = cli.json(&["usage", "token", "wf", "--since", "6h"]);
        let llm = &report["llm"];
        // early: 1000 × 2.5 + 100 × 10 = 3,500 µ$·M⁻¹ → $0.0035
        // late: 2001 × 5 + 301 × 20 = 16,025 → $0.016025; total $0.019525
        assert_eq!(llm["calls"], 4, "{llm}");
        assert_eq!((llm["input_tokens"].as_i64(), llm["output_tokens"].as_i64(), llm["cached_input_tokens"].as_i64()),
            (Some(3051), Some(406), Some(1024)), "{llm}");
        assert_eq!(llm["cost_usd"], "0.019525", "{llm}");
        assert_eq!(llm["unpriced_calls"], 1, "{llm}");
        let gpt = llm["by_model"].as_array().unwrap().iter().find(|m| m["model"] == "gpt-4o").unwrap();
        assert_eq!((gpt["calls"].as_i64(), gpt["input_tokens"].as_i64(), gpt["output_tokens"].as_i64()), (Some(3), Some(3001), Some(401)));
        assert_eq!(gpt["cost_usd"], "0.019525");
        let mystery = llm["by_model"].as_array().unwrap().iter().find(|m| m["model"] == "mystery-model").unwrap();
        assert_eq!((mystery["cost_usd"].clone(), mystery["unpriced_calls"].as_i64()), (Value::Null, Some(1)));
        assert_eq!(report["totals"]["calls"], 5, "calls without tokens still count as calls");
        let route_row = &report["by_route"][0];
        assert_eq!((route_row["input_tokens"].as_i64(), route_row["output_tokens"].as_i64(), route_row["cost_usd"].as_str()),
            (Some(3051), Some(406), Some("0.019525")));

        // The same numbers in every report.
        assert_eq!(cli.json(&["usage", "route", "oai", "--since", "6h"])["llm"]["cost_usd"], "0.019525");
        assert_eq!(cli.json(&["usage", "--since", "6h"])["llm"]["cost_usd"], "0.019525");
        let tokens = cli.json(&["usage", "tokens", "--since", "6h"]);
        let wf = tokens["rows"].as_array().unwrap().iter().find(|r| r["name"] == "wf").unwrap();
        assert_eq!((wf["input_tokens"].as_i64(), wf["cost_usd"].as_str()), (Some(3051), Some("0.019525")));
        let routes = cli.json(&["usage", "routes", "--since", "6h"]);
        assert_eq!(routes["rows"][0]["cost_usd"], "0.019525");
        // Priced later: the mystery model's calls get a cost too.
        cli.json(&["price", "set", "mystery-model", "--in", "1", "--out", "1", "--from", "2026-01-01"]);
        let llm = cli.json(&["usage", "token", "wf", "--since", "6h"])["llm"].clone();
        assert_eq!((llm["cost_usd"].as_str(), llm["unpriced_calls"].as_i64()), (Some("0.019580"), Some(0)));
        // Tables show it readably.
        let text = cli.run(&["usage", "token", "wf", "--since", "6h"]).ok().stdout.clone();
        assert!(text.contains("LLM tokens") && text.contains("gpt-4o") && text.contains("3,001") && text.contains("$0.019525"), "{text}");
        let list = cli.run(&["usage", "tokens", "--since", "6h"]).ok().stdout.clone();
        assert!(list.contains("TOKENS IN") && list.contains("$0.019580"), "{list}");
    }
}
