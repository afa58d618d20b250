//! What an LLM call costs toward a budget: the model prices the control
//! plane publishes, and the one cost computation the control plane (as it
//! ingests usage) and the gateways (as they count between publications)
//! share.
//!
//! Prices are micro-dollars per million tokens, so tokens × price is in
//! units of 10⁻¹² USD ("pico-dollars"), exact in a `u128`. Budgets are in
//! micro-dollars: a counter keeps the sub-micro rest of what it added (see
//! [`PicoCarry`]), so many small calls lose nothing.

use crate::usage::LlmOutcome;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Pico-dollars per micro-dollar.
pub const PICO_PER_MICRO: u128 = 1_000_000;

/// A model's price from a moment on, as the config feed publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceEntry {
    /// The model name, as answers name it.
    pub model: String,
    /// From when the price applies (until the model's next one).
    pub effective_from: DateTime<Utc>,
    /// Micro-dollars per million input tokens.
    pub input_micros_per_1m: u64,
    /// Micro-dollars per million output tokens.
    pub output_micros_per_1m: u64,
}

/// What `input_tokens` and `output_tokens` cost at these prices (micro-dollars
/// per million tokens), in pico-dollars: exact, never through a float.
pub fn cost_pico(
    input_tokens: u64,
    output_tokens: u64,
    input_micros_per_1m: u64,
    output_micros_per_1m: u64,
) -> u128 {
    u128::from(input_tokens) * u128::from(input_micros_per_1m)
        + u128::from(output_tokens) * u128::from(output_micros_per_1m)
}

/// The published prices by model, each model's oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceTable {
    by_model: HashMap<String, Vec<PriceEntry>>,
}

impl PriceTable {
    /// The table of `entries` (any order).
    pub fn new(entries: Vec<PriceEntry>) -> PriceTable {
        let mut table = PriceTable::default();
        table.upsert(entries);
        table
    }

    /// Replaces the prices of every model `entries` names with those
    /// entries (an update carries a changed model's whole published list).
    pub fn upsert(&mut self, entries: Vec<PriceEntry>) {
        let mut changed: HashMap<String, Vec<PriceEntry>> = HashMap::new();
        for e in entries {
            changed.entry(e.model.clone()).or_default().push(e);
        }
        for (model, mut list) in changed {
            list.sort_by_key(|e| e.effective_from);
            list.dedup_by_key(|e| e.effective_from);
            self.by_model.insert(model, list);
        }
    }

    /// Every entry, by model.
    pub fn entries(&self) -> impl Iterator<Item = &PriceEntry> {
        self.by_model.values().flatten()
    }

    /// Whether no model has a price.
    pub fn is_empty(&self) -> bool {
        self.by_model.is_empty()
    }

    /// The price of `model` in force at `at`: the latest one that took
    /// effect at or before it.
    pub fn at(&self, model: &str, at: DateTime<Utc>) -> Option<&PriceEntry> {
        let list = self.by_model.get(model)?;
        let after = list.partition_point(|e| e.effective_from <= at);
        after.checked_sub(1).map(|i| &list[i])
    }

    /// What an LLM call's answer costs, in pico-dollars, at the price in
    /// force at `at` of the model the answer named (else the one the
    /// request asked for, as the usage event records it). `None` when the
    /// answer reported no token counts or the model has no price then:
    /// such calls count nothing toward a budget.
    pub fn llm_cost_pico(&self, llm: &LlmOutcome, at: DateTime<Utc>) -> Option<u128> {
        let usage = llm.usage.as_ref()?;
        let model = usage.model.as_deref().or(llm.requested_model.as_deref())?;
        let price = self.at(model, at)?;
        Some(cost_pico(
            usage.input_tokens,
            usage.output_tokens,
            price.input_micros_per_1m,
            price.output_micros_per_1m,
        ))
    }
}

/// Pico-dollars added into whole micro-dollars, keeping the rest: after
/// any sequence of [`PicoCarry::add`], `micros × 10⁶ + rest` is exactly
/// the sum added, so the micro-dollars counted are the exact sum rounded
/// down, never the sum of rounded parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PicoCarry {
    /// The sub-micro-dollar rest, below [`PICO_PER_MICRO`].
    pub rest: u64,
}

impl PicoCarry {
    /// Adds `pico` and returns the whole micro-dollars to count now
    /// (saturating at `u64::MAX`).
    pub fn add(&mut self, pico: u128) -> u64 {
        let total = pico.saturating_add(u128::from(self.rest));
        self.rest = u64::try_from(total % PICO_PER_MICRO).expect("below a million");
        u64::try_from(total / PICO_PER_MICRO).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::LlmUsage;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn entry(model: &str, from: &str, input: u64, output: u64) -> PriceEntry {
        PriceEntry {
            model: model.into(),
            effective_from: at(from),
            input_micros_per_1m: input,
            output_micros_per_1m: output,
        }
    }

    fn outcome(model: Option<&str>, requested: Option<&str>, i: u64, o: u64) -> LlmOutcome {
        LlmOutcome {
            requested_model: requested.map(Into::into),
            usage: Some(LlmUsage {
                model: model.map(Into::into),
                input_tokens: i,
                output_tokens: o,
                ..LlmUsage::default()
            }),
        }
    }

    #[test]
    fn costs_at_the_price_in_force() {
        let table = PriceTable::new(vec![
            entry("m", "2026-03-01T00:00:00Z", 5_000_000, 20_000_000),
            entry("m", "2026-01-01T00:00:00Z", 2_500_000, 10_000_000),
        ]);
        let call = outcome(Some("m"), Some("alias"), 120, 7);
        assert_eq!(table.llm_cost_pico(&call, at("2025-12-31T00:00:00Z")), None);
        // 120 × 2.50 + 7 × 10 micro-dollars per million = 370 micro-dollars … ×10⁻⁶.
        assert_eq!(
            table.llm_cost_pico(&call, at("2026-02-01T00:00:00Z")),
            Some(370_000_000)
        );
        assert_eq!(
            table.llm_cost_pico(&call, at("2026-03-01T00:00:00Z")),
            Some(740_000_000)
        );
        // The requested model is the fallback; no counts, no cost.
        let asked = outcome(None, Some("m"), 1, 0);
        assert_eq!(
            table.llm_cost_pico(&asked, at("2026-02-01T00:00:00Z")),
            Some(2_500_000)
        );
        let unpriced = outcome(Some("other"), None, 1000, 1000);
        assert_eq!(
            table.llm_cost_pico(&unpriced, at("2026-02-01T00:00:00Z")),
            None
        );
        let unread = LlmOutcome {
            requested_model: Some("m".into()),
            usage: None,
        };
        assert_eq!(
            table.llm_cost_pico(&unread, at("2026-02-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn an_update_replaces_a_models_list() {
        let mut table = PriceTable::new(vec![entry("m", "2026-01-01T00:00:00Z", 1, 1)]);
        table.upsert(vec![
            entry("m", "2026-02-01T00:00:00Z", 2, 2),
            entry("n", "2026-02-01T00:00:00Z", 3, 3),
        ]);
        assert_eq!(table.at("m", at("2026-01-15T00:00:00Z")), None);
        assert_eq!(table.entries().count(), 2);
    }

    #[test]
    fn the_largest_call_stays_exact() {
        // A billion tokens each way at a million dollars per million.
        let max = cost_pico(
            1_000_000_000,
            1_000_000_000,
            1_000_000_000_000,
            1_000_000_000_000,
        );
        assert_eq!(max, 2_000_000_000_000_000_000_000);
        let mut carry = PicoCarry::default();
        assert_eq!(carry.add(max), 2_000_000_000_000_000);
    }

    proptest! {
        /// Per-event costs counted through the carry give exactly the cost
        /// of the summed tokens, rounded down to a micro-dollar once.
        #[test]
        fn per_event_costs_sum_to_the_cost_of_the_sum(
            calls in proptest::collection::vec((0u64..=1_000_000_000, 0u64..=1_000_000_000), 0..200),
            input_price in 0u64..=1_000_000_000_000,
            output_price in 0u64..=1_000_000_000_000,
        ) {
            let mut carry = PicoCarry::default();
            let mut micros = 0u64;
            for (i, o) in &calls {
                micros += carry.add(cost_pico(*i, *o, input_price, output_price));
            }
            let inputs: u128 = calls.iter().map(|(i, _)| u128::from(*i)).sum();
            let outputs: u128 = calls.iter().map(|(_, o)| u128::from(*o)).sum();
            let exact = inputs * u128::from(input_price) + outputs * u128::from(output_price);
            prop_assert_eq!(u128::from(micros), exact / PICO_PER_MICRO);
            prop_assert_eq!(u128::from(carry.rest), exact % PICO_PER_MICRO);
        }
    }
}
