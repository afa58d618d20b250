//! `/v1/credentials`: the caller's own admin credentials.

use super::answers::{Conflict, NotFound};
use super::{created, ApiJson, ApiPath, AppState, Created};
use crate::api::{input, CreateCredential, CreatedCredential, Credential, ErrorBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use tokenctl_gateway::token::{Secret, SecretKind};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_credentials, create_credential))
        .routes(routes!(revoke_credential))
}

/// List your credentials (hints only).
#[utoipa::path(get, path = "/credentials", tag = "credentials",
    responses((status = 200, body = Vec<Credential>)))]
async fn list_credentials(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Credential>>> {
    Ok(Json(
        state.db.list_credentials(caller.principal.user.id).await?,
    ))
}

/// Create a named credential for yourself; `secret` is shown only now.
/// It expires no later than the credential making the request, nor later
/// than the server's `--max-credential-ttl` allows: without `expires` it
/// gets that latest expiry, and a later `expires` is refused (422
/// `expiry_too_late`).
#[utoipa::path(post, path = "/credentials", tag = "credentials", request_body = CreateCredential,
    responses((status = 201, body = CreatedCredential), Conflict,
        (status = 422, description = "Invalid input, or an expiry later than allowed", body = ErrorBody)))]
async fn create_credential(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateCredential>,
) -> ApiResult<Created<CreatedCredential>> {
    let name = input::name("credential", &req.name)?;
    let now = crate::api::now();
    let expires_at = new_credential_expiry(
        req.expires.as_deref(),
        now,
        caller.principal.credential.expires_at,
        state.credential_deadline(now),
    )?;
    let secret = Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng);
    let credential = state
        .db
        .create_credential(
            &caller.actor,
            caller.principal.user.id,
            name,
            expires_at,
            &secret,
        )
        .await?;
    Ok(created(CreatedCredential {
        credential,
        secret: secret.into_exposed(),
    }))
}

/// The expiry of a credential created with `parent` (which expires at
/// `parent`, `None` = never): no later than the parent nor than
/// `deadline` (`--max-credential-ttl`). Without a requested expiry, the
/// latest allowed; a later request is refused rather than shortened.
fn new_credential_expiry(
    requested: Option<&str>,
    now: DateTime<Utc>,
    parent: Option<DateTime<Utc>>,
    deadline: Option<DateTime<Utc>>,
) -> ApiResult<Option<DateTime<Utc>>> {
    let latest = match (parent, deadline) {
        (Some(p), Some(d)) => Some(p.min(d)),
        (p, d) => p.or(d),
    };
    let Some(requested) = requested else {
        return Ok(latest);
    };
    let wanted = input::expiry(requested, now)?;
    let too_late = match (wanted, latest) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(w), Some(l)) => w > l,
    };
    if too_late {
        let latest = latest.expect("checked");
        let why = if parent == Some(latest) {
            "a credential cannot outlive the credential that creates it, and yours expires"
        } else {
            "this server lets a new credential live until at most (--max-credential-ttl)"
        };
        return Err(ApiError::Invalid {
            code: "expiry_too_late",
            message: format!(
                "{why} at {}; pass an earlier --expires, or none to get that expiry",
                latest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        });
    }
    Ok(wanted)
}

/// Revoke one of your credentials by id or name.
#[utoipa::path(post, path = "/credentials/{reference}/revoke", tag = "credentials",
    params(("reference" = String, Path, description = "Credential id or name", example = "ci-bot")),
    responses((status = 200, body = Credential), NotFound, Conflict))]
async fn revoke_credential(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> ApiResult<Json<Credential>> {
    Ok(Json(
        state
            .db
            .revoke_credential(&caller.actor, caller.principal.user.id, &reference)
            .await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_credential_never_outlives_its_parent_or_the_limit() {
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let hour = Some(now + chrono::Duration::hours(1));
        let day = Some(now + chrono::Duration::days(1));
        // Defaults: the earliest of parent and limit.
        assert_eq!(new_credential_expiry(None, now, None, None).unwrap(), None);
        assert_eq!(new_credential_expiry(None, now, hour, None).unwrap(), hour);
        assert_eq!(new_credential_expiry(None, now, day, hour).unwrap(), hour);
        assert_eq!(new_credential_expiry(None, now, None, day).unwrap(), day);
        // Earlier requests pass; later ones (and `never`) are refused.
        assert_eq!(
            new_credential_expiry(Some("30m"), now, hour, None).unwrap(),
            Some(now + chrono::Duration::minutes(30))
        );
        for (req, parent, limit) in [
            ("2h", hour, None),
            ("never", hour, None),
            ("2d", None, day),
            ("never", None, day),
            ("23h", day, hour),
        ] {
            let e = new_credential_expiry(Some(req), now, parent, limit).unwrap_err();
            assert!(
                matches!(
                    e,
                    ApiError::Invalid {
                        code: "expiry_too_late",
                        ..
                    }
                ),
                "{req}: {e}"
            );
        }
        assert_eq!(
            new_credential_expiry(Some("never"), now, None, None).unwrap(),
            None
        );
    }
}
