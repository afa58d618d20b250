//! What the control plane publishes about quotas: per subject (a token or
//! a team), each quota's limit and how much of the current period it
//! counted as used.

use super::{Period, QuotaKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One subject's quotas, as of the control plane's last computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaState {
    /// The token's or the team's id (ids never collide).
    pub subject: Uuid,
    /// At most one per kind.
    #[serde(default)]
    pub limits: Vec<QuotaUsage>,
}

/// One quota and its consumption in the current period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaUsage {
    /// What it counts.
    pub kind: QuotaKind,
    /// How much a period allows (requests, LLM tokens, micro-dollars).
    pub limit: u64,
    /// The calendar period (UTC).
    pub period: Period,
    /// The start of the period `used` counts.
    pub period_start: DateTime<Utc>,
    /// What the control plane had counted in that period when it
    /// published this.
    #[serde(default)]
    pub used: u64,
}

impl QuotaUsage {
    /// What the control plane counted in the period `now` falls in: `used`
    /// when it counted that period, else 0 (a new period began since).
    pub fn used_at(&self, now: DateTime<Utc>) -> u64 {
        if self.period_start == self.period.start(now) {
            self.used
        } else {
            0
        }
    }
}
