//! Every admin API endpoint, called as every kind of caller, against the
//! declared permission table (`tokenctl_server::permissions::RULES`).
//! An endpoint in the OpenAPI document that this table does not list fails
//! the test, so a new endpoint cannot ship unchecked.

use crate::common::TestServer;
use crate::on_both_backends;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tokenctl_server::api::Role;
use tokenctl_server::permissions::{rule_for, Action, Scope};

/// Who calls.
#[derive(Clone)]
struct Caller {
    name: &'static str,
    bearer: Option<String>,
    kind: Kind,
    roles: BTreeMap<&'static str, Role>,
    global: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    User,
    /// No credential, an expired or a revoked one.
    Unauthenticated,
    Gateway,
}

/// What the table says about an endpoint.
enum Expect {
    Public,
    Authenticated,
    GatewayOnly,
    Rule(Action, Option<&'static str>),
    /// Decided by something other than a role (own credentials, own
    /// invitations): allowed for every signed-in user.
    Own,
}

fn can(c: &Caller, action: Action, team: Option<&str>) -> bool {
    if c.global {
        return true;
    }
    let rule = rule_for(action);
    let role = match rule.scope {
        Scope::Team => team.and_then(|t| c.roles.get(t).copied()),
        Scope::System => c.roles.get("system").copied(),
        Scope::AnyTeam => c.roles.values().max().copied(),
        Scope::Global => None,
    };
    role.is_some_and(|r| r >= rule.min_role)
}

fn expected(e: &Expect, c: &Caller) -> Outcome {
    match (e, c.kind) {
        (Expect::Public, _) => Outcome::Allowed,
        (Expect::GatewayOnly, Kind::Gateway) => Outcome::Allowed,
        (Expect::GatewayOnly, _) => Outcome::Unauthenticated,
        (_, Kind::Unauthenticated | Kind::Gateway) => Outcome::Unauthenticated,
        (Expect::Authenticated | Expect::Own, Kind::User) => Outcome::Allowed,
        (Expect::Rule(a, team), Kind::User) => Outcome::from(can(c, *a, *team)),
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Outcome {
    Allowed,
    Denied,
    Unauthenticated,
}

impl From<bool> for Outcome {
    fn from(b: bool) -> Outcome {
        if b {
            Outcome::Allowed
        } else {
            Outcome::Denied
        }
    }
}

impl Outcome {
    fn of(status: u16) -> Outcome {
        match status {
            401 => Outcome::Unauthenticated,
            403 | 404 => Outcome::Denied,
            _ => Outcome::Allowed,
        }
    }
}

struct Api {
    base: String,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    admin: String,
}

impl Api {
    fn call(
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
    fn setup(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, v) = self.call(Some(&self.admin), method, path, Some(&body));
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    )
}

/// A request against fresh objects, built per caller.
type Build = Box<dyn Fn(&Api, &Caller) -> (String, Option<Value>)>;

struct Endpoint {
    method: &'static str,
    path: &'static str,
    expect: Expect,
    build: Build,
}

fn ep(
    method: &'static str,
    path: &'static str,
    expect: Expect,
    build: impl Fn(&Api, &Caller) -> (String, Option<Value>) + 'static,
) -> Endpoint {
    Endpoint {
        method,
        path,
        expect,
        build: Box::new(build),
    }
}

fn fixed(path: &'static str) -> impl Fn(&Api, &Caller) -> (String, Option<Value>) {
    move |_, _| (path.to_string(), None)
}

on_both_backends! {
    fn every_endpoint_as_every_caller(srv) {
        run_matrix(&srv);
    }
}

fn run_matrix(srv: &TestServer) {
    let api = Api {
        base: srv.url.clone(),
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        http: reqwest::Client::new(),
        admin: srv.admin.clone(),
    };
    api.setup("POST", "/v1/teams", json!({"name": "alpha"}));
    api.call(
        Some(&srv.admin),
        "PUT",
        "/v1/secrets/SHARED",
        Some(&json!({"value": "s3cret"})),
    );
    api.setup(
        "POST",
        "/v1/routes",
        json!({"name": "base", "path": "/base", "upstream": "http://127.0.0.1:9", "all_teams": true}),
    );
    // A public upstream (documentation address: public, never resolved).
    const PUBLIC: &str = "http://203.0.113.9";
    let public_route = |api: &Api| -> String {
        let name = unique("r");
        api.setup(
            "POST",
            "/v1/routes",
            json!({"name": name, "path": format!("/{name}"), "upstream": PUBLIC, "all_teams": true}),
        );
        name
    };

    // The callers.
    let mut callers: Vec<Caller> = Vec::new();
    let mut user = |name: &'static str, roles: &[(&'static str, Role)], global: bool| {
        let created = api.setup(
            "POST",
            "/v1/users",
            json!({
                "name": name,
                "roles": roles.iter().map(|(t, r)| format!("{t}:{r}")).collect::<Vec<_>>(),
                "global_admin": global,
            }),
        );
        callers.push(Caller {
            name,
            bearer: Some(created["secret"].as_str().unwrap().to_string()),
            kind: Kind::User,
            roles: roles.iter().copied().collect(),
            global,
        });
    };
    for (team, names) in [
        ("alpha", ["a-viewer", "a-developer", "a-manager", "a-admin"]),
        (
            "system",
            ["s-viewer", "s-developer", "s-manager", "s-admin"],
        ),
    ] {
        for (name, role) in names.into_iter().zip(Role::ALL) {
            user(name, &[(team, role)], false);
        }
    }
    user("global", &[], true);
    user("nobody", &[], false);
    // Unauthenticated variants: none, expired, revoked, and a gateway key.
    let a_admin = callers
        .iter()
        .find(|c| c.name == "a-admin")
        .unwrap()
        .bearer
        .clone()
        .unwrap();
    let (_, expiring) = api.call(
        Some(&a_admin),
        "POST",
        "/v1/credentials",
        Some(&json!({"name": "short", "expires": "1s"})),
    );
    let (_, revoking) = api.call(
        Some(&a_admin),
        "POST",
        "/v1/credentials",
        Some(&json!({"name": "gone"})),
    );
    api.call(
        Some(&a_admin),
        "POST",
        "/v1/credentials/gone/revoke",
        Some(&json!({})),
    );
    let gateway = api.setup("POST", "/v1/gateway-keys", json!({"name": "gw"}));
    for (name, bearer, kind) in [
        ("anonymous", None, Kind::Unauthenticated),
        (
            "expired",
            expiring["secret"].as_str().map(str::to_string),
            Kind::Unauthenticated,
        ),
        (
            "revoked",
            revoking["secret"].as_str().map(str::to_string),
            Kind::Unauthenticated,
        ),
        (
            "gateway",
            gateway["secret"].as_str().map(str::to_string),
            Kind::Gateway,
        ),
    ] {
        callers.push(Caller {
            name,
            bearer,
            kind,
            roles: BTreeMap::new(),
            global: false,
        });
    }
    std::thread::sleep(std::time::Duration::from_millis(1100)); // let "short" expire

    // Tokens to act on, created by the bootstrap admin ("tokens you created"
    // is covered by its own test).
    let admin_token = |api: &Api| -> String {
        let v = api.setup(
            "POST",
            "/v1/tokens",
            json!({"name": unique("t"), "team": "alpha", "scopes": ["*"]}),
        );
        v["id"].as_str().unwrap().to_string()
    };

    let endpoints: Vec<Endpoint> = vec![
        ep("GET", "/health", Expect::Public, fixed("/health")),
        ep(
            "GET",
            "/health/detailed",
            Expect::Public,
            fixed("/health/detailed"),
        ),
        ep(
            "GET",
            "/v1/whoami",
            Expect::Authenticated,
            fixed("/v1/whoami"),
        ),
        // tokens
        ep(
            "GET",
            "/v1/tokens",
            Expect::Authenticated,
            fixed("/v1/tokens"),
        ),
        ep(
            "POST",
            "/v1/tokens",
            Expect::Rule(Action::TokenCreate, Some("alpha")),
            |_, _| {
                (
                    "/v1/tokens".into(),
                    Some(json!({"name": unique("new"), "team": "alpha", "scopes": ["*"]})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/tokens/lookup",
            Expect::Authenticated,
            |_, _| ("/v1/tokens/lookup".into(), Some(json!({"token": "ntk_x"}))),
        ),
        ep(
            "GET",
            "/v1/tokens/{reference}",
            Expect::Rule(Action::TokenRead, Some("alpha")),
            move |api, _| (format!("/v1/tokens/{}", admin_token(api)), None),
        ),
        ep(
            "PATCH",
            "/v1/tokens/{reference}",
            Expect::Rule(Action::TokenManageAny, Some("alpha")),
            move |api, _| {
                (
                    format!("/v1/tokens/{}", admin_token(api)),
                    Some(json!({"description": "x"})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/tokens/{reference}/revoke",
            Expect::Rule(Action::TokenManageAny, Some("alpha")),
            move |api, _| {
                (
                    format!("/v1/tokens/{}/revoke", admin_token(api)),
                    Some(json!({})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/tokens/{reference}/rotate",
            Expect::Rule(Action::TokenManageAny, Some("alpha")),
            move |api, _| {
                (
                    format!("/v1/tokens/{}/rotate", admin_token(api)),
                    Some(json!({})),
                )
            },
        ),
        // routes
        ep(
            "GET",
            "/v1/routes",
            Expect::Rule(Action::RouteRead, None),
            fixed("/v1/routes"),
        ),
        ep(
            "POST",
            "/v1/routes",
            Expect::Rule(Action::RouteCreate, None),
            |_, _| {
                let name = unique("r");
                (
                    "/v1/routes".into(),
                    Some(
                        json!({"name": name, "path": format!("/{name}"), "upstream": PUBLIC, "teams": ["alpha"]}),
                    ),
                )
            },
        ),
        // A route to a private address: system admins only.
        ep(
            "POST",
            "/v1/routes",
            Expect::Rule(Action::RoutePrivateUpstream, None),
            |_, _| {
                let name = unique("r");
                (
                    "/v1/routes".into(),
                    Some(
                        json!({"name": name, "path": format!("/{name}"), "upstream": "http://127.0.0.1:9", "all_teams": true}),
                    ),
                )
            },
        ),
        // A route nested under another takes its requests: whoever may change that one.
        ep(
            "POST",
            "/v1/routes",
            Expect::Rule(Action::RouteUpdate, None),
            move |api, _| {
                let parent = public_route(api);
                (
                    "/v1/routes".into(),
                    Some(
                        json!({"name": unique("r"), "path": format!("/{parent}/chat"), "upstream": PUBLIC, "all_teams": true}),
                    ),
                )
            },
        ),
        ep(
            "GET",
            "/v1/routes/{reference}",
            Expect::Rule(Action::RouteRead, None),
            fixed("/v1/routes/base"),
        ),
        ep(
            "PATCH",
            "/v1/routes/{reference}",
            Expect::Rule(Action::RouteUpdate, None),
            move |api, _| {
                let name = public_route(api);
                (
                    format!("/v1/routes/{name}"),
                    Some(json!({"description": "x"})),
                )
            },
        ),
        // A route approved for private addresses: only those who may approve it.
        ep(
            "PATCH",
            "/v1/routes/{reference}",
            Expect::Rule(Action::RoutePrivateUpstream, None),
            |_, _| {
                (
                    "/v1/routes/base".into(),
                    Some(json!({"description": unique("d")})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/routes/{reference}/grant",
            Expect::Rule(Action::RouteUpdate, None),
            move |api, _| {
                let name = public_route(api);
                (
                    format!("/v1/routes/{name}/grant"),
                    Some(json!({"teams": ["alpha"]})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/routes/{reference}/ungrant",
            Expect::Rule(Action::RouteUpdate, None),
            move |api, _| {
                let name = public_route(api);
                (
                    format!("/v1/routes/{name}/ungrant"),
                    Some(json!({"all_teams": true})),
                )
            },
        ),
        ep(
            "DELETE",
            "/v1/routes/{reference}",
            Expect::Rule(Action::RouteDelete, None),
            move |api, _| (format!("/v1/routes/{}", public_route(api)), None),
        ),
        // secrets
        ep(
            "GET",
            "/v1/secrets",
            Expect::Rule(Action::SecretRead, None),
            fixed("/v1/secrets"),
        ),
        ep(
            "PUT",
            "/v1/secrets/{name}",
            Expect::Rule(Action::SecretCreate, None),
            |_, _| {
                (
                    format!("/v1/secrets/{}", unique("S")),
                    Some(json!({"value": "v", "hosts": ["api.example.com"]})),
                )
            },
        ),
        // A new value for an existing secret.
        ep(
            "PUT",
            "/v1/secrets/{name}",
            Expect::Rule(Action::SecretUpdate, None),
            |api, _| {
                let name = unique("S");
                api.setup("PUT", &format!("/v1/secrets/{name}"), json!({"value": "v"}));
                (format!("/v1/secrets/{name}"), Some(json!({"value": "w"})))
            },
        ),
        // Where an existing secret may be sent.
        ep(
            "PUT",
            "/v1/secrets/{name}",
            Expect::Rule(Action::SecretHostsUpdate, None),
            |api, _| {
                let name = unique("S");
                api.setup(
                    "PUT",
                    &format!("/v1/secrets/{name}"),
                    json!({"value": "v", "hosts": ["a.example.com"]}),
                );
                (
                    format!("/v1/secrets/{name}"),
                    Some(json!({"hosts": ["attacker.example"]})),
                )
            },
        ),
        ep(
            "DELETE",
            "/v1/secrets/{name}",
            Expect::Rule(Action::SecretDelete, None),
            |api, _| {
                let name = unique("S");
                api.setup("PUT", &format!("/v1/secrets/{name}"), json!({"value": "v"}));
                (format!("/v1/secrets/{name}"), None)
            },
        ),
        // audit, credentials
        ep(
            "GET",
            "/v1/audit",
            Expect::Authenticated,
            fixed("/v1/audit"),
        ),
        ep(
            "GET",
            "/v1/credentials",
            Expect::Own,
            fixed("/v1/credentials"),
        ),
        ep("POST", "/v1/credentials", Expect::Own, |_, _| {
            ("/v1/credentials".into(), Some(json!({"name": unique("c")})))
        }),
        ep(
            "POST",
            "/v1/credentials/{reference}/revoke",
            Expect::Own,
            |api, c| {
                // A fresh credential of the caller's own, so revoking it is allowed.
                let name = unique("c");
                if let Some(b) = &c.bearer {
                    api.call(
                        Some(b),
                        "POST",
                        "/v1/credentials",
                        Some(&json!({"name": name})),
                    );
                }
                (format!("/v1/credentials/{name}/revoke"), Some(json!({})))
            },
        ),
        // gateways
        ep(
            "GET",
            "/v1/gateway-keys",
            Expect::Rule(Action::GatewayKeyManage, None),
            fixed("/v1/gateway-keys"),
        ),
        ep(
            "POST",
            "/v1/gateway-keys",
            Expect::Rule(Action::GatewayKeyManage, None),
            |_, _| {
                (
                    "/v1/gateway-keys".into(),
                    Some(json!({"name": unique("g")})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/gateway-keys/{reference}/revoke",
            Expect::Rule(Action::GatewayKeyManage, None),
            |api, _| {
                let name = unique("g");
                api.setup("POST", "/v1/gateway-keys", json!({"name": name}));
                (format!("/v1/gateway-keys/{name}/revoke"), Some(json!({})))
            },
        ),
        ep(
            "GET",
            "/v1/sync/status",
            Expect::Rule(Action::SyncManage, None),
            fixed("/v1/sync/status"),
        ),
        ep(
            "POST",
            "/v1/sync/push",
            Expect::Rule(Action::SyncManage, None),
            |_, _| ("/v1/sync/push?full=true".into(), Some(json!({}))),
        ),
        ep(
            "GET",
            "/v1/sync/export",
            Expect::Rule(Action::SyncManage, None),
            fixed("/v1/sync/export"),
        ),
        ep(
            "GET",
            "/v1/gateway/config",
            Expect::GatewayOnly,
            fixed("/v1/gateway/config"),
        ),
        ep("POST", "/v1/usage/events", Expect::GatewayOnly, |_, _| {
            ("/v1/usage/events".into(), Some(json!([])))
        }),
        // teams
        ep(
            "GET",
            "/v1/teams",
            Expect::Authenticated,
            fixed("/v1/teams"),
        ),
        ep(
            "POST",
            "/v1/teams",
            Expect::Rule(Action::TeamCreate, None),
            |_, _| ("/v1/teams".into(), Some(json!({"name": unique("team")}))),
        ),
        ep(
            "GET",
            "/v1/teams/{team}",
            Expect::Rule(Action::TeamRead, Some("alpha")),
            fixed("/v1/teams/alpha"),
        ),
        ep(
            "PATCH",
            "/v1/teams/{team}",
            Expect::Rule(Action::TeamUpdate, Some("alpha")),
            |_, _| {
                (
                    "/v1/teams/alpha".into(),
                    Some(json!({"description": unique("d")})),
                )
            },
        ),
        ep(
            "DELETE",
            "/v1/teams/{team}",
            Expect::Rule(Action::TeamDelete, Some("alpha")),
            |_, _| {
                // alpha has live tokens by now, so whoever passes the permission
                // check gets 409 (team has tokens) and the fixture stays intact.
                ("/v1/teams/alpha".into(), None)
            },
        ),
        ep(
            "PUT",
            "/v1/teams/{team}/members/{user}",
            Expect::Rule(Action::MemberManage, Some("alpha")),
            |api, _| {
                let name = unique("m");
                api.setup("POST", "/v1/users", json!({"name": name}));
                (
                    format!("/v1/teams/alpha/members/{name}"),
                    Some(json!({"role": "viewer"})),
                )
            },
        ),
        ep(
            "DELETE",
            "/v1/teams/{team}/members/{user}",
            Expect::Rule(Action::MemberManage, Some("alpha")),
            |api, _| {
                let name = unique("m");
                api.setup(
                    "POST",
                    "/v1/users",
                    json!({"name": name, "roles": ["alpha:developer"]}),
                );
                (format!("/v1/teams/alpha/members/{name}"), None)
            },
        ),
        // users and invitations
        ep(
            "GET",
            "/v1/users",
            Expect::Authenticated,
            fixed("/v1/users"),
        ),
        ep(
            "POST",
            "/v1/users",
            Expect::Rule(Action::UserCreate, None),
            |_, _| ("/v1/users".into(), Some(json!({"name": unique("u")}))),
        ),
        ep(
            "GET",
            "/v1/users/{user}",
            Expect::Rule(Action::TeamRead, Some("alpha")),
            fixed("/v1/users/a-viewer"),
        ),
        ep(
            "PATCH",
            "/v1/users/{user}",
            Expect::Rule(Action::UserManage, None),
            |api, _| {
                let name = unique("u");
                api.setup(
                    "POST",
                    "/v1/users",
                    json!({"name": name, "roles": ["alpha:viewer"]}),
                );
                (
                    format!("/v1/users/{name}"),
                    Some(json!({"email": "x@example.com"})),
                )
            },
        ),
        ep(
            "POST",
            "/v1/users/{user}/disable",
            Expect::Rule(Action::UserManage, None),
            |api, _| {
                let name = unique("u");
                api.setup(
                    "POST",
                    "/v1/users",
                    json!({"name": name, "roles": ["alpha:viewer"]}),
                );
                (format!("/v1/users/{name}/disable"), Some(json!({})))
            },
        ),
        ep(
            "POST",
            "/v1/users/{user}/enable",
            Expect::Rule(Action::UserManage, None),
            |api, _| {
                let name = unique("u");
                api.setup(
                    "POST",
                    "/v1/users",
                    json!({"name": name, "roles": ["alpha:viewer"]}),
                );
                (format!("/v1/users/{name}/enable"), Some(json!({})))
            },
        ),
        ep(
            "GET",
            "/v1/invitations",
            Expect::Own,
            fixed("/v1/invitations"),
        ),
        ep(
            "POST",
            "/v1/invitations",
            Expect::Rule(Action::MemberManage, Some("alpha")),
            |_, _| {
                (
                    "/v1/invitations".into(),
                    Some(
                        json!({"email": format!("{}@example.com", unique("i")), "roles": ["alpha:viewer"]}),
                    ),
                )
            },
        ),
        ep(
            "DELETE",
            "/v1/invitations/{id}",
            Expect::Rule(Action::MemberManage, Some("alpha")),
            |api, c| {
                // An invitation of the caller's own when they may invite, else the admin's.
                let body = json!({"email": format!("{}@example.com", unique("i")), "roles": ["alpha:viewer"]});
                let mine = c
                    .bearer
                    .as_deref()
                    .map(|b| api.call(Some(b), "POST", "/v1/invitations", Some(&body)));
                let id = match mine {
                    Some((201, v)) => v["id"].as_str().unwrap().to_string(),
                    _ => api.setup("POST", "/v1/invitations", body)["id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                };
                (format!("/v1/invitations/{id}"), None)
            },
        ),
        // usage reports (scoped to readable teams)
        ep(
            "GET",
            "/v1/overview",
            Expect::Authenticated,
            fixed("/v1/overview"),
        ),
        ep(
            "GET",
            "/v1/usage",
            Expect::Authenticated,
            fixed("/v1/usage"),
        ),
        ep(
            "GET",
            "/v1/usage/recent",
            Expect::Authenticated,
            fixed("/v1/usage/recent"),
        ),
        ep(
            "GET",
            "/v1/usage/tokens",
            Expect::Authenticated,
            fixed("/v1/usage/tokens"),
        ),
        ep(
            "GET",
            "/v1/usage/tokens/{reference}",
            Expect::Rule(Action::TokenRead, Some("alpha")),
            move |api, _| (format!("/v1/usage/tokens/{}", admin_token(api)), None),
        ),
        ep(
            "GET",
            "/v1/usage/routes",
            Expect::Rule(Action::RouteRead, None),
            fixed("/v1/usage/routes"),
        ),
        ep(
            "GET",
            "/v1/usage/routes/{reference}",
            Expect::Rule(Action::RouteRead, None),
            fixed("/v1/usage/routes/base"),
        ),
        ep("POST", "/v1/enrol", Expect::Public, |_, _| {
            ("/v1/enrol".into(), Some(json!({"code": "tke_nope"})))
        }),
    ];

    // Completeness: every documented endpoint is in the table above.
    let (_, doc) = api.call(None, "GET", "/v1/openapi.json", None);
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let m = method.to_uppercase();
            if !endpoints.iter().any(|e| e.method == m && e.path == path) {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "endpoints missing from the permission test table: {missing:?}"
    );

    let mut mismatches = Vec::new();
    let mut checked = 0;
    for e in &endpoints {
        for c in &callers {
            let (path, body) = (e.build)(&api, c);
            let (status, reply) = api.call(c.bearer.as_deref(), e.method, &path, body.as_ref());
            let got = Outcome::of(status);
            let want = match (&e.expect, e.path) {
                // Special cases the table cannot express, stated here:
                // `enrol` with a bad code is 401 for everyone: the code is the credential.
                (Expect::Public, "/v1/enrol") => Outcome::Unauthenticated,
                _ => expected(&e.expect, c),
            };
            checked += 1;
            if got != want {
                mismatches.push(format!(
                    "{} {path} as {}: expected {want:?}, got {status} {reply}",
                    e.method, c.name
                ));
            }
            if e.path == "/v1/teams/{team}" && e.method == "DELETE" && status == 200 {
                panic!("the fixture team was deleted by {}", c.name);
            }
        }
    }
    eprintln!(
        "permission matrix: {} endpoints x {} callers = {checked} calls",
        endpoints.len(),
        callers.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
