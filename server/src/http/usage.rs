//! `/v1/usage…` reports and `/v1/overview`: read from the rollups (totals,
//! rates, percentiles, timelines) and from raw events (recent calls, status
//! codes). Every report is scoped to the tokens the caller may read.

use super::tokens::resolve_team;
use super::{ApiPath, ApiQuery, AppState};
use crate::api::{
    self, input, AuditPage, ErrorBody, Overview, RouteUsage, StatusCount, TokenUsage, UsageCall,
    UsageRow, UsageRows, UsageSummary, UsageTotals, UsageWindow,
};
use crate::auth::Caller;
use crate::db::{AuditFilter, UsageScope};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, require, Action};
use crate::usage::{status_class, Agg, Histogram, Key, Plan};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(token_rows))
        .routes(routes!(route_rows))
        .routes(routes!(token_detail))
        .routes(routes!(route_detail))
        .routes(routes!(recent))
        .routes(routes!(overview))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WindowQuery {
    /// `1h`, `24h` (default), `7d`, `30d`, a date or an RFC 3339 time.
    since: Option<String>,
    /// Same forms; default now.
    until: Option<String>,
    /// Only this team (name or id).
    team: Option<String>,
    /// For lists: `calls` (default), `errors`, `p95`, `name`, `last_used`.
    sort: Option<String>,
    /// For lists: at most this many rows.
    limit: Option<usize>,
}

struct Ctx {
    plan: Plan,
    scope: UsageScope,
}

async fn context(state: &AppState, caller: &Caller, q: &WindowQuery) -> ApiResult<Ctx> {
    let now = api::now();
    let since = input::moment("since", q.since.as_deref().unwrap_or("24h"), now)?;
    let until = match q.until.as_deref() {
        Some(u) => input::moment("until", u, now)?,
        None => now,
    };
    if since >= until {
        return Err(ApiError::invalid("`since` must be before `until`"));
    }
    let teams = match q.team.as_deref() {
        Some(t) => Some(vec![resolve_team(state, caller, Some(t)).await?.id]),
        None => caller.principal.readable_teams(),
    };
    Ok(Ctx {
        plan: Plan::for_window(since, until),
        scope: UsageScope {
            teams,
            token: None,
            route: None,
        },
    })
}

fn window(plan: &Plan) -> UsageWindow {
    UsageWindow {
        since: plan.since,
        until: plan.until,
        bucket: plan.bucket_label(),
        bucket_secs: plan.bucket.num_seconds(),
        buckets: plan.buckets(),
    }
}

/// Sums of rollup rows, with a timeline.
#[derive(Default)]
struct Tally {
    agg: Agg,
    by_status: BTreeMap<i16, i64>,
    calls: Vec<i64>,
    errors: Vec<i64>,
    /// Per-bucket histograms, only where asked for.
    hists: Option<Vec<Histogram>>,
}

impl Tally {
    fn new(plan: &Plan, with_hists: bool) -> Tally {
        let n = plan.buckets();
        Tally {
            calls: vec![0; n],
            errors: vec![0; n],
            hists: with_hists.then(|| vec![Histogram::default(); n]),
            ..Tally::default()
        }
    }

    fn add(&mut self, plan: &Plan, key: &Key, agg: &Agg) {
        self.agg.merge(agg);
        *self.by_status.entry(key.status).or_default() += agg.requests;
        if let Some(i) = plan.index(key.bucket) {
            self.calls[i] += agg.requests;
            self.errors[i] += agg.errors;
            if let Some(h) = &mut self.hists {
                h[i].merge(&agg.hist);
            }
        }
    }

    fn totals(&self) -> UsageTotals {
        let a = &self.agg;
        UsageTotals {
            calls: a.requests,
            errors: a.errors,
            success_rate: rate(a),
            by_class: self
                .by_status
                .iter()
                .fold(BTreeMap::new(), |mut classes, (status, n)| {
                    *classes
                        .entry(format!("{}xx", status_class(*status)))
                        .or_default() += *n;
                    classes
                }),
            avg_ms: (a.requests > 0).then(|| a.latency_sum / a.requests as f64),
            p50_ms: a.hist.quantile(0.50),
            p95_ms: a.hist.quantile(0.95),
            p99_ms: a.hist.quantile(0.99),
            bytes_in: a.bytes_in,
            bytes_out: a.bytes_out,
        }
    }

    fn row(
        &self,
        id: Option<Uuid>,
        name: String,
        team: Option<String>,
        last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> UsageRow {
        let a = &self.agg;
        UsageRow {
            id,
            name,
            team,
            calls: a.requests,
            errors: a.errors,
            success_rate: rate(a),
            p50_ms: a.hist.quantile(0.50),
            p95_ms: a.hist.quantile(0.95),
            p99_ms: a.hist.quantile(0.99),
            last_used_at,
            timeline: self.calls.clone(),
        }
    }
}

fn rate(a: &Agg) -> Option<f64> {
    (a.requests > 0).then(|| (a.requests - a.errors) as f64 * 100.0 / a.requests as f64)
}

async fn rollups(state: &AppState, ctx: &Ctx) -> ApiResult<Vec<(Key, Agg)>> {
    state
        .db
        .usage_rollups(
            ctx.scope.clone(),
            ctx.plan.level,
            ctx.plan.since,
            ctx.plan.until,
        )
        .await
}

/// One tally per token (or route) id; `by_route` picks the dimension.
fn tallies(ctx: &Ctx, rows: &[(Key, Agg)], by_route: bool) -> HashMap<Uuid, Tally> {
    let mut out: HashMap<Uuid, Tally> = HashMap::new();
    for (k, a) in rows {
        let id = if by_route { k.route_id } else { k.token_id };
        out.entry(id)
            .or_insert_with(|| Tally::new(&ctx.plan, false))
            .add(&ctx.plan, k, a);
    }
    out
}

/// One tally over all rows, with per-bucket histograms if asked for.
fn tally_all(ctx: &Ctx, rows: &[(Key, Agg)], with_hists: bool) -> Tally {
    let mut all = Tally::new(&ctx.plan, with_hists);
    for (k, a) in rows {
        all.add(&ctx.plan, k, a);
    }
    all
}

fn most_calls_first(a: &UsageRow, b: &UsageRow) -> std::cmp::Ordering {
    b.calls.cmp(&a.calls).then(a.name.cmp(&b.name))
}

/// Rows with calls, most calls first, at most `limit`.
fn busiest(rows: Vec<UsageRow>, limit: usize) -> Vec<UsageRow> {
    let mut rows: Vec<UsageRow> = rows.into_iter().filter(|r| r.calls > 0).collect();
    rows.sort_by(most_calls_first);
    rows.truncate(limit);
    rows
}

fn sort_rows(rows: &mut [UsageRow], sort: Option<&str>) -> ApiResult<()> {
    match sort.unwrap_or("calls") {
        "calls" => rows.sort_by(most_calls_first),
        "errors" => rows.sort_by(|a, b| b.errors.cmp(&a.errors).then(a.name.cmp(&b.name))),
        "p95" => rows.sort_by(|a, b| {
            b.p95_ms
                .partial_cmp(&a.p95_ms)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.name.cmp(&b.name))
        }),
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "last_used" | "last-used" => rows.sort_by(|a, b| {
            b.last_used_at
                .cmp(&a.last_used_at)
                .then(a.name.cmp(&b.name))
        }),
        other => {
            return Err(ApiError::invalid(format!(
                "cannot sort by `{other}`; use calls, errors, p95, name or last_used"
            )))
        }
    }
    Ok(())
}

/// Rows for every visible token, with zeros for tokens without calls.
async fn token_rows_for(
    state: &AppState,
    caller: &Caller,
    ctx: &Ctx,
    rows: &[(Key, Agg)],
) -> ApiResult<Vec<UsageRow>> {
    let mut tallies = tallies(ctx, rows, false);
    let team = ctx
        .scope
        .teams
        .as_ref()
        .filter(|t| t.len() == 1)
        .map(|t| t[0]);
    let tokens = state
        .db
        .list_tokens(
            caller.principal.readable_teams(),
            team,
            api::StatusFilter::All,
        )
        .await?;
    let mut out = Vec::new();
    for t in tokens {
        let tally = tallies.remove(&t.id);
        if tally.is_none() && t.status == api::TokenStatus::Revoked {
            continue; // revoked and unused in the window: not worth a row
        }
        let tally = tally.unwrap_or_else(|| Tally::new(&ctx.plan, false));
        out.push(tally.row(Some(t.id), t.name, Some(t.team), t.last_used_at));
    }
    // Calls without a known token (missing or invalid tokens), for those who may see them.
    if let Some(tally) = tallies.remove(&Uuid::nil()) {
        out.push(tally.row(None, "(no valid token)".into(), None, tally.agg.last_at));
    }
    Ok(out)
}

/// Rows for every route, with zeros for routes without calls.
async fn route_rows_for(
    state: &AppState,
    ctx: &Ctx,
    rows: &[(Key, Agg)],
) -> ApiResult<Vec<UsageRow>> {
    let mut tallies = tallies(ctx, rows, true);
    let mut out = Vec::new();
    for r in state.db.list_routes().await? {
        let tally = tallies
            .remove(&r.id)
            .unwrap_or_else(|| Tally::new(&ctx.plan, false));
        let last = tally.agg.last_at;
        out.push(tally.row(Some(r.id), r.name, None, last));
    }
    if let Some(tally) = tallies.remove(&Uuid::nil()) {
        out.push(tally.row(None, "(no route)".into(), None, tally.agg.last_at));
    }
    // Routes removed since: their calls still count.
    for (id, tally) in tallies {
        out.push(tally.row(Some(id), "(removed route)".into(), None, tally.agg.last_at));
    }
    Ok(out)
}

/// Overview: calls, success rate, errors by class, latency percentiles,
/// timelines of calls and errors, top 5 tokens and routes.
#[utoipa::path(get, path = "/usage", tag = "usage", params(WindowQuery),
    responses((status = 200, body = UsageSummary), (status = 422, body = ErrorBody)))]
async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<UsageSummary>> {
    let ctx = context(&state, &caller, &q).await?;
    let rows = rollups(&state, &ctx).await?;
    let all = tally_all(&ctx, &rows, false);
    let top_tokens = busiest(token_rows_for(&state, &caller, &ctx, &rows).await?, 5);
    let top_routes = if allowed(&caller.principal, Action::RouteRead, None) {
        busiest(route_rows_for(&state, &ctx, &rows).await?, 5)
    } else {
        vec![]
    };
    Ok(Json(UsageSummary {
        window: window(&ctx.plan),
        totals: all.totals(),
        calls_timeline: all.calls.clone(),
        errors_timeline: all.errors.clone(),
        top_tokens,
        top_routes,
    }))
}

/// One row per token the caller can read, including tokens without calls.
#[utoipa::path(get, path = "/usage/tokens", tag = "usage", params(WindowQuery),
    responses((status = 200, body = UsageRows), (status = 422, body = ErrorBody)))]
async fn token_rows(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<UsageRows>> {
    let ctx = context(&state, &caller, &q).await?;
    let rows = rollups(&state, &ctx).await?;
    let mut out = token_rows_for(&state, &caller, &ctx, &rows).await?;
    sort_rows(&mut out, q.sort.as_deref())?;
    if let Some(limit) = q.limit {
        out.truncate(limit);
    }
    Ok(Json(UsageRows {
        window: window(&ctx.plan),
        rows: out,
    }))
}

/// One row per route, including routes without calls; counts only calls of
/// tokens the caller can read.
#[utoipa::path(get, path = "/usage/routes", tag = "usage", params(WindowQuery),
    responses((status = 200, body = UsageRows), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn route_rows(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<UsageRows>> {
    require(&caller.principal, Action::RouteRead, None)?;
    let ctx = context(&state, &caller, &q).await?;
    let rows = rollups(&state, &ctx).await?;
    let mut out = route_rows_for(&state, &ctx, &rows).await?;
    sort_rows(&mut out, q.sort.as_deref())?;
    if let Some(limit) = q.limit {
        out.truncate(limit);
    }
    Ok(Json(UsageRows {
        window: window(&ctx.plan),
        rows: out,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DetailQuery {
    /// `1h`, `24h` (default), `7d`, `30d`, a date or an RFC 3339 time.
    since: Option<String>,
    until: Option<String>,
    /// How many recent calls to include (default 20, at most 1000).
    recent: Option<u32>,
}

impl DetailQuery {
    fn window(&self) -> WindowQuery {
        WindowQuery {
            since: self.since.clone(),
            until: self.until.clone(),
            team: None,
            sort: None,
            limit: None,
        }
    }
}

/// One token: totals, timeline, breakdown by route and by status, recent calls.
#[utoipa::path(get, path = "/usage/tokens/{reference}", tag = "usage",
    params(("reference" = String, Path, description = "Token id or name"), DetailQuery),
    responses((status = 200, body = TokenUsage), (status = 404, body = ErrorBody)))]
async fn token_detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<DetailQuery>,
) -> ApiResult<Json<TokenUsage>> {
    let mut ctx = context(&state, &caller, &q.window()).await?;
    let token = super::tokens::resolve_token(&state, &caller, &reference, None).await?;
    ctx.scope.token = Some(token.id);
    let rows = rollups(&state, &ctx).await?;
    let all = tally_all(&ctx, &rows, false);
    let by_route = busiest(route_rows_for(&state, &ctx, &rows).await?, usize::MAX);
    let by_status = all
        .by_status
        .iter()
        .map(|(status, calls)| StatusCount {
            status: u16::try_from(*status).unwrap_or(0),
            calls: *calls,
        })
        .collect();
    let recent = state
        .db
        .usage_recent(ctx.scope.clone(), None, q.recent.unwrap_or(20))
        .await?;
    Ok(Json(TokenUsage {
        window: window(&ctx.plan),
        token,
        totals: all.totals(),
        calls_timeline: all.calls.clone(),
        errors_timeline: all.errors.clone(),
        by_route,
        by_status,
        recent,
    }))
}

/// One route: totals, latency trend, top tokens, recent calls.
#[utoipa::path(get, path = "/usage/routes/{reference}", tag = "usage",
    params(("reference" = String, Path, description = "Route id, name or path"), DetailQuery),
    responses((status = 200, body = RouteUsage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn route_detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<DetailQuery>,
) -> ApiResult<Json<RouteUsage>> {
    require(&caller.principal, Action::RouteRead, None)?;
    let mut ctx = context(&state, &caller, &q.window()).await?;
    let route = state
        .db
        .find_route(&reference)
        .await?
        .ok_or_else(|| ApiError::not_found("route", &reference))?;
    ctx.scope.route = Some(route.id);
    let rows = rollups(&state, &ctx).await?;
    let mut all = tally_all(&ctx, &rows, true);
    let top_tokens = busiest(token_rows_for(&state, &caller, &ctx, &rows).await?, 5);
    let hists = all.hists.take().unwrap_or_default();
    let recent = state
        .db
        .usage_recent(ctx.scope.clone(), None, q.recent.unwrap_or(20))
        .await?;
    Ok(Json(RouteUsage {
        window: window(&ctx.plan),
        route,
        totals: all.totals(),
        calls_timeline: all.calls.clone(),
        p50_timeline: hists.iter().map(|h| h.quantile(0.50)).collect(),
        p95_timeline: hists.iter().map(|h| h.quantile(0.95)).collect(),
        top_tokens,
        recent,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecentQuery {
    /// 1-1000, default 100.
    limit: Option<u32>,
    /// Token id or name.
    token: Option<String>,
    /// Route id, name or path.
    route: Option<String>,
    /// Only this HTTP status.
    status: Option<u16>,
    /// Team name or id.
    team: Option<String>,
}

/// The most recent calls, newest first.
#[utoipa::path(get, path = "/usage/recent", tag = "usage", params(RecentQuery),
    responses((status = 200, body = Vec<UsageCall>), (status = 404, body = ErrorBody)))]
async fn recent(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RecentQuery>,
) -> ApiResult<Json<Vec<UsageCall>>> {
    let mut scope = UsageScope {
        teams: match q.team.as_deref() {
            Some(t) => Some(vec![resolve_team(&state, &caller, Some(t)).await?.id]),
            None => caller.principal.readable_teams(),
        },
        token: None,
        route: None,
    };
    if let Some(t) = q.token.as_deref() {
        scope.token = Some(
            super::tokens::resolve_token(&state, &caller, t, None)
                .await?
                .id,
        );
    }
    if let Some(r) = q.route.as_deref() {
        require(&caller.principal, Action::RouteRead, None)?;
        scope.route = Some(
            state
                .db
                .find_route(r)
                .await?
                .ok_or_else(|| ApiError::not_found("route", r))?
                .id,
        );
    }
    Ok(Json(
        state
            .db
            .usage_recent(scope, q.status, q.limit.unwrap_or(100))
            .await?,
    ))
}

/// The dashboard: counts, tokens expiring within 30 days, tokens created
/// per day over 7 days, recent audit activity — all scoped to the caller.
#[utoipa::path(get, path = "/overview", tag = "usage", responses((status = 200, body = Overview)))]
async fn overview(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Overview>> {
    let p = &caller.principal;
    let now = api::now();
    let readable = p.readable_teams();
    let mut counts = state.db.overview_counts(readable.clone(), now).await?;
    if !allowed(p, Action::RouteRead, None) {
        counts.routes = 0;
    }
    if !p.user.global_admin {
        counts.users = state
            .db
            .list_users(readable.clone(), p.user.id)
            .await?
            .len() as i64;
    }
    let tokens = state
        .db
        .list_tokens(readable.clone(), None, api::StatusFilter::All)
        .await?;
    let mut expiring_soon: Vec<api::Token> = tokens
        .iter()
        .filter(|t| {
            t.status == api::TokenStatus::Active
                && t.expires_at
                    .is_some_and(|e| e <= now + chrono::Duration::days(30))
        })
        .cloned()
        .collect();
    expiring_soon.sort_by_key(|t| t.expires_at);
    let today = now.date_naive();
    let created_per_day = (0..7)
        .rev()
        .map(|d| {
            let date = today - chrono::Duration::days(d);
            api::DayCount {
                date,
                count: tokens
                    .iter()
                    .filter(|t| t.created_at.date_naive() == date)
                    .count() as i64,
            }
        })
        .collect();
    let AuditPage { entries, .. } = state
        .db
        .list_audit(AuditFilter {
            limit: 10,
            readable_teams: readable,
            reader: Some(p.user.id),
            ..AuditFilter::default()
        })
        .await?;
    Ok(Json(Overview {
        counts,
        expiring_soon,
        created_per_day,
        recent_activity: entries,
    }))
}
