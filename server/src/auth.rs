//! Authentication of admin API calls: `Authorization: Bearer tkc_…`.

use crate::db::{Actor, Principal};
use crate::error::ApiError;
use crate::http::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use tokenctl_gateway::token::{Secret, SecretKind};

/// The authenticated caller of a handler, and how to name them in the audit log.
pub struct Caller {
    pub principal: Principal,
    pub actor: Actor,
}

fn unauthenticated(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Unauthenticated {
        code,
        message: message.into(),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                unauthenticated(
                    "missing_credential",
                    "no credential: send `Authorization: Bearer tkc_…` (run `tokenctl login`)",
                )
            })?;
        let value = tokenctl_gateway::token::bearer(header).ok_or_else(|| {
            unauthenticated(
                "missing_credential",
                "the Authorization header must be `Bearer tkc_…`",
            )
        })?;
        let secret = Secret::parse(SecretKind::AdminCredential, value)
            .map_err(|e| unauthenticated("malformed_credential", e.to_string()))?;
        let now = crate::api::now();
        let (principal, usable) = state
            .db
            .authenticate(&secret.hash(), now)
            .await?
            .ok_or_else(|| unauthenticated("invalid_credential", "unknown credential"))?;
        if !usable {
            let c = &principal.credential;
            return Err(if c.revoked_at.is_some() {
                unauthenticated("credential_revoked", "this credential has been revoked")
            } else if principal.user.disabled_at.is_some() {
                unauthenticated("user_disabled", "this user has been disabled")
            } else {
                unauthenticated(
                    "credential_expired",
                    format!(
                        "this credential expired at {}",
                        c.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default()
                    ),
                )
            });
        }
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0);
        let client_ip = crate::http::client_ip(state, &parts.headers, peer);
        let actor = Actor {
            user_id: Some(principal.user.id),
            user_name: principal.user.name.clone(),
            credential_id: Some(principal.credential.id),
            request_id,
            client_ip,
        };
        Ok(Caller { principal, actor })
    }
}
