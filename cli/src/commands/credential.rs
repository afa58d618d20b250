//! `tokenctl credential …`: your own admin credentials.

use crate::client::{object_path, Client, Globals};
use crate::error::CliResult;
use crate::output;
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_server::api::{input, CreateCredential, CreatedCredential, Credential};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print a fresh random credential without contacting a server
    /// (for TOKENCTL_BOOTSTRAP_TOKEN)
    Generate,
    /// Create another credential for yourself, e.g. one that expires for a CI job.
    /// It expires no later than the credential you create it with
    Create {
        name: String,
        /// 30d, 12h, 2027-01-31, an RFC 3339 time, or never; no later than
        /// the credential you use [default: the same expiry as the
        /// credential you use, capped by the server's --max-credential-ttl]
        #[arg(long)]
        expires: Option<String>,
    },
    /// List your credentials
    List,
    /// Revoke one of your credentials by name or id
    Revoke { reference: String },
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    if let Command::Generate = command {
        let secret = Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng);
        if out.json() {
            out.print_json(&serde_json::json!({ "credential": secret.expose() }));
        } else {
            println!("{}", secret.expose());
        }
        return Ok(());
    }
    if let Command::Create { name, expires } = &command {
        input::name("credential", name)?;
        if let Some(e) = expires {
            input::expiry(e, tokenctl_server::api::now())?;
        }
    }
    let client = Client::connect(g).await?;
    match command {
        Command::Generate => unreachable!("handled above"),
        Command::Create { name, expires } => {
            let created: CreatedCredential = client
                .post("/v1/credentials", &[], &CreateCredential { name, expires })
                .await?;
            out.print_or(&created, || {
                println!(
                    "Credential `{}` created (expires: {}). {}\n\n    {}\n",
                    created.credential.name,
                    output::when(created.credential.expires_at, "never"),
                    out.warn("Copy it now: it is shown only this once."),
                    created.secret
                );
            });
        }
        Command::List => {
            let creds: Vec<Credential> = client.get("/v1/credentials", &[]).await?;
            let now = chrono::Utc::now();
            out.print_list(
                &creds,
                None,
                &["NAME", "HINT", "STATUS", "EXPIRES", "LAST USED", "ID"],
                |c| {
                    let status = if c.revoked_at.is_some() {
                        "revoked"
                    } else if c.expires_at.is_some_and(|e| e <= now) {
                        "expired"
                    } else {
                        "active"
                    };
                    vec![
                        c.name.clone(),
                        c.hint.clone(),
                        status.into(),
                        output::when(c.expires_at, "never"),
                        output::when(c.last_used_at, "never"),
                        c.id.to_string(),
                    ]
                },
            );
        }
        Command::Revoke { reference } => {
            let cred: Credential = client
                .action(&(object_path("credentials", &reference) + "/revoke"))
                .await?;
            out.print_or(&cred, || {
                println!("Revoked credential `{}` ({}).", cred.name, cred.hint);
            });
        }
    }
    Ok(())
}
