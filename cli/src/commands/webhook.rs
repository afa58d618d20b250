//! `tokenctl webhook …`: signed webhooks that warn before things break.

use crate::client::{object_path, Client, Globals};
use crate::error::CliResult;
use crate::listing::{self, PageArgs, View};
use crate::output;
use tokenctl_server::api::{
    input, CreateWebhook, CreatedWebhook, Webhook, WebhookDelivery, WebhookEvent,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a webhook; its signing secret is printed once and never again
    #[command(after_long_help = "\
Events:
  token.expiring         a token expires within a warning (7d and 1d by default)
  kvsync.failing         the Cloudflare KV sync has failed for a while
  usage.rollup_lagging   usage roll-ups are behind
  route.error_rate       a route's 5xx share is above its --alert-error-rate
  quota.80_percent, quota.exhausted
                         a token's or team's request or LLM-token quota reached 80 % / is used up
  budget.80_percent, budget.exhausted
                         a token's or team's budget (USD) reached 80 % / is used up
  webhook.test           sent by `tokenctl webhook test`

Each delivery is a JSON POST signed like Stripe's: `Tokenctl-Signature: t=UNIX,v1=HEX`,
HEX being HMAC-SHA256 with the secret over `UNIX.` and the raw body (docs/webhooks.md).
Receivers at private, loopback or link-local addresses need --private-receiver.

Examples:
  tokenctl webhook add https://hooks.example.com/tokenctl --events token.expiring,kvsync.failing
  tokenctl webhook add http://10.0.0.5:9000/hook --events route.error_rate --private-receiver -o json | jq -r .secret")]
    Add(AddArgs),
    /// List webhooks (never their secrets)
    List,
    /// Remove a webhook; deliveries not yet made are dropped
    Remove {
        id: String,
        /// Do not ask for confirmation (it is only asked on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Send a `webhook.test` delivery; see how it went with `webhook deliveries`
    Test { id: String },
    /// A webhook's deliveries, newest first: status, attempts, last error
    Deliveries {
        id: String,
        #[command(flatten)]
        page: PageArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The receiver: an http or https URL
    url: String,
    /// Events to send, comma-separated (see below)
    #[arg(long, value_delimiter = ',', required = true, value_name = "EVENT,…")]
    events: Vec<String>,
    /// Allow a receiver at a private, loopback or link-local address (global admins)
    #[arg(long)]
    private_receiver: bool,
}

fn validate(command: &Command) -> CliResult {
    match command {
        Command::Add(a) => {
            input::webhooks::url(&a.url)?;
            input::webhooks::events(&a.events)?;
        }
        Command::Remove { id, .. } | Command::Test { id } | Command::Deliveries { id, .. } => {
            webhook_id(id)?;
        }
        Command::List => {}
    }
    Ok(())
}

/// Webhooks are named by their id.
fn webhook_id(id: &str) -> CliResult<uuid::Uuid> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| {
        input::InputError(format!(
            "`{id}` is not a webhook id; `tokenctl webhook list` shows them"
        ))
        .into()
    })
}

fn events_cell(events: &[WebhookEvent]) -> String {
    let names: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    output::list(&names)
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    validate(&command)?;
    let client = Client::connect(g).await?;
    match command {
        Command::Add(a) => {
            let body = CreateWebhook {
                url: a.url,
                events: a.events,
                private_receiver: a.private_receiver,
            };
            let created: CreatedWebhook = client.post("/v1/webhooks", &[], &body).await?;
            out.print_or(&created, || {
                println!(
                    "Webhook {} added for {}.\nSigning secret ({})\n\n    {}\n",
                    created.webhook.id,
                    events_cell(&created.webhook.events),
                    out.warn("copy it now: it is shown only this once"),
                    created.secret
                );
            });
        }
        Command::List => {
            let hooks: Vec<Webhook> = client.get("/v1/webhooks", &[]).await?;
            out.print_list(
                &hooks,
                Some("No webhooks yet. Add one with `tokenctl webhook add URL --events …`."),
                &["ID", "URL", "EVENTS", "PRIVATE", "CREATED"],
                |w| {
                    vec![
                        w.id.to_string(),
                        w.url.clone(),
                        events_cell(&w.events),
                        if w.private_receiver { "yes" } else { "no" }.into(),
                        output::when(Some(w.created_at), ""),
                    ]
                },
            );
        }
        Command::Remove { id, yes } => {
            let id = webhook_id(&id)?;
            super::confirm(&format!("Remove webhook {id}?"), yes)?;
            let removed: Webhook = client
                .delete(&object_path("webhooks", &id.to_string()), &[])
                .await?;
            out.print_or(&removed, || {
                println!("Removed webhook {} ({}).", removed.id, removed.url);
            });
        }
        Command::Test { id } => {
            let id = webhook_id(&id)?;
            let delivery: WebhookDelivery = client
                .action(&(object_path("webhooks", &id.to_string()) + "/test"))
                .await?;
            out.print_or(&delivery, || {
                println!(
                    "Queued test delivery {}. See how it went with `tokenctl webhook deliveries {id}`.",
                    delivery.id
                );
            });
        }
        Command::Deliveries { id, page } => {
            let id = webhook_id(&id)?;
            let view = View {
                noun: "deliveries",
                empty: Some("No deliveries yet."),
                header: &[
                    "ID",
                    "EVENT",
                    "STATUS",
                    "ATTEMPTS",
                    "LAST STATUS",
                    "LAST ERROR",
                    "CREATED",
                    "NEXT ATTEMPT",
                ],
                row: &|d: &WebhookDelivery| {
                    vec![
                        d.id.to_string(),
                        d.event.clone(),
                        d.status.to_string(),
                        d.attempts.to_string(),
                        d.last_status.map_or_else(|| "-".into(), |s| s.to_string()),
                        d.last_error.clone().unwrap_or_else(|| "-".into()),
                        output::when(Some(d.created_at), ""),
                        output::when(d.next_attempt_at, "-"),
                    ]
                },
                csv: None,
            };
            let path = object_path("webhooks", &id.to_string()) + "/deliveries";
            listing::print(&client, &out, &path, &[], &page, view).await?;
        }
    }
    Ok(())
}
