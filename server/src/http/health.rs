//! Liveness and dependency health.

use super::AppState;
use crate::api::{ConnectionStats, Health, HealthCheck};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use std::time::Instant;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(health_detailed))
}

fn report(
    checks: Vec<HealthCheck>,
    connections: Option<ConnectionStats>,
) -> (StatusCode, Json<Health>) {
    let down = checks.iter().any(|c| c.status == "down");
    let status = if down { "down" } else { "ok" };
    let code = if down {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (
        code,
        Json(Health {
            status: status.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            time: crate::api::now(),
            checks,
            connections,
        }),
    )
}

/// Liveness: the process answers. Touches no dependency.
#[utoipa::path(get, path = "/health", tag = "health", security(()),
    responses((status = 200, description = "The server is running", body = Health)))]
async fn health() -> (StatusCode, Json<Health>) {
    report(vec![], None)
}

/// Readiness: checks the database (and, when configured, KV sync). Answers
/// 503 when any dependency is down. Also counts the API's connections.
#[utoipa::path(get, path = "/health/detailed", tag = "health", security(()),
    responses((status = 200, description = "All dependencies are healthy", body = Health),
        (status = 503, description = "A dependency is down", body = Health)))]
async fn health_detailed(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let started = Instant::now();
    let ping = tokio::time::timeout(std::time::Duration::from_secs(3), state.db.ping()).await;
    let latency_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
    let database = match ping {
        Ok(Ok(())) => HealthCheck {
            name: "database".into(),
            status: "ok".into(),
            message: format!("{} answers", state.db.backend()),
            latency_ms,
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database health check failed");
            HealthCheck {
                name: "database".into(),
                status: "down".into(),
                message: format!("{} does not answer", state.db.backend()),
                latency_ms,
            }
        }
        Err(_) => HealthCheck {
            name: "database".into(),
            status: "down".into(),
            message: format!("{} did not answer within 3s", state.db.backend()),
            latency_ms,
        },
    };
    let master_key = HealthCheck {
        name: "master_key".into(),
        status: if state.master_key.is_some() {
            "ok"
        } else {
            "disabled"
        }
        .into(),
        message: if state.master_key.is_some() {
            "configured; upstream secrets can be stored".into()
        } else {
            "not configured; upstream secrets cannot be stored".into()
        },
        latency_ms: None,
    };
    let kv_sync = state.kv_sync.health().await;
    let pending = state.db.rollup_pending().await;
    let usage_rollup = HealthCheck {
        name: "usage_rollup".into(),
        status: if pending.is_ok() { "ok" } else { "down" }.into(),
        message: match pending {
            Ok(n) if n >= crate::db::PENDING_COUNT_CAP => {
                format!("{n} or more usage events waiting to be rolled up")
            }
            Ok(n) => format!("{n} usage events waiting to be rolled up"),
            Err(_) => "cannot read the roll-up state".into(),
        },
        latency_ms: None,
    };
    report(
        vec![database, master_key, kv_sync, usage_rollup],
        Some(state.connections.snapshot().into()),
    )
}
