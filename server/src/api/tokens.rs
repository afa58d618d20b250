//! API tokens.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        }
    }
}

/// Filter for `GET /v1/tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    #[default]
    Active,
    Expired,
    Revoked,
    All,
}

pub use tokenctl_gateway::address::UpstreamAccess;
pub use tokenctl_gateway::snapshot::{RateLimit, UpstreamAuth};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Team name.
    pub team: String,
    pub team_id: Uuid,
    pub scopes: Vec<String>,
    pub status: TokenStatus,
    /// Masked current secret, e.g. `ntk_Ab3x…q9ZkP0`.
    pub secret_hint: String,
    /// The previous secret while a rotation grace runs.
    pub previous_secret: Option<PreviousSecret>,
    #[schema(value_type = Vec<String>)]
    pub allow_ips: Vec<IpNet>,
    pub rate_limit: Option<RateLimit>,
    /// Quotas and budgets of the token (its team's are on the team).
    #[serde(default)]
    pub quotas: Vec<super::Quota>,
    /// The token's and its team's quotas with what they counted in the
    /// current period; only in `GET /v1/tokens/{reference}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_usage: Option<Vec<super::QuotaStatus>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// User name of the creator.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreviousSecret {
    pub hint: String,
    /// When the previous secret stops working.
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateToken {
    #[schema(schema_with = super::input::schema::name)]
    pub name: String,
    /// Team name or id; may be left out when the caller belongs to one team.
    #[serde(default)]
    #[schema(example = "platform")]
    pub team: Option<String>,
    #[schema(schema_with = super::input::schema::scopes)]
    pub scopes: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::input::schema::description_or_null)]
    pub description: Option<String>,
    /// `never` (default), a duration (`30d`, `12h`), a date or an RFC 3339 time.
    #[serde(default)]
    #[schema(example = "90d")]
    pub expires: Option<String>,
    /// CIDRs or addresses the token may be used from; empty = anywhere.
    #[serde(default)]
    #[schema(schema_with = super::input::schema::cidrs)]
    pub allow_ips: Vec<String>,
    /// `N/PERIOD`, e.g. `100/1m`.
    #[serde(default)]
    #[schema(example = "100/1m")]
    pub rate: Option<String>,
    /// `N/PERIOD` requests per calendar period in UTC (`hour`, `day`,
    /// `month`), e.g. `100/day`.
    #[serde(default)]
    #[schema(example = "100/day")]
    pub quota: Option<String>,
    /// `N/PERIOD` LLM tokens (input plus output), e.g. `2000000/month`.
    #[serde(default)]
    #[schema(example = "2000000/month")]
    pub quota_tokens: Option<String>,
    /// `USD/PERIOD`: what the token's LLM calls may cost per calendar
    /// period in UTC, at the model prices in force (at most six decimals),
    /// e.g. `25/month`, `0.50/day`.
    #[serde(default)]
    #[schema(example = "25/month")]
    pub budget: Option<String>,
    /// Accept scopes that name no existing route or tag.
    #[serde(default)]
    pub allow_unknown_scope: bool,
}

/// A new or rotated token; `token` is the plaintext, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub info: Token,
    pub token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpdateToken {
    #[schema(schema_with = super::input::schema::name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = super::input::schema::description_or_null)]
    pub description: Option<String>,
    /// Replace all scopes.
    #[schema(schema_with = super::input::schema::scopes_or_null)]
    pub scopes: Option<Vec<String>>,
    #[schema(schema_with = super::input::schema::more_scopes)]
    pub add_scopes: Vec<String>,
    pub remove_scopes: Vec<String>,
    /// `never`, a duration, a date or an RFC 3339 time.
    #[schema(example = "30d")]
    pub expires: Option<String>,
    /// Replace the IP allow-list (empty list = anywhere).
    #[schema(schema_with = super::input::schema::cidrs_or_null)]
    pub allow_ips: Option<Vec<String>>,
    /// `N/PERIOD`, or `none` to remove the limit.
    #[schema(example = "100/1m")]
    pub rate: Option<String>,
    /// `N/PERIOD` requests per calendar period in UTC (`hour`, `day`,
    /// `month`), e.g. `100/day`; `none` removes it.
    #[schema(example = "100/day")]
    pub quota: Option<String>,
    /// `N/PERIOD` LLM tokens (input plus output), e.g. `2000000/month`, or `none`.
    #[schema(example = "2000000/month")]
    pub quota_tokens: Option<String>,
    /// `USD/PERIOD` budget for LLM calls, e.g. `25/month`, or `none`.
    #[schema(example = "25/month")]
    pub budget: Option<String>,
    pub allow_unknown_scope: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RotateToken {
    /// How long the old secret keeps working, e.g. `1h` (at most 30 days).
    /// Default: it stops now.
    #[schema(example = "1h")]
    pub grace: Option<String>,
}
