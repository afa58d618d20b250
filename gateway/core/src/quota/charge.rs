//! What an allowed request's answer costs its quotas once it has streamed:
//! its LLM tokens, counted against the token's and the team's LLM-token
//! quotas, and its cost at the published prices, counted against their
//! budgets. Request quotas are counted by the decision itself
//! ([`QuotaCounter::admit`]). Both gateways call this, so they count the
//! same thing.

use super::{PriceTable, QuotaCounter, QuotaKind, QuotaState};
use crate::usage::LlmOutcome;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The subjects (token, team) whose LLM-token quotas and budgets an answer
/// counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmTokenCharge {
    /// Subjects with an LLM-token quota.
    token_subjects: Vec<Uuid>,
    /// Subjects with a budget.
    budget_subjects: Vec<Uuid>,
}

impl LlmTokenCharge {
    /// From the token's and the team's quota states (`None`: no quotas);
    /// `None` unless one of them has an LLM-token quota or a budget.
    pub fn of(states: [Option<&QuotaState>; 2]) -> Option<LlmTokenCharge> {
        let with = |kind: QuotaKind| -> Vec<Uuid> {
            states
                .into_iter()
                .flatten()
                .filter(|s| s.limits.iter().any(|l| l.kind == kind))
                .map(|s| s.subject)
                .collect()
        };
        let token_subjects = with(QuotaKind::LlmTokens);
        let budget_subjects = with(QuotaKind::Budget);
        (!token_subjects.is_empty() || !budget_subjects.is_empty()).then_some(LlmTokenCharge {
            token_subjects,
            budget_subjects,
        })
    }

    /// The LLM tokens an answer reported (input plus output), if any.
    pub fn tokens(llm: &LlmOutcome) -> Option<u64> {
        llm.usage
            .as_ref()
            .map(|u| u.input_tokens.saturating_add(u.output_tokens))
    }

    /// Counts the answer's input and output tokens, if it reported them,
    /// against every subject's LLM-token quota, and their cost at the
    /// price of `prices` in force at `at` against every subject's budget
    /// (a call of an unpriced model costs nothing toward a budget).
    pub fn record(
        &self,
        counter: &mut QuotaCounter,
        prices: &PriceTable,
        llm: &LlmOutcome,
        at: DateTime<Utc>,
    ) {
        let Some(tokens) = Self::tokens(llm) else {
            return;
        };
        for subject in &self.token_subjects {
            counter.record(*subject, QuotaKind::LlmTokens, tokens, at);
        }
        if self.budget_subjects.is_empty() {
            return;
        }
        if let Some(pico) = prices.llm_cost_pico(llm, at) {
            for subject in &self.budget_subjects {
                counter.record_cost(*subject, pico, at);
            }
        }
    }

    /// Whether the answer's cost counts toward a budget: only then does a
    /// gateway need the prices.
    pub fn counts_cost(&self) -> bool {
        !self.budget_subjects.is_empty()
    }

    /// The subjects charged: those with an LLM-token quota, then those
    /// with a budget.
    pub fn subjects(&self) -> impl Iterator<Item = &Uuid> {
        self.token_subjects.iter().chain(&self.budget_subjects)
    }
}
