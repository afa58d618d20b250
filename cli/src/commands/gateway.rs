//! `tokenctl gateway`: the self-hosted gateway.

use crate::client::{self, Globals};
use crate::config::Config;
use crate::error::{CliError, CliResult};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokenctl_gateway_native::{NativeGateway, Settings};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Clients send their token as `X-API-Key: ntk_…` or `Authorization: Bearer ntk_…`
(so OpenAI-compatible SDKs work with api_key=\"ntk_…\" and the gateway as base URL).
The gateway checks it, forwards the request to the route's upstream with the
upstream's own credential, streams the answer back, and records usage.

It follows the server's config feed (changes apply within a second), keeps the last
good config on disk (encrypted) so it restarts and serves while the server is down,
and spools usage to disk until the server accepts it.

Health: GET /_gateway/health (config version and age, usage spool depth, connection
counters).

Examples:
  tokenctl gateway-key create edge-1 -o json | jq -r .secret > gateway.key
  TOKENCTL_GATEWAY_KEY=$(cat gateway.key) tokenctl gateway --server https://tokenctl.example.com \\
      --listen 0.0.0.0:8080")]
pub struct Args {
    /// Gateway key (tkg_…) from `tokenctl gateway-key create`
    #[arg(long, env = "TOKENCTL_GATEWAY_KEY", hide_env_values = true)]
    pub key: String,
    /// Address to listen on
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    /// Directory for the encrypted config snapshot and the usage spool
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_STATE_DIR",
        default_value = ".tokenctl-gateway"
    )]
    pub state_dir: PathBuf,
    /// Longest a client may take to send a request's headers, or its first
    /// request on a new connection; slower clients are disconnected
    #[arg(long, env = "TOKENCTL_GATEWAY_HEADER_READ_TIMEOUT", default_value = "30s", value_parser = super::server::parse_timeout, value_name = "DURATION")]
    pub header_read_timeout: humantime::Duration,
    /// A connection with no traffic for this long is closed (a request in
    /// flight is finished first)
    #[arg(long, env = "TOKENCTL_GATEWAY_KEEP_ALIVE_TIMEOUT", default_value = "60s", value_parser = super::server::parse_timeout, value_name = "DURATION")]
    pub keep_alive_timeout: humantime::Duration,
    /// Most client connections open at once; at the limit the connection
    /// idle longest without a request in flight is closed to make room
    /// [default: derived from the file-descriptor limit, two per connection]
    #[arg(long, env = "TOKENCTL_GATEWAY_MAX_CONNECTIONS", value_parser = super::server::parse_max_connections, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Log format
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: super::server::LogFormat,
}

pub async fn run(g: &Globals, args: Args) -> CliResult {
    super::server::init_logging(args.log_format);
    let config = Config::load()?;
    let profile = config.profile_name(g.profile.as_deref());
    let server = client::server_url(g, &config, &profile)?;
    let gateway = NativeGateway::start(Settings {
        server: server.clone(),
        key: args.key.trim().to_string(),
        listen: args.listen,
        state_dir: args.state_dir,
        // A client connection usually brings an upstream connection along.
        connections: super::server::connection_limits(
            args.header_read_timeout,
            args.keep_alive_timeout,
            args.max_connections,
            2,
        ),
    })
    .await
    .map_err(|e| CliError::usage(format!("{e:#}")))?;
    let addr = gateway.local_addr()?;
    tracing::info!(%addr, server = %server, "tokenctl gateway listening");
    gateway.serve(super::server::shutdown_signal()).await?;
    tracing::info!("tokenctl gateway stopped");
    Ok(())
}
