//! `/v1/teams` and `/v1/whoami`.

use super::AppState;
use crate::api::{Identity, Team};
use crate::auth::Caller;
use crate::error::ApiResult;
use axum::extract::State;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(whoami))
        .routes(routes!(list_teams))
}

/// Who the credential belongs to, and the caller's teams and roles.
#[utoipa::path(get, path = "/whoami", tag = "identity", responses((status = 200, body = Identity)))]
async fn whoami(caller: Caller) -> Json<Identity> {
    let p = caller.principal;
    Json(Identity {
        user: p.user,
        credential: p.credential,
        teams: p.memberships,
    })
}

/// Teams the caller can read (all of them for global admins).
#[utoipa::path(get, path = "/teams", tag = "teams", responses((status = 200, body = Vec<Team>)))]
async fn list_teams(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(
        state
            .db
            .list_teams(caller.principal.readable_teams())
            .await?,
    ))
}
