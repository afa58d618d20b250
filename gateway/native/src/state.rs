//! State shared by the request path and the background tasks.

use crate::spool::{SpoolStats, UsageSink};
use arc_swap::ArcSwapOption;
use serde::Serialize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokenctl_gateway::quota::QuotaCounter;
use tokenctl_gateway::{Allowed, Gateway, RateLimiter};

/// A config ready for the request path: the core's index plus what this
/// front-end precomputes per route.
pub struct Installed {
    pub gateway: Gateway,
    /// Per route (same order as `gateway.routes().routes()`): where its
    /// requests go and the headers set on every one of them, as typed
    /// values, built on first use rather than on every request.
    routes: Vec<OnceLock<RouteUpstream>>,
}

/// What the request path sends to one route's upstream on every request.
pub struct RouteUpstream {
    /// The upstream's scheme and authority (`None`: not an absolute URL,
    /// which the core's validation rules out), so that a request's URL
    /// needs only its path parsed.
    pub origin: Option<UpstreamOrigin>,
    /// `Host` for the upstream: its host, plus its port when that is not
    /// the scheme's default.
    pub host: Option<http::HeaderValue>,
    /// The upstream credential, by position in
    /// [`Allowed::inject_headers`] (`None`: not a valid header, which the
    /// core's validation rules out).
    pub inject: Vec<Option<(http::HeaderName, http::HeaderValue)>>,
}

impl Installed {
    pub fn new(gateway: Gateway) -> Installed {
        let routes = (0..gateway.routes().routes().len())
            .map(|_| OnceLock::new())
            .collect();
        Installed { gateway, routes }
    }

    /// Where the allowed request's route forwards to, and what it sets.
    pub fn route_upstream(&self, allowed: &Allowed) -> &RouteUpstream {
        self.routes[allowed.route_index].get_or_init(|| {
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
                .map(|(n, v)| {
                    // The core validated names and values when it indexed the snapshot.
                    Some((
                        http::HeaderName::from_bytes(n.as_bytes()).ok()?,
                        http::HeaderValue::from_str(v).ok()?,
                    ))
                })
                .collect();
            RouteUpstream {
                origin: UpstreamOrigin::of(upstream),
                host,
                inject,
            }
        })
    }
}

impl RouteUpstream {
    /// The request line's target for `url`, one of this route's upstream
    /// URLs ([`Allowed::upstream_url`]: the upstream base, the rest of the
    /// path and the query): the text after the origin, taken without a
    /// copy. `None` if it is not a valid target.
    pub fn target(&self, url: String) -> Option<(&UpstreamOrigin, http::Uri)> {
        let origin = self.origin.as_ref()?;
        let mut rest = bytes::Bytes::from(url);
        if !rest.starts_with(origin.text.as_bytes()) {
            return None;
        }
        bytes::Buf::advance(&mut rest, origin.text.len());
        let path = if rest.is_empty() {
            http::uri::PathAndQuery::from_static("/")
        } else {
            http::uri::PathAndQuery::from_maybe_shared(rest).ok()?
        };
        Some((origin, http::Uri::from(path)))
    }
}

/// An upstream's scheme and authority, parsed once per route.
pub struct UpstreamOrigin {
    pub scheme: http::uri::Scheme,
    pub authority: http::uri::Authority,
    /// How the route's upstream URLs begin: `scheme://authority`, as
    /// written in the route.
    text: Box<str>,
}

impl UpstreamOrigin {
    fn of(upstream: &str) -> Option<UpstreamOrigin> {
        let uri = http::Uri::try_from(upstream).ok()?;
        let (scheme, authority) = (uri.scheme()?.clone(), uri.authority()?.clone());
        let len = scheme.as_str().len() + "://".len() + authority.as_str().len();
        let text = upstream.get(..len)?;
        let written = format!("{scheme}://{authority}");
        text.eq_ignore_ascii_case(&written).then(|| UpstreamOrigin {
            scheme,
            authority,
            text: text.into(),
        })
    }
}

pub struct Shared {
    /// The current config; `None` until the first snapshot arrives.
    pub gateway: ArcSwapOption<Installed>,
    /// Rate-limit state outlives config swaps.
    pub limiter: Mutex<RateLimiter>,
    /// Local quota counts outlive config swaps too (shared with the
    /// responses that report LLM tokens).
    pub quotas: Arc<Mutex<QuotaCounter>>,
    pub usage: UsageSink,
    pub health: Health,
    /// The client-facing listener's counters.
    pub connections: Arc<tokenctl_listener::Stats>,
    /// Prometheus metrics, when `--metrics-listen` is set.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
}

/// What `/_gateway/health` reports, and how old the config may get.
pub struct Health {
    /// Unix milliseconds of the last time the server confirmed the config
    /// is current (kept across restarts, see `follower::SnapshotStore`);
    /// -1 before the first.
    confirmed_at_ms: AtomicI64,
    last_error: Mutex<Option<String>>,
    /// `--max-stale`: past this age the gateway refuses to decide.
    pub max_stale: Option<std::time::Duration>,
    pub spool: Arc<SpoolStats>,
}

impl Health {
    pub fn new(spool: Arc<SpoolStats>, max_stale: Option<std::time::Duration>) -> Health {
        Health {
            confirmed_at_ms: AtomicI64::new(-1),
            last_error: Mutex::new(None),
            max_stale,
            spool,
        }
    }

    /// The server confirmed the config at `at`.
    pub fn confirmed(&self, at: chrono::DateTime<chrono::Utc>) {
        self.confirmed_at_ms
            .fetch_max(at.timestamp_millis(), Ordering::Relaxed);
    }

    pub fn contact_ok(&self, at: chrono::DateTime<chrono::Utc>) {
        self.confirmed(at);
        *self.last_error.lock().expect("not poisoned") = None;
    }

    pub fn contact_failed(&self, error: String) {
        *self.last_error.lock().expect("not poisoned") = Some(error);
    }

    /// How long ago the server last confirmed the config, at `now`.
    pub fn config_age(&self, now: chrono::DateTime<chrono::Utc>) -> Option<std::time::Duration> {
        let at = self.confirmed_at_ms.load(Ordering::Relaxed);
        (at >= 0).then(|| {
            std::time::Duration::from_millis(
                u64::try_from(now.timestamp_millis() - at).unwrap_or(0),
            )
        })
    }

    /// Whether the config is older than `--max-stale` (or was never
    /// confirmed at all) at `now`: the gateway then answers `config_stale`.
    pub fn too_stale(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.max_stale
            .is_some_and(|max| self.config_age(now).is_none_or(|age| age > max))
    }
}

#[derive(Serialize)]
pub struct HealthReport {
    /// `ok`; `stale` (server unreachable, serving the last config);
    /// `config_stale` (unreachable for longer than `--max-stale`: requests
    /// are refused); `no_config`.
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
    /// `--max-stale` in seconds (`null`: no limit).
    pub max_stale_secs: Option<u64>,
    pub tokens: usize,
    pub routes: usize,
    pub last_error: Option<String>,
}

#[derive(Serialize)]
pub struct UsageReport {
    /// Events recorded on disk and not yet accepted by the server.
    pub spool_depth: i64,
    /// Their size, and the most the spool may hold (`--spool-max`).
    pub spool_bytes: u64,
    pub spool_max_bytes: u64,
    /// Requests refused without a valid token, counted (per client
    /// address, reason and minute) and not yet written.
    pub denials_pending: u64,
    /// Events accepted by the server since start.
    pub sent: u64,
    /// Events dropped since start because the spool was full, by kind
    /// (events of denied requests go first).
    pub dropped: DroppedReport,
    /// Events the server refused (or cut short by a crash), kept in
    /// `spool/dead-letter.jsonl`, since start.
    pub dead_lettered: u64,
}

#[derive(Serialize)]
pub struct DroppedReport {
    pub denied: u64,
    pub allowed: u64,
}

impl Shared {
    pub fn health_report(&self) -> HealthReport {
        let gateway = self.gateway.load();
        let last_error = self.health.last_error.lock().expect("not poisoned").clone();
        let now = chrono::Utc::now();
        let status = match (&*gateway, &last_error) {
            (None, _) => "no_config",
            (Some(_), _) if self.health.too_stale(now) => tokenctl_gateway::code::CONFIG_STALE,
            (Some(_), Some(_)) => "stale",
            (Some(_), None) => "ok",
        };
        // The last failed contact with the server, then the config's
        // unusable secrets and routes (by name, never values), as the
        // Worker reports them.
        let mut problems: Vec<String> = last_error.into_iter().collect();
        if let Some(g) = &*gateway {
            problems.extend(g.gateway.warnings().iter().map(|w| w.to_string()));
        }
        HealthReport {
            status,
            version: env!("CARGO_PKG_VERSION"),
            config: ConfigReport {
                version: gateway.as_ref().map(|g| g.gateway.version()),
                generated_at: gateway.as_ref().map(|g| g.gateway.generated_at()),
                age_secs: self.health.config_age(now).map(|a| a.as_secs_f64()),
                max_stale_secs: self.health.max_stale.map(|d| d.as_secs()),
                tokens: gateway.as_ref().map_or(0, |g| g.gateway.tokens().len()),
                routes: gateway
                    .as_ref()
                    .map_or(0, |g| g.gateway.routes().routes().len()),
                last_error: (!problems.is_empty()).then(|| problems.join("; ")),
            },
            usage: {
                let s = &self.health.spool;
                let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
                UsageReport {
                    spool_depth: s.depth.load(Ordering::Relaxed),
                    spool_bytes: n(&s.bytes),
                    spool_max_bytes: s.max_bytes,
                    denials_pending: n(&s.denials_pending),
                    sent: n(&s.sent),
                    dropped: DroppedReport {
                        denied: n(&s.dropped_denied),
                        allowed: n(&s.dropped_allowed),
                    },
                    dead_lettered: n(&s.dead_lettered),
                }
            },
            connections: self.connections.snapshot(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(upstream: &str) -> RouteUpstream {
        RouteUpstream {
            origin: UpstreamOrigin::of(upstream),
            host: None,
            inject: Vec::new(),
        }
    }

    /// The origin and path-and-query `http` itself reads from the whole
    /// URL, as the gateway parsed every request's URL before.
    fn parsed_whole(url: &str) -> (String, String, String) {
        let uri = http::Uri::try_from(url).unwrap();
        let target = uri.path_and_query().map_or("", |p| p.as_str()).to_string();
        (
            uri.scheme_str().unwrap().to_string(),
            uri.authority().unwrap().to_string(),
            target,
        )
    }

    #[test]
    fn a_request_target_is_what_the_whole_url_says() {
        for (upstream, urls) in [
            (
                "http://127.0.0.1:8081/v1",
                &[
                    "http://127.0.0.1:8081/v1",
                    "http://127.0.0.1:8081/v1/chat?x=1&y=%20",
                ][..],
            ),
            (
                "https://API.example.com",
                &[
                    "https://API.example.com",
                    "https://API.example.com/a/b",
                    "https://API.example.com?q",
                ][..],
            ),
            ("HTTP://h:80", &["HTTP://h:80/x"][..]),
        ] {
            let route = route(upstream);
            for url in urls {
                let (origin, target) = route.target(url.to_string()).expect(url);
                let (scheme, authority, whole) = parsed_whole(url);
                assert_eq!(
                    (
                        origin.scheme.as_str(),
                        origin.authority.as_str(),
                        target
                            .path_and_query()
                            .map_or("", |p| p.as_str())
                            .to_string()
                    ),
                    (scheme.as_str(), authority.as_str(), whole),
                    "{url}"
                );
            }
        }
    }

    #[test]
    fn a_url_of_another_origin_or_no_url_has_no_target() {
        assert!(route("http://a.example/v1")
            .target("http://b.example/v1/x".into())
            .is_none());
        assert!(route("not a url").target("not a url/x".into()).is_none());
        assert!(route("http://a.example")
            .target("http://a.example/bad path".into())
            .is_none());
    }
}
