//! `tokenctl search TEXT`: one search across tokens, routes, teams and
//! users, limited to what you may see.

use crate::client::{Client, Globals};
use crate::error::CliResult;
use crate::output::{self, Output};
use tokenctl_server::api::{search, SearchResults};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Matches, ignoring case, anywhere in:
  tokens  name, secret prefix (ntk_ab12) or id
  routes  name, path, upstream host or tag
  teams   name, description or id
  users   name, e-mail or id
Only what you may see is searched: tokens and teams of your teams, routes if you
may read them, users who share a team with you. `%` and `_` match themselves.
Finding nothing is not an error (exit code 0).

Examples:
  tokenctl search billing
  tokenctl search ntk_ab12
  tokenctl search api.openai.com -o json | jq -r '.tokens[].name'")]
pub struct Args {
    /// The text to find (1-200 characters)
    text: String,
    /// At most this many hits per kind, 1-500
    #[arg(long, default_value_t = search::DEFAULT_LIMIT)]
    limit: usize,
}

pub async fn run(g: &Globals, args: Args) -> CliResult {
    let out = g.output();
    let text = search::query(&args.text)?;
    let limit = search::limit(args.limit)?;
    let client = Client::connect(g).await?;
    let found: SearchResults = client
        .get("/v1/search", &[("q", text), ("limit", limit.to_string())])
        .await?;
    out.print_or(&found, || {
        print!("{}", render(&out, &found));
    });
    Ok(())
}

fn section(out: &Output, title: &str, n: usize, table: comfy_table::Table) -> String {
    format!("{} ({n})\n{table}\n\n", out.bold(title))
}

/// The hits as one table per kind, kinds without hits left out.
fn render(out: &Output, r: &SearchResults) -> String {
    if r.is_empty() {
        return format!("Nothing you may see matches `{}`.\n", r.query);
    }
    let mut text = String::new();
    if !r.tokens.is_empty() {
        let mut t = out.table(&["NAME", "TEAM", "STATUS", "SECRET", "ID"]);
        for k in &r.tokens {
            t.add_row(vec![
                k.name.clone(),
                k.team.clone(),
                k.status.as_str().to_string(),
                k.secret_hint.clone(),
                k.id.to_string(),
            ]);
        }
        text.push_str(&section(out, "Tokens", r.tokens.len(), t));
    }
    if !r.routes.is_empty() {
        let mut t = out.table(&["NAME", "PATH", "UPSTREAM", "TAGS"]);
        for route in &r.routes {
            t.add_row(vec![
                route.name.clone(),
                route.path.clone(),
                route.upstream.clone(),
                output::list(&route.tags),
            ]);
        }
        text.push_str(&section(out, "Routes", r.routes.len(), t));
    }
    if !r.teams.is_empty() {
        let mut t = out.table(&["NAME", "DESCRIPTION", "ID"]);
        for team in &r.teams {
            t.add_row(vec![
                team.name.clone(),
                team.description.clone(),
                team.id.to_string(),
            ]);
        }
        text.push_str(&section(out, "Teams", r.teams.len(), t));
    }
    if !r.users.is_empty() {
        let mut t = out.table(&["NAME", "E-MAIL", "STATUS", "ID"]);
        for u in &r.users {
            t.add_row(vec![
                u.name.clone(),
                u.email.clone().unwrap_or_else(|| "-".into()),
                if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                }
                .to_string(),
                u.id.to_string(),
            ]);
        }
        text.push_str(&section(out, "Users", r.users.len(), t));
    }
    if !r.truncated.is_empty() {
        text.push_str(&format!(
            "More {} match than shown (at most {} each); narrow the text or raise --limit.\n",
            r.truncated.join(", "),
            r.limit
        ));
    }
    text
}
