//! `/v1/search`: one search across tokens, routes, teams and users, each
//! kind limited to what the caller may see.

use super::{ApiQuery, AppState};
use crate::api::{search, ErrorBody, Route, SearchResults};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::permissions::{allowed, teams_allowed, Action};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// The text to find: 1-200 characters, no control characters, matched
    /// as a substring, ignoring case; `%` and `_` match themselves.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$"
    )]
    q: String,
    /// Hits per kind, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

/// Whether a route matches: its id, or the text in its name, path,
/// upstream host or one of its tags.
fn route_matches(route: &Route, text: &str) -> bool {
    let host = url::Url::parse(&route.upstream)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    Uuid::parse_str(text).is_ok_and(|id| id == route.id)
        || [route.name.as_str(), route.path.as_str(), host.as_str()]
            .into_iter()
            .chain(route.tags.iter().map(String::as_str))
            .any(|v| search::contains(v, text))
}

/// Keeps at most `limit` hits; notes `kind` as truncated if there were more.
fn bounded<T>(mut hits: Vec<T>, limit: usize, kind: &str, truncated: &mut Vec<String>) -> Vec<T> {
    if hits.len() > limit {
        hits.truncate(limit);
        truncated.push(kind.to_string());
    }
    hits
}

/// Tokens (by name, secret prefix or id), routes (by name, path, upstream
/// host or tag), teams (by name, description or id) and users (by name,
/// e-mail or id) that contain the text, ignoring case — only those the
/// caller may see: tokens and teams of the caller's teams, routes if the
/// caller may read routes, users who share a team with the caller.
#[utoipa::path(get, path = "/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchResults),
        (status = 422, description = "Empty or over-long text, or a limit out of range", body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let text = search::query(&q.q)?;
    let limit = search::limit(q.limit.unwrap_or(search::DEFAULT_LIMIT))?;
    let p = &caller.principal;
    // One more than the limit tells whether there were more.
    let tokens = state
        .db
        .search_tokens(text.clone(), teams_allowed(p, Action::TokenRead), limit + 1)
        .await?;
    let routes: Vec<Route> = if allowed(p, Action::RouteRead, None) {
        state
            .db
            .list_routes()
            .await?
            .into_iter()
            .filter(|r| route_matches(r, &text))
            .take(limit + 1)
            .collect()
    } else {
        vec![]
    };
    let teams = state
        .db
        .search_teams(text.clone(), teams_allowed(p, Action::TeamRead), limit + 1)
        .await?;
    let users = state
        .db
        .search_users(text.clone(), p.readable_teams(), p.user.id, limit + 1)
        .await?;
    let mut truncated = Vec::new();
    Ok(Json(SearchResults {
        tokens: bounded(tokens, limit, "tokens", &mut truncated),
        routes: bounded(routes, limit, "routes", &mut truncated),
        teams: bounded(teams, limit, "teams", &mut truncated),
        users: bounded(users, limit, "users", &mut truncated),
        truncated,
        query: text,
        limit,
    }))
}
