// Operator views: counts per team, users' last activity, and the search
// across tokens, teams and users (routes are searched by the handler).
// Text matches are `LOWER(column) LIKE pattern ESCAPE '\'`, with the
// pattern from `api::search::like_contains`, so `%` and `_` in what the
// operator typed match themselves on both backends.

/// `LOWER(column) LIKE $n ESCAPE '\'`.
fn push_like(q: &mut QueryBuilder<'_, Db>, column: &str, pattern: &str) {
    q.push(format!("LOWER({column}) LIKE "))
        .push_bind(pattern.to_string())
        .push(" ESCAPE '\\'");
}

/// `(a LIKE p OR b LIKE p … OR id = text)`: the text in any of `columns`,
/// or the id it names.
fn push_matches(q: &mut QueryBuilder<'_, Db>, columns: &[&str], id_column: &str, text: &str) {
    let pattern = api::search::like_contains(text);
    q.push("(");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        push_like(q, column, &pattern);
    }
    if let Ok(id) = Uuid::parse_str(text) {
        q.push(format!(" OR {id_column} = ")).push_bind(id);
    }
    q.push(")");
}

/// ` LIMIT n`.
fn push_limit(q: &mut QueryBuilder<'_, Db>, limit: usize) {
    q.push(" LIMIT ")
        .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
}

/// ` AND column IN (…)`; `false` (and nothing pushed) when `ids` is empty,
/// which matches nothing.
fn push_within(q: &mut QueryBuilder<'_, Db>, column: &str, ids: &[Uuid]) -> bool {
    if ids.is_empty() {
        return false;
    }
    q.push(format!(" AND {column} IN ("));
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    q.push(")");
    true
}

impl Repo {
    /// Members and tokens by status of each team that is not deleted (of
    /// `readable` only, unless `None`).
    pub async fn team_counts(
        &self,
        readable: Option<Vec<Uuid>>,
        now: DateTime<Utc>,
    ) -> ApiResult<Vec<crate::db::TeamCounts>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT t.id, t.name, \
             (SELECT COUNT(*) FROM memberships m WHERE m.team_id = t.id), \
             (SELECT COUNT(*) FROM tokens k WHERE k.team_id = t.id AND k.revoked_at IS NULL \
             AND (k.expires_at IS NULL OR k.expires_at > ",
        );
        q.push_bind(now)
            .push(
                ")), (SELECT COUNT(*) FROM tokens k WHERE k.team_id = t.id \
                 AND k.revoked_at IS NULL AND k.expires_at <= ",
            )
            .push_bind(now)
            .push(
                "), (SELECT COUNT(*) FROM tokens k WHERE k.team_id = t.id \
                 AND k.revoked_at IS NOT NULL) FROM teams t WHERE t.deleted_at IS NULL",
            );
        if let Some(ids) = &readable {
            if !push_within(&mut q, "t.id", ids) {
                return Ok(vec![]);
            }
        }
        q.push(" ORDER BY t.name");
        let rows: Vec<(Uuid, String, i64, i64, i64, i64)> =
            q.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(
                |(team_id, team, members, active, expired, revoked)| crate::db::TeamCounts {
                    team_id,
                    team,
                    members,
                    active,
                    expired,
                    revoked,
                },
            )
            .collect())
    }

    /// When each of these users last used one of their admin credentials
    /// (users who never did are left out).
    pub async fn last_active(&self, users: Vec<Uuid>) -> ApiResult<HashMap<Uuid, DateTime<Utc>>> {
        let mut out: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
        // Bounded statements, under SQLite's bound-parameter limit.
        for chunk in users.chunks(500) {
            let mut q = QueryBuilder::<Db>::new(
                "SELECT user_id, last_used_at FROM credentials WHERE last_used_at IS NOT NULL",
            );
            push_within(&mut q, "user_id", chunk);
            let rows: Vec<(Uuid, DateTime<Utc>)> = q.build_query_as().fetch_all(&self.pool).await?;
            for (user, at) in rows {
                let latest = out.entry(user).or_insert(at);
                *latest = (*latest).max(at);
            }
        }
        Ok(out)
    }

    /// Tokens of `readable` teams (all: `None`) whose name or secret prefix
    /// contains the text, or whose id it is; at most `limit`.
    pub async fn search_tokens(
        &self,
        text: String,
        readable: Option<Vec<Uuid>>,
        limit: usize,
    ) -> ApiResult<Vec<api::Token>> {
        let now = api::now();
        let mut q = QueryBuilder::<Db>::new(TOKEN_SELECT);
        q.push(" WHERE ");
        push_matches(&mut q, &["t.name", "t.secret_hint"], "t.id", &text);
        if let Some(ids) = &readable {
            if !push_within(&mut q, "t.team_id", ids) {
                return Ok(vec![]);
            }
        }
        q.push(" ORDER BY tm.name, t.name, t.created_at");
        push_limit(&mut q, limit);
        let rows = q.build_query_as::<TokenRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.view(now)).collect())
    }

    /// Teams (not deleted) of `readable` (all: `None`) whose name or
    /// description contains the text, or whose id it is; at most `limit`.
    pub async fn search_teams(
        &self,
        text: String,
        readable: Option<Vec<Uuid>>,
        limit: usize,
    ) -> ApiResult<Vec<api::Team>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, name, description, is_system, created_at, quotas FROM teams \
             WHERE deleted_at IS NULL AND ",
        );
        push_matches(&mut q, &["name", "description"], "id", &text);
        if let Some(ids) = &readable {
            if !push_within(&mut q, "id", ids) {
                return Ok(vec![]);
            }
        }
        q.push(" ORDER BY name");
        push_limit(&mut q, limit);
        let rows = q.build_query_as::<TeamRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Users whose name or e-mail contains the text, or whose id it is,
    /// among everyone (`teams` = `None`) or the members of `teams` and
    /// `me`; at most `limit`.
    pub async fn search_users(
        &self,
        text: String,
        teams: Option<Vec<Uuid>>,
        me: Uuid,
        limit: usize,
    ) -> ApiResult<Vec<api::User>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT u.id, u.name, u.email, u.global_admin, u.disabled_at, u.created_at \
             FROM users u WHERE ",
        );
        push_matches(&mut q, &["u.name", "COALESCE(u.email, '')"], "u.id", &text);
        if let Some(teams) = &teams {
            q.push(" AND (u.id = ").push_bind(me);
            if !teams.is_empty() {
                q.push(" OR u.id IN (SELECT m.user_id FROM memberships m WHERE 1 = 1");
                push_within(&mut q, "m.team_id", teams);
                q.push(")");
            }
            q.push(")");
        }
        q.push(" ORDER BY u.name");
        push_limit(&mut q, limit);
        let rows = q.build_query_as::<UserRow>().fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|u| api::User {
                id: u.id,
                name: u.name,
                email: u.email,
                global_admin: u.global_admin,
                disabled_at: u.disabled_at,
                created_at: u.created_at,
            })
            .collect())
    }
}
