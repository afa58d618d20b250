//! Check 12: the token's and its team's quotas (see [`crate::quota`]).

use super::{code, Allowed, Denied, Gateway};
use crate::quota::{Exhausted, Period, QuotaCounter, QuotaKind, QuotaState};
use chrono::{DateTime, Utc};

impl Gateway {
    /// Check 12 for a request [`Gateway::authorize`] allowed: refused with
    /// `429 quota_exceeded` (and `Retry-After` to the end of the period)
    /// when a quota of the token or of its team is used up by `counter`'s
    /// estimate; otherwise the request is counted against their request
    /// quotas. A front-end then reports the request's LLM tokens and cost
    /// with [`QuotaCounter::record`].
    pub fn check_quotas(
        &self,
        counter: &mut QuotaCounter,
        allowed: &Allowed,
        now: DateTime<Utc>,
    ) -> Result<(), Denied> {
        let token = self.quotas.get(&allowed.token_id);
        let team = self.quotas.get(&allowed.team_id);
        check_quotas(counter, allowed, [token, team], now)
    }

    /// The published quota state of a subject (token or team id), if it
    /// has quotas.
    pub fn quota_state(&self, subject: uuid::Uuid) -> Option<&QuotaState> {
        self.quotas.get(&subject)
    }

    /// Every subject's published quota state, in no particular order.
    pub fn quota_states(&self) -> impl Iterator<Item = &QuotaState> {
        self.quotas.values()
    }
}

/// Check 12 on quota states the front-end found itself (the Worker reads
/// them from KV): the token's and the team's, `None` when it has none.
pub fn check_quotas(
    counter: &mut QuotaCounter,
    allowed: &Allowed,
    states: [Option<&QuotaState>; 2],
    now: DateTime<Utc>,
) -> Result<(), Denied> {
    let states: Vec<&QuotaState> = states.into_iter().flatten().collect();
    if states.is_empty() {
        return Ok(());
    }
    counter
        .admit(&states, now)
        .map_err(|e| quota_exceeded(allowed, &e))
}

fn quota_exceeded(allowed: &Allowed, e: &Exhausted) -> Denied {
    let whose = if e.subject == allowed.team_id {
        "the API token's team"
    } else {
        "the API token"
    };
    let period = match e.usage.period {
        Period::Hour => "hourly",
        Period::Day => "daily",
        Period::Month => "monthly",
    };
    let what = match e.kind {
        QuotaKind::Requests => "request quota",
        QuotaKind::LlmTokens => "LLM token quota",
        QuotaKind::Budget => "budget",
    };
    let secs = e.retry_after_secs;
    let mut denied = Denied::new(
        429,
        code::QUOTA_EXCEEDED,
        format!("{whose} has used up its {period} {what}; retry in {secs} s"),
    );
    denied.retry_after_secs = Some(secs);
    denied.token_id = Some(allowed.token_id);
    denied.route_id = Some(allowed.route_id);
    denied
}
