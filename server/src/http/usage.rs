//! `/v1/usage…` reports and `/v1/overview`: read from the rollups (totals,
//! rates, percentiles, timelines) and from raw events (recent calls, status
//! codes). Every report is scoped to the tokens the caller may read.

use super::answers::{Forbidden, NotFound};
use super::tokens::resolve_team;
use super::{ApiPath, ApiQuery, AppState};
use crate::api::{
    self, input, ErrorBody, Overview, RouteUsage, StatusCount, TokenUsage, UsageCall, UsageRow,
    UsageSummary, UsageTotals, UsageWindow,
};
use crate::auth::Caller;
use crate::db::{AuditFilter, UsageScope};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, require, Action};
use crate::usage::{status_class, Agg, Histogram, Key, Plan, Retention, WindowLimits};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

mod lists;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(lists::token_rows))
        .routes(routes!(lists::route_rows))
        .routes(routes!(token_detail))
        .routes(routes!(route_detail))
        .routes(routes!(recent))
        .routes(routes!(overview))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WindowQuery {
    /// `1h`, `24h` (default), `7d`, `30d`, a date or an RFC 3339 time.
    #[param(example = "24h")]
    since: Option<String>,
    /// Same forms; default now.
    #[param(example = "1h")]
    until: Option<String>,
    /// Only this team (name or id).
    team: Option<String>,
}

struct Ctx {
    plan: Plan,
    scope: UsageScope,
}

/// The limits on report windows: from the usage retention, so a window
/// never spans more than the longest-kept rollups, and each is read from
/// the finest level that still keeps its start.
///
/// Only the raw-event retention is configurable (`--usage-retention`);
/// rollups are always kept as long as `Retention::default()` says, which
/// is therefore the retention the server runs with for this purpose.
fn window_limits() -> WindowLimits {
    Retention::default().window_limits()
}

/// The window a report covers; a 422 naming the limit when it is empty,
/// too long or needs too many buckets.
fn plan(q: &WindowQuery) -> ApiResult<Plan> {
    let now = api::now();
    let since = input::moment("since", q.since.as_deref().unwrap_or("24h"), now)?;
    let until = match q.until.as_deref() {
        Some(u) => input::moment("until", u, now)?,
        None => now,
    };
    Plan::for_window(since, until, now, &window_limits())
        .map_err(|e| ApiError::invalid(e.to_string()))
}

async fn context(state: &AppState, caller: &Caller, q: &WindowQuery) -> ApiResult<Ctx> {
    let plan = plan(q)?;
    let teams = match q.team.as_deref() {
        Some(t) => Some(vec![resolve_team(state, caller, Some(t)).await?.id]),
        None => caller.principal.readable_teams(),
    };
    Ok(Ctx {
        plan,
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
        rollup: plan.level.name().to_string(),
        uncovered_until: plan.uncovered_until,
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

/// Sums per token (or route) id, without timelines: all that sorting and
/// limiting need. `by_route` picks the dimension. Memory grows with the
/// number of ids, not with the window's buckets.
fn sums(rows: &[(Key, Agg)], by_route: bool) -> HashMap<Uuid, Agg> {
    let mut out: HashMap<Uuid, Agg> = HashMap::new();
    for (k, a) in rows {
        let id = if by_route { k.route_id } else { k.token_id };
        out.entry(id).or_default().merge(a);
    }
    out
}

/// A list row from its sums; the timeline is filled in by
/// [`add_timelines`] once the rows to return are known.
fn usage_row(
    id: Option<Uuid>,
    name: String,
    team: Option<String>,
    last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    agg: &Agg,
) -> UsageRow {
    UsageRow {
        id,
        name,
        team,
        calls: agg.requests,
        errors: agg.errors,
        success_rate: rate(agg),
        p50_ms: agg.hist.quantile(0.50),
        p95_ms: agg.hist.quantile(0.95),
        p99_ms: agg.hist.quantile(0.99),
        last_used_at,
        timeline: vec![],
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: None,
    }
}

/// Gives each of `out` (rows returned, after sort and limit) its timeline
/// of calls per bucket, from the rollup rows of its id (`None` = nil).
fn add_timelines(plan: &Plan, rows: &[(Key, Agg)], by_route: bool, out: &mut [UsageRow]) {
    let position: HashMap<Uuid, usize> = out
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.unwrap_or(Uuid::nil()), i))
        .collect();
    for r in out.iter_mut() {
        r.timeline = vec![0; plan.buckets()];
    }
    for (k, a) in rows {
        let id = if by_route { k.route_id } else { k.token_id };
        if let (Some(&i), Some(b)) = (position.get(&id), plan.index(k.bucket)) {
            out[i].timeline[b] += a.requests;
        }
    }
}

/// One tally over all rows, with per-bucket histograms if asked for.
fn tally_all(ctx: &Ctx, rows: &[(Key, Agg)], with_hists: bool) -> Tally {
    let mut all = Tally::new(&ctx.plan, with_hists);
    for (k, a) in rows {
        all.add(&ctx.plan, k, a);
    }
    all
}

/// Rows of the tokens with calls in the window (the calls without a valid
/// token among them).
async fn active_tokens(
    state: &AppState,
    ctx: &Ctx,
    rows: &[(Key, Agg)],
) -> ApiResult<Vec<UsageRow>> {
    Ok(lists::active_token_rows(state, ctx, rows)
        .await?
        .into_iter()
        .map(|(row, _)| row)
        .collect())
}

fn most_calls_first(a: &UsageRow, b: &UsageRow) -> std::cmp::Ordering {
    b.calls.cmp(&a.calls).then(a.name.cmp(&b.name))
}

/// Rows with calls, most calls first, at most `limit`, with timelines.
fn busiest(
    ctx: &Ctx,
    rows: &[(Key, Agg)],
    by_route: bool,
    list: Vec<UsageRow>,
    limit: usize,
) -> Vec<UsageRow> {
    let mut list: Vec<UsageRow> = list.into_iter().filter(|r| r.calls > 0).collect();
    list.sort_by(most_calls_first);
    list.truncate(limit);
    add_timelines(&ctx.plan, rows, by_route, &mut list);
    list
}

/// Overview: calls, success rate, errors by class, latency percentiles,
/// timelines of calls, errors and p50/p95 latency, top 5 tokens and routes.
#[utoipa::path(get, path = "/usage", tag = "usage", params(WindowQuery),
    responses((status = 200, body = UsageSummary), (status = 404, description = "No such team (`team`)", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<UsageSummary>> {
    let ctx = context(&state, &caller, &q).await?;
    let rows = rollups(&state, &ctx).await?;
    let mut all = tally_all(&ctx, &rows, true);
    let hists = all.hists.take().unwrap_or_default();
    let tokens = active_tokens(&state, &ctx, &rows).await?;
    let priced = super::spend::priced(&state, &ctx.scope, &ctx.plan).await?;
    let mut top_tokens = busiest(&ctx, &rows, false, tokens, 5);
    priced.fill(&mut top_tokens, false);
    let mut top_routes = if allowed(&caller.principal, Action::RouteRead, None) {
        let routes = lists::route_rows_for(&state, &rows).await?;
        busiest(&ctx, &rows, true, routes, 5)
    } else {
        vec![]
    };
    priced.fill(&mut top_routes, true);
    Ok(Json(UsageSummary {
        window: window(&ctx.plan),
        totals: all.totals(),
        calls_timeline: all.calls.clone(),
        errors_timeline: all.errors.clone(),
        p50_timeline: hists.iter().map(|h| h.quantile(0.50)).collect(),
        p95_timeline: hists.iter().map(|h| h.quantile(0.95)).collect(),
        top_tokens,
        top_routes,
        llm: priced.summary(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DetailQuery {
    /// `1h`, `24h` (default), `7d`, `30d`, a date or an RFC 3339 time.
    #[param(example = "24h")]
    since: Option<String>,
    /// Same forms; default now.
    #[param(example = "1h")]
    until: Option<String>,
    /// How many recent calls to include (default 20, at most 1000).
    #[param(maximum = 4294967295.0)]
    recent: Option<u32>,
}

impl DetailQuery {
    fn window(&self) -> WindowQuery {
        WindowQuery {
            since: self.since.clone(),
            until: self.until.clone(),
            team: None,
        }
    }
}

/// One token: totals, timeline, breakdown by route and by status, recent calls.
#[utoipa::path(get, path = "/usage/tokens/{reference}", tag = "usage",
    params(("reference" = String, Path, description = "Token id or name (never a secret: look those up with `POST /v1/tokens/lookup`)", example = "n8n-prod"), DetailQuery),
    responses((status = 200, body = TokenUsage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    let routes = lists::route_rows_for(&state, &rows).await?;
    let mut by_route = busiest(&ctx, &rows, true, routes, input::MAX_REPORT_ROWS);
    let priced = super::spend::priced(&state, &ctx.scope, &ctx.plan).await?;
    priced.fill(&mut by_route, true);
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
    let quotas = state.db.quota_status(token.id, token.team_id).await?;
    Ok(Json(TokenUsage {
        window: window(&ctx.plan),
        token,
        totals: all.totals(),
        calls_timeline: all.calls.clone(),
        errors_timeline: all.errors.clone(),
        by_route,
        by_status,
        recent,
        llm: priced.summary(),
        quotas,
    }))
}

/// One route: totals, latency trend, top tokens, recent calls.
#[utoipa::path(get, path = "/usage/routes/{reference}", tag = "usage",
    params(("reference" = String, Path, description = "Route id, name or path", example = "openai"), DetailQuery),
    responses((status = 200, body = RouteUsage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    let tokens = active_tokens(&state, &ctx, &rows).await?;
    let mut top_tokens = busiest(&ctx, &rows, false, tokens, 5);
    let priced = super::spend::priced(&state, &ctx.scope, &ctx.plan).await?;
    priced.fill(&mut top_tokens, false);
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
        llm: priced.summary(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecentQuery {
    /// 1-1000, default 100.
    #[param(maximum = 4294967295.0)]
    limit: Option<u32>,
    /// Token id or name (never a secret).
    token: Option<String>,
    /// Route id, name or path.
    route: Option<String>,
    /// Only this HTTP status.
    #[param(maximum = 65535)]
    status: Option<u16>,
    /// Team name or id.
    team: Option<String>,
}

/// The most recent calls, newest first.
#[utoipa::path(get, path = "/usage/recent", tag = "usage", params(RecentQuery),
    responses((status = 200, body = Vec<UsageCall>), Forbidden, NotFound,
        (status = 422, description = "`token` matches several tokens (`ambiguous_reference`)", body = ErrorBody)))]
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

/// The most tokens the overview lists as expiring soon.
const EXPIRING_SOON_MAX: u32 = 100;

/// The dashboard: counts (in total, and tokens per team), tokens expiring
/// within 30 days (the 100 soonest), tokens created per day over 7 days, recent audit
/// activity — all scoped to the caller.
#[utoipa::path(get, path = "/overview", tag = "usage", responses((status = 200, body = Overview)))]
async fn overview(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Overview>> {
    let p = &caller.principal;
    let now = api::now();
    let readable = p.readable_teams();
    let mut counts = state.db.overview_counts(readable.clone(), now).await?;
    let tokens_per_team = state
        .db
        .team_counts(readable.clone(), now)
        .await?
        .into_iter()
        .filter(|c| allowed(p, Action::TokenRead, Some(c.team_id)))
        .map(|c| api::TeamTokens {
            team_id: c.team_id,
            team: c.team,
            active: c.active,
            expired: c.expired,
            revoked: c.revoked,
        })
        .collect();
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
    let expiring_soon = state
        .db
        .tokens_expiring_soonest(
            readable.clone(),
            now + chrono::Duration::days(30),
            EXPIRING_SOON_MAX,
        )
        .await?;
    let today = now.date_naive();
    let first_day = today - chrono::Duration::days(6);
    let since = first_day.and_time(chrono::NaiveTime::MIN).and_utc();
    let created = state
        .db
        .tokens_created_since(readable.clone(), since)
        .await?;
    let created_per_day = (0..7)
        .rev()
        .map(|d| {
            let date = today - chrono::Duration::days(d);
            api::DayCount {
                date,
                count: created.iter().filter(|t| t.date_naive() == date).count() as i64,
            }
        })
        .collect();
    let entries = state
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
        tokens_per_team,
        expiring_soon,
        created_per_day,
        recent_activity: entries,
    }))
}
