//! Usage reports and the overview.

use super::{AuditEntry, Route, TeamTokens, Token};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The window a report covers, aligned to whole buckets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageWindow {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Timeline bucket width, e.g. `1h`.
    pub bucket: String,
    pub bucket_secs: i64,
    pub buckets: usize,
    /// The rollups read: `minute`, `hour` or `day` — the level whose
    /// buckets the span calls for, or a coarser one when that no longer
    /// keeps the window's start (minute rollups are kept 7 days, hourly
    /// 180 days, daily 2 years).
    #[serde(default)]
    pub rollup: String,
    /// Set when the window starts before the oldest usage data still kept
    /// (even by the daily rollups): the window is not covered before this
    /// time — calls there were deleted by retention, not absent. May be
    /// after `until` (nothing of the window is kept). `null` when the whole
    /// window is covered.
    #[serde(default)]
    pub uncovered_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UsageTotals {
    pub calls: i64,
    /// Calls answered with status ≥ 400 (by the gateway or the upstream).
    pub errors: i64,
    /// Percent of calls below 400; absent when there were no calls.
    pub success_rate: Option<f64>,
    /// Calls per status class: `2xx`, `3xx`, `4xx`, `5xx`.
    pub by_class: std::collections::BTreeMap<String, i64>,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub bytes_in: i64,
    pub bytes_out: i64,
}

/// LLM tokens and their cost for one model (see `docs/spend.md`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ModelSpend {
    /// The model the responses named; `null` when they named none.
    pub model: Option<String>,
    /// Calls that reported token counts.
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Of `input_tokens`, those read from the provider's prompt cache.
    pub cached_input_tokens: i64,
    /// Exact decimal USD of the calls priced (each bucket at the price in
    /// force at its start), e.g. `0.001234`; `null` when none was priced.
    pub cost_usd: Option<String>,
    /// Calls with token counts whose model had no price at the time.
    pub unpriced_calls: i64,
}

/// LLM tokens and cost in a report: the totals and one entry per model.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LlmSpend {
    /// Calls that reported token counts.
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_input_tokens: i64,
    /// Exact decimal USD of the priced calls; `null` when none was priced.
    pub cost_usd: Option<String>,
    /// Calls with token counts whose model had no price at the time.
    pub unpriced_calls: i64,
    /// Most input and output tokens first.
    pub by_model: Vec<ModelSpend>,
}

/// One token or route in a usage list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageRow {
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub calls: i64,
    pub errors: i64,
    pub success_rate: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Calls per timeline bucket.
    pub timeline: Vec<i64>,
    /// LLM input and output tokens, and their cost (exact decimal USD;
    /// `null` when no call was priced).
    #[serde(default)]
    pub input_tokens: i64,
    #[serde(default)]
    pub output_tokens: i64,
    #[serde(default)]
    pub cost_usd: Option<String>,
}

/// `GET /v1/usage`: the overview.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageSummary {
    pub window: UsageWindow,
    pub totals: UsageTotals,
    pub calls_timeline: Vec<i64>,
    pub errors_timeline: Vec<i64>,
    /// p50 / p95 latency per timeline bucket (`null` where no calls).
    #[serde(default)]
    pub p50_timeline: Vec<Option<f64>>,
    #[serde(default)]
    pub p95_timeline: Vec<Option<f64>>,
    pub top_tokens: Vec<UsageRow>,
    pub top_routes: Vec<UsageRow>,
    /// LLM tokens per model and their cost.
    #[serde(default)]
    pub llm: LlmSpend,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageRows {
    pub window: UsageWindow,
    /// Rows in the whole list, on every page (servers before this field:
    /// absent).
    #[serde(default)]
    pub total: usize,
    /// This page's rows, in the list's order.
    pub rows: Vec<UsageRow>,
    /// Pass as `cursor`, with the same filters, for the next page; null on
    /// the last page (servers before this field: absent).
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One call, from the raw events.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageCall {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub token_id: Option<Uuid>,
    pub token: Option<String>,
    pub route_id: Option<Uuid>,
    pub route: Option<String>,
    pub method: String,
    pub status: u16,
    pub latency_ms: f64,
    pub upstream_latency_ms: Option<f64>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    /// Requests this call stands for: 1, or more for requests refused
    /// without a valid token, which gateways count per client address,
    /// reason and minute.
    #[serde(default = "one")]
    pub requests: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusCount {
    pub status: u16,
    pub calls: i64,
}

/// `GET /v1/usage/tokens/{reference}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenUsage {
    pub window: UsageWindow,
    pub token: Token,
    pub totals: UsageTotals,
    pub calls_timeline: Vec<i64>,
    pub errors_timeline: Vec<i64>,
    pub by_route: Vec<UsageRow>,
    pub by_status: Vec<StatusCount>,
    pub recent: Vec<UsageCall>,
    /// LLM tokens per model and their cost.
    #[serde(default)]
    pub llm: LlmSpend,
    /// The token's and its team's quotas with what they counted in the
    /// current period (whatever the report's window).
    #[serde(default)]
    pub quotas: Vec<super::QuotaStatus>,
}

/// `GET /v1/usage/routes/{reference}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RouteUsage {
    pub window: UsageWindow,
    pub route: Route,
    pub totals: UsageTotals,
    pub calls_timeline: Vec<i64>,
    /// p50 / p95 latency per timeline bucket (absent where no calls).
    pub p50_timeline: Vec<Option<f64>>,
    pub p95_timeline: Vec<Option<f64>>,
    pub top_tokens: Vec<UsageRow>,
    pub recent: Vec<UsageCall>,
    /// LLM tokens per model and their cost.
    #[serde(default)]
    pub llm: LlmSpend,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OverviewCounts {
    pub active_tokens: i64,
    pub expired_tokens: i64,
    pub revoked_tokens: i64,
    pub routes: i64,
    pub teams: i64,
    pub users: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayCount {
    pub date: chrono::NaiveDate,
    pub count: i64,
}

/// `GET /v1/overview`: the dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    pub counts: OverviewCounts,
    /// Tokens per team the caller may see, by status, by team name.
    #[serde(default)]
    pub tokens_per_team: Vec<TeamTokens>,
    /// Active tokens that expire in the next 30 days, soonest first, at
    /// most 100.
    pub expiring_soon: Vec<Token>,
    /// Tokens created per day over the last 7 days (oldest first).
    pub created_per_day: Vec<DayCount>,
    pub recent_activity: Vec<AuditEntry>,
}
