//! `/v1/secrets`: upstream credentials, encrypted at rest, never returned.

use super::{ApiJson, ApiPath, AppState};
use crate::api::{input, ErrorBody, SecretInfo, SetSecret};
use crate::auth::Caller;
use crate::db::SecretWrite;
use crate::error::{ApiError, ApiResult};
use crate::permissions::{require, Action};
use axum::extract::State;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_secrets))
        .routes(routes!(set_secret, remove_secret))
}

/// List secrets: names, fingerprints, who set them and when. Never values.
#[utoipa::path(get, path = "/secrets", tag = "secrets", responses((status = 200, body = Vec<SecretInfo>)))]
async fn list_secrets(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SecretInfo>>> {
    require(&caller.principal, Action::SecretRead, None)?;
    Ok(Json(state.db.list_secrets().await?))
}

/// Create or replace a secret's value (encrypted with the master key).
#[utoipa::path(put, path = "/secrets/{name}", tag = "secrets", request_body = SetSecret,
    params(("name" = String, Path, description = "Secret name")),
    responses(
        (status = 200, body = SecretInfo),
        (status = 422, description = "Invalid name or empty value", body = ErrorBody),
        (status = 503, description = "No master key configured", body = ErrorBody),
    ))]
async fn set_secret(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<SetSecret>,
) -> ApiResult<Json<SecretInfo>> {
    let name = input::name("secret", &name)?;
    // Storing a new secret and replacing one need different roles; which
    // applies is decided inside the write transaction.
    let may = SecretWrite {
        create: require(&caller.principal, Action::SecretCreate, None),
        replace: require(&caller.principal, Action::SecretUpdate, None),
    };
    if let (Err(_), Err(_)) = (&may.create, &may.replace) {
        return Err(may.create.unwrap_err());
    }
    let value = req.value.trim_end_matches(['\r', '\n']);
    if value.is_empty() {
        return Err(ApiError::Invalid {
            code: "empty_secret",
            message: "the secret value is empty".into(),
        });
    }
    if value.len() > 16 * 1024 {
        return Err(ApiError::invalid("the secret value is larger than 16 KiB"));
    }
    let key = state.master_key.as_ref().ok_or_else(|| ApiError::Unavailable {
        code: "master_key_missing",
        message: "the server has no master key, so it cannot store secrets; start it with TOKENCTL_MASTER_KEY or --master-key-file".into(),
    })?;
    let sealed = key.seal(&name, value.as_bytes());
    let fingerprint = key.fingerprint(value.as_bytes());
    Ok(Json(
        state
            .db
            .set_secret(&caller.actor, name, sealed, fingerprint, may)
            .await?,
    ))
}

/// Remove a secret; refused while a route's upstream auth uses it.
#[utoipa::path(delete, path = "/secrets/{name}", tag = "secrets",
    params(("name" = String, Path, description = "Secret name")),
    responses(
        (status = 200, body = SecretInfo),
        (status = 404, body = ErrorBody),
        (status = 409, description = "A route uses it", body = ErrorBody),
    ))]
async fn remove_secret(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<SecretInfo>> {
    require(&caller.principal, Action::SecretDelete, None)?;
    Ok(Json(state.db.remove_secret(&caller.actor, &name).await?))
}
