//! LLM-token quotas and budgets on the native gateway: an answer's token
//! counts, and so its cost, are known once it has streamed, so they are
//! counted against the token's and the team's quotas then, by the response
//! body (request quotas are counted by the decision itself).

use crate::state::{Installed, Shared};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokenctl_gateway::quota::{PriceTable, QuotaCounter, QuotaKind};
use tokenctl_gateway::usage::LlmOutcome;
use tokenctl_gateway::Allowed;
use uuid::Uuid;

/// The subjects an allowed request's LLM tokens and cost count against.
pub struct LlmCharge {
    counter: Arc<Mutex<QuotaCounter>>,
    /// Subjects with an LLM-token quota.
    token_subjects: Vec<Uuid>,
    /// Subjects with a budget.
    budget_subjects: Vec<Uuid>,
    /// The prices published when the request was admitted.
    prices: Arc<PriceTable>,
}

impl LlmCharge {
    /// `None` unless the token or its team has an LLM-token quota or a
    /// budget.
    pub fn of(shared: &Shared, installed: &Installed, allowed: &Allowed) -> Option<LlmCharge> {
        let with = |kind: QuotaKind| -> Vec<Uuid> {
            [allowed.token_id, allowed.team_id]
                .into_iter()
                .filter(|s| {
                    installed
                        .gateway
                        .quota_state(*s)
                        .is_some_and(|q| q.limits.iter().any(|l| l.kind == kind))
                })
                .collect()
        };
        let token_subjects = with(QuotaKind::LlmTokens);
        let budget_subjects = with(QuotaKind::Budget);
        (!token_subjects.is_empty() || !budget_subjects.is_empty()).then(|| LlmCharge {
            counter: shared.quotas.clone(),
            token_subjects,
            budget_subjects,
            prices: installed.gateway.prices().clone(),
        })
    }

    /// Counts the answer's input and output tokens, and its cost at the
    /// price in force at `at`, if it reported them (a call of an unpriced
    /// model costs nothing toward a budget).
    pub fn record(&self, llm: &LlmOutcome, at: DateTime<Utc>) {
        let Some(usage) = &llm.usage else {
            return;
        };
        let tokens = usage.input_tokens.saturating_add(usage.output_tokens);
        let cost = if self.budget_subjects.is_empty() {
            None
        } else {
            self.prices.llm_cost_pico(llm, at)
        };
        let mut counter = self.counter.lock().expect("not poisoned");
        for subject in &self.token_subjects {
            counter.record(*subject, QuotaKind::LlmTokens, tokens, at);
        }
        if let Some(pico) = cost {
            for subject in &self.budget_subjects {
                counter.record_cost(*subject, pico, at);
            }
        }
    }
}
