// Admin credentials: issuing, listing, revoking, and authenticating a
// request by its credential.

#[derive(FromRow)]
struct CredentialRow {
    id: Uuid,
    name: String,
    hint: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<CredentialRow> for api::Credential {
    fn from(r: CredentialRow) -> Self {
        api::Credential {
            id: r.id,
            name: r.name,
            hint: r.hint,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
        }
    }
}

const CREDENTIAL_COLUMNS: &str = "id, name, hint, created_at, expires_at, revoked_at, last_used_at";

async fn insert_credential(
    tx: &mut Tx,
    user: Uuid,
    name: &str,
    secret: &Secret,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<api::Credential> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO credentials (id, user_id, name, secret_hash, hint, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(user)
    .bind(name)
    .bind(secret.hash())
    .bind(secret.hint())
    .bind(expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    credential_by_id(tx, id).await
}

async fn credential_by_id(tx: &mut Tx, id: Uuid) -> sqlx::Result<api::Credential> {
    let row = sqlx::query_as::<_, CredentialRow>(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

impl Repo {
    pub async fn authenticate(
        &self,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<(Principal, bool)>> {
        let mut tx = self.read().await?;
        let cred = sqlx::query_as::<_, (Uuid, Uuid)>(
            "SELECT id, user_id FROM credentials WHERE secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((cred_id, user_id)) = cred else {
            return Ok(None);
        };
        let credential: api::Credential = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1"
        ))
        .bind(cred_id)
        .fetch_one(&mut *tx)
        .await?
        .into();
        let u = sqlx::query_as::<_, UserRow>(
            "SELECT id, name, email, global_admin, disabled_at, created_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        let memberships = sqlx::query_as::<_, MembershipRow>(
            "SELECT m.team_id, t.name AS team, m.role, t.is_system FROM memberships m \
             JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1 ORDER BY t.name",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(api::TeamMembership {
                team_id: m.team_id,
                team: m.team,
                role: api::Role::parse(&m.role)?,
                system: m.is_system,
            })
        })
        .collect();
        tx.commit().await?;
        let usable = credential.revoked_at.is_none()
            && credential.expires_at.is_none_or(|e| e > now)
            && u.disabled_at.is_none();
        if usable
            && credential
                .last_used_at
                .is_none_or(|t| now - t > chrono::Duration::seconds(60))
        {
            // Coarse last-use tracking: at most one write a minute per credential.
            sqlx::query("UPDATE credentials SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(cred_id)
                .execute(&self.pool)
                .await?;
        }
        let principal = Principal {
            user: api::User {
                id: u.id,
                name: u.name,
                email: u.email,
                global_admin: u.global_admin,
                disabled_at: u.disabled_at,
                created_at: u.created_at,
            },
            credential,
            memberships,
        };
        Ok(Some((principal, usable)))
    }

    pub async fn create_credential(
        &self,
        actor: &Actor,
        user_id: Uuid,
        name: String,
        expires_at: Option<DateTime<Utc>>,
        secret: &Secret,
    ) -> ApiResult<api::Credential> {
        let mut tx = begin_write(&self.pool).await?;
        let cred = insert_credential(&mut tx, user_id, &name, secret, api::now(), expires_at)
            .await
            .on_constraint(CREDENTIAL_NAME, || {
                format!("you already have a live credential named `{name}`")
            })?;
        audited(
            &mut tx,
            actor,
            Audit::new("credential.create", Target::credential(&cred)).after(&cred),
        )
        .await?;
        tx.commit().await?;
        Ok(cred)
    }

    pub async fn list_credentials(&self, user_id: Uuid) -> ApiResult<Vec<api::Credential>> {
        let rows = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE user_id = $1 ORDER BY created_at"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn revoke_credential(
        &self,
        actor: &Actor,
        user_id: Uuid,
        reference: &str,
    ) -> ApiResult<api::Credential> {
        let mut tx = begin_write(&self.pool).await?;
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let rows = sqlx::query_as::<_, CredentialRow>(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE user_id = $1 AND (id = $2 OR name = $3) \
             ORDER BY created_at"
        ))
        .bind(user_id)
        .bind(id)
        .bind(reference)
        .fetch_all(&mut *tx)
        .await?;
        let live: Vec<&CredentialRow> = rows.iter().filter(|r| r.revoked_at.is_none()).collect();
        let row = match (live.as_slice(), rows.as_slice()) {
            ([one], _) => *one,
            ([], []) => return Err(ApiError::not_found("credential", reference)),
            ([], _) => {
                return Err(ApiError::Conflict {
                    code: "already_revoked",
                    message: format!("credential `{reference}` was already revoked"),
                })
            }
            (many, _) => {
                return Err(ApiError::Ambiguous {
                    message: format!(
                        "`{reference}` matches {} credentials; use an id",
                        many.len()
                    ),
                    candidates: many
                        .iter()
                        .map(|r| Candidate {
                            id: r.id,
                            name: r.name.clone(),
                            team: None,
                            status: None,
                        })
                        .collect(),
                })
            }
        };
        let now = api::now();
        let id = row.id;
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credentials WHERE user_id = $1 AND id <> $2 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)",
        )
        .bind(user_id)
        .bind(id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(ApiError::Conflict {
                code: "last_credential",
                message: format!(
                    "`{}` is your last usable credential; create another with `tokenctl credential create` first",
                    row.name
                ),
            });
        }
        sqlx::query("UPDATE credentials SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let cred = credential_by_id(&mut tx, id).await?;
        audited(
            &mut tx,
            actor,
            Audit::new("credential.revoke", Target::credential(&cred)).after(&cred),
        )
        .await?;
        tx.commit().await?;
        Ok(cred)
    }
}
