//! Routes: read by every team member; added by system developers, changed
//! and granted by system managers, removed by system admins; shadowing other
//! routes needs the right to change them, private upstreams a system admin,
//! and cloud metadata upstreams are refused.

use super::rows::*;
use super::{unique, Request, Row};
use serde_json::{json, Value};

fn create(body: Value) -> Request {
    Request::new("/v1/routes", Some(body))
}

/// A new route at a fresh path to `upstream`, granted to alpha.
fn fresh(upstream: &str) -> Value {
    let name = unique("r");
    json!({"name": name, "path": format!("/{name}"), "upstream": upstream, "teams": ["alpha"]})
}

pub(super) fn rows() -> Vec<Row> {
    vec![
        row(
            "list routes",
            "GET",
            "/v1/routes",
            users(TEAM_MEMBERS, Forbidden),
            200,
            fixed("/v1/routes"),
        ),
        row(
            "show a route",
            "GET",
            "/v1/routes/{reference}",
            users(TEAM_MEMBERS, Forbidden),
            200,
            fixed("/v1/routes/base"),
        ),
        row(
            "route usage",
            "GET",
            "/v1/usage/routes",
            users(TEAM_MEMBERS, Forbidden),
            200,
            fixed("/v1/usage/routes"),
        ),
        row(
            "one route's usage",
            "GET",
            "/v1/usage/routes/{reference}",
            users(TEAM_MEMBERS, Forbidden),
            200,
            fixed("/v1/usage/routes/base"),
        ),
        // Adding routes.
        row(
            "add a route to a public upstream, no upstream auth, shadowing nothing",
            "POST",
            "/v1/routes",
            users(SYS_DEVELOPERS, Forbidden),
            201,
            move |_, _| create(fresh(PUBLIC)),
        ),
        row(
            "add a route that uses a secret bound to its host",
            "POST",
            "/v1/routes",
            users(SYS_MANAGERS, Forbidden),
            201,
            move |_, _| {
                let mut body = fresh(PUBLIC);
                body["auth"] = json!("bearer:SHARED");
                create(body)
            },
        ),
        row(
            "add a route that uses a secret not bound to its host",
            "POST",
            "/v1/routes",
            users(SYS_MANAGERS, Forbidden),
            422,
            move |api, _| {
                let mut body = fresh(PUBLIC);
                body["auth"] = json!(format!("bearer:{}", secret(api, &["api.example.com"])));
                create(body)
            },
        ),
        row(
            "add a route nested under someone else's route",
            "POST",
            "/v1/routes",
            users(SYS_MANAGERS, Forbidden),
            201,
            |api, _| {
                let parent = public_route(api, all_teams());
                create(
                    json!({"name": unique("r"), "path": format!("/{parent}/chat"), "upstream": PUBLIC, "all_teams": true}),
                )
            },
        ),
        row(
            "add a route that is a prefix of other routes",
            "POST",
            "/v1/routes",
            users(SYS_MANAGERS, Forbidden),
            201,
            |api, _| {
                let prefix = unique("p");
                let below = unique("r");
                api.setup("POST", "/v1/routes", json!({"name": below, "path": format!("/{prefix}/deep"), "upstream": PUBLIC, "all_teams": true}));
                create(
                    json!({"name": unique("r"), "path": format!("/{prefix}"), "upstream": PUBLIC, "all_teams": true}),
                )
            },
        ),
        row(
            "add a route nested under a route to a private address",
            "POST",
            "/v1/routes",
            users(SYS_ADMINS, Forbidden),
            201,
            |api, _| {
                let parent = private_route(api);
                create(
                    json!({"name": unique("r"), "path": format!("/{parent}/x"), "upstream": PUBLIC, "all_teams": true}),
                )
            },
        ),
        row(
            "add `/`, which shadows every route, private ones included",
            "POST",
            "/v1/routes",
            users(SYS_ADMINS, Forbidden),
            201,
            |_, _| {
                let name = unique("root");
                Request {
                    cleanup: Some(format!("/v1/routes/{name}")),
                    ..create(
                        json!({"name": name, "path": "/", "upstream": PUBLIC, "all_teams": true}),
                    )
                }
            },
        ),
        row(
            "add a route to a loopback address",
            "POST",
            "/v1/routes",
            users(SYS_ADMINS, Forbidden),
            201,
            move |_, _| create(fresh("http://127.0.0.1:9")),
        ),
        row(
            "add a route to a private address",
            "POST",
            "/v1/routes",
            users(SYS_ADMINS, Forbidden),
            201,
            move |_, _| create(fresh("http://10.1.2.3:8080")),
        ),
        row(
            "add a route approved for private addresses",
            "POST",
            "/v1/routes",
            users(SYS_ADMINS, Forbidden),
            201,
            move |_, _| {
                let mut body = fresh(PUBLIC);
                body["private_upstream"] = json!(true);
                create(body)
            },
        ),
        row(
            "add a route to the cloud metadata service: refused for everyone",
            "POST",
            "/v1/routes",
            users(SYS_DEVELOPERS, Forbidden),
            422,
            move |_, _| create(fresh("http://169.254.169.254/latest")),
        ),
        // Changing routes.
        row(
            "change a route",
            "PATCH",
            "/v1/routes/{reference}",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}", public_route(api, all_teams())),
                    Some(json!({"description": "x"})),
                )
            },
        ),
        row(
            "make a route use a secret bound to its host",
            "PATCH",
            "/v1/routes/{reference}",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}", public_route(api, all_teams())),
                    Some(json!({"auth": "bearer:SHARED"})),
                )
            },
        ),
        row(
            "move a route under someone else's route",
            "PATCH",
            "/v1/routes/{reference}",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                let parent = public_route(api, all_teams());
                let name = public_route(api, all_teams());
                Request::new(
                    format!("/v1/routes/{name}"),
                    Some(json!({"path": format!("/{parent}/moved")})),
                )
            },
        ),
        row(
            "point a route at a private address",
            "PATCH",
            "/v1/routes/{reference}",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}", public_route(api, all_teams())),
                    Some(json!({"upstream": "http://192.168.1.10"})),
                )
            },
        ),
        row(
            "point a route at the cloud metadata service: refused for everyone",
            "PATCH",
            "/v1/routes/{reference}",
            users(SYS_MANAGERS, Forbidden),
            422,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}", public_route(api, all_teams())),
                    Some(json!({"upstream": "http://169.254.169.254"})),
                )
            },
        ),
        row(
            "change a route approved for private addresses",
            "PATCH",
            "/v1/routes/{reference}",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}", private_route(api)),
                    Some(json!({"description": "x"})),
                )
            },
        ),
        // Grants.
        row(
            "grant a route to a team",
            "POST",
            "/v1/routes/{reference}/grant",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!(
                        "/v1/routes/{}/grant",
                        public_route(api, json!({"teams": ["beta"]}))
                    ),
                    Some(json!({"teams": ["alpha"]})),
                )
            },
        ),
        row(
            "grant a route to every team",
            "POST",
            "/v1/routes/{reference}/grant",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!(
                        "/v1/routes/{}/grant",
                        public_route(api, json!({"teams": ["beta"]}))
                    ),
                    Some(all_teams()),
                )
            },
        ),
        row(
            "withdraw a route from a team",
            "POST",
            "/v1/routes/{reference}/ungrant",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!(
                        "/v1/routes/{}/ungrant",
                        public_route(api, json!({"teams": ["alpha", "beta"]}))
                    ),
                    Some(json!({"teams": ["alpha"]})),
                )
            },
        ),
        row(
            "stop granting a route to every team",
            "POST",
            "/v1/routes/{reference}/ungrant",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}/ungrant", public_route(api, all_teams())),
                    Some(all_teams()),
                )
            },
        ),
        row(
            "grant a route approved for private addresses",
            "POST",
            "/v1/routes/{reference}/grant",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}/grant", private_route(api)),
                    Some(json!({"teams": ["alpha"]})),
                )
            },
        ),
        row(
            "remove a route",
            "DELETE",
            "/v1/routes/{reference}",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/routes/{}", public_route(api, all_teams())),
                    None,
                )
            },
        ),
    ]
}
