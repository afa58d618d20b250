// Gateway keys: the credentials gateways use to follow the config feed
// and report usage.

#[derive(FromRow)]
struct GatewayKeyRow {
    id: Uuid,
    name: String,
    hint: String,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    last_seen_at: Option<DateTime<Utc>>,
}

const GATEWAY_KEY_SELECT: &str = "SELECT g.id, g.name, g.hint, u.name AS created_by_name, \
     g.created_at, g.revoked_at, g.last_seen_at FROM gateway_keys g LEFT JOIN users u ON u.id = g.created_by";

impl From<GatewayKeyRow> for api::GatewayKey {
    fn from(r: GatewayKeyRow) -> Self {
        api::GatewayKey {
            id: r.id,
            name: r.name,
            hint: r.hint,
            created_by: r.created_by_name,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_seen_at: r.last_seen_at,
        }
    }
}

async fn gateway_key(tx: &mut Tx, id: Uuid) -> sqlx::Result<api::GatewayKey> {
    Ok(
        sqlx::query_as::<_, GatewayKeyRow>(&format!("{GATEWAY_KEY_SELECT} WHERE g.id = $1"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .into(),
    )
}

impl Repo {
    pub async fn create_gateway_key(
        &self,
        actor: &Actor,
        name: String,
        secret: &Secret,
    ) -> ApiResult<api::GatewayKey> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO gateway_keys (id, name, secret_hash, hint, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&name)
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(actor.user_id)
        .bind(api::now())
        .execute(&mut *tx)
        .await
        .on_constraint(GATEWAY_KEY_NAME, || {
            format!("a live gateway key named `{name}` already exists")
        })?;
        let key = gateway_key(&mut tx, id).await?;
        audited(
            &mut tx,
            actor,
            Audit::new("gateway_key.create", Target::gateway_key(&key)).after(&key),
        )
        .await?;
        tx.commit().await?;
        Ok(key)
    }

    pub async fn list_gateway_keys(&self) -> ApiResult<Vec<api::GatewayKey>> {
        Ok(sqlx::query_as::<_, GatewayKeyRow>(&format!(
            "{GATEWAY_KEY_SELECT} ORDER BY g.created_at"
        ))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
    }

    pub async fn revoke_gateway_key(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> ApiResult<api::GatewayKey> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let ids: Vec<(Uuid, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT id, revoked_at FROM gateway_keys WHERE id = $1 OR name = $2 ORDER BY created_at",
        )
        .bind(id)
        .bind(reference)
        .fetch_all(&mut *tx)
        .await?;
        let live: Vec<Uuid> = ids
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|(i, _)| *i)
            .collect();
        let id = match (live.as_slice(), ids.is_empty()) {
            ([one], _) => *one,
            (_, true) => return Err(ApiError::not_found("gateway key", reference)),
            ([], false) => {
                return Err(ApiError::Conflict {
                    code: "already_revoked",
                    message: format!("gateway key `{reference}` was already revoked"),
                })
            }
            _ => {
                return Err(ApiError::invalid(format!(
                    "`{reference}` matches several gateway keys; use an id"
                )))
            }
        };
        let before = gateway_key(&mut tx, id).await?;
        sqlx::query("UPDATE gateway_keys SET revoked_at = $1 WHERE id = $2")
            .bind(api::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = gateway_key(&mut tx, id).await?;
        audited(
            &mut tx,
            actor,
            Audit::new("gateway_key.revoke", Target::gateway_key(&after))
                .before(&before)
                .after(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The live gateway key with this hash, noting that it was seen.
    pub async fn authenticate_gateway(
        &self,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<api::GatewayKey>> {
        let key = sqlx::query_as::<_, GatewayKeyRow>(&format!(
            "{GATEWAY_KEY_SELECT} WHERE g.secret_hash = $1"
        ))
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(api::GatewayKey::from);
        if let Some(k) = &key {
            if k.revoked_at.is_none()
                && k.last_seen_at
                    .is_none_or(|t| now - t > chrono::Duration::seconds(30))
            {
                sqlx::query("UPDATE gateway_keys SET last_seen_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(k.id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(key)
    }
}
