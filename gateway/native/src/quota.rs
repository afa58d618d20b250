//! LLM-token quotas on the native gateway: an answer's token counts are
//! known once it has streamed, so they are counted against the token's and
//! the team's quotas then, by the response body (request quotas are
//! counted by the decision itself).

use crate::state::{Installed, Shared};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokenctl_gateway::quota::{QuotaCounter, QuotaKind};
use tokenctl_gateway::usage::LlmOutcome;
use tokenctl_gateway::Allowed;
use uuid::Uuid;

/// The subjects an allowed request's LLM tokens count against.
pub struct LlmTokenCharge {
    counter: Arc<Mutex<QuotaCounter>>,
    subjects: Vec<Uuid>,
}

impl LlmTokenCharge {
    /// `None` unless the token or its team has an LLM-token quota.
    pub fn of(shared: &Shared, installed: &Installed, allowed: &Allowed) -> Option<LlmTokenCharge> {
        let subjects: Vec<Uuid> = [allowed.token_id, allowed.team_id]
            .into_iter()
            .filter(|s| {
                installed
                    .gateway
                    .quota_state(*s)
                    .is_some_and(|q| q.limits.iter().any(|l| l.kind == QuotaKind::LlmTokens))
            })
            .collect();
        (!subjects.is_empty()).then(|| LlmTokenCharge {
            counter: shared.quotas.clone(),
            subjects,
        })
    }

    /// Counts the answer's input and output tokens, if it reported them.
    pub fn record(&self, llm: &LlmOutcome, at: DateTime<Utc>) {
        let Some(usage) = &llm.usage else {
            return;
        };
        let tokens = usage.input_tokens.saturating_add(usage.output_tokens);
        let mut counter = self.counter.lock().expect("not poisoned");
        for subject in &self.subjects {
            counter.record(*subject, QuotaKind::LlmTokens, tokens, at);
        }
    }
}
