// Team memberships: who is in a team with which role, and the rule that
// a team keeps an admin.

#[derive(FromRow)]
struct MemberRow {
    user_id: Uuid,
    user_name: String,
    email: Option<String>,
    role: String,
    created_at: DateTime<Utc>,
}

impl MemberRow {
    fn member(self) -> Option<api::TeamMember> {
        Some(api::TeamMember {
            user_id: self.user_id,
            user: self.user_name,
            email: self.email,
            role: api::Role::parse(&self.role)?,
            added_at: self.created_at,
        })
    }
}

async fn members(tx: &mut Tx, team: Uuid) -> sqlx::Result<Vec<api::TeamMember>> {
    Ok(sqlx::query_as::<_, MemberRow>(
        "SELECT m.user_id, u.name AS user_name, u.email, m.role, m.created_at \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.team_id = $1 ORDER BY u.name",
    )
    .bind(team)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .filter_map(MemberRow::member)
    .collect())
}

/// Refuses a change that would leave `team` without an admin.
async fn keep_an_admin(tx: &mut Tx, team: Uuid, losing: Uuid) -> ApiResult<()> {
    // Lock the team's admin rows so two concurrent demotions cannot both pass.
    let admins: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM memberships WHERE team_id = $1 AND role = 'admin'{FOR_UPDATE}"
    ))
    .bind(team)
    .fetch_all(&mut **tx)
    .await?;
    refuse_losing_the_last(
        &admins,
        losing,
        "last_admin",
        "this is the team's last admin; make someone else admin first",
    )
}

/// 409 `code` when `losing` is the only one of `admins` (locked rows).
fn refuse_losing_the_last(
    admins: &[Uuid],
    losing: Uuid,
    code: &'static str,
    message: &str,
) -> ApiResult<()> {
    if admins == [losing] {
        return Err(ApiError::Conflict {
            code,
            message: message.into(),
        });
    }
    Ok(())
}

async fn insert_memberships(
    tx: &mut Tx,
    user: Uuid,
    roles: &[(Uuid, api::Role)],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    for (team, role) in roles {
        sqlx::query(
            "INSERT INTO memberships (team_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(team)
        .bind(user)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Repo {
    pub async fn member_role(&self, team: Uuid, user: Uuid) -> ApiResult<Option<api::Role>> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2")
                .bind(team)
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        Ok(role.as_deref().and_then(api::Role::parse))
    }

    /// Adds a member or changes their role. `expected` is the role the
    /// caller's permission check saw; a concurrent change in between makes
    /// this a conflict instead of a silent overwrite.
    pub async fn set_member(
        &self,
        actor: &Actor,
        team: Uuid,
        user: Uuid,
        role: api::Role,
        expected: Option<api::Role>,
    ) -> ApiResult<api::TeamMember> {
        let mut tx = begin_write(&self.pool).await?;
        let current: Option<String> = sqlx::query_scalar(&format!(
            "SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2{FOR_UPDATE}"
        ))
        .bind(team)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let current = current.as_deref().and_then(api::Role::parse);
        if current != expected {
            return Err(ApiError::Conflict {
                code: "concurrent_change",
                message: "the member's role changed meanwhile; look again and retry".into(),
            });
        }
        if current == Some(api::Role::Admin) && role != api::Role::Admin {
            keep_an_admin(&mut tx, team, user).await?;
        }
        let now = api::now();
        let action = match current {
            None => {
                insert_memberships(&mut tx, user, &[(team, role)], now).await?;
                "team.member.add"
            }
            Some(_) => {
                sqlx::query("UPDATE memberships SET role = $1 WHERE team_id = $2 AND user_id = $3")
                    .bind(role.as_str())
                    .bind(team)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                "team.member.set_role"
            }
        };
        let member = members(&mut tx, team)
            .await?
            .into_iter()
            .find(|m| m.user_id == user)
            .expect("just written");
        if current.is_some_and(|c| role < c) {
            revoke_pending_invitations(&mut tx, actor, user, "the inviter's role was lowered", now)
                .await?;
        }
        let mut audit = Audit::new(action, Target::member(team, &member)).after(&member);
        if let Some(role) = current {
            audit = audit.before(&serde_json::json!({ "role": role }));
        }
        audited(&mut tx, actor, audit).await?;
        tx.commit().await?;
        Ok(member)
    }

    pub async fn remove_member(
        &self,
        actor: &Actor,
        team: Uuid,
        user: Uuid,
        expected: api::Role,
    ) -> ApiResult<api::TeamMember> {
        let mut tx = begin_write(&self.pool).await?;
        let member = members(&mut tx, team)
            .await?
            .into_iter()
            .find(|m| m.user_id == user)
            .ok_or_else(|| ApiError::NotFound("that user is not a member of this team".into()))?;
        if member.role != expected {
            return Err(ApiError::Conflict {
                code: "concurrent_change",
                message: "the member's role changed meanwhile; look again and retry".into(),
            });
        }
        if member.role == api::Role::Admin {
            keep_an_admin(&mut tx, team, user).await?;
        }
        sqlx::query("DELETE FROM memberships WHERE team_id = $1 AND user_id = $2")
            .bind(team)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        revoke_pending_invitations(
            &mut tx,
            actor,
            user,
            "the inviter was removed from a team",
            api::now(),
        )
        .await?;
        audited(
            &mut tx,
            actor,
            Audit::new("team.member.remove", Target::member(team, &member)).before(&member),
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }
}
