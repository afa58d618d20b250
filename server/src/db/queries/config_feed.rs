// The config feed gateways follow: the change log every config change
// appends to, and the configuration as of a change-log position.

/// Every route as gateways see it.
async fn route_entries(tx: &mut Tx, clause: &str) -> sqlx::Result<Vec<RouteEntry>> {
    let grants = grants_of(tx, None).await?;
    Ok(
        sqlx::query_as::<_, RouteRow>(&format!("{ROUTE_SELECT}{clause}"))
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|r| r.entry(&grants))
            .collect(),
    )
}

/// Appends to the change log that gateways follow (and the KV sync drains).
async fn record_change(tx: &mut Tx, entity_type: &str, entity_id: String) -> sqlx::Result<()> {
    serialize_changes(tx).await?;
    sqlx::query("INSERT INTO config_changes (at, entity_type, entity_id) VALUES ($1, $2, $3)")
        .bind(api::now())
        .bind(entity_type)
        .bind(entity_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct GatewayTokenRow {
    id: Uuid,
    team_id: Uuid,
    team_name: String,
    name: String,
    secret_hash: String,
    previous_hash: Option<String>,
    previous_expires_at: Option<DateTime<Utc>>,
    scopes: Json<Vec<String>>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    allow_ips: Json<Vec<ipnet::IpNet>>,
    rate_limit: Option<Json<api::RateLimit>>,
}

const GATEWAY_TOKEN_SELECT: &str = "SELECT t.id, t.team_id, tm.name AS team_name, t.name, \
     t.secret_hash, t.previous_hash, t.previous_expires_at, t.scopes, t.expires_at, t.revoked_at, \
     t.allow_ips, t.rate_limit FROM tokens t JOIN teams tm ON tm.id = t.team_id";

impl GatewayTokenRow {
    fn entry(self, now: DateTime<Utc>) -> TokenEntry {
        let in_grace = self.previous_expires_at.is_some_and(|e| e > now);
        TokenEntry {
            id: self.id,
            team_id: self.team_id,
            team: self.team_name,
            name: self.name,
            secret_hash: self.secret_hash,
            previous_hash: self.previous_hash.filter(|_| in_grace),
            previous_expires_at: self.previous_expires_at.filter(|_| in_grace),
            scopes: self.scopes.0,
            expires_at: self.expires_at,
            revoked: self.revoked_at.is_some(),
            allow_ips: self.allow_ips.0,
            rate_limit: self.rate_limit.map(|r| r.0),
        }
    }
}

/// Everything of a full config but its tokens: every route, secret,
/// quota state and published price, read in `tx` (so consistent with the
/// tokens read there).
async fn full_sections(
    tx: &mut Tx,
    config: &mut GatewayConfig,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    config.routes = route_entries(tx, "").await?;
    config.secrets = sqlx::query_as::<_, SealedRow>(SEALED_SELECT)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    config.quotas = all_quota_states(tx, now).await?;
    config.prices = published_prices(tx, None, now).await?;
    Ok(())
}

impl Repo {
    /// Everything gateways enforce, like [`Repo::gateway_config`] without
    /// `after`, but the tokens are sent to `tokens` one at a time as they
    /// are read rather than collected: the returned config has none. All
    /// from one consistent read. Stops early, without error, when `tokens`
    /// is closed (the gateway went away).
    pub async fn stream_gateway_config(
        &self,
        tokens: tokio::sync::mpsc::Sender<TokenEntry>,
    ) -> ApiResult<GatewayConfig> {
        use futures_util::TryStreamExt;
        let mut tx = begin_consistent_read(&self.pool).await?;
        let now = api::now();
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let mut config = GatewayConfig {
            version: u64::try_from(latest.unwrap_or(0)).unwrap_or(0),
            full: true,
            ..GatewayConfig::default()
        };
        let select = format!("{GATEWAY_TOKEN_SELECT} WHERE t.revoked_at IS NULL");
        {
            let mut rows = sqlx::query_as::<_, GatewayTokenRow>(&select).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                if tokens.send(row.entry(now)).await.is_err() {
                    return Ok(config);
                }
            }
        }
        drop(tokens);
        full_sections(&mut tx, &mut config, now).await?;
        tx.commit().await?;
        Ok(config)
    }

    /// Everything gateways enforce, consistent with change-log position `version`.
    pub async fn gateway_config(&self, after: Option<u64>) -> ApiResult<GatewayConfig> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let now = api::now();
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let latest = u64::try_from(latest.unwrap_or(0)).unwrap_or(0);
        let mut config = GatewayConfig {
            version: latest,
            full: after.is_none_or(|a| a > latest),
            ..GatewayConfig::default()
        };
        if config.full {
            config.tokens = sqlx::query_as::<_, GatewayTokenRow>(&format!(
                "{GATEWAY_TOKEN_SELECT} WHERE t.revoked_at IS NULL"
            ))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.entry(now))
            .collect();
            full_sections(&mut tx, &mut config, now).await?;
        } else if let Some(after) = after.filter(|a| *a < latest) {
            let changed: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT entity_type, entity_id FROM config_changes WHERE seq > $1",
            )
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await?;
            for (kind, id) in changed {
                match kind.as_str() {
                    "token" => {
                        let uuid = Uuid::parse_str(&id).map_err(anyhow::Error::from)?;
                        let row = sqlx::query_as::<_, GatewayTokenRow>(&format!(
                            "{GATEWAY_TOKEN_SELECT} WHERE t.id = $1"
                        ))
                        .bind(uuid)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match row.filter(|r| r.revoked_at.is_none()) {
                            Some(r) => config.tokens.push(r.entry(now)),
                            None => config.removed_tokens.push(uuid),
                        }
                    }
                    "route" => {
                        let uuid = Uuid::parse_str(&id).map_err(anyhow::Error::from)?;
                        let row = sqlx::query_as::<_, RouteRow>(&format!(
                            "{ROUTE_SELECT} WHERE r.id = $1"
                        ))
                        .bind(uuid)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match row {
                            Some(r) => {
                                let grants = grants_of(&mut tx, Some(uuid)).await?;
                                config.routes.push(r.entry(&grants));
                            }
                            None => config.removed_routes.push(uuid),
                        }
                    }
                    "price" => {
                        config
                            .prices
                            .extend(published_prices(&mut tx, Some(&id), now).await?);
                    }
                    "quota" => {
                        let uuid = Uuid::parse_str(&id).map_err(anyhow::Error::from)?;
                        match subject_quota_state(&mut tx, uuid, now).await? {
                            Some(state) => config.quotas.push(state),
                            None => config.removed_quotas.push(uuid),
                        }
                    }
                    _ => {
                        let row = sqlx::query_as::<_, SealedRow>(&format!(
                            "{SEALED_SELECT} WHERE name = $1"
                        ))
                        .bind(&id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match row {
                            Some(r) => config.secrets.push(r.into()),
                            None => config.removed_secrets.push(id),
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(config)
    }
}
