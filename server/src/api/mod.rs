//! Wire types of the admin REST API (`/v1`): what the server sends and
//! receives, and what the CLI decodes. Defined once, here, one file per
//! resource, all re-exported from this module.

pub mod input;
pub mod paging;
pub mod search;
pub mod sync;

mod audit;
mod credentials;
mod gateways;
mod health;
mod identity;
mod prices;
mod quotas;
mod routes;
mod secrets;
mod teams;
mod tokens;
mod usage;
mod users;
mod webhooks;

pub use audit::*;
pub use credentials::*;
pub use gateways::*;
pub use health::*;
pub use identity::*;
pub use paging::Page;
pub use prices::*;
pub use quotas::*;
pub use routes::*;
pub use search::SearchResults;
pub use secrets::*;
pub use teams::*;
pub use tokens::*;
pub use usage::*;
pub use users::*;
pub use webhooks::*;

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

/// A feature a request needs that this server is not configured for. Such
/// a request is answered 409 with the feature's code: the client cannot fix
/// it and retrying does not help; the operator has to configure the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingFeature {
    /// Cloudflare KV sync (`CF_ACCOUNT_ID`, `CF_API_TOKEN`, `CF_KV_NAMESPACE_ID`).
    KvSync,
    /// The master key that encrypts upstream secrets.
    MasterKey,
}

impl MissingFeature {
    pub const ALL: [MissingFeature; 2] = [MissingFeature::KvSync, MissingFeature::MasterKey];

    /// The error `code` the API answers with.
    pub fn code(self) -> &'static str {
        match self {
            MissingFeature::KvSync => "kv_sync_disabled",
            MissingFeature::MasterKey => "master_key_missing",
        }
    }

    pub fn from_code(code: &str) -> Option<MissingFeature> {
        MissingFeature::ALL.into_iter().find(|f| f.code() == code)
    }
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
