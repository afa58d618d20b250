//! The expectation table: who may do what, written from the role model
//! (`viewer` < `developer` < `manager` < `admin` per team; the `system`
//! team owns routes, secrets, gateway keys and the KV sync; global admins
//! may do everything; credentials are personal; objects of teams you
//! cannot see answer 404) and from the least-privilege issue: route
//! grants, routes that shadow others, private upstreams and secret hosts.

use super::{unique, Access, Api, Caller, Refusal, Request, Row, Who};
use serde_json::{json, Value};

/// A public upstream (a documentation address: public, never resolved).
pub(super) const PUBLIC: &str = "http://203.0.113.9";
pub(super) const PUBLIC_HOST: &str = "203.0.113.9";

pub(super) const EVERY_USER: &[Who] = &[
    Global,
    SysAdmin,
    SysManager,
    SysDeveloper,
    SysViewer,
    AlphaAdmin,
    AlphaManager,
    AlphaDeveloper,
    AlphaViewer,
    BetaAdmin,
    NoTeam,
];
/// Anyone with a role in some team (route names are everyone's business:
/// they pick scopes with them).
pub(super) const TEAM_MEMBERS: &[Who] = &[
    Global,
    SysAdmin,
    SysManager,
    SysDeveloper,
    SysViewer,
    AlphaAdmin,
    AlphaManager,
    AlphaDeveloper,
    AlphaViewer,
    BetaAdmin,
];
pub(super) const GLOBAL: &[Who] = &[Global];
pub(super) const NOBODY: &[Who] = &[];
pub(super) const SYS_VIEWERS: &[Who] = &[Global, SysAdmin, SysManager, SysDeveloper, SysViewer];
pub(super) const SYS_DEVELOPERS: &[Who] = &[Global, SysAdmin, SysManager, SysDeveloper];
pub(super) const SYS_MANAGERS: &[Who] = &[Global, SysAdmin, SysManager];
pub(super) const SYS_ADMINS: &[Who] = &[Global, SysAdmin];
pub(super) const ALPHA_VIEWERS: &[Who] = &[
    Global,
    AlphaAdmin,
    AlphaManager,
    AlphaDeveloper,
    AlphaViewer,
];
pub(super) const ALPHA_DEVELOPERS: &[Who] = &[Global, AlphaAdmin, AlphaManager, AlphaDeveloper];
pub(super) const ALPHA_MANAGERS: &[Who] = &[Global, AlphaAdmin, AlphaManager];
pub(super) const ALPHA_ADMINS: &[Who] = &[Global, AlphaAdmin];

pub(super) use super::Refusal::{Forbidden, Hidden, HiddenOutsideAlpha};
pub(super) use super::Who::*;

/// What the rows act on besides what each builds fresh.
pub(super) struct Fixture {
    /// A token of alpha, created by the bootstrap admin: id and secret.
    pub(super) alpha_token: (String, String),
    /// A credential of the bootstrap admin's: personal, so nobody else
    /// may revoke it.
    pub(super) admins_credential: String,
    /// A viewer of alpha.
    pub(super) alpha_member: String,
    /// A route granted to beta only.
    pub(super) beta_route: String,
}

impl Fixture {
    pub fn create(api: &Api) -> Fixture {
        for team in ["alpha", "beta"] {
            api.setup("POST", "/v1/teams", json!({"name": team}));
        }
        api.setup(
            "PUT",
            "/v1/secrets/SHARED",
            json!({"value": "s3cret", "hosts": [PUBLIC_HOST]}),
        );
        // A route that may reach private addresses.
        api.setup(
            "POST",
            "/v1/routes",
            json!({"name": "base", "path": "/base", "upstream": "http://127.0.0.1:9", "all_teams": true}),
        );
        let beta_route = public_route(api, json!({"teams": ["beta"]}));
        let token = api.setup(
            "POST",
            "/v1/tokens",
            json!({"name": "alpha-token", "team": "alpha", "scopes": ["*"]}),
        );
        let credential = api.setup("POST", "/v1/credentials", json!({"name": "admins-own"}));
        api.setup(
            "POST",
            "/v1/users",
            json!({"name": "a-member", "roles": ["alpha:viewer"]}),
        );
        Fixture {
            alpha_token: (
                token["id"].as_str().unwrap().to_string(),
                token["token"].as_str().unwrap().to_string(),
            ),
            admins_credential: credential["id"].as_str().unwrap().to_string(),
            alpha_member: "a-member".into(),
            beta_route,
        }
    }
}

/// A route to the public upstream at `/NAME`, created by the bootstrap
/// admin; `grants` is `{"teams": [...]}` or `{"all_teams": true}`.
pub(super) fn public_route(api: &Api, grants: Value) -> String {
    let name = unique("r");
    let mut body = json!({"name": name, "path": format!("/{name}"), "upstream": PUBLIC});
    body.as_object_mut()
        .unwrap()
        .extend(grants.as_object().unwrap().clone());
    api.setup("POST", "/v1/routes", body);
    name
}

pub(super) fn all_teams() -> Value {
    json!({"all_teams": true})
}

/// A route approved for private addresses (a loopback upstream).
pub(super) fn private_route(api: &Api) -> String {
    let name = unique("r");
    api.setup(
        "POST",
        "/v1/routes",
        json!({"name": name, "path": format!("/{name}"), "upstream": "http://127.0.0.1:9", "teams": ["beta"]}),
    );
    name
}

/// A secret bound to `hosts`, created by the bootstrap admin.
pub(super) fn secret(api: &Api, hosts: &[&str]) -> String {
    let name = unique("S");
    api.setup(
        "PUT",
        &format!("/v1/secrets/{name}"),
        json!({"value": "v", "hosts": hosts}),
    );
    name
}

/// A token of alpha created by the bootstrap admin (so "any token of the
/// team", not the caller's own).
pub(super) fn admins_token(api: &Api) -> String {
    let v = api.setup(
        "POST",
        "/v1/tokens",
        json!({"name": unique("t"), "team": "alpha", "scopes": ["*"]}),
    );
    v["id"].as_str().unwrap().to_string()
}

/// A token of alpha the caller created, when they may create one; the
/// bootstrap admin's otherwise.
pub(super) fn own_token(api: &Api, c: &Caller) -> String {
    let body = json!({"name": unique("t"), "team": "alpha", "scopes": ["*"]});
    match c
        .bearer
        .as_deref()
        .map(|b| api.call(Some(b), "POST", "/v1/tokens", Some(&body)))
    {
        Some((201, v)) => v["id"].as_str().unwrap().to_string(),
        _ => api.setup("POST", "/v1/tokens", body)["id"]
            .as_str()
            .unwrap()
            .to_string(),
    }
}

/// A fresh user with `roles`.
pub(super) fn fresh_user(api: &Api, roles: &[&str]) -> String {
    let name = unique("u");
    api.setup("POST", "/v1/users", json!({"name": name, "roles": roles}));
    name
}

pub(super) fn invitation_body(role: &str) -> Value {
    json!({"email": format!("{}@example.com", unique("i")), "roles": [role]})
}

pub(super) fn row(
    case: &'static str,
    method: &'static str,
    path: &'static str,
    access: Access,
    status: u16,
    build: impl Fn(&Api, &Caller) -> Request + 'static,
) -> Row {
    Row {
        case,
        method,
        path,
        access,
        status,
        build: Box::new(build),
    }
}

/// A request to a fixed path without a body.
pub(super) fn fixed(path: &'static str) -> impl Fn(&Api, &Caller) -> Request {
    move |_, _| Request::new(path, None)
}

/// A request to a fixed path with a fixed body.
pub(super) fn with(path: &'static str, body: Value) -> impl Fn(&Api, &Caller) -> Request {
    move |_, _| Request::new(path, Some(body.clone()))
}

pub(super) fn users(who: &'static [Who], refusal: Refusal) -> Access {
    Access::Users(who, refusal)
}

pub fn rows(fx: &Fixture) -> Vec<Row> {
    let mut rows = vec![
        row(
            "liveness",
            "GET",
            "/health",
            Access::Public,
            200,
            fixed("/health"),
        ),
        row(
            "readiness with checks",
            "GET",
            "/health/detailed",
            Access::Public,
            200,
            fixed("/health/detailed"),
        ),
        row(
            "an unknown enrolment code is no credential",
            "POST",
            "/v1/enrol",
            Access::Public,
            401,
            with("/v1/enrol", json!({"code": "tke_nope"})),
        ),
        row(
            "who am I",
            "GET",
            "/v1/whoami",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/whoami"),
        ),
        // Gateways: the config feed and usage ingest, for gateway keys only.
        row(
            "config feed",
            "GET",
            "/v1/gateway/config",
            Access::GatewayKeys,
            200,
            fixed("/v1/gateway/config"),
        ),
        row(
            "usage ingest",
            "POST",
            "/v1/usage/events",
            Access::GatewayKeys,
            200,
            with("/v1/usage/events", json!([])),
        ),
    ];
    rows.extend(super::tokens::rows(fx));
    rows.extend(super::routes::rows());
    rows.extend(super::secrets::rows());
    rows.extend(super::teams::rows());
    rows.extend(super::users::rows(fx));
    rows.extend(super::system::rows());
    rows.extend(super::webhooks::rows());
    rows
}
