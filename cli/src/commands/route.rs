//! `tokenctl route …`

use crate::client::{object_path, segment, Client, Globals};
use crate::error::CliResult;
use crate::listing::{self, PageArgs, View};
use crate::output::{self, Output};
use tokenctl_server::api::{
    input, CreateRoute, Route, RouteGrants, RouteRemoved, UpdateRoute, UpstreamAccess,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a route: a path prefix on the gateway forwarded to an upstream
    #[command(after_long_help = "\
Examples:
  tokenctl secret set OPENAI_KEY --host api.openai.com < openai.key
  tokenctl route add openai --path /api/openai --upstream https://api.openai.com/v1 \\
      --auth bearer:OPENAI_KEY --tag llm --team ml --team support
  tokenctl route add internal --path /api/internal --upstream http://10.0.0.5:8080 \\
      --auth header:X-Internal-Key:INTERNAL_KEY --timeout 10s --all-teams

A request to /api/openai/chat/completions goes to https://api.openai.com/v1/chat/completions.
Paths match on segment boundaries: /api/openai never matches /api/openaix.

Teams: a route is usable only by the teams granted to it (--team, repeatable) or by every
team (--all-teams); a token's `*`, `tag:` and name scopes never reach other routes. Change
the grants later with `route grant` and `route ungrant`.

--auth forms: none | bearer:SECRET | header:HEADER-NAME:SECRET | basic:USER-SECRET:PASS-SECRET,
where SECRET names a secret stored with `tokenctl secret set`, bound to the upstream's host.

Who may add what (roles in the system team):
  developer  a route to a public upstream, without --auth, whose path shadows no other route
  manager    a route with --auth, or whose path is nested under or a prefix of other routes
  admin      a route whose upstream is (or resolves to) a loopback, private, link-local or
             unique-local address, or this server; it is approved for private addresses.
Cloud metadata upstreams (169.254.169.254, fd00:ec2::254, ...) are refused unless the server
runs with --allow-metadata-upstreams.

LLM APIs: --llm openai (OpenAI and compatible APIs) or --llm anthropic makes the gateways record
the model and the input, output and cached tokens of every call, read from the responses as they
stream (see `tokenctl usage` and `tokenctl price`).")]
    Add(AddArgs),
    /// List routes, by name, a page at a time
    List(PageArgs),
    /// Show a route by name, id or path, with a sample `curl` call through a gateway
    #[command(after_long_help = "\
Examples:
  tokenctl route show openai
  tokenctl route show openai --gateway https://gw.example.com

The sample call uses the placeholder token ntk_YOUR_TOKEN: put a token scoped to the
route in its place (`tokenctl token create --scope NAME`).")]
    Show(ShowArgs),
    /// List the tags in use, with the routes carrying each (for `tag:` scopes)
    Tags,
    /// Change a route; renaming it renames it in the scopes of its tokens
    #[command(after_long_help = "\
Examples:
  tokenctl route update openai --timeout 2m
  tokenctl route update openai --llm openai      # record model and token counts
  tokenctl route update openai --llm none        # stop recording them")]
    Update(UpdateArgs),
    /// Remove a route (refused while tokens scope it by name, unless --force)
    Remove(RemoveArgs),
    /// Let teams' tokens use a route (or every team's, with --all-teams)
    #[command(after_long_help = "\
Examples:
  tokenctl route grant openai ml support
  tokenctl route grant openai --all-teams

Needs the manager role in the system team (admin for a route approved for private addresses).
The change is audited and reaches the gateways like any route change.")]
    Grant(GrantArgs),
    /// Stop teams' tokens from using a route; their calls to it get 403 scope_denied
    #[command(after_long_help = "\
Examples:
  tokenctl route ungrant openai support
  tokenctl route ungrant openai --all-teams     # only the teams granted by name keep it

Tokens of those teams keep their scopes; calls to the route are refused with scope_denied as
soon as the gateways have the change (the native gateway within a second, the Worker after the
KV sync and its caches).")]
    Ungrant(GrantArgs),
}

#[derive(Debug, clap::Args)]
pub struct GrantArgs {
    /// Route name, id or path
    reference: String,
    /// Team names or ids
    #[arg(value_name = "TEAM", required_unless_present = "all_teams")]
    teams: Vec<String>,
    /// Every team
    #[arg(long)]
    all_teams: bool,
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
    /// A team whose tokens may use the route (repeatable)
    #[arg(
        long = "team",
        value_name = "TEAM",
        required_unless_present = "all_teams"
    )]
    teams: Vec<String>,
    /// Let every team's tokens use the route
    #[arg(long, conflicts_with = "teams")]
    all_teams: bool,
    /// Approve the route for private addresses even where the server cannot
    /// resolve its upstream (system admins)
    #[arg(long)]
    private_upstream: bool,
    /// The upstream is an LLM API: record the model and token counts of its
    /// calls (openai, anthropic, none)
    #[arg(long, value_name = "API", default_value = "none")]
    llm: String,
}

impl From<AddArgs> for CreateRoute {
    fn from(a: AddArgs) -> Self {
        CreateRoute {
            name: a.name,
            path: a.path,
            upstream: a.upstream,
            tags: a.tags,
            auth: Some(a.auth),
            timeout: Some(a.timeout),
            description: a.description,
            teams: a.teams,
            all_teams: a.all_teams,
            private_upstream: a.private_upstream,
            llm: Some(a.llm),
        }
    }
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
    /// Approve the route for private addresses even where the server cannot
    /// resolve its upstream (system admins)
    #[arg(long)]
    private_upstream: bool,
    /// Send the `route.error_rate` webhook event when the share of 5xx
    /// answers in a window is above this (0.2 is 20 %); `none` stops it
    #[arg(long, value_name = "SHARE")]
    alert_error_rate: Option<String>,
    /// Mark the upstream as an LLM API (openai, anthropic) whose token
    /// counts are recorded, or not (none)
    #[arg(long, value_name = "API")]
    llm: Option<String>,
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
            input::llm(&a.llm)?;
            for t in &a.tags {
                input::tag(t)?;
            }
            for t in &a.teams {
                input::team_reference(t)?;
            }
        }
        Command::Grant(a) | Command::Ungrant(a) => {
            for t in &a.teams {
                input::team_reference(t)?;
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
            if let Some(l) = &a.llm {
                input::llm(l)?;
            }
            for t in a.tags.iter().chain(&a.add_tags) {
                input::tag(t)?;
            }
            if let Some(r) = &a.alert_error_rate {
                input::webhooks::error_rate(r)?;
            }
        }
        Command::List(_) | Command::Show(_) | Command::Tags | Command::Remove(_) => {}
    }
    Ok(())
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    validate(&command)?;
    let client = Client::connect(g).await?;
    match command {
        Command::Add(a) => {
            let route: Route = client
                .post("/v1/routes", &[], &CreateRoute::from(a))
                .await?;
            if !out.json() {
                println!("Route added.");
            }
            print_route(&out, &route);
        }
        Command::List(page) => {
            let view = View {
                noun: "routes",
                empty: Some("No routes yet. Add one with `tokenctl route add`."),
                header: &[
                    "NAME", "PATH", "UPSTREAM", "AUTH", "TAGS", "TEAMS", "TIMEOUT", "LLM",
                ],
                row: &|r: &Route| {
                    vec![
                        r.name.clone(),
                        r.path.clone(),
                        upstream_cell(r),
                        r.auth.to_string(),
                        output::list(&r.tags),
                        teams_cell(r),
                        format!("{}s", r.timeout_ms as f64 / 1000.0),
                        llm_cell(r),
                    ]
                },
                csv: None,
            };
            listing::print(&client, &out, "/v1/routes", &[], &page, view).await?;
        }
        Command::Show(a) => {
            let route: Route = client
                .get(&object_path("routes", &a.reference), &[])
                .await?;
            let curl = sample_call(&a.gateway, &route);
            if out.json() {
                out.print_json(&RouteWithSample {
                    route: &route,
                    curl: &curl,
                });
            } else {
                print_route(&out, &route);
                println!(
                    "\nTry it (a token scoped to `{}` in place of ntk_YOUR_TOKEN):",
                    route.name
                );
                println!("  {curl}");
            }
        }
        Command::Tags => {
            let routes: Vec<Route> = listing::all(&client, "/v1/routes").await?;
            let tags = tags_in_use(&routes);
            out.print_list(&tags, Some("No route has a tag yet. Add one with `tokenctl route update NAME --add-tag TAG`."), &["TAG", "ROUTES", "SCOPE"], |tag| {
                vec![
                    tag.tag.clone(),
                    output::list(&tag.routes),
                    format!("tag:{}", tag.tag),
                ]
            });
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
                private_upstream: a.private_upstream,
                alert_error_rate: a.alert_error_rate,
                llm: a.llm,
            };
            let route: Route = client
                .patch(&object_path("routes", &a.reference), &[], &body)
                .await?;
            if !out.json() {
                println!("Route updated.");
            }
            print_route(&out, &route);
        }
        Command::Grant(a) => change_grants(&client, &out, a, true).await?,
        Command::Ungrant(a) => change_grants(&client, &out, a, false).await?,
        Command::Remove(a) => {
            super::confirm(&format!("Remove route `{}`?", a.reference), a.yes)?;
            let q: Vec<(&str, String)> = if a.force {
                vec![("force", "true".into())]
            } else {
                vec![]
            };
            let removed: RouteRemoved = client
                .delete(&object_path("routes", &a.reference), &q)
                .await?;
            out.print_or(&removed, || {
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
            });
        }
    }
    Ok(())
}

async fn change_grants(client: &Client, out: &Output, a: GrantArgs, grant: bool) -> CliResult {
    let body = RouteGrants {
        teams: a.teams,
        all_teams: a.all_teams,
    };
    let verb = if grant { "grant" } else { "ungrant" };
    let route: Route = client
        .post(
            &format!("/v1/routes/{}/{verb}", segment(&a.reference)),
            &[],
            &body,
        )
        .await?;
    if !out.json() {
        println!(
            "Route `{}` is usable by: {}.",
            route.name,
            teams_cell(&route)
        );
    }
    print_route(out, &route);
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Route name, id or path
    reference: String,
    /// Gateway base URL for the sample call
    #[arg(
        long,
        env = "TOKENCTL_GATEWAY_URL",
        value_name = "URL",
        default_value = "http://127.0.0.1:8080"
    )]
    gateway: String,
}

/// `route show -o json`: the route, plus the sample call.
#[derive(serde::Serialize)]
struct RouteWithSample<'a> {
    #[serde(flatten)]
    route: &'a Route,
    curl: &'a str,
}

/// A `curl` command line that calls the route through the gateway at
/// `gateway`, quoted for POSIX shells, with a placeholder token.
fn sample_call(gateway: &str, route: &Route) -> String {
    let url = format!("{}{}", gateway.trim_end_matches('/'), route.path);
    let quote = |s: &str| {
        shlex::try_quote(s)
            .map(|q| q.into_owned())
            .unwrap_or_else(|_| s.to_string())
    };
    format!(
        "curl -H {} {}",
        quote("Authorization: Bearer ntk_YOUR_TOKEN"),
        quote(&url)
    )
}

/// One tag and the routes carrying it.
#[derive(serde::Serialize)]
struct TagUse {
    tag: String,
    routes: Vec<String>,
}

/// The tags of `routes`, sorted, each with its routes' names (sorted).
fn tags_in_use(routes: &[Route]) -> Vec<TagUse> {
    let mut by_tag: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for r in routes {
        for tag in &r.tags {
            by_tag.entry(tag).or_default().push(r.name.clone());
        }
    }
    by_tag
        .into_iter()
        .map(|(tag, mut routes)| {
            routes.sort();
            TagUse {
                tag: tag.to_string(),
                routes,
            }
        })
        .collect()
}

/// `all teams`, the team names, or `no team`.
fn teams_cell(r: &Route) -> String {
    if r.teams.iter().any(|t| t == tokenctl_server::api::ALL_TEAMS) {
        "all teams".into()
    } else if r.teams.is_empty() {
        "no team".into()
    } else {
        r.teams.join(", ")
    }
}

/// The LLM API, or `-`.
fn llm_cell(r: &Route) -> String {
    r.llm.map_or_else(|| "-".into(), |p| p.to_string())
}

/// The upstream, marked when approved for private addresses.
fn upstream_cell(r: &Route) -> String {
    match r.upstream_access {
        UpstreamAccess::Public => r.upstream.clone(),
        access => format!("{} ({access})", r.upstream),
    }
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
        ("teams", teams_cell(r)),
        (
            "addresses",
            match r.upstream_access {
                UpstreamAccess::Public => "public only".to_string(),
                UpstreamAccess::Private => "public and private (approved)".to_string(),
                UpstreamAccess::Metadata => "any, cloud metadata included (approved)".to_string(),
            },
        ),
        ("timeout", format!("{}s", r.timeout_ms as f64 / 1000.0)),
        (
            "alert error rate",
            r.alert_error_rate
                .map_or_else(|| "-".to_string(), |x| format!("above {}", x)),
        ),
        (
            "llm",
            r.llm.map_or_else(
                || "no (not an LLM API)".into(),
                |p| format!("{p} (model and tokens recorded)"),
            ),
        ),
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
