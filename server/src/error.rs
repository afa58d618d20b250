//! The one error type of the admin API. Each variant maps to a status and a
//! stable code; internal details are logged, never sent.

use crate::api::paging::PageError;
use crate::api::{input::InputError, Candidate, ErrorBody, ErrorDetail, MissingFeature};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request itself is malformed (bad JSON, bad query string).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credential, or one that is unknown, expired or revoked.
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// 403: authenticated, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the change conflicts with stored state (duplicate name, in use).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 409: the request needs a feature this server is not configured for
    /// (KV sync, the master key). The client can do nothing about it but
    /// ask the operator, and retrying will not help: never a 5xx.
    #[error("{message}")]
    NotConfigured {
        feature: MissingFeature,
        message: String,
    },
    /// 422: well-formed but invalid input.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 422: a name matched several things.
    #[error("{message}")]
    Ambiguous {
        message: String,
        candidates: Vec<Candidate>,
    },
    /// 503: a service the request needs (Cloudflare) refused it or did not
    /// finish in time.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// 500: logged with the request id; the client sees a generic message.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            code: "invalid_input",
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code: "conflict",
            message: message.into(),
        }
    }

    pub fn not_found(what: &str, reference: &str) -> ApiError {
        ApiError::NotFound(format!("no {what} `{reference}`"))
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } | ApiError::NotConfigured { .. } => StatusCode::CONFLICT,
            ApiError::Invalid { .. } | ApiError::Ambiguous { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthenticated { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Invalid { code, .. }
            | ApiError::Unavailable { code, .. } => code,
            ApiError::NotConfigured { feature, .. } => feature.code(),
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Ambiguous { .. } => "ambiguous_reference",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError::invalid(e.0)
    }
}

impl From<PageError> for ApiError {
    fn from(e: PageError) -> Self {
        match e {
            PageError::Limit(message) => ApiError::invalid(message),
            PageError::Cursor(e) => ApiError::Invalid {
                code: "invalid_cursor",
                message: e.0,
            },
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let auth_failure = matches!(self, ApiError::Unauthenticated { .. })
            .then(|| crate::metrics::AuthFailure(self.code()));
        let code = self.code().to_string();
        let (message, candidates) = match self {
            ApiError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (
                    "internal error; the server log has details under this request's id"
                        .to_string(),
                    vec![],
                )
            }
            ApiError::Ambiguous {
                message,
                candidates,
            } => (message, candidates),
            other => (other.to_string(), vec![]),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                candidates,
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if let Some(failure) = auth_failure {
            resp.extensions_mut().insert(failure);
        }
        resp
    }
}
