//! What LLM calls cost: the price of a model in force at a moment, and
//! exact sums. Prices are micro-dollars per million tokens, so tokens ×
//! price is in units of 10⁻¹² USD ("pico-dollars"): sums of those are
//! exact in an `i128`, and are shown as decimal USD without rounding.

use super::tokens::TokenAgg;
use crate::api::{self, ModelPrice};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A price: micro-dollars per million input and output tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub input_micros: i64,
    pub output_micros: i64,
}

/// Every model's prices over time.
#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    /// Per model: (effective from, price), oldest first.
    by_model: HashMap<String, Vec<(DateTime<Utc>, Price)>>,
}

impl PriceBook {
    /// From the stored prices (their decimal strings are exact).
    pub fn new(prices: &[ModelPrice]) -> PriceBook {
        let mut book = PriceBook::default();
        for p in prices {
            let (Ok(input_micros), Ok(output_micros)) = (
                api::input::price_usd("input", &p.input_usd_per_1m),
                api::input::price_usd("output", &p.output_usd_per_1m),
            ) else {
                continue;
            };
            book.by_model.entry(p.model.clone()).or_default().push((
                p.effective_from,
                Price {
                    input_micros,
                    output_micros,
                },
            ));
        }
        for history in book.by_model.values_mut() {
            history.sort_by_key(|(from, _)| *from);
        }
        book
    }

    /// The price of `model` in force at `at`: the latest one that took
    /// effect at or before it.
    pub fn at(&self, model: &str, at: DateTime<Utc>) -> Option<Price> {
        let history = self.by_model.get(model)?;
        let after = history.partition_point(|(from, _)| *from <= at);
        after.checked_sub(1).map(|i| history[i].1)
    }
}

/// Token counts and their cost, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spend {
    pub tokens: TokenAgg,
    /// The cost of the priced calls, in 10⁻¹² USD.
    pub cost_pico: i128,
    /// Calls of models priced at the time.
    pub priced_calls: i64,
    /// Calls with token counts whose model had no price at the time.
    pub unpriced_calls: i64,
}

impl Spend {
    /// Adds a token rollup row, priced at `price` (`None`: no price then).
    pub fn add(&mut self, agg: &TokenAgg, price: Option<Price>) {
        self.tokens.merge(agg);
        match price {
            Some(p) => {
                self.cost_pico += i128::from(agg.input_tokens) * i128::from(p.input_micros)
                    + i128::from(agg.output_tokens) * i128::from(p.output_micros);
                self.priced_calls += agg.calls;
            }
            None => self.unpriced_calls += agg.calls,
        }
    }

    pub fn merge(&mut self, other: &Spend) {
        self.tokens.merge(&other.tokens);
        self.cost_pico += other.cost_pico;
        self.priced_calls += other.priced_calls;
        self.unpriced_calls += other.unpriced_calls;
    }

    /// The cost as decimal USD, or `None` when no call was priced.
    pub fn cost_usd(&self) -> Option<String> {
        (self.priced_calls > 0).then(|| usd(self.cost_pico))
    }
}

/// 10⁻¹² USD as an exact decimal: at least six decimals, more only where
/// the value needs them (`0.000370`, `0.000000075`).
pub fn usd(pico: i128) -> String {
    let sign = if pico < 0 { "-" } else { "" };
    let p = pico.unsigned_abs();
    let whole = p / 1_000_000_000_000;
    let mut frac = format!("{:012}", p % 1_000_000_000_000);
    while frac.len() > 6 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{sign}{whole}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(model: &str, from: &str, input: &str, output: &str) -> ModelPrice {
        ModelPrice {
            id: uuid::Uuid::nil(),
            model: model.into(),
            input_usd_per_1m: input.into(),
            output_usd_per_1m: output.into(),
            effective_from: from.parse().unwrap(),
            set_by: None,
            set_at: from.parse().unwrap(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_price_in_force_at_a_moment() {
        let book = PriceBook::new(&[
            price("m", "2026-03-01T00:00:00Z", "5", "20"),
            price("m", "2026-01-01T00:00:00Z", "2.50", "10"),
        ]);
        assert_eq!(book.at("m", at("2025-12-31T23:59:59Z")), None);
        let p = |i, o| {
            Some(Price {
                input_micros: i,
                output_micros: o,
            })
        };
        assert_eq!(
            book.at("m", at("2026-01-01T00:00:00Z")),
            p(2_500_000, 10_000_000)
        );
        assert_eq!(
            book.at("m", at("2026-02-28T00:00:00Z")),
            p(2_500_000, 10_000_000)
        );
        assert_eq!(
            book.at("m", at("2026-03-01T00:00:00Z")),
            p(5_000_000, 20_000_000)
        );
        assert_eq!(book.at("other", at("2026-03-01T00:00:00Z")), None);
    }

    #[test]
    fn sums_are_exact() {
        let mut s = Spend::default();
        let agg = |calls, input_tokens, output_tokens| TokenAgg {
            calls,
            input_tokens,
            output_tokens,
            cached_input_tokens: 0,
        };
        assert_eq!(s.cost_usd(), None);
        s.add(
            &agg(1, 120, 7),
            Some(Price {
                input_micros: 2_500_000,
                output_micros: 10_000_000,
            }),
        );
        assert_eq!(s.cost_usd().as_deref(), Some("0.000370"));
        s.add(
            &agg(1, 1, 0),
            Some(Price {
                input_micros: 75_000,
                output_micros: 0,
            }),
        );
        assert_eq!(s.cost_usd().as_deref(), Some("0.000370075"));
        s.add(&agg(3, 10, 10), None);
        assert_eq!((s.priced_calls, s.unpriced_calls), (2, 3));
        assert_eq!(s.tokens.input_tokens, 131);
        assert_eq!(usd(0), "0.000000");
        assert_eq!(usd(1), "0.000000000001");
        assert_eq!(usd(1_234_000_000), "0.001234");
        assert_eq!(usd(12_000_000_000_000), "12.000000");
        // The largest sums stay exact: a billion tokens at the highest price.
        let big = i128::from(1_000_000_000i64) * i128::from(1_000_000_000_000i64);
        assert_eq!(usd(big), "1000000000.000000");
    }
}
