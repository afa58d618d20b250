//! State shared by the request path and the background tasks.

use crate::spool::UsageSink;
use arc_swap::ArcSwapOption;
use serde::Serialize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use tokenctl_gateway::{Allowed, Gateway, RateLimiter};

/// A config ready for the request path: the core's index plus what this
/// front-end precomputes per route.
pub struct Installed {
    pub gateway: Gateway,
    /// Per route (same order as `gateway.routes().routes()`): the headers
    /// set on every forwarded request, as typed header values, built on
    /// first use rather than on every request.
    route_headers: Vec<OnceLock<RouteHeaders>>,
}

/// What the request path sets on every request forwarded to one route.
pub struct RouteHeaders {
    /// `Host` for the upstream: its host, plus its port when that is not
    /// the scheme's default.
    pub host: Option<http::HeaderValue>,
    /// The upstream credential.
    pub inject: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl Installed {
    pub fn new(gateway: Gateway) -> Installed {
        let route_headers = (0..gateway.routes().routes().len())
            .map(|_| OnceLock::new())
            .collect();
        Installed {
            gateway,
            route_headers,
        }
    }

    /// The headers to set for the allowed request's route.
    pub fn route_headers(&self, allowed: &Allowed) -> &RouteHeaders {
        self.route_headers[allowed.route_index].get_or_init(|| {
            let upstream = &self.gateway.routes().routes()[allowed.route_index].upstream;
            let host = url::Url::parse(upstream).ok().and_then(|url| {
                let host = url.host_str()?;
                let value = match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                };
                http::HeaderValue::from_str(&value).ok()
            });
            let inject = allowed
                .inject_headers
                .iter()
                .filter_map(|(n, v)| {
                    // The core validated names and values when it indexed the snapshot.
                    Some((
                        http::HeaderName::from_bytes(n.as_bytes()).ok()?,
                        http::HeaderValue::from_str(v).ok()?,
                    ))
                })
                .collect();
            RouteHeaders { host, inject }
        })
    }
}

pub struct Shared {
    /// The current config; `None` until the first snapshot arrives.
    pub gateway: ArcSwapOption<Installed>,
    /// Rate-limit state outlives config swaps.
    pub limiter: Mutex<RateLimiter>,
    pub usage: UsageSink,
    pub health: Health,
    /// The client-facing listener's counters.
    pub connections: Arc<tokenctl_listener::Stats>,
}

/// What `/_gateway/health` reports.
pub struct Health {
    started: Instant,
    /// Milliseconds after `started` of the last successful contact with
    /// the server; -1 before the first.
    last_contact_ms: AtomicI64,
    last_error: Mutex<Option<String>>,
    /// Usage events written to the spool and not yet acknowledged.
    pub spool_depth: Arc<AtomicI64>,
}

impl Health {
    pub fn new(spool_depth: Arc<AtomicI64>) -> Health {
        Health {
            started: Instant::now(),
            last_contact_ms: AtomicI64::new(-1),
            last_error: Mutex::new(None),
            spool_depth,
        }
    }

    pub fn contact_ok(&self) {
        let ms = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.last_contact_ms.store(ms, Ordering::Relaxed);
        *self.last_error.lock().expect("not poisoned") = None;
    }

    pub fn contact_failed(&self, error: String) {
        *self.last_error.lock().expect("not poisoned") = Some(error);
    }

    /// Seconds since the config was last confirmed current by the server.
    fn config_age_secs(&self) -> Option<f64> {
        let at = self.last_contact_ms.load(Ordering::Relaxed);
        (at >= 0).then(|| (self.started.elapsed().as_millis() as i64 - at) as f64 / 1000.0)
    }
}

#[derive(Serialize)]
pub struct HealthReport {
    /// `ok`, `stale` (serving the last snapshot, server unreachable) or `no_config`.
    pub status: &'static str,
    pub version: &'static str,
    pub config: ConfigReport,
    pub usage: UsageReport,
    /// Client connections: open, limit, accepted, evicted, timed out, idle-closed, accept errors.
    pub connections: tokenctl_listener::StatsSnapshot,
}

#[derive(Serialize)]
pub struct ConfigReport {
    /// Config version (change-log position) being served.
    pub version: Option<u64>,
    /// When the server built the snapshot being served.
    pub generated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds since the server last confirmed the config is current.
    pub age_secs: Option<f64>,
    pub tokens: usize,
    pub routes: usize,
    pub last_error: Option<String>,
}

#[derive(Serialize)]
pub struct UsageReport {
    /// Events recorded on disk and not yet accepted by the server.
    pub spool_depth: i64,
}

impl Shared {
    pub fn health_report(&self) -> HealthReport {
        let gateway = self.gateway.load();
        let last_error = self.health.last_error.lock().expect("not poisoned").clone();
        let status = match (&*gateway, &last_error) {
            (None, _) => "no_config",
            (Some(_), Some(_)) => "stale",
            (Some(_), None) => "ok",
        };
        HealthReport {
            status,
            version: env!("CARGO_PKG_VERSION"),
            config: ConfigReport {
                version: gateway.as_ref().map(|g| g.gateway.version()),
                generated_at: gateway.as_ref().map(|g| g.gateway.generated_at()),
                age_secs: self.health.config_age_secs(),
                tokens: gateway.as_ref().map_or(0, |g| g.gateway.tokens().len()),
                routes: gateway
                    .as_ref()
                    .map_or(0, |g| g.gateway.routes().routes().len()),
                last_error,
            },
            usage: UsageReport {
                spool_depth: self.health.spool_depth.load(Ordering::Relaxed),
            },
            connections: self.connections.snapshot(),
        }
    }
}
