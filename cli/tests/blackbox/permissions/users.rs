//! Users (global admins), invitations (what the inviter could grant
//! directly) and credentials (personal).

use super::rows::*;
use super::{unique, Request, Row};
use serde_json::json;

pub(super) fn rows(fx: &Fixture) -> Vec<Row> {
    let member = fx.alpha_member.clone();
    let admins_credential = fx.admins_credential.clone();
    vec![
        row(
            "list users",
            "GET",
            "/v1/users",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/users"),
        ),
        row(
            "create a user",
            "POST",
            "/v1/users",
            users(GLOBAL, Forbidden),
            201,
            |_, _| Request::new("/v1/users", Some(json!({"name": unique("u")}))),
        ),
        row(
            "show a member of alpha",
            "GET",
            "/v1/users/{user}",
            users(ALPHA_VIEWERS, HiddenOutsideAlpha),
            200,
            move |_, _| Request::new(format!("/v1/users/{member}"), None),
        ),
        row(
            "change a member of alpha's e-mail",
            "PATCH",
            "/v1/users/{user}",
            users(GLOBAL, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/users/{}", fresh_user(api, &["alpha:viewer"])),
                    Some(json!({"email": "x@example.com"})),
                )
            },
        ),
        row(
            "disable a member of alpha",
            "POST",
            "/v1/users/{user}/disable",
            users(GLOBAL, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/users/{}/disable", fresh_user(api, &["alpha:viewer"])),
                    Some(json!({})),
                )
            },
        ),
        row(
            "enable a member of alpha",
            "POST",
            "/v1/users/{user}/enable",
            users(GLOBAL, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/users/{}/enable", fresh_user(api, &["alpha:viewer"])),
                    Some(json!({})),
                )
            },
        ),
        // Invitations grant only what the inviter could grant directly.
        row(
            "list invitations (your own)",
            "GET",
            "/v1/invitations",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/invitations"),
        ),
        row(
            "invite a viewer into alpha",
            "POST",
            "/v1/invitations",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            201,
            |_, _| Request::new("/v1/invitations", Some(invitation_body("alpha:viewer"))),
        ),
        row(
            "invite a manager into alpha",
            "POST",
            "/v1/invitations",
            users(ALPHA_ADMINS, HiddenOutsideAlpha),
            201,
            |_, _| Request::new("/v1/invitations", Some(invitation_body("alpha:manager"))),
        ),
        row(
            "invite a global admin",
            "POST",
            "/v1/invitations",
            users(GLOBAL, Forbidden),
            201,
            |_, _| {
                Request::new(
                    "/v1/invitations",
                    Some(
                        json!({"email": format!("{}@example.com", unique("g")), "global_admin": true}),
                    ),
                )
            },
        ),
        row(
            "revoke an invitation you sent",
            "DELETE",
            "/v1/invitations/{id}",
            users(ALPHA_MANAGERS, Hidden),
            200,
            |api, c| {
                let body = invitation_body("alpha:viewer");
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
                Request::new(format!("/v1/invitations/{id}"), None)
            },
        ),
        row(
            "revoke an invitation someone else sent",
            "DELETE",
            "/v1/invitations/{id}",
            users(GLOBAL, Hidden),
            200,
            |api, _| {
                let id = api.setup("POST", "/v1/invitations", invitation_body("alpha:viewer"))
                    ["id"]
                    .as_str()
                    .unwrap()
                    .to_string();
                Request::new(format!("/v1/invitations/{id}"), None)
            },
        ),
        // Credentials are personal.
        row(
            "list your credentials",
            "GET",
            "/v1/credentials",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/credentials"),
        ),
        row(
            "create a credential",
            "POST",
            "/v1/credentials",
            users(EVERY_USER, Forbidden),
            201,
            |_, _| Request::new("/v1/credentials", Some(json!({"name": unique("c")}))),
        ),
        row(
            "revoke a credential of your own",
            "POST",
            "/v1/credentials/{reference}/revoke",
            users(EVERY_USER, Forbidden),
            200,
            |api, c| {
                let name = unique("c");
                if let Some(b) = &c.bearer {
                    api.call(
                        Some(b),
                        "POST",
                        "/v1/credentials",
                        Some(&json!({"name": name})),
                    );
                }
                Request::new(format!("/v1/credentials/{name}/revoke"), Some(json!({})))
            },
        ),
        row(
            "revoke someone else's credential",
            "POST",
            "/v1/credentials/{reference}/revoke",
            users(NOBODY, Hidden),
            200,
            move |_, _| {
                Request::new(
                    format!("/v1/credentials/{admins_credential}/revoke"),
                    Some(json!({})),
                )
            },
        ),
    ]
}
