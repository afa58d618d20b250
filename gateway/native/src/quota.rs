//! LLM-token quotas and budgets on the native gateway: an answer's token
//! counts, and so its cost, are known once it has streamed, so they are
//! counted against the token's and the team's quotas then, by the response
//! body (request quotas are counted by the decision itself). What is
//! counted is the core's [`LlmTokenCharge`](Charge), which the Worker uses
//! too.

use crate::state::{Installed, Shared};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokenctl_gateway::quota::{LlmTokenCharge as Charge, PriceTable, QuotaCounter};
use tokenctl_gateway::usage::LlmOutcome;
use tokenctl_gateway::Allowed;

/// The subjects an allowed request's LLM tokens and cost count against,
/// the gateway's counter, and the prices published when the request was
/// admitted.
pub struct LlmCharge {
    counter: Arc<Mutex<QuotaCounter>>,
    charge: Charge,
    prices: Arc<PriceTable>,
}

impl LlmCharge {
    /// `None` unless the token or its team has an LLM-token quota or a
    /// budget.
    pub fn of(shared: &Shared, installed: &Installed, allowed: &Allowed) -> Option<LlmCharge> {
        let gateway = &installed.gateway;
        let charge = Charge::of([
            gateway.quota_state(allowed.token_id),
            gateway.quota_state(allowed.team_id),
        ])?;
        Some(LlmCharge {
            counter: shared.quotas.clone(),
            charge,
            prices: gateway.prices().clone(),
        })
    }

    /// Counts the answer's input and output tokens, and its cost at the
    /// price in force at `at`, if it reported them (a call of an unpriced
    /// model costs nothing toward a budget).
    pub fn record(&self, llm: &LlmOutcome, at: DateTime<Utc>) {
        let mut counter = self.counter.lock().expect("not poisoned");
        self.charge.record(&mut counter, &self.prices, llm, at);
    }
}
