//! Quotas and budgets of tokens and teams, and their consumption.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use tokenctl_gateway::quota::{Period, QuotaKind};

/// A quota or budget: how much a token or team may consume per calendar
/// period (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quota {
    /// `requests`, `llm_tokens` (input plus output) or `budget`.
    pub kind: QuotaKind,
    /// How much one period allows: requests, LLM tokens, or for a budget
    /// micro-dollars (USD × 1,000,000).
    #[schema(minimum = 1)]
    pub amount: u64,
    /// `hour`, `day` or `month`, in UTC.
    pub period: Period,
}

impl Quota {
    /// The written form: `100/day`, `2.5/month` for budgets.
    pub fn written(&self) -> String {
        format!("{}/{}", self.kind.format_amount(self.amount), self.period)
    }
}

/// A quota and what it counted in the current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuotaStatus {
    #[serde(flatten)]
    pub quota: Quota,
    /// Consumed in the current period (as ingested so far); for a budget,
    /// whole micro-dollars (the exact cost rounded down; `used_usd` is
    /// exact).
    pub used: u64,
    /// `amount - used`, at least 0.
    pub remaining: u64,
    /// Whose quota: `token` or `team`.
    pub subject: String,
    pub period_start: DateTime<Utc>,
    /// When the next period starts and the quota is whole again.
    pub period_end: DateTime<Utc>,
    /// Budgets only: the limit in USD, an exact decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "0.010000")]
    pub limit_usd: Option<String>,
    /// Budgets only: what the period's priced calls cost, exact (at least
    /// six decimals, more where needed: `"0.000370075"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "0.000370")]
    pub used_usd: Option<String>,
    /// Budgets only: `limit_usd - used_usd`, at least 0, exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "0.009630")]
    pub remaining_usd: Option<String>,
    /// Budgets only: calls this period with token counts whose model had
    /// no price at the time; they cost nothing toward the budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpriced_calls: Option<u64>,
}
