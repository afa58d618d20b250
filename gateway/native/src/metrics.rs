//! The gateway's Prometheus metrics, served on `--metrics-listen` (see
//! `docs/gateway.md`, "Metrics"). Every metric the gateway exports is
//! defined in this file.
//!
//! The request path pays an atomic add or two: each route's series are
//! registered once, when a config naming the route is installed, and
//! outcome counters once per route and outcome, on first use. Gauges and
//! counters the gateway keeps anyway (spool, config) are read when
//! scraped, not updated per request.
//!
//! Labels stay bounded: `route` is a route's configured name (never a
//! client's path), or [`NO_ROUTE`] for requests answered before a route
//! matched; `outcome` is `ok` or the error code the client got, one of the
//! core's or the gateway's constants.

use crate::spool::{SpoolStats, UsageRecord};
use crate::state::Shared;
use arc_swap::ArcSwap;
use metrics::{Counter, Gauge, Histogram, Key, Label, SharedString, Unit};
use metrics_exporter_prometheus::PrometheusRecorder;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use tokenctl_gateway::RouteEntry;
use tokenctl_listener::Series;
use uuid::Uuid;

tokenctl_listener::metrics! {
    REQUESTS = Counter("tokenctl_gateway_requests_total",
        "Requests answered, by route name and outcome (`ok`: the upstream answered; else the error code sent to the client).");
    UPSTREAM_DURATION = Seconds("tokenctl_gateway_upstream_duration_seconds",
        "Time from sending a request upstream to its response headers (or the failure), by route.");
    CONFIG_VERSION = Gauge("tokenctl_gateway_config_version", None,
        "Version (change-log position) of the config being served; 0 before the first.");
    CONFIG_AGE = Gauge("tokenctl_gateway_config_age_seconds", Some(Unit::Seconds),
        "Seconds since the server last confirmed the config is current; 0 before the first confirmation.");
    SPOOL_EVENTS = Gauge("tokenctl_gateway_usage_spool_events", None,
        "Usage events in the spool on disk, not yet taken by the server.");
    SPOOL_BYTES = Gauge("tokenctl_gateway_usage_spool_bytes", Some(Unit::Bytes),
        "Bytes of usage events in the spool.");
    EVENTS_SENT = Counter("tokenctl_gateway_usage_events_sent_total",
        "Usage events the server accepted.");
    EVENTS_DROPPED = Counter("tokenctl_gateway_usage_events_dropped_total",
        "Usage events dropped because the spool was full, by the kind of request (`denied` go first).");
    EVENTS_DEAD_LETTERED = Counter("tokenctl_gateway_usage_events_dead_lettered_total",
        "Usage events the server refused (or cut short by a crash), kept in the dead-letter file.");
}

/// The `route` of requests answered before a route matched (no or a bad
/// token, an unknown path, no or a stale config). Route names start with a
/// letter or digit, so no route can be called this.
pub const NO_ROUTE: &str = "_none";
/// The `outcome` of a request the upstream answered (whatever its status).
pub const OK: &str = "ok";

/// Upstream response times, 1 ms to 2 min.
const DURATION_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0, 120.0,
];

/// Distinct outcomes counted per route; all outcome codes are constants
/// (about twenty), so this is never reached in practice. Beyond it,
/// outcomes share the label `other`.
const OUTCOME_SLOTS: usize = 32;

/// The gateway's metrics registry and the handles the process holds.
pub struct Metrics {
    recorder: PrometheusRecorder,
    /// The series of the routes in the installed config, by route id.
    routes: ArcSwap<HashMap<Uuid, Arc<RouteSeries>>>,
    no_route: OutcomeCounters,
    config_version: Gauge,
    config_age: Gauge,
    spool_events: Gauge,
    spool_bytes: Gauge,
    events_sent: Counter,
    dropped_denied: Counter,
    dropped_allowed: Counter,
    dead_lettered: Counter,
}

/// One route's series.
struct RouteSeries {
    name: String,
    outcomes: OutcomeCounters,
    upstream: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = tokenctl_listener::recorder(&DURATION_BUCKETS, DESCRIBED);
        let dropped = |request: &'static str| {
            counter(
                &recorder,
                EVENTS_DROPPED,
                vec![Label::from_static_parts("request", request)],
            )
        };
        Metrics {
            no_route: OutcomeCounters::new(NO_ROUTE.into()),
            config_version: gauge(&recorder, CONFIG_VERSION),
            config_age: gauge(&recorder, CONFIG_AGE),
            spool_events: gauge(&recorder, SPOOL_EVENTS),
            spool_bytes: gauge(&recorder, SPOOL_BYTES),
            events_sent: counter(&recorder, EVENTS_SENT, vec![]),
            dropped_denied: dropped("denied"),
            dropped_allowed: dropped("allowed"),
            dead_lettered: counter(&recorder, EVENTS_DEAD_LETTERED, vec![]),
            routes: ArcSwap::default(),
            recorder,
        }
    }

    /// A config with these routes was installed: their series, reusing
    /// those of routes that kept their id and name.
    pub fn routes_installed(&self, routes: &[RouteEntry]) {
        let current = self.routes.load();
        let next = routes
            .iter()
            .map(|r| {
                let series = match current.get(&r.id) {
                    Some(s) if s.name == r.name => s.clone(),
                    _ => Arc::new(RouteSeries {
                        name: r.name.clone(),
                        outcomes: OutcomeCounters::new(r.name.clone().into()),
                        upstream: self.recorder.histogram(&Key::from_parts(
                            UPSTREAM_DURATION,
                            vec![route_label(&r.name)],
                        )),
                    }),
                };
                (r.id, series)
            })
            .collect();
        self.routes.store(Arc::new(next));
    }

    /// Counts a request the gateway answered, from its usage record: the
    /// route (if one matched), the outcome, and the upstream's time.
    pub fn answered(&self, record: &UsageRecord) {
        let outcome = record.answered.error_code.unwrap_or(OK);
        let routes = self.routes.load();
        let series = record.answered.route_id.and_then(|id| routes.get(&id));
        match series {
            Some(s) => {
                s.outcomes.count(&self.recorder, outcome);
                if let Some(d) = record.upstream_latency {
                    s.upstream.record(d.as_secs_f64());
                }
            }
            None => self.no_route.count(&self.recorder, outcome),
        }
    }

    /// Counts a request answered without a usage record (no config yet).
    pub fn answered_without_route(&self, outcome: &'static str) {
        self.no_route.count(&self.recorder, outcome);
    }

    /// The text format, with the values the gateway keeps elsewhere read
    /// now.
    pub fn render(&self, shared: &Shared) -> String {
        let now = chrono::Utc::now();
        if let Some(installed) = &*shared.gateway.load() {
            self.config_version.set(installed.gateway.version() as f64);
        }
        if let Some(age) = shared.health.config_age(now) {
            self.config_age.set(age.as_secs_f64());
        }
        let spool: &SpoolStats = &shared.health.spool;
        let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        self.spool_events
            .set(spool.depth.load(Ordering::Relaxed).max(0) as f64);
        self.spool_bytes.set(n(&spool.bytes) as f64);
        self.events_sent.absolute(n(&spool.sent));
        self.dropped_denied.absolute(n(&spool.dropped_denied));
        self.dropped_allowed.absolute(n(&spool.dropped_allowed));
        self.dead_lettered.absolute(n(&spool.dead_lettered));
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

fn route_label(name: &str) -> Label {
    Label::new("route", name.to_string())
}

fn counter(recorder: &PrometheusRecorder, name: &'static str, labels: Vec<Label>) -> Counter {
    recorder.counter(&Key::from_parts(name, labels))
}

fn gauge(recorder: &PrometheusRecorder, name: &'static str) -> Gauge {
    recorder.gauge(&Key::from_static_name(name))
}

/// `tokenctl_gateway_requests_total` of one route, one counter per
/// outcome, registered on the outcome's first request. Outcomes are
/// `&'static str` constants, so a slot is found by comparing a few
/// pointers, without a lock.
struct OutcomeCounters {
    route: SharedString,
    slots: [OnceLock<(&'static str, Counter)>; OUTCOME_SLOTS],
    other: OnceLock<Counter>,
}

impl OutcomeCounters {
    fn new(route: SharedString) -> OutcomeCounters {
        OutcomeCounters {
            route,
            slots: std::array::from_fn(|_| OnceLock::new()),
            other: OnceLock::new(),
        }
    }

    fn register(&self, recorder: &PrometheusRecorder, outcome: &'static str) -> Counter {
        let labels = vec![
            Label::new("route", self.route.clone()),
            Label::from_static_parts("outcome", outcome),
        ];
        counter(recorder, REQUESTS, labels)
    }

    fn count(&self, recorder: &PrometheusRecorder, outcome: &'static str) {
        for slot in &self.slots {
            let (code, counter) = slot.get_or_init(|| (outcome, self.register(recorder, outcome)));
            if std::ptr::eq(*code, outcome) || *code == outcome {
                counter.increment(1);
                return;
            }
        }
        self.other
            .get_or_init(|| self.register(recorder, "other"))
            .increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(route: Option<Uuid>, code: Option<&'static str>) -> UsageRecord {
        UsageRecord {
            at: chrono::Utc::now(),
            method: http::Method::GET,
            answered: tokenctl_gateway::usage::Answered {
                status: 200,
                token_id: None,
                route_id: route,
                error_code: code,
                refused: code.is_some(),
            },
            latency: std::time::Duration::ZERO,
            upstream_latency: code
                .is_none()
                .then_some(std::time::Duration::from_millis(30)),
            bytes_in: 0,
            bytes_out: 0,
            client_ip: "127.0.0.1".into(),
            user_agent: None,
            llm: None,
        }
    }

    fn route(id: u128, name: &str) -> RouteEntry {
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(id), "name": name, "path": "/x",
            "upstream": "https://example.com", "timeout_ms": 1000,
        }))
        .unwrap()
    }

    /// The value of one sample line of the text format.
    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn requests_are_counted_by_route_name_and_outcome() {
        let m = Metrics::new();
        m.routes_installed(&[route(1, "echo"), route(2, "other")]);
        m.answered(&record(Some(Uuid::from_u128(1)), None));
        m.answered(&record(Some(Uuid::from_u128(1)), None));
        m.answered(&record(Some(Uuid::from_u128(1)), Some("scope_denied")));
        m.answered(&record(None, Some("missing_token")));
        // A route no longer in the config counts as no route.
        m.answered(&record(Some(Uuid::from_u128(9)), Some("upstream_timeout")));
        m.upkeep();
        let text = m.recorder.handle().render();
        let r = |labels: &str| sample(&text, &format!("{REQUESTS}{{{labels}}}"));
        assert_eq!(r("route=\"echo\",outcome=\"ok\""), Some(2.0), "{text}");
        assert_eq!(r("route=\"echo\",outcome=\"scope_denied\""), Some(1.0));
        assert_eq!(r("route=\"_none\",outcome=\"missing_token\""), Some(1.0));
        assert_eq!(r("route=\"_none\",outcome=\"upstream_timeout\""), Some(1.0));
        assert_eq!(
            r("route=\"other\",outcome=\"ok\""),
            None,
            "no series before a request"
        );
        assert_eq!(
            sample(
                &text,
                &format!("{UPSTREAM_DURATION}_count{{route=\"echo\"}}")
            ),
            Some(2.0)
        );
        assert_eq!(
            sample(
                &text,
                &format!("{UPSTREAM_DURATION}_bucket{{route=\"echo\",le=\"0.05\"}}")
            ),
            Some(2.0)
        );
    }

    #[test]
    fn a_renamed_route_gets_series_under_its_new_name() {
        let m = Metrics::new();
        m.routes_installed(&[route(1, "old")]);
        m.answered(&record(Some(Uuid::from_u128(1)), None));
        m.routes_installed(&[route(1, "new")]);
        m.answered(&record(Some(Uuid::from_u128(1)), None));
        let text = m.recorder.handle().render();
        let r = |name: &str| {
            sample(
                &text,
                &format!("{REQUESTS}{{route=\"{name}\",outcome=\"ok\"}}"),
            )
        };
        assert_eq!((r("old"), r("new")), (Some(1.0), Some(1.0)));
    }

    #[test]
    fn outcomes_past_the_slots_share_one_label() {
        let m = Metrics::new();
        let codes: Vec<&'static str> = (0..OUTCOME_SLOTS + 3)
            .map(|i| &*Box::leak(format!("code_{i}").into_boxed_str()))
            .collect();
        for code in &codes {
            m.answered_without_route(code);
        }
        m.answered_without_route(codes[0]);
        let text = m.recorder.handle().render();
        let r = |o: &str| {
            sample(
                &text,
                &format!("{REQUESTS}{{route=\"_none\",outcome=\"{o}\"}}"),
            )
        };
        assert_eq!(r("code_0"), Some(2.0));
        assert_eq!(r("other"), Some(3.0));
    }
}
