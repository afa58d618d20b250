//! `tokenctl gateway-key …`: credentials for gateways.

use crate::client::{object_path, Client, Globals};
use crate::error::CliResult;
use crate::output;
use tokenctl_server::api::{input, CreateGatewayKey, CreatedGatewayKey, GatewayKey};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Issue a key for a gateway; it is printed once and never again
    #[command(after_long_help = "\
Examples:
  tokenctl gateway-key create edge-eu -o json | jq -r .secret
  TOKENCTL_GATEWAY_KEY=tkg_… tokenctl gateway --server https://tokenctl.example.com")]
    Create { name: String },
    /// List gateway keys and when each was last used
    List,
    /// Revoke a gateway key by name or id; its gateway is cut off at once
    Revoke { reference: String },
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    if let Command::Create { name } = &command {
        input::name("gateway key", name)?;
    }
    let client = Client::connect(g).await?;
    match command {
        Command::Create { name } => {
            let created: CreatedGatewayKey = client
                .post("/v1/gateway-keys", &[], &CreateGatewayKey { name })
                .await?;
            out.print_or(&created, || {
                println!(
                    "Gateway key `{}` created. {}\n\n    {}\n",
                    created.key.name,
                    out.warn("Copy it now: it is shown only this once."),
                    created.secret
                );
            });
        }
        Command::List => {
            let keys: Vec<GatewayKey> = client.get("/v1/gateway-keys", &[]).await?;
            out.print_list(
                &keys,
                None,
                &["NAME", "HINT", "STATUS", "LAST SEEN", "CREATED", "ID"],
                |k| {
                    vec![
                        k.name.clone(),
                        k.hint.clone(),
                        if k.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        }
                        .into(),
                        output::when(k.last_seen_at, "never"),
                        output::when(Some(k.created_at), ""),
                        k.id.to_string(),
                    ]
                },
            );
        }
        Command::Revoke { reference } => {
            let key: GatewayKey = client
                .action(&(object_path("gateway-keys", &reference) + "/revoke"))
                .await?;
            out.print_or(&key, || {
                println!("Revoked gateway key `{}` ({}).", key.name, key.hint);
            });
        }
    }
    Ok(())
}
