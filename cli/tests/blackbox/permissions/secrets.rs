//! Secrets: listed by system viewers, stored by system developers, replaced
//! by system managers; where they may be sent is the system admins' call.

use super::rows::*;
use super::{unique, Request, Row};
use serde_json::json;

pub(super) fn rows() -> Vec<Row> {
    vec![
        row(
            "list secrets",
            "GET",
            "/v1/secrets",
            users(SYS_VIEWERS, Forbidden),
            200,
            fixed("/v1/secrets"),
        ),
        row(
            "store a new secret with its hosts",
            "PUT",
            "/v1/secrets/{name}",
            users(SYS_DEVELOPERS, Forbidden),
            200,
            |_, _| {
                Request::new(
                    format!("/v1/secrets/{}", unique("S")),
                    Some(json!({"value": "v", "hosts": [PUBLIC_HOST]})),
                )
            },
        ),
        row(
            "replace a secret's value",
            "PUT",
            "/v1/secrets/{name}",
            users(SYS_MANAGERS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/secrets/{}", secret(api, &[PUBLIC_HOST])),
                    Some(json!({"value": "w"})),
                )
            },
        ),
        row(
            "change the hosts a secret may be sent to",
            "PUT",
            "/v1/secrets/{name}",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/secrets/{}", secret(api, &[PUBLIC_HOST])),
                    Some(json!({"hosts": ["attacker.example"]})),
                )
            },
        ),
        row(
            "replace a secret's value and its hosts",
            "PUT",
            "/v1/secrets/{name}",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/secrets/{}", secret(api, &[PUBLIC_HOST])),
                    Some(json!({"value": "w", "hosts": ["attacker.example"]})),
                )
            },
        ),
        row(
            "remove a secret",
            "DELETE",
            "/v1/secrets/{name}",
            users(SYS_ADMINS, Forbidden),
            200,
            |api, _| Request::new(format!("/v1/secrets/{}", secret(api, &[PUBLIC_HOST])), None),
        ),
    ]
}
