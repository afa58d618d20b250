//! Hostile clients against the native gateway: each reproduction of the
//! hostile-traffic review, as a black-box test. A real server, gateway and
//! upstream on 127.0.0.1; requests sent raw where an HTTP library would
//! refuse to send them.

use crate::common::{TestGateway, TestServer};
use crate::on_both_backends;
use crate::upstream::{add_echo_route, Http, Upstream};
use serde_json::Value;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Sends raw bytes as one request on a fresh connection; returns the
/// status code of the answer.
fn raw_request(base: &str, request: &str) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = stream.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn token(srv: &TestServer, name: &str, scope: &str) -> (String, uuid::Uuid) {
    let v = srv
        .cli()
        .json(&["token", "create", "--name", name, "--scope", scope]);
    (
        v["token"].as_str().unwrap().to_string(),
        v["id"].as_str().unwrap().parse().unwrap(),
    )
}

fn dead_letters(gw: &TestGateway) -> Vec<Value> {
    std::fs::read_to_string(gw.spool_dir().join("dead-letter.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An event as the gateway before this fix recorded it for
/// `curl -X AAAAAAAAAAAAAAAAAA` without a token: ingest refuses it.
fn poisoned_event() -> String {
    serde_json::json!({
        "id": uuid::Uuid::now_v7(),
        "token_id": null,
        "route_id": null,
        "method": "AAAAAAAAAAAAAAAAAA",
        "status": 401,
        "latency_ms": 0.1,
        "upstream_latency_ms": null,
        "bytes_in": 0,
        "bytes_out": 80,
        "client_ip": "127.0.0.1",
        "user_agent": "curl/8.5.0",
        "error_code": "missing_token",
        "at": chrono::Utc::now(),
    })
    .to_string()
}

on_both_backends! {
    /// Reproduction 1: an 18-character method without a token used to make
    /// ingest refuse whole batches forever. Now the hostile request is
    /// recorded (as a counted denial with method OTHER) and the 1,000 good
    /// requests after it are all counted.
    fn a_hostile_method_does_not_stop_usage_recording(srv) {
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let (t, id) = token(&srv, "client", "echo");
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        until("token known at the gateway", Duration::from_secs(5), || {
            http.get(&format!("{}/api/echo/x", gw.url), Some(&t)).status == 200
        });
        // The probe that succeeded is counted too; start from there.
        until("the probe counted", Duration::from_secs(10), || srv.usage_of(Some(id)).1 == 1);
        let before = 1;

        let status = raw_request(
            &gw.url,
            "AAAAAAAAAAAAAAAAAA /anything HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(status, 401, "refused without a token");
        for _ in 0..1000 {
            assert_eq!(http.get(&format!("{}/api/echo/x", gw.url), Some(&t)).status, 200);
        }
        until("all 1,000 requests counted", Duration::from_secs(30), || {
            srv.usage_of(Some(id)).1 == before + 1000
        });
        // The anonymous denial is written when its minute ends (or when the
        // gateway stops); it is valid, so nothing is dead-lettered.
        let mut gw = gw;
        gw.stop_graceful();
        until("the hostile request counted", Duration::from_secs(10), || {
            srv.usage_of(None).1 >= 1
        });
        assert!(dead_letters(&gw).is_empty(), "{:?}", dead_letters(&gw));
        assert_eq!(srv.usage_of(Some(id)).1, before + 1000, "counted exactly once");
    }

    /// Reproduction 1, upgrade path: a spool written by a gateway before
    /// the fix already holds the poisoned event. It reaches the dead-letter
    /// file once; the good events around it, and 1,000 new ones, count.
    fn a_poisoned_spool_costs_one_dead_letter_entry(srv) {
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let (t, id) = token(&srv, "client", "echo");
        let mut gw = TestGateway::start(&srv);
        gw.wait_ready();
        gw.stop_graceful();
        let good = |n: u128| {
            serde_json::json!({
                "id": uuid::Uuid::now_v7(), "token_id": id, "route_id": null, "method": "GET",
                "status": 200, "latency_ms": 1.0, "upstream_latency_ms": 0.5, "bytes_in": 0,
                "bytes_out": n as u64, "client_ip": "127.0.0.1", "user_agent": null,
                "error_code": null, "at": chrono::Utc::now(),
            })
            .to_string()
        };
        let spool = gw.spool_dir();
        std::fs::write(
            spool.join("ready-00000000000000000000.jsonl"),
            format!("{}\n{}\n{}\n", good(1), poisoned_event(), good(2)),
        )
        .unwrap();
        gw.spawn();
        gw.wait_ready();
        let http = Http::new();
        until("token known at the gateway", Duration::from_secs(5), || {
            http.get(&format!("{}/api/echo/x", gw.url), Some(&t)).status == 200
        });
        for _ in 0..1000 {
            assert_eq!(http.get(&format!("{}/api/echo/x", gw.url), Some(&t)).status, 200);
        }
        // Two good events from the file, the probe, the 1,000.
        until("the good events counted", Duration::from_secs(30), || {
            srv.usage_of(Some(id)).1 == 2 + 1 + 1000
        });
        let dead = dead_letters(&gw);
        assert_eq!(dead.len(), 1, "{dead:?}");
        assert!(dead[0]["reason"].as_str().unwrap().contains("method"), "{dead:?}");
        assert!(dead[0]["event"].as_str().unwrap().contains("AAAAAAAAAAAAAAAAAA"));
        // The server may have stored the last batch before the gateway has
        // read its answer and let the spool go.
        until("the spool drained", Duration::from_secs(10), || {
            gw.health()["usage"]["spool_depth"] == 0
        });
        let health = gw.health();
        assert_eq!(health["usage"]["dead_lettered"], 1, "{health}");
        // Restarting does not resend anything.
        gw.stop_graceful();
        gw.spawn();
        gw.wait_ready();
        std::thread::sleep(Duration::from_secs(1));
        assert_eq!(dead_letters(&gw).len(), 1);
        assert_eq!(srv.usage_of(Some(id)).1, 2 + 1 + 1000);
    }

    /// The ingest endpoint takes a batch with bad events in it: it stores
    /// the valid ones and says which it refused and why.
    fn ingest_stores_the_valid_events_and_names_the_refused(srv) {
        let key = srv.cli().json(&["gateway-key", "create", "ingest-test"]);
        let key = key["secret"].as_str().unwrap().to_string();
        let (_, id) = token(&srv, "client", "*");
        let valid = |bytes: u64| serde_json::json!({
            "id": uuid::Uuid::now_v7(), "token_id": id, "method": "GET", "status": 200,
            "latency_ms": 1.0, "bytes_in": 0, "bytes_out": bytes, "at": chrono::Utc::now(),
        });
        let mut future = valid(3);
        future["at"] = serde_json::json!(chrono::Utc::now() + chrono::Duration::days(2));
        let batch = serde_json::json!([
            valid(1),
            serde_json::from_str::<Value>(&poisoned_event()).unwrap(),
            {"id": "not-a-uuid"},
            future,
            valid(2),
            "a string",
        ]);
        let http = Http::new();
        let bearer = format!("Bearer {key}");
        let post = |body: &str| {
            http.send(
                "POST",
                &format!("{}/v1/usage/events", srv.url),
                &[("authorization", &bearer), ("content-type", "application/json")],
                body,
            )
        };
        let resp = post(&batch.to_string());
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        let answer = resp.json();
        assert_eq!(answer["received"], 6);
        assert_eq!(answer["inserted"], 2);
        let refused = answer["refused"].as_array().unwrap();
        let indexes: Vec<u64> = refused.iter().map(|r| r["index"].as_u64().unwrap()).collect();
        assert_eq!(indexes, [1, 2, 3, 5], "{answer}");
        assert!(refused[0]["reason"].as_str().unwrap().contains("method"), "{answer}");
        assert!(refused[2]["reason"].as_str().unwrap().contains("future"), "{answer}");
        assert_eq!(srv.usage_of(Some(id)), (2, 2));
        // A body that is not a batch at all is refused whole.
        assert_eq!(post("{\"not\": \"an array\"}").status, 400);
    }

    /// Reproduction 4: anonymous denials with attacker-chosen user agents
    /// are counted per client address, reason and minute, not stored one
    /// by one; a full spool drops events of denied requests first.
    fn anonymous_traffic_cannot_fill_disk_or_database(srv) {
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let mut gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        let ua = "x".repeat(512);
        for i in 0..2000 {
            let headers: &[(&str, &str)] = if i % 2 == 0 {
                &[("user-agent", &ua)]
            } else {
                &[("user-agent", &ua), ("x-api-key", "ntk_nonsense")]
            };
            let r = http.send("GET", &format!("{}/api/echo/x", gw.url), headers, "");
            assert_eq!(r.status, 401);
        }
        gw.stop_graceful();
        until("the denials counted", Duration::from_secs(10), || srv.usage_of(None).1 == 2000);
        let (rows, requests) = srv.usage_of(None);
        assert_eq!(requests, 2000);
        // Two reasons (missing, malformed), at most two minute windows each.
        assert!(rows <= 4, "{rows} rows stored for 2,000 anonymous requests");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(gw.spool_dir()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    /// A spool that cannot drain (server down) stays within --spool-max:
    /// events of denied requests stop at 90 %, allowed ones fill the rest,
    /// every drop is counted, and the log says so once, not per event.
    fn a_full_spool_keeps_its_bound_and_says_so(srv) {
        let mut srv = srv;
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        cli.json(&["route", "add", "other", "--all-teams", "--path", "/api/other", "--upstream", &upstream.url]);
        let (t, _) = token(&srv, "client", "echo");
        let gw = TestGateway::start_with(&srv, &["--spool-max", "1MiB"], None);
        gw.wait_ready();
        let http = Http::new();
        until("token known at the gateway", Duration::from_secs(5), || {
            http.get(&format!("{}/api/echo/x", gw.url), Some(&t)).status == 200
        });
        srv.stop();
        // Denied with a known token (scope_denied): stored one by one.
        for _ in 0..6000 {
            assert_eq!(http.get(&format!("{}/api/other/x", gw.url), Some(&t)).status, 403);
        }
        std::thread::sleep(Duration::from_millis(800));
        let h = gw.health();
        let bytes = h["usage"]["spool_bytes"].as_u64().unwrap();
        assert!(bytes <= (1 << 20) * 9 / 10, "{h}");
        assert!(h["usage"]["dropped"]["denied"].as_u64().unwrap() > 0, "{h}");
        // Allowed requests still find room.
        for _ in 0..200 {
            assert_eq!(http.get(&format!("{}/api/echo/x", gw.url), Some(&t)).status, 200);
        }
        std::thread::sleep(Duration::from_millis(800));
        let h = gw.health();
        assert_eq!(h["usage"]["dropped"]["allowed"], 0, "{h}");
        assert!(h["usage"]["spool_bytes"].as_u64().unwrap() <= 1 << 20, "{h}");
        let lines = gw.log().matches("usage spool full").count();
        assert!((1..=2).contains(&lines), "{lines} log lines about the full spool");
    }

    /// Reproduction 5: with the token in X-API-Key and a second one in a
    /// second Authorization header, neither reaches the upstream.
    fn no_tokenctl_secret_reaches_the_upstream(srv) {
        let cli = srv.cli();
        let upstream = Upstream::start();
        cli.json(&["route", "add", "open", "--all-teams", "--path", "/api/open", "--upstream", &upstream.url]);
        let (a, _) = token(&srv, "a", "open");
        let (b, _) = token(&srv, "b", "open");
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        let url = format!("{}/api/open/echo", gw.url);
        until("token known at the gateway", Duration::from_secs(5), || http.get(&url, Some(&a)).status == 200);
        let bearer_b = format!("Bearer {b}");
        let lower_a = format!("bearer {a}");
        let cookie = format!("session={b}");
        for headers in [
            vec![("x-api-key", a.as_str()), ("authorization", "Bearer foo"), ("authorization", bearer_b.as_str())],
            vec![("x-api-key", a.as_str()), ("x-api-key", b.as_str())],
            vec![("authorization", lower_a.as_str()), ("cookie", cookie.as_str()), ("x-custom", b.as_str())],
        ] {
            let r = http.send("GET", &url, &headers, "");
            assert_eq!(r.status, 200, "{headers:?}: {}", String::from_utf8_lossy(&r.body));
            let seen = r.json();
            let raw = seen["raw_headers"].to_string();
            assert!(!raw.contains(&a) && !raw.contains(&b), "a token reached the upstream: {raw}");
        }
        // A foreign credential next to the token passes untouched.
        let r = http.send("GET", &url, &[("x-api-key", &a), ("authorization", "Bearer sk-mine")], "");
        assert_eq!(r.json()["headers"]["authorization"], "Bearer sk-mine");
    }

    /// Reproduction 6: with the server unreachable for longer than
    /// --max-stale, the gateway stops deciding on old data (503
    /// config_stale) and says how old its config is; a token revoked in
    /// the meantime is refused as soon as the server is back.
    fn a_stale_config_is_not_served_forever(srv) {
        let mut srv = srv;
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let (keep, _) = token(&srv, "keep", "echo");
        let (revoked, _) = token(&srv, "revoked", "echo");
        let gw = TestGateway::start_with(&srv, &["--max-stale", "3s"], None);
        gw.wait_ready();
        let http = Http::new();
        let url = format!("{}/api/echo/x", gw.url);
        until("tokens known at the gateway", Duration::from_secs(5), || {
            http.get(&url, Some(&keep)).status == 200 && http.get(&url, Some(&revoked)).status == 200
        });
        assert_eq!(gw.health()["config"]["max_stale_secs"], 3);

        srv.stop();
        let down = Instant::now();
        assert_eq!(http.get(&url, Some(&keep)).status, 200, "within --max-stale the last config serves");
        // The token is revoked through another server process on the same
        // database, which this gateway cannot see.
        let other = srv.another_process();
        other.cli().run(&["token", "revoke", "revoked"]).ok();
        until("config_stale", Duration::from_secs(10), || {
            let r = http.get(&url, Some(&revoked));
            r.status == 503 && r.code() == "config_stale"
        });
        assert!(down.elapsed() >= Duration::from_secs(2), "refused too early: {:?}", down.elapsed());
        let r = http.get(&url, Some(&keep));
        assert_eq!((r.status, r.code().as_str()), (503, "config_stale"));
        assert!(r.header("retry-after").is_some());
        let (status, body) = crate::common::http_get(&format!("{}/_gateway/health", gw.url));
        let health: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((status, health["status"].as_str()), (503, Some("config_stale")), "{health}");
        assert!(health["config"]["age_secs"].as_f64().unwrap() >= 3.0, "{health}");

        srv.spawn();
        let back = Instant::now();
        until("the revocation seen", Duration::from_secs(5), || {
            http.get(&url, Some(&revoked)).status == 401
        });
        let seen = back.elapsed();
        assert_eq!(http.get(&url, Some(&keep)).status, 200);
        assert!(seen < Duration::from_secs(2), "revocation took {seen:?} after the server's return");
        drop(other);
    }
}
