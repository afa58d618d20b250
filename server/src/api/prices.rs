//! Model prices: USD per million tokens, with their history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A model's price from `effective_from` until its next price. Prices are
/// exact decimal strings in USD (six decimals: micro-dollars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ModelPrice {
    pub id: Uuid,
    #[schema(example = "gpt-4o")]
    pub model: String,
    /// USD per million input tokens, e.g. `2.500000`.
    #[schema(example = "2.500000")]
    pub input_usd_per_1m: String,
    /// USD per million output tokens, e.g. `10.000000`.
    #[schema(example = "10.000000")]
    pub output_usd_per_1m: String,
    /// From when the price applies: calls before it used the model's
    /// previous price (or none).
    pub effective_from: DateTime<Utc>,
    /// Who set it.
    pub set_by: Option<String>,
    pub set_at: DateTime<Utc>,
}

/// `POST /v1/prices`: a model's new price.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SetPrice {
    /// The model as the provider names it in its responses, e.g.
    /// `gpt-4o-2024-08-06` (1-256 characters, no control characters).
    #[schema(schema_with = super::input::schema::model)]
    pub model: String,
    /// USD per million input tokens: digits with at most 6 decimals, from
    /// 0 to 1000000, e.g. `2.50`.
    #[schema(schema_with = super::input::schema::price)]
    pub input_usd_per_1m: String,
    /// USD per million output tokens, the same form.
    #[schema(schema_with = super::input::schema::price)]
    pub output_usd_per_1m: String,
    /// From when it applies: an RFC 3339 time or a date (default: now).
    /// Reports price each bucket with the price in force at its start.
    #[serde(default)]
    #[schema(example = "2026-11-01")]
    pub effective_from: Option<String>,
}
