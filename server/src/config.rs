//! Server settings, in one struct.

use crate::crypto::MasterKey;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the data lives. `Debug` and `Display` hide any password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH`, `sqlite:PATH` and `postgres://…`/`postgresql://…`.
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(
                    "a SQLite database needs a file path, e.g. sqlite://./tokenctl.db".into(),
                );
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        Err(format!(
            "database URL must start with sqlite:// or postgres:// (got `{}`)",
            redact(url)
        ))
    }
}

/// Replaces the password in `scheme://user:password@host` with `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Postgres(u) => f.write_str(&redact(u)),
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Everything `tokenctl server` needs to run.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub database: DatabaseUrl,
    pub listen: SocketAddr,
    /// Encrypts upstream secrets; optional until the first secret is stored.
    pub master_key: Option<MasterKey>,
    /// Admin credential to create on an empty database instead of a random one.
    pub bootstrap_credential: Option<secrecy::SecretString>,
    /// How long the bootstrap credential lives from its creation; `None`:
    /// it never expires.
    pub bootstrap_ttl: Option<chrono::Duration>,
    /// Where a generated bootstrap credential is written (mode 0600, before
    /// the bootstrap commits) instead of being handed back for printing.
    pub bootstrap_file: Option<PathBuf>,
    /// Longest lifetime of any new admin credential; `None`: no limit.
    pub max_credential_ttl: Option<chrono::Duration>,
    /// Cloudflare KV sync; `None` leaves it off.
    pub kv_sync: Option<crate::kvsync::KvConfig>,
    /// Seals upstream secrets for the edge (`TOKENCTL_EDGE_KEY`); without it
    /// secrets are not written to KV.
    pub edge_key: Option<tokenctl_gateway::kv::EdgeKey>,
    /// How long raw usage events and each rollup level are kept.
    pub usage_retention: crate::usage::Retention,
    /// Timeouts and the connection limit of the admin API's listener.
    pub connections: tokenctl_listener::Limits,
    /// Reverse proxies whose `Forwarded`/`X-Forwarded-For` are believed
    /// for the client address in the audit log; empty: the TCP peer.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Accept routes whose upstream is a cloud metadata service
    /// (`--allow-metadata-upstreams`); refused otherwise.
    pub allow_metadata_upstreams: bool,
    /// Serve HTTPS with this certificate (`None`: plain HTTP).
    pub tls: Option<std::sync::Arc<tokenctl_listener::Tls>>,
    /// Serve Prometheus metrics at `/metrics` on this address (`None`: no
    /// metrics).
    pub metrics_listen: Option<SocketAddr>,
    /// Signed webhooks: how often events are looked for, and their thresholds.
    pub webhooks: crate::webhooks::WebhookConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let pg = DatabaseUrl::parse("postgres://app:hunter2@db:5432/tokenctl").unwrap();
        assert!(!format!("{pg:?} {pg}").contains("hunter2"));
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/t.db").unwrap(),
            DatabaseUrl::Sqlite("data/t.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///abs/t.db?mode=rwc").unwrap(),
            DatabaseUrl::Sqlite("/abs/t.db".into())
        );
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(!DatabaseUrl::parse("mysql://u:pw@h/db")
            .unwrap_err()
            .contains("pw@"));
    }
}
