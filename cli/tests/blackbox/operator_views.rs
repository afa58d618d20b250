//! The operator's views on the command line, as scripts read them (`-o json`)
//! and as people read them (tables).

use crate::common::{TestGateway, TestServer};
use crate::on_both_backends;
use std::time::{Duration, Instant};

on_both_backends! {
    fn health_reports_server_and_gateway(srv) {
        let mut srv = srv;
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        // No credential needed: health is what a monitor without one runs.
        let anonymous = crate::common::Cli::new(&srv.url, None);

        let report = anonymous.json(&["health", "--gateway", &gw.url]);
        assert_eq!(report["healthy"], true, "{report}");
        let checks = report["server"]["report"]["checks"].as_array().unwrap();
        let database = checks.iter().find(|c| c["name"] == "database").unwrap();
        assert_eq!(database["status"], "ok");
        assert!(database["latency_ms"].as_f64().unwrap() >= 0.0);
        assert_eq!(report["gateways"][0]["healthy"], true);
        assert_eq!(report["gateways"][0]["report"]["status"], "ok");
        assert!(report["gateways"][0]["report"]["config"]["version"].is_u64());

        let table = anonymous.run(&["health", "--gateway", &gw.url]);
        table.ok();
        assert!(table.stdout.contains(&format!("Server {}", srv.url)), "{}", table.stdout);
        assert!(table.stdout.contains("database"), "{}", table.stdout);
        assert!(table.stdout.contains("config version"), "{}", table.stdout);

        // The server goes away: the server row says unreachable, the
        // gateway (serving its last config) says stale, and the exit code
        // tells a script something is wrong.
        srv.stop();
        let deadline = Instant::now() + Duration::from_secs(20);
        while gw.health()["status"] != "stale" {
            assert!(Instant::now() < deadline, "gateway never noticed: {}", gw.health());
            std::thread::sleep(Duration::from_millis(100));
        }
        let run = anonymous.run(&["health", "--gateway", &gw.url, "-o", "json"]);
        let stderr = run.fails(1);
        assert!(stderr.contains("unhealthy"), "{stderr}");
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(report["healthy"], false);
        assert_eq!(report["server"]["healthy"], false);
        assert!(
            report["server"]["error"].as_str().unwrap().contains("cannot reach"),
            "{report}"
        );
        assert_eq!(report["gateways"][0]["healthy"], false);
        assert_eq!(report["gateways"][0]["report"]["status"], "stale");
    }

    fn route_show_prints_a_curl_line_that_works(srv) {
        let cli = srv.cli();
        let upstream = crate::upstream::Upstream::start();
        crate::upstream::add_echo_route(&cli, &upstream);
        let gw = TestGateway::start(&srv);
        let token = cli.json(&["token", "create", "--name", "curl-sample", "--scope", "echo"]);
        let secret = token["token"].as_str().unwrap();
        gw.wait_ready();

        let shown = cli.json(&["route", "show", "echo", "--gateway", &gw.url]);
        assert_eq!(shown["name"], "echo", "the route's fields stay at the top level");
        let curl = shown["curl"].as_str().unwrap().to_string();
        assert!(curl.contains("ntk_YOUR_TOKEN"), "{curl}");
        assert!(!curl.contains(secret));
        // The table shows the same line.
        let table = cli.run(&["route", "show", "echo", "--gateway", &gw.url]);
        assert!(table.ok().stdout.contains(&curl), "{}", table.stdout);

        // Run it as printed, with a real token in place of the placeholder,
        // until the gateway has the token (it propagates within a second).
        let line = curl.replace("ntk_YOUR_TOKEN", secret);
        let deadline = Instant::now() + Duration::from_secs(10);
        let answer = loop {
            let out = std::process::Command::new("sh")
                .args(["-c", &format!("{line} --silent --show-error")])
                .output()
                .unwrap();
            let body = String::from_utf8_lossy(&out.stdout).into_owned();
            if body.contains("\"path\"") || Instant::now() > deadline {
                break body;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let echoed: serde_json::Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{e}: {answer}"));
        assert_eq!(echoed["path"], "/base", "reached the upstream: {echoed}");
        assert_eq!(
            echoed["headers"]["authorization"],
            format!("Bearer {}", crate::upstream::UPSTREAM_SECRET),
            "with the route's credential injected"
        );

        // Without --gateway, the sample names the default local gateway.
        let default = cli.json(&["route", "show", "echo"]);
        assert_eq!(
            default["curl"],
            "curl -H 'Authorization: Bearer ntk_YOUR_TOKEN' http://127.0.0.1:8080/api/echo"
        );
    }

    fn route_tags_lists_tags_with_their_routes(srv) {
        let cli = srv.cli();
        assert_eq!(cli.json(&["route", "tags"]), serde_json::json!([]));
        for (name, tags) in [("b-chat", vec!["llm", "chat"]), ("a-embed", vec!["llm"]), ("plain", vec![])] {
            let path = format!("/{name}");
            let mut args = vec![
                "route", "add", name, "--all-teams", "--path", &path, "--upstream", "https://api.example.com",
            ];
            for t in &tags {
                args.extend(["--tag", t]);
            }
            cli.json(&args);
        }
        let tags = cli.json(&["route", "tags"]);
        assert_eq!(
            tags,
            serde_json::json!([
                {"tag": "chat", "routes": ["b-chat"]},
                {"tag": "llm", "routes": ["a-embed", "b-chat"]},
            ])
        );
        let table = cli.run(&["route", "tags"]);
        assert!(table.ok().stdout.contains("tag:llm"), "{}", table.stdout);
    }

    fn team_list_and_overview_count_what_the_caller_may_see(srv) {
        let cli = srv.cli();
        for team in ["alpha", "beta", "gamma"] {
            cli.json(&["team", "create", team]);
        }
        let token = |name: &str, team: &str, extra: &[&str]| -> String {
            let mut args = vec!["token", "create", "--name", name, "--scope", "*", "--team", team];
            args.extend(extra);
            cli.json(&args)["id"].as_str().unwrap().to_string()
        };
        // alpha: 2 active, 1 expired, 1 revoked; beta: 1 active; gamma: none.
        token("a-short", "alpha", &["--expires", "2s"]);
        let expires_by = Instant::now() + Duration::from_secs(2);
        token("a-live1", "alpha", &[]);
        token("a-live2", "alpha", &[]);
        let gone = token("a-gone", "alpha", &[]);
        cli.json(&["token", "revoke", &gone]);
        token("b-live", "beta", &[]);
        let viewer = cli.json(&["user", "create", "ann", "--role", "alpha:viewer"]);
        cli.json(&["user", "create", "bob", "--role", "alpha:admin", "--role", "beta:developer"]);
        cli.json(&["user", "create", "cid", "--role", "beta:viewer"]);
        while Instant::now() < expires_by + Duration::from_millis(100) {
            std::thread::sleep(Duration::from_millis(100));
        }

        let counts = |list: &serde_json::Value| -> Vec<(String, i64, i64)> {
            list.as_array()
                .unwrap()
                .iter()
                .filter(|t| t["system"] == false)
                .map(|t| {
                    (
                        t["name"].as_str().unwrap().to_string(),
                        t["members"].as_i64().unwrap(),
                        t["tokens"].as_i64().unwrap(),
                    )
                })
                .collect()
        };
        assert_eq!(
            counts(&cli.json(&["team", "list"])),
            [("alpha".to_string(), 2, 2), ("beta".to_string(), 2, 1), ("gamma".to_string(), 0, 0)]
        );
        let table = cli.run(&["team", "list"]);
        let alpha: Vec<&str> = table.ok().stdout.lines().find(|l| l.trim_start().starts_with("alpha")).unwrap().split_whitespace().collect();
        assert_eq!(alpha[..3], ["alpha", "2", "2"], "{}", table.stdout);
        assert!(table.stdout.contains("MEMBERS") && table.stdout.contains("TOKENS"), "{}", table.stdout);

        let per_team = |o: &serde_json::Value| -> Vec<(String, i64, i64, i64)> {
            o["tokens_per_team"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["team"].as_str().unwrap().to_string(),
                        t["active"].as_i64().unwrap(),
                        t["expired"].as_i64().unwrap(),
                        t["revoked"].as_i64().unwrap(),
                    )
                })
                .collect()
        };
        assert_eq!(
            per_team(&cli.json(&["overview"])),
            [
                ("alpha".to_string(), 2, 1, 1),
                ("beta".to_string(), 1, 0, 0),
                ("gamma".to_string(), 0, 0, 0),
                ("system".to_string(), 0, 0, 0),
            ]
        );
        let table = cli.run(&["overview"]);
        assert!(table.ok().stdout.contains("Tokens per team"), "{}", table.stdout);
        let alpha: Vec<&str> = table.stdout.lines().find(|l| l.trim_start().starts_with("alpha")).unwrap().split_whitespace().collect();
        assert_eq!(alpha, ["alpha", "2", "1", "1"], "{}", table.stdout);

        // A viewer of alpha sees alpha only, with the same counts.
        let viewer = crate::common::Cli::new(&srv.url, viewer["secret"].as_str());
        assert_eq!(
            counts(&viewer.json(&["team", "list"])),
            [("alpha".to_string(), 2, 2)]
        );
        assert_eq!(viewer.json(&["team", "list"]).as_array().unwrap().len(), 1);
        assert_eq!(per_team(&viewer.json(&["overview"])), [("alpha".to_string(), 2, 1, 1)]);
    }

    fn user_list_shows_last_activity(srv) {
        let cli = srv.cli();
        let busy = cli.json(&["user", "create", "busy"]);
        cli.json(&["user", "create", "idle"]);
        let busy = crate::common::Cli::new(&srv.url, busy["secret"].as_str());
        let before = chrono::Utc::now() - chrono::TimeDelta::milliseconds(1);
        busy.json(&["whoami"]);
        let after = chrono::Utc::now();

        let list = cli.json(&["user", "list"]);
        let user = |name: &str| -> serde_json::Value {
            list.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap().clone()
        };
        let seen = user("busy")["last_active_at"].as_str().unwrap().to_string();
        let at = chrono::DateTime::parse_from_rfc3339(&seen)
            .unwrap_or_else(|e| panic!("{seen}: {e}"))
            .with_timezone(&chrono::Utc);
        assert!(before <= at && at <= after, "{before} <= {at} <= {after}");
        assert!(user("idle")["last_active_at"].is_null(), "{list}");
        assert!(user("busy")["teams"].is_array(), "the user's fields stay at the top level");

        // Recorded at most once a minute per credential: a second call
        // right away leaves the time as it was.
        busy.json(&["whoami"]);
        let again = cli.json(&["user", "list"]);
        let busy_again = again.as_array().unwrap().iter().find(|u| u["name"] == "busy").unwrap();
        assert_eq!(busy_again["last_active_at"].as_str(), Some(seen.as_str()));

        let table = cli.run(&["user", "list"]);
        assert!(table.ok().stdout.contains("LAST ACTIVE"), "{}", table.stdout);
        let line = |name: &str| table.stdout.lines().find(|l| l.trim_start().starts_with(name)).unwrap().to_string();
        assert!(line("busy").trim_end().ends_with(" ago"), "{}", table.stdout);
        assert!(line("idle").trim_end().ends_with("never"), "{}", table.stdout);
    }

    fn usage_summary_draws_the_latency_trend(srv) {
        use chrono::{DurationRound, TimeDelta, Utc};
        use crate::usage::{close, event, exact, post, rolled_up};
        let cli = srv.cli();
        let route = cli.json(&["route", "add", "slow", "--all-teams", "--path", "/slow", "--upstream", "http://127.0.0.1:9"]);
        let route = route["id"].as_str().unwrap().to_string();
        let token = cli.json(&["token", "create", "--name", "t", "--scope", "*"]);
        let token = token["id"].as_str().unwrap().to_string();
        let key = cli.json(&["gateway-key", "create", "feeder"])["secret"].as_str().unwrap().to_string();
        // Minute 0: 10 calls at 1..=10 ms; minute 5: 20 calls at 200..=219 ms.
        let base = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap() - TimeDelta::minutes(30);
        let fast: Vec<f64> = (1..=10).map(f64::from).collect();
        let slow: Vec<f64> = (200..=219).map(f64::from).collect();
        let mut events = Vec::new();
        for (minute, latencies) in [(0, &fast), (5, &slow)] {
            for (i, ms) in latencies.iter().enumerate() {
                let at = base + TimeDelta::minutes(minute) + TimeDelta::seconds(i as i64);
                events.push(event(at, Some(&token), Some(&route), 200, *ms, None));
            }
        }
        assert_eq!(post(&srv, &key, &serde_json::Value::Array(events))["inserted"], 30);
        rolled_up(&srv);

        let s = cli.json(&["usage", "--since", "1h"]);
        assert_eq!(s["window"]["bucket"], "1m");
        let since: chrono::DateTime<Utc> = s["window"]["since"].as_str().unwrap().parse().unwrap();
        let first = (base - since).num_minutes() as usize;
        let (p50, p95) = (s["p50_timeline"].as_array().unwrap(), s["p95_timeline"].as_array().unwrap());
        let buckets = s["window"]["buckets"].as_u64().unwrap() as usize;
        assert_eq!((p50.len(), p95.len()), (buckets, buckets));
        close(&p50[first], exact(&fast, 0.5), "minute 0 p50");
        close(&p95[first], exact(&fast, 0.95), "minute 0 p95");
        close(&p50[first + 5], exact(&slow, 0.5), "minute 5 p50");
        close(&p95[first + 5], exact(&slow, 0.95), "minute 5 p95");
        for (i, (a, b)) in p50.iter().zip(p95).enumerate() {
            if i != first && i != first + 5 {
                assert!(a.is_null() && b.is_null(), "bucket {i} has no calls: {a} {b}");
            }
        }

        // The table: one sparkline per percentile, highest at minute 5.
        let table = cli.run(&["usage", "--since", "1h"]);
        let sparkline = |label: &str| -> Vec<char> {
            let line = table.ok().stdout.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("no {label}: {}", table.stdout));
            line.split_whitespace().nth(1).unwrap().chars().collect()
        };
        for label in ["p50/1m", "p95/1m"] {
            let bars = sparkline(label);
            assert_eq!(bars.len(), buckets, "{label}: {}", table.stdout);
            assert_eq!(bars[first + 5], '█', "{label}: {}", table.stdout);
            assert_eq!(bars[first], '▂', "{label}: a few ms is above the floor");
            assert_eq!(bars.iter().filter(|c| **c == '▁').count(), buckets - 2, "{label}");
        }
    }
}

#[test]
fn health_fails_when_the_database_is_down() {
    let Some(srv) = TestServer::start(crate::common::Backend::Postgres) else {
        return;
    };
    let anonymous = crate::common::Cli::new(&srv.url, None);
    anonymous.run(&["health"]).ok();
    srv.pg.as_ref().unwrap().drop_now();
    let run = anonymous.run(&["health", "-o", "json"]);
    run.fails(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let checks = report["server"]["report"]["checks"].as_array().unwrap();
    let database = checks.iter().find(|c| c["name"] == "database").unwrap();
    assert_eq!(database["status"], "down", "{report}");
    // Unconfigured features are not faults.
    let kv = checks.iter().find(|c| c["name"] == "kv_sync").unwrap();
    assert_eq!(kv["status"], "disabled", "{report}");
}
