//! Signed webhooks, against a receiver of the test's own that checks each
//! signature with its own HMAC (docs/webhooks.md): the payload and its
//! headers, retries with backoff, a server killed with SIGKILL losing
//! nothing, each event once per dedup key, one slow receiver not delaying
//! another, private receivers refused without the approval, and the
//! events the server finds by itself (tokens expiring, the KV sync
//! failing, roll-ups lagging, a route's error rate).

mod budgets;
mod quotas;
mod receiver;

use crate::common::{Backend, Cli, TestServer};
use receiver::{free_port, Receiver};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Scans every second, so that tests see events quickly.
const FAST_SCAN: (&str, &str) = ("TOKENCTL_WEBHOOK_SCAN_INTERVAL", "1s");

fn start(backend: Backend, env: &[(&str, &str)]) -> Option<TestServer> {
    let mut all = vec![FAST_SCAN];
    all.extend_from_slice(env);
    TestServer::start_with_env(backend, &all)
}

/// Adds a webhook for a receiver on 127.0.0.1 (`--private-receiver`):
/// its id and secret.
fn add(cli: &Cli, url: &str, events: &str) -> (String, String) {
    let created = cli.json(&[
        "webhook",
        "add",
        url,
        "--events",
        events,
        "--private-receiver",
    ]);
    let secret = created["secret"]
        .as_str()
        .expect("the secret, once")
        .to_string();
    assert!(secret.starts_with("whsec_"), "{created}");
    (created["id"].as_str().unwrap().to_string(), secret)
}

fn deliveries(cli: &Cli, id: &str) -> Vec<Value> {
    cli.json(&["webhook", "deliveries", id, "--all"])
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until the webhook's deliveries satisfy `enough`.
fn wait_deliveries(
    cli: &Cli,
    id: &str,
    limit: Duration,
    enough: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + limit;
    loop {
        let got = deliveries(cli, id);
        if enough(&got) {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries never got there: {got:#?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Generates `name` for both backends as `sqlite::name`, `postgres::name`.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Postgres) } )*
        }
    };
}

both!(
    signed_test_delivery,
    hostile_input_and_private_receivers,
    retries_with_backoff,
    deliveries_survive_sigkill,
    an_attempt_cut_by_sigkill_runs_again,
    tokens_expiring_once_per_warning,
    route_error_rate,
    kv_sync_failing,
    rollup_lagging,
    slow_receiver_does_not_delay_another,
    quota_warning_and_exhaustion_arrive_once,
    budget_warning_and_exhaustion_arrive_once,
);

use budgets::budget_warning_and_exhaustion_arrive_once;
use quotas::quota_warning_and_exhaustion_arrive_once;

/// `webhook test`: one signed POST with the documented payload and
/// headers; the secret shown once and stored only encrypted.
fn signed_test_delivery(backend: Backend) {
    let Some(srv) = start(backend, &[]) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (id, secret) = add(&cli, &format!("{}/ok/test", rx.base), "token.expiring");
    let listed = cli.json(&["webhook", "list"]);
    assert_eq!(listed[0]["id"], id.as_str(), "{listed}");
    assert_eq!(listed[0]["events"], json!(["token.expiring"]));
    assert!(!listed.to_string().contains(&secret), "{listed}");
    assert!(
        !srv.database_contents().contains(&secret),
        "the secret is stored encrypted"
    );

    let queued = cli.json(&["webhook", "test", &id]);
    assert_eq!(queued["event"], "webhook.test");
    let got = rx.wait_for("/ok/test", Duration::from_secs(20), |a| !a.is_empty());
    let a = &got[0];
    assert!(
        a.signed_with(&secret),
        "signature {:?} does not verify",
        a.signature
    );
    assert!(!a.signed_with("whsec_wrong"));
    let body = a.json();
    assert_eq!(body["event"], "webhook.test");
    assert_eq!(body["id"], queued["id"]);
    assert_eq!(a.delivery.as_deref(), queued["id"].as_str());
    assert_eq!(a.event.as_deref(), Some("webhook.test"));
    assert!(body["created_at"].as_str().is_some(), "{body}");
    assert_eq!(body["data"]["webhook_id"], id.as_str(), "{body}");

    let done = wait_deliveries(&cli, &id, Duration::from_secs(10), |d| {
        d.first().is_some_and(|d| d["status"] == "delivered")
    });
    assert_eq!(done[0]["attempts"], 1, "{done:#?}");
    assert_eq!(done[0]["last_status"], 200, "{done:#?}");
    // The table shows status and attempts too.
    let table = cli.run(&["webhook", "deliveries", &id]).ok().stdout.clone();
    assert!(
        table.contains("delivered") && table.contains("webhook.test"),
        "{table}"
    );
    // Nothing more arrives: one delivery, once.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(rx.at("/ok/test").len(), 1);
    let actions = crate::common::audit_actions(&cli, &id);
    assert!(
        actions.contains(&"webhook.create".to_string()),
        "{actions:?}"
    );
    assert!(actions.contains(&"webhook.test".to_string()), "{actions:?}");
    cli.json(&["webhook", "remove", &id]);
    assert_eq!(cli.json(&["webhook", "list"]), json!([]));
}

/// Bad input is refused with exit 2 and stores nothing; a receiver on a
/// private address needs `--private-receiver`.
fn hostile_input_and_private_receivers(backend: Backend) {
    let Some(srv) = start(backend, &[]) else {
        return;
    };
    let cli = srv.cli();
    let long = format!("https://hooks.example.com/{}", "a".repeat(3000));
    let cases: &[&[&str]] = &[
        &[
            "webhook",
            "add",
            "ftp://hooks.example.com/x",
            "--events",
            "token.expiring",
        ],
        &[
            "webhook",
            "add",
            "hooks.example.com",
            "--events",
            "token.expiring",
        ],
        &[
            "webhook",
            "add",
            "https://u:p@hooks.example.com/",
            "--events",
            "token.expiring",
        ],
        &["webhook", "add", &long, "--events", "token.expiring"],
        &[
            "webhook",
            "add",
            "https://hooks.example.com/",
            "--events",
            "token.expired",
        ],
        &[
            "webhook",
            "add",
            "https://hooks.example.com/",
            "--events",
            "token.expiring,token.expiring",
        ],
        &[
            "webhook",
            "add",
            "https://hooks.example.com/",
            "--events",
            "",
        ],
        &["webhook", "test", "not-an-id"],
    ];
    for args in cases {
        cli.run(args).fails(2);
    }
    // The same through the API, where the CLI's own checks do not run.
    let rt = crate::common::runtime();
    let post = |body: &Value| -> (u16, String) {
        rt.block_on(async {
            let resp = reqwest::Client::new()
                .post(format!("{}/v1/webhooks", srv.url))
                .bearer_auth(&srv.admin)
                .json(body)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        })
    };
    for body in [
        json!({"url": "ftp://x.example/", "events": ["token.expiring"]}),
        json!({"url": long, "events": ["token.expiring"]}),
        json!({"url": "https://x.example/", "events": []}),
        json!({"url": "https://x.example/", "events": ["nope"]}),
        json!({"url": "https://x.example/", "events": ["webhook.test", "webhook.test"]}),
        json!({"url": "https://x.example/", "events": vec!["webhook.test"; 100]}),
        json!({"url": "http://127.0.0.1:9/h", "events": ["webhook.test"]}),
        json!({"url": "http://localhost:9/h", "events": ["webhook.test"]}),
        json!({"url": "http://169.254.169.254/h", "events": ["webhook.test"], "private_receiver": true}),
    ] {
        let (status, text) = post(&body);
        assert_eq!(status, 422, "{body}: {text}");
    }
    let refused = cli
        .run(&[
            "-o",
            "json",
            "webhook",
            "add",
            "http://127.0.0.1:9/h",
            "--events",
            "webhook.test",
        ])
        .fails(2)
        .to_string();
    assert!(
        refused.contains("receiver_forbidden") && refused.contains("--private-receiver"),
        "{refused}"
    );
    assert_eq!(cli.json(&["webhook", "list"]), json!([]), "nothing stored");
    let ok = cli.json(&[
        "webhook",
        "add",
        "http://127.0.0.1:9/h",
        "--events",
        "webhook.test",
        "--private-receiver",
    ]);
    assert_eq!(ok["private_receiver"], true);
    // A public receiver needs no approval.
    cli.json(&[
        "webhook",
        "add",
        "https://203.0.113.9/h",
        "--events",
        "token.expiring",
    ]);
    assert_eq!(cli.json(&["webhook", "list"]).as_array().unwrap().len(), 2);
    // Deliveries of an unknown webhook: 404.
    cli.run(&["webhook", "deliveries", &uuid::Uuid::now_v7().to_string()])
        .fails(3);
    // At most 50 webhooks: the 51st is refused, 409 `limit_reached`.
    for n in 2..50 {
        let (status, text) =
            post(&json!({"url": format!("https://203.0.113.9/{n}"), "events": ["kvsync.failing"]}));
        assert_eq!(status, 201, "{text}");
    }
    let (status, text) =
        post(&json!({"url": "https://203.0.113.9/one-more", "events": ["kvsync.failing"]}));
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("limit_reached"), "{text}");
    assert_eq!(cli.json(&["webhook", "list"]).as_array().unwrap().len(), 50);
}

/// A receiver that answers 500 twice gets the delivery again after 2–4 s,
/// then after 4–8 s (each plus up to the worker's 1 s poll), and it is
/// delivered on the third attempt.
fn retries_with_backoff(backend: Backend) {
    let Some(srv) = start(backend, &[]) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (id, secret) = add(&cli, &format!("{}/flaky/1", rx.base), "webhook.test");
    cli.json(&["webhook", "test", &id]);
    let got = rx.wait_for("/flaky/1", Duration::from_secs(40), |a| a.len() >= 3);
    let statuses: Vec<u16> = got.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [500, 500, 200]);
    let first = got[1].at - got[0].at;
    let second = got[2].at - got[1].at;
    eprintln!("retry waits: {first:?}, {second:?}");
    assert!(
        first >= Duration::from_millis(1900) && first < Duration::from_secs(6),
        "{first:?}"
    );
    assert!(
        second >= Duration::from_millis(3900) && second < Duration::from_secs(10),
        "{second:?}"
    );
    assert!(got.iter().all(|a| a.signed_with(&secret)));
    assert!(
        got.iter().all(|a| a.delivery == got[0].delivery),
        "the same delivery id each time"
    );
    let done = wait_deliveries(&cli, &id, Duration::from_secs(10), |d| {
        d[0]["status"] == "delivered"
    });
    assert_eq!(done[0]["attempts"], 3, "{done:#?}");
}

/// Receiver down, a delivery and an event queued and tried; the server
/// killed with SIGKILL and started again; the receiver up: each arrives,
/// once per dedup key.
fn deliveries_survive_sigkill(backend: Backend) {
    let Some(mut srv) = start(backend, &[]) else {
        return;
    };
    let cli = srv.cli();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/ok/kill");
    let (id, secret) = add(&cli, &url, "token.expiring,webhook.test");
    cli.json(&[
        "token",
        "create",
        "--name",
        "soon",
        "--scope",
        "*",
        "--team",
        "system",
        "--expires",
        "3d",
    ]);
    cli.json(&["webhook", "test", &id]);
    // Both tried at least once while nobody listens.
    wait_deliveries(&cli, &id, Duration::from_secs(30), |d| {
        d.len() == 2
            && d.iter()
                .all(|d| d["attempts"].as_i64() >= Some(1) && d["status"] == "pending")
    });
    let last = deliveries(&cli, &id);
    assert!(
        last[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("connect")),
        "{last:#?}"
    );
    srv.stop(); // SIGKILL
    srv.spawn();
    let cli = srv.cli();
    let rx = Receiver::start(port);
    let got = rx.wait_for("/ok/kill", Duration::from_secs(90), |a| a.len() >= 2);
    std::thread::sleep(Duration::from_secs(3)); // scans keep running: nothing new
    let got_all = rx.at("/ok/kill");
    assert_eq!(got_all.len(), 2, "each once: {got:#?}");
    let mut events: Vec<String> = got_all.iter().map(|a| a.event.clone().unwrap()).collect();
    events.sort();
    assert_eq!(events, ["token.expiring", "webhook.test"]);
    assert!(got_all.iter().all(|a| a.signed_with(&secret)));
    let done = wait_deliveries(&cli, &id, Duration::from_secs(10), |d| {
        d.iter().all(|d| d["status"] == "delivered")
    });
    assert_eq!(done.len(), 2);
}

/// The server is killed with SIGKILL while an attempt is in flight: once
/// the claim's lease (30 s) has run out, the restarted server tries again,
/// and the receiver sees the same delivery twice (at least once).
fn an_attempt_cut_by_sigkill_runs_again(backend: Backend) {
    let Some(mut srv) = start(backend, &[]) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (id, secret) = add(&cli, &format!("{}/slow/cut", rx.base), "webhook.test");
    cli.json(&["webhook", "test", &id]);
    rx.wait_for("/slow/cut", Duration::from_secs(20), |a| !a.is_empty());
    assert_eq!(rx.slow_in_flight(), 1);
    let killed = Instant::now();
    srv.stop(); // SIGKILL, mid-attempt
    srv.spawn();
    let cli = srv.cli();
    let got = rx.wait_for("/slow/cut", Duration::from_secs(90), |a| a.len() >= 2);
    let again = got[1].at - killed;
    eprintln!("attempt repeated {again:?} after the kill");
    assert!(
        again >= Duration::from_secs(25),
        "not before the lease ran out: {again:?}"
    );
    assert_eq!(
        got[0].delivery, got[1].delivery,
        "the same delivery, to dedupe by"
    );
    assert!(got.iter().all(|a| a.signed_with(&secret)));
    let done = wait_deliveries(&cli, &id, Duration::from_secs(20), |d| {
        d[0]["status"] == "delivered"
    });
    assert_eq!(done[0]["attempts"], 2, "{done:#?}");
}

/// Warnings 7d and 1d: a token 3 days from expiry gets the 7-day warning,
/// one 12 hours away the 1-day warning only, one 30 days away nothing;
/// each once however often the scan runs. Moving an expiry into the next
/// warning sends that one.
fn tokens_expiring_once_per_warning(backend: Backend) {
    let Some(srv) = start(
        backend,
        &[("TOKENCTL_WEBHOOK_TOKEN_EXPIRY_WARNINGS", "7d,1d")],
    ) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (_, secret) = add(&cli, &format!("{}/ok/expiry", rx.base), "token.expiring");
    for (name, expires) in [
        ("three-days", "3d"),
        ("half-day", "12h"),
        ("month", "30d"),
        ("never", "never"),
    ] {
        cli.json(&[
            "token",
            "create",
            "--name",
            name,
            "--scope",
            "*",
            "--team",
            "system",
            "--expires",
            expires,
        ]);
    }
    rx.wait_for("/ok/expiry", Duration::from_secs(20), |a| a.len() >= 2);
    std::thread::sleep(Duration::from_secs(4)); // several more scans
    let got = rx.at("/ok/expiry");
    let seen: Vec<(String, String)> = got
        .iter()
        .map(|a| {
            assert!(a.signed_with(&secret));
            let b = a.json();
            assert_eq!(b["event"], "token.expiring");
            (
                b["data"]["token"].as_str().unwrap().to_string(),
                b["data"]["warning"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("half-day".to_string(), "1d".to_string()),
            ("three-days".to_string(), "7d".to_string())
        ],
        "{got:#?}"
    );
    // The 3-day token is renewed to 20 hours: now the 1-day warning, once.
    cli.json(&["token", "update", "three-days", "--expires", "20h"]);
    rx.wait_for("/ok/expiry", Duration::from_secs(20), |a| a.len() >= 3);
    std::thread::sleep(Duration::from_secs(3));
    let got = rx.at("/ok/expiry");
    assert_eq!(got.len(), 3, "{got:#?}");
    let last = got[2].json();
    assert_eq!(
        (
            last["data"]["token"].as_str(),
            last["data"]["warning"].as_str()
        ),
        (Some("three-days"), Some("1d"))
    );
}

/// A route whose 5xx share of the window is above its threshold sends
/// `route.error_rate`, once per window; one with a higher threshold does
/// not; `none` clears the threshold.
fn route_error_rate(backend: Backend) {
    let Some(srv) = start(backend, &[("TOKENCTL_WEBHOOK_ERROR_RATE_WINDOW", "5m")]) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (_, secret) = add(&cli, &format!("{}/ok/errors", rx.base), "route.error_rate");
    let route = |name: &str| {
        cli.json(&[
            "route",
            "add",
            name,
            "--all-teams",
            "--path",
            &format!("/{name}"),
            "--upstream",
            "http://127.0.0.1:9",
        ])["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (bad, calm) = (route("bad"), route("calm"));
    let shown = cli.json(&["route", "update", "bad", "--alert-error-rate", "0.2"]);
    assert_eq!(shown["alert_error_rate"], 0.2);
    cli.json(&["route", "update", "calm", "--alert-error-rate", "0.9"]);
    cli.run(&["route", "update", "calm", "--alert-error-rate", "2"])
        .fails(2);
    cli.run(&["route", "update", "calm", "--alert-error-rate", "-0.1"])
        .fails(2);
    cli.run(&["route", "update", "calm", "--alert-error-rate", "lots"])
        .fails(2);
    assert_eq!(
        cli.json(&["route", "show", "calm"])["alert_error_rate"],
        0.9
    );
    let key = cli.json(&["gateway-key", "create", "gw"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let now = chrono::Utc::now();
    let mut events = Vec::new();
    for (route, status) in [
        (&bad, 500),
        (&bad, 502),
        (&bad, 200),
        (&bad, 200),
        (&bad, 200),
        (&bad, 200),
    ]
    .into_iter()
    .chain([
        (&calm, 500),
        (&calm, 500),
        (&calm, 200),
        (&calm, 200),
        (&calm, 200),
        (&calm, 200),
    ]) {
        events.push(crate::usage::event(
            now,
            None,
            Some(route.as_str()),
            status,
            5.0,
            None,
        ));
    }
    crate::usage::post(&srv, &key, &Value::Array(events));
    let got = rx.wait_for("/ok/errors", Duration::from_secs(20), |a| !a.is_empty());
    std::thread::sleep(Duration::from_secs(3));
    let got_all = rx.at("/ok/errors");
    assert_eq!(got_all.len(), 1, "{got:#?}");
    assert!(got_all[0].signed_with(&secret));
    let data = &got_all[0].json()["data"];
    assert_eq!(data["route"], "bad", "{data}");
    assert_eq!(
        (data["requests"].as_i64(), data["errors"].as_i64()),
        (Some(6), Some(2)),
        "{data}"
    );
    assert_eq!(data["threshold"], 0.2);
    let cleared = cli.json(&["route", "update", "bad", "--alert-error-rate", "none"]);
    assert_eq!(cleared["alert_error_rate"], Value::Null);
}

/// The KV sync failing (Cloudflare refuses the API token) for longer than
/// the setting sends `kvsync.failing`, once for the run of failures.
fn kv_sync_failing(backend: Backend) {
    let kv = crate::fake_kv::FakeKv::start("the-right-token");
    let mut env: Vec<(String, String)> = kv.server_env("a-wrong-token");
    env.push(("TOKENCTL_WEBHOOK_KV_FAILING_AFTER".into(), "1s".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let Some(srv) = start(backend, &env) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (_, secret) = add(&cli, &format!("{}/ok/kv", rx.base), "kvsync.failing");
    let got = rx.wait_for("/ok/kv", Duration::from_secs(30), |a| !a.is_empty());
    std::thread::sleep(Duration::from_secs(4));
    let got_all = rx.at("/ok/kv");
    assert_eq!(got_all.len(), 1, "{got:#?}");
    assert!(got_all[0].signed_with(&secret));
    let data = &got_all[0].json()["data"];
    assert!(data["failing_since"].as_str().is_some(), "{data}");
    assert!(data["last_error"].as_str().is_some(), "{data}");
}

/// Roll-ups that stop (on SQLite a stored event they cannot read; on
/// PostgreSQL another session holding the roll-up's lock) send
/// `usage.rollup_lagging` once the oldest waiting event is older than the
/// setting, and once only within the hour.
fn rollup_lagging(backend: Backend) {
    let Some(srv) = start(backend, &[("TOKENCTL_WEBHOOK_ROLLUP_LAG_AFTER", "2s")]) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (_, secret) = add(&cli, &format!("{}/ok/lag", rx.base), "usage.rollup_lagging");
    let rt = crate::common::runtime();
    // Held for the rest of the test on PostgreSQL.
    let _lock = match &srv.pg {
        Some(pg) => {
            let url = pg.url.clone();
            Some(rt.block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query("SELECT pg_advisory_lock(7700004)")
                    .execute(&mut c)
                    .await
                    .unwrap();
                c
            }))
        }
        None => {
            srv.sql(&[
                "INSERT INTO usage_events (id, at, received_at, method, status, latency_ms, \
                       bytes_in, bytes_out) VALUES (x'0193000000007000800000000000beef', \
                       '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'GET', 200, \
                       'not a number', 1, 1)"
                    .to_string(),
            ]);
            None
        }
    };
    let key = cli.json(&["gateway-key", "create", "gw"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    crate::usage::post(
        &srv,
        &key,
        &json!([crate::usage::event(
            chrono::Utc::now(),
            None,
            None,
            200,
            1.0,
            None
        )]),
    );
    let got = rx.wait_for("/ok/lag", Duration::from_secs(30), |a| !a.is_empty());
    std::thread::sleep(Duration::from_secs(3));
    let got_all = rx.at("/ok/lag");
    assert_eq!(got_all.len(), 1, "{got:#?}");
    assert!(got_all[0].signed_with(&secret));
    let data = &got_all[0].json()["data"];
    assert!(data["lag_seconds"].as_i64() >= Some(2), "{data}");
    assert!(data["pending_events"].as_i64() >= Some(1), "{data}");
}

/// Twelve deliveries to a receiver that takes 4 s each, then one to a
/// quick receiver: the quick one gets its delivery at once, and the slow
/// one never has more than 4 in flight.
fn slow_receiver_does_not_delay_another(backend: Backend) {
    let Some(srv) = start(backend, &[]) else {
        return;
    };
    let cli = srv.cli();
    let rx = Receiver::start(0);
    let (slow, _) = add(&cli, &format!("{}/slow/1", rx.base), "webhook.test");
    let (quick, secret) = add(&cli, &format!("{}/ok/quick", rx.base), "webhook.test");
    for _ in 0..12 {
        cli.json(&["webhook", "test", &slow]);
    }
    std::thread::sleep(Duration::from_millis(500)); // the slow ones are in flight
    let asked = Instant::now();
    cli.json(&["webhook", "test", &quick]);
    let got = rx.wait_for("/ok/quick", Duration::from_secs(20), |a| !a.is_empty());
    let waited = got[0].at - asked;
    eprintln!("the quick receiver got its delivery after {waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(got[0].signed_with(&secret));
    rx.wait_for("/slow/1", Duration::from_secs(60), |a| a.len() >= 12);
    assert_eq!(
        rx.slow_most(),
        4,
        "at most 4 in flight to one receiver, and 4 used"
    );
}
