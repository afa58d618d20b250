//! Usage benchmark: loads synthetic events through the real ingest endpoint
//! into a fresh PostgreSQL database, measures raw `COPY` into an identical
//! table in the same run, lets the roll-up job catch up, and times every
//! report.
//!
//!   cargo bench -p tokenctl-server --bench usage
//!   EVENTS=1000000 cargo bench -p tokenctl-server --bench usage   # quicker
//!
//! `TOKENCTL_BENCH_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres)
//! must allow creating databases; the benchmark drops its own at the end.

use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::Connection;
use std::time::{Duration, Instant};
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_server::crypto::MasterKey;
use tokenctl_server::{DatabaseUrl, Server, ServerConfig};

const TOKENS: usize = 1000;
const ROUTES: usize = 20;
const DAYS: i64 = 14;
const BATCH: usize = 10_000;
const SENDERS: usize = 4;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Api {
    http: reqwest::Client,
    base: String,
    admin: String,
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }
}

#[tokio::main]
async fn main() {
    let events = env_usize("EVENTS", 10_000_000);
    let admin_url = std::env::var("TOKENCTL_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db_name = format!("tokenctl_bench_{}", uuid::Uuid::now_v7().simple());
    let mut admin_conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {db_name}"))
        .execute(&mut admin_conn)
        .await
        .unwrap();
    let mut db_url = url::Url::parse(&admin_url).unwrap();
    db_url.set_path(&db_name);

    let admin =
        Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng).into_exposed();
    let server = Server::start(ServerConfig {
        database: DatabaseUrl::Postgres(db_url.to_string()),
        listen: "127.0.0.1:0".parse().unwrap(),
        master_key: Some(MasterKey::generate()),
        bootstrap_credential: Some(admin.clone().into()),
        bootstrap_ttl: None,
        bootstrap_file: None,
        max_credential_ttl: None,
        kv_sync: None,
        edge_key: None,
        usage_retention: Default::default(),
        connections: tokenctl_listener::Limits::new(1),
        trusted_proxies: vec![],
        allow_metadata_upstreams: false,
        tls: None,
        metrics_listen: None,
        webhooks: Default::default(),
    })
    .await
    .unwrap();
    let base = format!("http://{}", server.local_addr().unwrap());
    tokio::spawn(server.serve(std::future::pending()));
    let api = Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        admin,
    };

    // Routes and tokens, as a real deployment would have them.
    let mut routes = Vec::new();
    for r in 0..ROUTES {
        let v = api.post("/v1/routes", json!({"name": format!("r{r}"), "path": format!("/r{r}"), "upstream": "http://127.0.0.1:9"})).await;
        routes.push(v["id"].as_str().unwrap().to_string());
    }
    let mut tokens = Vec::new();
    for t in 0..TOKENS {
        let v = api
            .post(
                "/v1/tokens",
                json!({"name": format!("t{t}"), "scopes": ["*"]}),
            )
            .await;
        tokens.push(v["id"].as_str().unwrap().to_string());
    }
    let key = api.post("/v1/gateway-keys", json!({"name": "bench"})).await["secret"]
        .as_str()
        .unwrap()
        .to_string();

    // Events: 14 days ending now, in time order (as gateways send them),
    // tokens skewed (a few heavy, many light), each token on 1-2 routes.
    eprintln!("generating {events} events…");
    let now = chrono::Utc::now();
    let start = now - chrono::Duration::days(DAYS);
    let span_ms = (now - start).num_milliseconds() as f64;
    let mut rng = StdRng::seed_from_u64(42);
    let mut batches: Vec<Vec<u8>> = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..events {
        let t = ((rng.gen::<f64>().powi(3)) * TOKENS as f64) as usize % TOKENS;
        let r = (t * 7 + usize::from(rng.gen_bool(0.2))) % ROUTES;
        let roll: f64 = rng.gen();
        let status = if roll < 0.95 {
            200
        } else if roll < 0.98 {
            429
        } else {
            502
        };
        let latency = (rng.gen::<f64>() * 3.0 + 1.0).exp();
        let at =
            start + chrono::Duration::milliseconds((span_ms * i as f64 / events as f64) as i64);
        batch.push(json!({
            "id": uuid::Uuid::now_v7(), "token_id": tokens[t], "route_id": routes[r], "method": "POST",
            "status": status, "latency_ms": latency, "upstream_latency_ms": latency * 0.9,
            "bytes_in": 113, "bytes_out": 337, "client_ip": "203.0.113.7", "user_agent": "bench",
            "error_code": null, "at": at,
        }));
        if batch.len() == BATCH || i + 1 == events {
            batches.push(serde_json::to_vec(&batch).unwrap());
            batch.clear();
        }
    }

    // (1) Ingest through the real endpoint, several gateways at once.
    eprintln!("ingesting {} batches of {BATCH}…", batches.len());
    let started = Instant::now();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(batches));
    let mut senders = Vec::new();
    for _ in 0..SENDERS {
        let (queue, base, key) = (queue.clone(), base.clone(), key.clone());
        senders.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            loop {
                let Some(body) = queue.lock().unwrap().pop() else {
                    break;
                };
                let resp = http
                    .post(format!("{base}/v1/usage/events"))
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(body)
                    .timeout(Duration::from_secs(600))
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success(), "ingest: {}", resp.status());
            }
        }));
    }
    for s in senders {
        s.await.unwrap();
    }
    let ingest_secs = started.elapsed().as_secs_f64();
    let ingest_rate = events as f64 / ingest_secs;

    // Roll-up catches up.
    let started = Instant::now();
    loop {
        let h: Value = reqwest::get(format!("{base}/health/detailed"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let msg = h["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "usage_rollup")
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string();
        if msg.starts_with("0 ") {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let rollup_secs = started.elapsed().as_secs_f64();

    // (2) Raw COPY into an identical table (same columns and indexes), same run.
    let copy_rows = events.min(2_000_000);
    let mut conn = sqlx::PgConnection::connect(db_url.as_str()).await.unwrap();
    sqlx::query("CREATE TABLE copy_baseline (LIKE usage_events INCLUDING ALL)")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut csv = String::with_capacity(copy_rows * 220);
    for i in 0..copy_rows {
        let at =
            start + chrono::Duration::milliseconds((span_ms * i as f64 / copy_rows as f64) as i64);
        csv.push_str(&format!(
            "{},{},{},,{},{},POST,200,12.5,11.0,113,337,203.0.113.7,bench,,\n",
            uuid::Uuid::now_v7(),
            at.to_rfc3339(),
            now.to_rfc3339(),
            tokens[i % TOKENS],
            routes[i % ROUTES]
        ));
    }
    let started = Instant::now();
    let mut copy = conn
        .copy_in_raw(
            "COPY copy_baseline (id, at, received_at, gateway_key_id, token_id, route_id, method, status, \
             latency_ms, upstream_latency_ms, bytes_in, bytes_out, client_ip, user_agent, error_code, team_id) \
             FROM STDIN (FORMAT csv)",
        )
        .await
        .unwrap();
    copy.send(csv.as_bytes()).await.unwrap();
    copy.finish().await.unwrap();
    let copy_rate = copy_rows as f64 / started.elapsed().as_secs_f64();

    // (3) Every report, warm, median of 5.
    let heavy = "t0";
    let reports: Vec<(&str, String)> = vec![
        ("usage (24h)", "/v1/usage?since=24h".into()),
        ("usage (7d)", "/v1/usage?since=7d".into()),
        ("usage (30d)", "/v1/usage?since=30d".into()),
        ("usage tokens (7d)", "/v1/usage/tokens?since=7d".into()),
        ("usage routes (7d)", "/v1/usage/routes?since=7d".into()),
        (
            "usage token, heaviest (24h)",
            format!("/v1/usage/tokens/{heavy}?since=24h"),
        ),
        (
            "usage token, heaviest (7d)",
            format!("/v1/usage/tokens/{heavy}?since=7d"),
        ),
        ("usage route (7d)", "/v1/usage/routes/r0?since=7d".into()),
        ("usage recent (100)", "/v1/usage/recent?limit=100".into()),
        ("overview", "/v1/overview".into()),
    ];
    let mut timings = Vec::new();
    for (name, path) in &reports {
        api.get(path).await; // warm
        let mut ms = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            api.get(path).await;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        timings.push((name, ms[2]));
    }

    println!("\nusage benchmark: {events} events, {TOKENS} tokens (skewed), {ROUTES} routes, {DAYS} days, PostgreSQL");
    println!(
        "{:<34} {:>14}",
        "ingest (POST /v1/usage/events)",
        format!("{ingest_rate:.0} events/s")
    );
    println!(
        "{:<34} {:>14}",
        "raw COPY, same columns+indexes",
        format!("{copy_rate:.0} rows/s")
    );
    println!(
        "{:<34} {:>14}   (target >= 0.5)",
        "ingest / COPY",
        format!("{:.2}", ingest_rate / copy_rate)
    );
    println!(
        "{:<34} {:>14}",
        "roll-up caught up after ingest",
        format!("{rollup_secs:.1} s")
    );
    println!(
        "\n{:<34} {:>10}   (target <= 300 ms)",
        "report", "median ms"
    );
    for (name, ms) in &timings {
        println!("{:<34} {:>10.1}", name, ms);
    }

    drop(conn);
    let _ = sqlx::query(&format!("DROP DATABASE {db_name} WITH (FORCE)"))
        .execute(&mut admin_conn)
        .await;
}
