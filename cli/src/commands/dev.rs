//! `tokenctl dev`: the whole stack on this machine, in one command.

use crate::client::Globals;
use crate::config::{self, Config, CredentialStore, Profile};
use crate::error::{CliError, CliResult};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_gateway_native::{NativeGateway, Settings as GatewaySettings};
use tokenctl_server::crypto::MasterKey;
use tokenctl_server::{DatabaseUrl, Server, ServerConfig};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Creates (or reuses) a data directory holding the SQLite database, a generated master
key and the admin credential, each readable only by you. Then it starts the server,
logs the `dev` profile in and waits; stop it with Ctrl-C. Run it again to continue
where you left off; delete the directory to start over.

It logs only warnings and errors, so its banner stays readable; --verbose adds the
request log of the server and the gateway. TOKENCTL_LOG (e.g. `debug`) overrides both.")]
pub struct Args {
    /// Where the database, master key and credential live
    #[arg(long, default_value = ".tokenctl-dev", value_name = "DIR")]
    data_dir: PathBuf,
    /// Server address
    #[arg(long, default_value = "127.0.0.1:7700")]
    listen: SocketAddr,
    /// Gateway address
    #[arg(long, default_value = "127.0.0.1:8080")]
    gateway_listen: SocketAddr,
    /// Log every request (and other INFO lines) too, not only warnings
    #[arg(long, short = 'v')]
    verbose: bool,
    #[command(flatten)]
    kv: super::server::KvArgs,
    /// Where each setting came from, for messages.
    #[arg(skip)]
    pub origins: crate::settings::Origins,
}

/// The dev gateway's key: reused from the data directory while the server
/// still accepts it, else issued anew through the admin API.
async fn gateway_key(dir: &Path, server: &str, admin: &str) -> CliResult<String> {
    let path = dir.join("gateway.key");
    let http = crate::client::http_client();
    if let Ok(key) = std::fs::read_to_string(&path) {
        let key = key.trim().to_string();
        let probe = http
            .get(format!("{server}/v1/gateway/config?after=0"))
            .bearer_auth(&key)
            .send()
            .await;
        if probe.is_ok_and(|r| r.status().is_success()) {
            return Ok(key);
        }
    }
    let resp = http
        .post(format!("{server}/v1/gateway-keys"))
        .bearer_auth(admin)
        .json(&serde_json::json!({ "name": format!("dev-{}", uuid::Uuid::now_v7().simple()) }))
        .send()
        .await
        .map_err(|e| CliError::failure(format!("cannot issue the dev gateway key: {e}")))?;
    let created: tokenctl_server::api::CreatedGatewayKey = crate::client::decode(resp).await?;
    config::write_private(&path, created.secret.as_bytes())?;
    Ok(created.secret)
}

fn read_or_create(path: &Path, create: impl FnOnce() -> String) -> CliResult<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(s.trim().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let value = create();
            config::write_private(path, value.as_bytes())?;
            Ok(value)
        }
        Err(e) => Err(CliError::failure(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

pub async fn run(g: &Globals, args: Args) -> CliResult {
    super::server::init_logging_with_default(
        super::server::LogFormat::Text,
        if args.verbose { "info" } else { "warn" },
    );
    let dir = std::path::absolute(&args.data_dir)?;
    std::fs::create_dir_all(&dir)?;
    let db_path = dir.join("tokenctl.db");
    let key_path = dir.join("master.key");
    let credential_path = dir.join("admin.credential");
    let fresh_db = !db_path.exists();
    let key = read_or_create(&key_path, || MasterKey::generate().to_hex())?;
    let master_key = MasterKey::from_hex(&key)
        .map_err(|e| CliError::usage(format!("{}: {e}", key_path.display())))?;
    if !fresh_db && !credential_path.exists() {
        return Err(CliError::usage(format!(
            "{} exists but {} is missing; delete {} to start over",
            db_path.display(),
            credential_path.display(),
            dir.display()
        )));
    }
    let credential = read_or_create(&credential_path, || {
        Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng).into_exposed()
    })?;
    let server = Server::start(ServerConfig {
        database: DatabaseUrl::Sqlite(db_path.clone()),
        listen: args.listen,
        master_key: Some(master_key),
        bootstrap_credential: Some(credential.clone().into()),
        // The dev credential lives in the data directory and is reused on
        // every run; `dev` is for one machine, not for anything real.
        bootstrap_ttl: None,
        bootstrap_file: None,
        max_credential_ttl: None,
        kv_sync: super::server::kv_sync_config(&args.kv, &args.origins)?,
        edge_key: super::server::edge_key(&args.kv, &args.origins)?,
        usage_retention: Default::default(),
        connections: super::server::connection_limits(
            tokenctl_listener::Limits::DEFAULT_HEADER_READ_TIMEOUT.into(),
            tokenctl_listener::Limits::DEFAULT_KEEP_ALIVE_TIMEOUT.into(),
            None,
            1,
        ),
        trusted_proxies: vec![],
        allow_metadata_upstreams: false,
        tls: None,
        metrics_listen: None,
        webhooks: Default::default(),
    })
    .await?;
    let addr = server.local_addr()?;
    let url = format!("http://{addr}");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let server_task = tokio::spawn(server.serve(stopped(stop_rx.clone())));

    let key = gateway_key(&dir, &url, &credential).await?;
    let gateway = NativeGateway::start(GatewaySettings {
        server: url.parse().expect("valid URL"),
        key: key.into(),
        listen: args.gateway_listen,
        workers: 1,
        state_dir: dir.join("gateway"),
        spool_max_bytes: tokenctl_gateway_native::DEFAULT_SPOOL_MAX_BYTES,
        max_stale: Some(tokenctl_gateway_native::DEFAULT_MAX_STALE),
        connections: tokenctl_listener::Limits::new(2),
        trusted_proxies: vec![],
        tls: None,
        server_ca: Vec::new(),
        metrics_listen: None,
    })
    .await
    .map_err(|e| CliError::failure(format!("{e:#}")))?;
    let gateway_url = format!("http://{}", gateway.local_addr()?);
    let gateway_task = tokio::spawn(gateway.serve(stopped(stop_rx)));

    let profile = g.profile.clone().unwrap_or_else(|| "dev".into());
    let mut config = Config::load()?;
    config.profiles.insert(
        profile.clone(),
        Profile {
            server: url.clone(),
            credential: Some(CredentialStore::File {
                path: credential_path.clone(),
            }),
            user: Some("admin".into()),
        },
    );
    let made_default = config.default_profile.is_none();
    if made_default {
        config.default_profile = Some(profile.clone());
    }
    config.save()?;

    let use_profile = if made_default {
        String::new()
    } else {
        format!("  export TOKENCTL_PROFILE={profile}\n")
    };
    eprintln!(
        "\ntokenctl dev is running.\n\
         \n  server      {url}\
         \n  gateway     {gateway_url}\
         \n  database    {db}\
         \n  profile     `{profile}` (admin credential in {cred}, mode 0600)\
         \n\nTry, in another terminal:\n\
         {use_profile}  tokenctl status\n  \
         tokenctl secret set UPSTREAM_KEY --host example.com   # type any value\n  \
         tokenctl route add echo --path /echo --upstream https://example.com --auth bearer:UPSTREAM_KEY --all-teams\n  \
         tokenctl token create --name my-first-token --scope echo --expires 30d\n  \
         curl -H \"X-API-Key: ntk_…\" {gateway_url}/echo/\n  \
         tokenctl token list\n  \
         tokenctl audit list\n\
         \nPress Ctrl-C to stop.\n",
        db = db_path.display(),
        cred = credential_path.display(),
    );
    super::server::shutdown_signal().await;
    let _ = stop_tx.send(true);
    let (server, gateway) = tokio::join!(server_task, gateway_task);
    server.map_err(|e| CliError::failure(e.to_string()))??;
    gateway.map_err(|e| CliError::failure(e.to_string()))??;
    Ok(())
}
