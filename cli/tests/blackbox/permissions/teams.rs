//! Teams and members: seen by the team, changed by its admins; managers
//! handle developers and viewers, admins also managers and admins.

use super::rows::*;
use super::{unique, Request, Row};
use serde_json::json;

pub(super) fn rows() -> Vec<Row> {
    vec![
        row(
            "list teams",
            "GET",
            "/v1/teams",
            users(EVERY_USER, Forbidden),
            200,
            fixed("/v1/teams"),
        ),
        row(
            "create a team",
            "POST",
            "/v1/teams",
            users(GLOBAL, Forbidden),
            201,
            |_, _| Request::new("/v1/teams", Some(json!({"name": unique("team")}))),
        ),
        row(
            "show alpha",
            "GET",
            "/v1/teams/{team}",
            users(ALPHA_VIEWERS, HiddenOutsideAlpha),
            200,
            fixed("/v1/teams/alpha"),
        ),
        row(
            "describe alpha",
            "PATCH",
            "/v1/teams/{team}",
            users(ALPHA_ADMINS, HiddenOutsideAlpha),
            200,
            |_, _| Request::new("/v1/teams/alpha", Some(json!({"description": unique("d")}))),
        ),
        // A team's quota caps its admins' own spending: global admins set it.
        row(
            "set alpha's quota",
            "PATCH",
            "/v1/teams/{team}",
            users(GLOBAL, HiddenOutsideAlpha),
            200,
            |_, _| Request::new("/v1/teams/alpha", Some(json!({"quota": "1000000/month"}))),
        ),
        // Alpha has live tokens, so whoever may delete it is told to revoke
        // them first (409), and the fixture stays.
        row(
            "delete alpha",
            "DELETE",
            "/v1/teams/{team}",
            users(ALPHA_ADMINS, HiddenOutsideAlpha),
            409,
            fixed("/v1/teams/alpha"),
        ),
        row(
            "add a viewer to alpha",
            "PUT",
            "/v1/teams/{team}/members/{user}",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!("/v1/teams/alpha/members/{}", fresh_user(api, &[])),
                    Some(json!({"role": "viewer"})),
                )
            },
        ),
        row(
            "make a developer of alpha its manager",
            "PUT",
            "/v1/teams/{team}/members/{user}",
            users(ALPHA_ADMINS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!(
                        "/v1/teams/alpha/members/{}",
                        fresh_user(api, &["alpha:developer"])
                    ),
                    Some(json!({"role": "manager"})),
                )
            },
        ),
        row(
            "remove a developer from alpha",
            "DELETE",
            "/v1/teams/{team}/members/{user}",
            users(ALPHA_MANAGERS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!(
                        "/v1/teams/alpha/members/{}",
                        fresh_user(api, &["alpha:developer"])
                    ),
                    None,
                )
            },
        ),
        row(
            "remove a manager from alpha",
            "DELETE",
            "/v1/teams/{team}/members/{user}",
            users(ALPHA_ADMINS, HiddenOutsideAlpha),
            200,
            |api, _| {
                Request::new(
                    format!(
                        "/v1/teams/alpha/members/{}",
                        fresh_user(api, &["alpha:manager"])
                    ),
                    None,
                )
            },
        ),
    ]
}
