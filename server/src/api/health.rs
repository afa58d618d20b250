//! Health of the server and its listener.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`/`down`.
    pub status: String,
    pub version: String,
    pub time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<HealthCheck>,
    /// The admin API's connections (in the detailed report only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnectionStats>,
}

/// Counters of the admin API's listener since start.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct ConnectionStats {
    /// Connections open now.
    pub open: usize,
    /// The most connections allowed open at once (`--max-connections`).
    pub max: usize,
    /// Connections accepted.
    pub accepted: u64,
    /// Idle connections closed to make room for a new one at the limit.
    pub evicted: u64,
    /// Connections closed because request headers (or the first request)
    /// did not arrive within the header-read timeout.
    pub timed_out: u64,
    /// Connections closed after the keep-alive timeout without traffic.
    pub idle_closed: u64,
    /// Failed accepts (e.g. out of file descriptors).
    pub accept_errors: u64,
}

impl From<tokenctl_listener::StatsSnapshot> for ConnectionStats {
    fn from(s: tokenctl_listener::StatsSnapshot) -> ConnectionStats {
        ConnectionStats {
            open: s.open,
            max: s.max,
            accepted: s.accepted,
            evicted: s.evicted,
            timed_out: s.timed_out,
            idle_closed: s.idle_closed,
            accept_errors: s.accept_errors,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HealthCheck {
    pub name: String,
    /// `ok`, `down`, or `disabled`.
    pub status: String,
    pub message: String,
    pub latency_ms: Option<f64>,
}
