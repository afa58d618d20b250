//! Cloudflare KV sync against the fake KV REST API (`fake_kv.rs`): a burst
//! of changes with faults injected ends with KV equal to the database and
//! no revocation lost; status, health, export and the lease.

use crate::common::{http_get, Backend, TestServer};
use crate::fake_kv::{FakeKv, Faults, NAMESPACE};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokenctl_gateway::kv::{
    open_secrets, quota_key, routes_gateway, token_key, EdgeKey, MetaValue, PricesValue,
    QuotaValue, RoutesValue, SecretsValue, TokenValue, META_KEY, PRICES_KEY, ROUTES_KEY,
    SECRETS_KEY,
};
use tokenctl_gateway::token::hash_secret;
use tokenctl_gateway::{PresentedToken, RateLimiter, RequestInfo};

const API_TOKEN: &str = "cf-test-api-token";

/// Each test on SQLite and PostgreSQL; the server needs the fake's address
/// in its environment, so the test starts it (`TestServer::start_with_env`).
macro_rules! on_both_backends_with_kv {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Postgres) } )*
        }
    };
}

on_both_backends_with_kv!(
    burst_with_faults_converges,
    disabled_and_refused,
    secrets_need_the_edge_key,
    grace_end_deletes_the_old_key,
    one_process_syncs,
    the_worker_reads_what_the_sync_writes,
    quota_states_reach_kv_without_rewriting_meta,
    prices_reach_kv_without_rewriting_meta,
);

fn edge_key() -> String {
    "5e".repeat(32)
}

fn kv_env(kv: &FakeKv, api_token: &str, with_edge_key: bool) -> Vec<(String, String)> {
    let mut env = kv.server_env(api_token);
    if with_edge_key {
        env.push(("TOKENCTL_EDGE_KEY".into(), edge_key()));
    }
    env
}

fn start(backend: Backend, env: &[(String, String)]) -> Option<TestServer> {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestServer::start_with_env(backend, &env)
}

fn status(srv: &TestServer) -> Value {
    srv.cli().json(&["sync", "status"])
}

/// Waits until every change is confirmed in KV.
fn wait_synced(srv: &TestServer, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let s = status(srv);
        if s["pending_changes"] == 0 && s["synced_version"] == s["current_version"] {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "KV sync did not catch up within {within:?}: {s:#}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn health_check(srv: &TestServer) -> (u16, Value) {
    let (code, body) = http_get(&format!("{}/health/detailed", srv.url));
    let v: Value = serde_json::from_str(&body).unwrap();
    let check = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "kv_sync")
        .cloned()
        .expect("a kv_sync check");
    (code, check)
}

fn tok(hash: &str) -> String {
    format!("tok:{hash}")
}

/// The admin API, called directly: faster than a process per change.
struct Api {
    base: String,
    credential: String,
    http: reqwest::Client,
}

impl Api {
    fn new(srv: &TestServer) -> Api {
        Api {
            base: format!("{}/v1", srv.url),
            credential: srv.admin.clone(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.credential)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Default, Clone)]
struct TokenRec {
    id: String,
    /// Every secret hash the token had, oldest first.
    hashes: Vec<String>,
    revoked: bool,
    /// The previous secret's hash while a long grace runs.
    in_grace: Option<String>,
}

#[derive(Debug, Clone)]
enum Op {
    CreateToken(usize),
    Revoke(usize),
    Rotate(usize, &'static str),
    Update(usize, usize),
    UpdateRoute(usize, usize),
    SetSecret(&'static str, usize),
    AddAndRemoveRoute(usize),
}

impl Op {
    /// Changes (API mutations) this operation makes.
    fn changes(&self) -> usize {
        match self {
            Op::AddAndRemoveRoute(_) => 2,
            _ => 1,
        }
    }
}

fn run_ops(
    rt: &tokio::runtime::Runtime,
    api: &Arc<Api>,
    tokens: &Arc<Mutex<Vec<TokenRec>>>,
    ops: Vec<Op>,
) {
    let queue = Arc::new(Mutex::new(VecDeque::from(ops)));
    rt.block_on(async {
        let mut workers = vec![];
        for _ in 0..8 {
            let (queue, api, tokens) = (queue.clone(), api.clone(), tokens.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let Some(op) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    apply(&api, &tokens, op).await;
                }
            }));
        }
        for w in workers {
            w.await.unwrap();
        }
    });
}

async fn apply(api: &Api, tokens: &Mutex<Vec<TokenRec>>, op: Op) {
    use reqwest::Method;
    let id_of = |i: usize| tokens.lock().unwrap()[i].id.clone();
    match op {
        Op::CreateToken(i) => {
            let scope = if i % 3 == 0 {
                "*".to_string()
            } else {
                format!("r{}", i % 5)
            };
            let t = api
                .call(
                    Method::POST,
                    "/tokens",
                    json!({"name": format!("t{i}"), "team": "system", "scopes": [scope]}),
                )
                .await;
            let mut all = tokens.lock().unwrap();
            all[i].id = t["id"].as_str().unwrap().to_string();
            all[i]
                .hashes
                .push(hash_secret(t["token"].as_str().unwrap()));
        }
        Op::Revoke(i) => {
            api.call(
                Method::POST,
                &format!("/tokens/{}/revoke", id_of(i)),
                json!({}),
            )
            .await;
            tokens.lock().unwrap()[i].revoked = true;
        }
        Op::Rotate(i, grace) => {
            let t = api
                .call(
                    Method::POST,
                    &format!("/tokens/{}/rotate", id_of(i)),
                    json!({"grace": grace}),
                )
                .await;
            let mut all = tokens.lock().unwrap();
            let rec = &mut all[i];
            let old = rec.hashes.last().cloned();
            rec.hashes.push(hash_secret(t["token"].as_str().unwrap()));
            rec.in_grace = if grace == "0" { None } else { old };
        }
        Op::Update(i, n) => {
            api.call(
                Method::PATCH,
                &format!("/tokens/{}", id_of(i)),
                json!({"description": format!("update {n}"), "add_scopes": [format!("r{}", n % 5)]}),
            )
            .await;
        }
        Op::UpdateRoute(r, n) => {
            api.call(
                Method::PATCH,
                &format!("/routes/r{r}"),
                json!({"upstream": format!("http://127.0.0.1:9/v{n}"), "add_tags": [format!("t{n}")]}),
            )
            .await;
        }
        Op::SetSecret(name, n) => {
            api.call(
                Method::PUT,
                &format!("/secrets/{name}"),
                json!({"value": format!("value-{name}-{n}")}),
            )
            .await;
        }
        Op::AddAndRemoveRoute(n) => {
            api.call(
                Method::POST,
                "/routes",
                json!({"name": format!("tmp{n}"), "path": format!("/scratch/{n}"), "upstream": "http://127.0.0.1:9", "all_teams": true}),
            )
            .await;
            api.call(Method::DELETE, &format!("/routes/tmp{n}"), json!({}))
                .await;
        }
    }
}

fn burst_with_faults_converges(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, API_TOKEN, true)) else {
        return;
    };
    kv.set_faults(Faults {
        rate: 0.4,
        hang: Duration::from_secs(3),
    });
    let api = Arc::new(Api::new(&srv));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    const TOKENS: usize = 400;
    let tokens = Arc::new(Mutex::new(vec![TokenRec::default(); TOKENS]));

    // Upstream secrets and routes first: tokens are scoped to the routes.
    let mut changes = 0;
    rt.block_on(async {
        for name in ["S1", "S2", "S3"] {
            api.call(
                reqwest::Method::PUT,
                &format!("/secrets/{name}"),
                json!({"value": format!("value-{name}-0"), "hosts": ["127.0.0.1"]}),
            )
            .await;
        }
        for r in 0..5 {
            let auth = if r == 0 { "bearer:S1" } else { "none" };
            api.call(
                reqwest::Method::POST,
                "/routes",
                json!({"name": format!("r{r}"), "path": format!("/api/r{r}"),
                       "upstream": "http://127.0.0.1:9", "auth": auth, "all_teams": true}),
            )
            .await;
        }
    });
    changes += 3 + 5;
    let creates: Vec<Op> = (0..TOKENS).map(Op::CreateToken).collect();
    changes += creates.iter().map(Op::changes).sum::<usize>();
    run_ops(&rt, &api, &tokens, creates);

    // The mixed burst, 8 at a time.
    let mut ops = vec![];
    for i in 0..150 {
        ops.push(Op::Revoke(i));
    }
    for i in 150..300 {
        ops.push(Op::Rotate(i, if i % 2 == 0 { "1h" } else { "0" }));
    }
    for n in 0..200 {
        ops.push(Op::Update(300 + n % 100, n));
    }
    for n in 0..20 {
        ops.push(Op::UpdateRoute(1 + n % 4, n));
        ops.push(Op::SetSecret(if n % 2 == 0 { "S2" } else { "S3" }, n + 1));
    }
    for n in 0..26 {
        ops.push(Op::AddAndRemoveRoute(n));
    }
    // Interleave the kinds.
    let mut mixed = vec![];
    let mut rng_state = 12345u64;
    while !ops.is_empty() {
        rng_state = rng_state.wrapping_mul(6364136223846793005).wrapping_add(1);
        let i = (rng_state >> 33) as usize % ops.len();
        mixed.push(ops.swap_remove(i));
    }
    changes += mixed.iter().map(Op::changes).sum::<usize>();
    assert_eq!(changes, 1000);
    run_ops(&rt, &api, &tokens, mixed);

    let synced = wait_synced(&srv, Duration::from_secs(240));
    let faults = kv.counts();

    // Reconcile: nothing may differ (faults are still being injected).
    let full = srv.cli().json(&["sync", "push", "--full"]);
    let diff = full["written"].as_u64().unwrap() + full["deleted"].as_u64().unwrap();
    assert_eq!(
        diff, 0,
        "KV differs from the database after the burst: {full:#}"
    );
    assert!(full["unchanged"].as_u64().unwrap() > 0);

    let store = kv.snapshot();
    let tokens = tokens.lock().unwrap().clone();
    let mut revoked_keys = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.revoked {
            for h in &t.hashes {
                revoked_keys += 1;
                assert!(
                    !store.contains_key(&tok(h)),
                    "revoked token t{i} is still in KV"
                );
            }
            continue;
        }
        let current = t.hashes.last().unwrap();
        let entry = store
            .get(&tok(current))
            .unwrap_or_else(|| panic!("token t{i} is missing from KV"));
        let value = entry.json();
        assert_eq!(value["token"]["id"], t.id.as_str());
        assert_eq!(value["token"]["secret_hash"], current.as_str());
        assert!(value["v"].as_u64().unwrap() <= synced["current_version"].as_u64().unwrap());
        assert!(entry.expiration.is_none());
        for old in &t.hashes[..t.hashes.len() - 1] {
            if Some(old) == t.in_grace.as_ref() {
                let prev = store
                    .get(&tok(old))
                    .unwrap_or_else(|| panic!("t{i}'s previous secret (grace 1h) is missing"));
                assert!(prev.expiration.is_some(), "a previous secret's key expires");
                assert_eq!(prev.json()["token"]["previous_hash"], old.as_str());
            } else {
                assert!(
                    !store.contains_key(&tok(old)),
                    "t{i}'s rotated-away secret is still in KV"
                );
            }
        }
    }
    assert!(revoked_keys >= 150);

    // Routes: exactly the database's.
    let routes: Vec<String> = srv
        .cli()
        .json(&["route", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    let kv_routes: BTreeSet<String> = store["routes"].json()["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kv_routes, routes.into_iter().collect::<BTreeSet<_>>());

    // Secrets: sealed under the edge key, the name bound.
    let secrets = store["secrets"].json();
    let key: [u8; 32] = hex::decode(edge_key()).unwrap().try_into().unwrap();
    assert_eq!(secrets["key_id"], synced["secrets"]["key_id"]);
    assert_eq!(secrets["key_id"].as_str().unwrap().len(), 8);
    let sealed = secrets["secrets"].as_object().unwrap();
    assert_eq!(sealed.keys().collect::<Vec<_>>(), ["S1", "S2", "S3"]);
    let open = |name: &str| {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed[name].as_str().unwrap())
            .unwrap();
        tokenctl_gateway::sealed::open(&key, name.as_bytes(), &bytes)
            .map(|v| String::from_utf8(v).unwrap())
    };
    assert_eq!(open("S1").as_deref(), Some("value-S1-0"));
    assert!(open("S2").unwrap().starts_with("value-S2-"));
    assert!(!store["secrets"].json().to_string().contains("value-S"));
    assert_eq!(store["meta"].json()["v"], synced["synced_version"]);

    // `sync export` describes the same KV.
    let export = srv.cli().json(&["sync", "export"]);
    let exported: BTreeMap<String, Value> = export
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_string(),
                serde_json::from_str(e["value"].as_str().unwrap()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        exported.keys().collect::<Vec<_>>(),
        store.keys().collect::<Vec<_>>(),
        "export and KV hold the same keys"
    );
    for (k, v) in &exported {
        if k.starts_with("tok:") {
            assert_eq!(v["token"], store[k].json()["token"], "{k}");
        }
    }

    let after = status(&srv);
    // Past the harness's output capture, so every run shows it.
    let _ = writeln!(
        std::io::stderr(),
        "KV sync ({backend:?}): {changes} changes, {} faults injected (429: {}, 5xx: {}, timeouts: {}, partial bulk: {}), {} retries, final diff {diff}",
        faults.faults(),
        faults.rate_limited,
        faults.server_errors,
        faults.timeouts,
        faults.partial,
        after["process"]["retries"],
    );
    assert!(faults.faults() > 0, "faults were injected");
    assert!(after["process"]["retries"].as_u64().unwrap() > 0);
}

fn disabled_and_refused(backend: Backend) {
    // Not configured: off, and it says so.
    let Some(srv) = TestServer::start(backend) else {
        return;
    };
    let s = status(&srv);
    assert_eq!(s["enabled"], false);
    assert!(
        s["message"].as_str().unwrap().contains("CF_ACCOUNT_ID"),
        "{s}"
    );
    let (code, check) = health_check(&srv);
    assert_eq!((code, check["status"].as_str().unwrap()), (200, "disabled"));
    let push = srv.cli().run(&["sync", "push", "--full"]);
    assert!(push.fails(1).contains("not configured"), "{}", push.stderr);
    // Export needs no Cloudflare: the Worker's tests fill a local KV with it.
    let export = srv.cli().json(&["sync", "export"]);
    let mut keys: Vec<&str> = export
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, ["meta", "routes"], "no secrets without an edge key");
    drop(srv);

    // A wrong API token: Cloudflare refuses, health says so at once.
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, "not-the-token", true)) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let (code, check) = loop {
        let (code, check) = health_check(&srv);
        if check["status"] == "down" || Instant::now() > deadline {
            break (code, check);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, 503, "{check}");
    assert_eq!(check["status"], "down");
    assert!(
        check["message"].as_str().unwrap().contains("10000"),
        "{check}"
    );
    let s = status(&srv);
    assert_eq!(s["last_error_kind"], "fatal");
    assert!(
        !s.to_string().contains("not-the-token"),
        "the API token never shows"
    );
    let push = srv.cli().run(&["sync", "push", "--full"]);
    assert!(push.fails(1).contains("Authentication"), "{}", push.stderr);
    assert!(!srv.log().contains("not-the-token"));
    assert!(kv.snapshot().is_empty());
}

fn secrets_need_the_edge_key(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, API_TOKEN, false)) else {
        return;
    };
    srv.cli()
        .run_with_stdin(&["secret", "set", "UPSTREAM"], "hunter2-upstream")
        .ok();
    srv.cli().json(&["sync", "push"]);
    let s = wait_synced(&srv, Duration::from_secs(30));
    assert_eq!(s["secrets"]["enabled"], false);
    assert!(s["secrets"]["message"]
        .as_str()
        .unwrap()
        .contains("TOKENCTL_EDGE_KEY"));
    let store = kv.snapshot();
    assert!(store.contains_key("routes") && store.contains_key("meta"));
    assert!(!store.contains_key("secrets"));
    let everything = format!("{store:?}");
    assert!(!everything.contains("hunter2"));
    let (code, check) = health_check(&srv);
    assert_eq!(
        (code, check["status"].as_str().unwrap()),
        (200, "ok"),
        "{check}"
    );
}

fn grace_end_deletes_the_old_key(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, API_TOKEN, true)) else {
        return;
    };
    let cli = srv.cli();
    let created = cli.json(&[
        "token",
        "create",
        "--name",
        "rotating",
        "--scope",
        "*",
        "--allow-unknown-scope",
    ]);
    let first = hash_secret(created["token"].as_str().unwrap());
    let rotated = cli.json(&["token", "rotate", "rotating", "--grace", "3s"]);
    let second = hash_secret(rotated["token"].as_str().unwrap());
    cli.json(&["sync", "push"]);
    let store = kv.snapshot();
    assert!(store.contains_key(&tok(&second)));
    let old = &store[&tok(&first)];
    assert!(
        old.expiration.is_some(),
        "the old key expires in KV by itself too"
    );
    assert_eq!(old.json()["token"]["previous_hash"], first.as_str());

    // After the grace the sync deletes it (long before KV's own expiry).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let store = kv.snapshot();
        let current = store[&tok(&second)].json();
        if !store.contains_key(&tok(&first)) && current["token"]["previous_hash"].is_null() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the old secret's key outlived its grace"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_synced(&srv, Duration::from_secs(10));
    let full = cli.json(&["sync", "push", "--full"]);
    assert_eq!(
        (full["written"].as_u64(), full["deleted"].as_u64()),
        (Some(0), Some(0)),
        "{full}"
    );

    // An orphan (from another database) and a value newer than the database
    // are fixed by a full push, never imported.
    kv.put_raw("tok:orphan", "{}", None);
    let routes_meta = json!({"v": 1_000_000, "h": "whatever"});
    kv.put_raw("routes", r#"{"v":1000000,"routes":[]}"#, Some(routes_meta));
    kv.put_raw("not-ours", "x", None);
    let full = cli.json(&["sync", "push", "--full"]);
    assert_eq!(
        (full["written"].as_u64(), full["deleted"].as_u64()),
        (Some(1), Some(1)),
        "{full}"
    );
    let store = kv.snapshot();
    assert!(!store.contains_key("tok:orphan"));
    assert!(store["routes"].json()["v"].as_u64().unwrap() < 1_000_000);
    assert!(
        store.contains_key("not-ours"),
        "keys outside the layout are left alone"
    );
}

fn one_process_syncs(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(a) = start(backend, &kv_env(&kv, API_TOKEN, true)) else {
        return;
    };
    wait_synced(&a, Duration::from_secs(20));
    let b = a.another_process();
    // Changes made through either process reach KV, through one syncer.
    let t1 = a.cli().json(&[
        "token",
        "create",
        "--name",
        "via-a",
        "--scope",
        "*",
        "--allow-unknown-scope",
    ]);
    let t2 = b.cli().json(&[
        "token",
        "create",
        "--name",
        "via-b",
        "--scope",
        "*",
        "--allow-unknown-scope",
    ]);
    wait_synced(&b, Duration::from_secs(30));
    let (sa, sb) = (status(&a), status(&b));
    let holder = sa["lease"]["holder"]
        .as_str()
        .expect("someone holds the lease");
    assert_eq!(
        sb["lease"]["holder"], holder,
        "both processes see the same syncer"
    );
    assert_ne!(sa["lease"]["this_process"], sb["lease"]["this_process"]);
    let idle = if sa["lease"]["this_process"] == true {
        &b
    } else {
        &a
    };
    assert_eq!(
        status(idle)["process"]["requests"],
        0,
        "the other process never calls Cloudflare"
    );
    // A full push through the process that does not sync is carried out
    // by the one that does.
    let full = idle.cli().json(&["sync", "push", "--full"]);
    assert_eq!(
        full["written"].as_u64().unwrap() + full["deleted"].as_u64().unwrap(),
        0
    );
    assert_eq!(status(idle)["process"]["requests"], 0);
    let store = kv.snapshot();
    for t in [&t1, &t2] {
        assert!(store.contains_key(&tok(&hash_secret(t["token"].as_str().unwrap()))));
    }
    assert_eq!(store["meta"].json()["v"], status(&a)["synced_version"]);
    let _ = NAMESPACE;
}

/// The KV contract end to end: what the server's sync writes, the Worker's
/// reader (the core's `kv` module) decodes, opens and decides with, as the
/// Worker's fetch handler does.
fn the_worker_reads_what_the_sync_writes(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, API_TOKEN, true)) else {
        return;
    };
    let cli = srv.cli();
    cli.run_with_stdin(
        &["secret", "set", "OPENAI", "--host", "api.openai.com"],
        "sk-upstream-1",
    )
    .ok();
    cli.json(&["team", "create", "ml"]);
    cli.json(&[
        "route",
        "add",
        "openai",
        "--path",
        "/openai",
        "--upstream",
        "https://api.openai.com/v1",
        "--auth",
        "bearer:OPENAI",
        "--team",
        "ml",
    ]);
    let token = |name: &str| -> String {
        let created = cli.json(&[
            "token", "create", "--name", name, "--scope", "*", "--team", "ml",
        ]);
        created["token"].as_str().unwrap().to_string()
    };
    let kept = token("kept");
    let rotated_away = token("rotating");
    let current = cli.json(&["token", "rotate", "rotating", "--grace", "1h"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = token("revoked");
    cli.json(&["token", "revoke", "revoked"]);
    cli.json(&["sync", "push"]);
    let synced = wait_synced(&srv, Duration::from_secs(30));
    let store = kv.snapshot();

    let read = |key: &str| -> &[u8] { &store.get(key).unwrap_or_else(|| panic!("{key}")).value };
    let meta: MetaValue = serde_json::from_slice(read(META_KEY)).unwrap();
    assert_eq!(meta.v, synced["synced_version"].as_u64().unwrap());
    let routes: RoutesValue = serde_json::from_slice(read(ROUTES_KEY)).unwrap();
    let secrets: SecretsValue = serde_json::from_slice(read(SECRETS_KEY)).unwrap();
    let edge_key = EdgeKey::parse(&edge_key()).unwrap();
    let (opened, problems) = open_secrets(&secrets, Some(&edge_key));
    assert!(problems.is_empty(), "{problems:?}");
    let now = chrono::Utc::now();
    let gateway = routes_gateway(&routes, opened, secrets.hosts.clone(), now);
    assert!(gateway.warnings().is_empty(), "{:?}", gateway.warnings());

    // One request, decided as the Worker does: the token read by the hash
    // of the presented secret.
    let decide = |secret: &str, path: &str| {
        let request = RequestInfo {
            method: "POST",
            raw_path: path,
            api_key_header: Some(secret),
            ..Default::default()
        };
        let presented = PresentedToken::from_request(&request).unwrap();
        let entry = store.get(&token_key(&presented.hash_hex())).map(|e| {
            serde_json::from_slice::<TokenValue>(&e.value)
                .unwrap()
                .token
        });
        gateway
            .authorize_token(
                &mut RateLimiter::new(),
                &request,
                now,
                &presented,
                entry.as_ref(),
            )
            .map(|allowed| {
                (
                    allowed.upstream_url.clone(),
                    allowed.inject_headers.to_vec(),
                )
            })
            .map_err(|denied| denied.code)
    };
    let upstream = (
        "https://api.openai.com/v1/chat".to_string(),
        vec![(
            "authorization".to_string(),
            "Bearer sk-upstream-1".to_string(),
        )],
    );
    assert_eq!(decide(&kept, "/openai/chat"), Ok(upstream.clone()));
    assert_eq!(decide(&current, "/openai/chat"), Ok(upstream.clone()));
    assert_eq!(
        decide(&rotated_away, "/openai/chat"),
        Ok(upstream),
        "the previous secret during its grace"
    );
    assert_eq!(decide(&revoked, "/openai/chat"), Err("invalid_token"));
    assert_eq!(decide(&kept, "/elsewhere"), Err("route_not_found"));
}

/// A token's quota state is its own key (docs/kv-layout.md): written with
/// the quota, rewritten when the server publishes what it counted, without
/// rewriting `meta` or the token's key, and deleted with the quota.
fn quota_states_reach_kv_without_rewriting_meta(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, API_TOKEN, true)) else {
        return;
    };
    let cli = srv.cli();
    let created = cli.json(&[
        "token",
        "create",
        "--name",
        "capped",
        "--scope",
        "*",
        "--allow-unknown-scope",
        "--quota",
        "100/day",
    ]);
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let token_hash = hash_secret(created["token"].as_str().unwrap());
    cli.json(&["sync", "push"]);
    let key = quota_key(id);
    let read = |store: &BTreeMap<String, crate::fake_kv::Entry>| {
        let raw = String::from_utf8(store[&key].value.clone()).unwrap();
        QuotaValue::decode(id, &raw).expect("the Worker reads it")
    };
    let store = kv.snapshot();
    let q = read(&store).quota;
    assert_eq!(
        (q.limits.len(), q.limits[0].limit, q.limits[0].used),
        (1, 100, 0)
    );
    let meta_before = store[META_KEY].value.clone();
    let token_before = store[&tok(&token_hash)].value.clone();

    // Usage arrives; the server publishes the count; the sync writes it.
    let gateway_key = cli.json(&["gateway-key", "create", "quota-kv"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let events: Vec<Value> = (0..3)
        .map(|_| {
            json!({
                "id": uuid::Uuid::now_v7(), "token_id": id, "method": "GET", "status": 200,
                "latency_ms": 1.0, "bytes_in": 0, "bytes_out": 1, "at": chrono::Utc::now(),
            })
        })
        .collect();
    let resp = crate::upstream::Http::new().send(
        "POST",
        &format!("{}/v1/usage/events", srv.url),
        &[
            ("authorization", &format!("Bearer {gateway_key}")),
            ("content-type", "application/json"),
        ],
        &Value::from(events).to_string(),
    );
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let deadline = Instant::now() + Duration::from_secs(20);
    while read(&kv.snapshot()).quota.limits[0].used != 3 {
        assert!(
            Instant::now() < deadline,
            "the published count never reached KV"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_synced(&srv, Duration::from_secs(10));
    let store = kv.snapshot();
    assert_eq!(
        store[META_KEY].value, meta_before,
        "meta is not rewritten for quota states"
    );
    assert_eq!(
        store[&tok(&token_hash)].value,
        token_before,
        "nor the token"
    );
    // A full reconcile finds everything in place and brings `meta` up.
    let full = cli.json(&["sync", "push", "--full"]);
    assert_eq!(
        (full["written"].as_u64(), full["deleted"].as_u64()),
        (Some(0), Some(0)),
        "{full}"
    );
    let meta: MetaValue = serde_json::from_slice(&kv.snapshot()[META_KEY].value).unwrap();
    assert_eq!(meta.v, full["version"].as_u64().unwrap());

    // Removing the quota removes the key.
    cli.json(&["token", "update", "capped", "--quota", "none"]);
    cli.json(&["sync", "push"]);
    assert!(!kv.snapshot().contains_key(&key));
    let full = cli.json(&["sync", "push", "--full"]);
    assert_eq!(
        (full["written"].as_u64(), full["deleted"].as_u64()),
        (Some(0), Some(0)),
        "{full}"
    );
}

/// The published prices are one key (docs/kv-layout.md): absent while no
/// model has a price, written by a `price set`, rewritten whole by the
/// next, without rewriting `meta`; the Worker's reader prices calls with it.
fn prices_reach_kv_without_rewriting_meta(backend: Backend) {
    let kv = FakeKv::start(API_TOKEN);
    let Some(srv) = start(backend, &kv_env(&kv, API_TOKEN, true)) else {
        return;
    };
    let cli = srv.cli();
    cli.json(&["sync", "push"]);
    wait_synced(&srv, Duration::from_secs(10));
    let store = kv.snapshot();
    assert!(!store.contains_key(PRICES_KEY), "no prices, no key");
    let meta_before = store[META_KEY].value.clone();
    let read = || {
        let store = kv.snapshot();
        let raw = String::from_utf8(store[PRICES_KEY].value.clone()).unwrap();
        PricesValue::decode(&raw).expect("the Worker reads it")
    };

    cli.json(&["price", "set", "gpt-4o", "--in", "2.50", "--out", "10"]);
    cli.json(&["sync", "push"]);
    wait_synced(&srv, Duration::from_secs(10));
    let first = read();
    assert_eq!(first.prices.len(), 1, "{first:?}");
    let p = &first.prices[0];
    assert_eq!(
        (
            p.model.as_str(),
            p.input_micros_per_1m,
            p.output_micros_per_1m
        ),
        ("gpt-4o", 2_500_000, 10_000_000)
    );
    assert_eq!(
        kv.snapshot()[META_KEY].value,
        meta_before,
        "meta is not rewritten for prices"
    );

    // A later price of the model and another model's: the key is
    // rewritten with all of them, each model's oldest first.
    cli.json(&[
        "price",
        "set",
        "gpt-4o",
        "--in",
        "5",
        "--out",
        "20",
        "--from",
        "2099-01-01",
    ]);
    cli.json(&["price", "set", "claude-x", "--in", "3", "--out", "15"]);
    cli.json(&["sync", "push"]);
    wait_synced(&srv, Duration::from_secs(10));
    let second = read();
    assert!(second.v > first.v, "{} then {}", first.v, second.v);
    let shown: Vec<(&str, u64)> = second
        .prices
        .iter()
        .map(|p| (p.model.as_str(), p.input_micros_per_1m))
        .collect();
    assert_eq!(
        shown,
        [
            ("claude-x", 3_000_000),
            ("gpt-4o", 2_500_000),
            ("gpt-4o", 5_000_000)
        ]
    );
    assert_eq!(
        kv.snapshot()[META_KEY].value,
        meta_before,
        "meta is not rewritten for prices"
    );
    // The Worker prices a call at the price in force now.
    let table = second.table();
    let now = chrono::Utc::now();
    assert_eq!(
        table.at("gpt-4o", now).unwrap().input_micros_per_1m,
        2_500_000
    );

    // A full reconcile finds everything in place.
    let full = cli.json(&["sync", "push", "--full"]);
    assert_eq!(
        (full["written"].as_u64(), full["deleted"].as_u64()),
        (Some(0), Some(0)),
        "{full}"
    );
    // And rewrites the key when someone else overwrote it.
    kv.put_raw(PRICES_KEY, "garbage", None);
    let full = cli.json(&["sync", "push", "--full"]);
    assert_eq!(full["written"].as_u64(), Some(1), "{full}");
    assert_eq!(read().prices, second.prices);
}
