//! `tokenctl secret …`

use crate::client::{object_path, Client, Globals};
use crate::error::{CliError, CliResult};
use crate::output;
use std::path::PathBuf;
use tokenctl_server::api::{input, SecretInfo, SetSecret};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Store or replace an upstream secret (encrypted at rest; never shown again)
    /// and the hosts it may be sent to
    #[command(after_long_help = "\
The value is read, in this order, from --from-env VAR, --from-file F, stdin when it is
not a terminal, or a hidden prompt. It never appears on the command line.

Hosts: a secret is sent only to the hosts it is bound to: exact hosts (api.openai.com,
10.0.0.5, [fd00::5]; no port) or *.example.com (any host below example.com, not
example.com itself). A route may use the secret only if its upstream host matches one of
them, and the gateways never inject it anywhere else. --host replaces the list. Whoever
creates a secret sets its first hosts; changing the hosts of an existing secret needs the
admin role in the system team. A secret without hosts can be used by no route.

Examples:
  tokenctl secret set OPENAI_KEY --host api.openai.com   # prompts, input hidden
  printf '%s' \"$OPENAI_KEY\" | tokenctl secret set OPENAI_KEY --host api.openai.com
  tokenctl secret set OPENAI_KEY --from-env OPENAI_KEY   # new value, same hosts
  tokenctl secret set DB_PASSWORD --from-file /run/secrets/db --host '*.db.internal'
  tokenctl secret set OPENAI_KEY --keep-value --host api.openai.com --host eu.api.openai.com")]
    Set(SetArgs),
    /// List secrets: names, fingerprints, who set them and when. Never values
    List,
    /// Remove a secret (refused while a route uses it)
    Remove {
        name: String,
        /// Do not ask for confirmation (it is only asked on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    name: String,
    /// Read the value from this environment variable
    #[arg(long, value_name = "VAR", conflicts_with = "from_file")]
    from_env: Option<String>,
    /// Read the value from this file (a trailing newline is dropped)
    #[arg(long, value_name = "PATH")]
    from_file: Option<PathBuf>,
    /// A host the secret may be sent to: api.openai.com or *.example.com
    /// (repeatable; replaces the list)
    #[arg(long = "host", value_name = "HOST")]
    hosts: Vec<String>,
    /// Change only the hosts and keep the stored value
    #[arg(long, requires = "hosts", conflicts_with_all = ["from_env", "from_file"])]
    keep_value: bool,
}

fn read_value(a: &SetArgs) -> CliResult<String> {
    let value = if let Some(var) = &a.from_env {
        std::env::var(var)
            .map_err(|_| CliError::usage(format!("environment variable {var} is not set")))?
    } else if let Some(path) = &a.from_file {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?
    } else {
        return super::read_secret(&format!("Value for secret {}", a.name));
    };
    let value = value.trim_end_matches(['\r', '\n']).to_string();
    if value.trim().is_empty() {
        return Err(CliError::usage("the secret value is empty"));
    }
    Ok(value)
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    if let Command::Set(a) = &command {
        input::name("secret", &a.name)?;
        input::host_patterns(&a.hosts)?;
    }
    // Read the value before connecting, so an empty stdin fails fast.
    let value = match &command {
        Command::Set(a) if !a.keep_value => Some(read_value(a)?),
        _ => None,
    };
    let client = Client::connect(g).await?;
    match command {
        Command::Set(a) => {
            let info: SecretInfo = client
                .put(
                    &object_path("secrets", &a.name),
                    &SetSecret {
                        value,
                        hosts: (!a.hosts.is_empty()).then_some(a.hosts),
                    },
                )
                .await?;
            out.print_or(&info, || {
                println!(
                    "Secret `{}` stored (version {}, fingerprint {}); it may be sent to: {}.",
                    info.name,
                    info.version,
                    info.fingerprint,
                    hosts_cell(&info)
                );
            });
        }
        Command::List => {
            let secrets: Vec<SecretInfo> = client.get("/v1/secrets", &[]).await?;
            out.print_list(
                &secrets,
                Some("No secrets yet. Store one with `tokenctl secret set NAME`."),
                &[
                    "NAME",
                    "FINGERPRINT",
                    "VERSION",
                    "HOSTS",
                    "SET BY",
                    "SET",
                    "USED BY",
                ],
                |s| {
                    vec![
                        s.name.clone(),
                        s.fingerprint.clone(),
                        s.version.to_string(),
                        hosts_cell(s),
                        s.set_by.clone().unwrap_or_else(|| "-".into()),
                        output::when(Some(s.set_at), ""),
                        output::list(&s.used_by),
                    ]
                },
            );
        }
        Command::Remove { name, yes } => {
            super::confirm(&format!("Remove secret `{name}`?"), yes)?;
            let info: SecretInfo = client.delete(&object_path("secrets", &name), &[]).await?;
            out.print_or(&info, || {
                println!("Removed secret `{}`.", info.name);
            });
        }
    }
    Ok(())
}

/// The hosts, or `no host` (then no route can use the secret).
fn hosts_cell(s: &SecretInfo) -> String {
    if s.hosts.is_empty() {
        "no host".into()
    } else {
        s.hosts.join(", ")
    }
}
