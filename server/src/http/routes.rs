//! `/v1/routes`: path prefixes, their upstreams and upstream auth.

use super::{ApiJson, ApiPath, ApiQuery, AppState};
use crate::api::{input, CreateRoute, ErrorBody, Route, RouteRemoved, UpdateRoute};
use crate::auth::Caller;
use crate::db::{NewRoute, RouteChange};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{require, Action};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use std::time::Duration;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_routes, create_route))
        .routes(routes!(show_route, update_route, remove_route))
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

async fn resolve(state: &AppState, reference: &str) -> ApiResult<Route> {
    state
        .db
        .find_route(reference)
        .await?
        .ok_or_else(|| ApiError::not_found("route", reference))
}

/// Add a route (system team: developer or higher).
#[utoipa::path(post, path = "/routes", tag = "routes", request_body = CreateRoute,
    responses(
        (status = 201, body = Route),
        (status = 409, description = "Name or path taken", body = ErrorBody),
        (status = 422, description = "Invalid input or unknown secret", body = ErrorBody),
    ))]
async fn create_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateRoute>,
) -> ApiResult<(StatusCode, Json<Route>)> {
    require(&caller.principal, Action::RouteCreate, None)?;
    let auth = input::upstream_auth(req.auth.as_deref().unwrap_or("none"))?;
    if !auth.secret_names().is_empty() {
        // A route with upstream auth hands a stored secret to its upstream:
        // that takes the role that may change routes (manager), or a
        // developer could send any secret to a server of their choosing.
        require(&caller.principal, Action::RouteUpdate, None)?;
    }
    let new = NewRoute {
        name: route_name(&req.name)?,
        path: input::route_path(&req.path)?,
        upstream: input::upstream_url(&req.upstream)?,
        tags: tags(&req.tags)?,
        auth,
        timeout_ms: match req.timeout.as_deref() {
            Some(t) => timeout_ms(t)?,
            None => DEFAULT_TIMEOUT.as_millis() as u64,
        },
        description: input::description(req.description.as_deref().unwrap_or(""))?,
    };
    let route = state.db.create_route(&caller.actor, new).await?;
    Ok((StatusCode::CREATED, Json(route)))
}

/// List all routes.
#[utoipa::path(get, path = "/routes", tag = "routes", responses((status = 200, body = Vec<Route>)))]
async fn list_routes(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Route>>> {
    require(&caller.principal, Action::RouteRead, None)?;
    Ok(Json(state.db.list_routes().await?))
}

/// Show a route by id, name or path.
#[utoipa::path(get, path = "/routes/{reference}", tag = "routes",
    params(("reference" = String, Path, description = "Route id, name or path")),
    responses((status = 200, body = Route), (status = 404, body = ErrorBody)))]
async fn show_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> ApiResult<Json<Route>> {
    require(&caller.principal, Action::RouteRead, None)?;
    Ok(Json(resolve(&state, &reference).await?))
}

/// Change a route (system team: manager or higher). Renaming a route
/// renames it in the scopes of the tokens that use it.
#[utoipa::path(patch, path = "/routes/{reference}", tag = "routes", request_body = UpdateRoute,
    params(("reference" = String, Path, description = "Route id, name or path")),
    responses(
        (status = 200, body = Route),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn update_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateRoute>,
) -> ApiResult<Json<Route>> {
    require(&caller.principal, Action::RouteUpdate, None)?;
    let change = RouteChange {
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
    };
    let route = resolve(&state, &reference).await?;
    Ok(Json(
        state
            .db
            .update_route(&caller.actor, route.id, change)
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
    params(("reference" = String, Path, description = "Route id, name or path"), RemoveQuery),
    responses(
        (status = 200, body = RouteRemoved),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Tokens still scope the route", body = ErrorBody),
    ))]
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
