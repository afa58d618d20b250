// Invitations and enrolment: an invitation is only as good as its
// inviter's authority, checked again when it is used.

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
    audited(
        tx,
        actor,
        Audit::new("invitation.revoke", Target::invitation(&invitation))
            .after(&invitation)
            .note("reason", &reason),
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
        audited(
            &mut tx,
            actor,
            Audit::new("user.invite", Target::invitation(&invitation)).after(&invitation),
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
        audited(
            &mut tx,
            actor,
            Audit::new("invitation.revoke", Target::invitation(&invitation)).after(&invitation),
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
        let target = Target::user(&user.user).in_team(roles.first().map(|r| r.0));
        audited(
            &mut tx,
            &actor,
            Audit::new("user.enrol", target).after(
                &serde_json::json!({"user": user, "invitation": id, "credential": credential}),
            ),
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
