// Which teams a route is granted to: to all, or to teams by name.

/// Route id → the live teams it is granted to by name: (id, name), by name.
type Grants = HashMap<Uuid, Vec<(Uuid, String)>>;

/// The grants of one route, or of all (`None`), to teams that are not deleted.
async fn grants_of(tx: &mut Tx, route: Option<Uuid>) -> sqlx::Result<Grants> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT rg.route_id, t.id, t.name FROM route_grants rg \
         JOIN teams t ON t.id = rg.team_id WHERE t.deleted_at IS NULL",
    );
    if let Some(id) = route {
        q.push(" AND rg.route_id = ").push_bind(id);
    }
    q.push(" ORDER BY t.name");
    let rows: Vec<(Uuid, Uuid, String)> = q.build_query_as().fetch_all(&mut **tx).await?;
    let mut grants = Grants::new();
    for (route, team, name) in rows {
        grants.entry(route).or_default().push((team, name));
    }
    Ok(grants)
}

/// The grants of these routes (a page of them).
async fn grants_of_routes(tx: &mut Tx, routes: &[Uuid]) -> sqlx::Result<Grants> {
    let mut grants = Grants::new();
    if routes.is_empty() {
        return Ok(grants);
    }
    let mut q = QueryBuilder::<Db>::new(
        "SELECT rg.route_id, t.id, t.name FROM route_grants rg \
         JOIN teams t ON t.id = rg.team_id WHERE t.deleted_at IS NULL AND rg.route_id IN (",
    );
    let mut sep = q.separated(", ");
    for id in routes {
        sep.push_bind(*id);
    }
    q.push(") ORDER BY t.name");
    let rows: Vec<(Uuid, Uuid, String)> = q.build_query_as().fetch_all(&mut **tx).await?;
    for (route, team, name) in rows {
        grants.entry(route).or_default().push((team, name));
    }
    Ok(grants)
}

async fn insert_grants(
    tx: &mut Tx,
    actor: &Actor,
    route: Uuid,
    teams: &[Uuid],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for team in teams {
        sqlx::query(
            "INSERT INTO route_grants (route_id, team_id, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (route_id, team_id) DO NOTHING",
        )
        .bind(route)
        .bind(team)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .on_constraint(GRANT_TEAM, || {
            "a team was deleted meanwhile; retry".to_string()
        })?;
    }
    Ok(())
}

async fn set_all_teams(
    tx: &mut Tx,
    route: Uuid,
    all: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE routes SET all_teams = $1, updated_at = $2 WHERE id = $3")
        .bind(all)
        .bind(now)
        .bind(route)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn dedup_ids(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = BTreeSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

impl Repo {
    /// Grants the route to `teams` (and, with `all_teams`, to every team),
    /// or withdraws those grants (`grant` false). A change that changes
    /// nothing writes nothing.
    pub async fn grant_route(
        &self,
        actor: &Actor,
        id: Uuid,
        teams: Vec<Uuid>,
        all_teams: bool,
        grant: bool,
        authority: RouteAuthority,
    ) -> ApiResult<api::Route> {
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        lock_route(&mut tx, id).await?;
        let row = route_row(&mut tx, id).await?;
        let was_all = row.all_teams;
        let before = route_view(&mut tx, id).await?;
        if before.upstream_access != UpstreamAccess::Public && !authority.private_upstreams {
            return Err(private_route_forbidden(&before.name));
        }
        let held: BTreeSet<Uuid> = grants_of(&mut tx, Some(id))
            .await?
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|(team, _)| team)
            .collect();
        let mut changed_teams: Vec<Uuid> = Vec::new();
        if grant {
            if all_teams && !was_all {
                set_all_teams(&mut tx, id, true, now).await?;
            }
            let added: Vec<Uuid> = dedup_ids(&teams)
                .into_iter()
                .filter(|t| !held.contains(t))
                .collect();
            insert_grants(&mut tx, actor, id, &added, now).await?;
            changed_teams = added;
        } else {
            if !teams.is_empty() && was_all && !all_teams {
                return Err(ApiError::Invalid {
                    code: "invalid_input",
                    message: format!(
                        "route `{}` is granted to all teams; withdraw that first with \
                         `tokenctl route ungrant {} --all-teams` (teams granted by name keep it), \
                         then ungrant the teams that should lose it",
                        before.name, before.name
                    ),
                });
            }
            if all_teams && was_all {
                set_all_teams(&mut tx, id, false, now).await?;
            }
            for t in dedup_ids(&teams) {
                if held.contains(&t) {
                    sqlx::query("DELETE FROM route_grants WHERE route_id = $1 AND team_id = $2")
                        .bind(id)
                        .bind(t)
                        .execute(&mut *tx)
                        .await?;
                    changed_teams.push(t);
                }
            }
        }
        let all_changed = all_teams && was_all != grant;
        if changed_teams.is_empty() && !all_changed {
            tx.commit().await?;
            return Ok(before);
        }
        sqlx::query("UPDATE routes SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = route_view(&mut tx, id).await?;
        let mut names = Vec::new();
        for t in &changed_teams {
            let name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
                .bind(t)
                .fetch_one(&mut *tx)
                .await?;
            names.push(name);
        }
        if all_changed {
            names.insert(0, api::ALL_TEAMS.to_string());
        }
        let action = if grant {
            "route.grant"
        } else {
            "route.ungrant"
        };
        let mut audit = Audit::new(action, Target::route(&after))
            .before(&before)
            .after(&after);
        if grant {
            audit = audit.note("granted", &names);
        } else {
            audit = audit.note("withdrawn", &names);
            // Tokens of teams that lost the route and still name it: their
            // calls to it are refused from now on.
            let lost: Vec<api::Token> = if after.teams.iter().any(|t| t == api::ALL_TEAMS) {
                vec![]
            } else {
                tokens_scoping(&mut tx, &after.name, now)
                    .await?
                    .into_iter()
                    .filter(|t| !after.teams.contains(&t.team))
                    .collect()
            };
            if !lost.is_empty() {
                audit = audit.note("tokens_naming_route", &token_candidates(&lost));
            }
        }
        audited(&mut tx, actor, audit).await?;
        record_change(&mut tx, "route", id.to_string()).await?;
        self.commit_config(tx).await?;
        Ok(after)
    }
}
