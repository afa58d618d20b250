//! Wire types of the admin REST API (`/v1`): what the server sends and
//! receives, and what the CLI decodes. Defined once, here, one file per
//! resource, all re-exported from this module.

pub mod input;
pub mod sync;

mod audit;
mod credentials;
mod gateways;
mod health;
mod identity;
mod routes;
mod secrets;
mod teams;
mod tokens;
mod usage;
mod users;

pub use audit::*;
pub use credentials::*;
pub use gateways::*;
pub use health::*;
pub use identity::*;
pub use routes::*;
pub use secrets::*;
pub use teams::*;
pub use tokens::*;
pub use usage::*;
pub use users::*;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Times are stored and sent with microsecond precision, always UTC.
pub fn trunc_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

pub fn now() -> DateTime<Utc> {
    trunc_micros(Utc::now())
}

/// Every error the API returns: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `conflict`, `unknown_scope`.
    pub code: String,
    /// One readable sentence.
    pub message: String,
    /// For `ambiguous_reference`: the candidates that matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}
