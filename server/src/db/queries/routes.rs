// Routes: the rows and their views, creating, changing and removing.
// The checks a route change must pass are in `route_checks.rs`; grants in
// `route_grants.rs`.

#[derive(FromRow)]
struct RouteRow {
    id: Uuid,
    name: String,
    path: String,
    upstream: String,
    description: String,
    tags: Json<Vec<String>>,
    auth: Json<api::UpstreamAuth>,
    timeout_ms: i64,
    all_teams: bool,
    upstream_access: String,
    alert_error_rate: Option<f64>,
    llm: Option<String>,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const ROUTE_SELECT: &str = "SELECT r.id, r.name, r.path, r.upstream, r.description, r.tags, \
     r.auth, r.timeout_ms, r.all_teams, r.upstream_access, r.alert_error_rate, r.llm, \
     u.name AS created_by_name, \
     r.created_at, r.updated_at FROM routes r LEFT JOIN users u ON u.id = r.created_by";

impl RouteRow {
    /// An unknown value (written by a newer version) fails closed.
    fn access(&self) -> UpstreamAccess {
        UpstreamAccess::parse(&self.upstream_access).unwrap_or_default()
    }

    /// An unknown value (written by a newer version) reads as no LLM API:
    /// the route still works, its token counts are not read.
    fn llm(&self) -> Option<Provider> {
        self.llm.as_deref().and_then(|p| p.parse().ok())
    }

    fn view(self, grants: &Grants) -> api::Route {
        let upstream_access = self.access();
        let llm = self.llm();
        let teams = if self.all_teams {
            vec![api::ALL_TEAMS.to_string()]
        } else {
            grants
                .get(&self.id)
                .map(|g| g.iter().map(|(_, name)| name.clone()).collect())
                .unwrap_or_default()
        };
        api::Route {
            id: self.id,
            name: self.name,
            path: self.path,
            upstream: self.upstream,
            tags: self.tags.0,
            auth: self.auth.0,
            timeout_ms: u64::try_from(self.timeout_ms).unwrap_or(0),
            description: self.description,
            teams,
            upstream_access,
            alert_error_rate: self.alert_error_rate,
            llm,
            created_by: self.created_by_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The route as gateways see it.
    fn entry(self, grants: &Grants) -> RouteEntry {
        let upstream_access = self.access();
        let llm = self.llm();
        let teams = if self.all_teams {
            vec![]
        } else {
            grants
                .get(&self.id)
                .map(|g| g.iter().map(|(id, _)| *id).collect())
                .unwrap_or_default()
        };
        RouteEntry {
            id: self.id,
            name: self.name,
            path: self.path,
            upstream: self.upstream,
            tags: self.tags.0,
            auth: self.auth.0,
            timeout_ms: u64::try_from(self.timeout_ms).unwrap_or(0),
            all_teams: self.all_teams,
            teams,
            upstream_access,
            llm,
        }
    }
}

async fn route_row(tx: &mut Tx, id: Uuid) -> sqlx::Result<RouteRow> {
    sqlx::query_as::<_, RouteRow>(&format!("{ROUTE_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await
}

async fn route_view(tx: &mut Tx, id: Uuid) -> sqlx::Result<api::Route> {
    let grants = grants_of(tx, Some(id)).await?;
    Ok(route_row(tx, id).await?.view(&grants))
}

/// Locks the route `id` for the rest of the transaction (404 when there
/// is none), so concurrent changes to it queue behind this one.
async fn lock_route(tx: &mut Tx, id: Uuid) -> ApiResult<()> {
    sqlx::query(&format!("SELECT id FROM routes WHERE id = $1{FOR_UPDATE}"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found("route", &id.to_string()))?;
    Ok(())
}

impl Repo {
    pub async fn create_route(
        &self,
        actor: &Actor,
        new: NewRoute,
        authority: RouteAuthority,
    ) -> ApiResult<api::Route> {
        if new.upstream_access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(ApiError::forbidden(
                "a route that may reach private addresses needs the admin role (or higher) in the system team",
            ));
        }
        if new.upstream_access == UpstreamAccess::Metadata && !authority.allow_metadata {
            return Err(metadata_refused(&new.upstream));
        }
        let mut tx = begin_write(&self.pool).await?;
        route_conflict(&mut tx, &new.name, &new.path, None).await?;
        let shadowed = check_shadowing(&mut tx, &new.path, None, authority).await?;
        let secret_ids = secret_ids(&mut tx, &new.auth, &new.upstream).await?;
        let now = api::now();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO routes (id, name, path, upstream, description, tags, auth, timeout_ms, \
             all_teams, upstream_access, llm, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(id)
        .bind(&new.name)
        .bind(&new.path)
        .bind(&new.upstream)
        .bind(&new.description)
        .bind(Json(dedup(new.tags.clone())))
        .bind(Json(&new.auth))
        .bind(i64::try_from(new.timeout_ms).unwrap_or(i64::MAX))
        .bind(new.all_teams)
        .bind(new.upstream_access.as_str())
        .bind(new.llm.map(Provider::as_str))
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .on_constraint(ROUTE_NAME, || {
            format!("a route named `{}` already exists", new.name)
        })
        .on_constraint(ROUTE_PATH, || {
            format!("path `{}` is already served by another route", new.path)
        })?;
        for sid in secret_ids {
            sqlx::query("INSERT INTO route_secrets (route_id, secret_id) VALUES ($1, $2)")
                .bind(id)
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
        if !new.all_teams {
            insert_grants(&mut tx, actor, id, &new.teams, now).await?;
        }
        let route = route_view(&mut tx, id).await?;
        let mut audit = Audit::new("route.create", Target::route(&route)).after(&route);
        if !shadowed.is_empty() {
            audit = audit.note("shadows", &shadowed);
        }
        audited(&mut tx, actor, audit).await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(route)
    }

    pub async fn list_routes(&self) -> ApiResult<Vec<api::Route>> {
        let mut tx = self.read().await?;
        let grants = grants_of(&mut tx, None).await?;
        let rows = sqlx::query_as::<_, RouteRow>(&format!("{ROUTE_SELECT} ORDER BY r.name"))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|r| r.view(&grants)).collect())
    }

    /// A page of `GET /v1/routes`: routes by name (unique, indexed), after
    /// `after`, at most `fetch`, with the grants of those only.
    pub async fn routes_page(
        &self,
        after: Option<String>,
        fetch: u32,
    ) -> ApiResult<Vec<api::Route>> {
        let mut tx = self.read().await?;
        let mut q = QueryBuilder::<Db>::new(ROUTE_SELECT);
        if let Some(name) = after {
            q.push(" WHERE r.name > ").push_bind(name);
        }
        q.push(" ORDER BY r.name LIMIT ")
            .push_bind(i64::from(fetch));
        let rows = q.build_query_as::<RouteRow>().fetch_all(&mut *tx).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let grants = grants_of_routes(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|r| r.view(&grants)).collect())
    }

    pub async fn find_route(&self, reference: &str) -> ApiResult<Option<api::Route>> {
        let id = Uuid::parse_str(reference).unwrap_or(Uuid::nil());
        let mut tx = self.read().await?;
        let row = sqlx::query_as::<_, RouteRow>(&format!(
            "{ROUTE_SELECT} WHERE r.id = $1 OR r.name = $2 OR r.path = $2"
        ))
        .bind(id)
        .bind(reference)
        .fetch_optional(&mut *tx)
        .await?;
        let route = match row {
            Some(row) => {
                let grants = grants_of(&mut tx, Some(row.id)).await?;
                Some(row.view(&grants))
            }
            None => None,
        };
        tx.commit().await?;
        Ok(route)
    }

    pub async fn update_route(
        &self,
        actor: &Actor,
        id: Uuid,
        change: RouteChange,
        authority: RouteAuthority,
    ) -> ApiResult<api::Route> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        lock_route(&mut tx, id).await?;
        let before = route_view(&mut tx, id).await?;
        let name = change.name.clone().unwrap_or_else(|| before.name.clone());
        let path = change.path.clone().unwrap_or_else(|| before.path.clone());
        let upstream = change
            .upstream
            .clone()
            .unwrap_or_else(|| before.upstream.clone());
        // The approval stays with the host it was given for.
        let mut access = change.access_needed;
        if change.approve_private {
            access = access.max(UpstreamAccess::Private);
        }
        if host::upstream_host(&upstream) == host::upstream_host(&before.upstream) {
            access = access.max(before.upstream_access);
        }
        if before.upstream_access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(private_route_forbidden(&before.name));
        }
        if access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(ApiError::forbidden(format!(
                "route `{name}` would reach private addresses; that needs the admin role (or higher) in the system team"
            )));
        }
        if access == UpstreamAccess::Metadata && !authority.allow_metadata {
            return Err(metadata_refused(&upstream));
        }
        route_conflict(&mut tx, &name, &path, Some(id)).await?;
        let shadowed = if path == before.path {
            vec![]
        } else {
            check_shadowing(&mut tx, &path, Some(id), authority).await?
        };
        let mut tags = change.tags.clone().unwrap_or_else(|| before.tags.clone());
        tags.extend(change.add_tags.iter().cloned());
        tags.retain(|t| !change.remove_tags.contains(t));
        let tags = dedup(tags);
        let auth = change.auth.clone().unwrap_or_else(|| before.auth.clone());
        let secret_ids = secret_ids(&mut tx, &auth, &upstream).await?;
        sqlx::query(
            "UPDATE routes SET name = $1, path = $2, upstream = $3, description = $4, tags = $5, \
             auth = $6, timeout_ms = $7, upstream_access = $8, updated_at = $9, \
             alert_error_rate = $11, llm = $12 WHERE id = $10",
        )
        .bind(&name)
        .bind(&path)
        .bind(&upstream)
        .bind(change.description.as_ref().unwrap_or(&before.description))
        .bind(Json(&tags))
        .bind(Json(&auth))
        .bind(i64::try_from(change.timeout_ms.unwrap_or(before.timeout_ms)).unwrap_or(i64::MAX))
        .bind(access.as_str())
        .bind(now)
        .bind(id)
        .bind(change.alert_error_rate.unwrap_or(before.alert_error_rate))
        .bind(change.llm.unwrap_or(before.llm).map(Provider::as_str))
        .execute(&mut *tx)
        .await
        .on_constraint(ROUTE_NAME, || {
            format!("a route named `{name}` already exists")
        })
        .on_constraint(ROUTE_PATH, || {
            format!("path `{path}` is already served by another route")
        })?;
        sqlx::query("DELETE FROM route_secrets WHERE route_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for sid in secret_ids {
            sqlx::query("INSERT INTO route_secrets (route_id, secret_id) VALUES ($1, $2)")
                .bind(id)
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
        // A rename carries the tokens that scope the route by name along.
        let mut renamed_in = Vec::new();
        if name != before.name {
            for t in tokens_scoping(&mut tx, &before.name, now).await? {
                let scopes: Vec<String> = dedup(t.scopes.iter().map(|s| {
                    if *s == before.name {
                        name.clone()
                    } else {
                        s.clone()
                    }
                }));
                set_token_scopes(&mut tx, t.id, &scopes, now).await?;
                renamed_in.push(t);
            }
        }
        let after = route_view(&mut tx, id).await?;
        let mut audit = Audit::new("route.update", Target::route(&after))
            .before(&before)
            .after(&after);
        if !renamed_in.is_empty() {
            audit = audit.note("scopes_renamed_in_tokens", &token_candidates(&renamed_in));
        }
        if !shadowed.is_empty() {
            audit = audit.note("shadows", &shadowed);
        }
        audited(&mut tx, actor, audit).await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        for t in &renamed_in {
            record_change(&mut tx, "token", t.id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(after)
    }

    pub async fn remove_route(
        &self,
        actor: &Actor,
        id: Uuid,
        force: bool,
    ) -> ApiResult<api::RouteRemoved> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        lock_route(&mut tx, id).await?;
        let route = route_view(&mut tx, id).await?;
        let affected = tokens_scoping(&mut tx, &route.name, now).await?;
        if !affected.is_empty() && !force {
            return Err(ApiError::Conflict {
                code: "route_in_use",
                message: format!(
                    "route `{}` is scoped by name in {} live token(s): {}; pass --force to remove it and drop that scope from them (tokens left with no scope are revoked)",
                    route.name,
                    affected.len(),
                    affected
                        .iter()
                        .map(|t| format!("{}/{}", t.team, t.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let mut revoked = Vec::new();
        for t in &affected {
            let scopes: Vec<String> = t
                .scopes
                .iter()
                .filter(|s| **s != route.name)
                .cloned()
                .collect();
            if scopes.is_empty() {
                // A live token with no scope is a token nobody can reason
                // about: revoke it, in the open, with its own audit entry.
                revoked.push(revoke_in_tx(&mut tx, actor, t, now).await?);
            } else {
                set_token_scopes(&mut tx, t.id, &scopes, now).await?;
            }
        }
        sqlx::query("DELETE FROM routes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let removed = api::RouteRemoved {
            route,
            affected_tokens: token_candidates(&affected),
            revoked_tokens: token_candidates(&revoked),
        };
        audited(
            &mut tx,
            actor,
            Audit::new("route.remove", Target::route(&removed.route))
                .before(&removed.route)
                .after(&serde_json::json!({
                    "scope_removed_from_tokens": removed.affected_tokens,
                    "revoked_tokens_left_without_scope": removed.revoked_tokens,
                })),
        )
        .await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        for t in &affected {
            record_change(&mut tx, "token", t.id.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(removed)
    }
}
