//! Upstream secrets.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SetSecret {
    /// The new value; may be left out to change only `hosts` of an existing secret.
    #[schema(example = "sk-live-value")]
    pub value: Option<String>,
    /// Replace the hosts the secret may be sent to: exact hosts
    /// (`api.openai.com`) or `*.example.com`. Left out: unchanged (none for
    /// a new secret, which no route can then use). Changing the hosts of an
    /// existing secret needs the admin role in the system team.
    #[schema(example = json!(["127.0.0.1", "*.example.com"]))]
    pub hosts: Option<Vec<String>>,
}

/// A stored upstream secret: never its value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecretInfo {
    pub name: String,
    /// Short keyed fingerprint of the value, to tell whether two values match.
    pub fingerprint: String,
    pub version: i64,
    pub set_by: Option<String>,
    pub set_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Routes whose upstream auth uses this secret.
    pub used_by: Vec<String>,
    /// Host patterns the secret may be sent to; a route may use it only if
    /// its upstream host matches one.
    pub hosts: Vec<String>,
}
