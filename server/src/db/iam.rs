// Teams, users, memberships and invitations. Compiled for both backends
// next to `repo.rs` (same module, same helpers), like it.

use crate::db::{NewCredential, NewInvitation};

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

#[derive(FromRow)]
struct InvitationRow {
    id: Uuid,
    email: String,
    user_name: String,
    hint: String,
    roles: Json<Vec<api::InvitedRole>>,
    global_admin: bool,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    used_at: Option<DateTime<Utc>>,
}

const INVITATION_SELECT: &str = "SELECT i.id, i.email, i.user_name, i.hint, i.roles, \
     i.global_admin, u.name AS created_by_name, i.created_at, i.expires_at, i.revoked_at, i.used_at \
     FROM invitations i LEFT JOIN users u ON u.id = i.created_by";

impl InvitationRow {
    fn view(self, now: DateTime<Utc>) -> api::Invitation {
        let status = if self.used_at.is_some() {
            "used"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "pending"
        };
        api::Invitation {
            id: self.id,
            email: self.email,
            user: self.user_name,
            roles: self.roles.0,
            global_admin: self.global_admin,
            hint: self.hint,
            created_by: self.created_by_name,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            used_at: self.used_at,
            status: status.into(),
        }
    }
}

async fn team_row(tx: &mut Tx, id: Uuid) -> sqlx::Result<Option<api::Team>> {
    Ok(sqlx::query_as::<_, TeamRow>(
        "SELECT id, name, description, is_system, created_at FROM teams \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(Into::into))
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

/// Refuses a change that would leave `team` without an admin.
async fn keep_an_admin(tx: &mut Tx, team: Uuid, losing: Uuid) -> ApiResult<()> {
    // Lock the team's admin rows so two concurrent demotions cannot both pass.
    let admins: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM memberships WHERE team_id = $1 AND role = 'admin'{FOR_UPDATE}"
    ))
    .bind(team)
    .fetch_all(&mut **tx)
    .await?;
    if admins.contains(&losing) && admins.len() == 1 {
        return Err(ApiError::Conflict {
            code: "last_admin",
            message: "this is the team's last admin; make someone else admin first".into(),
        });
    }
    Ok(())
}

/// Refuses a change that would leave no usable global admin.
async fn keep_a_global_admin(tx: &mut Tx, losing: Uuid) -> ApiResult<()> {
    let admins: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE global_admin = $1 AND disabled_at IS NULL{FOR_UPDATE}"
    ))
    .bind(true)
    .fetch_all(&mut **tx)
    .await?;
    if admins.contains(&losing) && admins.len() == 1 {
        return Err(ApiError::Conflict {
            code: "last_global_admin",
            message: "this is the last global admin; make someone else global admin first".into(),
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
    .map_err(|e| on_constraint(e, || format!("a user named `{name}` already exists")))?;
    Ok(id)
}

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
    Ok(sqlx::query_as::<_, CredentialRow>(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?
    .into())
}

/// Revokes the pending invitations `inviter` sent, each with its audit
/// entry, because their authority to grant them shrank (`reason`).
async fn revoke_pending_invitations(
    tx: &mut Tx,
    actor: &Actor,
    inviter: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let ids: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM invitations WHERE created_by = $1 AND revoked_at IS NULL \
         AND used_at IS NULL AND expires_at > $2{FOR_UPDATE}"
    ))
    .bind(inviter)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for id in &ids {
        revoke_invitation_in_tx(tx, actor, *id, reason, now).await?;
    }
    Ok(ids.len())
}

/// Revokes the pending invitations that name a role in `team`, which is
/// being deleted, each with its audit entry.
async fn revoke_invitations_into(
    tx: &mut Tx,
    actor: &Actor,
    team: &api::Team,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let pending: Vec<(Uuid, Json<Vec<api::InvitedRole>>)> = sqlx::query_as(&format!(
        "SELECT id, roles FROM invitations WHERE revoked_at IS NULL \
         AND used_at IS NULL AND expires_at > $1{FOR_UPDATE}"
    ))
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let reason = format!("team `{}` has been deleted", team.name);
    for (id, roles) in pending {
        if roles.0.iter().any(|r| r.team_id == team.id) {
            revoke_invitation_in_tx(tx, actor, id, &reason, now).await?;
        }
    }
    Ok(())
}

async fn revoke_invitation_in_tx(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let invitation =
        sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION_SELECT} WHERE i.id = $1"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .view(now);
    let mut after = to_json(&invitation);
    after["reason"] = serde_json::Value::from(reason);
    write_audit(
        tx,
        actor,
        AuditRecord {
            action: "invitation.revoke",
            target_type: "invitation",
            target_id: Some(id.to_string()),
            target_name: Some(invitation.email.clone()),
            team_id: invitation.roles.first().map(|r| r.team_id),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Why `inviter` could no longer grant what the invitation names, if so:
/// a team it names has been deleted, or the inviter is gone or disabled,
/// or lacks the role (or the global-admin flag) that granting it needs.
async fn inviter_cannot_grant(
    tx: &mut Tx,
    inviter: Option<Uuid>,
    inv: &api::Invitation,
) -> sqlx::Result<Option<String>> {
    let Some(inviter) = inviter else {
        return Ok(Some("its inviter no longer exists".into()));
    };
    let user: Option<(bool, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT global_admin, disabled_at FROM users WHERE id = $1")
            .bind(inviter)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((global_admin, disabled_at)) = user else {
        return Ok(Some("its inviter no longer exists".into()));
    };
    if disabled_at.is_some() {
        return Ok(Some("its inviter has been disabled".into()));
    }
    if inv.global_admin && !global_admin {
        return Ok(Some("its inviter is no longer a global admin".into()));
    }
    for r in &inv.roles {
        if team_row(tx, r.team_id).await?.is_none() {
            return Ok(Some(format!("team `{}` has been deleted", r.team)));
        }
        let own: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2")
                .bind(r.team_id)
                .bind(inviter)
                .fetch_optional(&mut **tx)
                .await?;
        let own = own.as_deref().and_then(api::Role::parse);
        if !crate::permissions::can_grant(global_admin, own, r.role) {
            return Ok(Some(format!(
                "its inviter can no longer make anyone {} in team `{}`",
                r.role, r.team
            )));
        }
    }
    Ok(None)
}

impl Repo {
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
        .map_err(|e| on_constraint(e, || format!("a team named `{name}` exists (or existed: names of deleted teams stay reserved)")))?;
        if let Some(admin) = admin {
            insert_memberships(&mut tx, admin, &[(id, api::Role::Admin)], now).await?;
        }
        let detail = api::TeamDetail {
            team: team_row(&mut tx, id).await?.expect("just inserted"),
            members: members(&mut tx, id).await?,
            live_tokens: 0,
        };
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "team.create",
                target_type: "team",
                target_id: Some(id.to_string()),
                target_name: Some(name),
                team_id: Some(id),
                before: None,
                after: Some(to_json(&detail)),
            },
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
    ) -> ApiResult<api::Team> {
        let mut tx = begin_write(&self.pool).await?;
        let before = team_row(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found("team", &id.to_string()))?;
        let name = name.unwrap_or_else(|| before.name.clone());
        let description = description.unwrap_or_else(|| before.description.clone());
        sqlx::query("UPDATE teams SET name = $1, description = $2, updated_at = $3 WHERE id = $4")
            .bind(&name)
            .bind(&description)
            .bind(api::now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                on_constraint(e, || format!("a team named `{name}` exists (or existed)"))
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
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "team.update",
                target_type: "team",
                target_id: Some(id.to_string()),
                target_name: Some(after.name.clone()),
                team_id: Some(id),
                before: Some(to_json(&before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        for t in tokens {
            record_change(&mut tx, "token", t.to_string()).await?;
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
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "team.delete",
                target_type: "team",
                target_id: Some(id.to_string()),
                target_name: Some(deleted.team.name.clone()),
                team_id: Some(id),
                before: Some(serde_json::json!({"team": deleted.team, "members": members})),
                after: Some(serde_json::json!({"revoked_tokens": deleted.revoked_tokens})),
            },
        )
        .await?;
        self.commit_config(tx).await?;
        Ok(deleted)
    }

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
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action,
                target_type: "membership",
                target_id: Some(user.to_string()),
                target_name: Some(member.user.clone()),
                team_id: Some(team),
                before: current.map(|r| serde_json::json!({"role": r})),
                after: Some(to_json(&member)),
            },
        )
        .await?;
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
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "team.member.remove",
                target_type: "membership",
                target_id: Some(user.to_string()),
                target_name: Some(member.user.clone()),
                team_id: Some(team),
                before: Some(to_json(&member)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

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
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "user.create",
                target_type: "user",
                target_id: Some(id.to_string()),
                target_name: Some(name),
                team_id: None,
                before: None,
                after: Some(serde_json::json!({"user": user, "credential": credential})),
            },
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
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action,
                target_type: "user",
                target_id: Some(id.to_string()),
                target_name: Some(after.user.name.clone()),
                team_id: None,
                before: Some(to_json(&before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn create_invitation(
        &self,
        actor: &Actor,
        new: NewInvitation,
        code: &Secret,
    ) -> ApiResult<api::Invitation> {
        let NewInvitation {
            email,
            user_name,
            roles,
            global_admin,
            expires_at,
        } = new;
        let mut tx = begin_write(&self.pool).await?;
        let taken: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
            .bind(&user_name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(ApiError::Conflict {
                code: "already_exists",
                message: format!("a user named `{user_name}` already exists; pass another --name"),
            });
        }
        let id = Uuid::now_v7();
        let now = api::now();
        sqlx::query(
            "INSERT INTO invitations (id, email, user_name, code_hash, hint, roles, global_admin, \
             created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(&email)
        .bind(&user_name)
        .bind(code.hash())
        .bind(code.hint())
        .bind(Json(&roles))
        .bind(global_admin)
        .bind(actor.user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        let invitation =
            sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION_SELECT} WHERE i.id = $1"))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .view(now);
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "user.invite",
                target_type: "invitation",
                target_id: Some(id.to_string()),
                target_name: Some(email),
                team_id: roles.first().map(|r| r.team_id),
                before: None,
                after: Some(to_json(&invitation)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(invitation)
    }

    /// Invitations: all (`None`) or those created by this user.
    pub async fn list_invitations(
        &self,
        created_by: Option<Uuid>,
    ) -> ApiResult<Vec<api::Invitation>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(INVITATION_SELECT);
        if let Some(by) = created_by {
            q.push(" WHERE i.created_by = ").push_bind(by);
        }
        q.push(" ORDER BY i.created_at DESC");
        Ok(q.build_query_as::<InvitationRow>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| r.view(now))
            .collect())
    }

    pub async fn find_invitation(
        &self,
        id: Uuid,
    ) -> ApiResult<Option<(api::Invitation, Option<Uuid>)>> {
        let now = api::now();
        let row =
            sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION_SELECT} WHERE i.id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let creator: Option<Uuid> =
            sqlx::query_scalar("SELECT created_by FROM invitations WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        Ok(Some((row.view(now), creator)))
    }

    pub async fn revoke_invitation(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Invitation> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let changed = sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND used_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let invitation =
            sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION_SELECT} WHERE i.id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| ApiError::not_found("invitation", &id.to_string()))?
                .view(now);
        if changed == 0 {
            return Err(ApiError::Conflict {
                code: "invitation_closed",
                message: format!("the invitation is already {}", invitation.status),
            });
        }
        write_audit(
            &mut tx,
            actor,
            AuditRecord {
                action: "invitation.revoke",
                target_type: "invitation",
                target_id: Some(id.to_string()),
                target_name: Some(invitation.email.clone()),
                team_id: invitation.roles.first().map(|r| r.team_id),
                before: None,
                after: Some(to_json(&invitation)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(invitation)
    }

    /// Exchanges an enrolment code for a new user and their first
    /// credential. Each code works once, before it expires.
    pub async fn enrol(
        &self,
        code_hash: &str,
        credential: NewCredential<'_>,
        request: &Actor,
    ) -> ApiResult<api::Enrolled> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let id: Option<Uuid> = sqlx::query_scalar(&format!(
            "SELECT id FROM invitations WHERE code_hash = $1{FOR_UPDATE}"
        ))
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let invalid = || ApiError::Unauthenticated {
            code: "invalid_enrolment_code",
            message: "this enrolment code is unknown, used, revoked or expired".into(),
        };
        let id = id.ok_or_else(invalid)?;
        let inv =
            sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION_SELECT} WHERE i.id = $1"))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .view(now);
        if inv.status != "pending" {
            return Err(invalid());
        }
        let creator: Option<Uuid> =
            sqlx::query_scalar("SELECT created_by FROM invitations WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        // An invitation is only as good as its inviter's authority now.
        if let Some(reason) = inviter_cannot_grant(&mut tx, creator, &inv).await? {
            let system = Actor {
                user_id: None,
                user_name: "system".into(),
                credential_id: None,
                ..request.clone()
            };
            revoke_invitation_in_tx(&mut tx, &system, id, &reason, now).await?;
            tx.commit().await?;
            return Err(ApiError::Unauthenticated {
                code: "invalid_enrolment_code",
                message: format!("this invitation is no longer valid: {reason}; ask for a new one"),
            });
        }
        let system = Actor {
            user_id: creator,
            user_name: inv.created_by.clone().unwrap_or_else(|| "system".into()),
            credential_id: None,
            ..request.clone()
        };
        let user_id = insert_user(
            &mut tx,
            &system,
            &inv.user,
            Some(&inv.email),
            inv.global_admin,
            now,
        )
        .await?;
        let roles: Vec<(Uuid, api::Role)> = inv.roles.iter().map(|r| (r.team_id, r.role)).collect();
        insert_memberships(&mut tx, user_id, &roles, now).await?;
        let credential = insert_credential(
            &mut tx,
            user_id,
            "enrolled",
            credential.secret,
            now,
            credential.expires_at,
        )
        .await?;
        sqlx::query("UPDATE invitations SET used_at = $1, used_by = $2 WHERE id = $3")
            .bind(now)
            .bind(user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let user = user_info(&mut tx, user_id).await?.expect("just inserted");
        let actor = Actor {
            user_id: Some(user_id),
            user_name: user.user.name.clone(),
            credential_id: Some(credential.id),
            ..request.clone()
        };
        write_audit(
            &mut tx,
            &actor,
            AuditRecord {
                action: "user.enrol",
                target_type: "user",
                target_id: Some(user_id.to_string()),
                target_name: Some(user.user.name.clone()),
                team_id: roles.first().map(|r| r.0),
                before: None,
                after: Some(
                    serde_json::json!({"user": user, "invitation": id, "credential": credential}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(api::Enrolled {
            user,
            credential,
            secret: String::new(),
        })
    }
}
