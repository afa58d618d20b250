// What a route change must pass: a free name and path, no shadowing of
// routes the caller may not change, secrets bound to the upstream's host,
// and the upstream address policy.

/// The ids of the secrets `auth` uses. Each must exist and be bound to the
/// host of `upstream` (see `tokenctl_gateway::host`).
async fn secret_ids(tx: &mut Tx, auth: &api::UpstreamAuth, upstream: &str) -> ApiResult<Vec<Uuid>> {
    let upstream_host = host::upstream_host(upstream).unwrap_or_default();
    let mut ids = Vec::new();
    for name in auth.secret_names() {
        let row: Option<(Uuid, Json<Vec<String>>)> =
            sqlx::query_as("SELECT id, hosts FROM secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((id, hosts)) = row else {
            return Err(ApiError::Invalid {
                code: "unknown_secret",
                message: format!(
                    "secret `{name}` does not exist; store it first with `tokenctl secret set {name} --host HOST`"
                ),
            });
        };
        if !host::matches_any(&hosts.0, &upstream_host) {
            return Err(secret_host_error(name, &hosts.0, &upstream_host));
        }
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn secret_host_error(name: &str, hosts: &[String], upstream_host: &str) -> ApiError {
    ApiError::Invalid {
        code: "secret_host_not_allowed",
        message: format!(
            "secret `{name}` may not be sent to `{upstream_host}` (it may be sent to: {}); \
             an admin of the system team decides where a secret may go, with \
             `tokenctl secret set {name} --keep-value --host HOST …`",
            if hosts.is_empty() {
                "no host yet".to_string()
            } else {
                hosts.join(", ")
            }
        ),
    }
}

/// Whether `prefix` covers `path` on segment boundaries (`/` covers all).
fn covers(prefix: &str, path: &str) -> bool {
    prefix == "/"
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A route whose requests a route at another path would take or border on.
#[derive(Debug, serde::Serialize)]
struct Shadowed {
    name: String,
    path: String,
    /// `nested_under` (the new path is below this route's) or `prefix_of`.
    relation: &'static str,
}

/// The routes a route at `path` would shadow: those it is nested under,
/// whose requests below `path` it takes, and those it is a prefix of
/// (including `/`), whose neighbourhood it takes. Refused unless the
/// caller may change each of them.
async fn check_shadowing(
    tx: &mut Tx,
    path: &str,
    except: Option<Uuid>,
    authority: RouteAuthority,
) -> ApiResult<Vec<Shadowed>> {
    let rows: Vec<(Uuid, String, String, String)> =
        sqlx::query_as("SELECT id, name, path, upstream_access FROM routes ORDER BY path")
            .fetch_all(&mut **tx)
            .await?;
    let mut shadowed = Vec::new();
    for (id, name, other, access) in rows {
        if Some(id) == except || other == path {
            continue;
        }
        let relation = if covers(&other, path) {
            "nested_under"
        } else if covers(path, &other) {
            "prefix_of"
        } else {
            continue;
        };
        let access = UpstreamAccess::parse(&access).unwrap_or(UpstreamAccess::Private);
        let needed = if access != UpstreamAccess::Public && !authority.private_upstreams {
            Some("admin")
        } else if !authority.change_routes {
            Some("manager")
        } else {
            None
        };
        if let Some(role) = needed {
            let how = if relation == "nested_under" {
                format!("is nested under route `{name}` ({other}) and would take its requests below {path}")
            } else {
                format!("is a prefix of route `{name}` ({other}) and would take requests around it")
            };
            return Err(ApiError::forbidden(format!(
                "path `{path}` {how}; that needs the right to change route `{name}`: the {role} role (or higher) in the system team"
            )));
        }
        shadowed.push(Shadowed {
            name,
            path: other,
            relation,
        });
    }
    Ok(shadowed)
}

fn metadata_refused(upstream: &str) -> ApiError {
    ApiError::Invalid {
        code: tokenctl_gateway::code::UPSTREAM_FORBIDDEN,
        message: format!(
            "upstream `{upstream}` is a cloud metadata service; such upstreams are refused unless the server runs with --allow-metadata-upstreams"
        ),
    }
}

fn private_route_forbidden(name: &str) -> ApiError {
    ApiError::forbidden(format!(
        "route `{name}` may reach private addresses; changing it needs the admin role (or higher) in the system team"
    ))
}

async fn route_conflict(
    tx: &mut Tx,
    name: &str,
    path: &str,
    except: Option<Uuid>,
) -> ApiResult<()> {
    let clash: Option<(String, String)> =
        sqlx::query_as("SELECT name, path FROM routes WHERE (name = $1 OR path = $2) AND id <> $3")
            .bind(name)
            .bind(path)
            .bind(except.unwrap_or(Uuid::nil()))
            .fetch_optional(&mut **tx)
            .await?;
    match clash {
        Some((n, _)) if n == name => Err(ApiError::Conflict {
            code: "already_exists",
            message: format!("a route named `{name}` already exists"),
        }),
        Some((n, _)) => Err(ApiError::Conflict {
            code: "already_exists",
            message: format!("path `{path}` is already served by route `{n}`"),
        }),
        None => Ok(()),
    }
}
