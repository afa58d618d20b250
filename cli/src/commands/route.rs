//! `tokenctl route …`

use crate::client::{segment, Client, Globals};
use crate::error::CliResult;
use crate::output::{self, Output};
use reqwest::Method;
use tokenctl_server::api::{input, CreateRoute, Route, RouteRemoved, UpdateRoute};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a route: a path prefix on the gateway forwarded to an upstream
    #[command(after_long_help = "\
Examples:
  tokenctl secret set OPENAI_KEY < openai.key
  tokenctl route add openai --path /api/openai --upstream https://api.openai.com/v1 \\
      --auth bearer:OPENAI_KEY --tag llm
  tokenctl route add internal --path /api/internal --upstream http://10.0.0.5:8080 \\
      --auth header:X-Internal-Key:INTERNAL_KEY --timeout 10s

A request to /api/openai/chat/completions goes to https://api.openai.com/v1/chat/completions.
Paths match on segment boundaries: /api/openai never matches /api/openaix.

--auth forms: none | bearer:SECRET | header:HEADER-NAME:SECRET | basic:USER-SECRET:PASS-SECRET,
where SECRET names a secret stored with `tokenctl secret set`.")]
    Add(AddArgs),
    /// List routes
    List,
    /// Show a route by name, id or path
    Show { reference: String },
    /// Change a route; renaming it renames it in the scopes of its tokens
    Update(UpdateArgs),
    /// Remove a route (refused while tokens scope it by name, unless --force)
    Remove(RemoveArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Route name, used as a token scope
    name: String,
    /// Path prefix on the gateway, e.g. /api/openai
    #[arg(long)]
    path: String,
    /// Absolute http(s) base URL of the upstream
    #[arg(long)]
    upstream: String,
    /// Tag for `tag:TAG` scopes (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// none, bearer:SECRET, header:HEADER-NAME:SECRET or basic:USER-SECRET:PASS-SECRET
    #[arg(long, default_value = "none")]
    auth: String,
    /// Upstream timeout
    #[arg(long, default_value = "30s")]
    timeout: String,
    #[arg(long)]
    description: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    reference: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    path: Option<String>,
    #[arg(long)]
    upstream: Option<String>,
    /// Replace all tags (repeatable)
    #[arg(long = "tag", value_name = "TAG", conflicts_with_all = ["add_tags", "remove_tags"])]
    tags: Vec<String>,
    #[arg(long = "add-tag", value_name = "TAG")]
    add_tags: Vec<String>,
    #[arg(long = "remove-tag", value_name = "TAG")]
    remove_tags: Vec<String>,
    #[arg(long)]
    auth: Option<String>,
    #[arg(long)]
    timeout: Option<String>,
    #[arg(long)]
    description: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    reference: String,
    /// Remove even if tokens scope it by name; that scope is dropped from
    /// them, and tokens left with no scope are revoked
    #[arg(long)]
    force: bool,
    /// Do not ask for confirmation (it is only asked on a terminal)
    #[arg(long, short = 'y')]
    yes: bool,
}

fn validate(command: &Command) -> CliResult {
    match command {
        Command::Add(a) => {
            input::name("route", &a.name)?;
            input::route_path(&a.path)?;
            input::upstream_url(&a.upstream)?;
            input::upstream_auth(&a.auth)?;
            input::duration("timeout", &a.timeout)?;
            for t in &a.tags {
                input::tag(t)?;
            }
        }
        Command::Update(a) => {
            if let Some(n) = &a.name {
                input::name("route", n)?;
            }
            if let Some(p) = &a.path {
                input::route_path(p)?;
            }
            if let Some(u) = &a.upstream {
                input::upstream_url(u)?;
            }
            if let Some(x) = &a.auth {
                input::upstream_auth(x)?;
            }
            if let Some(t) = &a.timeout {
                input::duration("timeout", t)?;
            }
            for t in a.tags.iter().chain(&a.add_tags) {
                input::tag(t)?;
            }
        }
        Command::List | Command::Show { .. } | Command::Remove(_) => {}
    }
    Ok(())
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    validate(&command)?;
    let client = Client::connect(g).await?;
    match command {
        Command::Add(a) => {
            let body = CreateRoute {
                name: a.name,
                path: a.path,
                upstream: a.upstream,
                tags: a.tags,
                auth: Some(a.auth),
                timeout: Some(a.timeout),
                description: a.description,
            };
            let route: Route = client.post("/v1/routes", &[], &body).await?;
            if !out.json() {
                println!("Route added.");
            }
            print_route(&out, &route);
        }
        Command::List => {
            let routes: Vec<Route> = client.get("/v1/routes", &[]).await?;
            if out.json() {
                out.print_json(&routes);
            } else if routes.is_empty() {
                eprintln!("No routes yet. Add one with `tokenctl route add`.");
            } else {
                let mut t = out.table(&["NAME", "PATH", "UPSTREAM", "AUTH", "TAGS", "TIMEOUT"]);
                for r in &routes {
                    t.add_row(vec![
                        r.name.clone(),
                        r.path.clone(),
                        r.upstream.clone(),
                        r.auth.to_string(),
                        output::list(&r.tags),
                        format!("{}s", r.timeout_ms as f64 / 1000.0),
                    ]);
                }
                println!("{t}");
            }
        }
        Command::Show { reference } => {
            let route: Route = client
                .get(&format!("/v1/routes/{}", segment(&reference)), &[])
                .await?;
            print_route(&out, &route);
        }
        Command::Update(a) => {
            let body = UpdateRoute {
                name: a.name,
                path: a.path,
                upstream: a.upstream,
                tags: (!a.tags.is_empty()).then_some(a.tags),
                add_tags: a.add_tags,
                remove_tags: a.remove_tags,
                auth: a.auth,
                timeout: a.timeout,
                description: a.description,
            };
            let route: Route = client
                .request(
                    Method::PATCH,
                    &format!("/v1/routes/{}", segment(&a.reference)),
                    &[],
                    Some(&body),
                    None,
                )
                .await?;
            if !out.json() {
                println!("Route updated.");
            }
            print_route(&out, &route);
        }
        Command::Remove(a) => {
            super::confirm(&format!("Remove route `{}`?", a.reference), a.yes)?;
            let q: Vec<(&str, String)> = if a.force {
                vec![("force", "true".into())]
            } else {
                vec![]
            };
            let removed: RouteRemoved = client
                .request::<(), _>(
                    Method::DELETE,
                    &format!("/v1/routes/{}", segment(&a.reference)),
                    &q,
                    None,
                    None,
                )
                .await?;
            if out.json() {
                out.print_json(&removed);
            } else {
                println!(
                    "Removed route `{}` ({}).",
                    removed.route.name, removed.route.path
                );
                for t in &removed.affected_tokens {
                    let team = t.team.as_deref().unwrap_or("-");
                    if removed.revoked_tokens.iter().any(|r| r.id == t.id) {
                        println!(
                            "  revoked token {team}/{} ({}): `{}` was its only scope",
                            t.name, t.id, removed.route.name
                        );
                    } else {
                        println!(
                            "  dropped scope `{}` from token {team}/{} ({})",
                            removed.route.name, t.name, t.id
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

fn print_route(out: &Output, r: &Route) {
    if out.json() {
        out.print_json(r);
        return;
    }
    let rows = vec![
        ("id", r.id.to_string()),
        ("name", r.name.clone()),
        ("path", r.path.clone()),
        ("upstream", r.upstream.clone()),
        ("auth", r.auth.to_string()),
        ("tags", output::list(&r.tags)),
        ("timeout", format!("{}s", r.timeout_ms as f64 / 1000.0)),
        (
            "description",
            if r.description.is_empty() {
                "-".into()
            } else {
                r.description.clone()
            },
        ),
        (
            "created",
            format!(
                "{} by {}",
                output::when(Some(r.created_at), ""),
                r.created_by.as_deref().unwrap_or("-")
            ),
        ),
        ("updated", output::when(Some(r.updated_at), "")),
    ];
    println!("{}", out.fields(rows));
}
