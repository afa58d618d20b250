//! `tokenctl login`, `logout`, `status`, `whoami`.

use crate::client::{self, Client, CredentialSource, Globals};
use crate::config::{self, Config, CredentialStore, Profile};
use crate::error::{CliError, CliResult, Exit};
use crate::output::{self, Output};
use std::path::PathBuf;
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_server::api::Identity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Store {
    /// The OS keyring (macOS Keychain, Windows Credential Manager, Secret Service)
    Keyring,
    /// A file only you can read (mode 0600)
    File,
}

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
The credential is read from a hidden prompt on a terminal, or from stdin:
  tokenctl login --server https://tokenctl.example.com
  printf '%s' \"$CREDENTIAL\" | tokenctl login --server https://tokenctl.example.com

Where no OS keyring exists (headless Linux, CI), login fails rather than writing the
credential anywhere in plaintext. Then either set TOKENCTL_TOKEN for each command, or
choose `--store file` explicitly.")]
pub struct LoginArgs {
    /// Where to keep the credential
    #[arg(long, value_enum, default_value_t = Store::Keyring)]
    pub store: Store,
    /// File for `--store file` [default: <config dir>/credentials/<profile>]
    #[arg(long, value_name = "PATH")]
    pub credential_file: Option<PathBuf>,
    /// Join with a one-time enrolment code from `tokenctl user invite`
    /// instead of an existing credential
    #[arg(long, value_name = "CODE")]
    pub enrol: Option<String>,
}

/// Exchanges an enrolment code for a new user's first credential.
async fn enrol(base: &url::Url, code: &str) -> CliResult<String> {
    let resp = client::http_client()
        .post(base.join("v1/enrol").expect("valid path"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .map_err(|e| client::unreachable(base, &e))?;
    let enrolled: tokenctl_server::api::Enrolled = client::decode(resp).await?;
    Ok(enrolled.secret)
}

async fn identity(base: &url::Url, credential: &str) -> CliResult<Identity> {
    Client::with_credential(
        base.clone(),
        credential.to_string(),
        CredentialSource::Flag,
        String::new(),
    )
    .get("/v1/whoami", &[])
    .await
}

fn warn_plain_http(url: &url::Url) {
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    if url.scheme() == "http" && !loopback {
        eprintln!("warning: {url} is plain http; the credential crosses the network unencrypted");
    }
}

pub async fn login(g: &Globals, args: LoginArgs) -> CliResult {
    let out = g.output();
    let mut config = Config::load()?;
    let profile = config.profile_name(g.profile.as_deref());
    let base = client::server_url(g, &config, &profile)?;
    warn_plain_http(&base);
    let account = format!("{profile}@{}", base.as_str().trim_end_matches('/'));
    let credential = match &args.enrol {
        Some(code) => {
            Secret::parse(SecretKind::EnrolmentCode, code).map_err(|e| {
                CliError::new(Exit::Usage, "malformed_enrolment_code", e.to_string())
            })?;
            // The code works once: make sure the credential can be stored
            // before spending it.
            if args.store == Store::Keyring {
                config::keyring_probe(&account).await?;
            }
            enrol(&base, code).await?
        }
        None => match &g.token {
            Some(t) => t.trim().to_string(),
            None => super::read_secret(&format!("Admin credential for {base}"))?,
        },
    };
    Secret::parse(SecretKind::AdminCredential, &credential)
        .map_err(|e| CliError::new(Exit::Auth, "malformed_credential", e.to_string()))?;
    let who = identity(&base, &credential).await?;
    let stored = match args.store {
        Store::Keyring => config::keyring_store(&account, &credential)
            .await
            .map(|()| CredentialStore::Keyring { account }),
        Store::File => {
            let path = match args.credential_file {
                Some(p) => std::path::absolute(p)?,
                None => config::config_dir().join("credentials").join(&profile),
            };
            config::write_private(&path, credential.as_bytes())
                .map(|()| CredentialStore::File { path })
        }
    };
    let store = match stored {
        Ok(store) => store,
        Err(e) if args.enrol.is_some() => {
            // Never lose a credential that exists nowhere else.
            eprintln!(
                "Your new credential could not be stored ({e}). It is shown only now:\n\n    {credential}\n"
            );
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let description = store.describe();
    config.profiles.insert(
        profile.clone(),
        Profile {
            server: base.to_string(),
            credential: Some(store),
            user: Some(who.user.name.clone()),
        },
    );
    if config.default_profile.is_none() {
        config.default_profile = Some(profile.clone());
    }
    config.save()?;
    if out.json() {
        out.print_json(&serde_json::json!({
            "profile": profile,
            "server": base.as_str(),
            "user": who.user,
            "credential": who.credential,
            "stored_in": description,
        }));
    } else {
        println!(
            "Logged in to {base} as {} (credential `{}`, {}).",
            who.user.name, who.credential.name, who.credential.hint
        );
        println!("Profile `{profile}`; credential stored in the {description}.");
    }
    Ok(())
}

pub async fn logout(g: &Globals) -> CliResult {
    let mut config = Config::load()?;
    let profile = config.profile_name(g.profile.as_deref());
    let Some(p) = config.profiles.get_mut(&profile) else {
        return Err(CliError::new(
            Exit::NotFound,
            "not_found",
            format!("no profile `{profile}`"),
        ));
    };
    let store = p.credential.take();
    p.user = None;
    if let Some(store) = &store {
        config::delete_credential(store).await?;
    }
    config.save()?;
    if g.output().json() {
        g.output()
            .print_json(&serde_json::json!({"profile": profile, "logged_out": store.is_some()}));
    } else if store.is_some() {
        println!("Logged out of profile `{profile}`; the stored credential is deleted.");
    } else {
        println!("Profile `{profile}` had no stored credential.");
    }
    Ok(())
}

fn source_text(source: &CredentialSource) -> String {
    match source {
        CredentialSource::Flag => "--token / TOKENCTL_TOKEN".into(),
        CredentialSource::Store(s) => s.describe(),
    }
}

pub async fn status(g: &Globals) -> CliResult {
    let out = g.output();
    let client = Client::connect(g).await?;
    let health: serde_json::Value = {
        let resp = client::http_client()
            .get(client.base.join("health").expect("valid path"))
            .send()
            .await
            .map_err(|e| client::unreachable(&client.base, &e))?;
        client::decode(resp).await?
    };
    let who: Identity = client.get("/v1/whoami", &[]).await?;
    if out.json() {
        out.print_json(&serde_json::json!({
            "profile": client.profile,
            "server": client.base.as_str(),
            "server_version": health["version"],
            "user": who.user,
            "credential": who.credential,
            "teams": who.teams,
            "credential_source": source_text(&client.source),
        }));
        return Ok(());
    }
    print_identity(
        &out,
        &who,
        vec![
            ("profile", client.profile.clone()),
            (
                "server",
                format!(
                    "{} (version {})",
                    client.base,
                    health["version"].as_str().unwrap_or("?")
                ),
            ),
            ("credential from", source_text(&client.source)),
        ],
    );
    Ok(())
}

fn print_identity(out: &Output, who: &Identity, mut rows: Vec<(&str, String)>) {
    rows.push((
        "user",
        format!(
            "{}{}",
            who.user.name,
            if who.user.global_admin {
                " (global admin)"
            } else {
                ""
            }
        ),
    ));
    rows.push((
        "credential",
        format!(
            "{} {} (expires: {})",
            who.credential.name,
            who.credential.hint,
            output::when(who.credential.expires_at, "never")
        ),
    ));
    rows.push((
        "teams",
        output::list(
            &who.teams
                .iter()
                .map(|t| format!("{} ({})", t.team, t.role))
                .collect::<Vec<_>>(),
        ),
    ));
    println!("{}", out.fields(rows));
}

pub async fn whoami(g: &Globals) -> CliResult {
    let out = g.output();
    let client = Client::connect(g).await?;
    let who: Identity = client.get("/v1/whoami", &[]).await?;
    out.print_or(&who, || {
        print_identity(&out, &who, vec![]);
    });
    Ok(())
}
