//! `/v1/routes`: path prefixes, their upstreams and upstream auth.

use super::answers::{Conflict, Forbidden, Invalid, InvalidPage, NotFound, UnknownRouteOrTeam};
use super::paging::PageQuery;
use super::{created, ApiJson, ApiPath, ApiQuery, AppState, Created};
use crate::api::paging::{Filters, List};
use crate::api::{
    input, CreateRoute, ErrorBody, Page, Route, RouteGrants, RouteRemoved, UpdateRoute,
    UpstreamAccess,
};
use crate::auth::Caller;
use crate::db::{NewRoute, RouteAuthority, RouteChange};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, require, Action};
use crate::upstream::Classified;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use std::time::Duration;
use tokenctl_gateway::address::AddressClass;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_routes, create_route))
        .routes(routes!(show_route, update_route, remove_route))
        .routes(routes!(grant_route))
        .routes(routes!(ungrant_route))
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

fn timeout_ms(value: &str) -> ApiResult<u64> {
    let d = input::duration("timeout", value)?;
    if d < Duration::from_millis(100) || d > Duration::from_secs(600) {
        return Err(ApiError::invalid(format!(
            "timeout `{value}` must be between 100ms and 10m"
        )));
    }
    Ok(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn tags(list: &[String]) -> ApiResult<Vec<String>> {
    Ok(list
        .iter()
        .map(|t| input::tag(t))
        .collect::<Result<_, _>>()?)
}

/// Route names are used as token scopes, so `*` and `tag:…` are reserved.
fn route_name(value: &str) -> ApiResult<String> {
    Ok(input::name("route", value)?)
}

/// What the caller may do beyond the rule that admitted it; the repo
/// checks these against the rows it locks.
fn authority(state: &AppState, caller: &Caller) -> RouteAuthority {
    let p = &caller.principal;
    RouteAuthority {
        change_routes: allowed(p, Action::RouteUpdate, None),
        private_upstreams: allowed(p, Action::RoutePrivateUpstream, None),
        allow_metadata: state.upstream.allow_metadata,
    }
}

/// Team references (names or ids) to ids. Any team may be named: granting
/// routes is the system team's business, not the granted team's.
async fn team_ids(state: &AppState, teams: &[String]) -> ApiResult<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(teams.len());
    for reference in teams {
        let reference = input::team_reference(reference)?;
        let reference = reference.as_str();
        let team = state
            .db
            .find_team(reference)
            .await?
            .ok_or_else(|| ApiError::not_found("team", reference))?;
        ids.push(team.id);
    }
    Ok(ids)
}

/// Resolves and classifies `upstream`; refuses what this caller (or this
/// server) does not allow, with a message saying where it leads.
async fn check_upstream(
    state: &AppState,
    caller: &Caller,
    upstream: &str,
    approve_private: bool,
) -> ApiResult<Classified> {
    let c = state.upstream.classify(upstream).await;
    if c.class == AddressClass::Metadata && !state.upstream.allow_metadata {
        return Err(ApiError::Invalid {
            code: tokenctl_gateway::code::UPSTREAM_FORBIDDEN,
            message: format!(
                "upstream `{upstream}` leads to {}; cloud metadata upstreams are refused unless the server runs with --allow-metadata-upstreams",
                c.reason()
            ),
        });
    }
    if (c.class != AddressClass::Public || approve_private)
        && !allowed(&caller.principal, Action::RoutePrivateUpstream, None)
    {
        let why = if c.class == AddressClass::Public {
            "approving a route for private addresses".to_string()
        } else {
            format!(
                "upstream `{upstream}` leads to {}; such a route",
                c.reason()
            )
        };
        return Err(ApiError::forbidden(format!(
            "{why} needs the admin role (or higher) in the system team"
        )));
    }
    Ok(c)
}

/// A route approved for private addresses is changed only by those who may
/// approve it.
fn require_private_route_rights(caller: &Caller, route: &Route) -> ApiResult<()> {
    if route.upstream_access != UpstreamAccess::Public
        && !allowed(&caller.principal, Action::RoutePrivateUpstream, None)
    {
        return Err(ApiError::forbidden(format!(
            "route `{}` may reach private addresses; changing it needs the admin role (or higher) in the system team",
            route.name
        )));
    }
    Ok(())
}

async fn resolve(state: &AppState, reference: &str) -> ApiResult<Route> {
    state
        .db
        .find_route(reference)
        .await?
        .ok_or_else(|| ApiError::not_found("route", reference))
}

/// Add a route (system team: developer or higher; manager for upstream
/// auth or a path that shadows other routes; admin for private upstreams).
#[utoipa::path(post, path = "/routes", tag = "routes", request_body = CreateRoute,
    responses((status = 201, body = Route), Forbidden,
        (status = 404, description = "Unknown team", body = ErrorBody),
        (status = 409, description = "Name or path taken", body = ErrorBody),
        (status = 422, description = "Invalid input, unknown secret, secret not bound to the upstream's host, metadata upstream", body = ErrorBody)))]
async fn create_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateRoute>,
) -> ApiResult<Created<Route>> {
    require(&caller.principal, Action::RouteCreate, None)?;
    let auth = input::upstream_auth(req.auth.as_deref().unwrap_or("none"))?;
    if !auth.secret_names().is_empty() {
        // A route with upstream auth hands a stored secret to its upstream:
        // that takes the role that may change routes (manager), or a
        // developer could send any secret to a server of their choosing.
        require(&caller.principal, Action::RouteUpdate, None)?;
    }
    let name = route_name(&req.name)?;
    let path = input::route_path(&req.path)?;
    let upstream = input::upstream_url(&req.upstream)?;
    let tags = tags(&req.tags)?;
    let timeout_ms = match req.timeout.as_deref() {
        Some(t) => timeout_ms(t)?,
        None => DEFAULT_TIMEOUT.as_millis() as u64,
    };
    let description = input::description(req.description.as_deref().unwrap_or(""))?;
    match (req.all_teams, req.teams.is_empty()) {
        (true, false) => {
            return Err(ApiError::invalid(
                "give either teams or all_teams (--team or --all-teams), not both",
            ))
        }
        (false, true) => {
            return Err(ApiError::invalid(
                "say which teams may use the route: --team TEAM (repeatable) or --all-teams",
            ))
        }
        _ => {}
    }
    let teams = team_ids(&state, &req.teams).await?;
    let classified = check_upstream(&state, &caller, &upstream, req.private_upstream).await?;
    let mut upstream_access = classified.access();
    if req.private_upstream {
        upstream_access = upstream_access.max(UpstreamAccess::Private);
    }
    let new = NewRoute {
        name,
        path,
        upstream,
        tags,
        auth,
        timeout_ms,
        description,
        all_teams: req.all_teams,
        teams,
        upstream_access,
        llm: req.llm.as_deref().map(input::llm).transpose()?.flatten(),
    };
    let route = state
        .db
        .create_route(&caller.actor, new, authority(&state, &caller))
        .await?;
    Ok(created(route))
}

/// List routes, a page at a time, by name.
#[utoipa::path(get, path = "/routes", tag = "routes", params(PageQuery),
    responses((status = 200, body = Page<Route>), Forbidden, InvalidPage))]
async fn list_routes(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Route>>> {
    require(&caller.principal, Action::RouteRead, None)?;
    let pager = page.pager::<String>(List::Routes, Filters::new())?;
    let rows = state
        .db
        .routes_page(pager.after.clone(), pager.fetch())
        .await?;
    Ok(Json(pager.page(rows, |r| r.name.clone())))
}

/// Show a route by id, name or path.
#[utoipa::path(get, path = "/routes/{reference}", tag = "routes",
    params(("reference" = String, Path, description = "Route id, name or path", example = "openai")),
    responses((status = 200, body = Route), (status = 404, body = ErrorBody)))]
async fn show_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> ApiResult<Json<Route>> {
    require(&caller.principal, Action::RouteRead, None)?;
    Ok(Json(resolve(&state, &reference).await?))
}

/// Change a route (system team: manager or higher; admin for routes that
/// reach private addresses). Renaming a route renames it in the scopes of
/// the tokens that use it.
#[utoipa::path(patch, path = "/routes/{reference}", tag = "routes", request_body = UpdateRoute,
    params(("reference" = String, Path, description = "Route id, name or path", example = "openai")),
    responses((status = 200, body = Route), Forbidden, NotFound, Conflict, Invalid))]
async fn update_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateRoute>,
) -> ApiResult<Json<Route>> {
    require(&caller.principal, Action::RouteUpdate, None)?;
    let mut change = RouteChange {
        name: req.name.as_deref().map(route_name).transpose()?,
        path: req.path.as_deref().map(input::route_path).transpose()?,
        upstream: req
            .upstream
            .as_deref()
            .map(input::upstream_url)
            .transpose()?,
        tags: req.tags.as_deref().map(tags).transpose()?,
        add_tags: tags(&req.add_tags)?,
        remove_tags: tags(&req.remove_tags)?,
        auth: req.auth.as_deref().map(input::upstream_auth).transpose()?,
        timeout_ms: req.timeout.as_deref().map(timeout_ms).transpose()?,
        description: req
            .description
            .as_deref()
            .map(input::description)
            .transpose()?,
        access_needed: UpstreamAccess::Public,
        approve_private: req.private_upstream,
        alert_error_rate: req
            .alert_error_rate
            .as_deref()
            .map(input::webhooks::error_rate)
            .transpose()?,
        llm: req.llm.as_deref().map(input::llm).transpose()?,
    };
    let route = resolve(&state, &reference).await?;
    require_private_route_rights(&caller, &route)?;
    let upstream = change.upstream.as_deref().unwrap_or(&route.upstream);
    change.access_needed = check_upstream(&state, &caller, upstream, req.private_upstream)
        .await?
        .access();
    Ok(Json(
        state
            .db
            .update_route(&caller.actor, route.id, change, authority(&state, &caller))
            .await?,
    ))
}

/// Grant a route to teams, or to every team (system team: manager or
/// higher; admin for routes that reach private addresses). Their tokens'
/// `*`, `tag:` and name scopes then reach it.
#[utoipa::path(post, path = "/routes/{reference}/grant", tag = "routes", request_body = RouteGrants,
    params(("reference" = String, Path, description = "Route id, name or path", example = "openai")),
    responses((status = 200, body = Route), Forbidden, UnknownRouteOrTeam, Invalid))]
async fn grant_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(req): ApiJson<RouteGrants>,
) -> ApiResult<Json<Route>> {
    change_grants(state, caller, reference, req, true).await
}

/// Withdraw a route from teams, or stop granting it to every team (system
/// team: manager or higher; admin for routes that reach private
/// addresses). Those teams' calls to it are refused with `scope_denied`
/// as soon as gateways have the change.
#[utoipa::path(post, path = "/routes/{reference}/ungrant", tag = "routes", request_body = RouteGrants,
    params(("reference" = String, Path, description = "Route id, name or path", example = "openai")),
    responses((status = 200, body = Route), Forbidden, UnknownRouteOrTeam, Invalid))]
async fn ungrant_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(req): ApiJson<RouteGrants>,
) -> ApiResult<Json<Route>> {
    change_grants(state, caller, reference, req, false).await
}

async fn change_grants(
    state: AppState,
    caller: Caller,
    reference: String,
    req: RouteGrants,
    grant: bool,
) -> ApiResult<Json<Route>> {
    require(&caller.principal, Action::RouteUpdate, None)?;
    if req.teams.is_empty() && !req.all_teams {
        return Err(ApiError::invalid("name at least one team, or all teams"));
    }
    let route = resolve(&state, &reference).await?;
    require_private_route_rights(&caller, &route)?;
    let teams = team_ids(&state, &req.teams).await?;
    Ok(Json(
        state
            .db
            .grant_route(
                &caller.actor,
                route.id,
                teams,
                req.all_teams,
                grant,
                authority(&state, &caller),
            )
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RemoveQuery {
    /// Remove even when tokens scope the route by name; drops that scope from them.
    #[serde(default)]
    force: bool,
}

/// Remove a route (system team: admin). Refused while live tokens scope it
/// by name, unless `force`.
#[utoipa::path(delete, path = "/routes/{reference}", tag = "routes",
    params(("reference" = String, Path, description = "Route id, name or path", example = "openai"), RemoveQuery),
    responses((status = 200, body = RouteRemoved), NotFound,
        (status = 409, description = "Tokens still scope the route", body = ErrorBody)))]
async fn remove_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> ApiResult<Json<RouteRemoved>> {
    require(&caller.principal, Action::RouteDelete, None)?;
    let route = resolve(&state, &reference).await?;
    Ok(Json(
        state
            .db
            .remove_route(&caller.actor, route.id, q.force)
            .await?,
    ))
}
