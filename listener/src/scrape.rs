//! The metrics endpoint both binaries serve on `--metrics-listen`: one
//! path, `GET /metrics`, answering the Prometheus text format; plain HTTP
//! on a listener of its own, with the same limits and timeouts as the
//! others.

use crate::{Limits, Listener};
use http::{header, Method, Request, Response, StatusCode};
use metrics::{Counter, Gauge, Histogram, Key, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The one path served.
pub const METRICS_PATH: &str = "/metrics";

/// The Prometheus text exposition format, version 0.0.4.
pub const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Scrapers are few: a handful of connections is plenty, and keeps a
/// misbehaving client from holding many descriptors.
const MAX_CONNECTIONS: usize = 16;

/// Declares a process's metrics in one place: for every metric a
/// `pub const` holding its name, and one `DESCRIBED` table of them all
/// with their kind and `# HELP` text, for [`recorder`].
///
/// ```
/// tokenctl_listener::metrics! {
///     /// Requests answered.
///     REQUESTS = Counter("demo_requests_total", "Requests answered.");
///     QUEUE = Gauge("demo_queue_bytes", Some(metrics::Unit::Bytes), "Bytes queued.");
///     WAIT = Seconds("demo_wait_seconds", "Time spent waiting.");
/// }
/// assert_eq!(REQUESTS, "demo_requests_total");
/// assert_eq!(DESCRIBED.len(), 3);
/// ```
#[macro_export]
macro_rules! metrics {
    ($($(#[$doc:meta])* $constant:ident = $kind:ident($name:literal, $($arg:expr),+);)+) => {
        $($(#[$doc])* pub const $constant: &str = $name;)+

        /// Every metric of this process, with its `# HELP` text.
        const DESCRIBED: &[$crate::Described] = &[$($crate::Described::$kind($constant, $($arg),+)),+];
    };
}

/// One metric of a process: its kind, name and `# HELP` text.
#[derive(Debug, Clone, Copy)]
pub enum Described {
    Counter(&'static str, &'static str),
    Gauge(&'static str, Option<Unit>, &'static str),
    /// Always in seconds; bucketed by the `buckets` of [`recorder`].
    Seconds(&'static str, &'static str),
}

/// The Prometheus recorder of a process, with its metrics described and
/// every `_seconds` histogram bucketed by `buckets`.
pub fn recorder(buckets: &[f64], metrics: &[Described]) -> PrometheusRecorder {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), buckets)
        .expect("buckets are not empty")
        .build_recorder();
    for metric in metrics {
        match *metric {
            Described::Counter(name, help) => {
                recorder.describe_counter(name.into(), None, help.into())
            }
            Described::Gauge(name, unit, help) => {
                recorder.describe_gauge(name.into(), unit, help.into())
            }
            Described::Seconds(name, help) => {
                recorder.describe_histogram(name.into(), Some(Unit::Seconds), help.into())
            }
        }
    }
    recorder
}

/// What registering a series tells the recorder beyond its key; the text
/// format does not show it, so one value serves every series.
const METADATA: Metadata<'static> = Metadata::new("tokenctl", metrics::Level::INFO, None);

/// Registering a series (a metric with its labels) on a process's recorder.
pub trait Series {
    fn counter(&self, key: &Key) -> Counter;
    fn gauge(&self, key: &Key) -> Gauge;
    fn histogram(&self, key: &Key) -> Histogram;
}

impl Series for PrometheusRecorder {
    fn counter(&self, key: &Key) -> Counter {
        self.register_counter(key, &METADATA)
    }

    fn gauge(&self, key: &Key) -> Gauge {
        self.register_gauge(key, &METADATA)
    }

    fn histogram(&self, key: &Key) -> Histogram {
        self.register_histogram(key, &METADATA)
    }
}

/// Binds `addr` for the metrics endpoint.
pub async fn bind_metrics(addr: SocketAddr) -> std::io::Result<Listener> {
    let tcp = tokio::net::TcpListener::bind(addr).await?;
    let limits = Limits {
        max_connections: MAX_CONNECTIONS,
        header_read_timeout: Duration::from_secs(10),
        shutdown_timeout: Duration::from_secs(1),
        ..Limits::new(1)
    };
    Ok(Listener::new(tcp, limits))
}

/// Serves `GET /metrics` with what `render` returns (the text format)
/// until `shutdown` resolves; any other path is 404, another method 405.
pub async fn serve_metrics<R, F>(listener: Listener, render: R, shutdown: impl Future<Output = ()>)
where
    R: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = String> + Send + 'static,
{
    let render = Arc::new(render);
    listener
        .serve(
            move |_peer| {
                let render = render.clone();
                hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                    let render = render.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(&req, &*render).await) }
                })
            },
            shutdown,
        )
        .await;
}

async fn answer<R, F>(req: &Request<hyper::body::Incoming>, render: &R) -> Response<String>
where
    R: Fn() -> F,
    F: Future<Output = String>,
{
    let plain = |status: StatusCode, text: &str| {
        let mut resp = Response::new(format!("{text}\n"));
        *resp.status_mut() = status;
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        resp
    };
    if req.uri().path() != METRICS_PATH {
        return plain(StatusCode::NOT_FOUND, "not found: metrics are at /metrics");
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut resp = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET");
        resp.headers_mut()
            .insert(header::ALLOW, http::HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    let mut resp = Response::new(render().await);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static(TEXT_FORMAT),
    );
    resp
}
