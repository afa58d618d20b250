//! LLM-token quotas on the native gateway: an answer's token counts are
//! known once it has streamed, so they are counted against the token's and
//! the team's quotas then, by the response body (request quotas are
//! counted by the decision itself). What is counted is the core's
//! [`LlmTokenCharge`], which the Worker uses too.

use crate::state::{Installed, Shared};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokenctl_gateway::quota::{LlmTokenCharge as Charge, QuotaCounter};
use tokenctl_gateway::usage::LlmOutcome;
use tokenctl_gateway::Allowed;

/// The subjects an allowed request's LLM tokens count against, and the
/// gateway's counter.
pub struct LlmTokenCharge {
    counter: Arc<Mutex<QuotaCounter>>,
    charge: Charge,
}

impl LlmTokenCharge {
    /// `None` unless the token or its team has an LLM-token quota.
    pub fn of(shared: &Shared, installed: &Installed, allowed: &Allowed) -> Option<LlmTokenCharge> {
        let gateway = &installed.gateway;
        let charge = Charge::of([
            gateway.quota_state(allowed.token_id),
            gateway.quota_state(allowed.team_id),
        ])?;
        Some(LlmTokenCharge {
            counter: shared.quotas.clone(),
            charge,
        })
    }

    /// Counts the answer's input and output tokens, if it reported them.
    pub fn record(&self, llm: &LlmOutcome, at: DateTime<Utc>) {
        let mut counter = self.counter.lock().expect("not poisoned");
        self.charge.record(&mut counter, llm, at);
    }
}
