//! Quotas and budgets: how much a token or a team may consume per calendar
//! period (UTC), and how a gateway enforces that between the control
//! plane's publications.
//!
//! * [`Period`] — hour, day and month in UTC: each instant's period start
//!   and end;
//! * [`QuotaKind`] and [`QuotaLimit`] — what is counted and how much a
//!   period allows, written `N/PERIOD` (`USD/PERIOD` for budgets), with the
//!   one parser the CLI and the control plane share;
//! * [`QuotaState`] — what the control plane publishes per subject;
//! * [`QuotaCounter`] — a gateway's local count, surviving snapshot swaps;
//! * [`PriceTable`] and [`cost_pico`] — what an LLM call costs toward a
//!   budget, computed alike by the control plane and the gateways;
//! * [`LlmTokenCharge`] — an answer's LLM tokens (and their cost)
//!   counted against the token's and the team's quotas and budgets, by
//!   both gateways alike.
//!
//! The decision's quota check is [`Gateway::check_quotas`](crate::Gateway::check_quotas).

mod charge;
mod counter;
mod limit;
mod period;
mod price;
mod state;

pub use charge::LlmTokenCharge;
pub use counter::{Exhausted, QuotaCounter};
pub use limit::{
    format_usd, QuotaError, QuotaKind, QuotaLimit, MAX_BUDGET_MICRO_USD, MAX_COUNT, MICRO_PER_USD,
};
pub use period::{Period, UnknownPeriod};
pub use price::{cost_pico, PicoCarry, PriceEntry, PriceTable, PICO_PER_MICRO};
pub use state::{QuotaState, QuotaUsage};

#[cfg(test)]
mod tests;

/// Whether a usage event with this error code stands for a request the
/// gateway let through, which request quotas count: answered by the
/// upstream (no code), or allowed and then failed upstream. Refusals,
/// the decision's and the front-end's own, count nothing.
pub fn counts_as_request(error_code: Option<&str>) -> bool {
    use crate::code::*;
    !matches!(
        error_code,
        Some(
            MISSING_TOKEN
                | MALFORMED_TOKEN
                | INVALID_TOKEN
                | TOKEN_EXPIRED
                | BAD_PATH
                | ROUTE_NOT_FOUND
                | SCOPE_DENIED
                | IP_DENIED
                | UPSTREAM_FORBIDDEN
                | UPSTREAM_AUTH_UNAVAILABLE
                | RATE_LIMITED
                | QUOTA_EXCEEDED
                | CONFIG_STALE
                | GATEWAY_NOT_READY
        )
    )
}
