//! Upgrading in place: databases that tokenctl made at commit dc6ac7a (the
//! fixtures in `cli/tests/fixtures/dc6ac7a`, made by its
//! `make-fixtures.sh` with the old binary) are migrated by today's server,
//! and every token behaves through today's gateway as it did through the
//! old one: what worked still works with the same credential injected,
//! what was refused is still refused.

use crate::common::{runtime, Backend, TestGateway, TestServer};
use crate::upstream::{Http, Upstream};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dc6ac7a")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn upgrade(backend: Backend) {
    let Some(mut srv) = TestServer::create(backend, &[]) else {
        return;
    };
    let manifest = manifest();
    let made = match backend {
        Backend::Sqlite => &manifest["sqlite"],
        Backend::Postgres => &manifest["postgres"],
    };
    srv.master_key = manifest["master_key"].as_str().unwrap().to_string();
    srv.admin = manifest["admin_credential"].as_str().unwrap().to_string();
    match &srv.pg {
        None => {
            std::fs::copy(
                fixtures().join("tokenctl.sqlite"),
                srv.dir.path().join("tokenctl.db"),
            )
            .unwrap();
        }
        Some(pg) => restore(&pg.url, &fixtures().join("postgres.sql")),
    }
    let old_routes = made["routes"].as_array().unwrap();
    let upstreams = serve_upstream_hosts(&srv, old_routes, &manifest);
    srv.spawn();
    let admin = srv.cli();

    // The old usage is still there, each event counting as one request.
    let served = probes(made).filter(|(_, p)| p["status"] == 200).count() as i64;
    let (rows, requests) = srv.usage_total();
    assert!(
        rows >= served,
        "{rows} usage events for {served} calls served"
    );
    assert_eq!(requests, rows);

    // Existing routes are granted to every team, keep what they were, and
    // keep reaching the addresses they reached.
    let routes: BTreeMap<String, Value> = admin
        .json(&["route", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    assert_eq!(routes.len(), old_routes.len());
    for old in old_routes {
        let name = old["name"].as_str().unwrap();
        let new = &routes[name];
        assert_eq!(new["teams"], serde_json::json!(["*"]), "{name}");
        for field in ["id", "path", "tags", "auth", "timeout_ms", "description"] {
            assert_eq!(new[field], old[field], "{name}: {field}");
        }
        assert_eq!(
            new["upstream"].as_str().unwrap(),
            upstreams.moved(old["upstream"].as_str().unwrap()),
            "{name}"
        );
        let host = host_of(old["upstream"].as_str().unwrap());
        let expected_access = match host.as_str() {
            // Loopback routes worked before: approved as private.
            h if h.starts_with("127.") => "private",
            // A cloud metadata address needs the server's explicit flag.
            "169.254.169.254" => "private",
            _ => "public",
        };
        assert_eq!(new["upstream_access"], expected_access, "{name}");
    }

    // Each secret is bound to the hosts of the routes that use it.
    let mut hosts_using: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for old in old_routes {
        for secret in secret_names(&old["auth"]) {
            hosts_using
                .entry(secret)
                .or_default()
                .insert(host_of(old["upstream"].as_str().unwrap()));
        }
    }
    let secrets = admin.json(&["secret", "list"]);
    let secrets = secrets.as_array().unwrap();
    assert_eq!(
        secrets.len(),
        manifest["secrets"].as_object().unwrap().len()
    );
    for s in secrets {
        let name = s["name"].as_str().unwrap();
        let hosts: BTreeSet<String> = s["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect();
        assert_eq!(hosts, hosts_using[name], "hosts of {name}");
        assert_eq!(s["version"], 1, "{name} keeps its value");
    }
    // Binding them is audited, as the system's doing.
    let audited = admin.json(&[
        "audit",
        "list",
        "--action",
        "secret.hosts",
        "--limit",
        "1000",
    ]);
    let audited: BTreeMap<String, String> = audited
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["target_name"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let bound: BTreeMap<String, String> = hosts_using
        .keys()
        .map(|name| (name.clone(), "system".to_string()))
        .collect();
    assert_eq!(audited, bound);

    // The old gateway key still works; through it, every token secret
    // behaves on every route as it did through the old gateway.
    let gw = TestGateway::start_with_key(&srv, made["gateway_key"].as_str().unwrap());
    gw.wait_ready();
    let http = Http::new();
    let now = chrono::Utc::now();
    let mut checked = 0;
    for (token, before) in probes(made) {
        let what = format!(
            "{} ({} secret, scopes {}) on {}",
            token["name"], token["secret_is"], token["scopes"], before["path"]
        );
        let secret = token["secret"].as_str().unwrap();
        let url = format!("{}{}", gw.url, before["path"].as_str().unwrap());
        let reply = http.get(&url, Some(secret));
        let lapsed = token["valid_until"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|until| until < now);
        if lapsed && before["status"] == 200 {
            // A rotation grace (at most 30 days) that has run out since the
            // fixtures were made.
            assert_eq!(reply.status, 401, "{what}: its time ran out");
            continue;
        }
        assert_eq!(reply.status, before["status"], "{what}");
        if reply.status == 200 {
            let arrived = reply.json();
            assert_eq!(arrived["path"], before["upstream_path"], "{what}");
            for (header, value) in before["upstream_credentials"].as_object().unwrap() {
                assert_eq!(&arrived["headers"][header], value, "{what}: {header}");
            }
        } else {
            assert_eq!(reply.code(), before["code"].as_str().unwrap(), "{what}");
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} calls compared");

    // An idempotent rotation from before never discloses its secret again:
    // replaying its key is a conflict while the replay window (24 h) lasts,
    // and a rotation of its own after that.
    let rotated = |secret_is: &str| {
        made["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "ops-idempotent" && t["secret_is"] == secret_is)
            .unwrap()
            .clone()
    };
    let (current, previous) = (rotated("current"), rotated("previous"));
    let rotated_at =
        chrono::DateTime::parse_from_rfc3339(previous["valid_until"].as_str().unwrap()).unwrap();
    let replay = admin.run(&[
        "token",
        "rotate",
        "ops-idempotent",
        "--team",
        "system",
        "--idempotency-key",
        "fixture-rotation-1",
        "-o",
        "json",
    ]);
    let secret = current["secret"].as_str().unwrap();
    assert!(
        !replay.stdout.contains(secret) && !replay.stderr.contains(secret),
        "the replay disclosed the secret of the rotation before the upgrade"
    );
    if now - rotated_at.with_timezone(&chrono::Utc) < chrono::Duration::hours(24) {
        replay.fails(5);
    } else {
        replay.ok();
    }
}

/// Every (token secret, probe) pair the old gateway was asked.
fn probes(made: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    made["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["probes"].as_array().unwrap().iter().map(move |p| (t, p)))
}

/// The secret names a route's `auth` (as the API shows it) refers to.
fn secret_names(auth: &Value) -> Vec<String> {
    ["secret", "username_secret", "password_secret"]
        .iter()
        .filter_map(|k| auth[*k].as_str().map(str::to_string))
        .collect()
}

fn host_of(upstream: &str) -> String {
    url::Url::parse(upstream)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string()
}

/// The echo upstreams standing in for the ones the fixtures were made
/// with, by old `host:port`.
struct Upstreams(BTreeMap<String, Upstream>);

impl Upstreams {
    /// Where an old upstream URL points now.
    fn moved(&self, upstream: &str) -> String {
        let mut out = upstream.to_string();
        for (old, new) in &self.0 {
            out = out.replace(&format!("http://{old}"), &new.url);
        }
        out
    }
}

/// The fixtures' routes reach echo upstreams on loopback hosts
/// (127.0.0.1–3) at the port they were made with. Serves each of those
/// hosts again, on a free port of its own (a fixed port could be taken),
/// and points the routes there. Only the port changes: the host, which is
/// what the upgrade binds secrets to and classifies, stays.
fn serve_upstream_hosts(srv: &TestServer, routes: &[Value], manifest: &Value) -> Upstreams {
    let port = manifest["upstream_port"].as_u64().unwrap();
    let mut upstreams = BTreeMap::new();
    for r in routes {
        let url = url::Url::parse(r["upstream"].as_str().unwrap()).unwrap();
        if url.port().map(u64::from) == Some(port) {
            let host = url.host_str().unwrap().to_string();
            upstreams
                .entry(format!("{host}:{port}"))
                .or_insert_with(|| Upstream::start_on(&host));
        }
    }
    let upstreams = Upstreams(upstreams);
    let statements: Vec<String> = upstreams
        .0
        .iter()
        .map(|(old, new)| {
            format!(
                "UPDATE routes SET upstream = REPLACE(upstream, 'http://{old}', '{}')",
                new.url
            )
        })
        .collect();
    srv.sql(&statements);
    upstreams
}

/// Loads a plain `pg_dump` into a fresh database, as `psql -f` would.
fn restore(url: &str, dump: &Path) {
    let text = std::fs::read_to_string(dump).unwrap();
    // `\restrict` and `\unrestrict` (newer pg_dump) are psql commands, not SQL.
    let sql: String = text
        .lines()
        .filter(|l| !l.starts_with("\\restrict ") && !l.starts_with("\\unrestrict "))
        .map(|l| format!("{l}\n"))
        .collect();
    let url = url.to_string();
    runtime().block_on(async move {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(&sql).execute(&mut c).await.unwrap();
    });
}

mod from_dc6ac7a {
    mod sqlite {
        #[test]
        fn every_token_behaves_as_before_through_the_gateway() {
            super::super::upgrade(crate::common::Backend::Sqlite);
        }
    }
    mod postgres {
        #[test]
        fn every_token_behaves_as_before_through_the_gateway() {
            super::super::upgrade(crate::common::Backend::Postgres);
        }
    }
}
