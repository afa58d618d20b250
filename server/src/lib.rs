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
pub mod permissions;

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
}

/// A server that is connected, migrated, bootstrapped and listening.
pub struct Server {
    listener: tokio::net::TcpListener,
    app: axum::Router,
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
        let bootstrap = bootstrap(&db, config.bootstrap_credential.as_deref()).await?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let app = http::app(http::AppState {
            db,
            master_key: config.master_key.map(Arc::new),
        });
        Ok(Server {
            listener,
            app,
            bootstrap,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(
            self.listener,
            self.app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error")
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

async fn bootstrap(db: &Database, configured: Option<&str>) -> anyhow::Result<Bootstrap> {
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
    if !db.bootstrap(secret.clone()).await? {
        return Ok(Bootstrap::NotNeeded);
    }
    Ok(if generated {
        Bootstrap::Generated(secret)
    } else {
        Bootstrap::UsedConfigured
    })
}
