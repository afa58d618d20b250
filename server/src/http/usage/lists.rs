//! The usage lists, `/v1/usage/tokens` and `/v1/usage/routes`: a row per
//! token (route) with its calls in a window, sorted by a measure, a page
//! at a time.
//!
//! The order is total, so pages neither skip nor repeat rows:
//!
//! - the *ranked* rows, those with calls in the window (and every route),
//!   by the sort key, then name, then id;
//! - then, for tokens, the *listed* rows: tokens without calls in the
//!   window, by name then id, read a page at a time from the tokens table
//!   (keyset on its name index), so a page costs the same whether the
//!   caller's teams hold a hundred tokens or a million. Revoked tokens
//!   without calls are left out.
//!
//! With `sort=name` every token is a listed row (with its calls, if any),
//! and only the calls without a valid token are ranked: their row, named
//! `(no valid token)`, sorts before any token name.
//!
//! A cursor carries the window its first page resolved (`since=24h` means
//! the same 24 hours on every page) and where the last row stood.

use super::{add_timelines, context, rollups, sums, usage_row, window, Ctx, WindowQuery};
use crate::api::paging::{Filters, List};
use crate::api::{self, ErrorBody, UsageRow, UsageRows};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http::paging::PageQuery;
use crate::http::{ApiQuery, AppState};
use crate::permissions::{require, Action};
use crate::usage::{Agg, Key};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// `1h`, `24h` (default), `7d`, `30d`, a date or an RFC 3339 time.
    /// Pages after the first keep the window of the first.
    #[param(example = "24h")]
    since: Option<String>,
    /// Same forms; default now.
    #[param(example = "1h")]
    until: Option<String>,
    /// Only this team (name or id).
    team: Option<String>,
    /// `calls` (default), `errors`, `p95`, `name`, `last_used`.
    #[param(value_type = Option<UsageSort>, inline)]
    sort: Option<String>,
}

/// How a usage list is sorted.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Only describes `ListQuery::sort` in the OpenAPI document.
enum UsageSort {
    Calls,
    Errors,
    P95,
    Name,
    LastUsed,
}

/// The measure rows are sorted by; ties go by name, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// Most calls first.
    Calls,
    /// Most errors first.
    Errors,
    /// Slowest p95 first; rows without calls last.
    P95,
    /// By name.
    Name,
    /// Most recently used first; never used last.
    LastUsed,
}

impl Sort {
    fn parse(value: Option<&str>) -> ApiResult<Sort> {
        Ok(match value.unwrap_or("calls") {
            "calls" => Sort::Calls,
            "errors" => Sort::Errors,
            "p95" => Sort::P95,
            "name" => Sort::Name,
            "last_used" | "last-used" => Sort::LastUsed,
            other => {
                return Err(ApiError::invalid(format!(
                    "cannot sort by `{other}`; use calls, errors, p95, name or last_used"
                )))
            }
        })
    }

    /// The list's order: `Less` when `a` comes first.
    fn order(self, a: &UsageRow, b: &UsageRow) -> Ordering {
        let by_measure = match self {
            Sort::Calls => b.calls.cmp(&a.calls),
            Sort::Errors => b.errors.cmp(&a.errors),
            Sort::P95 => match (a.p95_ms, b.p95_ms) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            Sort::Name => Ordering::Equal,
            Sort::LastUsed => b.last_used_at.cmp(&a.last_used_at),
        };
        by_measure
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Where a row stands in a list: what a cursor continues after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Position {
    /// A ranked row: the values its place depends on.
    Ranked {
        calls: i64,
        errors: i64,
        p95_ms: Option<f64>,
        last_used_at: Option<DateTime<Utc>>,
        name: String,
        id: Option<Uuid>,
    },
    /// A listed token.
    Listed { name: String, id: Uuid },
}

impl Position {
    fn ranked(row: &UsageRow) -> Position {
        Position::Ranked {
            calls: row.calls,
            errors: row.errors,
            p95_ms: row.p95_ms,
            last_used_at: row.last_used_at,
            name: row.name.clone(),
            id: row.id,
        }
    }

    /// A row that sorts exactly where a ranked position stands.
    fn probe(&self) -> Option<UsageRow> {
        let Position::Ranked {
            calls,
            errors,
            p95_ms,
            last_used_at,
            name,
            id,
        } = self
        else {
            return None;
        };
        let mut row = usage_row(*id, name.clone(), None, *last_used_at, &Agg::default());
        row.calls = *calls;
        row.errors = *errors;
        row.p95_ms = *p95_ms;
        Some(row)
    }
}

/// What a cursor of a usage list holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct After {
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    at: Position,
}

/// One row per token the caller can read, including tokens without calls.
#[utoipa::path(get, path = "/usage/tokens", tag = "usage", params(ListQuery, PageQuery),
    responses((status = 200, body = UsageRows), (status = 404, description = "No such team (`team`)", body = ErrorBody), (status = 422, description = "`invalid_input`: a window, sort or `limit` out of range; `invalid_cursor`: a cursor not issued for this list and these filters", body = ErrorBody)))]
pub(super) async fn token_rows(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<UsageRows>> {
    rows_of(&state, &caller, &q, &page, Dimension::Tokens).await
}

/// One row per route, including routes without calls; counts only calls of
/// tokens the caller can read.
#[utoipa::path(get, path = "/usage/routes", tag = "usage", params(ListQuery, PageQuery),
    responses((status = 200, body = UsageRows), (status = 403, body = ErrorBody), (status = 404, description = "No such team (`team`)", body = ErrorBody), (status = 422, description = "`invalid_input`: a window, sort or `limit` out of range; `invalid_cursor`: a cursor not issued for this list and these filters", body = ErrorBody)))]
pub(super) async fn route_rows(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<UsageRows>> {
    require(&caller.principal, Action::RouteRead, None)?;
    rows_of(&state, &caller, &q, &page, Dimension::Routes).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dimension {
    Tokens,
    Routes,
}

async fn rows_of(
    state: &AppState,
    caller: &Caller,
    q: &ListQuery,
    page: &PageQuery,
    dimension: Dimension,
) -> ApiResult<Json<UsageRows>> {
    let sort = Sort::parse(q.sort.as_deref())?;
    let mut window_query = WindowQuery {
        since: q.since.clone(),
        until: q.until.clone(),
        team: q.team.clone(),
    };
    let list = match dimension {
        Dimension::Tokens => List::UsageTokens,
        Dimension::Routes => List::UsageRoutes,
    };
    let filters = Filters::new()
        .with("since", q.since.as_deref())
        .with("until", q.until.as_deref())
        .with("team", q.team.as_deref())
        .with("sort", Some(format!("{sort:?}")));
    let pager = page.pager::<After>(list, filters)?;
    if let Some(after) = &pager.after {
        // The first page's window, whatever `since=24h` means now.
        window_query.since = Some(after.since.to_rfc3339());
        window_query.until = Some(after.until.to_rfc3339());
    }
    let ctx = context(state, caller, &window_query).await?;
    let rows = rollups(state, &ctx).await?;
    let by_route = dimension == Dimension::Routes;
    // Every row counts once: the ranked ones (with calls, and the calls
    // without a valid token or route) and the unrevoked tokens without
    // calls, whichever part of the order each falls into.
    let (ranked, total) = match dimension {
        Dimension::Tokens => {
            let active = active_token_rows(state, &ctx, &rows).await?;
            let unrevoked = state
                .db
                .count_unrevoked_tokens(ctx.scope.teams.clone(), team_of(&ctx))
                .await?;
            let unrevoked_active = active
                .iter()
                .filter(|(r, revoked)| r.id.is_some() && !revoked)
                .count() as i64;
            let idle = usize::try_from(unrevoked - unrevoked_active).unwrap_or(0);
            let total = active.len() + idle;
            let ranked = active
                .into_iter()
                .map(|(r, _)| r)
                .filter(|r| sort != Sort::Name || r.id.is_none())
                .collect();
            (ranked, total)
        }
        Dimension::Routes => {
            let ranked = route_rows_for(state, &rows).await?;
            let total = ranked.len();
            (ranked, total)
        }
    };
    let mut out = ranked_after(ranked, sort, pager.after.as_ref(), pager.fetch());
    if dimension == Dimension::Tokens && out.len() < pager.fetch() as usize {
        let more = pager.fetch() as usize - out.len();
        out.extend(listed_after(state, &ctx, &rows, sort, pager.after.as_ref(), more).await?);
    }
    let (since, until) = (ctx.plan.since, ctx.plan.until);
    let page = pager.page(out, |(_, at)| After {
        since,
        until,
        at: at.clone(),
    });
    let mut items: Vec<UsageRow> = page.items.into_iter().map(|(r, _)| r).collect();
    super::super::spend::priced(state, &ctx.scope, &ctx.plan)
        .await?
        .fill(&mut items, by_route);
    add_timelines(&ctx.plan, &rows, by_route, &mut items);
    Ok(Json(UsageRows {
        window: window(&ctx.plan),
        total,
        rows: items,
        next_cursor: page.next_cursor,
    }))
}

fn team_of(ctx: &Ctx) -> Option<Uuid> {
    ctx.scope
        .teams
        .as_ref()
        .filter(|t| t.len() == 1)
        .map(|t| t[0])
}

/// The ranked rows after `after` (all of them without a cursor), in
/// order, at most `fetch`.
fn ranked_after(
    mut ranked: Vec<UsageRow>,
    sort: Sort,
    after: Option<&After>,
    fetch: u32,
) -> Vec<(UsageRow, Position)> {
    if matches!(
        after,
        Some(After {
            at: Position::Listed { .. },
            ..
        })
    ) {
        return vec![];
    }
    ranked.sort_by(|a, b| sort.order(a, b));
    let start = match after.and_then(|a| a.at.probe()) {
        Some(probe) => ranked.partition_point(|r| sort.order(r, &probe) != Ordering::Greater),
        None => 0,
    };
    ranked
        .into_iter()
        .skip(start)
        .take(fetch as usize)
        .map(|r| {
            let at = Position::ranked(&r);
            (r, at)
        })
        .collect()
}

/// Up to `want` listed tokens after `after`, read from the tokens table a
/// page at a time: without `sort=name`, the unrevoked tokens without calls
/// in the window; with it, every token with its calls (revoked ones only
/// when they had calls).
async fn listed_after(
    state: &AppState,
    ctx: &Ctx,
    rows: &[(Key, Agg)],
    sort: Sort,
    after: Option<&After>,
    want: usize,
) -> ApiResult<Vec<(UsageRow, Position)>> {
    let mut sums = sums(rows, false);
    let mut key = match after.map(|a| &a.at) {
        Some(Position::Listed { name, id }) => Some((name.clone(), *id)),
        _ => None,
    };
    let with_revoked = sort == Sort::Name;
    let fetch = u32::try_from(want.clamp(1, api::paging::MAX_PAGE as usize + 1))
        .expect("at most a page and one");
    let mut out = Vec::with_capacity(want);
    while out.len() < want {
        let tokens = state
            .db
            .tokens_by_name(
                ctx.scope.teams.clone(),
                team_of(ctx),
                with_revoked,
                key.clone(),
                fetch,
            )
            .await?;
        let exhausted = tokens.len() < fetch as usize;
        for t in tokens {
            key = Some((t.name.clone(), t.id));
            let sum = sums.remove(&t.id);
            let keep = match sort {
                Sort::Name => sum.is_some() || t.status != api::TokenStatus::Revoked,
                _ => sum.is_none(),
            };
            if keep && out.len() < want {
                let at = Position::Listed {
                    name: t.name.clone(),
                    id: t.id,
                };
                let row = usage_row(
                    Some(t.id),
                    t.name,
                    Some(t.team),
                    t.last_used_at,
                    &sum.unwrap_or_default(),
                );
                out.push((row, at));
            }
        }
        if exhausted {
            break;
        }
    }
    Ok(out)
}

/// Rows (without timelines) for the tokens with calls in the window, each
/// with whether the token is revoked, and a row for calls without a valid
/// token, for those who may see them. Costs what the window's calls
/// cost, not what the number of tokens does.
pub(super) async fn active_token_rows(
    state: &AppState,
    ctx: &Ctx,
    rows: &[(Key, Agg)],
) -> ApiResult<Vec<(UsageRow, bool)>> {
    let mut sums: HashMap<Uuid, Agg> = sums(rows, false);
    let ids: Vec<Uuid> = sums.keys().copied().filter(|id| !id.is_nil()).collect();
    let tokens = state
        .db
        .tokens_by_ids(ctx.scope.teams.clone(), &ids)
        .await?;
    let mut out = Vec::with_capacity(tokens.len() + 1);
    for t in tokens {
        let Some(sum) = sums.remove(&t.id) else {
            continue;
        };
        let revoked = t.status == api::TokenStatus::Revoked;
        out.push((
            usage_row(Some(t.id), t.name, Some(t.team), t.last_used_at, &sum),
            revoked,
        ));
    }
    if let Some(sum) = sums.remove(&Uuid::nil()) {
        out.push((
            usage_row(None, "(no valid token)".into(), None, sum.last_at, &sum),
            false,
        ));
    }
    Ok(out)
}

/// Rows (without timelines) for every route, with zeros for routes without
/// calls.
pub(super) async fn route_rows_for(
    state: &AppState,
    rows: &[(Key, Agg)],
) -> ApiResult<Vec<UsageRow>> {
    let mut sums = sums(rows, true);
    let mut out = Vec::new();
    for r in state.db.list_routes().await? {
        let sum = sums.remove(&r.id).unwrap_or_default();
        out.push(usage_row(Some(r.id), r.name, None, sum.last_at, &sum));
    }
    if let Some(sum) = sums.remove(&Uuid::nil()) {
        out.push(usage_row(
            None,
            "(no route)".into(),
            None,
            sum.last_at,
            &sum,
        ));
    }
    // Routes removed since: their calls still count.
    for (id, sum) in sums {
        out.push(usage_row(
            Some(id),
            "(removed route)".into(),
            None,
            sum.last_at,
            &sum,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, calls: i64, p95: Option<f64>) -> UsageRow {
        let mut r = usage_row(
            Some(Uuid::new_v4()),
            name.into(),
            None,
            None,
            &Agg::default(),
        );
        r.calls = calls;
        r.p95_ms = p95;
        r
    }

    /// Pages of any size, each continuing after the last row of the one
    /// before, give every row once, in the order of one sort.
    #[test]
    fn ranked_pages_neither_skip_nor_repeat() {
        let rows: Vec<UsageRow> = (0..23)
            .map(|i| {
                row(
                    &format!("t{}", i % 7),
                    i % 4,
                    (i % 3 != 0).then_some(i as f64),
                )
            })
            .collect();
        for sort in [
            Sort::Calls,
            Sort::Errors,
            Sort::P95,
            Sort::Name,
            Sort::LastUsed,
        ] {
            let mut whole = rows.clone();
            whole.sort_by(|a, b| sort.order(a, b));
            for size in 1..=24u32 {
                let mut seen = Vec::new();
                let mut after: Option<After> = None;
                loop {
                    let page = ranked_after(rows.clone(), sort, after.as_ref(), size + 1);
                    let more = page.len() > size as usize;
                    let page: Vec<_> = page.into_iter().take(size as usize).collect();
                    after = page.last().map(|(_, at)| After {
                        since: DateTime::UNIX_EPOCH,
                        until: DateTime::UNIX_EPOCH,
                        at: at.clone(),
                    });
                    seen.extend(page.into_iter().map(|(r, _)| r.id));
                    if !more {
                        break;
                    }
                }
                let want: Vec<_> = whole.iter().map(|r| r.id).collect();
                assert_eq!(seen, want, "{sort:?}, pages of {size}");
            }
        }
    }

    #[test]
    fn the_order_of_each_sort() {
        let a = row("a", 5, Some(9.0));
        let b = row("b", 7, None);
        assert_eq!(Sort::Calls.order(&b, &a), Ordering::Less);
        assert_eq!(Sort::P95.order(&a, &b), Ordering::Less, "no p95 comes last");
        assert_eq!(Sort::Name.order(&a, &b), Ordering::Less);
        assert!(Sort::parse(Some("vibes")).is_err());
        assert_eq!(Sort::parse(Some("last-used")).unwrap(), Sort::LastUsed);
    }

    #[test]
    fn a_cursor_position_round_trips_through_json() {
        let mut r = row("x", 3, Some(0.1 + 0.2));
        r.last_used_at = Some(Utc::now());
        let at = Position::ranked(&r);
        let back: Position = serde_json::from_str(&serde_json::to_string(&at).unwrap()).unwrap();
        assert_eq!(back, at);
        assert_eq!(Sort::P95.order(&back.probe().unwrap(), &r), Ordering::Equal);
    }
}
