//! The Cloudflare Worker under test: the real server (SQLite only, to keep
//! CI time down, with an edge key), the test upstream and the Worker under
//! workerd (`workerd.rs`), whose local KV is filled from `tokenctl sync
//! export`. Each test starts its own workerd, one at a time.
//!
//! Runs when `TOKENCTL_TEST_WORKER=1`, which `.ci/run` sets after
//! `gateway/worker/build.sh` built the Worker and installed Node.js and
//! wrangler; otherwise every test here says SKIPPED.

use super::workerd::{serial, tools, Edge, Project};
use super::{eventually, token, GatewayUnderTest, Kind};
use crate::common::{Backend, Cli, TestServer};
use crate::upstream::{add_echo_route, Http, Upstream};
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

pub struct Opts {
    pub queue: bool,
    /// Start the Worker before anything is in KV.
    pub empty_kv: bool,
    pub token_cache_secs: u64,
    pub config_cache_secs: u64,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            queue: true,
            empty_kv: false,
            token_cache_secs: 1,
            config_cache_secs: 1,
        }
    }
}

/// Server (with an edge key) + upstream + Worker, with a route `echo` at
/// `/api/echo` → `<upstream>/base` using bearer auth from UPSTREAM_KEY, as
/// in the native gateway suite.
pub struct Worker {
    // Dropped in this order: the Worker first, the serial lock last.
    pub edge: Edge,
    project: Project,
    pub upstream: Upstream,
    pub http: Http,
    pub cli: Cli,
    pub srv: TestServer,
    _serial: MutexGuard<'static, ()>,
}

impl Worker {
    pub fn start(opts: Opts) -> Option<Worker> {
        let tools = tools()?;
        let serial = serial();
        let edge_key = hex::encode(rand::random::<[u8; 32]>());
        let srv = TestServer::start_with_env(Backend::Sqlite, &[("TOKENCTL_EDGE_KEY", &edge_key)])
            .expect("sqlite backend always available");
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let name = format!("edge-{}", uuid::Uuid::now_v7().simple());
        let key = cli.json(&["gateway-key", "create", &name])["secret"]
            .as_str()
            .unwrap()
            .to_string();
        let mut project = Project::new(
            tools,
            opts.queue,
            &[
                ("TOKENCTL_GATEWAY_KEY", &key),
                ("TOKENCTL_EDGE_KEY", &edge_key),
            ],
        );
        if !opts.empty_kv {
            project.kv_replace(&cli.json(&["sync", "export"]));
        }
        let (token_ttl, config_ttl) = (
            opts.token_cache_secs.to_string(),
            opts.config_cache_secs.to_string(),
        );
        let edge = Edge::start(
            &project,
            &[
                ("SERVER_URL", &srv.url),
                ("TOKEN_CACHE_SECS", &token_ttl),
                ("CONFIG_CACHE_SECS", &config_ttl),
            ],
        );
        Some(Worker {
            edge,
            project,
            upstream,
            http: Http::new(),
            cli,
            srv,
            _serial: serial,
        })
    }

    /// Writes the server's current desired KV state into the local KV
    /// (what the server's KV sync does against Cloudflare).
    fn write_kv(&mut self) {
        let export = self.cli.json(&["sync", "export"]);
        self.project.kv_replace(&export);
    }
}

/// Runs a scenario on the Worker (skipped with a note unless
/// `TOKENCTL_TEST_WORKER=1`).
pub fn run(opts: Opts, scenario: fn(&mut dyn GatewayUnderTest)) {
    if let Some(mut s) = Worker::start(opts) {
        scenario(&mut s);
    }
}

/// Runs a Worker-only test.
pub fn run_worker_only(opts: Opts, test: fn(&mut Worker)) {
    if let Some(mut s) = Worker::start(opts) {
        test(&mut s);
    }
}

impl GatewayUnderTest for Worker {
    fn kind(&self) -> Kind {
        Kind::Worker
    }
    fn base(&self) -> &str {
        &self.edge.url
    }
    fn srv(&self) -> &TestServer {
        &self.srv
    }
    fn cli(&self) -> &Cli {
        &self.cli
    }
    fn upstream(&self) -> &Upstream {
        &self.upstream
    }
    fn http(&self) -> &Http {
        &self.http
    }
    fn sync(&mut self) {
        self.write_kv();
    }
    fn follow_limit(&self) -> Duration {
        Duration::from_secs(10)
    }
    fn peak_rss_kib(&self) -> u64 {
        self.edge.workerd_peak_rss_kib()
    }
    fn upload_rss_budget_kib(&self) -> u64 {
        64 * 1024
    }
    fn stop_graceful(&mut self) -> bool {
        false
    }
}

pub fn without_a_queue_posts_usage_directly(s: &mut Worker) {
    let t = token(&s.cli, "direct", &["--scope", "echo"]);
    s.sync();
    let health = s.health().1;
    assert_eq!(health["usage"]["mode"], "direct", "{health}");
    assert!(health["usage"]["note"]
        .as_str()
        .unwrap()
        .contains("no USAGE queue"));
    for _ in 0..20 {
        assert_eq!(s.http.get(&s.url("/api/echo/x"), Some(&t)).status, 200);
    }
    eventually("usage delivered", Duration::from_secs(20), || {
        s.srv.usage_counts().0 >= 20
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(s.srv.usage_counts(), (20, 20));
    assert_eq!(s.health().1["usage"]["buffered"], 0);
}

/// A `prices` value the Worker cannot read (docs/kv-layout.md): it counts
/// no cost of its own and fails no request, and the budget still holds on
/// the server's published count once that reaches KV.
pub fn unreadable_prices_count_no_cost_and_fail_nothing(s: &mut Worker) {
    use super::scenarios::{chat, llm_route};
    use crate::budgets::{MODEL, PRICE_IN, PRICE_OUT};
    llm_route(s);
    s.cli
        .json(&["price", "set", MODEL, "--in", PRICE_IN, "--out", PRICE_OUT]);
    // $0.002 is under two calls: with readable prices the third is refused.
    let t = token(
        &s.cli,
        "agent",
        &["--scope", "llm", "--budget", "0.002/day"],
    );
    let mut export = s.cli.json(&["sync", "export"]);
    let prices = export
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["key"] == "prices")
        .expect("the export holds the prices");
    prices["value"] = "{\"v\":1,\"prices\":[{\"model\":\"gpt-4o\"}]}".into();
    s.project.kv_replace(&export);
    eventually("the token at the Worker", s.follow_limit(), || {
        s.http.get(&s.url("/no-such-route"), Some(&t)).status == 404
    });
    for i in 0..5 {
        let r = chat(s, &t);
        assert_eq!(
            r.status,
            200,
            "call {i}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    // The server counted them; once its published count is in KV, the
    // budget holds.
    eventually(
        "the cost counted by the server",
        Duration::from_secs(20),
        || {
            let shown = s.cli.json(&["token", "show", "agent"]);
            shown["quota_usage"][0]["used"].as_u64().unwrap_or(0) >= 5_000
        },
    );
    s.write_kv();
    eventually(
        "the published count at the Worker",
        s.follow_limit(),
        || chat(s, &t).status == 429,
    );
}

/// A client as fast as it can go through the Worker against `--quota
/// 100/day`, while the server's published quota state is written to KV
/// every 20 requests (as the KV sync does about once a second): the
/// isolate's own count and the published count are combined, never added
/// twice, so at most the quota passes per isolate. Prints the figures
/// (docs/spend.md, "The Cloudflare Worker").
pub fn a_burst_passes_at_most_the_quota_per_isolate(s: &mut Worker) {
    use super::scenarios::WORKERD_ISOLATES;
    let t = token(&s.cli, "burst", &["--scope", "echo", "--quota", "100/day"]);
    s.sync();
    let url = s.url("/api/echo/b");
    eventually("the token at the Worker", s.follow_limit(), || {
        s.http.get(&s.url("/no-such-route"), Some(&t)).status == 404
    });
    let started = Instant::now();
    let (mut passed, mut refused, mut sent) = (0u64, 0u64, 0u64);
    let mut published = Vec::new();
    while refused < 20 {
        let r = s.http.get(&url, Some(&t));
        sent += 1;
        match r.status {
            200 => passed += 1,
            429 => {
                assert_eq!(r.code(), "quota_exceeded");
                refused += 1;
            }
            other => panic!("HTTP {other}: {}", String::from_utf8_lossy(&r.body)),
        }
        assert!(passed <= 100 * WORKERD_ISOLATES, "{passed} passed");
        if sent % 20 == 0 {
            s.write_kv();
            let shown = s.cli.json(&["token", "show", "burst"]);
            published.push(shown["quota_usage"][0]["used"].as_u64().unwrap_or(0));
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "quota 100/day, one client as fast as it goes through workerd ({WORKERD_ISOLATES} \
         isolate): {passed} passed, {refused} refused of {sent} in {secs:.1} s; the server's \
         count when KV was written: {published:?}"
    );
    assert!(
        (100..=100 * WORKERD_ISOLATES).contains(&passed),
        "{passed} passed"
    );
}

/// The Worker's CPU per request: a measurement, not a test (its figures
/// move with the machine), run by `gateway/bench/worker` with the
/// production cache settings, so a hot token costs no KV read.
#[test]
#[ignore = "a measurement: gateway/bench/worker runs it"]
fn worker_cpu_per_request() {
    run_worker_only(
        Opts {
            token_cache_secs: 5,
            config_cache_secs: 30,
            ..Opts::default()
        },
        cpu_per_request,
    );
}

/// CPU ms per request of the Worker runtime (the workerd that runs the
/// Worker) over `n` GETs of `url` on the client's keep-alive connection,
/// each answered `status`; `settle` runs before the second reading (to wait
/// for the usage the requests sent). Prints the figures of `what`.
#[allow(clippy::too_many_arguments)]
fn runtime_cpu_ms(
    edge: &Edge,
    http: &Http,
    n: usize,
    what: &str,
    url: &str,
    token: Option<&str>,
    status: u16,
    settle: impl FnOnce(),
) -> f64 {
    let before = edge.cpu_split();
    let started = Instant::now();
    for _ in 0..n {
        assert_eq!(http.get(url, token).status, status);
    }
    let wall = started.elapsed().as_secs_f64() * 1000.0 / n as f64;
    settle();
    let after = edge.cpu_split();
    let per = |a: f64, b: f64| (a - b) / n as f64;
    let (runtime, front, node) = (
        per(after.0, before.0),
        per(after.1, before.1),
        per(after.2, before.2),
    );
    eprintln!(
        "CPU per request, {what} ({n} requests): Worker runtime (workerd) {runtime:.3} ms, \
         wrangler's front workerd {front:.3} ms, wrangler's node {node:.3} ms; wall {wall:.2} ms"
    );
    runtime
}

/// CPU per request under workerd, from the kernel's accounting (utime +
/// stime in /proc) of the processes `wrangler dev` runs, over `N` requests
/// on one keep-alive connection, read after the Queue delivered their usage
/// (so the consumer's batched POSTs are included). Compared with a health
/// request, which does no gateway work and records no usage.
///
/// Then the same for a pass-through Worker (`gateway/bench/worker-
/// passthrough`: `fetch` the same upstream URL with the same request and
/// return its Response) under the same wrangler, against the same upstream:
/// what its proxied request costs over its own trivial answer is workerd's
/// local subrequest machinery (its HTTP client, Miniflare's outbound
/// handling, in the same process), which Cloudflare does not count as CPU
/// time. The gateway's own work on a proxied request is what the allowed
/// request adds over health minus that.
fn cpu_per_request(s: &mut Worker) {
    let n: usize = std::env::var("TOKENCTL_WORKER_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let t = token(&s.cli, "bench", &["--scope", "echo"]);
    s.sync();
    let fixed = s.url("/api/echo/fixed");
    let health = s.url("/_gateway/health");
    for _ in 0..50 {
        assert_eq!(s.http.get(&fixed, Some(&t)).status, 200);
    }
    eventually("warm-up usage", Duration::from_secs(30), || {
        s.srv.usage_counts().0 >= 50
    });
    std::thread::sleep(Duration::from_secs(1));

    let srv = &s.srv;
    let mut usage = 50;
    let mut wait_for_usage = || {
        usage += n as i64;
        // Requests, not rows: refusals without a token arrive as counts.
        eventually("usage", Duration::from_secs(120), || {
            srv.usage_total().1 >= usage
        });
        // Let the consumer's last batch finish.
        std::thread::sleep(Duration::from_millis(500));
    };
    let (edge, http) = (&s.edge, &s.http);
    let health = runtime_cpu_ms(
        edge,
        http,
        n,
        "tokenctl health (no gateway work)",
        &health,
        None,
        200,
        || {},
    );
    let allowed = runtime_cpu_ms(
        edge,
        http,
        n,
        "tokenctl allowed + proxied, usage via Queue",
        &fixed,
        Some(&t),
        200,
        &mut wait_for_usage,
    );
    let refused = runtime_cpu_ms(
        edge,
        http,
        n,
        "tokenctl refused (missing_token), usage via Queue",
        &fixed,
        None,
        401,
        &mut wait_for_usage,
    );
    assert!(allowed < 50.0, "{allowed} ms of CPU per request");

    // The baseline, alone on the machine: the gateway's wrangler stopped.
    s.edge.stop();
    let project = Project::passthrough(tools().expect("TOKENCTL_TEST_WORKER=1"));
    let upstream = format!("{}/base", s.upstream.url);
    let edge = Edge::start(
        &project,
        &[("UPSTREAM", &upstream), ("PREFIX", "/api/echo")],
    );
    let (fixed, floor) = (edge.url.clone() + "/api/echo/fixed", edge.url.clone() + "/");
    for _ in 0..50 {
        assert_eq!(s.http.get(&fixed, Some(&t)).status, 200);
    }
    std::thread::sleep(Duration::from_secs(1));
    let floor = runtime_cpu_ms(
        &edge,
        &s.http,
        n,
        "pass-through floor (no subrequest)",
        &floor,
        None,
        200,
        || {},
    );
    let proxied = runtime_cpu_ms(
        &edge,
        &s.http,
        n,
        "pass-through proxied",
        &fixed,
        Some(&t),
        200,
        || {},
    );

    let (refused_own, allowed_over) = (refused - health, allowed - health);
    let subrequest = proxied - floor;
    eprintln!(
        "Worker runtime CPU over the health request: allowed + proxied {allowed_over:.3} ms, \
         refused {refused_own:.3} ms"
    );
    eprintln!(
        "Worker runtime CPU of the pass-through baseline: proxied over its floor \
         {subrequest:.3} ms"
    );
    eprintln!(
        "Worker runtime CPU, the gateway's own work: proxied {:.3} ms \
         (= {allowed_over:.3} - {subrequest:.3}), refused {refused_own:.3} ms",
        allowed_over - subrequest
    );
}
