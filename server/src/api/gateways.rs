//! Gateway keys and usage batches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A gateway's credential: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GatewayKey {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last time a gateway used this key.
    pub last_seen_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateGatewayKey {
    #[schema(schema_with = super::input::schema::name)]
    pub name: String,
}

/// A new gateway key; `secret` is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedGatewayKey {
    #[serde(flatten)]
    pub key: GatewayKey,
    pub secret: String,
}

/// The result of a usage batch: the gateway core's ingest contract.
pub use tokenctl_gateway::usage::{IngestResult as UsageBatchResult, RefusedEvent};
