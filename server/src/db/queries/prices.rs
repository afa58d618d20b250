// Model prices: set (audited, history kept), the prices in force, a
// model's history, and every price for pricing reports.

#[derive(FromRow)]
struct PriceRow {
    id: Uuid,
    model: String,
    input_micros: i64,
    output_micros: i64,
    effective_from: DateTime<Utc>,
    set_by_name: Option<String>,
    set_at: DateTime<Utc>,
}

const PRICE_SELECT: &str = "SELECT p.id, p.model, p.input_micros, p.output_micros, \
     p.effective_from, u.name AS set_by_name, p.set_at FROM model_prices p \
     LEFT JOIN users u ON u.id = p.set_by";

impl From<PriceRow> for api::ModelPrice {
    fn from(r: PriceRow) -> Self {
        api::ModelPrice {
            id: r.id,
            model: r.model,
            input_usd_per_1m: api::input::format_micros(r.input_micros),
            output_usd_per_1m: api::input::format_micros(r.output_micros),
            effective_from: r.effective_from,
            set_by: r.set_by_name,
            set_at: r.set_at,
        }
    }
}

impl Repo {
    /// Adds a price to a model's history. A second price for the same
    /// model and moment is a conflict: history is never rewritten.
    pub async fn set_price(
        &self,
        actor: &Actor,
        price: NewPrice,
    ) -> ApiResult<api::ModelPrice> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::now_v7();
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO model_prices (id, model, input_micros, output_micros, effective_from, \
             set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (model, effective_from) DO NOTHING RETURNING id",
        )
        .bind(id)
        .bind(&price.model)
        .bind(price.input_micros)
        .bind(price.output_micros)
        .bind(price.effective_from)
        .bind(actor.user_id)
        .bind(api::now())
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            return Err(ApiError::Conflict {
                code: "conflict",
                message: format!(
                    "model `{}` already has a price from {}; set one from another time",
                    price.model,
                    price.effective_from.to_rfc3339()
                ),
            });
        }
        let row: api::ModelPrice =
            sqlx::query_as::<_, PriceRow>(&format!("{PRICE_SELECT} WHERE p.id = $1"))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .into();
        let target = Target {
            kind: "price",
            id: id.to_string(),
            name: row.model.clone(),
            team: FiledUnder::Team(None),
        };
        audited(&mut tx, actor, Audit::new("price.set", target).after(&row)).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Every stored price, by model, oldest first.
    pub async fn all_prices(&self) -> ApiResult<Vec<api::ModelPrice>> {
        Ok(sqlx::query_as::<_, PriceRow>(&format!(
            "{PRICE_SELECT} ORDER BY p.model, p.effective_from"
        ))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
    }

    /// A model's prices, newest first.
    pub async fn price_history(&self, model: String) -> ApiResult<Vec<api::ModelPrice>> {
        Ok(sqlx::query_as::<_, PriceRow>(&format!(
            "{PRICE_SELECT} WHERE p.model = $1 ORDER BY p.effective_from DESC"
        ))
        .bind(model)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
    }
}
