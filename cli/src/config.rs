//! Profiles (`config.toml`) and where each profile's credential lives.
//!
//! The config file holds server URLs and the *location* of credentials,
//! never a credential itself. Credentials live in the OS keyring, or, only
//! when asked with `--store file`, in a 0600 file.

use crate::error::{CliError, CliResult, Exit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_SERVER: &str = "http://127.0.0.1:7700";
const KEYRING_SERVICE: &str = "tokenctl";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Profile {
    pub server: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialStore>,
    /// Who logged in, for `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "store", rename_all = "lowercase")]
pub enum CredentialStore {
    /// OS keyring entry `tokenctl` / `<account>`.
    Keyring { account: String },
    /// A 0600 file.
    File { path: PathBuf },
}

impl CredentialStore {
    pub fn describe(&self) -> String {
        match self {
            CredentialStore::Keyring { account } => {
                format!("OS keyring (service `{KEYRING_SERVICE}`, account `{account}`)")
            }
            CredentialStore::File { path } => format!("file {} (mode 0600)", path.display()),
        }
    }
}

pub fn config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TOKENCTL_CONFIG_DIR") {
        return PathBuf::from(dir);
    }
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("tokenctl")
}

fn config_path() -> PathBuf {
    config_dir().join("config.toml")
}

impl Config {
    pub fn load() -> CliResult<Config> {
        let path = config_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| CliError::usage(format!("cannot parse {}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(CliError::failure(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    pub fn save(&self) -> CliResult<()> {
        let path = config_path();
        let text = toml::to_string_pretty(self).expect("config serialises");
        write_private(&path, text.as_bytes())
    }

    /// The active profile name: flag/env, then the configured default.
    pub fn profile_name(&self, requested: Option<&str>) -> String {
        requested
            .map(str::to_string)
            .or_else(|| self.default_profile.clone())
            .unwrap_or_else(|| "default".into())
    }
}

/// Writes a file readable only by its owner, creating parent directories.
pub fn write_private(path: &Path, contents: &[u8]) -> CliResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
    }
    tokenctl_server::private_file::write_private(path, contents)
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))
}

/// Runs a keyring call off the async runtime, with a timeout, since some
/// platform stores block (e.g. a D-Bus service that never answers).
async fn keyring_call<T: Send + 'static>(
    f: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, String> {
    let task = tokio::task::spawn_blocking(f);
    match tokio::time::timeout(Duration::from_secs(5), task).await {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(e.to_string()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the keyring did not answer within 5s".into()),
    }
}

pub async fn keyring_store(account: &str, secret: &str) -> CliResult<()> {
    let (account, secret) = (account.to_string(), secret.to_string());
    keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &account)?.set_password(&secret))
        .await
        .map_err(|e| {
            CliError::new(
                Exit::Failure,
                "keyring_unavailable",
                format!(
                    "cannot store the credential in the OS keyring: {e}. \
                     Alternatives: set TOKENCTL_TOKEN in the environment (CI), or run \
                     `tokenctl login --store file` to keep it in a file only you can read"
                ),
            )
        })
}

/// Checks that the OS keyring can store a credential, before anything that
/// cannot be repeated (such as spending an enrolment code).
pub async fn keyring_probe(account: &str) -> CliResult<()> {
    let probe = format!("{account}#probe");
    keyring_store(&probe, "probe").await?;
    let _ = keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &probe)?.delete_credential())
        .await;
    Ok(())
}

pub async fn load_credential(store: &CredentialStore) -> CliResult<String> {
    match store {
        CredentialStore::Keyring { account } => {
            let account = account.clone();
            keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &account)?.get_password())
                .await
                .map_err(|e| {
                    CliError::new(
                        Exit::Auth,
                        "credential_unavailable",
                        format!(
                            "cannot read the credential from the OS keyring: {e}; run `tokenctl login` again or set TOKENCTL_TOKEN"
                        ),
                    )
                })
        }
        CredentialStore::File { path } => std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .map_err(|e| {
                CliError::new(
                    Exit::Auth,
                    "credential_unavailable",
                    format!(
                        "cannot read the credential file {}: {e}; run `tokenctl login` again",
                        path.display()
                    ),
                )
            }),
    }
}

pub async fn delete_credential(store: &CredentialStore) -> CliResult<()> {
    match store {
        CredentialStore::Keyring { account } => {
            let account = account.clone();
            keyring_call(move || {
                match keyring::Entry::new(KEYRING_SERVICE, &account)?.delete_credential() {
                    Err(keyring::Error::NoEntry) => Ok(()),
                    other => other,
                }
            })
            .await
            .map_err(|e| CliError::failure(format!("cannot remove the keyring entry: {e}")))
        }
        CredentialStore::File { path } => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CliError::failure(format!(
                "cannot remove {}: {e}",
                path.display()
            ))),
            _ => Ok(()),
        },
    }
}
