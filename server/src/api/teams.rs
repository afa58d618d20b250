//! Teams and their members.

use super::{Candidate, Role, Team};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateTeam {
    #[schema(schema_with = super::input::schema::team_name)]
    pub name: String,
    #[serde(default)]
    #[schema(schema_with = super::input::schema::description_or_null)]
    pub description: Option<String>,
    /// A user (name or id) to make the team's first admin.
    #[serde(default)]
    pub admin: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpdateTeam {
    #[schema(schema_with = super::input::schema::team_name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = super::input::schema::description_or_null)]
    pub description: Option<String>,
    /// `N/PERIOD` requests of all the team's tokens together per calendar
    /// period in UTC (`hour`, `day`, `month`), e.g. `50000/month`; `none`
    /// removes it (global admins).
    #[schema(example = "50000/month")]
    pub quota: Option<String>,
    /// `N/PERIOD` LLM tokens (input plus output) of the team, or `none`.
    #[schema(example = "20000000/month")]
    pub quota_tokens: Option<String>,
    /// `USD/PERIOD` budget for the LLM calls of all the team's tokens
    /// together, e.g. `500/month`, or `none`.
    #[schema(example = "500/month")]
    pub budget: Option<String>,
}

/// A team in `GET /v1/teams`, with counts of what the caller may see.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamSummary {
    #[serde(flatten)]
    pub team: Team,
    /// Members of the team.
    pub members: i64,
    /// Active tokens of the team: neither revoked nor expired.
    pub tokens: i64,
}

/// A team's tokens by status (`GET /v1/overview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TeamTokens {
    pub team_id: Uuid,
    pub team: String,
    pub active: i64,
    pub expired: i64,
    pub revoked: i64,
}

/// A team with its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamDetail {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<TeamMember>,
    /// Tokens of the team that are not revoked (active or expired).
    pub live_tokens: i64,
    /// The team's quotas and budget with what they counted in the current
    /// period (only in `GET /v1/teams/{team}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_usage: Option<Vec<super::QuotaStatus>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamMember {
    pub user_id: Uuid,
    pub user: String,
    pub email: Option<String>,
    pub role: Role,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SetMember {
    pub role: Role,
}

/// What deleting a team did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamDeleted {
    pub team: Team,
    /// Tokens revoked with the team (`revoke_tokens`).
    pub revoked_tokens: Vec<Candidate>,
}
