//! `/v1/teams` (teams and their members) and `/v1/whoami`.

use super::answers::{Conflict, Forbidden, Invalid, InvalidPage, NotFound};
use super::paging::PageQuery;
use super::{created, ApiJson, ApiPath, ApiQuery, AppState, Created};
use crate::api::paging::{Filters, List};
use crate::api::{
    self, input, CreateTeam, ErrorBody, Identity, Page, SetMember, Team, TeamDeleted, TeamDetail,
    TeamMember, TeamSummary, UpdateTeam,
};
use crate::auth::Caller;
use crate::db::TeamCounts;
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, require, require_role_change, Action};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(whoami))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(show_team, update_team, delete_team))
        .routes(routes!(set_member, remove_member))
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

/// A team the caller may see; others answer 404 as if they did not exist.
pub(super) async fn visible_team(
    state: &AppState,
    caller: &Caller,
    reference: &str,
) -> ApiResult<Team> {
    let team = state
        .db
        .find_team(reference)
        .await?
        .filter(|t| allowed(&caller.principal, Action::TeamRead, Some(t.id)))
        .ok_or_else(|| ApiError::not_found("team", reference))?;
    Ok(team)
}

/// A user, by name or id.
pub(super) async fn user_id(state: &AppState, reference: &str) -> ApiResult<(Uuid, String)> {
    let user = state
        .db
        .find_user(reference)
        .await?
        .ok_or_else(|| ApiError::not_found("user", reference))?;
    Ok((user.user.id, user.user.name))
}

/// Teams the caller can read (all of them for global admins), each with
/// its number of members and of active tokens; a page at a time, by name.
#[utoipa::path(get, path = "/teams", tag = "teams", params(PageQuery),
    responses((status = 200, body = Page<TeamSummary>), InvalidPage))]
async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<TeamSummary>>> {
    let p = &caller.principal;
    let pager = page.pager::<String>(List::Teams, Filters::new())?;
    let rows = state
        .db
        .teams_page(p.readable_teams(), pager.after.clone(), pager.fetch())
        .await?;
    let teams = pager.page(rows, |t| t.name.clone());
    // Counted for this page's teams only.
    let ids = teams.items.iter().map(|t| t.id).collect();
    let counts: HashMap<Uuid, TeamCounts> = state
        .db
        .team_counts(Some(ids), api::now())
        .await?
        .into_iter()
        .map(|c| (c.team_id, c))
        .collect();
    Ok(Json(teams.map(|team| {
        let c = counts.get(&team.id);
        TeamSummary {
            members: c.map_or(0, |c| c.members),
            // Counted only where the caller may read the tokens.
            tokens: c
                .filter(|_| allowed(p, Action::TokenRead, Some(team.id)))
                .map_or(0, |c| c.active),
            team,
        }
    })))
}

/// Create a team (global admins).
#[utoipa::path(post, path = "/teams", tag = "teams", request_body = CreateTeam,
    responses((status = 201, body = TeamDetail), Forbidden, Invalid,
        (status = 404, description = "No such user (`admin`)", body = ErrorBody),
        (status = 409, description = "Name taken", body = ErrorBody)))]
async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateTeam>,
) -> ApiResult<Created<TeamDetail>> {
    require(&caller.principal, Action::TeamCreate, None)?;
    let name = input::team_name(&req.name)?;
    let description = input::description(req.description.as_deref().unwrap_or(""))?;
    let admin = match req.admin.as_deref() {
        Some(u) => Some(user_id(&state, u).await?.0),
        None => None,
    };
    let team = state
        .db
        .create_team(&caller.actor, name, description, admin)
        .await?;
    Ok(created(team))
}

/// Show a team with its members, and its quotas and budget with what they
/// counted this period.
#[utoipa::path(get, path = "/teams/{team}", tag = "teams",
    params(("team" = String, Path, description = "Team name or id", example = "platform")),
    responses((status = 200, body = TeamDetail), (status = 404, body = ErrorBody)))]
async fn show_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(team): ApiPath<String>,
) -> ApiResult<Json<TeamDetail>> {
    let team = visible_team(&state, &caller, &team).await?;
    let mut detail = state
        .db
        .team_detail(team.id)
        .await?
        .ok_or_else(|| ApiError::not_found("team", &team.name))?;
    detail.quota_usage = Some(state.db.team_quota_status(team.id).await?);
    Ok(Json(detail))
}

/// Rename a team or change its description (team admins).
#[utoipa::path(patch, path = "/teams/{team}", tag = "teams", request_body = UpdateTeam,
    params(("team" = String, Path, description = "Team name or id", example = "platform")),
    responses((status = 200, body = Team), Forbidden, NotFound, Conflict,
        (status = 422, description = "Invalid name or description", body = ErrorBody)))]
async fn update_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(team): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateTeam>,
) -> ApiResult<Json<Team>> {
    let name = req.name.as_deref().map(input::team_name).transpose()?;
    let description = req
        .description
        .as_deref()
        .map(input::description)
        .transpose()?;
    let quotas = super::tokens::quota_changes(
        req.quota.as_deref(),
        req.quota_tokens.as_deref(),
        req.budget.as_deref(),
    )?;
    let team = visible_team(&state, &caller, &team).await?;
    require(&caller.principal, Action::TeamUpdate, Some(team.id))?;
    if !quotas.is_empty() {
        require(&caller.principal, Action::TeamQuotaSet, Some(team.id))?;
    }
    Ok(Json(
        state
            .db
            .update_team(&caller.actor, team.id, name, description, quotas)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteQuery {
    /// Revoke the team's tokens with it (otherwise a team with tokens that
    /// are not revoked cannot be deleted).
    #[serde(default)]
    revoke_tokens: bool,
}

/// Delete a team (team admins). Its tokens must be revoked first, or are
/// revoked with it (`revoke_tokens`), in the same transaction — so they
/// stop working at the gateways. Pending invitations into it are revoked.
#[utoipa::path(delete, path = "/teams/{team}", tag = "teams",
    params(("team" = String, Path, description = "Team name or id", example = "platform"), DeleteQuery),
    responses((status = 200, body = TeamDeleted), Forbidden, NotFound,
        (status = 409, description = "Tokens left, or the system team", body = ErrorBody)))]
async fn delete_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(team): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<Json<TeamDeleted>> {
    let team = visible_team(&state, &caller, &team).await?;
    require(&caller.principal, Action::TeamDelete, Some(team.id))?;
    Ok(Json(
        state
            .db
            .delete_team(&caller.actor, team.id, q.revoke_tokens)
            .await?,
    ))
}

/// Add a member or change their role. Managers handle developers and
/// viewers; admins also managers and admins; nobody grants a role above
/// their own; the last admin stays.
#[utoipa::path(put, path = "/teams/{team}/members/{user}", tag = "teams", request_body = SetMember,
    params(
        ("team" = String, Path, description = "Team name or id", example = "platform"),
        ("user" = String, Path, description = "User name or id", example = "bob"),
    ),
    responses((status = 200, body = TeamMember), Forbidden, NotFound,
        (status = 409, description = "Last admin, or a concurrent change", body = ErrorBody)))]
async fn set_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((team, user)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<SetMember>,
) -> ApiResult<Json<TeamMember>> {
    let team = visible_team(&state, &caller, &team).await?;
    let (user, _) = user_id(&state, &user).await?;
    let current = state.db.member_role(team.id, user).await?;
    require_role_change(&caller.principal, team.id, current, Some(req.role))?;
    Ok(Json(
        state
            .db
            .set_member(&caller.actor, team.id, user, req.role, current)
            .await?,
    ))
}

/// Remove a member (managers: developers and viewers; admins: anyone but
/// the last admin).
#[utoipa::path(delete, path = "/teams/{team}/members/{user}", tag = "teams",
    params(
        ("team" = String, Path, description = "Team name or id", example = "platform"),
        ("user" = String, Path, description = "User name or id", example = "bob"),
    ),
    responses((status = 200, body = TeamMember), Forbidden, NotFound, Conflict))]
async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((team, user)): ApiPath<(String, String)>,
) -> ApiResult<Json<TeamMember>> {
    let team = visible_team(&state, &caller, &team).await?;
    let (user, name) = user_id(&state, &user).await?;
    let current = state.db.member_role(team.id, user).await?.ok_or_else(|| {
        ApiError::NotFound(format!("`{name}` is not a member of team `{}`", team.name))
    })?;
    require_role_change(&caller.principal, team.id, Some(current), None)?;
    Ok(Json(
        state
            .db
            .remove_member(&caller.actor, team.id, user, current)
            .await?,
    ))
}
