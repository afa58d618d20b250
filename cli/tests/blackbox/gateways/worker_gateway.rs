//! The Cloudflare Worker under test: the real server (SQLite only, to keep
//! CI time down, with an edge key), the test upstream and the Worker under
//! workerd (`workerd.rs`), whose local KV is filled from `tokenctl sync
//! export`. Each test starts its own workerd, one at a time.
//!
//! Runs when `TOKENCTL_TEST_WORKER=1`, which `.ci/run` sets after
//! `gateway/worker/build.sh` built the Worker and installed Node.js and
//! wrangler; otherwise every test here says SKIPPED.

use super::workerd::{serial, tools, Edge, IsolateProfiler, IsolateSamples, Project};
use super::{eventually, token, GatewayUnderTest, Kind};
use crate::common::{Backend, Cli, TestServer};
use crate::upstream::{add_echo_route, Http, Upstream};
use std::cell::RefCell;
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
            token_cache_secs: BENCH_CACHE_SECS.0,
            config_cache_secs: BENCH_CACHE_SECS.1,
            ..Opts::default()
        },
        cpu_per_request,
    );
}

/// The token and config cache lifetimes of the measurement: production's.
const BENCH_CACHE_SECS: (u64, u64) = (5, 30);

/// A pass of the measurement: CPU from the kernel's accounting, or the
/// isolates' CPU from V8's profiler (whose own work the kernel would count).
#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Kernel,
    Isolate,
}

/// One kind of request of the measurement, and what it cost so far.
struct Probe<'a> {
    what: &'static str,
    edge: &'a Edge,
    url: String,
    token: Option<&'a str>,
    status: u16,
    /// Its usage events are waited for before the CPU is read (requests
    /// with a token: one event each, through the Queue or posted directly).
    events: bool,
    requests: usize,
    profiled_requests: usize,
    /// CPU ms of the Worker runtime, wrangler's front workerd, its node.
    cpu: (f64, f64, f64),
    /// The profiler of the isolate of `edge`, and what it counted so far.
    profiler: &'a RefCell<IsolateProfiler>,
    isolate: IsolateSamples,
    /// CPU ms of the Worker runtime in the profiled pass, for the check of
    /// the profile's scale (the same requests counted both ways).
    runtime_cpu_profiled: f64,
    wall_ms: f64,
}

impl<'a> Probe<'a> {
    fn new(
        what: &'static str,
        (edge, profiler): (&'a Edge, &'a RefCell<IsolateProfiler>),
        path: &str,
        token: Option<&'a str>,
        status: u16,
        events: bool,
    ) -> Probe<'a> {
        Probe {
            what,
            edge,
            url: format!("{}{path}", edge.url),
            token,
            status,
            events,
            requests: 0,
            profiled_requests: 0,
            cpu: (0.0, 0.0, 0.0),
            profiler,
            isolate: IsolateSamples::default(),
            runtime_cpu_profiled: 0.0,
            wall_ms: 0.0,
        }
    }

    /// `n` requests on one keep-alive connection; `settle` waits for their
    /// usage when they send some. The connection is a new one, opened
    /// before the CPU is read by a request that sends no usage (`idle`):
    /// one kept across the other kinds' turns may be closed as idle by
    /// wrangler just as a request goes out.
    fn run(&mut self, pass: Pass, idle: &str, n: usize, settle: impl FnOnce(usize)) {
        let http = Http::new();
        assert_eq!(
            http.get(&format!("{}{idle}", self.edge.url), None).status,
            200
        );
        let mut profiler = self.profiler.borrow_mut();
        if pass == Pass::Isolate {
            profiler.start();
        }
        let before = self.edge.cpu_split();
        let started = Instant::now();
        for _ in 0..n {
            assert_eq!(http.get(&self.url, self.token).status, self.status);
        }
        let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
        if self.events {
            settle(n);
        }
        let after = self.edge.cpu_split();
        match pass {
            Pass::Kernel => {
                self.wall_ms += wall_ms;
                self.requests += n;
                self.cpu.0 += after.0 - before.0;
                self.cpu.1 += after.1 - before.1;
                self.cpu.2 += after.2 - before.2;
            }
            Pass::Isolate => {
                self.isolate.add(&profiler.stop());
                self.profiled_requests += n;
                self.runtime_cpu_profiled += after.0 - before.0;
            }
        }
    }

    /// CPU ms per request of the Worker runtime (the workerd that runs the
    /// Worker), of the Worker's isolate (samples times the sampler's
    /// period), and of the runtime in the profiled pass; printed with the
    /// rest.
    fn report(&self) -> (f64, f64, f64) {
        let per = |v: f64| v / self.requests as f64;
        let (runtime, front, node) = (per(self.cpu.0), per(self.cpu.1), per(self.cpu.2));
        eprintln!(
            "CPU per request, {} ({} requests): Worker runtime (workerd) {runtime:.3} ms, \
             wrangler's front workerd {front:.3} ms, wrangler's node {node:.3} ms; wall {:.2} ms",
            self.what,
            self.requests,
            per(self.wall_ms)
        );
        let (period_us, gaps) = self.profiler.borrow().period_us();
        let i = &self.isolate;
        let ms = |samples: u64| samples as f64 * period_us / 1000.0 / self.profiled_requests as f64;
        eprintln!(
            "Isolate CPU per request, {}: {:.3} ms (scripts {:.3}, GC {:.3}, the runtime's \
             work outside scripts {:.3}; idle {:.3}), {} samples, sampler period {period_us:.0} \
             µs from {gaps} gaps; most samples of their own, per 1,000 requests: {}",
            self.what,
            ms(i.busy()),
            ms(i.js),
            ms(i.gc),
            ms(i.program),
            ms(i.idle),
            i.busy() + i.idle,
            i.top
                .iter()
                .take(8)
                .map(|(name, n)| {
                    format!(
                        "{name} {:.0}",
                        *n as f64 * 1000.0 / self.profiled_requests as f64
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        let runtime_profiled = self.runtime_cpu_profiled / self.profiled_requests as f64;
        (runtime, ms(i.busy()), runtime_profiled)
    }
}

/// CPU per request under workerd, from the kernel's accounting (utime +
/// stime in /proc) of the Worker runtime process of `wrangler dev`, over
/// `N` requests of each kind, each turn of a kind on one keep-alive
/// connection.
/// Requests that send usage are read after it was delivered (so the
/// Queue's consumer and its batched POSTs are included); refusals without
/// a token are counted per client address and 10-second window, one event
/// per window. Compared with a health request, which does no gateway work
/// and records no usage.
///
/// Beside the gateway run two others under the same wrangler against the
/// same upstream: the same gateway without a Queue (usage posted from
/// isolate memory in batches), which shows what the Queue, simulated by
/// Miniflare in the same process, adds; and a pass-through Worker
/// (`gateway/bench/worker-passthrough`: `fetch` the same upstream URL with
/// the same request and return its Response). What the pass-through's
/// proxied request costs over its own trivial answer is workerd's local
/// subrequest machinery (its HTTP client, Miniflare's outbound handling, in
/// the same process), which Cloudflare does not count as CPU time; the
/// gateway's own work on a proxied request is what its allowed request adds
/// over health minus that. The kinds take turns in rounds, so that a change
/// of the machine's load during the run spreads over all of them.
///
/// Then the same rounds again with each Worker's isolate profiled by V8's
/// sampling profiler through the inspector (`IsolateProfiler`): the time
/// the isolate itself ran (its scripts, its GC, the runtime's work for it
/// while it is entered), which is what Cloudflare counts as a request's CPU
/// time, without the rest of the process (Miniflare's own Workers, the
/// runtime's HTTP client) that the kernel's accounting cannot separate.
fn cpu_per_request(s: &mut Worker) {
    let n: usize = std::env::var("TOKENCTL_WORKER_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    const ROUNDS: usize = 5;
    let t = token(&s.cli, "bench", &["--scope", "echo"]);
    s.sync();

    // The same gateway without a Queue, and the pass-through Worker.
    let mut project = s.project.variant(false);
    project.kv_replace(&s.cli.json(&["sync", "export"]));
    let caches = (
        BENCH_CACHE_SECS.0.to_string(),
        BENCH_CACHE_SECS.1.to_string(),
    );
    let direct = Edge::start(
        &project,
        &[
            ("SERVER_URL", &s.srv.url),
            ("TOKEN_CACHE_SECS", &caches.0),
            ("CONFIG_CACHE_SECS", &caches.1),
        ],
    );
    let passthrough = Project::passthrough(tools().expect("TOKENCTL_TEST_WORKER=1"));
    let upstream = format!("{}/base", s.upstream.url);
    let passthrough = Edge::start(
        &passthrough,
        &[("UPSTREAM", &upstream), ("PREFIX", "/api/echo")],
    );

    let (srv, http) = (&s.srv, &s.http);
    // Usage delivered for requests with a token (refusals without one
    // arrive as counts, later).
    let with_token = || srv.usage_total().1 - srv.usage_of(None).1;
    let expected = std::cell::Cell::new(0);
    let wait_for_usage = |requests: usize| {
        expected.set(expected.get() + requests as i64);
        eventually("usage", Duration::from_secs(120), || {
            with_token() >= expected.get()
        });
        // Let the consumer's last batch finish.
        std::thread::sleep(Duration::from_millis(500));
    };
    let profile = |edge| (edge, RefCell::new(IsolateProfiler::attach(edge)));
    let (gateway, direct, passthrough) =
        (profile(&s.edge), profile(&direct), profile(&passthrough));
    let [gateway, direct, passthrough] = [&gateway, &direct, &passthrough].map(|(e, p)| (*e, p));
    let fixed = "/api/echo/fixed";
    let mut probes = [
        Probe::new(
            "tokenctl health (no gateway work)",
            gateway,
            "/_gateway/health",
            None,
            200,
            false,
        ),
        Probe::new(
            "tokenctl allowed + proxied, usage via Queue",
            gateway,
            fixed,
            Some(&t),
            200,
            true,
        ),
        Probe::new(
            "tokenctl refused (missing_token), usage via Queue",
            gateway,
            fixed,
            None,
            401,
            false,
        ),
        Probe::new(
            "tokenctl without a Queue, health",
            direct,
            "/_gateway/health",
            None,
            200,
            false,
        ),
        Probe::new(
            "tokenctl without a Queue, allowed + proxied, usage posted directly",
            direct,
            fixed,
            Some(&t),
            200,
            true,
        ),
        Probe::new(
            "pass-through floor (no subrequest)",
            passthrough,
            "/",
            None,
            200,
            false,
        ),
        Probe::new(
            "pass-through proxied",
            passthrough,
            fixed,
            Some(&t),
            200,
            false,
        ),
        Probe::new(
            "pass-through spin (a fixed loop of script work)",
            passthrough,
            "/spin",
            None,
            200,
            false,
        ),
    ];
    // Warm-up: every kind once over, their usage delivered.
    for probe in &probes {
        for _ in 0..50 {
            assert_eq!(http.get(&probe.url, probe.token).status, probe.status);
        }
        if probe.events {
            wait_for_usage(50);
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    // The kernel's accounting first, then the same rounds again with the
    // isolates profiled (the profiler's own work would count in the first).
    for pass in [Pass::Kernel, Pass::Isolate] {
        for round in 0..ROUNDS {
            let k = n / ROUNDS + usize::from(round < n % ROUNDS);
            for probe in &mut probes {
                let idle = if std::ptr::eq(probe.edge, passthrough.0) {
                    "/"
                } else {
                    "/_gateway/health"
                };
                probe.run(pass, idle, k, wait_for_usage);
            }
        }
    }
    let all = probes.each_ref().map(Probe::report);
    let isolate = all.map(|(_, cpu, _)| cpu);
    let [.., floor_profiled, _, spin_profiled] = all.map(|(_, _, cpu)| cpu);
    let [health, allowed, refused, direct_health, direct_allowed, floor, proxied, spin] =
        all.map(|(cpu, _, _)| cpu);
    assert!(allowed < 50.0, "{allowed} ms of CPU per request");
    let [health_i, allowed_i, refused_i, direct_health_i, direct_allowed_i, floor_i, proxied_i, spin_i] =
        isolate;
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
    let direct_over = direct_allowed - direct_health;
    eprintln!(
        "Worker runtime CPU without a Queue: allowed + proxied over health {direct_over:.3} ms, \
         the gateway's own work on it {:.3} ms; the Queue's share {:.3} ms",
        direct_over - subrequest,
        allowed_over - direct_over
    );
    eprintln!(
        "Worker isolate CPU over the health request: allowed + proxied {:.3} ms (without a \
         Queue {:.3} ms), refused {:.3} ms; the pass-through's proxied request over its floor \
         {:.3} ms",
        allowed_i - health_i,
        direct_allowed_i - direct_health_i,
        refused_i - health_i,
        proxied_i - floor_i
    );
    // A loop of pure script work costs the same whoever counts it: the
    // profile's scale checked against the kernel's accounting of the first
    // pass (in the profiled pass the kernel also counts the profiler's own
    // work). How far V8 optimizes the loop varies from run to run, and the
    // kernel also counts a small cost per request outside the isolate, so
    // the ratio is nearest 1 when the loop is long (docs/gateway.md).
    let (spin_isolate, spin_kernel) = (spin_i - floor_i, spin - floor);
    eprintln!(
        "Worker isolate CPU, its scale checked: the pass-through's spin over its floor \
         {spin_isolate:.3} ms by the isolate profile, {spin_kernel:.3} ms by the kernel's \
         accounting ({:.2}; {:.3} ms by the kernel in the profiled pass, the profiler's own \
         work included)",
        spin_isolate / spin_kernel,
        spin_profiled - floor_profiled
    );
}
