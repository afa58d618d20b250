//! The fault suite: steady traffic through a native gateway — valid
//! requests, refused ones, hostile ones (odd methods, no token, long
//! headers) — while the server is killed and restarted, PostgreSQL is
//! stopped and started, the gateway is killed and restarted, and the spool
//! is filled to its cap. Afterwards every allowed request must be counted
//! exactly once (or counted as dropped under the spool's cap policy), a
//! token revoked while the server was down must be refused within a second
//! of the server's return, real clients must have been answered whenever
//! the gateway was up, and everything must be healthy without a hand on
//! it. The figures are printed (and recorded in `docs/gateway.md`).
//!
//! PostgreSQL is an instance of the test's own, so stopping it disturbs no
//! other test.

use crate::common::{http_get, TestGateway, TestServer};
use crate::own_postgres::OwnPostgres;
use crate::upstream::{add_echo_route, Upstream};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the traffic driver saw.
#[derive(Default)]
struct Tally {
    /// 200 answers for the counted token: each must be counted at the
    /// server (or dropped by the cap policy).
    allowed: AtomicU64,
    /// Refused as expected (401 without/with a bad token, 403 out of scope).
    refused: AtomicU64,
    /// Raw requests with odd methods or huge headers, answered.
    hostile: AtomicU64,
    /// No answer (connection refused/reset) while the gateway was down.
    not_served_while_down: AtomicU64,
    /// Anything else while the gateway was up: must stay 0.
    unexpected: AtomicU64,
    last_unexpected: std::sync::Mutex<String>,
}

struct Driver {
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
    pause: Arc<AtomicBool>,
    in_flight: Arc<AtomicUsize>,
    gateway_up: Arc<AtomicBool>,
    /// Send scope-denied requests as fast as possible (to fill the spool).
    flood: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

const CLIENTS: usize = 6;
/// Slowloris connections held open against the gateway.
const SLOW_CONNECTIONS: usize = 50;
/// Pause between one client's requests: about 300 requests/s in all.
const THINK: Duration = Duration::from_millis(20);

impl Driver {
    fn start(gateway: &str, token: &str, revoked: &str) -> Driver {
        let d = Driver {
            tally: Arc::default(),
            stop: Arc::default(),
            pause: Arc::default(),
            in_flight: Arc::default(),
            gateway_up: Arc::new(AtomicBool::new(true)),
            flood: Arc::default(),
            handle: None,
        };
        let (tally, stop, pause, in_flight, up, flood) = (
            d.tally.clone(),
            d.stop.clone(),
            d.pause.clone(),
            d.in_flight.clone(),
            d.gateway_up.clone(),
            d.flood.clone(),
        );
        let (gateway, token, revoked) =
            (gateway.to_string(), token.to_string(), revoked.to_string());
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let tasks: Vec<_> = (0..CLIENTS)
                    .map(|i| {
                        let (client, gateway, token, revoked) = (
                            client.clone(),
                            gateway.clone(),
                            token.clone(),
                            revoked.clone(),
                        );
                        let (tally, stop, pause, in_flight, up, flood) = (
                            tally.clone(),
                            stop.clone(),
                            pause.clone(),
                            in_flight.clone(),
                            up.clone(),
                            flood.clone(),
                        );
                        tokio::spawn(async move {
                            let mut n: u64 = i as u64;
                            while !stop.load(Ordering::Relaxed) {
                                if pause.load(Ordering::Relaxed) {
                                    tokio::time::sleep(Duration::from_millis(5)).await;
                                    continue;
                                }
                                in_flight.fetch_add(1, Ordering::SeqCst);
                                let flooding = flood.load(Ordering::Relaxed) && i % 2 == 0;
                                let tokens = (token.as_str(), revoked.as_str());
                                one_request(&client, &gateway, tokens, n, flooding, &tally, &up)
                                    .await;
                                in_flight.fetch_sub(1, Ordering::SeqCst);
                                n += CLIENTS as u64;
                                if !flooding {
                                    tokio::time::sleep(THINK).await;
                                }
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    let _ = t.await;
                }
            });
        });
        Driver {
            handle: Some(handle),
            ..d
        }
    }

    /// Stops sending and waits until nothing is in flight.
    fn quiesce(&self) {
        self.pause.store(true, Ordering::SeqCst);
        let started = Instant::now();
        while self.in_flight.load(Ordering::SeqCst) > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "requests did not finish"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn resume(&self) {
        self.pause.store(false, Ordering::SeqCst);
    }

    fn finish(mut self) -> Arc<Tally> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.take().unwrap().join().unwrap();
        self.tally.clone()
    }
}

async fn one_request(
    client: &reqwest::Client,
    gateway: &str,
    (token, revoked): (&str, &str),
    n: u64,
    flooding: bool,
    tally: &Tally,
    up: &AtomicBool,
) {
    let echo = format!("{gateway}/api/echo/x");
    let unexpected = |what: String| {
        if up.load(Ordering::Relaxed) {
            tally.unexpected.fetch_add(1, Ordering::Relaxed);
            *tally.last_unexpected.lock().unwrap() = what;
        } else {
            tally.not_served_while_down.fetch_add(1, Ordering::Relaxed);
        }
    };
    let expect =
        |result: reqwest::Result<reqwest::Response>, want: u16, counter: &AtomicU64| match result {
            Ok(r) if r.status().as_u16() == want => {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => unexpected(format!("request {n}: {} instead of {want}", r.status())),
            Err(e) => unexpected(format!("request {n}: {e}")),
        };
    if flooding {
        // Out of scope for the token: refused, and recorded one by one
        // (the token is known), so it fills the spool.
        let r = client
            .get(format!("{gateway}/api/other/x"))
            .header("x-api-key", token)
            .send()
            .await;
        return expect(r, 403, &tally.refused);
    }
    match n % 20 {
        0 | 1 => expect(client.get(&echo).send().await, 401, &tally.refused),
        2 => {
            let r = client
                .get(&echo)
                .header("x-api-key", "ntk_not-a-token")
                .send()
                .await;
            expect(r, 401, &tally.refused)
        }
        5 => {
            // Revoked before the run: refused like an unknown token.
            let r = client.get(&echo).header("x-api-key", revoked).send().await;
            expect(r, 401, &tally.refused)
        }
        3 => {
            // Long headers with a valid token: allowed.
            let r = client
                .get(&echo)
                .header("x-api-key", token)
                .header("x-junk", "j".repeat(8 * 1024))
                .header("user-agent", "u".repeat(4 * 1024))
                .send()
                .await;
            expect(r, 200, &tally.allowed)
        }
        4 => {
            let addr = gateway.trim_start_matches("http://").to_string();
            match raw_odd_method(&addr).await {
                Ok(401) => {
                    tally.hostile.fetch_add(1, Ordering::Relaxed);
                }
                Ok(s) => unexpected(format!("odd method answered {s}")),
                Err(e) => unexpected(format!("odd method: {e}")),
            }
        }
        _ => {
            let r = client.get(&echo).header("x-api-key", token).send().await;
            expect(r, 200, &tally.allowed)
        }
    }
}

/// Holds slowloris connections to the gateway for the whole run: each
/// sends part of a request's headers and then one more byte a second,
/// never finishing. Connections the gateway closes are opened again.
struct Slowloris {
    stop: Arc<AtomicBool>,
    opened: Arc<AtomicU64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Slowloris {
    fn start(gateway: &str, connections: usize) -> Slowloris {
        let addr = gateway.trim_start_matches("http://").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let opened = Arc::new(AtomicU64::new(0));
        let (stop2, opened2) = (stop.clone(), opened.clone());
        let handle = std::thread::spawn(move || {
            let mut held: Vec<std::net::TcpStream> = Vec::new();
            while !stop2.load(Ordering::Relaxed) {
                while held.len() < connections {
                    let Ok(mut c) = std::net::TcpStream::connect(&addr) else {
                        break;
                    };
                    if c.write_all(b"GET /api/echo/x HTTP/1.1\r\nHost: gw\r\nX-Slow: ")
                        .is_ok()
                    {
                        opened2.fetch_add(1, Ordering::Relaxed);
                        held.push(c);
                    }
                }
                held.retain_mut(|c| c.write_all(b"a").is_ok());
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        Slowloris {
            stop,
            opened,
            handle: Some(handle),
        }
    }

    /// Stops; returns how many slow connections were opened in all.
    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().unwrap().join().unwrap();
        self.opened.load(Ordering::Relaxed)
    }
}

async fn raw_odd_method(addr: &str) -> std::io::Result<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(
            b"AAAAAAAAAAAAAAAAAA /api/echo/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
        )
        .await?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    let text = String::from_utf8_lossy(&out);
    Ok(text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

fn until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

fn health_status(url: &str) -> (u16, serde_json::Value) {
    let (status, body) = http_get(url);
    (status, serde_json::from_str(&body).unwrap_or_default())
}

/// Past the test harness's output capture, so CI logs show the figures.
fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "fault suite: {line}");
}

#[test]
fn faults_cost_no_usage_and_heal_without_help() {
    let Some(pg) = OwnPostgres::start() else {
        return;
    };
    let mut srv = TestServer::start_on_postgres(&pg.url());
    let cli = srv.cli();
    let upstream = Upstream::start();
    add_echo_route(&cli, &upstream);
    cli.json(&[
        "route",
        "add",
        "other",
        "--path",
        "/api/other",
        "--upstream",
        &upstream.url,
        "--all-teams",
    ]);
    let counted = cli.json(&["token", "create", "--name", "steady", "--scope", "echo"]);
    let (token, token_id): (String, uuid::Uuid) = (
        counted["token"].as_str().unwrap().into(),
        counted["id"].as_str().unwrap().parse().unwrap(),
    );
    let revoked = cli.json(&[
        "token",
        "create",
        "--name",
        "revoked-later",
        "--scope",
        "echo",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut gw = TestGateway::start_with(
        &srv,
        &["--spool-max", "2MiB", "--header-read-timeout", "5s"],
        None,
    );
    gw.wait_ready();
    let probe = crate::upstream::Http::new();
    let echo = format!("{}/api/echo/x", gw.url);
    until(
        "tokens known at the gateway",
        Duration::from_secs(10),
        || {
            probe.get(&echo, Some(&token)).status == 200
                && probe.get(&echo, Some(&revoked)).status == 200
        },
    );
    until("probes counted", Duration::from_secs(20), || {
        srv.usage_of_status(token_id, 200).1 >= 1
    });
    let probes = srv.usage_of_status(token_id, 200).1 as u64;
    let old = cli.json(&[
        "token",
        "create",
        "--name",
        "revoked-early",
        "--scope",
        "echo",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    cli.run(&["token", "revoke", "revoked-early"]).ok();
    until(
        "the early revocation at the gateway",
        Duration::from_secs(10),
        || probe.get(&echo, Some(&old)).status == 401,
    );
    let started = Instant::now();
    let slowloris = Slowloris::start(&gw.url, SLOW_CONNECTIONS);
    let driver = Driver::start(&gw.url, &token, &old);
    std::thread::sleep(Duration::from_secs(2));
    let mut peak_server_kib = 0;
    let mut peak_gateway_kib = 0;

    // 1. The server dies (SIGKILL); a token is revoked meanwhile through
    //    another server process; the server comes back.
    peak_server_kib = peak_server_kib.max(srv.peak_rss_kib());
    srv.stop();
    let other = srv.another_process();
    other.cli().run(&["token", "revoke", "revoked-later"]).ok();
    drop(other);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        probe.get(&echo, Some(&revoked)).status,
        200,
        "with the server down the gateway serves its last config"
    );
    srv.spawn();
    let revocation = until(
        "the revocation reaches the gateway",
        Duration::from_secs(10),
        || probe.get(&echo, Some(&revoked)).status == 401,
    );
    report(&format!(
        "token revoked while the server was down: refused {} ms after the server's return",
        revocation.as_millis()
    ));
    assert!(
        revocation < Duration::from_secs(1),
        "revocation took {revocation:?}"
    );

    // 2. PostgreSQL stops for 3 s and comes back.
    std::thread::sleep(Duration::from_secs(2));
    pg.stop();
    std::thread::sleep(Duration::from_secs(3));
    let (status, _) = health_status(&format!("{}/health/detailed", srv.url));
    assert_ne!(status, 200, "the server reports its database down");
    pg.start_again();
    let healed = until("the server healthy again", Duration::from_secs(30), || {
        health_status(&format!("{}/health/detailed", srv.url)).0 == 200
    });
    report(&format!(
        "PostgreSQL stopped 3 s: server healthy {} ms after its return",
        healed.as_millis()
    ));

    // 3. The gateway dies (SIGKILL) and restarts. Traffic pauses first:
    //    events reach the spool file within 20 ms of their response, and a
    //    SIGKILL loses what is younger (see docs/gateway.md).
    std::thread::sleep(Duration::from_secs(2));
    driver.quiesce();
    std::thread::sleep(Duration::from_millis(100));
    peak_gateway_kib = peak_gateway_kib.max(gw.peak_rss_kib());
    let dropped_before_kill = gw.health()["usage"]["dropped"]["allowed"].as_u64().unwrap();
    driver.gateway_up.store(false, Ordering::SeqCst);
    driver.resume();
    gw.kill();
    std::thread::sleep(Duration::from_millis(500));
    gw.spawn();
    gw.wait_ready();
    driver.gateway_up.store(true, Ordering::SeqCst);

    // 4. The server is down long enough for a flood of refused requests
    //    to fill the spool to its cap; allowed traffic goes on.
    std::thread::sleep(Duration::from_secs(2));
    peak_server_kib = peak_server_kib.max(srv.peak_rss_kib());
    srv.stop();
    driver.flood.store(true, Ordering::SeqCst);
    until("the spool full", Duration::from_secs(60), || {
        gw.health()["usage"]["dropped"]["denied"]
            .as_u64()
            .unwrap_or(0)
            > 0
    });
    driver.flood.store(false, Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(1));
    let full = gw.health();
    assert!(
        full["usage"]["spool_bytes"].as_u64().unwrap() <= 2 << 20,
        "{full}"
    );
    srv.spawn();
    std::thread::sleep(Duration::from_secs(2));

    // The end: traffic stops, the spool drains, the gateway stops cleanly
    // (writing out the counted refusals).
    let tally = driver.finish();
    let slow_opened = slowloris.finish();
    let elapsed = started.elapsed();
    until("the spool drained", Duration::from_secs(120), || {
        gw.health()["usage"]["spool_depth"] == 0
    });
    let end = gw.health();
    assert_eq!(end["status"], "ok", "gateway healthy without help: {end}");
    let (status, detailed) = health_status(&format!("{}/health/detailed", srv.url));
    assert_eq!(status, 200, "server healthy without help: {detailed}");
    peak_gateway_kib = peak_gateway_kib.max(gw.peak_rss_kib());
    peak_server_kib = peak_server_kib.max(srv.peak_rss_kib());
    let dropped_allowed =
        dropped_before_kill + end["usage"]["dropped"]["allowed"].as_u64().unwrap();
    let dropped_denied = end["usage"]["dropped"]["denied"].as_u64().unwrap();
    gw.stop_graceful();

    let allowed = tally.allowed.load(Ordering::Relaxed);
    until(
        "every allowed request counted",
        Duration::from_secs(60),
        || srv.usage_of_status(token_id, 200).1 as u64 >= allowed + probes - dropped_allowed,
    );
    let (rows, requests) = srv.usage_of_status(token_id, 200);
    let (all_rows, distinct) = srv.usage_counts();
    report(&format!(
        "{:.0} s of traffic: {allowed} allowed, {} refused, {} hostile (odd methods) answered, \
         {} not served while the gateway was down, {} unexpected answers while it was up",
        elapsed.as_secs_f64(),
        tally.refused.load(Ordering::Relaxed),
        tally.hostile.load(Ordering::Relaxed),
        tally.not_served_while_down.load(Ordering::Relaxed),
        tally.unexpected.load(Ordering::Relaxed),
    ));
    report(&format!(
        "usage: {} allowed requests counted at the server + {dropped_allowed} dropped by the \
         cap policy (and {dropped_denied} refused ones) = {}; {all_rows} rows, {distinct} distinct",
        requests as u64 - probes,
        requests as u64 - probes + dropped_allowed,
    ));
    report(&format!(
        "{SLOW_CONNECTIONS} slowloris connections held throughout ({slow_opened} opened in all, \
         reopened after the gateway closed them); real clients answered meanwhile"
    ));
    report(&format!(
        "peak RSS: server {:.1} MiB, gateway {:.1} MiB",
        peak_server_kib as f64 / 1024.0,
        peak_gateway_kib as f64 / 1024.0
    ));
    assert_eq!(
        tally.unexpected.load(Ordering::Relaxed),
        0,
        "real clients were not answered as expected: {}",
        tally.last_unexpected.lock().unwrap()
    );
    assert_eq!(all_rows, distinct, "no event stored twice");
    assert_eq!(rows, requests, "allowed requests are stored one by one");
    assert_eq!(
        requests as u64 - probes + dropped_allowed,
        allowed,
        "every allowed request counted exactly once, or dropped by the cap policy"
    );
    assert!(tally.hostile.load(Ordering::Relaxed) > 0);
}
