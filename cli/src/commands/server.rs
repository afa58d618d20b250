//! `tokenctl server`: run the control plane.

use crate::error::{CliError, CliResult};
use crate::settings::{self, Origins};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokenctl_gateway::kv::EdgeKey;
use tokenctl_listener::Limits;
use tokenctl_server::crypto::MasterKey;
use tokenctl_server::kvsync::{KvConfig, DEFAULT_API_BASE_URL};
use tokenctl_server::{Bootstrap, DatabaseUrl, Server, ServerConfig};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Settings: each flag above has the environment variable shown, and may also be set in the
TOML file named by --config, under its long name without the dashes:
  listen = \"0.0.0.0:7700\"
  master-key-file = \"/run/credentials/tokenctl-server.service/master.key\"
A flag beats its variable, which beats the file, which beats the default. The table of
all settings is docs/settings.md.

Secrets (master key, bootstrap credential, Cloudflare API token, edge key) may be given
as a value or as a file holding it (--master-key-file, …), not both; prefer the files
(e.g. systemd credentials): command lines and environments are easier to leak.

Without a bootstrap credential, an empty database gets a generated one: printed once on
stderr when stderr is a terminal, else written to DATA_DIR/bootstrap-credential (mode
0600) and only that path is logged. Either way it expires after --bootstrap-ttl.

TLS: with --tls-cert and --tls-key the server speaks HTTPS (HTTP/1.1 and HTTP/2 by
ALPN). On SIGHUP it reads both files again and uses them for new connections; open
connections keep going. A broken replacement is refused with a log line and the
current certificate stays in use.

Examples:
  tokenctl server --database-url sqlite://tokenctl.db
  tokenctl server --database-url postgres://tokenctl@db/tokenctl --listen 0.0.0.0:7700
  tokenctl server --max-credential-ttl 90d --trusted-proxy 10.0.0.0/24 --data-dir /var/lib/tokenctl
  tokenctl server --config /etc/tokenctl/server.toml
  tokenctl server --metrics-listen 127.0.0.1:9770
  tokenctl server --listen 0.0.0.0:7700 --tls-cert /etc/tokenctl/tls/fullchain.pem \\
      --tls-key /etc/tokenctl/tls/privkey.pem")]
pub struct Args {
    /// TOML file of settings, keyed by the long flag names (see below);
    /// flags and variables beat it
    #[arg(long, env = "TOKENCTL_SERVER_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// sqlite://PATH (created if missing) or postgres://USER@HOST/DB
    #[arg(
        long,
        env = "TOKENCTL_DATABASE_URL",
        default_value = "sqlite://tokenctl.db",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: String,
    /// Address to listen on
    #[arg(
        long,
        env = "TOKENCTL_LISTEN",
        default_value = "127.0.0.1:7700",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub master_key: MasterKeyFlags,
    /// How long raw usage events are kept (rollups are kept longer:
    /// per-minute 7d, per-hour 180d, per-day 2 years)
    #[arg(
        long,
        env = "TOKENCTL_USAGE_RETENTION",
        default_value = "30d",
        value_name = "DURATION"
    )]
    pub usage_retention: humantime::Duration,
    /// Longest a client may take to send a request's headers, or its first
    /// request on a new connection; slower clients are disconnected
    #[arg(long, env = "TOKENCTL_HEADER_READ_TIMEOUT", default_value = "30s", value_parser = parse_timeout, value_name = "DURATION")]
    pub header_read_timeout: humantime::Duration,
    /// A connection with no traffic for this long is closed (a request in
    /// flight is finished first)
    #[arg(long, env = "TOKENCTL_KEEP_ALIVE_TIMEOUT", default_value = "60s", value_parser = parse_timeout, value_name = "DURATION")]
    pub keep_alive_timeout: humantime::Duration,
    /// Most connections open at once; at the limit the connection idle
    /// longest without a request in flight is closed to make room
    /// [default: derived from the file-descriptor limit]
    #[arg(long, env = "TOKENCTL_MAX_CONNECTIONS", value_parser = parse_max_connections, value_name = "N")]
    pub max_connections: Option<usize>,
    /// A reverse proxy in front of the server (TLS terminator, load
    /// balancer), as an address or CIDR; repeat for several. Only requests
    /// from these peers have their Forwarded / X-Forwarded-For headers
    /// believed, for the client address in the audit log. Without it the
    /// TCP peer is the client
    #[arg(
        long = "trusted-proxy",
        env = "TOKENCTL_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ',',
        value_parser = trusted_proxy
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Longest lifetime of any new admin credential (`credential create`,
    /// `user create`, enrolment), e.g. 30d. A longer --expires is refused;
    /// a credential created without one gets this. Default: no limit
    #[arg(
        long,
        env = "TOKENCTL_MAX_CREDENTIAL_TTL",
        value_name = "DURATION",
        value_parser = parse_ttl
    )]
    pub max_credential_ttl: Option<std::time::Duration>,
    /// How long the bootstrap credential (the first admin's, made on an
    /// empty database) lives, or `never` [default: 24h, or
    /// --max-credential-ttl if that is shorter]
    #[arg(
        long,
        env = "TOKENCTL_BOOTSTRAP_TTL",
        value_name = "DURATION",
        value_parser = parse_bootstrap_ttl
    )]
    pub bootstrap_ttl: Option<BootstrapTtl>,
    /// Where the server writes files of its own: a generated bootstrap
    /// credential, when stderr is not a terminal [default: the SQLite
    /// database's directory; with PostgreSQL, the working directory]
    #[arg(long, env = "TOKENCTL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Accept routes whose upstream is a cloud metadata service
    /// (169.254.169.254, fd00:ec2::254, …); refused otherwise
    #[arg(long, env = "TOKENCTL_ALLOW_METADATA_UPSTREAMS")]
    pub allow_metadata_upstreams: bool,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub bootstrap_token: BootstrapTokenFlags,
    /// Serve HTTPS with this PEM certificate chain (leaf first); needs
    /// --tls-key. Reloaded on SIGHUP
    #[arg(long, env = "TOKENCTL_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)
    #[arg(long, env = "TOKENCTL_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (plain HTTP, on a
    /// listener of its own); see the operator guide for the list. Off
    /// unless given
    #[arg(long, env = "TOKENCTL_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub kv: KvArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    /// Where each setting came from, for messages.
    #[arg(skip)]
    pub origins: Origins,
}

/// Logging, the same for `tokenctl server` and `tokenctl gateway`.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Log format
    #[arg(
        long,
        env = "TOKENCTL_LOG_FORMAT",
        value_enum,
        default_value = "text",
        value_name = "FORMAT"
    )]
    pub log_format: LogFormat,
    /// Which log lines to write: a level (`warn`) or a filter such as
    /// `info,tokenctl=debug`
    #[arg(long, env = "TOKENCTL_LOG", default_value = "info", value_parser = parse_log_filter, value_name = "FILTER")]
    pub log_filter: String,
}

/// Cloudflare KV sync, for the Worker gateway (`tokenctl server` and
/// `tokenctl dev`).
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Cloudflare KV sync (docs/kv-layout.md)")]
pub struct KvArgs {
    /// Cloudflare account id. KV sync is on when this, the API token and
    /// the namespace id are all given
    #[arg(long, env = "CF_ACCOUNT_ID", value_name = "ID")]
    pub cf_account_id: Option<String>,
    #[command(flatten)]
    pub cf_api_token: CfApiTokenFlags,
    /// The KV namespace the Worker reads (dedicated to tokenctl)
    #[arg(long, env = "CF_KV_NAMESPACE_ID", value_name = "ID")]
    pub cf_kv_namespace_id: Option<String>,
    /// Cloudflare API base URL
    #[arg(long, env = "CF_API_BASE_URL", default_value = DEFAULT_API_BASE_URL, value_name = "URL")]
    pub cf_api_base_url: String,
    /// Timeout of each request to Cloudflare, 100ms to 5m
    #[arg(long, env = "TOKENCTL_KV_TIMEOUT", default_value = "30s", value_parser = KvConfig::parse_request_timeout, value_name = "DURATION")]
    pub kv_timeout: std::time::Duration,
    #[command(flatten)]
    pub edge_key: EdgeKeyFlags,
}

settings::secret_flags! {
    /// Master key encrypting upstream secrets: 64 hex characters (32
    /// bytes), e.g. from `openssl rand -hex 32`. Without one the server
    /// cannot store secrets. Prefer --master-key-file
    MasterKeyFlags("master key") {
        master_key = "TOKENCTL_MASTER_KEY", "HEX";
        /// File holding the master key (e.g. a systemd credential)
        master_key_file = "TOKENCTL_MASTER_KEY_FILE";
    }
}

settings::secret_flags! {
    /// Admin credential (tkc_…, from `tokenctl credential generate`) for the
    /// first user on an empty database; ignored once a user exists. Prefer
    /// --bootstrap-token-file
    BootstrapTokenFlags("bootstrap credential") {
        bootstrap_token = "TOKENCTL_BOOTSTRAP_TOKEN", "CREDENTIAL";
        /// File holding the bootstrap credential
        bootstrap_token_file = "TOKENCTL_BOOTSTRAP_TOKEN_FILE";
    }
}

settings::secret_flags! {
    /// Cloudflare API token with the Workers KV Storage Write permission.
    /// Prefer --cf-api-token-file
    CfApiTokenFlags("Cloudflare API token") {
        cf_api_token = "CF_API_TOKEN", "TOKEN";
        /// File holding the Cloudflare API token
        cf_api_token_file = "CF_API_TOKEN_FILE";
    }
}

settings::secret_flags! {
    /// Edge key sealing upstream secrets for the Worker, which holds the
    /// same key: 64 hex characters (32 bytes). Without it secrets are not
    /// written to KV. Prefer --edge-key-file
    EdgeKeyFlags("edge key") {
        edge_key = "TOKENCTL_EDGE_KEY", "HEX";
        /// File holding the edge key
        edge_key_file = "TOKENCTL_EDGE_KEY_FILE";
    }
}

/// When the server looks for webhook events, and their thresholds.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Webhooks (docs/webhooks.md)")]
pub struct WebhookArgs {
    /// How often the server looks for webhook events, 1s to 1h
    #[arg(long, env = "TOKENCTL_WEBHOOK_SCAN_INTERVAL", default_value = "60s", value_parser = parse_webhook_interval, value_name = "DURATION")]
    pub webhook_scan_interval: std::time::Duration,
    /// `token.expiring` fires this long before a token expires, once per
    /// warning (the nearest warning only, for a token created inside one)
    #[arg(long, env = "TOKENCTL_WEBHOOK_TOKEN_EXPIRY_WARNINGS", default_value = "7d,1d", value_parser = parse_expiry_warnings, value_name = "DURATIONS")]
    pub webhook_token_expiry_warnings: Warnings,
    /// `kvsync.failing` fires once the KV sync has failed for this long, 1s to 7d
    #[arg(long, env = "TOKENCTL_WEBHOOK_KV_FAILING_AFTER", default_value = "10m", value_parser = parse_webhook_threshold, value_name = "DURATION")]
    pub webhook_kv_failing_after: std::time::Duration,
    /// `usage.rollup_lagging` fires once the oldest usage event waiting
    /// for the roll-up is this old, 1s to 7d
    #[arg(long, env = "TOKENCTL_WEBHOOK_ROLLUP_LAG_AFTER", default_value = "5m", value_parser = parse_webhook_threshold, value_name = "DURATION")]
    pub webhook_rollup_lag_after: std::time::Duration,
    /// `route.error_rate` compares the 5xx share of this last window with
    /// each route's --alert-error-rate, 1s to 7d
    #[arg(long, env = "TOKENCTL_WEBHOOK_ERROR_RATE_WINDOW", default_value = "5m", value_parser = parse_webhook_threshold, value_name = "DURATION")]
    pub webhook_error_rate_window: std::time::Duration,
}

/// `--webhook-token-expiry-warnings`, longest first.
#[derive(Debug, Clone)]
pub struct Warnings(pub Vec<std::time::Duration>);

fn parse_expiry_warnings(value: &str) -> Result<Warnings, String> {
    tokenctl_server::api::input::webhooks::expiry_warnings(value)
        .map(Warnings)
        .map_err(|e| e.to_string())
}

fn bounded_duration(
    value: &str,
    min: std::time::Duration,
    max: std::time::Duration,
    range: &str,
) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(value.trim())
        .map_err(|_| format!("`{value}` is not a duration (30s, 10m, 1h)"))?;
    if d < min || d > max {
        return Err(format!("must be from {range}"));
    }
    Ok(d)
}

fn parse_webhook_interval(value: &str) -> Result<std::time::Duration, String> {
    use std::time::Duration;
    bounded_duration(
        value,
        Duration::from_secs(1),
        Duration::from_secs(3600),
        "1s to 1h",
    )
}

fn parse_webhook_threshold(value: &str) -> Result<std::time::Duration, String> {
    use std::time::Duration;
    bounded_duration(
        value,
        Duration::from_secs(1),
        Duration::from_secs(7 * 86_400),
        "1s to 7d",
    )
}

impl WebhookArgs {
    pub fn config(&self) -> tokenctl_server::webhooks::WebhookConfig {
        tokenctl_server::webhooks::WebhookConfig {
            scan_interval: self.webhook_scan_interval,
            token_expiry_warnings: self.webhook_token_expiry_warnings.0.clone(),
            kv_failing_after: self.webhook_kv_failing_after,
            rollup_lag_after: self.webhook_rollup_lag_after,
            error_rate_window: self.webhook_error_rate_window,
        }
    }
}

/// `--bootstrap-ttl`: a duration, or `never` (`None`).
#[derive(Debug, Clone, Copy)]
pub struct BootstrapTtl(pub Option<std::time::Duration>);

fn parse_ttl(value: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(value.trim())
        .map_err(|_| format!("`{value}` is not a duration (30m, 12h, 30d)"))?;
    if d < std::time::Duration::from_secs(1) {
        return Err("must be at least 1s".into());
    }
    if d > std::time::Duration::from_secs(100 * 365 * 86_400) {
        return Err("must be at most 100 years".into());
    }
    Ok(d)
}

fn parse_bootstrap_ttl(value: &str) -> Result<BootstrapTtl, String> {
    if value.trim().eq_ignore_ascii_case("never") {
        return Ok(BootstrapTtl(None));
    }
    parse_ttl(value).map(|d| BootstrapTtl(Some(d)))
}

/// The bootstrap credential's lifetime: `--bootstrap-ttl`, else 24 hours,
/// never more than `--max-credential-ttl`.
pub fn bootstrap_ttl(
    requested: Option<BootstrapTtl>,
    max: Option<std::time::Duration>,
) -> CliResult<Option<chrono::Duration>> {
    const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);
    let ttl = match (requested, max) {
        (None, max) => Some(max.map_or(DAY, |m| m.min(DAY))),
        (Some(BootstrapTtl(None)), Some(_)) => {
            return Err(CliError::usage(
                "--bootstrap-ttl never contradicts --max-credential-ttl; pass a duration",
            ))
        }
        (Some(BootstrapTtl(Some(t))), Some(m)) if t > m => {
            return Err(CliError::usage(
                "--bootstrap-ttl is longer than --max-credential-ttl allows",
            ))
        }
        (Some(BootstrapTtl(t)), _) => t,
    };
    ttl.map(|t| {
        chrono::Duration::from_std(t).map_err(|_| CliError::usage("--bootstrap-ttl is too long"))
    })
    .transpose()
}

/// Where the server keeps files of its own (`--data-dir`).
fn data_dir(explicit: Option<PathBuf>, database: &DatabaseUrl) -> PathBuf {
    explicit.unwrap_or_else(|| match database {
        DatabaseUrl::Sqlite(path) => path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".")),
        DatabaseUrl::Postgres(_) => PathBuf::from("."),
    })
}

/// `--trusted-proxy`: an address or a CIDR.
pub fn trusted_proxy(value: &str) -> Result<ipnet::IpNet, String> {
    tokenctl_server::api::input::cidr(value).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `--log-filter`: a level or a `tracing` filter.
pub fn parse_log_filter(value: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(value)
        .map(|_| value.to_string())
        .map_err(|e| format!("not a log filter ({e}); e.g. `info` or `warn,tokenctl_server=debug`"))
}

/// Logging to stderr with `filter` (checked by `--log-filter`).
pub fn init_logging(log: &LogArgs) {
    init_logging_to(
        log.log_format,
        tracing_subscriber::EnvFilter::new(&log.log_filter),
    );
}

/// Logging to stderr at `default_filter` unless `TOKENCTL_LOG` says otherwise.
pub fn init_logging_with_default(format: LogFormat, default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOKENCTL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    init_logging_to(format, filter);
}

fn init_logging_to(format: LogFormat, filter: tracing_subscriber::EnvFilter) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// A connection timeout flag: a duration above zero, at most 24h.
pub fn parse_timeout(value: &str) -> Result<humantime::Duration, String> {
    let parsed: humantime::Duration = value.parse().map_err(|e| format!("{e}"))?;
    tokenctl_listener::check_timeout(parsed.into()).map(|()| parsed)
}

/// `--max-connections`: a whole number, at least 1.
pub fn parse_max_connections(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("must be a whole number of connections, at least 1".into()),
    }
}

/// The listener limits from the connection flags. Raises the soft
/// file-descriptor limit to the hard one first, so that the derived
/// connection limit (when `--max-connections` is not given) uses it.
/// `fds_per_connection`: descriptors one client connection costs.
pub fn connection_limits(
    header_read_timeout: humantime::Duration,
    keep_alive_timeout: humantime::Duration,
    max_connections: Option<usize>,
    fds_per_connection: usize,
) -> Limits {
    tokenctl_listener::raise_fd_limit();
    let derived = Limits::new(fds_per_connection);
    Limits {
        header_read_timeout: header_read_timeout.into(),
        keep_alive_timeout: keep_alive_timeout.into(),
        max_connections: max_connections.unwrap_or(derived.max_connections),
        ..derived
    }
}

/// The master key from `--master-key` or `--master-key-file` (not both).
pub fn master_key(args: &Args) -> CliResult<Option<MasterKey>> {
    args.master_key
        .read(&args.origins)?
        .map(|(hex, source)| {
            MasterKey::from_hex(&hex)
                .map_err(|e| CliError::usage(format!("the master key from {source}: {e}")))
        })
        .transpose()
}

/// The bootstrap credential from `--bootstrap-token` or
/// `--bootstrap-token-file` (not both).
pub fn bootstrap_credential(args: &Args) -> CliResult<Option<String>> {
    let value = args.bootstrap_token.read(&args.origins)?.map(|(v, _)| v);
    if let (Some(value), Some(path)) = (&value, &args.bootstrap_token.bootstrap_token_file) {
        use tokenctl_gateway::token::{Secret, SecretKind};
        Secret::parse(SecretKind::AdminCredential, value).map_err(|e| {
            CliError::usage(format!(
                "{}: {e}; generate one with `tokenctl credential generate`",
                path.display()
            ))
        })?;
    }
    Ok(value)
}

/// Cloudflare KV sync settings (`None`: off).
pub fn kv_sync_config(kv: &KvArgs, origins: &Origins) -> CliResult<Option<KvConfig>> {
    let non_empty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let api_token = kv.cf_api_token.read(origins)?.map(|(v, _)| v);
    let parts = [
        (
            "--cf-account-id (CF_ACCOUNT_ID)",
            non_empty(&kv.cf_account_id),
        ),
        (
            "--cf-api-token (CF_API_TOKEN) or --cf-api-token-file",
            api_token,
        ),
        (
            "--cf-kv-namespace-id (CF_KV_NAMESPACE_ID)",
            non_empty(&kv.cf_kv_namespace_id),
        ),
    ];
    if parts.iter().all(|(_, v)| v.is_none()) {
        return Ok(None);
    }
    let missing: Vec<&str> = parts
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::usage(format!(
            "KV sync needs the Cloudflare account id, API token and KV namespace id together; missing: {}",
            missing.join(", ")
        )));
    }
    let [account, token, namespace] = parts.map(|(_, v)| v.unwrap_or_default());
    let base_url = Some(kv.cf_api_base_url.trim())
        .filter(|u| !u.is_empty())
        .unwrap_or(DEFAULT_API_BASE_URL);
    KvConfig::new(
        account,
        token.into(),
        namespace,
        base_url.to_string(),
        kv.kv_timeout,
    )
    .map(Some)
    .map_err(CliError::usage)
}

/// The edge key from `--edge-key` or `--edge-key-file` (not both).
pub fn edge_key(kv: &KvArgs, origins: &Origins) -> CliResult<Option<EdgeKey>> {
    kv.edge_key
        .read(origins)?
        .map(|(hex, source)| {
            EdgeKey::parse(&hex)
                .map_err(|e| CliError::usage(format!("the edge key from {source}: {e}")))
        })
        .transpose()
}

/// The certificate and key of `--tls-cert`/`--tls-key` (both or neither),
/// checked; and SIGHUP set up to reload them (or to say that there is
/// nothing to reload), so that SIGHUP never ends the process.
pub fn tls(
    cert: Option<&PathBuf>,
    key: Option<&PathBuf>,
) -> CliResult<Option<std::sync::Arc<tokenctl_listener::Tls>>> {
    let tls = match (cert, key) {
        (Some(cert), Some(key)) => Some(
            tokenctl_listener::Tls::load(cert, key).map_err(|e| CliError::usage(e.to_string()))?,
        ),
        (None, None) => None,
        _ => {
            return Err(CliError::usage(
                "a TLS certificate needs its key: give both --tls-cert and --tls-key, or neither",
            ))
        }
    };
    #[cfg(unix)]
    tokenctl_listener::tls::reload_on_sighup(tls.clone())
        .map_err(|e| CliError::failure(format!("cannot handle SIGHUP: {e}")))?;
    Ok(tls)
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
    init_logging(&args.log);
    let database = DatabaseUrl::parse(&args.database_url).map_err(CliError::usage)?;
    let bootstrap_ttl = bootstrap_ttl(args.bootstrap_ttl, args.max_credential_ttl)?;
    // A generated credential goes to the terminal, never into a log that a
    // service manager or container runtime keeps.
    let bootstrap_file = (!std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .then(|| data_dir(args.data_dir.clone(), &database).join("bootstrap-credential"));
    let tls = tls(args.tls_cert.as_ref(), args.tls_key.as_ref())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let config = ServerConfig {
        database: database.clone(),
        listen: args.listen,
        master_key: master_key(&args)?,
        bootstrap_credential: bootstrap_credential(&args)?.map(Into::into),
        bootstrap_ttl,
        bootstrap_file,
        max_credential_ttl: args
            .max_credential_ttl
            .map(chrono::Duration::from_std)
            .transpose()
            .map_err(|_| CliError::usage("--max-credential-ttl is too long"))?,
        kv_sync: kv_sync_config(&args.kv, &args.origins)?,
        edge_key: edge_key(&args.kv, &args.origins)?,
        usage_retention: tokenctl_server::usage::Retention {
            raw: chrono::TimeDelta::from_std(args.usage_retention.into())
                .map_err(|_| CliError::usage("--usage-retention is too long"))?,
            ..Default::default()
        },
        connections: connection_limits(
            args.header_read_timeout,
            args.keep_alive_timeout,
            args.max_connections,
            1,
        ),
        trusted_proxies: args.trusted_proxies,
        allow_metadata_upstreams: args.allow_metadata_upstreams,
        tls,
        metrics_listen: args.metrics_listen,
        webhooks: args.webhooks.config(),
    };
    let server = Server::start(config).await?;
    let addr = server.local_addr()?;
    let expiry = match bootstrap_ttl {
        Some(t) => format!(
            "it expires in {} ({})",
            humantime::format_duration(t.to_std().unwrap_or_default()),
            (chrono::Utc::now() + t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        None => "it never expires".to_string(),
    };
    match &server.bootstrap {
        Bootstrap::Generated(secret) => {
            // Printed once, straight to the terminal, never through the logger.
            eprintln!(
                "\nCreated the first admin user `admin` (global admin, team `system`).\n\
                 Its credential is shown only now; store it safely ({expiry}):\n\n    {}\n\n\
                 Log in with:  tokenctl login --server {scheme}://{addr}\n\
                 Then create your own users and credentials before it expires.\n",
                secret.expose()
            );
        }
        Bootstrap::WrittenTo(path) => {
            tracing::warn!(
                path = %path.display(),
                "created the first admin user `admin`; its credential was written to this file \
                 (mode 0600), not to the log, and {expiry}: read it, log in, create your own \
                 users and credentials, then delete the file"
            );
        }
        Bootstrap::UsedConfigured => {
            tracing::info!("created the first admin user `admin` with the configured bootstrap credential; {expiry}");
        }
        Bootstrap::NotNeeded => {}
    }
    if let Some(addr) = server.metrics_addr() {
        tracing::info!(%addr, "tokenctl server metrics listening");
    }
    tracing::info!(%addr, database = %database, tls = scheme == "https", "tokenctl server listening");
    server.serve(shutdown_signal()).await?;
    tracing::info!("tokenctl server stopped");
    Ok(())
}
