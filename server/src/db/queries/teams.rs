// Teams: the rows, the system team, creating, renaming and deleting.

#[derive(FromRow)]
struct TeamRow {
    id: Uuid,
    name: String,
    description: String,
    is_system: bool,
    created_at: DateTime<Utc>,
    quotas: QuotaList,
}

impl From<TeamRow> for api::Team {
    fn from(r: TeamRow) -> Self {
        api::Team {
            id: r.id,
            name: r.name,
            description: r.description,
            system: r.is_system,
            created_at: r.created_at,
            quotas: r.quotas.map(|q| q.0).unwrap_or_default(),
        }
    }
}

async fn system_team_id(tx: &mut Tx) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT id FROM teams WHERE is_system = $1")
        .bind(true)
        .fetch_optional(&mut **tx)
        .await
}

async fn team_row(tx: &mut Tx, id: Uuid) -> sqlx::Result<Option<api::Team>> {
    Ok(sqlx::query_as::<_, TeamRow>(
        "SELECT id, name, description, is_system, created_at, quotas FROM teams \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(Into::into))
}

impl Repo {
    /// A page of `GET /v1/teams`: teams of `readable` (all: `None`) by
    /// name (unique, indexed), after `after`, at most `fetch`.
    pub async fn teams_page(
        &self,
        readable: Option<Vec<Uuid>>,
        after: Option<String>,
        fetch: u32,
    ) -> ApiResult<Vec<api::Team>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, name, description, is_system, created_at, quotas FROM teams WHERE deleted_at IS NULL",
        );
        if let Some(ids) = readable {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            q.push(" AND id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(id);
            }
            q.push(")");
        }
        if let Some(name) = after {
            q.push(" AND name > ").push_bind(name);
        }
        q.push(" ORDER BY name LIMIT ").push_bind(i64::from(fetch));
        let rows = q.build_query_as::<TeamRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn find_team(&self, reference: &str) -> ApiResult<Option<api::Team>> {
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let row = sqlx::query_as::<_, TeamRow>(
            "SELECT id, name, description, is_system, created_at, quotas FROM teams \
             WHERE (id = $1 OR name = $2) AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    pub async fn create_team(
        &self,
        actor: &Actor,
        name: String,
        description: String,
        admin: Option<Uuid>,
    ) -> ApiResult<api::TeamDetail> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO teams (id, name, description, is_system, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(&name)
        .bind(&description)
        .bind(false)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .on_constraint(TEAM_NAME, || format!("a team named `{name}` exists (or existed: names of deleted teams stay reserved)"))?;
        if let Some(admin) = admin {
            insert_memberships(&mut tx, admin, &[(id, api::Role::Admin)], now).await?;
        }
        let detail = api::TeamDetail {
            team: team_row(&mut tx, id).await?.expect("just inserted"),
            members: members(&mut tx, id).await?,
            live_tokens: 0,
            quota_usage: None,
        };
        audited(
            &mut tx,
            actor,
            Audit::new("team.create", Target::team(&detail.team)).after(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(detail)
    }

    pub async fn team_detail(&self, id: Uuid) -> ApiResult<Option<api::TeamDetail>> {
        let mut tx = self.read().await?;
        let Some(team) = team_row(&mut tx, id).await? else {
            return Ok(None);
        };
        let live_tokens: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tokens WHERE team_id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let detail = api::TeamDetail {
            team,
            members: members(&mut tx, id).await?,
            live_tokens,
            quota_usage: None,
        };
        tx.commit().await?;
        Ok(Some(detail))
    }

    pub async fn update_team(
        &self,
        actor: &Actor,
        id: Uuid,
        name: Option<String>,
        description: Option<String>,
        quotas: Vec<(api::QuotaKind, Option<api::Quota>)>,
    ) -> ApiResult<api::Team> {
        let mut tx = begin_write(&self.pool).await?;
        let before = team_row(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found("team", &id.to_string()))?;
        let name = name.unwrap_or_else(|| before.name.clone());
        let description = description.unwrap_or_else(|| before.description.clone());
        let quotas = merge_quotas(&before.quotas, &quotas);
        let quotas_changed = quotas.as_deref().unwrap_or_default() != before.quotas.as_slice();
        sqlx::query(
            "UPDATE teams SET name = $1, description = $2, updated_at = $3, quotas = $5 WHERE id = $4",
        )
            .bind(&name)
            .bind(&description)
            .bind(api::now())
            .bind(id)
            .bind(quotas.map(Json))
            .execute(&mut *tx)
            .await
            .on_constraint(TEAM_NAME, || {
                format!("a team named `{name}` exists (or existed)")
            })?;
        let after = team_row(&mut tx, id).await?.expect("exists");
        // Token entries at the edge carry the team name.
        let tokens: Vec<Uuid> = if before.name != after.name {
            sqlx::query_scalar("SELECT id FROM tokens WHERE team_id = $1 AND revoked_at IS NULL")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
        } else {
            vec![]
        };
        audited(
            &mut tx,
            actor,
            Audit::new("team.update", Target::team(&after))
                .before(&before)
                .after(&after),
        )
        .await?;
        for t in tokens {
            record_change(&mut tx, "token", t.to_string()).await?;
        }
        if quotas_changed {
            record_change(&mut tx, "quota", id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn delete_team(
        &self,
        actor: &Actor,
        id: Uuid,
        revoke_tokens: bool,
    ) -> ApiResult<api::TeamDeleted> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let team = team_row(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found("team", &id.to_string()))?;
        if team.system {
            return Err(ApiError::Conflict {
                code: "system_team",
                message: "the system team owns routes and secrets and cannot be deleted".into(),
            });
        }
        sqlx::query(&format!(
            "SELECT id FROM tokens WHERE team_id = $1 AND revoked_at IS NULL{FOR_UPDATE}"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let live = sqlx::query_as::<_, TokenRow>(&format!(
            "{TOKEN_SELECT} WHERE t.team_id = $1 AND t.revoked_at IS NULL ORDER BY t.name"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|t| t.view(now))
        .collect::<Vec<_>>();
        if !live.is_empty() && !revoke_tokens {
            return Err(ApiError::Conflict {
                code: "team_has_tokens",
                message: format!(
                    "team `{}` has {} token(s) that are not revoked; pass --revoke-tokens to revoke them with the team",
                    team.name,
                    live.len()
                ),
            });
        }
        for t in &live {
            revoke_in_tx(&mut tx, actor, t, now).await?;
        }
        revoke_invitations_into(&mut tx, actor, &team, now).await?;
        let members = members(&mut tx, id).await?;
        sqlx::query("DELETE FROM memberships WHERE team_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE teams SET deleted_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let deleted = api::TeamDeleted {
            team,
            revoked_tokens: token_candidates(&live),
        };
        audited(
            &mut tx,
            actor,
            Audit::new("team.delete", Target::team(&deleted.team))
                .before(&serde_json::json!({"team": deleted.team, "members": members}))
                .after(&serde_json::json!({"revoked_tokens": deleted.revoked_tokens})),
        )
        .await?;
        self.commit_config(tx).await?;
        Ok(deleted)
    }
}
