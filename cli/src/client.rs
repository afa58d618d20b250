//! Talking to the server: where it is, which credential to send, and how
//! its answers map to exit codes.

use crate::config::{self, Config, CredentialStore};
use crate::error::{CliError, CliResult, Exit};
use crate::output::{Format, Output};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;
use tokenctl_server::api::{ErrorBody, MissingFeature};
use url::Url;

/// Options every command accepts, listed apart in every command's help so
/// that the options of `server` and `gateway` are their settings only.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct Globals {
    /// Server URL [default: the profile's, else http://127.0.0.1:7700]
    #[arg(long, global = true, env = "TOKENCTL_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// Admin credential (tkc_…), overriding the stored one. Prefer the
    /// environment variable: command lines are visible to other users.
    #[arg(
        long,
        global = true,
        env = "TOKENCTL_TOKEN",
        hide_env_values = true,
        value_name = "CREDENTIAL"
    )]
    pub token: Option<String>,
    /// Profile to use (one per server you manage)
    #[arg(long, global = true, env = "TOKENCTL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Output format
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = Format::Table, env = "TOKENCTL_OUTPUT")]
    pub format: Format,
    /// Colours in tables: only on a terminal (auto), always, or never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "TOKENCTL_COLOR")]
    pub color: ColorChoice,
    /// PEM file of CA certificates to trust for the server's https:// URL,
    /// besides the bundled Mozilla roots (e.g. a private CA)
    #[arg(long, global = true, env = "TOKENCTL_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
}

/// The certificates of `--ca-cert`, read once at start.
static TRUSTED_CA: std::sync::OnceLock<Vec<reqwest::Certificate>> = std::sync::OnceLock::new();

/// Reads `--ca-cert` (if given) for every HTTP client made afterwards.
pub fn trust_ca(path: Option<&std::path::Path>) -> CliResult<()> {
    let certs = match path {
        None => Vec::new(),
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::usage(format!("cannot read --ca-cert {}: {e}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                CliError::usage(format!(
                    "--ca-cert {} is not a PEM certificate bundle: {e}",
                    path.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(CliError::usage(format!(
                    "--ca-cert {} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
                    path.display()
                )));
            }
            certs
        }
    };
    let _ = TRUSTED_CA.set(certs);
    Ok(())
}

/// The CAs from `--ca-cert`, trusted besides the bundled roots.
pub fn trusted_ca() -> &'static [reqwest::Certificate] {
    TRUSTED_CA.get().map(Vec::as_slice).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Where the credential in use came from, for `status`.
#[derive(Debug, Clone)]
pub enum CredentialSource {
    Flag,
    Store(CredentialStore),
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub base: Url,
    credential: String,
    pub source: CredentialSource,
    pub profile: String,
}

pub fn parse_server(url: &str) -> CliResult<Url> {
    let parsed = Url::parse(url.trim()).map_err(|e| {
        CliError::usage(format!(
            "server `{url}` is not a URL ({e}); example: https://tokenctl.example.com"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(CliError::usage(format!(
            "server `{url}` must be an http(s) URL with a host"
        )));
    }
    Ok(parsed)
}

pub fn http_client() -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("tokenctl/", env!("CARGO_PKG_VERSION")));
    for ca in trusted_ca() {
        builder = builder.add_root_certificate(ca.clone());
    }
    builder.build().expect("HTTP client builds")
}

/// The server URL for this invocation: flag/env, then profile, then default.
pub fn server_url(globals: &Globals, config: &Config, profile: &str) -> CliResult<Url> {
    let url = globals
        .server
        .clone()
        .or_else(|| config.profiles.get(profile).map(|p| p.server.clone()))
        .unwrap_or_else(|| config::DEFAULT_SERVER.to_string());
    parse_server(&url)
}

impl Client {
    /// A client for an authenticated command.
    pub async fn connect(globals: &Globals) -> CliResult<Client> {
        let config = Config::load()?;
        let profile = config.profile_name(globals.profile.as_deref());
        let base = server_url(globals, &config, &profile)?;
        let (credential, source) = match &globals.token {
            Some(t) => (t.trim().to_string(), CredentialSource::Flag),
            None => {
                let store = config
                    .profiles
                    .get(&profile)
                    .and_then(|p| p.credential.clone())
                    .ok_or_else(|| {
                        CliError::new(
                            Exit::Auth,
                            "not_logged_in",
                            format!(
                                "not logged in (profile `{profile}`): run `tokenctl login --server URL`, or set TOKENCTL_TOKEN"
                            ),
                        )
                    })?;
                (
                    config::load_credential(&store).await?,
                    CredentialSource::Store(store),
                )
            }
        };
        Ok(Client::with_credential(base, credential, source, profile))
    }

    pub fn with_credential(
        base: Url,
        credential: String,
        source: CredentialSource,
        profile: String,
    ) -> Client {
        Client {
            http: http_client(),
            base,
            credential,
            source,
            profile,
        }
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}{path}"));
        url
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> CliResult<T> {
        self.request::<(), T>(Method::GET, path, query, None, None)
            .await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> CliResult<T> {
        self.request(Method::POST, path, query, Some(body), None)
            .await
    }

    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> CliResult<T> {
        self.request(Method::PATCH, path, query, Some(body), None)
            .await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> CliResult<T> {
        self.request(Method::PUT, path, &[], Some(body), None).await
    }

    pub async fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> CliResult<T> {
        self.request::<(), T>(Method::DELETE, path, query, None, None)
            .await
    }

    /// A POST that names an action and carries nothing (`…/revoke`,
    /// `…/disable`): the server still wants a JSON body, so `{}`.
    pub async fn action<T: DeserializeOwned>(&self, path: &str) -> CliResult<T> {
        self.post(path, &[], &serde_json::json!({})).await
    }

    pub async fn request<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> CliResult<T> {
        let url = self.url(path);
        let mut req = self
            .http
            .request(method, url.clone())
            .bearer_auth(&self.credential)
            .query(query);
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        let resp = req.send().await.map_err(|e| unreachable(&self.base, &e))?;
        decode(resp).await
    }
}

impl Client {
    /// A POST the server answers only when its work is done (minutes, not
    /// seconds), so without the usual 30 s timeout.
    pub async fn post_slow<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &B,
        timeout: Duration,
    ) -> CliResult<T> {
        let resp = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.credential)
            .query(query)
            .json(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| unreachable(&self.base, &e))?;
        decode(resp).await
    }
}

/// The API path of one object of `collection` (`tokens`, `teams`, …), by
/// an id or name typed by the user: `/v1/teams/platform`.
pub fn object_path(collection: &str, reference: &str) -> String {
    format!("/v1/{collection}/{}", segment(reference))
}

/// Builds a path segment for an id or name typed by the user.
pub fn segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn unreachable(base: &Url, e: &reqwest::Error) -> CliError {
    let why = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        e.to_string()
    };
    CliError::new(
        Exit::Failure,
        "server_unreachable",
        format!("cannot reach the tokenctl server at {base} ({why})"),
    )
}

pub async fn decode<T: DeserializeOwned>(resp: reqwest::Response) -> CliResult<T> {
    let status = resp.status();
    let request_id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| CliError::failure(format!("reading the server's answer failed: {e}")))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| {
            CliError::failure(format!(
                "the server's answer is not what this tokenctl expects ({e}); are client and server the same version?"
            ))
        });
    }
    let exit = match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => Exit::Usage,
        StatusCode::NOT_FOUND => Exit::NotFound,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Exit::Auth,
        StatusCode::CONFLICT => Exit::Conflict,
        _ => Exit::Failure,
    };
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(CliError {
            // A server not configured for the request (409 too) is a
            // failure of the server's setup, not a conflict with stored state.
            exit: match MissingFeature::from_code(&body.error.code) {
                Some(_) => Exit::Failure,
                None => exit,
            },
            code: body.error.code,
            message: match (status.is_server_error(), request_id) {
                (true, Some(id)) => format!("{} (request id {id})", body.error.message),
                _ => body.error.message,
            },
            candidates: body.error.candidates,
        }),
        Err(_) => Err(CliError::new(
            exit,
            "http_error",
            format!("the server answered {status}"),
        )),
    }
}

impl Globals {
    pub fn output(&self) -> Output {
        let mut out = Output::new(self.format);
        match self.color {
            ColorChoice::Auto => {}
            ColorChoice::Always => out.color = true,
            ColorChoice::Never => out.color = false,
        }
        out
    }
}
