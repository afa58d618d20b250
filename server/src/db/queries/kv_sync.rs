// The Cloudflare KV sync's queries. Compiled once per backend with the
// other query files, whose helpers (`begin_write`, `record_change`,
// `ROUTE_SELECT`, …) and imports it uses. Types shared by both backends
// live in `db/kv.rs`.

#[derive(FromRow)]
struct KvStateRow {
    namespace_id: Option<String>,
    edge_key_id: Option<String>,
    synced_seq: i64,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    last_error_at: Option<DateTime<Utc>>,
    last_error_kind: Option<String>,
    failing_since: Option<DateTime<Utc>>,
    lease_holder: Option<String>,
    lease_until: Option<DateTime<Utc>>,
    full_requested_at: Option<DateTime<Utc>>,
    full_done_at: Option<DateTime<Utc>>,
    full_progress_done: i64,
    full_progress_total: i64,
    full_result: Option<String>,
}

fn seq_to_db(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_from_db(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

/// Rows per multi-row statement, well under SQLite's bound-parameter limit.
const KV_CHUNK: usize = 400;

impl Repo {
    /// The sync state row and the change log around it.
    pub async fn kv_state(&self) -> anyhow::Result<crate::db::KvSyncState> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let row = sqlx::query_as::<_, KvStateRow>(
            "SELECT namespace_id, edge_key_id, synced_seq, last_success_at, last_error, \
             last_error_at, last_error_kind, failing_since, lease_holder, lease_until, \
             full_requested_at, full_done_at, full_progress_done, full_progress_total, full_result \
             FROM kv_sync_state WHERE id = 1",
        )
        .fetch_one(&mut *tx)
        .await?;
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM config_changes WHERE seq > $1")
            .bind(row.synced_seq)
            .fetch_one(&mut *tx)
            .await?;
        let oldest_pending_at: Option<DateTime<Utc>> =
            sqlx::query_scalar("SELECT at FROM config_changes WHERE seq > $1 ORDER BY seq LIMIT 1")
                .bind(row.synced_seq)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(crate::db::KvSyncState {
            namespace_id: row.namespace_id,
            edge_key_id: row.edge_key_id,
            synced_seq: seq_from_db(row.synced_seq),
            latest_seq: seq_from_db(latest.unwrap_or(0)),
            pending: seq_from_db(pending),
            oldest_pending_at,
            last_success_at: row.last_success_at,
            last_error: row.last_error,
            last_error_at: row.last_error_at,
            last_error_kind: row.last_error_kind,
            failing_since: row.failing_since,
            lease_holder: row.lease_holder,
            lease_until: row.lease_until,
            full_requested_at: row.full_requested_at,
            full_done_at: row.full_done_at,
            full_progress_done: seq_from_db(row.full_progress_done),
            full_progress_total: seq_from_db(row.full_progress_total),
            full_result: row.full_result,
        })
    }

    /// Takes or renews the sync lease for `holder` until `until`. Refused
    /// (`false`) while another holder's lease runs.
    pub async fn kv_take_lease(
        &self,
        holder: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let (current, current_until): (Option<String>, Option<DateTime<Utc>>) =
            sqlx::query_as(&format!(
                "SELECT lease_holder, lease_until FROM kv_sync_state WHERE id = 1{FOR_UPDATE}"
            ))
            .fetch_one(&mut *tx)
            .await?;
        let free = match (&current, current_until) {
            (Some(h), _) if *h == holder => true,
            (Some(_), Some(u)) => u <= now,
            _ => true,
        };
        if free {
            sqlx::query(
                "UPDATE kv_sync_state SET lease_holder = $1, lease_until = $2 WHERE id = 1",
            )
            .bind(&holder)
            .bind(api::trunc_micros(until))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(free)
    }

    /// Gives the lease up (at shutdown), so another process takes over at once.
    pub async fn kv_release_lease(&self, holder: String) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE kv_sync_state SET lease_holder = NULL, lease_until = NULL \
             WHERE id = 1 AND lease_holder = $1",
        )
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Writes a change-log row for every token whose rotation grace ended
    /// since the last call, so gateways and the KV sync drop the old secret.
    /// Returns how many were recorded.
    pub async fn kv_record_grace_ends(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::trunc_micros(now);
        let checked: Option<DateTime<Utc>> = sqlx::query_scalar(&format!(
            "SELECT grace_checked_until FROM kv_sync_state WHERE id = 1{FOR_UPDATE}"
        ))
        .fetch_one(&mut *tx)
        .await?;
        let ended: Vec<Uuid> =
            match checked {
                // The first pass starts from a full reconcile, which already
                // leaves ended graces out.
                None => vec![],
                Some(checked) => sqlx::query_scalar(
                    "SELECT id FROM tokens WHERE revoked_at IS NULL AND previous_hash IS NOT NULL \
                     AND previous_expires_at > $1 AND previous_expires_at <= $2",
                )
                .bind(checked)
                .bind(now)
                .fetch_all(&mut *tx)
                .await?,
            };
        for id in &ended {
            record_change(&mut tx, "token", id.to_string()).await?;
        }
        sqlx::query("UPDATE kv_sync_state SET grace_checked_until = $1 WHERE id = 1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if ended.is_empty() {
            tx.commit().await?;
        } else {
            self.commit_config(tx).await?;
        }
        Ok(ended.len())
    }

    /// Every route as gateways see it, with the change-log position it reflects.
    pub async fn kv_routes(&self) -> anyhow::Result<(u64, Vec<RouteEntry>)> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let routes = route_entries(&mut tx, " ORDER BY r.path").await?;
        tx.commit().await?;
        Ok((seq_from_db(latest.unwrap_or(0)), routes))
    }

    /// The prices published to gateways at `now` (per model, the one in
    /// force and any later ones), with the change-log position they reflect.
    pub async fn kv_prices(&self, now: DateTime<Utc>) -> anyhow::Result<(u64, Vec<PriceEntry>)> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let prices = published_prices(&mut tx, None, now).await?;
        tx.commit().await?;
        Ok((seq_from_db(latest.unwrap_or(0)), prices))
    }

    /// Every upstream secret (name, sealed under the master key, hosts),
    /// with the change-log position it reflects.
    pub async fn kv_secrets(&self) -> anyhow::Result<(u64, Vec<SealedSecret>)> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM config_changes")
            .fetch_one(&mut *tx)
            .await?;
        let secrets = sqlx::query_as::<_, SealedRow>(&format!("{SEALED_SELECT} ORDER BY name"))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        tx.commit().await?;
        Ok((seq_from_db(latest.unwrap_or(0)), secrets))
    }

    /// The secret hashes of tokens, revoked ones included.
    pub async fn kv_token_hashes(
        &self,
        ids: Vec<Uuid>,
    ) -> anyhow::Result<Vec<crate::db::TokenHashes>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(KV_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "SELECT id, secret_hash, previous_hash FROM tokens WHERE id IN (",
            );
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            let rows: Vec<(Uuid, String, Option<String>)> =
                q.build_query_as().fetch_all(&self.pool).await?;
            out.extend(
                rows.into_iter()
                    .map(
                        |(token_id, secret_hash, previous_hash)| crate::db::TokenHashes {
                            token_id,
                            secret_hash,
                            previous_hash,
                        },
                    ),
            );
        }
        Ok(out)
    }

    /// Token keys believed to be in KV: of these tokens, or all (`None`).
    pub async fn kv_known_keys(
        &self,
        tokens: Option<Vec<Uuid>>,
    ) -> anyhow::Result<Vec<crate::db::KvTokenKey>> {
        let rows: Vec<(String, Uuid)> = match tokens {
            None => {
                sqlx::query_as("SELECT key, token_id FROM kv_token_keys ORDER BY key")
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(ids) => {
                let mut rows = vec![];
                for chunk in ids.chunks(KV_CHUNK) {
                    let mut q = QueryBuilder::<Db>::new(
                        "SELECT key, token_id FROM kv_token_keys WHERE token_id IN (",
                    );
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    rows.extend(
                        q.build_query_as::<(String, Uuid)>()
                            .fetch_all(&self.pool)
                            .await?,
                    );
                }
                rows
            }
        };
        Ok(rows
            .into_iter()
            .map(|(key, token_id)| crate::db::KvTokenKey { key, token_id })
            .collect())
    }

    /// Records token keys before they are written to KV.
    pub async fn kv_remember_keys(
        &self,
        mut keys: Vec<crate::db::KvTokenKey>,
    ) -> anyhow::Result<()> {
        // One row per key: PostgreSQL refuses to upsert a row twice in one statement.
        keys.sort();
        keys.dedup_by(|a, b| a.key == b.key);
        let mut tx = begin_write(&self.pool).await?;
        for chunk in keys.chunks(KV_CHUNK) {
            let mut q = QueryBuilder::<Db>::new("INSERT INTO kv_token_keys (key, token_id) ");
            q.push_values(chunk, |mut row, k| {
                row.push_bind(k.key.clone()).push_bind(k.token_id);
            });
            q.push(" ON CONFLICT (key) DO UPDATE SET token_id = excluded.token_id");
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets token keys whose deletion Cloudflare confirmed.
    pub async fn kv_forget_keys(&self, keys: Vec<String>) -> anyhow::Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        for chunk in keys.chunks(KV_CHUNK) {
            let mut q = QueryBuilder::<Db>::new("DELETE FROM kv_token_keys WHERE key IN (");
            let mut list = q.separated(", ");
            for k in chunk {
                list.push_bind(k.clone());
            }
            q.push(")");
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// After Cloudflare confirmed everything up to `seq`: moves the synced
    /// position and clears the failure streak.
    pub async fn kv_mark_synced(
        &self,
        seq: u64,
        namespace_id: String,
        edge_key_id: Option<String>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE kv_sync_state SET synced_seq = $1, namespace_id = $2, edge_key_id = $3, \
             last_success_at = $4, failing_since = NULL WHERE id = 1",
        )
        .bind(seq_to_db(seq))
        .bind(namespace_id)
        .bind(edge_key_id)
        .bind(api::trunc_micros(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A successful call to Cloudflare that moved nothing (the idle check).
    pub async fn kv_mark_reachable(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE kv_sync_state SET last_success_at = $1, failing_since = NULL WHERE id = 1",
        )
        .bind(api::trunc_micros(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A failed attempt. `message` never holds secrets or keys' values.
    pub async fn kv_record_error(
        &self,
        message: String,
        kind: String,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let now = api::trunc_micros(now);
        sqlx::query(
            "UPDATE kv_sync_state SET last_error = $1, last_error_kind = $2, last_error_at = $3, \
             failing_since = COALESCE(failing_since, $3) WHERE id = 1",
        )
        .bind(message)
        .bind(kind)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Asks the lease holder for a full reconcile.
    pub async fn kv_request_full(&self, now: DateTime<Utc>) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE kv_sync_state SET full_requested_at = $1, full_progress_done = 0, \
             full_progress_total = 0 WHERE id = 1",
        )
        .bind(api::trunc_micros(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn kv_full_progress(&self, done: u64, total: u64) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE kv_sync_state SET full_progress_done = $1, full_progress_total = $2 WHERE id = 1",
        )
        .bind(seq_to_db(done))
        .bind(seq_to_db(total))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A full reconcile finished; `requested_at` is the request it answers.
    pub async fn kv_full_done(
        &self,
        requested_at: Option<DateTime<Utc>>,
        result: String,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE kv_sync_state SET full_done_at = COALESCE($1, full_done_at), full_result = $2 \
             WHERE id = 1",
        )
        .bind(requested_at.map(api::trunc_micros))
        .bind(result)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
