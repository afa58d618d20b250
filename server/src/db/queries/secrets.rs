// Upstream secrets: stored sealed under the master key, bound to hosts.

#[derive(FromRow)]
struct SecretRow {
    id: Uuid,
    name: String,
    fingerprint: String,
    version: i64,
    hosts: Json<Vec<String>>,
    set_by_name: Option<String>,
    set_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

const SECRET_SELECT: &str = "SELECT s.id, s.name, s.fingerprint, s.version, s.hosts, \
     u.name AS set_by_name, s.set_at, s.created_at \
     FROM secrets s LEFT JOIN users u ON u.id = s.set_by";

/// A secret as gateways get it.
#[derive(FromRow)]
struct SealedRow {
    name: String,
    ciphertext: Vec<u8>,
    hosts: Json<Vec<String>>,
}

const SEALED_SELECT: &str = "SELECT name, ciphertext, hosts FROM secrets";

impl From<SealedRow> for SealedSecret {
    fn from(r: SealedRow) -> Self {
        SealedSecret {
            name: r.name,
            sealed: r.ciphertext,
            hosts: r.hosts.0,
        }
    }
}

async fn secret_info(tx: &mut Tx, row: SecretRow) -> sqlx::Result<api::SecretInfo> {
    let used_by: Vec<String> = sqlx::query_scalar(
        "SELECT r.name FROM route_secrets rs JOIN routes r ON r.id = rs.route_id \
         WHERE rs.secret_id = $1 ORDER BY r.name",
    )
    .bind(row.id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(api::SecretInfo {
        name: row.name,
        fingerprint: row.fingerprint,
        version: row.version,
        set_by: row.set_by_name,
        set_at: row.set_at,
        created_at: row.created_at,
        used_by,
        hosts: row.hosts.0,
    })
}

impl Repo {
    /// Stores a new secret, or changes an existing one's value, hosts or both.
    pub async fn set_secret(
        &self,
        actor: &Actor,
        change: SecretChange,
    ) -> ApiResult<api::SecretInfo> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let name = change.name.clone();
        if !FOR_UPDATE.is_empty() {
            sqlx::query(&format!(
                "SELECT id FROM secrets WHERE name = $1{FOR_UPDATE}"
            ))
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
        }
        let existing =
            sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
        let before = match existing {
            Some(row) => Some((row.id, secret_info(&mut tx, row).await?)),
            None => None,
        };
        let hosts_changed = match (&before, &change.hosts) {
            (Some((_, b)), Some(hosts)) => *hosts != b.hosts,
            _ => false,
        };
        // Decided once, with the row locked: a secret created concurrently
        // after this makes the insert below fail (409), never turns it
        // into a replace.
        match (&before, &change.value) {
            (None, _) => change.may.create?,
            (Some(_), Some(_)) => change.may.replace?,
            (Some(_), None) => {}
        }
        match (&before, &change.value) {
            (None, None) => {
                return Err(ApiError::invalid(format!(
                    "secret `{name}` does not exist yet; give its value"
                )))
            }
            (Some((id, b)), value) => {
                if hosts_changed {
                    if !change.may_change_hosts {
                        return Err(ApiError::forbidden(format!(
                            "changing the hosts secret `{name}` may be sent to needs the admin role (or higher) in the system team"
                        )));
                    }
                    let hosts = change.hosts.as_deref().unwrap_or_default();
                    let users: Vec<(String, String)> = sqlx::query_as(
                        "SELECT r.name, r.upstream FROM route_secrets rs \
                         JOIN routes r ON r.id = rs.route_id WHERE rs.secret_id = $1 ORDER BY r.name",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    let stranded: Vec<String> = users
                        .iter()
                        .filter_map(|(route, upstream)| {
                            let h = host::upstream_host(upstream).unwrap_or_default();
                            (!host::matches_any(hosts, &h)).then(|| format!("{route} ({h})"))
                        })
                        .collect();
                    if !stranded.is_empty() {
                        return Err(ApiError::Invalid {
                            code: "secret_host_not_allowed",
                            message: format!(
                                "route(s) {} use secret `{name}` and would lose it, as their upstream host is not among the new hosts; change their --upstream or --auth first",
                                stranded.join(", ")
                            ),
                        });
                    }
                    sqlx::query("UPDATE secrets SET hosts = $1 WHERE id = $2")
                        .bind(Json(hosts))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some((sealed, fingerprint)) = value {
                    sqlx::query(
                        "UPDATE secrets SET ciphertext = $1, fingerprint = $2, version = version + 1, \
                         set_by = $3, set_at = $4 WHERE id = $5",
                    )
                    .bind(sealed)
                    .bind(fingerprint)
                    .bind(actor.user_id)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                } else if !hosts_changed {
                    // Nothing to change.
                    tx.commit().await?;
                    return Ok(b.clone());
                }
            }
            (None, Some((sealed, fingerprint))) => {
                sqlx::query(
                    "INSERT INTO secrets (id, name, ciphertext, fingerprint, version, hosts, set_by, set_at, created_at) \
                     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $7)",
                )
                .bind(Uuid::now_v7())
                .bind(&name)
                .bind(sealed)
                .bind(fingerprint)
                .bind(Json(change.hosts.clone().unwrap_or_default()))
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .on_constraint(SECRET_NAME, || format!("secret `{name}` was set concurrently; retry"))?;
            }
        }
        let row = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
            .bind(&name)
            .fetch_one(&mut *tx)
            .await?;
        let id = row.id;
        let after = secret_info(&mut tx, row).await?;
        let action = if change.value.is_some() {
            "secret.set"
        } else {
            "secret.hosts"
        };
        let mut audit = Audit::new(action, Target::secret(id, &after)).after(&after);
        if let Some((_, before)) = &before {
            audit = audit.before(before);
        }
        audited(&mut tx, actor, audit).await?;
        record_change(&mut tx, "secret", after.name.clone()).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn find_secret(&self, name: &str) -> ApiResult<Option<api::SecretInfo>> {
        let mut tx = self.read().await?;
        let row = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let info = match row {
            Some(row) => Some(secret_info(&mut tx, row).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(info)
    }

    pub async fn list_secrets(&self) -> ApiResult<Vec<api::SecretInfo>> {
        let mut tx = self.read().await?;
        let rows = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} ORDER BY s.name"))
            .fetch_all(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(secret_info(&mut tx, row).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn remove_secret(&self, actor: &Actor, name: &str) -> ApiResult<api::SecretInfo> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(&format!(
            "SELECT id FROM secrets WHERE name = $1{FOR_UPDATE}"
        ))
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::not_found("secret", name))?;
        let row = sqlx::query_as::<_, SecretRow>(&format!("{SECRET_SELECT} WHERE s.name = $1"))
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        let id = row.id;
        let info = secret_info(&mut tx, row).await?;
        if !info.used_by.is_empty() {
            return Err(ApiError::Conflict {
                code: "secret_in_use",
                message: format!(
                    "secret `{name}` is used by route(s) {}; change their --auth first",
                    info.used_by.join(", ")
                ),
            });
        }
        sqlx::query("DELETE FROM secrets WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .on_constraint(ROUTE_SECRET, || {
                format!("secret `{name}` is used by a route")
            })?;
        audited(
            &mut tx,
            actor,
            Audit::new("secret.remove", Target::secret(id, &info)).before(&info),
        )
        .await?;
        record_change(&mut tx, "secret", name.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(info)
    }
}
