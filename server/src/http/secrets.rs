//! `/v1/secrets`: upstream credentials, encrypted at rest, never returned.

use super::answers::{Forbidden, NotFound};
use super::{ApiJson, ApiPath, AppState};
use crate::api::{input, ErrorBody, SecretInfo, SetSecret};
use crate::auth::Caller;
use crate::db::{SecretChange, SecretWrite};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, require, Action};
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

/// Create or replace a secret's value (encrypted with the master key),
/// and set the hosts it may be sent to. A new secret needs the developer
/// role in the system team, a new value for an existing one the manager
/// role, and new hosts for an existing one the admin role.
#[utoipa::path(put, path = "/secrets/{name}", tag = "secrets", request_body = SetSecret,
    params(("name" = String, Path, description = "Secret name", example = "OPENAI_KEY")),
    responses((status = 200, body = SecretInfo), Forbidden,
        (status = 404, description = "No value given and no such secret", body = ErrorBody),
        (status = 422, description = "Invalid name, host or empty value; new hosts that routes using the secret do not match", body = ErrorBody),
        (status = 409, description = "`master_key_missing`: the server has no master key to encrypt the value", body = ErrorBody)))]
async fn set_secret(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<SetSecret>,
) -> ApiResult<Json<SecretInfo>> {
    let name = input::name("secret", &name)?;
    let hosts = req.hosts.as_deref().map(input::host_patterns).transpose()?;
    let p = &caller.principal;
    // Storing a new secret and replacing a value need different roles, and
    // changing an existing secret's hosts a third; which applies is decided
    // inside the write transaction, where whether it exists is certain.
    let may = SecretWrite {
        create: require(p, Action::SecretCreate, None),
        replace: require(p, Action::SecretUpdate, None),
    };
    let may_change_hosts = allowed(p, Action::SecretHostsUpdate, None);
    if let (Err(_), Err(_), false) = (&may.create, &may.replace, may_change_hosts) {
        return Err(may.create.unwrap_err());
    }
    let value = match req.value.as_deref() {
        None if hosts.is_none() => {
            return Err(ApiError::invalid(
                "nothing to change: give a value, new hosts, or both",
            ))
        }
        None => None,
        Some(value) => {
            let value = value.trim_end_matches(['\r', '\n']);
            if value.is_empty() {
                return Err(ApiError::Invalid {
                    code: "empty_secret",
                    message: "the secret value is empty".into(),
                });
            }
            if value.len() > 16 * 1024 {
                return Err(ApiError::invalid("the secret value is larger than 16 KiB"));
            }
            let key = state.master_key.as_ref().ok_or_else(|| ApiError::NotConfigured {
                feature: crate::api::MissingFeature::MasterKey,
                message: "the server has no master key, so it cannot store secrets; start it with TOKENCTL_MASTER_KEY or --master-key-file".into(),
            })?;
            Some((
                key.seal(&name, value.as_bytes()),
                key.fingerprint(value.as_bytes()),
            ))
        }
    };
    Ok(Json(
        state
            .db
            .set_secret(
                &caller.actor,
                SecretChange {
                    name,
                    value,
                    hosts,
                    may,
                    may_change_hosts,
                },
            )
            .await?,
    ))
}

/// Remove a secret; refused while a route's upstream auth uses it.
#[utoipa::path(delete, path = "/secrets/{name}", tag = "secrets",
    params(("name" = String, Path, description = "Secret name", example = "OPENAI_KEY")),
    responses((status = 200, body = SecretInfo), NotFound,
        (status = 409, description = "A route uses it", body = ErrorBody)))]
async fn remove_secret(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<SecretInfo>> {
    require(&caller.principal, Action::SecretDelete, None)?;
    Ok(Json(state.db.remove_secret(&caller.actor, &name).await?))
}
