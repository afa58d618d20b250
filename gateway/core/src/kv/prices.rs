//! The `prices` value: the model prices the control plane publishes to
//! gateways (per model, the price in force and any later ones), which the
//! Worker reads to count the cost of the answers it lets through toward
//! budgets between publications, as the native gateway counts with the
//! prices of its config feed. The control plane writes it when a price is
//! set; absent means no model has a price.

use crate::quota::{PriceEntry, PriceTable};
use serde::{Deserialize, Serialize};

/// `prices` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricesValue {
    /// Config version the value was written at.
    pub v: u64,
    /// Every published price, by model, each model's oldest first.
    pub prices: Vec<PriceEntry>,
}

/// Why a `prices` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricesValueError {
    /// Not the layout's JSON.
    #[error("the prices value is unreadable: {0}")]
    Unreadable(String),
    /// Two prices of one model taking effect at the same moment: which
    /// one counts could only be guessed.
    #[error("the prices value has two prices of `{0}` from the same moment")]
    Duplicate(String),
}

impl PricesValue {
    /// The value of `prices` at `version`, in the order the layout writes
    /// it (by model, then from when), so equal tables give equal bytes.
    pub fn ordered(version: u64, prices: &[PriceEntry]) -> PricesValue {
        let mut prices = prices.to_vec();
        prices.sort_by(|a, b| {
            a.model
                .cmp(&b.model)
                .then(a.effective_from.cmp(&b.effective_from))
        });
        PricesValue { v: version, prices }
    }

    /// The JSON text the layout stores.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("prices values serialise")
    }

    /// Reads the stored value. Anything that is not exactly the layout
    /// (garbage, a negative or fractional price, a model priced twice from
    /// one moment) is refused, never guessed at.
    pub fn decode(text: &str) -> Result<PricesValue, PricesValueError> {
        let value: PricesValue =
            serde_json::from_str(text).map_err(|e| PricesValueError::Unreadable(e.to_string()))?;
        for (i, p) in value.prices.iter().enumerate() {
            if value.prices[..i]
                .iter()
                .any(|q| q.model == p.model && q.effective_from == p.effective_from)
            {
                return Err(PricesValueError::Duplicate(p.model.clone()));
            }
        }
        Ok(value)
    }

    /// The table a gateway counts with.
    pub fn table(&self) -> PriceTable {
        PriceTable::new(self.prices.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::LlmUsage;
    use crate::usage::LlmOutcome;

    fn entry(model: &str, from: &str, input: u64, output: u64) -> PriceEntry {
        PriceEntry {
            model: model.into(),
            effective_from: from.parse().unwrap(),
            input_micros_per_1m: input,
            output_micros_per_1m: output,
        }
    }

    fn value() -> PricesValue {
        PricesValue::ordered(
            31,
            &[
                entry("gpt-4o", "2027-01-01T00:00:00Z", 5_000_000, 20_000_000),
                entry("claude", "2026-11-01T00:00:00Z", 3_000_000, 15_000_000),
                entry("gpt-4o", "2026-12-01T00:00:00Z", 2_500_000, 10_000_000),
            ],
        )
    }

    #[test]
    fn round_trip() {
        let v = value();
        let text = v.encode();
        assert_eq!(PricesValue::decode(&text), Ok(v.clone()));
        // The documented shape (docs/kv-layout.md), in the layout's order.
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(raw["v"], 31);
        assert_eq!(raw["prices"][0]["model"], "claude");
        assert_eq!(raw["prices"][1]["effective_from"], "2026-12-01T00:00:00Z");
        assert_eq!(raw["prices"][1]["input_micros_per_1m"], 2_500_000);
        assert_eq!(raw["prices"][2]["output_micros_per_1m"], 20_000_000);
        // Equal tables, equal bytes, whatever order they came in.
        let mut reversed = v.prices.clone();
        reversed.reverse();
        assert_eq!(PricesValue::ordered(31, &reversed).encode(), text);
        // The table prices a call at the price in force.
        let call = LlmOutcome {
            requested_model: None,
            usage: Some(LlmUsage {
                model: Some("gpt-4o".into()),
                input_tokens: 100,
                output_tokens: 10,
                ..LlmUsage::default()
            }),
        };
        let table = v.table();
        let at = |s: &str| s.parse().unwrap();
        assert_eq!(
            table.llm_cost_pico(&call, at("2026-12-15T00:00:00Z")),
            Some(350_000_000)
        );
        assert_eq!(
            table.llm_cost_pico(&call, at("2027-01-15T00:00:00Z")),
            Some(700_000_000)
        );
        // No prices: an empty table.
        let none = PricesValue::decode(r#"{"v":3,"prices":[]}"#).unwrap();
        assert!(none.table().is_empty());
    }

    #[test]
    fn refuses_what_is_not_the_layout() {
        let good = value().encode();
        for bad in [
            "",
            "null",
            "[]",
            "{}",
            "not json",
            r#"{"v":1}"#,
            r#"{"prices":[]}"#,
            r#"{"v":-1,"prices":[]}"#,
            r#"{"v":1,"prices":{}}"#,
            &good.replace("2500000", "-2500000"),
            &good.replace("2500000", "2.5e6"),
            &good.replace("2500000", "\"2500000\""),
            &good.replace("2026-12-01T00:00:00Z", "last month"),
            &good.replace("\"model\"", "\"name\""),
            &good[..good.len() / 2],
        ] {
            assert!(
                matches!(
                    PricesValue::decode(bad),
                    Err(PricesValueError::Unreadable(_))
                ),
                "{bad}"
            );
        }
        let twice = good.replace("2027-01-01T00:00:00Z", "2026-12-01T00:00:00Z");
        assert_eq!(
            PricesValue::decode(&twice),
            Err(PricesValueError::Duplicate("gpt-4o".into()))
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = PricesValue::decode(&text);
        }
    }
}
