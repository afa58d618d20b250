// API tokens: the rows and their view, creating, finding, changing and
// revoking. Rotation is in `token_rotation.rs`, scope checks in `scopes.rs`.

#[derive(FromRow)]
struct TokenRow {
    id: Uuid,
    team_id: Uuid,
    team_name: String,
    name: String,
    description: String,
    scopes: Json<Vec<String>>,
    allow_ips: Json<Vec<ipnet::IpNet>>,
    rate_limit: Option<Json<api::RateLimit>>,
    quotas: QuotaList,
    secret_hint: String,
    previous_hint: Option<String>,
    previous_expires_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

const TOKEN_SELECT: &str = "SELECT t.id, t.team_id, tm.name AS team_name, t.name, t.description, \
     t.scopes, t.allow_ips, t.rate_limit, t.quotas, t.secret_hint, t.previous_hint, t.previous_expires_at, \
     t.expires_at, u.name AS created_by_name, t.created_at, t.updated_at, \
     t.rotated_at, t.revoked_at, t.last_used_at \
     FROM tokens t JOIN teams tm ON tm.id = t.team_id LEFT JOIN users u ON u.id = t.created_by";

impl TokenRow {
    fn view(self, now: DateTime<Utc>) -> api::Token {
        let status = if self.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|e| e <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        };
        let previous_secret = match (self.previous_hint, self.previous_expires_at) {
            (Some(hint), Some(expires_at)) if expires_at > now && self.revoked_at.is_none() => {
                Some(api::PreviousSecret { hint, expires_at })
            }
            _ => None,
        };
        api::Token {
            id: self.id,
            name: self.name,
            description: self.description,
            team: self.team_name,
            team_id: self.team_id,
            scopes: self.scopes.0,
            status,
            secret_hint: self.secret_hint,
            previous_secret,
            allow_ips: self.allow_ips.0,
            rate_limit: self.rate_limit.map(|r| r.0),
            quotas: self.quotas.map(|q| q.0).unwrap_or_default(),
            quota_usage: None,
            expires_at: self.expires_at,
            created_by: self.created_by_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
            rotated_at: self.rotated_at,
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
        }
    }
}

async fn token_by_id(tx: &mut Tx, id: Uuid, lock: bool) -> sqlx::Result<Option<TokenRow>> {
    // Row locks cannot cover the joined tables on PostgreSQL, so lock the
    // token row first and read the view afterwards.
    if lock && !FOR_UPDATE.is_empty() {
        sqlx::query(&format!("SELECT id FROM tokens WHERE id = $1{FOR_UPDATE}"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query_as::<_, TokenRow>(&format!("{TOKEN_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// What a caller locks a token for: each is refused, differently, once
/// the token is revoked.
#[derive(Clone, Copy)]
enum LockFor {
    Update,
    Rotation,
    Revocation,
}

/// The token `id`, locked for a change; 404 when it does not exist, 409
/// when it is revoked (`token_revoked`, or `already_revoked` for a second
/// revocation).
async fn live_token_locked(tx: &mut Tx, id: Uuid, purpose: LockFor) -> ApiResult<TokenRow> {
    let row = token_by_id(tx, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("token", &id.to_string()))?;
    if row.revoked_at.is_some() {
        let (code, refusal) = match purpose {
            LockFor::Update => ("token_revoked", "is revoked and cannot be changed"),
            LockFor::Rotation => ("token_revoked", "is revoked and cannot be rotated"),
            LockFor::Revocation => ("already_revoked", "was already revoked"),
        };
        return Err(ApiError::Conflict {
            code,
            message: format!("token `{}` {refusal}", row.name),
        });
    }
    Ok(row)
}

/// After a change to a locked token in `tx`: its new state, audited as
/// `action` against `before`, and queued for the gateways.
async fn token_changed(
    tx: &mut Tx,
    actor: &Actor,
    action: &'static str,
    before: &api::Token,
    now: DateTime<Utc>,
) -> ApiResult<api::Token> {
    let after = token_by_id(tx, before.id, false)
        .await?
        .expect("locked row exists")
        .view(now);
    let audit = Audit::new(action, Target::token(&after))
        .before(before)
        .after(&after);
    audited(tx, actor, audit).await?;
    record_change(tx, "token", after.id.to_string()).await?;
    Ok(after)
}

fn token_candidates(tokens: &[api::Token]) -> Vec<Candidate> {
    tokens
        .iter()
        .map(|t| Candidate {
            id: t.id,
            name: t.name.clone(),
            team: Some(t.team.clone()),
            status: Some(t.status.as_str().into()),
        })
        .collect()
}

/// Live tokens whose scopes name `route`.
async fn tokens_scoping(
    tx: &mut Tx,
    route: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<api::Token>> {
    let rows = sqlx::query_as::<_, TokenRow>(&format!(
        "{TOKEN_SELECT} WHERE t.revoked_at IS NULL ORDER BY t.created_at"
    ))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|t| t.scopes.0.iter().any(|s| s == route))
        .map(|t| t.view(now))
        .collect())
}

/// ` WHERE` a token is of `readable` teams (all: `None`), of `team` and
/// has `status`; `false` (and an unusable query) when `readable` is empty,
/// which matches nothing.
fn push_token_filters(
    q: &mut QueryBuilder<'_, Db>,
    readable: Option<Vec<Uuid>>,
    team: Option<Uuid>,
    status: api::StatusFilter,
    now: DateTime<Utc>,
) -> bool {
    q.push(" WHERE 1 = 1");
    if let Some(ids) = readable {
        if ids.is_empty() {
            return false;
        }
        q.push(" AND t.team_id IN (");
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(id);
        }
        q.push(")");
    }
    if let Some(team) = team {
        q.push(" AND t.team_id = ").push_bind(team);
    }
    match status {
        api::StatusFilter::Active => {
            q.push(" AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ")
                .push_bind(now)
                .push(")");
        }
        api::StatusFilter::Expired => {
            q.push(" AND t.revoked_at IS NULL AND t.expires_at <= ")
                .push_bind(now);
        }
        api::StatusFilter::Revoked => {
            q.push(" AND t.revoked_at IS NOT NULL");
        }
        api::StatusFilter::All => {}
    }
    true
}

async fn set_token_scopes(
    tx: &mut Tx,
    id: Uuid,
    scopes: &[String],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE tokens SET scopes = $1, updated_at = $2 WHERE id = $3")
        .bind(Json(scopes))
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Revokes a (locked, live) token: the row, its audit entry and the change
/// log entry that takes it off the gateways.
async fn revoke_in_tx(
    tx: &mut Tx,
    actor: &Actor,
    before: &api::Token,
    now: DateTime<Utc>,
) -> ApiResult<api::Token> {
    sqlx::query(
        "UPDATE tokens SET revoked_at = $1, revoked_by = $2, previous_hash = NULL, \
         previous_hint = NULL, previous_expires_at = NULL, updated_at = $1 WHERE id = $3",
    )
    .bind(now)
    .bind(actor.user_id)
    .bind(before.id)
    .execute(&mut **tx)
    .await?;
    let after = token_by_id(tx, before.id, false)
        .await?
        .expect("locked row exists")
        .view(now);
    audited(
        tx,
        actor,
        Audit::new("token.revoke", Target::token(&after))
            .before(before)
            .after(&after),
    )
    .await?;
    record_change(tx, "token", before.id.to_string()).await?;
    Ok(after)
}

impl Repo {
    pub async fn create_token(
        &self,
        actor: &Actor,
        new: NewToken,
        secret: &Secret,
    ) -> ApiResult<api::Token> {
        let mut tx = begin_write(&self.pool).await?;
        let scopes = dedup(new.scopes);
        check_scopes(&mut tx, new.team_id, &scopes, new.allow_unknown_scope).await?;
        let now = api::now();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO tokens (id, team_id, name, description, scopes, allow_ips, rate_limit, \
             secret_hash, secret_hint, expires_at, created_by, created_at, updated_at, quotas) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
        )
        .bind(id)
        .bind(new.team_id)
        .bind(&new.name)
        .bind(&new.description)
        .bind(Json(&scopes))
        .bind(Json(&new.allow_ips))
        .bind(new.rate_limit.map(Json))
        .bind(secret.hash())
        .bind(secret.hint())
        .bind(new.expires_at)
        .bind(actor.user_id)
        .bind(now)
        .bind((!new.quotas.is_empty()).then_some(Json(&new.quotas)))
        .execute(&mut *tx)
        .await
        .on_constraint(TOKEN_NAME, || {
            format!("a token named `{}` already exists in this team", new.name)
        })?;
        let token = token_by_id(&mut tx, id, false)
            .await?
            .expect("just inserted")
            .view(now);
        audited(
            &mut tx,
            actor,
            Audit::new("token.create", Target::token(&token)).after(&token),
        )
        .await?;
        record_change(&mut tx, "token", id.to_string()).await?;
        if !new.quotas.is_empty() {
            record_change(&mut tx, "quota", id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(token)
    }

    /// Every token of `readable` teams (all: `None`), by team and name:
    /// for reports, which need them all.
    pub async fn list_tokens(
        &self,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
        status: api::StatusFilter,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        if !push_token_filters(&mut q, readable, team, status, now) {
            return Ok(vec![]);
        }
        q.push(" ORDER BY tm.name, t.name, t.created_at");
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    /// A page of `GET /v1/tokens`: tokens of `readable` teams (all:
    /// `None`) by name, then id, after `after`, at most `fetch`. The
    /// indexes `tokens_name` and `tokens_team_name` (0011) serve this
    /// order, with or without a team.
    pub async fn tokens_page(
        &self,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
        status: api::StatusFilter,
        after: Option<(String, Uuid)>,
        fetch: u32,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        if !push_token_filters(&mut q, readable, team, status, now) {
            return Ok(vec![]);
        }
        self.page_by_name(q, after, fetch, now).await
    }

    /// The usage lists' tokens without calls in a window: tokens of
    /// `readable` teams (all: `None`), optionally one `team`, revoked ones
    /// only `with_revoked`, by name then id after `after`, at most `fetch`.
    /// Served by the same indexes as [`Repo::tokens_page`].
    pub async fn tokens_by_name(
        &self,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
        with_revoked: bool,
        after: Option<(String, Uuid)>,
        fetch: u32,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        if !push_token_filters(&mut q, readable, team, api::StatusFilter::All, now) {
            return Ok(vec![]);
        }
        if !with_revoked {
            q.push(" AND t.revoked_at IS NULL");
        }
        self.page_by_name(q, after, fetch, now).await
    }

    /// One page of the filtered tokens of `q` by name, then id, after
    /// `after`, at most `fetch` (keyset on `tokens_name` or
    /// `tokens_team_name`).
    async fn page_by_name<'q>(
        &self,
        mut q: QueryBuilder<'q, Db>,
        after: Option<(String, Uuid)>,
        fetch: u32,
        now: DateTime<Utc>,
    ) -> ApiResult<Vec<api::Token>> {
        if let Some((name, id)) = after {
            q.push(" AND (t.name, t.id) > (")
                .push_bind(name)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY t.name, t.id LIMIT ")
            .push_bind(i64::from(fetch));
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    /// How many tokens of `readable` teams (or one `team`) are not revoked.
    pub async fn count_unrevoked_tokens(
        &self,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
    ) -> ApiResult<i64> {
        let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tokens t");
        if !push_token_filters(&mut q, readable, team, api::StatusFilter::All, api::now()) {
            return Ok(0);
        }
        q.push(" AND t.revoked_at IS NULL");
        Ok(q.build_query_scalar::<i64>().fetch_one(&self.pool).await?)
    }

    /// The tokens with these ids among `readable` teams' (all: `None`), in
    /// no particular order; ids of other teams' tokens are left out.
    pub async fn tokens_by_ids(
        &self,
        readable: Option<Vec<Uuid>>,
        ids: &[Uuid],
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut out = Vec::with_capacity(ids.len());
        // Bound the statement's parameters (SQLite allows 32,766).
        for chunk in ids.chunks(500) {
            let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
            if !push_token_filters(&mut q, readable.clone(), None, api::StatusFilter::All, now) {
                return Ok(vec![]);
            }
            q.push(" AND t.id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(")");
            let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
            out.extend(rows.into_iter().map(|r| r.view(now)));
        }
        Ok(out)
    }

    /// The active tokens of `readable` teams (all: `None`) that expire
    /// before `until`, soonest first, at most `limit`.
    pub async fn tokens_expiring_soonest(
        &self,
        readable: Option<Vec<Uuid>>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        if !push_token_filters(&mut q, readable, None, api::StatusFilter::Active, now) {
            return Ok(vec![]);
        }
        q.push(" AND t.expires_at <= ")
            .push_bind(until)
            .push(" ORDER BY t.expires_at, t.id LIMIT ")
            .push_bind(i64::from(limit));
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    /// When each token of `readable` teams (all: `None`) created at or
    /// after `since` was created.
    pub async fn tokens_created_since(
        &self,
        readable: Option<Vec<Uuid>>,
        since: DateTime<Utc>,
    ) -> ApiResult<Vec<DateTime<Utc>>> {
        let mut q = QueryBuilder::<Db>::new("SELECT t.created_at FROM tokens t");
        if !push_token_filters(&mut q, readable, None, api::StatusFilter::All, api::now()) {
            return Ok(vec![]);
        }
        q.push(" AND t.created_at >= ").push_bind(since);
        Ok(q.build_query_scalar::<DateTime<Utc>>()
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn find_tokens(
        &self,
        reference: &str,
        readable: Option<Vec<Uuid>>,
        team: Option<Uuid>,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        if let Ok(id) = Uuid::parse_str(reference) {
            q.push(" WHERE t.id = ").push_bind(id);
        } else if Secret::kind_of(reference) == Some(SecretKind::ApiToken) {
            let secret =
                Secret::parse(SecretKind::ApiToken, reference).map_err(|e| ApiError::Invalid {
                    code: tokenctl_gateway::code::MALFORMED_TOKEN,
                    message: e.to_string(),
                })?;
            let hash = secret.hash();
            q.push(" WHERE (t.secret_hash = ")
                .push_bind(hash.clone())
                .push(" OR (t.previous_hash = ")
                .push_bind(hash)
                .push(" AND t.previous_expires_at > ")
                .push_bind(now)
                .push("))");
        } else {
            q.push(" WHERE t.name = ").push_bind(reference.to_string());
        }
        if let Some(ids) = readable {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            q.push(" AND t.team_id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(id);
            }
            q.push(")");
        }
        if let Some(team) = team {
            q.push(" AND t.team_id = ").push_bind(team);
        }
        q.push(" ORDER BY t.created_at");
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    pub async fn token_creator(&self, id: Uuid) -> ApiResult<Option<Uuid>> {
        Ok(
            sqlx::query_scalar::<_, Option<Uuid>>("SELECT created_by FROM tokens WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    pub async fn update_token(
        &self,
        actor: &Actor,
        id: Uuid,
        change: TokenChange,
    ) -> ApiResult<api::Token> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let row = live_token_locked(&mut tx, id, LockFor::Update).await?;
        let before = row.view(now);
        let mut scopes = change
            .scopes
            .clone()
            .unwrap_or_else(|| before.scopes.clone());
        scopes.extend(change.add_scopes.iter().cloned());
        // Removing a scope the token does not have is a mistake (a typo, a
        // stale script): say so instead of reporting success.
        let absent: Vec<&String> = change
            .remove_scopes
            .iter()
            .filter(|s| !scopes.contains(s))
            .collect();
        if !absent.is_empty() {
            return Err(ApiError::Invalid {
                code: "scope_not_present",
                message: format!(
                    "token `{}` has no scope {}; its scopes are {}",
                    before.name,
                    absent
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    before
                        .scopes
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            });
        }
        scopes.retain(|s| !change.remove_scopes.contains(s));
        let scopes = dedup(scopes);
        let scopes_changed = scopes != before.scopes;
        if scopes_changed {
            // Only newly added scopes must name something; kept ones may
            // predate a route's removal.
            let added: Vec<String> = scopes
                .iter()
                .filter(|s| !before.scopes.contains(s))
                .cloned()
                .collect();
            if scopes.is_empty() {
                check_scopes(&mut tx, before.team_id, &scopes, true).await?;
            } else if !added.is_empty() {
                check_scopes(&mut tx, before.team_id, &added, change.allow_unknown_scope).await?;
            }
        }
        let name = change.name.clone().unwrap_or_else(|| before.name.clone());
        let description = change
            .description
            .clone()
            .unwrap_or_else(|| before.description.clone());
        let expires_at = change.expires_at.unwrap_or(before.expires_at);
        let allow_ips = change
            .allow_ips
            .clone()
            .unwrap_or_else(|| before.allow_ips.clone());
        let rate_limit = change.rate_limit.unwrap_or(before.rate_limit);
        let quotas = merge_quotas(&before.quotas, &change.quotas);
        let quotas_changed = quotas.as_deref().unwrap_or_default() != before.quotas.as_slice();
        sqlx::query(
            "UPDATE tokens SET name = $1, description = $2, scopes = $3, expires_at = $4, \
             allow_ips = $5, rate_limit = $6, updated_at = $7, quotas = $9 WHERE id = $8",
        )
        .bind(&name)
        .bind(&description)
        .bind(Json(&scopes))
        .bind(expires_at)
        .bind(Json(&allow_ips))
        .bind(rate_limit.map(Json))
        .bind(now)
        .bind(id)
        .bind(quotas.map(Json))
        .execute(&mut *tx)
        .await
        .on_constraint(TOKEN_NAME, || {
            format!("a token named `{name}` already exists in this team")
        })?;
        let after = token_changed(&mut tx, actor, "token.update", &before, now).await?;
        if quotas_changed {
            record_change(&mut tx, "quota", id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Token> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let row = live_token_locked(&mut tx, id, LockFor::Revocation).await?;
        let after = revoke_in_tx(&mut tx, actor, &row.view(now), now).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }
}
