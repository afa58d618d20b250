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
