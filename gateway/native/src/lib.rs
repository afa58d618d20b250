//! The self-hosted tokenctl gateway (`tokenctl gateway`): a hyper proxy
//! around the gateway core. It follows the control plane's config feed,
//! decides every request with [`tokenctl_gateway::Gateway`], forwards with
//! the upstream's credential, streams both ways, and records one usage
//! event per request through an on-disk spool.

mod body;
mod control;
mod follower;
mod ladder;
mod llm;
mod metrics;
mod proxy;
mod quota;
mod resolve;
mod snapshot_store;
mod spool;
mod state;
mod upstream;
mod workers;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_gateway::{RateLimiter, UpstreamAccess};
use url::Url;

pub use proxy::HEALTH_PATH;
pub use spool::DEFAULT_MAX_BYTES as DEFAULT_SPOOL_MAX_BYTES;

/// The default `--max-stale`: see `docs/gateway.md`, "Bounded staleness".
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(3600);

/// Everything `tokenctl gateway` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The tokenctl server (control plane).
    pub server: Url,
    /// The gateway key (`tkg_…`).
    pub key: SecretString,
    pub listen: SocketAddr,
    /// Threads serving clients, each with a runtime and a listening socket
    /// of its own (`SO_REUSEPORT`) when more than one; at least 1.
    pub workers: usize,
    /// Holds the encrypted config snapshot and the usage spool.
    pub state_dir: PathBuf,
    /// Most bytes of usage events the spool holds (see `spool`).
    pub spool_max_bytes: u64,
    /// Past this config age (server unreachable), requests are refused with
    /// 503 `config_stale` instead of decided on old data; `None`: never.
    pub max_stale: Option<Duration>,
    /// Timeouts and the connection limit of the client-facing listener.
    pub connections: tokenctl_listener::Limits,
    /// Reverse proxies (a TLS terminator, a load balancer) whose
    /// `Forwarded`/`X-Forwarded-For`/`X-Forwarded-Proto` are believed;
    /// empty: the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Serve clients HTTPS with this certificate (`None`: plain HTTP).
    pub tls: Option<Arc<tokenctl_listener::Tls>>,
    /// Certificates (CAs) trusted for the server's URL besides the bundled
    /// Mozilla roots, e.g. a private CA.
    pub server_ca: Vec<reqwest::Certificate>,
    /// Serve Prometheus metrics at `/metrics` on this address (`None`: no
    /// metrics).
    pub metrics_listen: Option<SocketAddr>,
}

/// Writes `contents` to `path` whole or not at all, readable by the owner
/// only: a temporary file in the same directory (mode 0600), synced, then
/// renamed over `path`.
pub(crate) fn write_private_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut file = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// One connector (and connection pool) per upstream access, so that a route
/// approved for private addresses never lends its connections, or its
/// resolver's leniency, to a route that is not.
fn upstream_pools() -> anyhow::Result<upstream::Pools> {
    Ok(upstream::Pools::new(
        connector(UpstreamAccess::Public)?,
        connector(UpstreamAccess::Private)?,
        connector(UpstreamAccess::Metadata)?,
    ))
}

fn connector(access: UpstreamAccess) -> anyhow::Result<upstream::Connector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = match builder.with_provider_and_native_roots(provider.clone()) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "no usable system CA certificates; using the bundled Mozilla roots");
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_webpki_roots(provider)
                .context("TLS setup")?
        }
    };
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(
        resolve::GuardedResolver::new(access),
    );
    http.set_nodelay(true);
    http.enforce_http(false);
    Ok(builder.https_or_http().enable_http1().wrap_connector(http))
}

/// A gateway that is bound and ready to serve.
pub struct NativeGateway {
    /// One per worker, sharing their connections' registry.
    listeners: Vec<tokenctl_listener::Listener>,
    proxy: Arc<proxy::Proxy>,
    spool: spool::Spool,
    writer: std::thread::JoinHandle<()>,
    follower: tokio::task::JoinHandle<()>,
    control: control::ControlPlane,
    /// The metrics endpoint's listener, when `--metrics-listen` is set.
    metrics: Option<tokenctl_listener::Listener>,
}

impl NativeGateway {
    /// Binds the listen address, loads the last snapshot from disk (so it
    /// can serve at once, even with the server down), starts following the
    /// server and opens the usage spool.
    pub async fn start(settings: Settings) -> anyhow::Result<NativeGateway> {
        Secret::parse(SecretKind::GatewayKey, settings.key.expose_secret())
            .context("gateway key")?;
        settings
            .connections
            .validate()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut sockets = workers::bind(settings.listen, settings.workers.max(1))
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?
            .into_iter();
        let first = sockets.next().expect("at least one socket");
        let listener = tokenctl_listener::Listener::new(first, settings.connections)
            .with_tls(settings.tls.clone());
        let siblings: Vec<_> = sockets.map(|s| listener.sibling(s)).collect();
        let metrics = match settings.metrics_listen {
            None => None,
            Some(addr) => Some(
                tokenctl_listener::bind_metrics(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} for metrics"))?,
            ),
        };
        std::fs::create_dir_all(&settings.state_dir)
            .with_context(|| format!("cannot create {}", settings.state_dir.display()))?;
        let (spool, sink, writer) =
            spool::Spool::open(settings.state_dir.join("spool"), settings.spool_max_bytes)
                .context("cannot open the usage spool")?;
        let shared = Arc::new(state::Shared {
            gateway: Default::default(),
            limiter: Mutex::new(RateLimiter::new()),
            quotas: Arc::default(),
            usage: sink,
            health: state::Health::new(spool.stats.clone(), settings.max_stale),
            connections: listener.stats(),
            metrics: metrics.is_some().then(Default::default),
        });
        let store = follower::SnapshotStore::new(
            settings.state_dir.join("snapshot.sealed"),
            settings.key.expose_secret(),
        );
        let snapshot = store.load();
        if let Some(s) = &snapshot {
            // A snapshot from before confirmation times were kept was
            // certainly current when the server generated it.
            let confirmed = store.load_confirmed().unwrap_or(s.generated_at());
            shared.health.confirmed(confirmed);
            tracing::info!(
                version = s.version(),
                confirmed_at = %confirmed,
                "serving the stored config snapshot until the server answers"
            );
            follower::install(&shared, s.clone());
        }
        let control = control::ControlPlane::new(
            settings.server.clone(),
            settings.key.clone(),
            &settings.server_ca,
        );
        let follower = tokio::spawn(follower::follow(
            shared.clone(),
            control.clone(),
            store,
            snapshot,
        ));
        let proxy = Arc::new(proxy::Proxy {
            shared,
            upstreams: upstream_pools()?,
            trusted_proxies: settings.trusted_proxies.clone(),
        });
        let listeners = std::iter::once(listener).chain(siblings).collect();
        Ok(NativeGateway {
            listeners,
            proxy,
            spool,
            writer,
            follower,
            control,
            metrics,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listeners[0].local_addr()
    }

    /// Where the metrics endpoint listens, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` resolves (with the limits and timeouts of
    /// `tokenctl_listener`); then finishes in-flight requests, writes out the
    /// usage spool and makes a last attempt to send it.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let spool = Arc::new(self.spool);
        let sender = {
            let spool = spool.clone();
            let control = self.control.clone();
            tokio::spawn(async move {
                // Benchmark only (`crate::ladder`): no sender.
                if ladder::has(ladder::Rung::Sender) {
                    spool.send_loop(control, stop_rx).await
                }
            })
        };
        let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
        let metrics = self.metrics.map(|listener| {
            let shared = self.proxy.shared.clone();
            tokio::spawn(serve_metrics(listener, shared, async {
                let _ = metrics_stopped.await;
            }))
        });
        // Finishes in-flight requests (for up to 30s) before it returns.
        let served = workers::serve(self.listeners, self.proxy.clone(), shutdown).await;
        drop(stop_metrics);
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        self.follower.abort();
        let _ = self.follower.await;
        self.proxy.shared.usage.close();
        let writer = self.writer;
        let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        let _ = stop_tx.send(true);
        if tokio::time::timeout(Duration::from_secs(10), sender)
            .await
            .is_err()
        {
            tracing::warn!("usage not fully sent; it stays in the spool for the next start");
        }
        served
    }
}

/// Serves the metrics endpoint, folding histogram samples into their
/// buckets every few seconds between scrapes.
async fn serve_metrics(
    listener: tokenctl_listener::Listener,
    shared: Arc<state::Shared>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let Some(metrics) = shared.metrics.clone() else {
        return;
    };
    let upkeep = {
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                metrics.upkeep();
            }
        })
    };
    let render = move || {
        let text = metrics.render(&shared);
        std::future::ready(text)
    };
    tokenctl_listener::serve_metrics(listener, render, shutdown).await;
    upkeep.abort();
}
