// The audit log: writing an entry in the transaction of its change, and
// reading the log.

#[derive(FromRow)]
struct AuditRow {
    id: Uuid,
    at: DateTime<Utc>,
    actor_user_id: Option<Uuid>,
    actor_name: String,
    actor_credential_id: Option<Uuid>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    target_name: Option<String>,
    team_id: Option<Uuid>,
    before: Option<Json<serde_json::Value>>,
    after: Option<Json<serde_json::Value>>,
    request_id: Option<String>,
    client_ip: Option<String>,
}

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("wire types serialise")
}

/// The team an audit entry is filed under; its members may read it.
enum FiledUnder {
    /// A team, or none (then global admins and the actor read it).
    Team(Option<Uuid>),
    /// The system team, which owns routes, secrets and gateway keys.
    System,
}

/// What an audit entry is about.
struct Target {
    kind: &'static str,
    id: String,
    name: String,
    team: FiledUnder,
}

impl Target {
    fn token(token: &api::Token) -> Target {
        Target::new("token", token.id, &token.name, Some(token.team_id))
    }

    fn route(route: &api::Route) -> Target {
        Target::system("route", route.id, &route.name)
    }

    /// A secret's id is not part of its wire form.
    fn secret(id: Uuid, secret: &api::SecretInfo) -> Target {
        Target::system("secret", id, &secret.name)
    }

    fn gateway_key(key: &api::GatewayKey) -> Target {
        Target::system("gateway_key", key.id, &key.name)
    }

    fn credential(credential: &api::Credential) -> Target {
        Target::new("credential", credential.id, &credential.name, None)
    }

    fn team(team: &api::Team) -> Target {
        Target::new("team", team.id, &team.name, Some(team.id))
    }

    fn member(team: Uuid, member: &api::TeamMember) -> Target {
        Target::new("membership", member.user_id, &member.user, Some(team))
    }

    fn user(user: &api::User) -> Target {
        Target::new("user", user.id, &user.name, None)
    }

    /// Filed under the first team the invitation makes its user a member of.
    fn invitation(invitation: &api::Invitation) -> Target {
        let team = invitation.roles.first().map(|r| r.team_id);
        Target::new("invitation", invitation.id, &invitation.email, team)
    }

    fn new(kind: &'static str, id: Uuid, name: &str, team: Option<Uuid>) -> Target {
        Target {
            kind,
            id: id.to_string(),
            name: name.to_string(),
            team: FiledUnder::Team(team),
        }
    }

    fn system(kind: &'static str, id: Uuid, name: &str) -> Target {
        Target {
            team: FiledUnder::System,
            ..Target::new(kind, id, name, None)
        }
    }

    fn in_team(self, team: Option<Uuid>) -> Target {
        Target {
            team: FiledUnder::Team(team),
            ..self
        }
    }
}

/// One audit entry: an action on a target, with the target's state before
/// and after the change (as the API shows it), and notes on what else the
/// change did.
struct Audit {
    action: &'static str,
    target: Target,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl Audit {
    fn new(action: &'static str, target: Target) -> Audit {
        Audit {
            action,
            target,
            before: None,
            after: None,
        }
    }

    fn before(self, state: &impl serde::Serialize) -> Audit {
        Audit {
            before: Some(to_json(state)),
            ..self
        }
    }

    fn after(self, state: &impl serde::Serialize) -> Audit {
        Audit {
            after: Some(to_json(state)),
            ..self
        }
    }

    /// Adds `key` to the `after` object.
    fn note(mut self, key: &str, value: &impl serde::Serialize) -> Audit {
        self.after.get_or_insert(serde_json::Value::Null)[key] = to_json(value);
        self
    }
}

/// Writes the audit entry of a change inside the change's transaction, so
/// the change and its entry are committed together or not at all.
async fn audited(tx: &mut Tx, actor: &Actor, audit: Audit) -> sqlx::Result<()> {
    let team_id = match audit.target.team {
        FiledUnder::Team(team) => team,
        FiledUnder::System => system_team_id(tx).await?,
    };
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_user_id, actor_name, actor_credential_id, action, \
         target_type, target_id, target_name, team_id, before, after, request_id, client_ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(Uuid::now_v7())
    .bind(api::now())
    .bind(actor.user_id)
    .bind(&actor.user_name)
    .bind(actor.credential_id)
    .bind(audit.action)
    .bind(audit.target.kind)
    .bind(audit.target.id)
    .bind(audit.target.name)
    .bind(team_id)
    .bind(audit.before.map(Json))
    .bind(audit.after.map(Json))
    .bind(&actor.request_id)
    .bind(&actor.client_ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Repo {
    /// Audit entries newest first (by id: UUIDv7 ids sort by time), older
    /// than `f.before`, at most `f.limit`.
    pub async fn list_audit(&self, f: AuditFilter) -> ApiResult<Vec<api::AuditEntry>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, at, actor_user_id, actor_name, actor_credential_id, action, target_type, \
             target_id, target_name, team_id, before, after, request_id, client_ip \
             FROM audit_log WHERE 1 = 1",
        );
        if let Some(teams) = &f.readable_teams {
            q.push(" AND (actor_user_id = ")
                .push_bind(f.reader.unwrap_or(Uuid::nil()));
            if !teams.is_empty() {
                q.push(" OR team_id IN (");
                let mut sep = q.separated(", ");
                for id in teams {
                    sep.push_bind(*id);
                }
                q.push(")");
            }
            q.push(")");
        }
        if let Some(since) = f.since {
            q.push(" AND at >= ").push_bind(since);
        }
        if let Some(until) = f.until {
            q.push(" AND at < ").push_bind(until);
        }
        if let Some(actor) = f.actor {
            q.push(" AND actor_name = ").push_bind(actor);
        }
        if let Some(action) = f.action {
            if let Some(prefix) = action
                .strip_suffix(".*")
                .or_else(|| action.strip_suffix('.'))
            {
                q.push(" AND action LIKE ")
                    .push_bind(format!("{}.%", prefix.replace(['%', '_'], "")));
            } else {
                q.push(" AND action = ").push_bind(action);
            }
        }
        if let Some(tt) = f.target_type {
            q.push(" AND target_type = ").push_bind(tt);
        }
        if let Some(target) = f.target {
            q.push(" AND (target_id = ")
                .push_bind(target.clone())
                .push(" OR target_name = ")
                .push_bind(target)
                .push(")");
        }
        if let Some(team) = f.team_id {
            q.push(" AND team_id = ").push_bind(team);
        }
        if let Some(before) = f.before {
            q.push(" AND id < ").push_bind(before);
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(f.limit));
        let rows = q.build_query_as::<AuditRow>().fetch_all(&self.pool).await?;
        let entries = rows
            .into_iter()
            .map(|r| api::AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor_name,
                actor_id: r.actor_user_id,
                credential_id: r.actor_credential_id,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                target_name: r.target_name,
                team_id: r.team_id,
                before: r.before.map(|j| j.0),
                after: r.after.map(|j| j.0),
                request_id: r.request_id,
                client_ip: r.client_ip,
            })
            .collect();
        Ok(entries)
    }
}
