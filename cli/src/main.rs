//! `tokenctl`: issue, scope, rotate and revoke API tokens for teams, and run
//! the tokenctl server.

mod allocator;
mod client;
mod commands;
mod config;
mod error;
mod listing;
mod output;
mod settings;

/// The build script's own tests (dates, version line), run with the
/// binary's unit tests.
#[cfg(test)]
#[path = "../build.rs"]
#[allow(dead_code)]
mod build_script;

/// The gateway allocates and frees on every request (header maps, bodies,
/// usage records): mimalloc costs fewer instructions per allocation than
/// glibc's malloc (`docs/gateway.md`, "Performance").
#[global_allocator]
static ALLOCATOR: allocator::MiMalloc = allocator::MiMalloc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use client::Globals;
use error::{CliResult, EXIT_CODES_HELP};

const ABOUT: &str = "Issue, scope, rotate and revoke API tokens for teams.";

const LONG_ABOUT: &str = "\
Issue, scope, rotate and revoke API tokens for teams.

tokenctl keeps upstream credentials (OpenAI keys, basic-auth passwords, …) on
the server and hands clients `ntk_` tokens instead: scoped to routes, with an
expiry, revocable, rotatable with a grace period, and audited.

Start here:
  tokenctl dev                                # local server on SQLite, logged in
  tokenctl secret set OPENAI_KEY --host api.openai.com
  tokenctl route add openai --path /api/openai --upstream https://api.openai.com/v1 \\
      --auth bearer:OPENAI_KEY --all-teams
  tokenctl token create --name n8n-prod --scope openai --expires 90d";

#[derive(Debug, Parser)]
#[command(name = "tokenctl", version = commands::version::LINE, about = ABOUT, long_about = LONG_ABOUT, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the control plane: database, admin API, audit log
    Server(Box<commands::server::Args>),
    /// Run the self-hosted gateway: verify tokens, inject upstream credentials, proxy
    Gateway(commands::gateway::Args),
    /// Start a local server and gateway on SQLite, bootstrapped, with a `dev` profile
    Dev(commands::dev::Args),
    /// Store an admin credential for a server (OS keyring, or --store file)
    Login(commands::login::LoginArgs),
    /// Forget the stored credential of a profile
    Logout,
    /// Show the server, your identity and where your credential lives
    Status,
    /// Show who the credential belongs to and your team roles
    Whoami,
    /// Issue, list, show, update, rotate and revoke API tokens
    #[command(subcommand)]
    Token(commands::token::Command),
    /// Routes: path prefixes, their upstreams and upstream auth
    #[command(subcommand)]
    Route(commands::route::Command),
    /// Upstream secrets, encrypted at rest and never shown again
    #[command(subcommand)]
    Secret(commands::secret::Command),
    /// Teams and their members
    #[command(subcommand)]
    Team(commands::team::Command),
    /// Users (operators) and invitations
    #[command(subcommand)]
    User(commands::user::Command),
    /// Your admin credentials
    #[command(subcommand)]
    Credential(commands::credential::Command),
    /// The audit log of every change
    #[command(subcommand)]
    Audit(commands::audit::Command),
    /// Usage reports: calls, errors, latency, trends (tables and sparklines)
    Usage(commands::usage::Args),
    /// Model prices in USD per million tokens, for the costs in usage reports
    #[command(subcommand)]
    Price(commands::price::Command),
    /// The dashboard: counts, tokens per team, tokens expiring soon, recent activity
    Overview(commands::usage::Watch),
    /// The server's (and gateways') detailed health; exits 1 when degraded
    Health(commands::health::Args),
    /// Find tokens, routes, teams and users you may see
    Search(commands::search::Args),
    /// Credentials for gateways (`tokenctl gateway`, the Cloudflare Worker)
    #[command(subcommand, name = "gateway-key")]
    GatewayKey(commands::gateway_key::Command),
    /// The Cloudflare KV copy the Worker reads: status, push, export
    #[command(subcommand)]
    Sync(commands::sync::Command),
    /// Signed webhooks: tokens expiring, KV sync failing, roll-ups lagging, route errors
    #[command(subcommand)]
    Webhook(commands::webhook::Command),
    /// Print shell completions (bash, zsh, fish, powershell)
    Completions(commands::completions::Args),
    /// Print manual pages (roff), or write them all into a directory
    Man(commands::man::Args),
    /// Show the version, git commit and build date (`-o json` for scripts)
    Version,
}

async fn run(cli: Cli) -> CliResult {
    let g = &cli.globals;
    if g.format == output::Format::Csv
        && !matches!(cli.command, Command::Audit(_) | Command::Usage(_))
    {
        return Err(error::CliError::usage(
            "-o csv is for reports (audit list, usage); use -o json here",
        ));
    }
    match cli.command {
        Command::Server(args) => commands::server::run(*args).await,
        Command::Gateway(args) => commands::gateway::run(g, args).await,
        Command::Dev(args) => commands::dev::run(g, args).await,
        Command::Login(args) => commands::login::login(g, args).await,
        Command::Logout => commands::login::logout(g).await,
        Command::Status => commands::login::status(g).await,
        Command::Whoami => commands::login::whoami(g).await,
        Command::Token(c) => commands::token::run(g, c).await,
        Command::Route(c) => commands::route::run(g, c).await,
        Command::Secret(c) => commands::secret::run(g, c).await,
        Command::Team(c) => commands::team::run(g, c).await,
        Command::User(c) => commands::user::run(g, c).await,
        Command::Credential(c) => commands::credential::run(g, c).await,
        Command::Audit(c) => commands::audit::run(g, c).await,
        Command::Usage(args) => commands::usage::run(g, args).await,
        Command::Price(c) => commands::price::run(g, c).await,
        Command::Overview(watch) => commands::usage::overview(g, watch).await,
        Command::Health(args) => commands::health::run(g, args).await,
        Command::Search(args) => commands::search::run(g, args).await,
        Command::GatewayKey(c) => commands::gateway_key::run(g, c).await,
        Command::Sync(c) => commands::sync::run(g, c).await,
        Command::Webhook(c) => commands::webhook::run(g, c).await,
        Command::Completions(args) => commands::completions::run(Cli::command(), args),
        Command::Man(args) => commands::man::run(Cli::command(), args),
        Command::Version => commands::version::run(g),
    }
}

/// Whether the command line (or environment) asks for JSON output; used
/// before clap has parsed anything, to report usage errors as JSON too.
fn wants_json(args: &[String]) -> bool {
    let json = |v: &str| v == "json" || v == "jsonl";
    let from_env = std::env::var("TOKENCTL_OUTPUT").is_ok_and(|v| json(&v));
    from_env
        || args
            .windows(2)
            .any(|w| (w[0] == "-o" || w[0] == "--output") && json(&w[1]))
        || args.iter().any(|a| {
            a.strip_prefix("--output=")
                .or_else(|| a.strip_prefix("-o"))
                .is_some_and(json)
        })
}

/// Reports a usage error the way the command line asked (JSON or text)
/// and exits.
fn exit_with(e: clap::Error, args: &[String]) -> ! {
    if e.use_stderr() && wants_json(args) {
        let rendered = e.render().to_string();
        let message = rendered
            .lines()
            .next()
            .unwrap_or("invalid usage")
            .trim_start_matches("error: ")
            .to_string();
        let err = error::CliError::new(error::Exit::Usage, "usage", message);
        output::Output::new(output::Format::Json).print_error(&err);
        std::process::exit(err.exit as i32);
    }
    e.exit()
}

/// The command line, with the settings of `server` and `gateway` completed
/// from their `--config` file.
fn parse() -> Cli {
    let args: Vec<String> = std::env::args().collect();
    let (matches, origins) = match settings::parse(Cli::command(), &args) {
        Ok(parsed) => parsed,
        Err(settings::ParseError::Clap(e)) => exit_with(e, &args),
        Err(settings::ParseError::File(err)) => {
            let format = if wants_json(&args) {
                output::Format::Json
            } else {
                output::Format::Table
            };
            output::Output::new(format).print_error(&err);
            std::process::exit(err.exit as i32);
        }
    };
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| exit_with(e, &args));
    match &mut cli.command {
        Command::Server(a) => a.origins = origins,
        Command::Gateway(a) => a.origins = origins,
        Command::Dev(a) => a.origins = origins,
        _ => {}
    }
    cli
}

fn main() {
    let cli = parse();
    let out = cli.globals.output();
    if let Err(e) = client::trust_ca(cli.globals.ca_cert.as_deref()) {
        out.print_error(&e);
        std::process::exit(e.exit as i32);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts");
    if let Err(e) = runtime.block_on(run(cli)) {
        out.print_error(&e);
        std::process::exit(e.exit as i32);
    }
}
