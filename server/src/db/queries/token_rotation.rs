// Token rotation, with an optional grace period for the old secret and
// idempotent retries whose result is kept sealed for a day.

/// How long the result of an idempotent rotation can be fetched again.
fn rotation_replay_window() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// What binds a sealed rotation result to its row and its caller.
fn rotation_binding(token: Uuid, idempotency_hash: &str, actor: &Actor) -> String {
    format!(
        "token-rotation/{token}/{idempotency_hash}/{}",
        actor
            .credential_id
            .map_or_else(|| "-".to_string(), |c| c.to_string())
    )
}

#[derive(FromRow)]
struct RotationRow {
    secret_hash: String,
    grace_ms: i64,
    credential_id: Option<Uuid>,
    sealed_token: Option<Vec<u8>>,
}

/// A retried idempotent rotation: the stored result, only for the
/// credential that made the rotation, and only while it is the token's
/// current secret. Audited as `token.rotate.replay`.
#[allow(clippy::too_many_arguments)]
async fn replay_rotation(
    tx: &mut Tx,
    actor: &Actor,
    master: &crate::crypto::MasterKey,
    row: &TokenRow,
    idempotency_hash: &str,
    earlier: RotationRow,
    grace_ms: i64,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let not_reproducible = || ApiError::Conflict {
        code: "rotation_not_reproducible",
        message: "this idempotency key's rotation cannot be returned again (it was made before \
                  this server kept rotation results, or under another master key); use a new key"
            .into(),
    };
    let Some(sealed) = earlier.sealed_token else {
        return Err(not_reproducible());
    };
    if earlier.credential_id != actor.credential_id {
        return Err(ApiError::Conflict {
            code: "idempotency_key_reused",
            message: "this idempotency key was used by another credential; use a new key".into(),
        });
    }
    if earlier.grace_ms != grace_ms {
        return Err(ApiError::Invalid {
            code: "idempotency_key_mismatch",
            message: "this idempotency key was used for a rotation with a different --grace; use a new key".into(),
        });
    }
    let current: String = sqlx::query_scalar("SELECT secret_hash FROM tokens WHERE id = $1")
        .bind(row.id)
        .fetch_one(&mut **tx)
        .await?;
    if current != earlier.secret_hash {
        return Err(ApiError::Conflict {
            code: "rotation_superseded",
            message:
                "this idempotency key's rotation has since been superseded by another rotation"
                    .into(),
        });
    }
    let token = master
        .open_rotation(&rotation_binding(row.id, idempotency_hash, actor), &sealed)
        .and_then(|p| String::from_utf8(p).ok())
        .filter(|t| hash_secret(t) == earlier.secret_hash)
        .ok_or_else(not_reproducible)?;
    let view = token_by_id(tx, row.id, false)
        .await?
        .expect("locked row exists")
        .view(now);
    audited(
        tx,
        actor,
        Audit::new("token.rotate.replay", Target::token(&view)).after(&serde_json::json!({
            "token": view,
            "returned": "the stored result of an earlier rotation with this idempotency key",
        })),
    )
    .await?;
    Ok(token)
}

impl Repo {
    pub async fn rotate_token(
        &self,
        actor: &Actor,
        id: Uuid,
        rotation: Rotation,
    ) -> ApiResult<api::IssuedToken> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let row = live_token_locked(&mut tx, id, LockFor::Rotation).await?;
        // An idempotent rotation needs the master key, to seal its result.
        let idempotency = match &rotation.idempotency_key {
            None => None,
            Some(key) => {
                let master = rotation.master_key.as_ref().ok_or_else(|| ApiError::NotConfigured {
                    feature: crate::api::MissingFeature::MasterKey,
                    message: "idempotent rotation needs the server's master key (TOKENCTL_MASTER_KEY or --master-key-file)".into(),
                })?;
                Some((master, hash_secret(key)))
            }
        };
        let grace_ms = i64::try_from(rotation.grace.as_millis()).unwrap_or(i64::MAX);
        if let Some((master, idem)) = &idempotency {
            // Results are kept for a day at most; an expired one is gone.
            sqlx::query(
                "DELETE FROM token_rotations WHERE token_id = $1 AND idempotency_hash = $2 \
                 AND (expires_at <= $3 OR (expires_at IS NULL AND created_at <= $4))",
            )
            .bind(id)
            .bind(idem)
            .bind(now)
            .bind(now - rotation_replay_window())
            .execute(&mut *tx)
            .await?;
            let earlier: Option<RotationRow> = sqlx::query_as(
                "SELECT secret_hash, grace_ms, credential_id, sealed_token FROM token_rotations \
                 WHERE token_id = $1 AND idempotency_hash = $2",
            )
            .bind(id)
            .bind(idem)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(earlier) = earlier {
                let token =
                    replay_rotation(&mut tx, actor, master, &row, idem, earlier, grace_ms, now)
                        .await?;
                tx.commit().await?;
                return Ok(api::IssuedToken {
                    info: row.view(now),
                    token,
                });
            }
        }
        let secret = Secret::generate(SecretKind::ApiToken, &mut rand::rngs::OsRng);
        let before = row.view(now);
        let grace = chrono::Duration::from_std(rotation.grace)
            .map_err(|_| ApiError::invalid("grace period is too long"))?;
        let (prev_hash, prev_hint, prev_expires): (
            Option<String>,
            Option<String>,
            Option<DateTime<Utc>>,
        ) = if grace > chrono::Duration::zero() {
            let current_hash: String =
                sqlx::query_scalar("SELECT secret_hash FROM tokens WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            (
                Some(current_hash),
                Some(before.secret_hint.clone()),
                Some(now + grace),
            )
        } else {
            (None, None, None)
        };
        sqlx::query(
            "UPDATE tokens SET secret_hash = $1, secret_hint = $2, previous_hash = $3, \
             previous_hint = $4, previous_expires_at = $5, rotated_at = $6, updated_at = $6 \
             WHERE id = $7",
        )
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(prev_hash)
        .bind(prev_hint)
        .bind(prev_expires)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some((master, idem)) = &idempotency {
            let sealed = master.seal_rotation(
                &rotation_binding(id, idem, actor),
                secret.expose().as_bytes(),
            );
            sqlx::query(
                "INSERT INTO token_rotations (token_id, idempotency_hash, secret_hash, grace_ms, \
                 created_at, credential_id, sealed_token, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(idem)
            .bind(secret.hash())
            .bind(grace_ms)
            .bind(now)
            .bind(actor.credential_id)
            .bind(sealed)
            .bind(now + rotation_replay_window())
            .execute(&mut *tx)
            .await?;
        }
        let after = token_changed(&mut tx, actor, "token.rotate", &before, now).await?;
        self.commit_config(tx).await?;
        Ok(api::IssuedToken {
            info: after,
            token: secret.into_exposed(),
        })
    }

    /// Deletes idempotent rotation results past their replay window.
    pub async fn purge_rotation_results(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(sqlx::query(
            "DELETE FROM token_rotations WHERE expires_at <= $1 \
             OR (expires_at IS NULL AND created_at <= $2)",
        )
        .bind(now)
        .bind(now - rotation_replay_window())
        .execute(&self.pool)
        .await?
        .rows_affected())
    }
}
