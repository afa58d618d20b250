//! `/v1/audit`: the append-only log of every change, scoped to what the
//! caller may read.

use super::{ApiQuery, AppState};
use crate::api::{input, AuditPage, ErrorBody};
use crate::auth::Caller;
use crate::db::AuditFilter;
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, teams_allowed, Action};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// A duration back from now (`24h`, `7d`), a date or an RFC 3339 time.
    since: Option<String>,
    /// Same forms as `since`.
    until: Option<String>,
    /// User name of the actor.
    actor: Option<String>,
    /// `token.create`, or every action of a resource: `token.*` (or `token.`).
    action: Option<String>,
    /// `token`, `route`, `secret`, `credential`, …
    target_type: Option<String>,
    /// Target id or name.
    target: Option<String>,
    /// Team name or id.
    team: Option<String>,
    /// 1-1000, default 100.
    #[param(maximum = 4294967295.0)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page.
    cursor: Option<Uuid>,
}

/// List audit entries, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 404, description = "No such team (`team`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let now = crate::api::now();
    let p = &caller.principal;
    let team_id = match q.team.as_deref() {
        Some(t) => {
            let team = super::tokens::resolve_team(&state, &caller, Some(t)).await?;
            if !allowed(p, Action::AuditRead, Some(team.id)) {
                return Err(ApiError::not_found("team", t));
            }
            Some(team.id)
        }
        None => None,
    };
    let filter = AuditFilter {
        since: q
            .since
            .as_deref()
            .map(|s| input::moment("since", s, now))
            .transpose()?,
        until: q
            .until
            .as_deref()
            .map(|s| input::moment("until", s, now))
            .transpose()?,
        actor: q.actor,
        action: q.action,
        target_type: q.target_type,
        target: q.target,
        team_id,
        limit: q.limit.unwrap_or(100),
        cursor: q.cursor,
        // Entries of the teams whose audit the caller may read (the
        // AuditRead rule), plus the caller's own actions.
        readable_teams: teams_allowed(p, Action::AuditRead),
        reader: Some(p.user.id),
    };
    Ok(Json(state.db.list_audit(filter).await?))
}
