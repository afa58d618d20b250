//! Admin credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Credential {
    pub id: Uuid,
    pub name: String,
    /// Masked form, e.g. `tkc_Ab3x…q9ZkP0`.
    pub hint: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateCredential {
    #[schema(schema_with = super::input::schema::name)]
    pub name: String,
    /// `never`, a duration (`30d`), a date or an RFC 3339 time. Default:
    /// the expiry of the credential making the request (never, if it never
    /// expires), or the server's `--max-credential-ttl`, whichever is
    /// earlier. A later expiry is refused.
    #[serde(default)]
    #[schema(example = "12h")]
    pub expires: Option<String>,
}

/// A new credential; `secret` is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedCredential {
    #[serde(flatten)]
    pub credential: Credential,
    pub secret: String,
}
