//! `/v1/credentials`: the caller's own admin credentials.

use super::{ApiJson, ApiPath, AppState};
use crate::api::{input, CreateCredential, CreatedCredential, Credential, ErrorBody};
use crate::auth::Caller;
use crate::error::ApiResult;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
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

/// Create a named, optionally expiring credential for yourself; `secret` is shown only now.
#[utoipa::path(post, path = "/credentials", tag = "credentials", request_body = CreateCredential,
    responses(
        (status = 201, body = CreatedCredential),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn create_credential(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateCredential>,
) -> ApiResult<(StatusCode, Json<CreatedCredential>)> {
    let name = input::name("credential", &req.name)?;
    let expires_at = match req.expires.as_deref() {
        Some(e) => input::expiry(e, crate::api::now())?,
        None => None,
    };
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
    Ok((
        StatusCode::CREATED,
        Json(CreatedCredential {
            credential,
            secret: secret.into_exposed(),
        }),
    ))
}

/// Revoke one of your credentials by id or name.
#[utoipa::path(post, path = "/credentials/{reference}/revoke", tag = "credentials",
    params(("reference" = String, Path, description = "Credential id or name")),
    responses(
        (status = 200, body = Credential),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
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
