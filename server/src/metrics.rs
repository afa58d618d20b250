//! The control plane's Prometheus metrics, served on `--metrics-listen`
//! (see `docs/operator-guide.md`, "Metrics"). Every metric the server
//! exports is defined in this file.
//!
//! Admin API requests are counted by a middleware ([`track`]); usage
//! ingest by its handler; the rest (database pool, KV sync, roll-up) is
//! read when scraped.
//!
//! Labels stay bounded: `route` is the route template (`/v1/tokens/{reference}`),
//! never the client's path, and [`NO_ROUTE`] for paths no route matches;
//! `method` is one of the HTTP methods the API knows, else `other`;
//! `reason` is an authentication error code.

use crate::db::Database;
use crate::kvsync::KvSync;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Counter, Gauge, Key, Label, Unit};
use metrics_exporter_prometheus::PrometheusRecorder;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenctl_listener::Series;

tokenctl_listener::metrics! {
    HTTP_REQUESTS = Counter("tokenctl_server_http_requests_total",
        "Admin API requests answered, by route template, method and status.");
    HTTP_DURATION = Seconds("tokenctl_server_http_request_duration_seconds",
        "Admin API response times, by route template and method.");
    AUTH_FAILURES = Counter("tokenctl_server_auth_failures_total",
        "Requests refused for their credential (admin credential or gateway key), by reason (the error code).");
    DB_POOL_CONNECTIONS = Gauge("tokenctl_server_db_pool_connections", None,
        "Database connections of this process's pool, by state (in_use, idle).");
    DB_POOL_MAX = Gauge("tokenctl_server_db_pool_max_connections", None,
        "The most connections the pool opens.");
    KV_PENDING = Gauge("tokenctl_server_kv_sync_pending_changes", None,
        "Config changes not yet confirmed in Cloudflare KV (only with KV sync).");
    KV_LAG = Gauge("tokenctl_server_kv_sync_lag_seconds", Some(Unit::Seconds),
        "Age of the oldest change not yet in KV; 0 when in sync (only with KV sync).");
    KV_FAILURES = Counter("tokenctl_server_kv_sync_failures_total",
        "Failed calls to Cloudflare KV by this process (every failed attempt, retries included).");
    USAGE_EVENTS = Counter("tokenctl_server_usage_events_total",
        "Usage events received from gateways, by result: inserted, duplicate (already stored) or refused (invalid).");
    ROLLUP_PENDING = Gauge("tokenctl_server_usage_rollup_pending_events", None,
        "Stored usage events not yet added to the rollups (counted up to 100,000).");
    ROLLUP_LAG = Gauge("tokenctl_server_usage_rollup_lag_seconds", Some(Unit::Seconds),
        "How long the oldest usage event not yet rolled up has waited since it was received; 0 when none waits.");
}

/// The `route` of requests to paths no route matches.
pub const NO_ROUTE: &str = "_none";

/// Admin API response times, 1 ms to 1 min (a config long-poll waits up
/// to a minute).
const DURATION_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

/// How long a scrape waits for the database before it answers with the
/// values it read last.
const COLLECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Marks a response as an authentication failure, with its error code;
/// set by [`crate::error::ApiError`], counted by [`track`].
#[derive(Debug, Clone, Copy)]
pub struct AuthFailure(pub &'static str);

/// The server's metrics registry and the handles the process holds.
pub struct ServerMetrics {
    recorder: PrometheusRecorder,
    pool_in_use: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    kv_pending: Gauge,
    kv_lag: Gauge,
    kv_failures: Counter,
    rollup_pending: Gauge,
    rollup_lag: Gauge,
    events_inserted: Counter,
    events_duplicate: Counter,
    events_refused: Counter,
}

impl Default for ServerMetrics {
    fn default() -> Self {
        ServerMetrics::new()
    }
}

impl ServerMetrics {
    pub fn new() -> ServerMetrics {
        let recorder = tokenctl_listener::recorder(&DURATION_BUCKETS, DESCRIBED);
        let gauge = |name, labels| recorder.gauge(&Key::from_parts(name, labels));
        let counter = |name, labels| recorder.counter(&Key::from_parts(name, labels));
        let result = |r: &'static str| vec![Label::from_static_parts("result", r)];
        let state = |s: &'static str| vec![Label::from_static_parts("state", s)];
        ServerMetrics {
            pool_in_use: gauge(DB_POOL_CONNECTIONS, state("in_use")),
            pool_idle: gauge(DB_POOL_CONNECTIONS, state("idle")),
            pool_max: gauge(DB_POOL_MAX, vec![]),
            kv_pending: gauge(KV_PENDING, vec![]),
            kv_lag: gauge(KV_LAG, vec![]),
            kv_failures: counter(KV_FAILURES, vec![]),
            rollup_pending: gauge(ROLLUP_PENDING, vec![]),
            rollup_lag: gauge(ROLLUP_LAG, vec![]),
            events_inserted: counter(USAGE_EVENTS, result("inserted")),
            events_duplicate: counter(USAGE_EVENTS, result("duplicate")),
            events_refused: counter(USAGE_EVENTS, result("refused")),
            recorder,
        }
    }

    /// Counts one answered admin API request.
    fn request(&self, route: Option<&MatchedPath>, method: &Method, status: u16, took: Duration) {
        let route = route.map_or(NO_ROUTE.to_string(), |r| r.as_str().to_string());
        let method = Label::from_static_parts("method", method_label(method));
        let key = Key::from_parts(
            HTTP_REQUESTS,
            vec![
                Label::new("route", route.clone()),
                method.clone(),
                Label::new("status", status.to_string()),
            ],
        );
        self.recorder.counter(&key).increment(1);
        let key = Key::from_parts(HTTP_DURATION, vec![Label::new("route", route), method]);
        self.recorder.histogram(&key).record(took.as_secs_f64());
    }

    fn auth_failed(&self, reason: &'static str) {
        let key = Key::from_parts(
            AUTH_FAILURES,
            vec![Label::from_static_parts("reason", reason)],
        );
        self.recorder.counter(&key).increment(1);
    }

    /// Counts one usage batch from a gateway.
    pub fn usage_received(&self, inserted: usize, duplicates: usize, refused: usize) {
        self.events_inserted.increment(inserted as u64);
        self.events_duplicate.increment(duplicates as u64);
        self.events_refused.increment(refused as u64);
    }

    /// The text format, with the database pool, KV sync and roll-up read
    /// now (each query bounded by [`COLLECT_TIMEOUT`]).
    pub async fn render(&self, db: &Database, kv_sync: &KvSync) -> String {
        let pool = db.pool_usage();
        self.pool_in_use
            .set(pool.size.saturating_sub(pool.idle) as f64);
        self.pool_idle.set(pool.idle as f64);
        self.pool_max.set(pool.max as f64);
        let now = crate::api::now();
        let seconds_since =
            |t: chrono::DateTime<chrono::Utc>| (now - t).num_milliseconds().max(0) as f64 / 1000.0;
        if kv_sync.enabled() {
            match tokio::time::timeout(COLLECT_TIMEOUT, db.kv_state()).await {
                Ok(Ok(state)) => {
                    self.kv_pending.set(state.pending as f64);
                    self.kv_lag
                        .set(state.oldest_pending_at.map_or(0.0, seconds_since));
                }
                _ => tracing::warn!("metrics: cannot read the KV sync state"),
            }
            self.kv_failures.absolute(kv_sync.failures());
        }
        let rollup = async { tokio::try_join!(db.rollup_pending(), db.rollup_oldest_pending()) };
        match tokio::time::timeout(COLLECT_TIMEOUT, rollup).await {
            Ok(Ok((pending, oldest))) => {
                self.rollup_pending.set(pending as f64);
                self.rollup_lag.set(oldest.map_or(0.0, seconds_since));
            }
            _ => tracing::warn!("metrics: cannot read the usage roll-up state"),
        }
        let handle = self.recorder.handle();
        handle.run_upkeep();
        handle.render()
    }

    /// Folds recorded histogram samples into their buckets; called now and
    /// then so that samples do not pile up between scrapes.
    pub fn upkeep(&self) {
        self.recorder.handle().run_upkeep();
    }
}

/// The method label: the methods the API routes, else `other` (a client
/// picks the method, and may invent one).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts every admin API request by route template, method
/// and status, its duration, and authentication failures by reason.
pub async fn track(
    State(metrics): State<Arc<ServerMetrics>>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let resp = next.run(req).await;
    metrics.request(
        route.as_ref(),
        &method,
        resp.status().as_u16(),
        started.elapsed(),
    );
    if let Some(AuthFailure(reason)) = resp.extensions().get::<AuthFailure>() {
        metrics.auth_failed(reason);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        let odd = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
    }
}
