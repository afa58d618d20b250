//! What an allowed request's answer costs its quotas once it has streamed:
//! its LLM tokens, counted against the token's and the team's LLM-token
//! quotas. Request quotas are counted by the decision itself
//! ([`QuotaCounter::admit`]). Both gateways call this, so they count the
//! same thing.

use super::{QuotaCounter, QuotaKind, QuotaState};
use crate::usage::LlmOutcome;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The subjects (token, team) whose LLM-token quotas an answer counts
/// against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmTokenCharge {
    subjects: Vec<Uuid>,
}

impl LlmTokenCharge {
    /// From the token's and the team's quota states (`None`: no quotas);
    /// `None` unless one of them has an LLM-token quota.
    pub fn of(states: [Option<&QuotaState>; 2]) -> Option<LlmTokenCharge> {
        let subjects: Vec<Uuid> = states
            .into_iter()
            .flatten()
            .filter(|s| s.limits.iter().any(|l| l.kind == QuotaKind::LlmTokens))
            .map(|s| s.subject)
            .collect();
        (!subjects.is_empty()).then_some(LlmTokenCharge { subjects })
    }

    /// The LLM tokens an answer reported (input plus output), if any.
    pub fn tokens(llm: &LlmOutcome) -> Option<u64> {
        llm.usage
            .as_ref()
            .map(|u| u.input_tokens.saturating_add(u.output_tokens))
    }

    /// Counts the answer's input and output tokens, if it reported them,
    /// against every subject's LLM-token quota.
    pub fn record(&self, counter: &mut QuotaCounter, llm: &LlmOutcome, at: DateTime<Utc>) {
        let Some(tokens) = Self::tokens(llm) else {
            return;
        };
        for subject in &self.subjects {
            counter.record(*subject, QuotaKind::LlmTokens, tokens, at);
        }
    }

    /// The subjects charged.
    pub fn subjects(&self) -> &[Uuid] {
        &self.subjects
    }
}
