//! `tokenctl server`: run the control plane.

use crate::error::{CliError, CliResult};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokenctl_server::crypto::{EdgeKey, MasterKey};
use tokenctl_server::kvsync::KvConfig;
use tokenctl_server::{Bootstrap, DatabaseUrl, Server, ServerConfig};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Environment:
  TOKENCTL_MASTER_KEY       64 hex characters (32 bytes) encrypting upstream secrets;
                            generate with `openssl rand -hex 32`. Or use --master-key-file.
  TOKENCTL_BOOTSTRAP_TOKEN  admin credential for the first user on an empty database
                            (from `tokenctl credential generate`); otherwise one is
                            generated and printed once on stderr.
  TOKENCTL_LOG              log filter, e.g. `info`, `tokenctl_server=debug` (default: info)

Cloudflare KV sync (off unless the first three are set; see docs/kv-layout.md):
  CF_ACCOUNT_ID             Cloudflare account id
  CF_API_TOKEN              API token with the Workers KV Storage Write permission
  CF_KV_NAMESPACE_ID        the KV namespace the Worker reads (dedicated to tokenctl)
  CF_API_BASE_URL           default https://api.cloudflare.com/client/v4
  TOKENCTL_KV_TIMEOUT       per-request timeout towards Cloudflare (default 30s)
  TOKENCTL_EDGE_KEY         64 hex characters (32 bytes) sealing upstream secrets for the
                            Worker, which holds the same key; without it secrets are not
                            written to KV

Examples:
  tokenctl server --database-url sqlite://tokenctl.db
  tokenctl server --database-url postgres://tokenctl@db/tokenctl --listen 0.0.0.0:7700")]
pub struct Args {
    /// sqlite://PATH (created if missing) or postgres://USER@HOST/DB
    #[arg(
        long,
        env = "TOKENCTL_DATABASE_URL",
        default_value = "sqlite://tokenctl.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Address to listen on
    #[arg(long, env = "TOKENCTL_LISTEN", default_value = "127.0.0.1:7700")]
    pub listen: SocketAddr,
    /// File holding the master key as 64 hex characters
    #[arg(long, env = "TOKENCTL_MASTER_KEY_FILE", value_name = "PATH")]
    pub master_key_file: Option<PathBuf>,
    /// How long raw usage events are kept (rollups are kept longer:
    /// per-minute 7d, per-hour 180d, per-day 2 years)
    #[arg(long, env = "TOKENCTL_USAGE_RETENTION", default_value = "30d")]
    pub usage_retention: humantime::Duration,
    /// Accept routes whose upstream is a cloud metadata service
    /// (169.254.169.254, fd00:ec2::254, …); refused otherwise
    #[arg(long, env = "TOKENCTL_ALLOW_METADATA_UPSTREAMS")]
    pub allow_metadata_upstreams: bool,
    /// Log format
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOKENCTL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub fn master_key(file: Option<&PathBuf>) -> CliResult<Option<MasterKey>> {
    let from_env = std::env::var("TOKENCTL_MASTER_KEY")
        .ok()
        .filter(|v| !v.trim().is_empty());
    match (from_env, file) {
        (Some(_), Some(_)) => Err(CliError::usage(
            "both TOKENCTL_MASTER_KEY and --master-key-file are set; use one",
        )),
        (Some(hex), None) => MasterKey::from_hex(&hex)
            .map(Some)
            .map_err(|e| CliError::usage(format!("TOKENCTL_MASTER_KEY: {e}"))),
        (None, Some(path)) => MasterKey::from_file(path)
            .map(Some)
            .map_err(|e| CliError::usage(e.to_string())),
        (None, None) => Ok(None),
    }
}

/// Cloudflare KV sync settings from the environment (`None`: off).
pub fn kv_sync_config() -> CliResult<Option<KvConfig>> {
    KvConfig::from_env().map_err(CliError::usage)
}

/// `TOKENCTL_EDGE_KEY`, if set.
pub fn edge_key() -> CliResult<Option<EdgeKey>> {
    match std::env::var("TOKENCTL_EDGE_KEY")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        None => Ok(None),
        Some(hex) => EdgeKey::from_hex(&hex).map(Some).map_err(CliError::usage),
    }
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

pub async fn run(args: Args) -> CliResult {
    init_logging(args.log_format);
    let database = DatabaseUrl::parse(&args.database_url).map_err(CliError::usage)?;
    let config = ServerConfig {
        database: database.clone(),
        listen: args.listen,
        master_key: master_key(args.master_key_file.as_ref())?,
        bootstrap_credential: std::env::var("TOKENCTL_BOOTSTRAP_TOKEN")
            .ok()
            .filter(|v| !v.trim().is_empty()),
        kv_sync: kv_sync_config()?,
        edge_key: edge_key()?,
        usage_retention: tokenctl_server::usage::Retention {
            raw: chrono::TimeDelta::from_std(args.usage_retention.into())
                .map_err(|_| CliError::usage("--usage-retention is too long"))?,
            ..Default::default()
        },
        allow_metadata_upstreams: args.allow_metadata_upstreams,
    };
    let server = Server::start(config).await?;
    let addr = server.local_addr()?;
    match &server.bootstrap {
        Bootstrap::Generated(secret) => {
            // Printed once, straight to the terminal, never through the logger.
            eprintln!(
                "\nCreated the first admin user `admin` (global admin, team `system`).\n\
                 Its credential is shown only now; store it safely:\n\n    {}\n\n\
                 Log in with:  tokenctl login --server http://{addr}\n",
                secret.expose()
            );
        }
        Bootstrap::UsedConfigured => {
            tracing::info!("created the first admin user `admin` with the credential from TOKENCTL_BOOTSTRAP_TOKEN");
        }
        Bootstrap::NotNeeded => {}
    }
    tracing::info!(%addr, database = %database, "tokenctl server listening");
    server.serve(shutdown_signal()).await?;
    tracing::info!("tokenctl server stopped");
    Ok(())
}
