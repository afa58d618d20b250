//! Every admin API endpoint, called as every kind of caller, against an
//! expectation table written by hand in `permissions/` (`rows.rs` and one
//! file per resource).
//!
//! The table states the role model as the issues and `docs/permissions.md`
//! describe it; it is deliberately not derived from the server's own rule
//! table, so a wrong rule in the server fails here. Every call's status is
//! checked exactly (any 5xx is a failure), and an operation of the served
//! OpenAPI document that no row covers fails the test, so a new endpoint
//! cannot ship unchecked.

mod routes;
mod rows;
mod secrets;
mod system;
mod teams;
mod tokens;
mod users;
mod webhooks;

use crate::common::{Backend, TestServer};
use crate::fake_kv::FakeKv;
use serde_json::{json, Value};

/// Who calls. Team "alpha" is the team whose objects most rows act on;
/// "beta" is another team.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Who {
    Global,
    SysAdmin,
    SysManager,
    SysDeveloper,
    SysViewer,
    AlphaAdmin,
    AlphaManager,
    AlphaDeveloper,
    AlphaViewer,
    /// Admin of team beta: a high role, but in another team.
    BetaAdmin,
    /// Signed in, member of no team.
    NoTeam,
    GatewayKey,
    Anonymous,
    /// A credential past its expiry.
    Expired,
    /// A revoked credential.
    Revoked,
}

impl Who {
    const ALL: [Who; 15] = [
        Who::Global,
        Who::SysAdmin,
        Who::SysManager,
        Who::SysDeveloper,
        Who::SysViewer,
        Who::AlphaAdmin,
        Who::AlphaManager,
        Who::AlphaDeveloper,
        Who::AlphaViewer,
        Who::BetaAdmin,
        Who::NoTeam,
        Who::GatewayKey,
        Who::Anonymous,
        Who::Expired,
        Who::Revoked,
    ];

    /// Signed in with a working user credential.
    fn is_user(self) -> bool {
        !matches!(
            self,
            Who::GatewayKey | Who::Anonymous | Who::Expired | Who::Revoked
        )
    }

    fn in_alpha(self) -> bool {
        matches!(
            self,
            Who::AlphaAdmin | Who::AlphaManager | Who::AlphaDeveloper | Who::AlphaViewer
        )
    }
}

/// Who gets through a row.
pub enum Access {
    /// Everyone, signed in or not.
    Public,
    /// Gateway keys only; everything else is unauthenticated (401).
    GatewayKeys,
    /// These signed-in users; callers without a working user credential
    /// get 401, other users what `Refusal` says.
    Users(&'static [Who], Refusal),
}

/// What a signed-in user who does not get through is answered.
pub enum Refusal {
    /// 403.
    Forbidden,
    /// 404, as if the object did not exist.
    Hidden,
    /// 403 for members of alpha (the object's team), who may see it; 404
    /// for everyone else, who may not.
    HiddenOutsideAlpha,
}

/// One case: an endpoint, a request against fresh objects, and who gets
/// through with which status.
pub struct Row {
    pub case: &'static str,
    pub method: &'static str,
    /// As in the OpenAPI document.
    pub path: &'static str,
    pub access: Access,
    /// What those who get through are answered.
    pub status: u16,
    pub build: Build,
}

/// Builds a row's request for one caller, creating what it acts on.
pub type Build = Box<dyn Fn(&Api, &Caller) -> Request>;

/// A request built for one caller.
pub struct Request {
    pub path: String,
    pub body: Option<Value>,
    /// Deleted as the bootstrap admin after the call, so the next caller
    /// finds the same state (for objects only one may exist of, like `/`).
    pub cleanup: Option<String>,
}

impl Request {
    pub fn new(path: impl Into<String>, body: Option<Value>) -> Request {
        Request {
            path: path.into(),
            body,
            cleanup: None,
        }
    }
}

pub struct Caller {
    pub who: Who,
    pub bearer: Option<String>,
}

/// What `who` must be answered for `row`.
fn expected(row: &Row, who: Who) -> u16 {
    match &row.access {
        Access::Public => row.status,
        Access::GatewayKeys if who == Who::GatewayKey => row.status,
        Access::GatewayKeys => 401,
        Access::Users(..) if !who.is_user() => 401,
        Access::Users(pass, _) if pass.contains(&who) => row.status,
        Access::Users(_, Refusal::Forbidden) => 403,
        Access::Users(_, Refusal::Hidden) => 404,
        Access::Users(_, Refusal::HiddenOutsideAlpha) if who.in_alpha() => 403,
        Access::Users(_, Refusal::HiddenOutsideAlpha) => 404,
    }
}

pub struct Api {
    base: String,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    pub admin: String,
}

impl Api {
    pub fn call(
        &self,
        bearer: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.rt.block_on(async {
            let mut req = self
                .http
                .request(method.parse().unwrap(), format!("{}{path}", self.base));
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// As the bootstrap admin; must succeed.
    pub fn setup(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, v) = self.call(Some(&self.admin), method, path, Some(&body));
        assert!(
            (200..300).contains(&status),
            "setup {method} {path}: {status} {v}"
        );
        v
    }
}

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    )
}

/// Each backend, with a (fake) Cloudflare KV configured so that the sync
/// endpoints answer as on a real deployment.
mod sqlite {
    #[test]
    fn every_endpoint_as_every_caller() {
        super::run(crate::common::Backend::Sqlite);
    }
}

mod postgres {
    #[test]
    fn every_endpoint_as_every_caller() {
        super::run(crate::common::Backend::Postgres);
    }
}

fn run(backend: Backend) {
    const KV_TOKEN: &str = "cf-permissions-token";
    let kv = FakeKv::start(KV_TOKEN);
    let env = kv.server_env(KV_TOKEN);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let Some(srv) = TestServer::start_with_env(backend, &env) else {
        return;
    };
    run_matrix(&srv);
}

/// The callers, signed in as their names say.
fn callers(api: &Api) -> Vec<Caller> {
    let mut callers = Vec::new();
    let user = |name: &str, roles: &[&str], global: bool| -> String {
        let created = api.setup(
            "POST",
            "/v1/users",
            json!({"name": name, "roles": roles, "global_admin": global}),
        );
        created["secret"].as_str().unwrap().to_string()
    };
    let users: [(Who, &str, &[&str], bool); 11] = [
        (Who::Global, "global", &[], true),
        (Who::SysAdmin, "s-admin", &["system:admin"], false),
        (Who::SysManager, "s-manager", &["system:manager"], false),
        (
            Who::SysDeveloper,
            "s-developer",
            &["system:developer"],
            false,
        ),
        (Who::SysViewer, "s-viewer", &["system:viewer"], false),
        (Who::AlphaAdmin, "a-admin", &["alpha:admin"], false),
        (Who::AlphaManager, "a-manager", &["alpha:manager"], false),
        (
            Who::AlphaDeveloper,
            "a-developer",
            &["alpha:developer"],
            false,
        ),
        (Who::AlphaViewer, "a-viewer", &["alpha:viewer"], false),
        (Who::BetaAdmin, "b-admin", &["beta:admin"], false),
        (Who::NoTeam, "loner", &[], false),
    ];
    for (who, name, roles, global) in users {
        callers.push(Caller {
            who,
            bearer: Some(user(name, roles, global)),
        });
    }
    // Credentials that no longer work: one expired, one revoked (of a
    // user who is still active).
    let owner = user("c-owner", &["alpha:admin"], false);
    let credential = |name: &str, expires: Option<&str>| -> String {
        let (status, v) = api.call(
            Some(&owner),
            "POST",
            "/v1/credentials",
            Some(&json!({"name": name, "expires": expires})),
        );
        assert_eq!(status, 201, "{v}");
        v["secret"].as_str().unwrap().to_string()
    };
    let expiring = credential("short", Some("1s"));
    let revoked = credential("gone", None);
    let (status, v) = api.call(
        Some(&owner),
        "POST",
        "/v1/credentials/gone/revoke",
        Some(&json!({})),
    );
    assert_eq!(status, 200, "{v}");
    let gateway = api.setup("POST", "/v1/gateway-keys", json!({"name": "gw"}));
    for (who, bearer) in [
        (
            Who::GatewayKey,
            gateway["secret"].as_str().map(str::to_string),
        ),
        (Who::Anonymous, None),
        (Who::Expired, Some(expiring)),
        (Who::Revoked, Some(revoked)),
    ] {
        callers.push(Caller { who, bearer });
    }
    std::thread::sleep(std::time::Duration::from_millis(1100)); // let "short" expire
    assert_eq!(callers.len(), Who::ALL.len());
    callers
}

fn run_matrix(srv: &TestServer) {
    let api = Api {
        base: srv.url.clone(),
        rt: crate::common::runtime(),
        http: reqwest::Client::new(),
        admin: srv.admin.clone(),
    };
    let fixture = rows::Fixture::create(&api);
    let callers = callers(&api);
    let rows = rows::rows(&fixture);

    // Completeness: every documented operation has a row.
    let (_, doc) = api.call(None, "GET", "/v1/openapi.json", None);
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("OpenAPI paths") {
        for method in item.as_object().unwrap().keys() {
            let m = method.to_uppercase();
            if !rows.iter().any(|r| r.method == m && r.path == path) {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a row in the permission table: {missing:?}"
    );

    let mut mismatches = Vec::new();
    let mut server_errors = Vec::new();
    let mut checked = 0;
    for row in &rows {
        for c in &callers {
            let req = (row.build)(&api, c);
            let (status, reply) = api.call(
                c.bearer.as_deref(),
                row.method,
                &req.path,
                req.body.as_ref(),
            );
            if let Some(path) = &req.cleanup {
                api.call(Some(&api.admin), "DELETE", path, None);
            }
            checked += 1;
            let want = expected(row, c.who);
            let line = format!(
                "{} {} ({}) as {:?}: expected {want}, got {status} {reply}",
                row.method, req.path, row.case, c.who
            );
            if status >= 500 {
                server_errors.push(line);
            } else if status != want {
                mismatches.push(line);
            }
        }
    }
    eprintln!(
        "permission matrix: {} rows x {} callers = {checked} calls",
        rows.len(),
        callers.len()
    );
    assert!(
        server_errors.is_empty() && mismatches.is_empty(),
        "{} server errors, {} mismatches:\n{}\n{}",
        server_errors.len(),
        mismatches.len(),
        server_errors.join("\n"),
        mismatches.join("\n")
    );
}
