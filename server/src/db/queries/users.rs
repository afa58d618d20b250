// Users: listing, finding, creating, enabling and disabling, and the rule
// that a usable global admin remains.

#[derive(FromRow)]
struct UserRow {
    id: Uuid,
    name: String,
    email: Option<String>,
    global_admin: bool,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct MembershipRow {
    team_id: Uuid,
    team: String,
    role: String,
    is_system: bool,
}

async fn user_info(tx: &mut Tx, id: Uuid) -> sqlx::Result<Option<api::UserInfo>> {
    let Some(u) = sqlx::query_as::<_, UserRow>(
        "SELECT id, name, email, global_admin, disabled_at, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let teams = sqlx::query_as::<_, MembershipRow>(
        "SELECT m.team_id, t.name AS team, m.role, t.is_system FROM memberships m \
         JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1 AND t.deleted_at IS NULL ORDER BY t.name",
    )
    .bind(id)
    .fetch_all(&mut **tx)
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
    Ok(Some(api::UserInfo {
        user: api::User {
            id: u.id,
            name: u.name,
            email: u.email,
            global_admin: u.global_admin,
            disabled_at: u.disabled_at,
            created_at: u.created_at,
        },
        teams,
    }))
}

/// Refuses a change that would leave no usable global admin.
async fn keep_a_global_admin(tx: &mut Tx, losing: Uuid) -> ApiResult<()> {
    let admins: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE global_admin = $1 AND disabled_at IS NULL{FOR_UPDATE}"
    ))
    .bind(true)
    .fetch_all(&mut **tx)
    .await?;
    refuse_losing_the_last(
        &admins,
        losing,
        "last_global_admin",
        "this is the last global admin; make someone else global admin first",
    )
}

async fn insert_user(
    tx: &mut Tx,
    actor: &Actor,
    name: &str,
    email: Option<&str>,
    global_admin: bool,
    now: DateTime<Utc>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, name, email, global_admin, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(name)
    .bind(email)
    .bind(global_admin)
    .bind(actor.user_id)
    .bind(now)
    .execute(&mut **tx)
    .await
    .on_constraint(USER_NAME, || {
        format!("a user named `{name}` already exists")
    })?;
    Ok(id)
}

impl Repo {
    /// Users visible to a caller: everyone (`None`), or the members of
    /// these teams plus the caller.
    pub async fn list_users(
        &self,
        teams: Option<Vec<Uuid>>,
        me: Uuid,
    ) -> ApiResult<Vec<api::UserInfo>> {
        let mut tx = self.read().await?;
        let mut q = QueryBuilder::<Db>::new("SELECT DISTINCT u.id, u.name FROM users u");
        if let Some(teams) = teams {
            q.push(" LEFT JOIN memberships m ON m.user_id = u.id WHERE u.id = ")
                .push_bind(me);
            if !teams.is_empty() {
                q.push(" OR m.team_id IN (");
                let mut sep = q.separated(", ");
                for t in teams {
                    sep.push_bind(t);
                }
                q.push(")");
            }
        }
        q.push(" ORDER BY u.name");
        let ids: Vec<(Uuid, String)> = q.build_query_as().fetch_all(&mut *tx).await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id, _) in ids {
            if let Some(info) = user_info(&mut tx, id).await? {
                out.push(info);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// A page of `GET /v1/users`: users who are members of `teams` (all:
    /// `None`), and `me`, by name (unique, indexed), after `after`, at most
    /// `fetch`.
    pub async fn users_page(
        &self,
        teams: Option<Vec<Uuid>>,
        me: Uuid,
        after: Option<String>,
        fetch: u32,
    ) -> ApiResult<Vec<api::UserInfo>> {
        let mut tx = self.read().await?;
        let mut q = QueryBuilder::<Db>::new("SELECT u.id FROM users u WHERE 1 = 1");
        if let Some(teams) = teams {
            q.push(" AND (u.id = ").push_bind(me);
            if !teams.is_empty() {
                q.push(
                    " OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.team_id IN (",
                );
                let mut sep = q.separated(", ");
                for t in teams {
                    sep.push_bind(t);
                }
                q.push("))");
            }
            q.push(")");
        }
        if let Some(name) = after {
            q.push(" AND u.name > ").push_bind(name);
        }
        q.push(" ORDER BY u.name LIMIT ")
            .push_bind(i64::from(fetch));
        let ids: Vec<Uuid> = q.build_query_scalar().fetch_all(&mut *tx).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(info) = user_info(&mut tx, id).await? {
                out.push(info);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn find_user(&self, reference: &str) -> ApiResult<Option<api::UserInfo>> {
        let mut tx = self.read().await?;
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let found: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 OR name = $2")
                .bind(id)
                .bind(reference)
                .fetch_optional(&mut *tx)
                .await?;
        let info = match found {
            Some(id) => user_info(&mut tx, id).await?,
            None => None,
        };
        tx.commit().await?;
        Ok(info)
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        name: String,
        email: Option<String>,
        global_admin: bool,
        roles: Vec<(Uuid, api::Role)>,
        credential: NewCredential<'_>,
    ) -> ApiResult<api::CreatedUser> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let id = insert_user(&mut tx, actor, &name, email.as_deref(), global_admin, now).await?;
        insert_memberships(&mut tx, id, &roles, now).await?;
        let credential = insert_credential(
            &mut tx,
            id,
            "first",
            credential.secret,
            now,
            credential.expires_at,
        )
        .await?;
        let user = user_info(&mut tx, id).await?.expect("just inserted");
        audited(
            &mut tx,
            actor,
            Audit::new("user.create", Target::user(&user.user))
                .after(&serde_json::json!({"user": user, "credential": credential})),
        )
        .await?;
        tx.commit().await?;
        Ok(api::CreatedUser {
            user,
            credential,
            secret: String::new(),
        })
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: Uuid,
        email: Option<Option<String>>,
        global_admin: Option<bool>,
        disabled: Option<bool>,
    ) -> ApiResult<api::UserInfo> {
        let mut tx = begin_write(&self.pool).await?;
        let before = user_info(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found("user", &id.to_string()))?;
        if global_admin == Some(false) || disabled == Some(true) {
            keep_a_global_admin(&mut tx, id).await?;
        }
        let now = api::now();
        let email = email.unwrap_or(before.user.email.clone());
        let global_admin = global_admin.unwrap_or(before.user.global_admin);
        let disabled_at = match disabled {
            None => before.user.disabled_at,
            Some(true) => before.user.disabled_at.or(Some(now)),
            Some(false) => None,
        };
        sqlx::query(
            "UPDATE users SET email = $1, global_admin = $2, disabled_at = $3 WHERE id = $4",
        )
        .bind(&email)
        .bind(global_admin)
        .bind(disabled_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = user_info(&mut tx, id).await?.expect("exists");
        let reason = if before.user.disabled_at.is_none() && after.user.disabled_at.is_some() {
            Some("the inviter was disabled")
        } else if before.user.global_admin && !after.user.global_admin {
            Some("the inviter is no longer a global admin")
        } else {
            None
        };
        if let Some(reason) = reason {
            revoke_pending_invitations(&mut tx, actor, id, reason, now).await?;
        }
        let action = match (
            before.user.disabled_at.is_some(),
            after.user.disabled_at.is_some(),
        ) {
            (false, true) => "user.disable",
            (true, false) => "user.enable",
            _ => "user.update",
        };
        audited(
            &mut tx,
            actor,
            Audit::new(action, Target::user(&after.user))
                .before(&before)
                .after(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
