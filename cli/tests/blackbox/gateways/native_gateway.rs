//! The native gateway under test: a real server, a real `tokenctl gateway`
//! and the test upstream on 127.0.0.1.

use super::{eventually, token, GatewayUnderTest, Kind};
use crate::common::{Backend, Cli, TestGateway, TestServer};
use crate::upstream::{add_echo_route, Http, Upstream};
use std::time::{Duration, Instant};

/// Server + upstream + gateway, with the route `echo`.
pub struct Native {
    // Dropped in this order: the gateway before its server.
    pub gw: TestGateway,
    pub cli: Cli,
    pub upstream: Upstream,
    pub http: Http,
    pub srv: TestServer,
}

impl Native {
    pub fn start(srv: TestServer) -> Native {
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        Native {
            gw,
            cli,
            upstream,
            http: Http::new(),
            srv,
        }
    }
}

/// Runs a scenario on the native gateway over `backend` (PostgreSQL skips,
/// with a note, unless configured).
pub fn run(backend: Backend, scenario: fn(&mut dyn GatewayUnderTest)) {
    let Some(srv) = TestServer::start(backend) else {
        return;
    };
    scenario(&mut Native::start(srv));
}

impl GatewayUnderTest for Native {
    fn kind(&self) -> Kind {
        Kind::Native
    }
    fn base(&self) -> &str {
        &self.gw.url
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
    fn sync(&mut self) {}
    fn follow_limit(&self) -> Duration {
        // It follows the server's feed within a second.
        Duration::from_secs(5)
    }
    fn peak_rss_kib(&self) -> u64 {
        self.gw.peak_rss_kib()
    }
    fn upload_rss_budget_kib(&self) -> u64 {
        32 * 1024
    }
    fn stop_graceful(&mut self) -> bool {
        self.gw.stop_graceful();
        true
    }
}

/// 10,000 requests; the server is down for part of the run and the gateway
/// restarts twice (SIGTERM while the server is down, SIGKILL after).
/// Every request's usage arrives exactly once.
pub fn ten_thousand_requests_survive_server_outage_and_gateway_restart() {
    let srv_backend = if std::env::var("TOKENCTL_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let s = Native::start(TestServer::start(srv_backend).unwrap());
    let t = token(&s.cli, "load", &["--scope", "echo"]);
    let url = format!("{}/api/echo/fixed", s.gw.url);
    eventually("token", Duration::from_secs(5), || {
        s.http.get(&url, Some(&t)).status == 200
    });
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
    let baseline = s.srv.usage_of(Some(id)).0;
    let Native {
        mut gw,
        mut srv,
        http: _http,
        upstream: _upstream,
        cli: _cli,
    } = s;

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
    // The server may have stored the last batch before the gateway has read
    // its answer and let the spool go.
    eventually_long("the spool emptied", || {
        gw.health()["usage"]["spool_depth"] == 0
    });
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
