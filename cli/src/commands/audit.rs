//! `tokenctl audit …`

use crate::client::{Client, Globals};
use crate::error::CliResult;
use crate::listing::{self, PageArgs, View};
use tokenctl_server::api::AuditEntry;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List audit entries, newest first, a page at a time
    #[command(after_long_help = "\
Examples:
  tokenctl audit list --since 24h
  tokenctl audit list --action 'token.*' --actor alice
  tokenctl audit list --target n8n-prod -o json
  tokenctl audit list --since 30d --team platform --all -o csv > audit.csv
  tokenctl audit list --since 7d --all -o jsonl | jq -r .action | sort | uniq -c")]
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// 24h, 7d, a date or an RFC 3339 time
    #[arg(long)]
    since: Option<String>,
    /// Same forms as --since
    #[arg(long)]
    until: Option<String>,
    /// User name of the actor
    #[arg(long)]
    actor: Option<String>,
    /// An action (token.create), or every action of a resource (token.*)
    #[arg(long)]
    action: Option<String>,
    /// token, route, secret, credential, …
    #[arg(long)]
    target_type: Option<String>,
    /// Target id or name
    #[arg(long)]
    target: Option<String>,
    /// Team name or id
    #[arg(long)]
    team: Option<String>,
    #[command(flatten)]
    page: PageArgs,
}

const CSV_HEADER: &[&str] = &[
    "id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "target_name",
    "team_id",
    "request_id",
    "client_ip",
    "before",
    "after",
];

fn csv_cells(e: &AuditEntry) -> Vec<String> {
    vec![
        e.id.to_string(),
        e.at.to_rfc3339(),
        e.actor.clone(),
        e.action.clone(),
        e.target_type.clone(),
        e.target_id.clone().unwrap_or_default(),
        e.target_name.clone().unwrap_or_default(),
        e.team_id.map(|t| t.to_string()).unwrap_or_default(),
        e.request_id.clone().unwrap_or_default(),
        e.client_ip.clone().unwrap_or_default(),
        e.before.as_ref().map(|v| v.to_string()).unwrap_or_default(),
        e.after.as_ref().map(|v| v.to_string()).unwrap_or_default(),
    ]
}

fn table_cells(e: &AuditEntry) -> Vec<String> {
    let mut row = entry_cells(e);
    row.push(e.request_id.clone().unwrap_or_else(|| "-".into()));
    row
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    let Command::List(a) = command;
    let client = Client::connect(g).await?;
    let q: Vec<(&str, String)> = [
        ("since", a.since),
        ("until", a.until),
        ("actor", a.actor),
        ("action", a.action),
        ("target_type", a.target_type),
        ("target", a.target),
        ("team", a.team),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let view = View {
        noun: "entries",
        empty: Some("No audit entries match."),
        header: &["TIME (UTC)", "ACTOR", "ACTION", "TARGET", "REQUEST"],
        row: &table_cells,
        csv: Some((CSV_HEADER, &csv_cells)),
    };
    listing::print(&client, &out, "/v1/audit", &q, &a.page, view).await
}

/// An audit entry's TIME (UTC), ACTOR, ACTION and TARGET cells.
pub fn entry_cells(e: &AuditEntry) -> Vec<String> {
    vec![
        e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
        e.actor.clone(),
        e.action.clone(),
        format!(
            "{} {}",
            e.target_type,
            e.target_name
                .clone()
                .or_else(|| e.target_id.clone())
                .unwrap_or_default()
        ),
    ]
}
