//! Connection hygiene on the admin API (`tokenctl server`) and the gateway:
//! clients that never finish their headers, idle connections, the
//! connection limit, and running out of file descriptors.
//!
//! The slow clients are raw TCP connections that send the start of a
//! request (`GET / HTTP/1.1\r\nHost: x\r\n`) and then nothing, or one more
//! header byte now and then. The listener does not depend on the database,
//! so these tests run on SQLite only.

use crate::common::{http_get, Backend, Cli, TestGateway, TestServer};
use crate::upstream::{add_echo_route, raw_get_status, Http, Upstream};
use serde_json::Value;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long a real request may take while slow clients are connected.
const PROMPT: Duration = Duration::from_secs(5);

fn addr(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// `n` connections that start a request and never finish its headers.
fn slowloris(url: &str, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut s = TcpStream::connect(addr(url)).expect("connect");
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect()
}

/// Whether the server closes `s` (end of stream or reset) within `wait`.
/// Anything it sends first (a 408 answer) is read and ignored.
fn closes_within(s: &mut TcpStream, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// Sends one more header byte every 300 ms, so the connection is never
/// idle, until the server closes it (`true`) or `limit` after `started`.
fn dribble(s: &mut TcpStream, started: Instant, limit: Duration) -> bool {
    while started.elapsed() < limit {
        if s.write_all(b"a").is_err() || closes_within(s, Duration::from_millis(300)) {
            return true;
        }
    }
    false
}

/// Waits (on its own thread) for the server to close `s`; the time from
/// `since` until it did, or `None` if it was still open at `limit`.
fn watch_close(
    mut s: TcpStream,
    since: Instant,
    limit: Duration,
) -> std::thread::JoinHandle<Option<Duration>> {
    std::thread::spawn(move || {
        closes_within(&mut s, limit.saturating_sub(since.elapsed())).then(|| since.elapsed())
    })
}

/// One keep-alive `GET` on a raw connection; the status code.
fn exchange(s: &mut TcpStream, path: &str) -> u16 {
    s.set_read_timeout(Some(PROMPT)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf).expect("response");
        assert!(n > 0, "connection closed before the response");
        got.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .expect("content-length")
        .trim()
        .parse()
        .unwrap();
    while got.len() < head_end + length {
        let n = s.read(&mut buf).expect("body");
        assert!(n > 0, "connection closed within the body");
        got.extend_from_slice(&buf[..n]);
    }
    head.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn server_connections(srv: &TestServer) -> Value {
    let (status, body) = http_get(&format!("{}/health/detailed", srv.url));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["connections"].clone()
}

fn gateway_connections(gw: &TestGateway) -> Value {
    gw.health()["connections"].clone()
}

fn count(stats: &Value, name: &str) -> u64 {
    stats[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} in {stats}"))
}

/// A real request, timed; panics unless it is answered with `status`.
fn timed(what: &str, status: u16, request: impl FnOnce() -> u16) -> Duration {
    let started = Instant::now();
    let got = request();
    let took = started.elapsed();
    assert_eq!(got, status, "{what}");
    assert!(took < PROMPT, "{what} took {took:?}");
    took
}

/// A server, an upstream with the `echo` route, and a token for it.
struct Stack {
    srv: TestServer,
    _upstream: Upstream,
    token: String,
    http: Http,
}

fn stack() -> Stack {
    let srv = TestServer::start(Backend::Sqlite).unwrap();
    let upstream = Upstream::start();
    add_echo_route(&srv.cli(), &upstream);
    let token = token(&srv.cli());
    Stack {
        srv,
        _upstream: upstream,
        token,
        http: Http::new(),
    }
}

fn token(cli: &Cli) -> String {
    cli.json(&["token", "create", "--name", "client", "--scope", "echo"])["token"]
        .as_str()
        .unwrap()
        .to_string()
}

impl Stack {
    /// Starts a gateway with `args` and waits until it serves the token.
    fn gateway(&self, args: &[&str], fd_limit: Option<u32>) -> TestGateway {
        let gw = TestGateway::start_with(&self.srv, args, fd_limit);
        let started = Instant::now();
        while self.proxied(&gw) != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the gateway never served the token:\n{}",
                gw.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        gw
    }

    /// A proxied request with the token; the status.
    fn proxied(&self, gw: &TestGateway) -> u16 {
        self.http
            .get(&format!("{}/api/echo/x", gw.url), Some(&self.token))
            .status
    }
}

/// Slow clients of every kind, an idle and a busy keep-alive connection,
/// against a listener run with a 2 s header-read timeout and a 1 s
/// keep-alive timeout. `path` answers 200 without credentials.
fn check_timeouts(url: &str, path: &str) {
    let limit = Duration::from_secs(8);
    let started = Instant::now();
    // Silent: a partial request, a connection that sends nothing, a
    // partial HTTP/2 preface (the protocol is never settled).
    let mut silent: Vec<TcpStream> = slowloris(url, 10);
    silent.extend((0..3).map(|_| TcpStream::connect(addr(url)).unwrap()));
    silent.extend((0..2).map(|_| {
        let mut s = TcpStream::connect(addr(url)).unwrap();
        s.write_all(b"PRI * HTTP/2.0\r\n").unwrap();
        s
    }));
    let silent: Vec<_> = silent
        .into_iter()
        .map(|s| watch_close(s, started, limit))
        .collect();
    // Dribbling: one more header byte every 300 ms, so never idle; only the
    // header-read timeout can end them.
    let dribblers: Vec<_> = slowloris(url, 5)
        .into_iter()
        .map(|mut s| {
            std::thread::spawn(move || {
                let _ = s.write_all(b"X-Slow: ");
                dribble(&mut s, started, limit).then(|| started.elapsed())
            })
        })
        .collect();
    // Dribbling the second request's headers after a whole first request
    // on the same kept-alive connection: the header-read timeout holds for
    // every request, not only the first.
    let dribbling_again: Vec<_> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(addr(url)).unwrap();
            let path = path.to_string();
            std::thread::spawn(move || {
                assert_eq!(exchange(&mut s, &path), 200);
                let since = Instant::now();
                s.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").unwrap();
                dribble(&mut s, started, limit).then(|| since.elapsed())
            })
        })
        .collect();
    // Idle after one request.
    let mut idle = TcpStream::connect(addr(url)).unwrap();
    assert_eq!(exchange(&mut idle, path), 200);
    let idle = watch_close(idle, Instant::now(), limit);
    // Busy: a request every 300 ms for 3 s, all on one connection.
    let mut busy = TcpStream::connect(addr(url)).unwrap();
    let busy_from = Instant::now();
    while busy_from.elapsed() < Duration::from_secs(3) {
        assert_eq!(
            exchange(&mut busy, path),
            200,
            "a busy connection stays open"
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    for (what, closes, early, late) in [
        ("silent connection", silent, 800, 4000),
        ("dribbling connection", dribblers, 1500, 5000),
        (
            "connection dribbling its second request",
            dribbling_again,
            1500,
            5000,
        ),
    ] {
        closed_between(
            what,
            closes,
            Duration::from_millis(early),
            Duration::from_millis(late),
            limit,
        );
    }
    let at = idle
        .join()
        .unwrap()
        .expect("idle keep-alive connection closed");
    assert!(
        at >= Duration::from_millis(800) && at < Duration::from_secs(3),
        "idle keep-alive connection closed after {at:?}, not after the 1 s keep-alive timeout"
    );
}

/// Every connection watched by `closes` was closed at least `early` and
/// less than `late` after its start.
fn closed_between(
    what: &str,
    closes: Vec<std::thread::JoinHandle<Option<Duration>>>,
    early: Duration,
    late: Duration,
    limit: Duration,
) {
    for (i, closed) in closes.into_iter().enumerate() {
        let at = closed
            .join()
            .unwrap()
            .unwrap_or_else(|| panic!("{what} {i} still open after {limit:?}"));
        assert!(at >= early, "{what} {i} closed early: {at:?}");
        assert!(at < late, "{what} {i} closed late: {at:?}");
    }
}

fn check_timeout_counters(stats: &Value) {
    assert!(
        count(stats, "timed_out") >= 7,
        "dribblers time out, on a first request and on a later one: {stats}"
    );
    assert!(
        count(stats, "idle_closed") >= 16,
        "silent and idle connections: {stats}"
    );
    assert_eq!(count(stats, "evicted"), 0, "{stats}");
}

// ------------------------------------------------------- the admin API

#[test]
fn admin_api_serves_real_clients_while_slowloris_clients_hold_connections() {
    let srv = TestServer::start(Backend::Sqlite).unwrap();
    let mut held = slowloris(&srv.url, 50);
    for _ in 0..5 {
        timed("GET /health", 200, || {
            http_get(&format!("{}/health", srv.url)).0
        });
    }
    let started = Instant::now();
    srv.cli().json(&["token", "list"]);
    assert!(
        started.elapsed() < PROMPT,
        "an admin call took {:?}",
        started.elapsed()
    );
    let still_open = held
        .iter_mut()
        .map(|s| closes_within(s, Duration::from_millis(10)))
        .filter(|closed| !closed)
        .count();
    assert_eq!(still_open, 50, "the slow clients were connected all along");
}

#[test]
fn admin_api_closes_slow_and_idle_connections() {
    let srv = TestServer::start_with_env(
        Backend::Sqlite,
        &[
            ("TOKENCTL_HEADER_READ_TIMEOUT", "2s"),
            ("TOKENCTL_KEEP_ALIVE_TIMEOUT", "1s"),
        ],
    )
    .unwrap();
    check_timeouts(&srv.url, "/health");
    check_timeout_counters(&server_connections(&srv));
}

#[test]
fn admin_api_at_its_connection_limit_evicts_idle_connections() {
    let srv =
        TestServer::start_with_env(Backend::Sqlite, &[("TOKENCTL_MAX_CONNECTIONS", "20")]).unwrap();
    let mut held = slowloris(&srv.url, 50);
    for _ in 0..5 {
        timed("GET /health", 200, || {
            http_get(&format!("{}/health", srv.url)).0
        });
    }
    srv.cli().json(&["token", "list"]);
    let stats = server_connections(&srv);
    assert_eq!(count(&stats, "max"), 20, "{stats}");
    assert!(count(&stats, "open") <= 20, "{stats}");
    assert!(count(&stats, "evicted") >= 30, "{stats}");
    let closed = held
        .iter_mut()
        .map(|s| closes_within(s, Duration::from_millis(20)))
        .filter(|closed| *closed)
        .count();
    assert!(closed >= 30, "only {closed} slow clients were closed");
}

// ------------------------------------------------------- the gateway

#[test]
fn gateway_serves_real_clients_while_slowloris_clients_hold_connections() {
    let s = stack();
    let gw = s.gateway(&[], None);
    let mut held = slowloris(&gw.url, 50);
    for _ in 0..5 {
        timed("a proxied request", 200, || s.proxied(&gw));
        timed("gateway health", 200, || {
            http_get(&format!("{}/_gateway/health", gw.url)).0
        });
    }
    let still_open = held
        .iter_mut()
        .map(|s| closes_within(s, Duration::from_millis(10)))
        .filter(|closed| !closed)
        .count();
    assert_eq!(still_open, 50, "the slow clients were connected all along");
}

#[test]
fn gateway_closes_slow_and_idle_connections() {
    let s = stack();
    let gw = s.gateway(
        &["--header-read-timeout", "2s", "--keep-alive-timeout", "1s"],
        None,
    );
    check_timeouts(&gw.url, "/_gateway/health");
    check_timeout_counters(&gateway_connections(&gw));
}

#[test]
fn gateway_at_its_connection_limit_evicts_idle_connections() {
    let s = stack();
    let gw = s.gateway(&["--max-connections", "20"], None);
    let mut held = slowloris(&gw.url, 50);
    for _ in 0..5 {
        timed("a proxied request", 200, || s.proxied(&gw));
        timed("a proxied request on a new connection", 200, || {
            raw_get_status(&gw.url, "/api/echo/x", &s.token)
        });
    }
    let stats = gateway_connections(&gw);
    assert_eq!(count(&stats, "max"), 20, "{stats}");
    assert!(count(&stats, "open") <= 20, "{stats}");
    assert!(count(&stats, "evicted") >= 30, "{stats}");
    let closed = held
        .iter_mut()
        .map(|s| closes_within(s, Duration::from_millis(20)))
        .filter(|closed| *closed)
        .count();
    assert!(closed >= 30, "only {closed} slow clients were closed");
}

fn accept_failure_lines(gw: &TestGateway) -> usize {
    gw.log()
        .lines()
        .filter(|l| l.contains("accept failed"))
        .count()
}

/// With 64 descriptors the default connection limit stays below what the
/// process can open, so 150 slow clients are evicted rather than starving
/// it of descriptors.
#[test]
fn gateway_with_few_file_descriptors_keeps_serving() {
    let s = stack();
    let gw = s.gateway(&["--header-read-timeout", "2s"], Some(64));
    let max = count(&gateway_connections(&gw), "max");
    assert!(
        (1..32).contains(&max),
        "the default limit follows from 64 descriptors, two per connection: {max}"
    );
    let _held = slowloris(&gw.url, 150);
    for _ in 0..5 {
        timed("a proxied request", 200, || s.proxied(&gw));
        timed("a proxied request on a new connection", 200, || {
            raw_get_status(&gw.url, "/api/echo/x", &s.token)
        });
    }
    let lines = accept_failure_lines(&gw);
    assert!(lines <= 3, "{lines} accept-failure lines:\n{}", gw.log());
}

/// With a connection limit above what 64 descriptors allow, accepting
/// fails for want of descriptors: the gateway backs off, logs it once,
/// closes idle connections to get descriptors back, and keeps answering.
#[test]
fn gateway_out_of_file_descriptors_backs_off_and_logs_once() {
    let s = stack();
    let gw = s.gateway(
        &["--header-read-timeout", "2s", "--max-connections", "1000"],
        Some(64),
    );
    let _held = slowloris(&gw.url, 150);
    timed("gateway health", 200, || {
        http_get(&format!("{}/_gateway/health", gw.url)).0
    });
    // The upstream connection needs a descriptor too; one is free again at
    // the latest when the slow clients time out.
    let started = Instant::now();
    while s.proxied(&gw) != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "no proxied request got through:\n{}",
            gw.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let stats = gateway_connections(&gw);
    let failures = count(&stats, "accept_errors");
    assert!(failures >= 20, "descriptors really ran out: {stats}");
    let lines = accept_failure_lines(&gw);
    assert!(
        (1..=3).contains(&lines),
        "{failures} failed accepts gave {lines} log lines:\n{}",
        gw.log()
    );
}

#[test]
fn nonsense_connection_limits_are_usage_errors() {
    let cli = Cli::new("", None);
    for (args, says) in [
        (&["server", "--max-connections", "0"][..], "at least 1"),
        (
            &["server", "--header-read-timeout", "0s"][..],
            "more than zero",
        ),
        (
            &["server", "--keep-alive-timeout", "2days"][..],
            "at most 24h",
        ),
        (
            &["gateway", "--key", "x", "--max-connections", "many"][..],
            "whole number",
        ),
        (
            &["gateway", "--key", "x", "--keep-alive-timeout", "0"][..],
            "more than zero",
        ),
    ] {
        let run = cli.run(args);
        let stderr = run.fails(2);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let mut env = Cli::new("", None);
    env.env = vec![("TOKENCTL_GATEWAY_MAX_CONNECTIONS".into(), "0".into())];
    let run = env.run(&["gateway", "--key", "x"]);
    assert!(run.fails(2).contains("at least 1"), "{}", run.stderr);
}
