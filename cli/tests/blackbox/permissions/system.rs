//! Scoped reads (audit, usage, search) and what only system admins do:
//! gateway keys and the KV sync.

use super::rows::*;
use super::{unique, Request, Row};
use serde_json::json;

pub(super) fn rows() -> Vec<Row> {
    vec![
        row(
            "read the audit log (scoped)",
            "GET",
            "/v1/audit",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/audit"),
        ),
        row(
            "read alpha's audit",
            "GET",
            "/v1/audit",
            users(ALPHA_VIEWERS, Hidden),
            200,
            fixed("/v1/audit?team=alpha"),
        ),
        row(
            "overview (scoped)",
            "GET",
            "/v1/overview",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/overview"),
        ),
        // Search is everyone's; what it finds is scoped (tested elsewhere).
        row(
            "search (scoped)",
            "GET",
            "/v1/search",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/search?q=alpha"),
        ),
        row(
            "search for nothing",
            "GET",
            "/v1/search",
            users(EVERY_USER, Forbidden),
            422,
            fixed("/v1/search?q="),
        ),
        row(
            "usage (scoped)",
            "GET",
            "/v1/usage",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/usage"),
        ),
        row(
            "recent usage (scoped)",
            "GET",
            "/v1/usage/recent",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/usage/recent"),
        ),
        row(
            "usage by token (scoped)",
            "GET",
            "/v1/usage/tokens",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/usage/tokens"),
        ),
        // Prices: global admins set them, every signed-in user reads them.
        row(
            "set a model price",
            "POST",
            "/v1/prices",
            users(GLOBAL, Forbidden),
            201,
            |_, _| {
                Request::new(
                    "/v1/prices",
                    Some(
                        json!({"model": unique("m"), "input_usd_per_1m": "2.50", "output_usd_per_1m": "10"}),
                    ),
                )
            },
        ),
        row(
            "list model prices",
            "GET",
            "/v1/prices",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/prices"),
        ),
        row(
            "a model's price history",
            "GET",
            "/v1/prices/history",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/prices/history?model=gpt-4o"),
        ),
        row(
            "list gateway keys",
            "GET",
            "/v1/gateway-keys",
            users(SYS_ADMINS, Forbidden),
            200,
            fixed("/v1/gateway-keys"),
        ),
        row(
            "issue a gateway key",
            "POST",
            "/v1/gateway-keys",
            users(SYS_ADMINS, Forbidden),
            201,
            |_, _| Request::new("/v1/gateway-keys", Some(json!({"name": unique("g")}))),
        ),
        row(
            "revoke a gateway key",
            "POST",
            "/v1/gateway-keys/{reference}/revoke",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                let name = unique("g");
                api.setup("POST", "/v1/gateway-keys", json!({"name": name}));
                Request::new(format!("/v1/gateway-keys/{name}/revoke"), Some(json!({})))
            },
        ),
        row(
            "KV sync status",
            "GET",
            "/v1/sync/status",
            users(SYS_ADMINS, Forbidden),
            200,
            fixed("/v1/sync/status"),
        ),
        row(
            "push to KV",
            "POST",
            "/v1/sync/push",
            users(SYS_ADMINS, Forbidden),
            200,
            with("/v1/sync/push?full=true", json!({})),
        ),
        row(
            "export what KV should hold",
            "GET",
            "/v1/sync/export",
            users(SYS_ADMINS, Forbidden),
            200,
            fixed("/v1/sync/export"),
        ),
    ]
}
