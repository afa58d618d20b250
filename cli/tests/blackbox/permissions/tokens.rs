//! Tokens: read by the team's viewers, made by its developers, changed by
//! their creators and the team's managers; lookups and usage are scoped alike.

use super::rows::*;
use super::{unique, Request, Row};
use serde_json::json;

pub(super) fn rows(fx: &Fixture) -> Vec<Row> {
    let (token_id, token_secret) = fx.alpha_token.clone();
    let beta_route = fx.beta_route.clone();
    vec![
        // Lists are scoped, never refused.
        row(
            "list tokens",
            "GET",
            "/v1/tokens",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/tokens"),
        ),
        row(
            "create a token in alpha",
            "POST",
            "/v1/tokens",
            users(ALPHA_DEVELOPERS, HiddenOutsideAlpha),
            201,
            |_, _| {
                Request::new(
                    "/v1/tokens",
                    Some(json!({"name": unique("t"), "team": "alpha", "scopes": ["*"]})),
                )
            },
        ),
        // Route grants: a scope may name only routes granted to the team.
        row(
            "a token scoped to a route not granted to alpha",
            "POST",
            "/v1/tokens",
            users(ALPHA_DEVELOPERS, HiddenOutsideAlpha),
            422,
            move |_, _| {
                Request::new(
                    "/v1/tokens",
                    Some(json!({"name": unique("t"), "team": "alpha", "scopes": [beta_route]})),
                )
            },
        ),
        row(
            "look up an alpha token by its secret",
            "POST",
            "/v1/tokens/lookup",
            users(ALPHA_VIEWERS, Hidden),
            200,
            move |_, _| Request::new("/v1/tokens/lookup", Some(json!({"token": token_secret}))),
        ),
        row(
            "show an alpha token",
            "GET",
            "/v1/tokens/{reference}",
            users(ALPHA_VIEWERS, HiddenOutsideAlpha),
            200,
            move |_, _| Request::new(format!("/v1/tokens/{token_id}"), None),
        ),
        row(
            "update a token someone else created",
            "PATCH",
            "/v1/tokens/{reference}",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/tokens/{}", admins_token(api)),
                    Some(json!({"description": "x"})),
                )
            },
        ),
        row(
            "revoke a token someone else created",
            "POST",
            "/v1/tokens/{reference}/revoke",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/tokens/{}/revoke", admins_token(api)),
                    Some(json!({})),
                )
            },
        ),
        row(
            "rotate a token someone else created",
            "POST",
            "/v1/tokens/{reference}/rotate",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/tokens/{}/rotate", admins_token(api)),
                    Some(json!({})),
                )
            },
        ),
        row(
            "update a token you created",
            "PATCH",
            "/v1/tokens/{reference}",
            users(ALPHA_DEVELOPERS, HiddenOutsideAlpha),
            200,
            |api, c| {
                Request::new(
                    format!("/v1/tokens/{}", own_token(api, c)),
                    Some(json!({"description": "x"})),
                )
            },
        ),
        row(
            "revoke a token you created",
            "POST",
            "/v1/tokens/{reference}/revoke",
            users(ALPHA_DEVELOPERS, HiddenOutsideAlpha),
            200,
            |api, c| {
                Request::new(
                    format!("/v1/tokens/{}/revoke", own_token(api, c)),
                    Some(json!({})),
                )
            },
        ),
        row(
            "rotate a token you created",
            "POST",
            "/v1/tokens/{reference}/rotate",
            users(ALPHA_DEVELOPERS, HiddenOutsideAlpha),
            200,
            |api, c| {
                Request::new(
                    format!("/v1/tokens/{}/rotate", own_token(api, c)),
                    Some(json!({})),
                )
            },
        ),
        // Quotas are a spend control: a token's creator may not set or lift
        // them, the team's managers may.
        row(
            "create an alpha token with a quota",
            "POST",
            "/v1/tokens",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            201,
            |_, _| {
                Request::new(
                    "/v1/tokens",
                    Some(
                        json!({"name": unique("t"), "team": "alpha", "scopes": ["*"], "quota": "10/day"}),
                    ),
                )
            },
        ),
        row(
            "set the quota of a token you created",
            "PATCH",
            "/v1/tokens/{reference}",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, c| {
                Request::new(
                    format!("/v1/tokens/{}", own_token(api, c)),
                    Some(json!({"quota": "10/day"})),
                )
            },
        ),
        row(
            "lift the LLM-token quota of a token someone else created",
            "PATCH",
            "/v1/tokens/{reference}",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/tokens/{}", admins_token(api)),
                    Some(json!({"quota_tokens": "none"})),
                )
            },
        ),
        row(
            "usage of an alpha token",
            "GET",
            "/v1/usage/tokens/{reference}",
            users(ALPHA_VIEWERS, HiddenOutsideAlpha),
            200,
            |api, _| Request::new(format!("/v1/usage/tokens/{}", admins_token(api)), None),
        ),
    ]
}
