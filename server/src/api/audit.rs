//! The audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// User name of the actor.
    pub actor: String,
    pub actor_id: Option<Uuid>,
    pub credential_id: Option<Uuid>,
    /// `resource.verb`, e.g. `token.create`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub team_id: Option<Uuid>,
    /// State before the change, secrets redacted.
    pub before: Option<serde_json::Value>,
    /// State after the change, secrets redacted.
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}
