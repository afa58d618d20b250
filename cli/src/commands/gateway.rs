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
counters). Metrics: with --metrics-listen, Prometheus text format at /metrics on that
address (requests by route and outcome, upstream latency, config, spool).

TLS: with --tls-cert and --tls-key the gateway serves HTTPS, HTTP/1.1 and HTTP/2 by
ALPN, and tells upstreams `X-Forwarded-Proto: https`. On SIGHUP it reads both files
again for new connections; open connections keep going; a broken replacement is
refused with a log line and the current certificate stays in use. To follow a
server whose certificate comes from a private CA, give --ca-cert.

Settings: each flag above has the environment variable shown, and may also be set in the
TOML file named by --config, under its long name without the dashes; the file may also
name the server (`server = \"https://…\"`) and `ca-cert`:
  server = \"https://tokenctl.example.com\"
  key-file = \"/run/credentials/tokenctl-gateway.service/gateway.key\"
  listen = \"0.0.0.0:8080\"
A flag beats its variable, which beats the file, which beats the default. The table of
all settings is docs/settings.md.

Examples:
  tokenctl gateway-key create edge-1 -o json | jq -r .secret > gateway.key
  TOKENCTL_GATEWAY_KEY=$(cat gateway.key) tokenctl gateway --server https://tokenctl.example.com \\
      --listen 0.0.0.0:8080
  tokenctl gateway --key-file /run/credentials/tokenctl-gateway.service/gateway.key \\
      --listen 0.0.0.0:8443 --tls-cert fullchain.pem --tls-key privkey.pem

Behind a TLS proxy or load balancer, name it with --trusted-proxy: only then are its
Forwarded / X-Forwarded-For / X-Forwarded-Proto believed (read from the right, up to the
first address that is not a trusted proxy), for --allow-ip, usage and upstream headers:
  tokenctl gateway --listen 10.0.1.5:8080 --trusted-proxy 10.0.0.0/24")]
pub struct Args {
    /// TOML file of settings, keyed by the long flag names (see below);
    /// flags and variables beat it
    #[arg(long, env = "TOKENCTL_GATEWAY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub key: GatewayKeyFlags,
    /// Address to listen on
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// Directory for the encrypted config snapshot and the usage spool
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_STATE_DIR",
        default_value = ".tokenctl-gateway",
        value_name = "DIR"
    )]
    pub state_dir: PathBuf,
    /// Most disk the usage spool may use (e.g. 512MiB, 2GB). When it is
    /// full, events of denied requests are dropped first (they may fill 90%),
    /// then events of allowed ones; drops are counted in /_gateway/health
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_SPOOL_MAX",
        default_value = "512MiB",
        value_name = "SIZE",
        value_parser = parse_size
    )]
    pub spool_max: u64,
    /// Once the server has not confirmed the config for this long (it is
    /// unreachable), answer 503 config_stale instead of deciding on old data:
    /// a token revoked during the outage stops passing at the latest then.
    /// `never` keeps serving the last config however old it gets
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_MAX_STALE",
        default_value = "1h",
        value_name = "DURATION",
        value_parser = parse_max_stale
    )]
    pub max_stale: MaxStale,
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
    /// Threads serving clients, 1 to 1024: each runs a runtime of its own
    /// and, with more than one, accepts on a socket of its own bound to
    /// --listen with SO_REUSEPORT, so a request stays on one thread
    /// [default: the number of CPUs the process may run on]
    #[arg(long, env = "TOKENCTL_GATEWAY_WORKERS", value_parser = parse_workers, value_name = "N")]
    pub workers: Option<usize>,
    /// A reverse proxy in front of the gateway (TLS terminator, load
    /// balancer), as an address or CIDR; repeat for several. Only requests
    /// from these peers have their Forwarded / X-Forwarded-For /
    /// X-Forwarded-Proto believed, for IP allow-lists, usage and the
    /// headers sent upstream. Without it the TCP peer is the client
    #[arg(
        long = "trusted-proxy",
        env = "TOKENCTL_GATEWAY_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ',',
        value_parser = super::server::trusted_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    #[command(flatten)]
    pub log: super::server::LogArgs,
    /// Serve clients HTTPS with this PEM certificate chain (leaf first);
    /// needs --tls-key. Reloaded on SIGHUP
    #[arg(long, env = "TOKENCTL_GATEWAY_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)
    #[arg(long, env = "TOKENCTL_GATEWAY_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (plain HTTP, on a
    /// listener of its own); see docs/gateway.md for the list. Off unless
    /// given
    #[arg(long, env = "TOKENCTL_GATEWAY_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// Where each setting came from, for messages.
    #[arg(skip)]
    pub origins: crate::settings::Origins,
}

crate::settings::secret_flags! {
    /// Gateway key (tkg_…) from `tokenctl gateway-key create`; this or
    /// --key-file is required. Prefer --key-file: command lines are visible
    /// to other users
    GatewayKeyFlags("gateway key") {
        key = "TOKENCTL_GATEWAY_KEY", "KEY";
        /// File holding the gateway key (e.g. a systemd credential)
        key_file = "TOKENCTL_GATEWAY_KEY_FILE";
    }
}

/// The gateway key from --key (or its variable) or from --key-file, not both.
fn gateway_key(args: &Args) -> CliResult<String> {
    args.key
        .read(&args.origins)?
        .map(|(key, _)| key)
        .ok_or_else(|| {
        CliError::usage(
            "no gateway key: give --key-file PATH or set TOKENCTL_GATEWAY_KEY (or `key-file` in the --config file)",
        )
    })
}

/// `--max-stale`: a duration, or `never`.
#[derive(Debug, Clone, Copy)]
pub struct MaxStale(pub Option<std::time::Duration>);

fn parse_max_stale(value: &str) -> Result<MaxStale, String> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("never") {
        return Ok(MaxStale(None));
    }
    let d = humantime::parse_duration(v)
        .map_err(|_| format!("`{v}` is not a duration (30s, 15m, 1h) or `never`"))?;
    if d < std::time::Duration::from_secs(1) {
        return Err("must be at least 1s (or `never`)".into());
    }
    Ok(MaxStale(Some(d)))
}

/// `--workers`: 1 to 1024 threads.
fn parse_workers(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n @ 1..=1024) => Ok(n),
        _ => Err("must be a whole number of threads, 1 to 1024".into()),
    }
}

/// A size such as `512MiB`, `2GB` or `1048576` (bytes), at least 1 MiB.
fn parse_size(value: &str) -> Result<u64, String> {
    let size: bytesize::ByteSize = value
        .trim()
        .parse()
        .map_err(|e| format!("not a size ({e}); use forms like 512MiB or 2GB"))?;
    if size.as_u64() < 1 << 20 {
        return Err("must be at least 1MiB".into());
    }
    Ok(size.as_u64())
}

pub async fn run(g: &Globals, args: Args) -> CliResult {
    super::server::init_logging(&args.log);
    let config = Config::load()?;
    let profile = config.profile_name(g.profile.as_deref());
    let server = client::server_url(g, &config, &profile)?;
    let key = gateway_key(&args)?;
    let tls = super::server::tls(args.tls_cert.as_ref(), args.tls_key.as_ref())?;
    let https = tls.is_some();
    let gateway = NativeGateway::start(Settings {
        server: server.clone(),
        key: key.into(),
        listen: args.listen,
        workers: args.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
        state_dir: args.state_dir,
        spool_max_bytes: args.spool_max,
        max_stale: args.max_stale.0,
        // A client connection usually brings an upstream connection along.
        connections: super::server::connection_limits(
            args.header_read_timeout,
            args.keep_alive_timeout,
            args.max_connections,
            2,
        ),
        trusted_proxies: args.trusted_proxies,
        tls,
        server_ca: client::trusted_ca().to_vec(),
        metrics_listen: args.metrics_listen,
    })
    .await
    .map_err(|e| CliError::usage(format!("{e:#}")))?;
    let addr = gateway.local_addr()?;
    if let Some(addr) = gateway.metrics_addr() {
        tracing::info!(%addr, "tokenctl gateway metrics listening");
    }
    tracing::info!(%addr, server = %server, tls = https, "tokenctl gateway listening");
    gateway.serve(super::server::shutdown_signal()).await?;
    tracing::info!("tokenctl gateway stopped");
    Ok(())
}
