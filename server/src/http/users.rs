//! `/v1/users`, `/v1/invitations` and `/v1/enrol`: operators, and how new
//! ones join.

use super::answers::{
    Conflict, Forbidden, Invalid, InvalidPage, LastGlobalAdmin, NotFound, UnknownRoleTeam,
};
use super::paging::PageQuery;
use super::teams::visible_team;
use super::{created, ApiJson, ApiPath, ApiQuery, AppState, Created};
use crate::api::paging::{Filters, List};
use crate::api::{
    self, input, CreateInvitation, CreateUser, CreatedInvitation, CreatedUser, Enrol, Enrolled,
    ErrorBody, Invitation, InvitedRole, Page, Role, UpdateUser, UserInfo, UserSummary,
};
use crate::auth::Caller;
use crate::db::{Actor, NewCredential, NewInvitation};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{require, require_role_change, Action};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::Json;
use std::net::SocketAddr;
use tokenctl_gateway::token::{hash_secret, Secret, SecretKind};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(show_user, update_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
        .routes(routes!(enrol))
}

/// A user as the caller may see them: only the memberships in teams the
/// caller may see (global admins and the user themselves: all), so a
/// user record never reveals another team's name.
fn as_seen_by(p: &crate::db::Principal, mut user: UserInfo) -> UserInfo {
    if !p.user.global_admin && user.user.id != p.user.id {
        user.teams
            .retain(|t| crate::permissions::allowed(p, Action::TeamRead, Some(t.team_id)));
    }
    user
}

/// A user the caller may see (global admins: anyone; others: members of
/// their teams, and themselves); others answer 404.
async fn visible_user(state: &AppState, caller: &Caller, reference: &str) -> ApiResult<UserInfo> {
    let user = state
        .db
        .find_user(reference)
        .await?
        .ok_or_else(|| ApiError::not_found("user", reference))?;
    let p = &caller.principal;
    let visible = p.user.global_admin
        || user.user.id == p.user.id
        || user
            .teams
            .iter()
            .any(|t| p.memberships.iter().any(|m| m.team_id == t.team_id));
    if !visible {
        return Err(ApiError::not_found("user", reference));
    }
    Ok(as_seen_by(p, user))
}

/// `TEAM:ROLE` grants, resolved and checked: the caller must be allowed to
/// give each role directly.
async fn grants(
    state: &AppState,
    caller: &Caller,
    roles: &[String],
) -> ApiResult<Vec<InvitedRole>> {
    let mut out: Vec<InvitedRole> = Vec::new();
    for spec in roles {
        let (team, role) = input::team_role(spec)?;
        let team = visible_team(state, caller, &team).await?;
        require_role_change(&caller.principal, team.id, None, Some(role))?;
        if out.iter().any(|r| r.team_id == team.id) {
            return Err(ApiError::invalid(format!(
                "team `{}` is named twice",
                team.name
            )));
        }
        out.push(InvitedRole {
            team_id: team.id,
            team: team.name,
            role,
        });
    }
    Ok(out)
}

/// Users the caller may see: everyone for global admins, otherwise the
/// members of the caller's teams; a page at a time, by name.
#[utoipa::path(get, path = "/users", tag = "users", params(PageQuery),
    responses((status = 200, body = Page<UserSummary>), InvalidPage))]
async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<UserSummary>>> {
    let pager = page.pager::<String>(List::Users, Filters::new())?;
    let p = &caller.principal;
    let rows = state
        .db
        .users_page(
            p.readable_teams(),
            p.user.id,
            pager.after.clone(),
            pager.fetch(),
        )
        .await?;
    let users = pager.page(rows, |u| u.user.name.clone());
    let last = state
        .db
        .last_active(users.items.iter().map(|u| u.user.id).collect())
        .await?;
    Ok(Json(users.map(|u| UserSummary {
        last_active_at: last.get(&u.user.id).copied(),
        info: as_seen_by(p, u),
    })))
}

/// Create a user (global admins) with team roles; `secret` is their first
/// credential, shown only now.
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = CreatedUser), Forbidden, UnknownRoleTeam, Conflict, Invalid))]
async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateUser>,
) -> ApiResult<Created<CreatedUser>> {
    require(&caller.principal, Action::UserCreate, None)?;
    let name = input::name("user", &req.name)?;
    let email = req.email.as_deref().map(input::email).transpose()?;
    let roles: Vec<(Uuid, Role)> = grants(&state, &caller, &req.roles)
        .await?
        .into_iter()
        .map(|r| (r.team_id, r.role))
        .collect();
    let secret = Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng);
    let credential = NewCredential {
        secret: &secret,
        expires_at: state.credential_deadline(api::now()),
    };
    let mut user = state
        .db
        .create_user(
            &caller.actor,
            name,
            email,
            req.global_admin,
            roles,
            credential,
        )
        .await?;
    user.secret = secret.into_exposed();
    Ok(created(user))
}

/// Show a user and their team roles.
#[utoipa::path(get, path = "/users/{user}", tag = "users",
    params(("user" = String, Path, description = "User name or id", example = "alice")),
    responses((status = 200, body = UserInfo), (status = 404, body = ErrorBody)))]
async fn show_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<Json<UserInfo>> {
    Ok(Json(visible_user(&state, &caller, &user).await?))
}

/// Change a user's e-mail or global-admin flag (global admins).
#[utoipa::path(patch, path = "/users/{user}", tag = "users", request_body = UpdateUser,
    params(("user" = String, Path, description = "User name or id", example = "alice")),
    responses((status = 200, body = UserInfo), Forbidden, NotFound, LastGlobalAdmin,
        (status = 422, description = "Not an e-mail address", body = ErrorBody)))]
async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateUser>,
) -> ApiResult<Json<UserInfo>> {
    let email = match req.email.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(e) => Some(Some(input::email(e)?)),
    };
    let user = visible_user(&state, &caller, &user).await?;
    require(&caller.principal, Action::UserManage, None)?;
    Ok(Json(
        state
            .db
            .update_user(&caller.actor, user.user.id, email, req.global_admin, None)
            .await?,
    ))
}

/// Disable a user (global admins): their credentials stop working at once.
#[utoipa::path(post, path = "/users/{user}/disable", tag = "users",
    params(("user" = String, Path, description = "User name or id", example = "alice")),
    responses((status = 200, body = UserInfo), Forbidden, NotFound, LastGlobalAdmin))]
async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<Json<UserInfo>> {
    let user = visible_user(&state, &caller, &user).await?;
    require(&caller.principal, Action::UserManage, None)?;
    if user.user.id == caller.principal.user.id {
        return Err(ApiError::Conflict {
            code: "disable_self",
            message: "you cannot disable yourself".into(),
        });
    }
    Ok(Json(
        state
            .db
            .update_user(&caller.actor, user.user.id, None, None, Some(true))
            .await?,
    ))
}

/// Enable a disabled user again (global admins).
#[utoipa::path(post, path = "/users/{user}/enable", tag = "users",
    params(("user" = String, Path, description = "User name or id", example = "alice")),
    responses((status = 200, body = UserInfo), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn enable_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<Json<UserInfo>> {
    let user = visible_user(&state, &caller, &user).await?;
    require(&caller.principal, Action::UserManage, None)?;
    Ok(Json(
        state
            .db
            .update_user(&caller.actor, user.user.id, None, None, Some(false))
            .await?,
    ))
}

/// Invitations: all for global admins, otherwise those you created.
#[utoipa::path(get, path = "/invitations", tag = "users", responses((status = 200, body = Vec<Invitation>)))]
async fn list_invitations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Invitation>>> {
    let p = &caller.principal;
    let by = (!p.user.global_admin).then_some(p.user.id);
    Ok(Json(state.db.list_invitations(by).await?))
}

/// Invite someone: returns a one-time enrolment code (`tke_…`, shown only
/// now) that `tokenctl login --enrol CODE` exchanges for a credential.
/// Each role must be one the inviter could grant directly.
#[utoipa::path(post, path = "/invitations", tag = "users", request_body = CreateInvitation,
    responses((status = 201, body = CreatedInvitation), Forbidden, UnknownRoleTeam, Conflict,
        Invalid))]
async fn create_invitation(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateInvitation>,
) -> ApiResult<Created<CreatedInvitation>> {
    let email = input::email(&req.email)?;
    let name = match req.name.as_deref() {
        Some(n) => input::name("user", n)?,
        None => {
            let local = email.split('@').next().unwrap_or_default();
            input::name("user", local).map_err(|_| {
                ApiError::invalid(format!(
                    "cannot make a user name from `{email}`; pass --name"
                ))
            })?
        }
    };
    let now = api::now();
    let expires_at = input::expiry(req.expires.as_deref().unwrap_or("7d"), now)?
        .filter(|e| *e <= now + chrono::Duration::days(30))
        .ok_or_else(|| ApiError::invalid("an invitation must expire within 30 days"))?;
    if req.global_admin {
        require(&caller.principal, Action::UserCreate, None)?;
    }
    let roles = grants(&state, &caller, &req.roles).await?;
    if roles.is_empty() && !req.global_admin {
        return Err(ApiError::invalid(
            "an invitation needs at least one --role TEAM:ROLE (or --global-admin)",
        ));
    }
    let code = Secret::generate(SecretKind::EnrolmentCode, &mut rand::rngs::OsRng);
    let invitation = state
        .db
        .create_invitation(
            &caller.actor,
            NewInvitation {
                email,
                user_name: name,
                roles,
                global_admin: req.global_admin,
                expires_at,
            },
            &code,
        )
        .await?;
    Ok(created(CreatedInvitation {
        invitation,
        code: code.into_exposed(),
    }))
}

/// Revoke an unused invitation (its creator, or a global admin).
#[utoipa::path(delete, path = "/invitations/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "Invitation id")),
    responses((status = 200, body = Invitation), Forbidden, NotFound, Conflict))]
async fn revoke_invitation(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Invitation>> {
    let p = &caller.principal;
    let (_, creator) = state
        .db
        .find_invitation(id)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation", &id.to_string()))?;
    if !p.user.global_admin && creator != Some(p.user.id) {
        return Err(ApiError::not_found("invitation", &id.to_string()));
    }
    Ok(Json(state.db.revoke_invitation(&caller.actor, id).await?))
}

/// Exchange an enrolment code for a new user's first credential. The code
/// is the authentication: it works once, before it expires.
#[utoipa::path(post, path = "/enrol", tag = "users", request_body = Enrol, security(()),
    responses((status = 201, description = "`secret` is the new credential, shown only now", body = Enrolled),
        Conflict,
        (status = 401, description = "Unknown, used, revoked or expired code", body = ErrorBody)))]
async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<Enrol>,
) -> ApiResult<Created<Enrolled>> {
    let code = Secret::parse(SecretKind::EnrolmentCode, &req.code).map_err(|e| {
        ApiError::Unauthenticated {
            code: "invalid_enrolment_code",
            message: e.to_string(),
        }
    })?;
    let request = Actor {
        user_id: None,
        user_name: "enrolment".into(),
        credential_id: None,
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        client_ip: super::client_ip(&state, &headers, Some(peer)),
    };
    let secret = Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng);
    let credential = NewCredential {
        secret: &secret,
        expires_at: state.credential_deadline(api::now()),
    };
    let mut enrolled = state
        .db
        .enrol(&hash_secret(code.expose()), credential, &request)
        .await?;
    enrolled.secret = secret.into_exposed();
    Ok(created(enrolled))
}
