// What a token's scopes may name: routes granted to its team, and (unless
// allowed otherwise) only routes and tags that exist.

/// Checks that no scope names a route not granted to `team`, and (unless
/// `allow_unknown`) that every scope names an existing route or tag.
async fn check_scopes(
    tx: &mut Tx,
    team: Uuid,
    scopes: &[String],
    allow_unknown: bool,
) -> ApiResult<()> {
    if scopes.is_empty() {
        return Err(ApiError::invalid(
            "a token needs at least one scope (`*`, a route name or `tag:TAG`)",
        ));
    }
    let routes: Vec<(Uuid, String, Json<Vec<String>>, bool)> =
        sqlx::query_as("SELECT id, name, tags, all_teams FROM routes")
            .fetch_all(&mut **tx)
            .await?;
    let granted: BTreeSet<Uuid> =
        sqlx::query_scalar("SELECT route_id FROM route_grants WHERE team_id = $1")
            .bind(team)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let not_granted: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| {
            routes
                .iter()
                .any(|(id, name, _, all)| name == s && !all && !granted.contains(id))
        })
        .collect();
    if !not_granted.is_empty() {
        let team_name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
            .bind(team)
            .fetch_one(&mut **tx)
            .await?;
        let list = not_granted
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::Invalid {
            code: "route_not_granted",
            message: format!(
                "route{} {list} {} not granted to team `{team_name}`, so its tokens cannot use {}; \
                 a manager of the system team can grant {} with `tokenctl route grant ROUTE {team_name}`",
                if not_granted.len() > 1 { "s" } else { "" },
                if not_granted.len() > 1 { "are" } else { "is" },
                if not_granted.len() > 1 { "them" } else { "it" },
                if not_granted.len() > 1 { "them" } else { "it" },
            ),
        });
    }
    if allow_unknown {
        return Ok(());
    }
    let names: BTreeSet<&str> = routes.iter().map(|(_, n, _, _)| n.as_str()).collect();
    let tags: BTreeSet<&str> = routes
        .iter()
        .flat_map(|(_, _, t, _)| t.0.iter().map(String::as_str))
        .collect();
    let unknown: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| {
            *s != "*"
                && match s.strip_prefix("tag:") {
                    Some(tag) => !tags.contains(tag),
                    None => !names.contains(s),
                }
        })
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(ApiError::Invalid {
        code: "unknown_scope",
        message: format!(
            "scope{} {} name{} no existing route or tag (see `tokenctl route list`; pass --allow-unknown-scope to keep {})",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
            if unknown.len() > 1 { "" } else { "s" },
            if unknown.len() > 1 { "them" } else { "it" },
        ),
    })
}
