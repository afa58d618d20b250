//! The API contract: a request the server cannot serve because a feature
//! is not configured on it is a 409 naming the feature, never a 5xx, and
//! the served OpenAPI document declares that answer.

use crate::common::{runtime, Backend, TestServer};
use serde_json::Value;

/// Sends `method path` with the admin credential and a JSON body; returns
/// the status and the decoded body.
fn call(srv: &TestServer, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    runtime().block_on(async {
        let client = reqwest::Client::new();
        let mut request = client
            .request(method.parse().unwrap(), format!("{}{path}", srv.url))
            .bearer_auth(&srv.admin);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    })
}

/// The responses the served OpenAPI document declares for `method` on the
/// templated `path`.
fn declared(srv: &TestServer, method: &str, path: &str) -> Value {
    let (status, doc) = call(srv, "GET", "/v1/openapi.json", None);
    assert_eq!(status, 200);
    doc["paths"][path][method]["responses"].clone()
}

fn kv_sync_push_without_kv_sync_is_409(backend: Backend) {
    let Some(srv) = TestServer::start(backend) else {
        return;
    };
    for path in ["/v1/sync/push", "/v1/sync/push?full=true"] {
        let (status, body) = call(&srv, "POST", path, None);
        assert_eq!(status, 409, "{path}: {body}");
        assert_eq!(body["error"]["code"], "kv_sync_disabled", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("CF_ACCOUNT_ID"),
            "says what to configure: {body}"
        );
    }
    let responses = declared(&srv, "post", "/v1/sync/push");
    assert!(responses.get("409").is_some(), "{responses}");
}

fn secrets_without_a_master_key_are_409(backend: Backend) {
    // An empty TOKENCTL_MASTER_KEY: the server runs without one.
    let Some(srv) = TestServer::start_with_env(backend, &[("TOKENCTL_MASTER_KEY", "")]) else {
        return;
    };
    let body = serde_json::json!({"value": "sk-live", "hosts": ["api.example.com"]});
    let (status, answer) = call(&srv, "PUT", "/v1/secrets/UPSTREAM_KEY", Some(body));
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["code"], "master_key_missing", "{answer}");
    let responses = declared(&srv, "put", "/v1/secrets/{name}");
    assert!(responses.get("409").is_some(), "{responses}");
    // The CLI still calls it a failure of the server's setup (exit 1),
    // not a conflict with stored state.
    let set = srv.cli().run_with_stdin(
        &["secret", "set", "UPSTREAM_KEY", "--host", "api.example.com"],
        "sk-live\n",
    );
    assert!(set.fails(1).contains("master key"), "{}", set.stderr);
}

/// A request and what it is answered: method, path, the path's template in
/// the document, body, status and error code.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<Value>,
    u16,
    &'static str,
);

/// Answers the fuzzer found undeclared (schemathesis' "undocumented status
/// code"): each is declared now, with the error body.
fn found_by_the_fuzzer_are_declared(backend: Backend) {
    let Some(srv) = TestServer::start(backend) else {
        return;
    };
    let json = |v: &str| Some(serde_json::from_str::<Value>(v).unwrap());
    for team in ["alpha", "beta"] {
        let (status, body) = call(
            &srv,
            "POST",
            "/v1/teams",
            json(&format!(r#"{{"name":"{team}"}}"#)),
        );
        assert_eq!(status, 201, "{body}");
        let token = format!(r#"{{"name":"dup","team":"{team}","scopes":["*"]}}"#);
        let (status, body) = call(&srv, "POST", "/v1/tokens", json(&token));
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = call(&srv, "POST", "/v1/users", json(r#"{"name":"dora"}"#));
    assert_eq!(status, 201, "{body}");
    let cases: [Case; 10] = [
        (
            "POST",
            "/v1/tokens",
            "/v1/tokens",
            json(r#"{"name":"t","team":"nope","scopes":["*"]}"#),
            404,
            "not_found",
        ),
        (
            "POST",
            "/v1/teams",
            "/v1/teams",
            json(r#"{"name":"gamma","admin":"nobody"}"#),
            404,
            "not_found",
        ),
        (
            "POST",
            "/v1/users",
            "/v1/users",
            json(r#"{"name":"erin","roles":["nope:viewer"]}"#),
            404,
            "not_found",
        ),
        (
            "POST",
            "/v1/invitations",
            "/v1/invitations",
            json(r#"{"email":"fay@example.com","roles":["nope:viewer"]}"#),
            404,
            "not_found",
        ),
        (
            "PATCH",
            "/v1/users/dora",
            "/v1/users/{user}",
            json(r#"{"email":"not an address"}"#),
            422,
            "invalid_input",
        ),
        (
            "GET",
            "/v1/usage?team=nope",
            "/v1/usage",
            None,
            404,
            "not_found",
        ),
        (
            "GET",
            "/v1/usage/tokens?team=nope",
            "/v1/usage/tokens",
            None,
            404,
            "not_found",
        ),
        (
            "GET",
            "/v1/usage/routes?team=nope",
            "/v1/usage/routes",
            None,
            404,
            "not_found",
        ),
        (
            "POST",
            "/v1/tokens/dup/revoke",
            "/v1/tokens/{reference}/revoke",
            None,
            422,
            "ambiguous_reference",
        ),
        (
            "GET",
            "/v1/usage/recent?token=dup",
            "/v1/usage/recent",
            None,
            422,
            "ambiguous_reference",
        ),
    ];
    for (method, path, template, body, want, code) in cases {
        let (status, answer) = call(&srv, method, path, body);
        assert_eq!(status, want, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{method} {path}: {answer}");
        let responses = declared(&srv, &method.to_lowercase(), template);
        assert!(
            responses.get(want.to_string()).is_some(),
            "{method} {template} does not declare {want}: {responses}"
        );
    }
}

macro_rules! on_both {
    ($($name:ident),*) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Postgres) } )*
        }
    };
}

on_both!(
    kv_sync_push_without_kv_sync_is_409,
    secrets_without_a_master_key_are_409,
    found_by_the_fuzzer_are_declared
);
