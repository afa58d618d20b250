//! `tokenctl audit …`

use crate::client::{Client, Globals};
use crate::error::CliResult;
use tokenctl_server::api::{AuditEntry, AuditPage};
use uuid::Uuid;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List audit entries, newest first
    #[command(after_long_help = "\
Examples:
  tokenctl audit list --since 24h
  tokenctl audit list --action 'token.*' --actor alice
  tokenctl audit list --target n8n-prod -o json
  tokenctl audit list --since 30d --team platform --limit 1000 -o csv > audit.csv")]
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
    /// At most this many entries (1-1000)
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Continue after this entry (from a previous page)
    #[arg(long)]
    cursor: Option<Uuid>,
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    let Command::List(a) = command;
    let client = Client::connect(g).await?;
    let mut q: Vec<(&str, String)> = vec![("limit", a.limit.to_string())];
    for (k, v) in [
        ("since", a.since),
        ("until", a.until),
        ("actor", a.actor),
        ("action", a.action),
        ("target_type", a.target_type),
        ("target", a.target),
        ("team", a.team),
        ("cursor", a.cursor.map(|c| c.to_string())),
    ] {
        if let Some(v) = v {
            q.push((k, v));
        }
    }
    let page: AuditPage = client.get("/v1/audit", &q).await?;
    if out.json() {
        out.print_json(&page);
        return Ok(());
    }
    if out.csv() {
        let rows = page.entries.iter().map(|e| {
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
        });
        out.print_csv(
            &[
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
            ],
            rows,
        )?;
        if let Some(c) = page.next_cursor {
            eprintln!("More entries: add --cursor {c}");
        }
        return Ok(());
    }
    if page.entries.is_empty() {
        eprintln!("No audit entries match.");
        return Ok(());
    }
    let mut t = out.table(&["TIME (UTC)", "ACTOR", "ACTION", "TARGET", "REQUEST"]);
    for e in &page.entries {
        let mut row = entry_cells(e);
        row.push(e.request_id.clone().unwrap_or_else(|| "-".into()));
        t.add_row(row);
    }
    println!("{t}");
    if let Some(c) = page.next_cursor {
        eprintln!("More entries: add --cursor {c}");
    }
    Ok(())
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
