//! Prometheus metrics (`--metrics-listen`): a real server (with KV sync
//! against the fake Cloudflare API) and a real gateway, each with its
//! metrics endpoint on a free port; traffic through the real CLI and a real
//! HTTP client; scrapes read as the text format. The counters must move by
//! exactly what the traffic did, and the Grafana dashboard in `docs/` must
//! use exactly the metrics the two endpoints export.

use crate::common::{http_get, new_credential, Backend, Cli, TestGateway, TestServer};
use crate::fake_kv::{FakeKv, Faults};
use crate::prometheus_text::Scrape;
use crate::upstream::{add_echo_route, Http, Upstream};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const KV_API_TOKEN: &str = "cf-metrics-api-token";

macro_rules! on_both_backends_with_metrics {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Postgres) } )*
        }
    };
}

on_both_backends_with_metrics!(
    metrics_move_with_traffic,
    dashboard_uses_exactly_the_exported_metrics
);

/// Server (KV sync on), upstream with the route `echo` at `/api/echo`, a
/// token for it, and a gateway; both with metrics on free ports.
struct Stack {
    kv: FakeKv,
    srv: TestServer,
    cli: Cli,
    gw: TestGateway,
    http: Http,
    token: String,
    server_metrics: String,
    gateway_metrics: String,
    _upstream: Upstream,
}

/// The URL of the metrics endpoint from its `… metrics listening addr=…` log line.
fn metrics_url(log: &str, marker: &str) -> String {
    let line = log
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no `{marker}` line in the log:\n{log}"));
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("addr="))
        .expect("the line names the address");
    format!("http://{addr}/metrics")
}

fn scrape(url: &str) -> Scrape {
    let (status, content_type, body) = crate::common::runtime().block_on(async {
        let resp = reqwest::get(url).await.expect("GET");
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (
            resp.status().as_u16(),
            content_type,
            resp.text().await.unwrap(),
        )
    });
    assert_eq!(status, 200, "{url}: {body}");
    assert_eq!(
        content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8"),
        "the Prometheus text format"
    );
    Scrape::parse(&body)
}

/// Waits for `check` to hold on fresh scrapes, up to `within`.
fn eventually(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Stack {
    fn start(backend: Backend) -> Option<Stack> {
        let kv = FakeKv::start(KV_API_TOKEN);
        let mut env = kv.server_env(KV_API_TOKEN);
        env.push(("TOKENCTL_METRICS_LISTEN".into(), "127.0.0.1:0".into()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let srv = TestServer::start_with_env(backend, &env)?;
        let server_metrics = metrics_url(&srv.log(), "tokenctl server metrics listening");
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let token = cli.json(&["token", "create", "--name", "client", "--scope", "echo"])["token"]
            .as_str()
            .unwrap()
            .to_string();
        let gw = TestGateway::start_with(&srv, &["--metrics-listen", "127.0.0.1:0"], None);
        gw.wait_ready();
        let gateway_metrics = metrics_url(&gw.log(), "tokenctl gateway metrics listening");
        let http = Http::new();
        // The gateway knows the token once it answers 200.
        eventually(
            "the token reaches the gateway",
            Duration::from_secs(10),
            || {
                http.get(&format!("{}/api/echo/ready", gw.url), Some(&token))
                    .status
                    == 200
            },
        );
        Some(Stack {
            kv,
            srv,
            cli,
            gw,
            http,
            token,
            server_metrics,
            gateway_metrics,
            _upstream: upstream,
        })
    }

    fn server(&self) -> Scrape {
        scrape(&self.server_metrics)
    }

    fn gateway(&self) -> Scrape {
        scrape(&self.gateway_metrics)
    }

    fn get(&self, path: &str, token: Option<&str>) -> u16 {
        self.http
            .get(&format!("{}{path}", self.gw.url), token)
            .status
    }

    /// Waits until the gateway has sent at least `min_sent` usage events
    /// and its spool is empty, and the server counted exactly what the
    /// gateway sent (both started fresh: every event came from it) and
    /// stored it; returns the scrapes then. Anonymous refusals are counted
    /// into one event per minute, sent when the minute is over, so they may
    /// or may not be in.
    fn usage_settled(&self, min_sent: f64) -> (Scrape, Scrape) {
        let mut last = None;
        eventually("usage reaches the server", Duration::from_secs(30), || {
            let (g, x) = (self.gateway(), self.server());
            let sent = g.counter(SENT, &[]);
            let settled = sent >= min_sent
                && g.get("tokenctl_gateway_usage_spool_events", &[]) == Some(0.0)
                && x.counter(USAGE_EVENTS, &[("result", "inserted")]) == sent
                && self.srv.usage_counts().0 as f64 == sent;
            last = Some((g, x));
            settled
        });
        last.unwrap()
    }
}

const REQUESTS: &str = "tokenctl_gateway_requests_total";
const UPSTREAM_COUNT: &str = "tokenctl_gateway_upstream_duration_seconds_count";
const HTTP_REQUESTS: &str = "tokenctl_server_http_requests_total";
const AUTH_FAILURES: &str = "tokenctl_server_auth_failures_total";
const USAGE_EVENTS: &str = "tokenctl_server_usage_events_total";
const SENT: &str = "tokenctl_gateway_usage_events_sent_total";

fn metrics_move_with_traffic(backend: Backend) {
    let Some(s) = Stack::start(backend) else {
        return;
    };
    let (gw0, _) = s.usage_settled(1.0);

    // Gateway traffic: 3 allowed, 2 without a token, 1 for a route the
    // token may not use, 1 for no route at all.
    s.cli.json(&[
        "route",
        "add",
        "other",
        "--all-teams",
        "--path",
        "/api/other",
        "--upstream",
        "http://127.0.0.1:9",
    ]);
    let version0 = gw0.get("tokenctl_gateway_config_version", &[]).unwrap();
    eventually(
        "the gateway installs the new route",
        Duration::from_secs(10),
        || {
            s.gateway()
                .get("tokenctl_gateway_config_version", &[])
                .unwrap()
                > version0
        },
    );
    for _ in 0..3 {
        assert_eq!(s.get("/api/echo/v1/models", Some(&s.token)), 200);
    }
    for _ in 0..2 {
        assert_eq!(s.get("/api/echo/v1/models", None), 401);
    }
    assert_eq!(s.get("/api/other/x", Some(&s.token)), 403);
    assert_eq!(s.get("/client/chosen/path", Some(&s.token)), 404);

    let gw1 = s.gateway();
    let moved = |route: &str, outcome: &str| {
        let labels = [("route", route), ("outcome", outcome)];
        gw1.counter(REQUESTS, &labels) - gw0.counter(REQUESTS, &labels)
    };
    assert_eq!(moved("echo", "ok"), 3.0);
    assert_eq!(
        moved("_none", "missing_token"),
        2.0,
        "no route matched before the token was checked"
    );
    assert_eq!(moved("other", "scope_denied"), 1.0);
    assert_eq!(moved("_none", "route_not_found"), 1.0);
    let series: BTreeSet<&str> = gw1
        .samples
        .iter()
        .filter(|x| x.name == REQUESTS)
        .map(|x| x.labels["route"].as_str())
        .collect();
    assert_eq!(
        series,
        BTreeSet::from(["_none", "echo", "other"]),
        "routes are named, never client paths"
    );
    let upstream = |g: &Scrape| g.counter(UPSTREAM_COUNT, &[("route", "echo")]);
    assert_eq!(
        upstream(&gw1) - upstream(&gw0),
        3.0,
        "one upstream time per forwarded request"
    );
    let age = gw1.get("tokenctl_gateway_config_age_seconds", &[]).unwrap();
    assert!((0.0..60.0).contains(&age), "config age {age}");

    // Usage: identified requests are one event each (5 more); each
    // minute's anonymous refusals one more event at most.
    let sent0 = gw0.counter(SENT, &[]);
    let (gw2, srv1) = s.usage_settled(sent0 + 5.0);
    let sent = gw2.counter(SENT, &[]) - sent0;
    assert!((5.0..=7.0).contains(&sent), "sent {sent}");
    assert_eq!(srv1.counter(USAGE_EVENTS, &[("result", "refused")]), 0.0);
    for (name, labels) in [
        (
            "tokenctl_gateway_usage_events_dropped_total",
            vec![("request", "denied")],
        ),
        (
            "tokenctl_gateway_usage_events_dropped_total",
            vec![("request", "allowed")],
        ),
        ("tokenctl_gateway_usage_events_dead_lettered_total", vec![]),
    ] {
        assert_eq!(gw2.get(name, &labels), Some(0.0), "{name} {labels:?}");
    }
    eventually("the roll-up catches up", Duration::from_secs(10), || {
        let x = s.server();
        x.get("tokenctl_server_usage_rollup_pending_events", &[]) == Some(0.0)
            && x.get("tokenctl_server_usage_rollup_lag_seconds", &[]) == Some(0.0)
    });

    // Admin API: a credential the server does not know, none at all, and
    // a path no route matches.
    let stranger = Cli::new(&s.srv.url, Some(&new_credential()));
    assert_eq!(
        stranger.run(&["token", "list"]).code,
        4,
        "refused as unauthenticated"
    );
    assert_eq!(http_get(&format!("{}/v1/tokens", s.srv.url)).0, 401);
    assert_eq!(
        http_get(&format!("{}/client/chosen/path", s.srv.url)).0,
        404
    );
    let srv2 = s.server();
    let moved = |name: &str, labels: &[(&str, &str)]| {
        srv2.counter(name, labels) - srv1.counter(name, labels)
    };
    assert_eq!(
        moved(AUTH_FAILURES, &[("reason", "invalid_credential")]),
        1.0
    );
    assert_eq!(
        moved(AUTH_FAILURES, &[("reason", "missing_credential")]),
        1.0
    );
    assert_eq!(
        moved(
            HTTP_REQUESTS,
            &[
                ("route", "/v1/tokens"),
                ("method", "GET"),
                ("status", "401")
            ]
        ),
        2.0
    );
    assert_eq!(
        moved(
            HTTP_REQUESTS,
            &[("route", "_none"), ("method", "GET"), ("status", "404")]
        ),
        1.0
    );
    let routes: BTreeSet<&str> = srv2
        .samples
        .iter()
        .filter(|x| x.name == HTTP_REQUESTS)
        .map(|x| x.labels["route"].as_str())
        .collect();
    assert!(routes.contains("/v1/routes"), "route add: {routes:?}");
    assert!(
        routes
            .iter()
            .all(|r| *r == "_none" || r.starts_with("/v1/") || r.starts_with("/health")),
        "templates only: {routes:?}"
    );
    let timed = |x: &Scrape| {
        x.counter(
            "tokenctl_server_http_request_duration_seconds_count",
            &[("route", "/v1/tokens"), ("method", "GET")],
        )
    };
    assert_eq!(timed(&srv2) - timed(&srv1), 2.0);
    let pool_max = srv2
        .get("tokenctl_server_db_pool_max_connections", &[])
        .unwrap();
    let in_use = srv2
        .get(
            "tokenctl_server_db_pool_connections",
            &[("state", "in_use")],
        )
        .unwrap();
    let idle = srv2
        .get("tokenctl_server_db_pool_connections", &[("state", "idle")])
        .unwrap();
    assert!(
        pool_max >= 1.0 && idle + in_use >= 1.0 && idle + in_use <= pool_max,
        "pool {in_use} + {idle} of {pool_max}"
    );

    // KV sync: while Cloudflare fails, changes wait and failures count;
    // once it answers again, the backlog drains.
    eventually("KV in sync", Duration::from_secs(20), || {
        s.server()
            .get("tokenctl_server_kv_sync_pending_changes", &[])
            == Some(0.0)
    });
    let failures = |x: &Scrape| {
        x.get("tokenctl_server_kv_sync_failures_total", &[])
            .unwrap()
    };
    let failures0 = failures(&s.server());
    s.kv.set_faults(Faults {
        rate: 1.0,
        hang: Duration::from_millis(200),
    });
    s.cli.json(&[
        "token",
        "create",
        "--name",
        "while-kv-fails",
        "--scope",
        "echo",
    ]);
    eventually(
        "failures and a backlog show",
        Duration::from_secs(30),
        || {
            let x = s.server();
            failures(&x) > failures0
                && x.get("tokenctl_server_kv_sync_pending_changes", &[])
                    .unwrap()
                    >= 1.0
                && x.get("tokenctl_server_kv_sync_lag_seconds", &[]).unwrap() > 0.0
        },
    );
    s.kv.set_faults(Faults {
        rate: 0.0,
        hang: Duration::from_millis(200),
    });
    eventually("the KV backlog drains", Duration::from_secs(30), || {
        let x = s.server();
        x.get("tokenctl_server_kv_sync_pending_changes", &[]) == Some(0.0)
            && x.get("tokenctl_server_kv_sync_lag_seconds", &[]) == Some(0.0)
    });

    // Only GET /metrics is served there.
    assert_eq!(s.http.send("POST", &s.gateway_metrics, &[], "").status, 405);
    let base = s.gateway_metrics.trim_end_matches("/metrics");
    assert_eq!(http_get(&format!("{base}/_gateway/health")).0, 404);
    let base = s.server_metrics.trim_end_matches("/metrics");
    assert_eq!(http_get(&format!("{base}/v1/tokens")).0, 404);
}

/// Every metric name the dashboard mentions (in its panels' queries and
/// its variables alike).
fn dashboard_metrics() -> BTreeSet<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/grafana-dashboard.json"
    );
    let text = std::fs::read_to_string(path).expect("docs/grafana-dashboard.json");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let queries = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .filter(|t| t["expr"].as_str().is_some_and(|e| e.contains("tokenctl_")))
        .count();
    assert!(queries >= 10, "the dashboard has its queries ({queries})");
    let name = regex_lite::Regex::new(r"tokenctl_[a-z0-9_]+").unwrap();
    name.find_iter(&text)
        .map(|m| m.as_str().to_string())
        .collect()
}

fn dashboard_uses_exactly_the_exported_metrics(backend: Backend) {
    let Some(s) = Stack::start(backend) else {
        return;
    };
    // Series that appear with their first event: a refusal, a failed admin
    // login and usage ingest.
    assert_eq!(s.get("/api/echo", None), 401);
    let stranger = Cli::new(&s.srv.url, Some(&new_credential()));
    assert_eq!(stranger.run(&["token", "list"]).code, 4);
    let (gateway, server) = s.usage_settled(1.0);
    let exported: BTreeSet<String> = server.names().union(&gateway.names()).cloned().collect();
    let used = dashboard_metrics();
    let missing: Vec<&String> = used.difference(&exported).collect();
    assert!(
        missing.is_empty(),
        "the dashboard queries metrics that are not exported: {missing:?}"
    );
    // And it shows every family: a histogram counts as used through any of
    // its series.
    let families: BTreeSet<&String> = server.types.keys().chain(gateway.types.keys()).collect();
    let unused: Vec<&&String> = families
        .iter()
        .filter(|f| {
            !used.iter().any(|u| {
                u == **f
                    || u.strip_prefix(f.as_str())
                        .is_some_and(|rest| ["_bucket", "_sum", "_count"].contains(&rest))
            })
        })
        .collect();
    assert!(
        unused.is_empty(),
        "exported but not on the dashboard: {unused:?}"
    );
}
