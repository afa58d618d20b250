//! Webhooks: global admins only, whatever the caller's roles in teams.

use super::rows::*;
use super::{Api, Request, Row};
use serde_json::json;

/// A webhook to a public receiver, added by the bootstrap admin; its id.
fn webhook(api: &Api) -> String {
    let created = api.setup(
        "POST",
        "/v1/webhooks",
        json!({"url": format!("{PUBLIC}/hook"), "events": ["token.expiring"]}),
    );
    created["id"].as_str().unwrap().to_string()
}

/// A request on a fresh webhook, which is removed afterwards.
fn on_webhook(
    api: &Api,
    path: impl Fn(&str) -> String,
    body: Option<serde_json::Value>,
) -> Request {
    let id = webhook(api);
    Request {
        cleanup: Some(format!("/v1/webhooks/{id}")),
        ..Request::new(path(&id), body)
    }
}

pub(super) fn rows() -> Vec<Row> {
    vec![
        row(
            "list webhooks",
            "GET",
            "/v1/webhooks",
            users(GLOBAL, Forbidden),
            200,
            fixed("/v1/webhooks"),
        ),
        row(
            "add a webhook",
            "POST",
            "/v1/webhooks",
            users(GLOBAL, Forbidden),
            201,
            with(
                "/v1/webhooks",
                json!({"url": "https://203.0.113.9/added", "events": ["kvsync.failing"]}),
            ),
        ),
        row(
            "remove a webhook",
            "DELETE",
            "/v1/webhooks/{id}",
            users(GLOBAL, Forbidden),
            200,
            |api, _| on_webhook(api, |id| format!("/v1/webhooks/{id}"), None),
        ),
        row(
            "test a webhook",
            "POST",
            "/v1/webhooks/{id}/test",
            users(GLOBAL, Forbidden),
            202,
            |api, _| on_webhook(api, |id| format!("/v1/webhooks/{id}/test"), Some(json!({}))),
        ),
        row(
            "a webhook's deliveries",
            "GET",
            "/v1/webhooks/{id}/deliveries",
            users(GLOBAL, Forbidden),
            200,
            |api, _| on_webhook(api, |id| format!("/v1/webhooks/{id}/deliveries"), None),
        ),
    ]
}
