//! The tokenctl control plane: owns the database, serves the admin REST
//! API, writes the audit log.
//!
//! `tokenctl server` (in the `cli` crate) is a thin wrapper around
//! [`Server::start`].

pub mod api;
mod auth;
pub mod config;
pub mod crypto;
mod db;
mod error;
mod http;
pub mod kvsync;
mod metrics;
pub mod permissions;
pub mod private_file;
mod upstream;
pub mod usage;
pub mod webhooks;

pub use config::{DatabaseUrl, ServerConfig};

use anyhow::{bail, Context};
use db::{Database, KeyState};
use std::net::SocketAddr;
use std::sync::Arc;
use tokenctl_gateway::token::{Secret, SecretKind};

/// What bootstrap did on this start.
#[derive(Debug)]
pub enum Bootstrap {
    /// The database already had users.
    NotNeeded,
    /// Created the first admin with the credential from the configuration.
    UsedConfigured,
    /// Created the first admin with this freshly minted credential, to be
    /// shown once.
    Generated(Secret),
    /// Created the first admin with a freshly minted credential, written to
    /// this file (mode 0600) instead of being shown.
    WrittenTo(std::path::PathBuf),
}

/// A server that is connected, migrated, bootstrapped and listening.
pub struct Server {
    listener: tokenctl_listener::Listener,
    app: axum::Router,
    kv_sync: Arc<kvsync::KvSync>,
    webhooks: Arc<webhooks::Webhooks>,
    db: Database,
    retention: usage::Retention,
    /// The metrics endpoint, when `--metrics-listen` is set.
    metrics: Option<(tokenctl_listener::Listener, Arc<metrics::ServerMetrics>)>,
    pub bootstrap: Bootstrap,
}

impl Server {
    /// Connects to the database, applies migrations, checks the master key,
    /// bootstraps an empty database, and binds the listen address.
    pub async fn start(config: ServerConfig) -> anyhow::Result<Server> {
        let db = Database::connect(&config.database)
            .await
            .with_context(|| format!("database {}", config.database))?;
        check_master_key(&db, config.master_key.as_ref()).await?;
        let bootstrap = bootstrap(
            &db,
            config
                .bootstrap_credential
                .as_ref()
                .map(secrecy::ExposeSecret::expose_secret),
            config.bootstrap_ttl,
            config.bootstrap_file.as_deref(),
        )
        .await?;
        config
            .connections
            .validate()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let upstream = upstream::UpstreamPolicy {
            listen: listener.local_addr()?,
            allow_metadata: config.allow_metadata_upstreams,
        };
        upgrade_0007(&db, &upstream).await?;
        let listener = tokenctl_listener::Listener::new(listener, config.connections)
            .with_tls(config.tls.clone());
        let metrics = match config.metrics_listen {
            None => None,
            Some(addr) => Some((
                tokenctl_listener::bind_metrics(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} for metrics"))?,
                Arc::new(metrics::ServerMetrics::new()),
            )),
        };
        let master_key = config.master_key.map(Arc::new);
        let kv_sync = kvsync::KvSync::new(
            db.clone(),
            master_key.clone(),
            config.kv_sync,
            config.edge_key,
        )?;
        let webhooks =
            webhooks::Webhooks::new(db.clone(), master_key.clone(), upstream, config.webhooks);
        let app = http::app(http::AppState {
            db: db.clone(),
            master_key,
            kv_sync: kv_sync.clone(),
            connections: listener.stats(),
            trusted_proxies: config.trusted_proxies.into(),
            max_credential_ttl: config.max_credential_ttl,
            upstream,
            metrics: metrics.as_ref().map(|(_, m)| m.clone()),
            webhooks: webhooks.clone(),
        });
        Ok(Server {
            listener,
            app,
            kv_sync,
            webhooks,
            db,
            retention: config.usage_retention,
            metrics,
            bootstrap,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where the metrics endpoint listens, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests
    /// (see `tokenctl_listener` for the limits and timeouts on the way).
    /// Runs the KV sync worker alongside, when configured.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_sync, stop_rx) = tokio::sync::watch::channel(false);
        let worker = self
            .kv_sync
            .enabled()
            .then(|| tokio::spawn(self.kv_sync.clone().run(stop_rx)));
        let retention = tokio::spawn(usage_retention(self.db.clone(), self.retention));
        let roller = tokio::spawn(roll_up_usage(self.db.clone()));
        let (stop_webhooks, webhooks_stop) = tokio::sync::watch::channel(false);
        let webhooks = tokio::spawn(self.webhooks.clone().run(webhooks_stop));
        let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
        let metrics = self.metrics.map(|(listener, metrics)| {
            let (db, kv_sync) = (self.db.clone(), self.kv_sync.clone());
            tokio::spawn(serve_metrics(listener, metrics, db, kv_sync, async {
                let _ = metrics_stopped.await;
            }))
        });
        let app = self.app;
        self.listener
            .serve(
                move |peer: SocketAddr| {
                    let app = app.clone();
                    // What `into_make_service_with_connect_info` would do:
                    // handlers read the client address from the request.
                    hyper::service::service_fn(move |mut req: axum::extract::Request<_>| {
                        req.extensions_mut()
                            .insert(axum::extract::ConnectInfo(peer));
                        tower::ServiceExt::oneshot(app.clone(), req)
                    })
                },
                shutdown,
            )
            .await;
        drop(stop_metrics);
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        if let Some(mut worker) = worker {
            let _ = stop_sync.send(true);
            // A round in flight is abandoned: its changes stay pending and
            // the next holder writes them again.
            if tokio::time::timeout(std::time::Duration::from_secs(3), &mut worker)
                .await
                .is_err()
            {
                worker.abort();
                self.kv_sync.release().await;
            }
        }
        // Attempts in flight are abandoned: their leases run out and the
        // next process to run tries them again.
        let _ = stop_webhooks.send(true);
        let _ = webhooks.await;
        retention.abort();
        roller.abort();
        Ok(())
    }
}

/// Serves the metrics endpoint, folding histogram samples into their
/// buckets every few seconds between scrapes.
async fn serve_metrics(
    listener: tokenctl_listener::Listener,
    metrics: Arc<metrics::ServerMetrics>,
    db: Database,
    kv_sync: Arc<kvsync::KvSync>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let upkeep = {
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tick.tick().await;
                metrics.upkeep();
            }
        })
    };
    let render = move || {
        let (metrics, db, kv_sync) = (metrics.clone(), db.clone(), kv_sync.clone());
        async move { metrics.render(&db, &kv_sync).await }
    };
    tokenctl_listener::serve_metrics(listener, render, shutdown).await;
    upkeep.abort();
}

/// Finishes migration 0007 on the first start after it: existing routes
/// get the upstream access their upstreams need today (a host that cannot
/// be resolved now keeps working as approved for private addresses; a
/// metadata service only with `--allow-metadata-upstreams`), and existing
/// secrets are bound to the hosts of the routes that use them.
async fn upgrade_0007(db: &Database, policy: &upstream::UpstreamPolicy) -> anyhow::Result<()> {
    use tokenctl_gateway::address::{AddressClass, UpstreamAccess};
    let Some(routes) = db.upgrade_0007_pending().await? else {
        return Ok(());
    };
    let mut access = Vec::with_capacity(routes.len());
    for (id, upstream) in routes {
        let c = policy.classify(&upstream).await;
        let needed = match c.class {
            _ if !c.resolved => UpstreamAccess::Private,
            AddressClass::Public => UpstreamAccess::Public,
            AddressClass::Metadata if policy.allow_metadata => UpstreamAccess::Metadata,
            _ => UpstreamAccess::Private,
        };
        access.push((id, needed));
    }
    if db.upgrade_0007_finish(access).await? {
        tracing::info!("upgraded routes and secrets: route grants, upstream access and secret hosts are in place");
    }
    Ok(())
}

/// Adds stored usage events to the rollups as they arrive.
async fn roll_up_usage(db: Database) {
    loop {
        // Each second at least (the wait below), alongside the roll-up.
        if let Err(e) = db.publish_held_quotas(api::now()).await {
            tracing::warn!(error = %e, "publishing held-back quota counts failed");
        }
        match db.roll_up(20_000).await {
            // A full chunk: more may be waiting.
            Ok(n) if n >= 20_000 => continue,
            Ok(_) => db.ingested(std::time::Duration::from_secs(1)).await,
            Err(e) => {
                tracing::warn!(error = %e, "usage roll-up failed; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// Deletes usage data past its retention, and idempotent rotation results
/// past their replay window, now and then every hour.
async fn usage_retention(db: Database, keep: usage::Retention) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = api::now();
        match db
            .usage_retention(
                now - keep.raw,
                now - keep.minute,
                now - keep.hour,
                now - keep.day,
            )
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "usage retention: deleted old usage data"),
            Err(e) => tracing::warn!(error = %e, "usage retention failed"),
        }
        match db.purge_rotation_results(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "deleted expired idempotent rotation results"),
            Err(e) => tracing::warn!(error = %e, "deleting expired rotation results failed"),
        }
    }
}

/// The OpenAPI document of the admin API.
pub fn openapi_json() -> String {
    http::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

async fn check_master_key(db: &Database, key: Option<&crypto::MasterKey>) -> anyhow::Result<()> {
    match (db.key_state().await?, key) {
        (KeyState::Check(check), Some(key)) => {
            if !key.matches_check_value(&check) {
                bail!("the master key does not match the one this database's secrets were encrypted with; refusing to start");
            }
        }
        (KeyState::Check(_), None) | (KeyState::SecretsWithoutCheck, None) => {
            let stored = db
                .list_secrets()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !stored.is_empty() {
                bail!(
                    "{} upstream secret(s) are stored but no master key is configured; set TOKENCTL_MASTER_KEY or --master-key-file",
                    stored.len()
                );
            }
            tracing::warn!("no master key configured: upstream secrets cannot be stored");
        }
        (KeyState::Fresh | KeyState::SecretsWithoutCheck, Some(key)) => {
            db.record_key_check(key.check_value()).await?;
        }
        (KeyState::Fresh, None) => {
            tracing::warn!("no master key configured: upstream secrets cannot be stored");
        }
    }
    Ok(())
}

async fn bootstrap(
    db: &Database,
    configured: Option<&str>,
    ttl: Option<chrono::Duration>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Bootstrap> {
    let (secret, generated) = match configured {
        Some(value) => (
            Secret::parse(SecretKind::AdminCredential, value).map_err(|e| {
                anyhow::anyhow!(
                    "TOKENCTL_BOOTSTRAP_TOKEN: {e}; generate one with `tokenctl credential generate`"
                )
            })?,
            false,
        ),
        None => (
            Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng),
            true,
        ),
    };
    let expires_at = ttl.map(|t| api::now() + t);
    let file = file.filter(|_| generated);
    // Runs inside the bootstrap transaction: if the file cannot be
    // written, nothing is created and the credential is not lost.
    let deliver = |secret: &Secret| -> anyhow::Result<()> {
        if let Some(path) = file {
            private_file::write_private(path, format!("{}\n", secret.expose()).as_bytes())
                .with_context(|| {
                    format!(
                        "cannot write the bootstrap credential to {}; set --data-dir to a \
                     writable directory, or TOKENCTL_BOOTSTRAP_TOKEN",
                        path.display()
                    )
                })?;
        }
        Ok(())
    };
    if !db.bootstrap(secret.clone(), expires_at, &deliver).await? {
        return Ok(Bootstrap::NotNeeded);
    }
    Ok(match (generated, file) {
        (false, _) => Bootstrap::UsedConfigured,
        (true, Some(path)) => Bootstrap::WrittenTo(path.to_path_buf()),
        (true, None) => Bootstrap::Generated(secret),
    })
}
