// Start-up: the master key check, the first admin (bootstrap), and the
// one-time upgrade that finishes migration 0007.

impl Repo {
    pub async fn key_state(&self) -> anyhow::Result<KeyState> {
        let check: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'master_key_check'")
                .fetch_optional(&self.pool)
                .await?;
        if let Some(check) = check {
            return Ok(KeyState::Check(check));
        }
        let secrets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secrets")
            .fetch_one(&self.pool)
            .await?;
        Ok(if secrets > 0 {
            KeyState::SecretsWithoutCheck
        } else {
            KeyState::Fresh
        })
    }

    pub async fn record_key_check(&self, check: String) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('master_key_check', $1) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(check)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn bootstrap(
        &self,
        secret: Secret,
        expires_at: Option<DateTime<Utc>>,
        deliver: &(dyn Fn(&Secret) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        lock_bootstrap(&mut tx).await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if users > 0 {
            return Ok(false);
        }
        let now = api::now();
        let team_id = match system_team_id(&mut tx).await? {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO teams (id, name, description, is_system, created_at) \
                     VALUES ($1, 'system', 'Owns routes and upstream secrets', $2, $3)",
                )
                .bind(id)
                .bind(true)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let user_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, name, global_admin, created_at) VALUES ($1, 'admin', $2, $3)",
        )
        .bind(user_id)
        .bind(true)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO memberships (team_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)",
        )
        .bind(team_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let credential_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO credentials (id, user_id, name, secret_hash, hint, expires_at, created_at) \
             VALUES ($1, $2, 'bootstrap', $3, $4, $5, $6)",
        )
        .bind(credential_id)
        .bind(user_id)
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(expires_at.map(api::trunc_micros))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audited(
            &mut tx,
            &Actor::system(),
            Audit::new(
                "system.bootstrap",
                Target::new("user", user_id, "admin", Some(team_id)),
            )
            .after(&serde_json::json!({
                "user": "admin", "global_admin": true, "team": "system",
                "credential": {"id": credential_id, "name": "bootstrap", "hint": secret.hint(),
                               "expires_at": expires_at.map(api::trunc_micros)},
            })),
        )
        .await?;
        deliver(&secret)?;
        tx.commit().await?;
        Ok(true)
    }

    /// Routes to classify after migration 0007 (which added route grants,
    /// upstream access and secret hosts), or `None` once that is done.
    pub async fn upgrade_0007_pending(&self) -> anyhow::Result<Option<Vec<(Uuid, String)>>> {
        let done: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'upgrade_0007'")
                .fetch_optional(&self.pool)
                .await?;
        if done.is_some() {
            return Ok(None);
        }
        Ok(Some(
            sqlx::query_as("SELECT id, upstream FROM routes ORDER BY path")
                .fetch_all(&self.pool)
                .await?,
        ))
    }

    /// Finishes migration 0007 once: gives existing routes the upstream
    /// access their upstreams need today (`access`, classified by the
    /// caller), binds every secret to the hosts of the routes that use it,
    /// and puts every route and secret on the change log so gateways and
    /// the KV sync get grants and hosts. Audited as the `system` actor.
    /// Returns whether this call did it.
    pub async fn upgrade_0007_finish(
        &self,
        access: Vec<(Uuid, UpstreamAccess)>,
    ) -> anyhow::Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        lock_bootstrap(&mut tx).await?;
        let done: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'upgrade_0007'")
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            tx.commit().await?;
            return Ok(false);
        }
        let actor = Actor::system();
        for (id, access) in access
            .into_iter()
            .filter(|(_, a)| *a != UpstreamAccess::Public)
        {
            let Ok(before) = route_view(&mut tx, id).await else {
                continue;
            };
            sqlx::query("UPDATE routes SET upstream_access = $1 WHERE id = $2")
                .bind(access.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let after = route_view(&mut tx, id).await?;
            audited(
                &mut tx,
                &actor,
                Audit::new("route.update", Target::route(&before))
                    .before(&before)
                    .after(&after)
                    .note(
                        "reason",
                        &"the upstream reached private addresses before upstream access existed",
                    ),
            )
            .await?;
        }
        let secrets = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} ORDER BY s.name"))
            .fetch_all(&mut *tx)
            .await?;
        for row in secrets {
            let upstreams: Vec<String> = sqlx::query_scalar(
                "SELECT r.upstream FROM route_secrets rs JOIN routes r ON r.id = rs.route_id \
                 WHERE rs.secret_id = $1",
            )
            .bind(row.id)
            .fetch_all(&mut *tx)
            .await?;
            let hosts: Vec<String> = upstreams
                .iter()
                .filter_map(|u| host::upstream_host(u))
                .filter_map(|h| host::normalize_pattern(&h).ok())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let name = row.name.clone();
            record_change(&mut tx, "secret", name.clone()).await?;
            if hosts.is_empty() || hosts == row.hosts.0 {
                continue;
            }
            let id = row.id;
            let before = secret_info(&mut tx, row).await?;
            sqlx::query("UPDATE secrets SET hosts = $1 WHERE id = $2")
                .bind(Json(&hosts))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let mut after = before.clone();
            after.hosts = hosts;
            audited(
                &mut tx,
                &actor,
                Audit::new("secret.hosts", Target::secret(id, &after))
                    .before(&before)
                    .after(&after),
            )
            .await?;
        }
        let routes: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM routes")
            .fetch_all(&mut *tx)
            .await?;
        for id in routes {
            record_change(&mut tx, "route", id.to_string()).await?;
        }
        sqlx::query("INSERT INTO settings (key, value) VALUES ('upgrade_0007', $1)")
            .bind(api::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
        self.commit_config(tx).await?;
        Ok(true)
    }
}
