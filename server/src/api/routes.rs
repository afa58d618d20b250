//! Routes and their grants to teams.

use super::{Candidate, UpstreamAccess, UpstreamAuth};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokenctl_gateway::llm::Provider;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Route {
    pub id: Uuid,
    pub name: String,
    /// Normalised path prefix, matched on segment boundaries.
    pub path: String,
    pub upstream: String,
    pub tags: Vec<String>,
    pub auth: UpstreamAuth,
    pub timeout_ms: u64,
    pub description: String,
    /// The teams whose tokens may use the route (names), or `["*"]` for every team.
    pub teams: Vec<String>,
    /// Which addresses gateways may connect to for this route: `public`, or
    /// `private`/`metadata` as approved by a system admin.
    pub upstream_access: UpstreamAccess,
    /// The share of 5xx answers above which the `route.error_rate` webhook
    /// event fires; `null`: none.
    #[serde(default)]
    pub alert_error_rate: Option<f64>,
    /// The LLM API the upstream speaks (`openai`, `anthropic`): gateways
    /// then record the model and token counts of each call. `null`: not an
    /// LLM route.
    #[serde(default)]
    pub llm: Option<Provider>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `teams` of a [`Route`] granted to every team.
pub const ALL_TEAMS: &str = "*";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateRoute {
    #[schema(schema_with = super::input::schema::name)]
    pub name: String,
    #[schema(example = "/api/anthropic")]
    pub path: String,
    #[schema(example = "http://127.0.0.1:8080/v1")]
    pub upstream: String,
    #[serde(default)]
    #[schema(schema_with = super::input::schema::tags)]
    pub tags: Vec<String>,
    /// `none`, `bearer:SECRET`, `header:HEADER-NAME:SECRET` or `basic:USER-SECRET:PASS-SECRET`.
    #[serde(default)]
    #[schema(example = "none")]
    pub auth: Option<String>,
    /// 100ms to 10m, e.g. `30s` (default).
    #[serde(default)]
    #[schema(example = "30s")]
    pub timeout: Option<String>,
    #[serde(default)]
    #[schema(schema_with = super::input::schema::description_or_null)]
    pub description: Option<String>,
    /// Teams (names or ids) whose tokens may use the route. Give these or
    /// `all_teams`.
    #[serde(default)]
    #[schema(schema_with = super::input::schema::team_references)]
    pub teams: Vec<String>,
    /// Let every team's tokens use the route.
    #[serde(default)]
    pub all_teams: bool,
    /// Approve the upstream to be reached at private addresses even where
    /// the server cannot resolve it (system admins only).
    #[serde(default)]
    pub private_upstream: bool,
    /// `openai` or `anthropic`: the upstream is an LLM API whose token
    /// counts gateways record; `none` (default): it is not.
    #[serde(default)]
    #[schema(schema_with = super::input::schema::llm_or_null)]
    pub llm: Option<String>,
}

/// Teams to grant a route to, or to withdraw it from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RouteGrants {
    /// Team names or ids.
    #[schema(schema_with = super::input::schema::team_references)]
    pub teams: Vec<String>,
    /// Grant: every team. Ungrant: stop granting every team (the teams
    /// granted by name keep the route).
    pub all_teams: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpdateRoute {
    #[schema(schema_with = super::input::schema::name_or_null)]
    pub name: Option<String>,
    #[schema(example = "/api/openai")]
    pub path: Option<String>,
    #[schema(example = "http://127.0.0.1:9/v1")]
    pub upstream: Option<String>,
    /// Replace all tags.
    #[schema(schema_with = super::input::schema::tags_or_null)]
    pub tags: Option<Vec<String>>,
    #[schema(schema_with = super::input::schema::tags)]
    pub add_tags: Vec<String>,
    #[schema(schema_with = super::input::schema::tags)]
    pub remove_tags: Vec<String>,
    /// `none`, `bearer:SECRET`, `header:HEADER-NAME:SECRET` or `basic:USER-SECRET:PASS-SECRET`.
    #[schema(example = "none")]
    pub auth: Option<String>,
    /// 100ms to 10m.
    #[schema(example = "1m")]
    pub timeout: Option<String>,
    #[schema(schema_with = super::input::schema::description_or_null)]
    pub description: Option<String>,
    /// Approve the upstream to be reached at private addresses even where
    /// the server cannot resolve it (system admins only).
    pub private_upstream: bool,
    /// Fire `route.error_rate` when the 5xx share of a window is above
    /// this (`0.2`), or `none` to stop.
    #[schema(schema_with = super::input::webhooks::schema::error_rate_or_null)]
    pub alert_error_rate: Option<String>,
    /// `openai` or `anthropic`: mark the route as an LLM API; `none`: no
    /// longer one.
    #[schema(schema_with = super::input::schema::llm_or_null)]
    pub llm: Option<String>,
}

/// What removing a route did or would do.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RouteRemoved {
    pub route: Route,
    /// Tokens whose scopes named the route; with `force` those scopes were removed.
    pub affected_tokens: Vec<Candidate>,
    /// Of those, the tokens that had no other scope: with `force` they were
    /// revoked rather than left live with no scope.
    #[serde(default)]
    pub revoked_tokens: Vec<Candidate>,
}
