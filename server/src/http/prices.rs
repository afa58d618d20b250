//! `/v1/prices`: what models cost per million tokens, with their history.
//! Global admins set prices; every signed-in user may read them.

use super::answers::{Forbidden, Invalid};
use super::{ApiJson, ApiQuery, AppState};
use crate::api::{self, input, ModelPrice, SetPrice};
use crate::auth::Caller;
use crate::db::NewPrice;
use crate::error::ApiResult;
use crate::permissions::{require, Action};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_prices, set_price))
        .routes(routes!(price_history))
}

/// Set a model's price from a moment on (default now), in USD per million
/// input and output tokens. The earlier prices stay, so reports price each
/// bucket with the price then in force. Global admins only; audited.
#[utoipa::path(post, path = "/prices", tag = "prices", request_body = SetPrice,
    responses((status = 201, body = ModelPrice), Forbidden,
        (status = 409, description = "The model already has a price from that moment", body = api::ErrorBody),
        Invalid))]
async fn set_price(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SetPrice>,
) -> ApiResult<(StatusCode, Json<ModelPrice>)> {
    require(&caller.principal, Action::PriceSet, None)?;
    let now = api::now();
    let price = NewPrice {
        model: input::model(&req.model)?,
        input_micros: input::price_usd("input price", &req.input_usd_per_1m)?,
        output_micros: input::price_usd("output price", &req.output_usd_per_1m)?,
        effective_from: match req.effective_from.as_deref() {
            Some(at) => api::trunc_micros(input::moment("effective_from", at, now)?),
            None => now,
        },
    };
    let price = state.db.set_price(&caller.actor, price).await?;
    Ok((StatusCode::CREATED, Json(price)))
}

/// Every priced model with its price in force now (or, for a model priced
/// only from a future moment, that price), by model.
#[utoipa::path(get, path = "/prices", tag = "prices", responses((status = 200, body = Vec<ModelPrice>)))]
async fn list_prices(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<ModelPrice>>> {
    Ok(Json(current(state.db.all_prices().await?, api::now())))
}

/// The price of each model in force at `now`: from prices sorted by model,
/// then moment.
fn current(all: Vec<ModelPrice>, now: chrono::DateTime<chrono::Utc>) -> Vec<ModelPrice> {
    let mut out: Vec<ModelPrice> = Vec::new();
    for p in all {
        match out.last_mut() {
            Some(last) if last.model == p.model => {
                if p.effective_from <= now {
                    *last = p;
                }
            }
            _ => out.push(p),
        }
    }
    out
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// The model, as priced: 1-256 characters, no control characters.
    #[param(
        example = "gpt-4o",
        min_length = 1,
        max_length = 256,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]+$"
    )]
    model: String,
}

/// A model's prices, newest first (empty when it was never priced).
#[utoipa::path(get, path = "/prices/history", tag = "prices", params(HistoryQuery),
    responses((status = 200, body = Vec<ModelPrice>), Invalid))]
async fn price_history(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<Vec<ModelPrice>>> {
    let model = input::model(&q.model)?;
    Ok(Json(state.db.price_history(model).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(model: &str, from: &str) -> ModelPrice {
        ModelPrice {
            id: uuid::Uuid::nil(),
            model: model.into(),
            input_usd_per_1m: from.into(),
            output_usd_per_1m: "0".into(),
            effective_from: from.parse().unwrap(),
            set_by: None,
            set_at: from.parse().unwrap(),
        }
    }

    #[test]
    fn the_price_in_force_now() {
        let now = "2026-06-01T00:00:00Z".parse().unwrap();
        let all = vec![
            price("a", "2026-01-01T00:00:00Z"),
            price("a", "2026-05-01T00:00:00Z"),
            price("a", "2026-07-01T00:00:00Z"),
            price("b", "2026-08-01T00:00:00Z"),
            price("b", "2026-09-01T00:00:00Z"),
        ];
        let got: Vec<String> = current(all, now)
            .into_iter()
            .map(|p| format!("{}@{}", p.model, p.input_usd_per_1m))
            .collect();
        assert_eq!(got, ["a@2026-05-01T00:00:00Z", "b@2026-08-01T00:00:00Z"]);
    }
}
