//! How long a full KV reconcile takes at 10,000, 100,000 and 1,000,000
//! tokens, against the fake KV enforcing Cloudflare's documented rate
//! limit (1,200 requests per 5 minutes). A measurement, not a test: its
//! figures move with the machine. `gateway/bench/kv-scale` runs it
//! (`SIZES` sets the sizes).
//!
//! For each size, on SQLite: one token is created through the API and the
//! rest are bulk-loaded as copies of its row with their own ids, names and
//! hashes (a million API calls would measure the API). Then a full
//! reconcile fills the empty namespace, and a second one checks the full
//! namespace and finds nothing to change.

use crate::common::{Backend, TestServer};
use crate::fake_kv::FakeKv;
use std::time::Instant;

const API_TOKEN: &str = "cf-scale-token";

fn sizes() -> Vec<u64> {
    std::env::var("TOKENCTL_KV_SCALE_SIZES")
        .unwrap_or_else(|_| "10000 100000".into())
        .split_whitespace()
        .map(|s| s.parse().expect("sizes are numbers"))
        .collect()
}

#[test]
#[ignore = "a measurement: gateway/bench/kv-scale runs it"]
fn kv_full_reconcile_at_scale() {
    for n in sizes() {
        let kv = FakeKv::start(API_TOKEN);
        kv.enforce_rate_limit();
        let mut env = kv.server_env(API_TOKEN);
        env.push(("TOKENCTL_EDGE_KEY".into(), "5e".repeat(32)));
        // Cloudflare's own timeouts are what the sync waits for; the test
        // environment's 2 s is for fault suites.
        env.retain(|(k, _)| k != "TOKENCTL_KV_TIMEOUT");
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let srv = TestServer::start_with_env(Backend::Sqlite, &env).expect("SQLite always runs");
        let cli = srv.cli();
        cli.json(&["team", "create", "scale"]);
        cli.json(&[
            "route",
            "add",
            "r1",
            "--all-teams",
            "--path",
            "/r1",
            "--upstream",
            "http://127.0.0.1:9",
        ]);
        cli.json(&[
            "token", "create", "--name", "real", "--scope", "*", "--team", "scale",
        ]);
        let loaded = Instant::now();
        srv.sql(&[format!(
            "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             INSERT INTO tokens (id, team_id, name, description, scopes, allow_ips, rate_limit, \
                                 secret_hash, secret_hint, expires_at, created_by, created_at, updated_at) \
             SELECT randomblob(16), t.team_id, 'scale-' || n.i, t.description, t.scopes, t.allow_ips, \
                    t.rate_limit, lower(hex(randomblob(32))), t.secret_hint, t.expires_at, t.created_by, \
                    t.created_at, t.updated_at \
             FROM n, (SELECT * FROM tokens WHERE name = 'real') t"
        )]);
        let load_s = loaded.elapsed().as_secs_f64();

        let mut rounds = Vec::new();
        for round in ["empty namespace", "full namespace, nothing to change"] {
            let before = kv.counts();
            let started = Instant::now();
            let result = cli.json(&["sync", "push", "--full"]);
            let secs = started.elapsed().as_secs_f64();
            let after = kv.counts();
            rounds.push(format!(
                "{round}: {secs:.1} s, {} requests ({} bulk writes, {} lists, {} reads), \
                 {} keys written, {} rate-limited; listed {}, written {}, unchanged {}",
                after.requests - before.requests,
                after.bulk_writes - before.bulk_writes,
                after.lists - before.lists,
                after.reads - before.reads,
                after.keys_written - before.keys_written,
                after.rate_limited - before.rate_limited,
                result["listed"],
                result["written"],
                result["unchanged"],
            ));
            assert_eq!(
                after.rate_limited, 0,
                "the sync kept within Cloudflare's limit"
            );
        }
        let keys = kv
            .snapshot()
            .keys()
            .filter(|k| k.starts_with("tok:"))
            .count() as u64;
        assert_eq!(keys, n, "every token is in KV");
        eprintln!("KV full reconcile, {n} tokens (bulk-loaded in {load_s:.1} s):");
        for line in rounds {
            eprintln!("  {line}");
        }
    }
}

/// The measurement's claim that nothing was refused means something only
/// if the fake refuses what Cloudflare would: the 1,201st request within 5
/// minutes.
#[test]
fn the_fake_kv_refuses_what_goes_over_cloudflares_limit() {
    let kv = FakeKv::start(API_TOKEN);
    kv.enforce_rate_limit();
    let url = format!(
        "{}/accounts/{}/storage/kv/namespaces/{}/keys",
        kv.base_url,
        crate::fake_kv::ACCOUNT,
        crate::fake_kv::NAMESPACE
    );
    crate::common::runtime().block_on(async {
        let client = reqwest::Client::new();
        for _ in 0..1200 {
            let r = client
                .get(&url)
                .bearer_auth(API_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let r = client
            .get(&url)
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((290..=301).contains(&wait), "{wait}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], 971);
    });
    assert_eq!(kv.counts().rate_limited, 1);
}
