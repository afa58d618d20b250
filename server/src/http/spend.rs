//! The LLM part of usage reports: token counts per model from the token
//! rollups, priced per bucket with the price in force at its start (see
//! `crate::usage::cost`).

use super::AppState;
use crate::api::{LlmSpend, ModelSpend, UsageRow};
use crate::db::UsageScope;
use crate::error::ApiResult;
use crate::usage::cost::{PriceBook, Spend};
use crate::usage::tokens::{TokenAgg, TokenKey};
use crate::usage::Plan;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The token rollup rows of a report, each with its cost.
pub(super) struct Priced {
    rows: Vec<(TokenKey, Spend)>,
}

/// Reads and prices the token rollups of a report's window and scope.
pub(super) async fn priced(state: &AppState, scope: &UsageScope, plan: &Plan) -> ApiResult<Priced> {
    let rows = state
        .db
        .usage_token_rollups(scope.clone(), plan.level, plan.since, plan.until)
        .await?;
    let book = if rows.is_empty() {
        PriceBook::default()
    } else {
        PriceBook::new(&state.db.all_prices().await?)
    };
    Ok(Priced {
        rows: rows
            .into_iter()
            .map(|(key, agg): (TokenKey, TokenAgg)| {
                let mut spend = Spend::default();
                spend.add(&agg, book.at(&key.model, key.bucket));
                (key, spend)
            })
            .collect(),
    })
}

fn model_spend(model: &str, s: &Spend) -> ModelSpend {
    ModelSpend {
        model: (!model.is_empty()).then(|| model.to_string()),
        calls: s.tokens.calls,
        input_tokens: s.tokens.input_tokens,
        output_tokens: s.tokens.output_tokens,
        cached_input_tokens: s.tokens.cached_input_tokens,
        cost_usd: s.cost_usd(),
        unpriced_calls: s.unpriced_calls,
    }
}

impl Priced {
    /// Totals and per-model sums.
    pub(super) fn summary(&self) -> LlmSpend {
        let mut total = Spend::default();
        let mut by_model: BTreeMap<&str, Spend> = BTreeMap::new();
        for (key, spend) in &self.rows {
            total.merge(spend);
            by_model.entry(&key.model).or_default().merge(spend);
        }
        let mut models: Vec<ModelSpend> = by_model
            .iter()
            .map(|(model, s)| model_spend(model, s))
            .collect();
        models.sort_by(|a, b| {
            (b.input_tokens + b.output_tokens)
                .cmp(&(a.input_tokens + a.output_tokens))
                .then(a.model.cmp(&b.model))
        });
        LlmSpend {
            calls: total.tokens.calls,
            input_tokens: total.tokens.input_tokens,
            output_tokens: total.tokens.output_tokens,
            cached_input_tokens: total.tokens.cached_input_tokens,
            cost_usd: total.cost_usd(),
            unpriced_calls: total.unpriced_calls,
            by_model: models,
        }
    }

    /// Fills in the tokens and cost of usage list rows (per token, or per
    /// route with `by_route`; a row without id stands for the nil id).
    pub(super) fn fill(&self, rows: &mut [UsageRow], by_route: bool) {
        let mut per_id: HashMap<Uuid, Spend> = HashMap::new();
        for (key, spend) in &self.rows {
            let id = if by_route { key.route_id } else { key.token_id };
            per_id.entry(id).or_default().merge(spend);
        }
        for row in rows {
            if let Some(s) = per_id.get(&row.id.unwrap_or(Uuid::nil())) {
                row.input_tokens = s.tokens.input_tokens;
                row.output_tokens = s.tokens.output_tokens;
                row.cost_usd = s.cost_usd();
            }
        }
    }
}
