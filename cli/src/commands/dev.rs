//! `tokenctl dev`: the whole stack on this machine, in one command.

use crate::client::Globals;
use crate::config::{self, Config, CredentialStore, Profile};
use crate::error::{CliError, CliResult};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_server::crypto::MasterKey;
use tokenctl_server::{DatabaseUrl, Server, ServerConfig};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Creates (or reuses) a data directory holding the SQLite database, a generated master
key and the admin credential, each readable only by you. Then it starts the server,
logs the `dev` profile in and waits; stop it with Ctrl-C. Run it again to continue
where you left off; delete the directory to start over.")]
pub struct Args {
    /// Where the database, master key and credential live
    #[arg(long, default_value = ".tokenctl-dev", value_name = "DIR")]
    data_dir: PathBuf,
    /// Server address
    #[arg(long, default_value = "127.0.0.1:7700")]
    listen: SocketAddr,
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
    super::server::init_logging(super::server::LogFormat::Text);
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
        bootstrap_credential: Some(credential),
    })
    .await?;
    let addr = server.local_addr()?;
    let url = format!("http://{addr}");

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
         \n  database    {db}\
         \n  profile     `{profile}` (admin credential in {cred}, mode 0600)\
         \n\nTry, in another terminal:\n\
         {use_profile}  tokenctl status\n  \
         tokenctl secret set UPSTREAM_KEY            # type any value\n  \
         tokenctl route add echo --path /echo --upstream https://example.com --auth bearer:UPSTREAM_KEY\n  \
         tokenctl token create --name my-first-token --scope echo --expires 30d\n  \
         tokenctl token list\n  \
         tokenctl audit list\n\
         \nPress Ctrl-C to stop.\n",
        db = db_path.display(),
        cred = credential_path.display(),
    );
    server.serve(super::server::shutdown_signal()).await?;
    Ok(())
}
