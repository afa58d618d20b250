//! The self-hosted gateway: a real server, a real gateway and a real
//! upstream on 127.0.0.1, driven with a real HTTP client.

use crate::common::{Cli, TestGateway, TestServer};
use crate::on_both_backends;
use crate::upstream::{add_echo_route, Http, Upstream, UPSTREAM_SECRET};
use std::time::{Duration, Instant};

/// Server + upstream + gateway, with a route `echo` at `/api/echo` →
/// `<upstream>/base` using bearer auth from secret UPSTREAM_KEY.
struct Stack {
    cli: Cli,
    upstream: Upstream,
    gw: TestGateway,
    http: Http,
}

fn stack(srv: &TestServer) -> Stack {
    let cli = srv.cli();
    let upstream = Upstream::start();
    add_echo_route(&cli, &upstream);
    let gw = TestGateway::start(srv);
    gw.wait_ready();
    Stack {
        cli,
        upstream,
        gw,
        http: Http::new(),
    }
}

fn token(cli: &Cli, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--name", name];
    args.extend_from_slice(extra);
    cli.json(&args)["token"].as_str().unwrap().to_string()
}

/// Waits until the gateway's config reflects a change (it follows within a second).
fn eventually(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what} did not happen within 5s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    started.elapsed()
}

on_both_backends! {
    fn gateway_forwards_with_the_upstream_credential(srv) {
        let s = stack(&srv);
        let t = token(&s.cli, "client", &["--scope", "echo"]);
        eventually("token known at the gateway", || s.http.get(&format!("{}/api/echo/x", s.gw.url), Some(&t)).status == 200);

        // X-API-Key
        let r = s.http.send("POST", &format!("{}/api/echo/v1/chat?stream=false&a=%20b", s.gw.url), &[
            ("x-api-key", &t), ("connection", "keep-alive, x-client-hop"), ("x-client-hop", "drop me"),
            ("x-forwarded-for", "203.0.113.9"), ("content-type", "application/json"),
        ], r#"{"model":"gpt"}"#);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let seen = r.json();
        assert_eq!(seen["method"], "POST");
        assert_eq!(seen["path"], "/base/v1/chat?stream=false&a=%20b", "prefix stripped, rest and query appended");
        let h = &seen["headers"];
        assert_eq!(h["authorization"], format!("Bearer {UPSTREAM_SECRET}"), "the route's credential is injected");
        assert!(h.get("x-api-key").is_none(), "the client's token must not reach the upstream");
        assert!(h.get("x-client-hop").is_none(), "hop-by-hop headers named in Connection are dropped");
        assert_eq!(h["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
        assert_eq!(h["x-forwarded-proto"], "http");
        assert_eq!(h["x-forwarded-host"], s.gw.url.trim_start_matches("http://"));
        assert_eq!(h["host"], s.upstream.url.trim_start_matches("http://"), "Host names the upstream");
        assert_eq!(seen["body_bytes"], 15);
        assert!(r.header("x-upstream-hop").is_none(), "response hop-by-hop headers are dropped");
        let timing = r.header("server-timing").expect("Server-Timing on every response");
        assert!(timing.contains("verify;dur=") && timing.contains("upstream;dur="), "{timing}");

        // Authorization: Bearer (OpenAI SDK style): the token is replaced, never forwarded.
        let r = s.http.send("GET", &format!("{}/api/echo/models", s.gw.url), &[("authorization", &format!("Bearer {t}"))], "");
        assert_eq!(r.status, 200);
        let seen = r.json();
        assert_eq!(seen["headers"]["authorization"], format!("Bearer {UPSTREAM_SECRET}"));
        assert!(!seen.to_string().contains(&t));

        // Segment boundaries: /api/echox is not /api/echo.
        let r = s.http.get(&format!("{}/api/echox", s.gw.url), Some(&t));
        assert_eq!((r.status, r.code()), (404, "route_not_found".into()));
        // Traversal cannot leave the prefix.
        // Sent raw: HTTP client libraries would normalise these away.
        for evil in ["/api/echo/../../etc/passwd", "/api/echo/%2e%2e/x", "/api/echo/a%2fb", "/api/echo/%2E%2e%2f", "/api/echo\\..\\x", "/api/echo/..%5c..%5cx"] {
            let status = crate::upstream::raw_get_status(&s.gw.url, evil, &t);
            assert_eq!(status, 400, "{evil} must be refused as bad_path");
        }
    }

    fn gateway_error_codes(srv) {
        let s = stack(&srv);
        let cli = &s.cli;
        cli.json(&["route", "add", "other", "--all-teams", "--path", "/api/other", "--upstream", &s.upstream.url, "--tag", "misc"]);
        cli.json(&["route", "add", "dead", "--all-teams", "--path", "/api/dead", "--upstream", "http://127.0.0.1:9"]);
        let scoped = token(cli, "scoped", &["--scope", "echo"]);
        let tagged = token(cli, "tagged", &["--scope", "tag:misc"]);
        let office = token(cli, "office", &["--scope", "*", "--allow-ip", "10.0.0.0/8"]);
        let limited = token(cli, "limited", &["--scope", "*", "--rate", "2/1m"]);
        let expiring = token(cli, "expiring", &["--scope", "*", "--expires", "2s"]);
        let all = token(cli, "all", &["--scope", "*"]);
        let url = |p: &str| format!("{}{p}", s.gw.url);
        eventually("config", || s.http.get(&url("/api/dead"), Some(&all)).status == 502);

        let check = |path: &str, tok: Option<&str>, status: u16, code: &str| {
            let r = s.http.get(&url(path), tok);
            assert_eq!((r.status, r.code()), (status, code.to_string()), "{path}: {}", String::from_utf8_lossy(&r.body));
            assert!(r.header("server-timing").is_some());
            assert_eq!(r.header("content-type"), Some("application/json"));
            r
        };
        check("/api/echo", None, 401, "missing_token");
        let mut typo = all.clone().into_bytes();
        typo[12] = if typo[12] == b'A' { b'B' } else { b'A' };
        check("/api/echo", Some(std::str::from_utf8(&typo).unwrap()), 401, "malformed_token");
        check("/api/echo", Some("ntk_short"), 401, "malformed_token");
        let unknown = tokenctl_gateway::token::Secret::generate(tokenctl_gateway::token::SecretKind::ApiToken, &mut rand::rngs::OsRng);
        check("/api/echo", Some(unknown.expose()), 401, "invalid_token");
        check("/nowhere", Some(&all), 404, "route_not_found");
        let denied = check("/api/other", Some(&scoped), 403, "scope_denied");
        assert!(!String::from_utf8_lossy(&denied.body).contains("echo"), "scope errors do not list the token's scopes");
        check("/api/other/x", Some(&tagged), 200, "");
        check("/api/echo", Some(&tagged), 403, "scope_denied");
        check("/api/echo", Some(&office), 403, "ip_denied");
        check("/api/echo", Some(&limited), 200, "");
        check("/api/echo", Some(&limited), 200, "");
        let limited_reply = check("/api/echo", Some(&limited), 429, "rate_limited");
        let retry: u64 = limited_reply.header("retry-after").expect("Retry-After").parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        check("/api/echo/slow", Some(&all), 504, "upstream_timeout");
        check("/api/dead", Some(&all), 502, "upstream_unreachable");
        std::thread::sleep(Duration::from_millis(2100));
        check("/api/echo", Some(&expiring), 401, "token_expired");
        // Never a stack trace or internal detail.
        let r = s.http.get(&url("/api/dead"), Some(&all));
        let body = String::from_utf8_lossy(&r.body);
        assert!(!body.contains("127.0.0.1:9") && !body.contains("Connection refused"), "{body}");
    }

    fn rotation_grace_and_revocation_at_the_gateway(srv) {
        let s = stack(&srv);
        let old = token(&s.cli, "rotating", &["--scope", "echo"]);
        let url = format!("{}/api/echo/ping", s.gw.url);
        eventually("token at gateway", || s.http.get(&url, Some(&old)).status == 200);
        let new = s.cli.json(&["token", "rotate", "rotating", "--grace", "3s"])["token"].as_str().unwrap().to_string();
        eventually("new secret at gateway", || s.http.get(&url, Some(&new)).status == 200);
        assert_eq!(s.http.get(&url, Some(&old)).status, 200, "the old secret works during the grace");
        std::thread::sleep(Duration::from_millis(3200));
        assert_eq!(s.http.get(&url, Some(&old)).code(), "invalid_token", "after the grace only the new secret works");
        assert_eq!(s.http.get(&url, Some(&new)).status, 200);

        // Revocation reaches the gateway within a second.
        let started = Instant::now();
        s.cli.json(&["token", "revoke", "rotating"]);
        let delay = eventually("revocation at gateway", || s.http.get(&url, Some(&new)).status == 401);
        let total = started.elapsed();
        eprintln!("revocation: gateway refused the token {} ms after the revoke returned ({} ms after it was issued)", delay.as_millis(), total.as_millis());
        assert!(delay < Duration::from_secs(1), "revoke took {delay:?} to reach the gateway");
        assert_eq!(s.http.get(&url, Some(&new)).code(), "invalid_token");

        // Route changes follow just as fast.
        let fresh = token(&s.cli, "fresh", &["--scope", "echo"]);
        eventually("fresh token", || s.http.get(&url, Some(&fresh)).status == 200);
        s.cli.json(&["route", "update", "echo", "--path", "/api/moved"]);
        eventually("route move", || s.http.get(&format!("{}/api/moved/ping", s.gw.url), Some(&fresh)).status == 200);
        assert_eq!(s.http.get(&url, Some(&fresh)).code(), "route_not_found");
    }

    fn streaming_both_ways_and_redirects(srv) {
        let s = stack(&srv);
        let t = token(&s.cli, "streamer", &["--scope", "echo"]);
        eventually("token", || s.http.get(&format!("{}/api/echo/x", s.gw.url), Some(&t)).status == 200);

        // Server-sent events arrive chunk by chunk, not at the end.
        let chunks = s.http.chunks(&format!("{}/api/echo/sse", s.gw.url), &t);
        let text: String = chunks.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(text.matches("data: ").count(), 5, "{text}");
        let first = chunks.first().unwrap().0;
        let last = chunks.last().unwrap().0;
        eprintln!("SSE through the gateway: first chunk after {first} ms, last after {last} ms, {} chunks", chunks.len());
        assert!(chunks.len() >= 3, "events must not be buffered into one chunk: {chunks:?}");
        assert!(last - first >= 900, "events spread over time: {chunks:?}");

        // A 100 MB upload streams through with flat memory.
        let before = s.gw.peak_rss_kib();
        let r = s.http.upload(&format!("{}/api/echo/upload", s.gw.url), &t, 100 * 1024 * 1024);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json()["body_bytes"], 100 * 1024 * 1024);
        let after = s.gw.peak_rss_kib();
        eprintln!("100 MB upload: gateway peak RSS {before} KiB before, {after} KiB after");
        assert!(after - before < 32 * 1024, "peak RSS grew by {} KiB", after - before);

        // A redirect into the upstream base points back at the gateway prefix.
        let r = s.http.get(&format!("{}/api/echo/redirect", s.gw.url), Some(&t));
        assert_eq!(r.status, 302);
        assert_eq!(r.header("location"), Some("/api/echo/landing?x=1"));
    }

    fn usage_is_recorded_once_per_request(srv) {
        let s = stack(&srv);
        let t = token(&s.cli, "counted", &["--scope", "echo"]);
        let url = format!("{}/api/echo/x", s.gw.url);
        eventually("token", || s.http.get(&url, Some(&t)).status == 200);
        for _ in 0..49 {
            assert_eq!(s.http.get(&url, Some(&t)).status, 200);
        }
        assert_eq!(s.http.get(&url, None).status, 401);
        let id: uuid::Uuid = s.cli.json(&["token", "show", "counted"])["id"].as_str().unwrap().parse().unwrap();
        eventually("usage delivered", || srv.usage_of(Some(id)).1 >= 50);
        // Every request is there exactly once.
        let (rows, distinct) = srv.usage_counts();
        assert_eq!(rows, distinct);
        assert_eq!(srv.usage_of(Some(id)), (50, 50));
        assert!(s.cli.json(&["token", "show", "counted"])["last_used_at"].is_string());
        assert_eq!(s.gw.health()["usage"]["spool_depth"], 0);
        // Requests refused without a token (the 401 above, and any sent
        // before the config arrived) are counted per client address, reason
        // and minute; stopping the gateway writes the open count out.
        let mut gw = s.gw;
        gw.stop_graceful();
        eventually("the refusal counted", || srv.usage_of(None).1 >= 1);
    }
}

/// 10,000 requests; the server is down for part of the run and the gateway
/// restarts twice (SIGTERM while the server is down, SIGKILL after).
/// Every request's usage arrives exactly once.
#[test]
fn ten_thousand_requests_survive_server_outage_and_gateway_restart() {
    let srv_backend = if std::env::var("TOKENCTL_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        crate::common::Backend::Postgres
    } else {
        crate::common::Backend::Sqlite
    };
    let mut srv = TestServer::start(srv_backend).unwrap();
    let s = stack(&srv);
    let t = token(&s.cli, "load", &["--scope", "echo"]);
    let url = format!("{}/api/echo/fixed", s.gw.url);
    eventually("token", || s.http.get(&url, Some(&t)).status == 200);
    // Let the warm-up requests' usage arrive before counting.
    std::thread::sleep(Duration::from_millis(700));
    eventually_long("warm-up usage sent", || {
        s.gw.health()["usage"]["spool_depth"] == 0
    });
    // Counted per token: refusals before the config arrived (no token
    // identified) are written as counts when their minute ends, or when
    // the gateway stops, at any point of the run.
    let id: uuid::Uuid = s.cli.json(&["token", "show", "load"])["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let baseline = srv.usage_of(Some(id)).0;
    let mut gw = s.gw;

    let run = |n: usize| -> usize {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = reqwest::Client::new();
            let tasks: Vec<_> = (0..32)
                .map(|i| {
                    let per_task = n / 32 + usize::from(i < n % 32);
                    let (client, url, t) = (client.clone(), url.clone(), t.clone());
                    tokio::spawn(async move {
                        let mut ok = 0;
                        for _ in 0..per_task {
                            let r = client
                                .get(&url)
                                .header("x-api-key", &t)
                                .send()
                                .await
                                .unwrap();
                            assert_eq!(r.status(), 200);
                            r.bytes().await.unwrap();
                            ok += 1;
                        }
                        ok
                    })
                })
                .collect();
            let mut total = 0;
            for task in tasks {
                total += task.await.unwrap();
            }
            total
        })
    };
    let started = Instant::now();
    let mut sent = run(3200);
    srv.stop(); // the control plane goes away (killed)
    sent += run(3200);
    assert!(
        gw.health()["usage"]["spool_depth"].as_i64().unwrap() > 0,
        "usage waits in the spool"
    );
    gw.stop_graceful(); // the gateway restarts while the server is still down
    gw.spawn();
    gw.wait_ready(); // it serves from its stored snapshot
    sent += run(1600);
    srv.spawn(); // the server comes back
    sent += run(1000);
    // A hard kill (no chance to flush) once the responses are out: what the
    // kernel has of the spool survives.
    std::thread::sleep(Duration::from_millis(200));
    gw.kill();
    gw.spawn();
    gw.wait_ready();
    sent += run(1000);
    assert_eq!(sent, 10_000);
    let elapsed = started.elapsed();
    eventually_long("spool drained", || {
        srv.usage_of(Some(id)).0 - baseline >= 10_000
    });
    let (rows, requests) = srv.usage_of(Some(id));
    let (all, distinct) = srv.usage_counts();
    eprintln!(
        "10,000 requests in {:.1}s with a server outage and two gateway restarts: {} usage rows",
        elapsed.as_secs_f64(),
        rows - baseline,
    );
    assert_eq!(rows - baseline, 10_000, "every request exactly once");
    assert_eq!(rows, requests, "one row per request");
    assert_eq!(all, distinct);
    assert_eq!(gw.health()["usage"]["spool_depth"], 0);
}

fn eventually_long(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what} did not happen within 60s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
