// Model prices: set (audited, history kept, announced to gateways), the
// prices in force, a model's history, every price for pricing reports, and
// the prices gateways and budgets count with.

/// Per model (all, or `model`), the price in force at `now` and any later
/// ones: what a gateway needs to price the calls it lets through.
async fn published_prices(
    tx: &mut Tx,
    model: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<PriceEntry>> {
    let all = price_entries(tx, model.map(|m| vec![m.to_string()]).as_deref()).await?;
    // Oldest first per model: keep an entry unless the next one of its
    // model also took effect by `now`.
    Ok(all
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            all.get(i + 1)
                .is_none_or(|next| next.model != e.model || next.effective_from > now)
        })
        .map(|(_, e)| e.clone())
        .collect())
}

/// Every price of `models` (all: `None`), by model, oldest first.
async fn price_entries(tx: &mut Tx, models: Option<&[String]>) -> sqlx::Result<Vec<PriceEntry>> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT model, effective_from, input_micros, output_micros FROM model_prices WHERE 1 = 1",
    );
    if let Some(models) = models {
        if models.is_empty() {
            return Ok(vec![]);
        }
        q.push(" AND model IN (");
        let mut list = q.separated(", ");
        for m in models {
            list.push_bind(m.clone());
        }
        list.push_unseparated(")");
    }
    q.push(" ORDER BY model, effective_from");
    Ok(q
        .build_query_as::<(String, DateTime<Utc>, i64, i64)>()
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(model, effective_from, input, output)| PriceEntry {
            model,
            effective_from,
            input_micros_per_1m: u64::try_from(input).unwrap_or(0),
            output_micros_per_1m: u64::try_from(output).unwrap_or(0),
        })
        .collect())
}

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
        // Gateways count budgets with the prices they were sent.
        record_change(&mut tx, "price", row.model.clone()).await?;
        self.commit_config(tx).await?;
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
