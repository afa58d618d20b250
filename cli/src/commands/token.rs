//! `tokenctl token …`

use crate::client::{object_path, Client, Globals};
use crate::error::CliResult;
use crate::listing::{self, PageArgs, View};
use crate::output::{self, Output};
use reqwest::Method;
use tokenctl_gateway::token::{Secret, SecretKind};
use tokenctl_server::api::{
    input, CreateToken, IssuedToken, RotateToken, StatusFilter, Token, UpdateToken,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Issue a token; its secret is printed once and never again
    #[command(after_long_help = "\
Examples:
  tokenctl token create --name n8n-prod --scope openai --expires 90d
  tokenctl token create --name ci --scope tag:llm --scope internal --team platform -o json
  tokenctl token create --name office --scope '*' --allow-ip 203.0.113.0/24 --rate 100/1m
  tokenctl token create --name batch --scope openai --quota 1000/day --quota-tokens 2000000/month
  tokenctl token create --name agent --scope openai --budget 25/month

Scopes: `*` (every route), a route name, or `tag:TAG` (every route with that tag).
Expiry: a duration (30d, 12h), a date (2027-01-31 = 00:00 UTC), an RFC 3339 time, or never.
Quotas and budgets count per calendar period in UTC (hour, day, month); a used-up one is
answered 429 quota_exceeded until the period ends. A budget counts what LLM calls cost at
the model prices in force (`tokenctl price set`); calls of unpriced models cost nothing.
`token show` prints what is used and left.")]
    Create(CreateArgs),
    /// List tokens, by name, a page at a time
    #[command(after_long_help = "\
Examples:
  tokenctl token list                          # the first 100, by name
  tokenctl token list --team platform --status all --limit 500
  tokenctl token list --all -o jsonl | jq -r .name
  tokenctl token list --all -o json > tokens.json")]
    List(ListArgs),
    /// Show one token: status, masked secret, scopes, last use, rotation grace,
    /// quotas with what is used and left this period.
    /// Given a token's own secret (`ntk_…`), finds the token it belongs to
    Show(RefArgs),
    /// Change a token's name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget
    #[command(after_long_help = "\
Examples:
  tokenctl token update n8n-prod --add-scope tag:llm
  tokenctl token update n8n-prod --quota 100/day         # requests per UTC day
  tokenctl token update n8n-prod --quota-tokens 500000/month --quota none
  tokenctl token update n8n-prod --budget 0.50/day       # USD of LLM calls per UTC day

Quotas: N/PERIOD with PERIOD hour, day or month (calendar periods in UTC), or `none`
to remove one. --quota counts requests, --quota-tokens LLM tokens (input plus output).
--budget USD/PERIOD counts what LLM calls cost at the prices in force (at most six
decimals); the call that crosses it completes, the next one is refused.")]
    Update(UpdateArgs),
    /// Revoke a token (it stays listed with status `revoked`, for audit and usage history)
    Revoke(RevokeArgs),
    /// Give a token a new secret, keeping its id, scopes and history
    #[command(after_long_help = "\
The old secret stops working at once, unless --grace keeps it alive for a while so
clients can switch over. Both secrets are shown by `token show` during the grace.

Retrying a rotation is safe with --idempotency-key: a retry with the same key, from
the same credential, within 24 hours, returns the same new secret instead of minting
another one (the server keeps it sealed under its master key until then). The same key
from any other credential is refused (exit 5, idempotency_key_reused). Use a random key
that the pipeline generates once and keeps for its retries, never a guessable value
such as a pipeline number.

Examples:
  tokenctl token rotate n8n-prod --grace 1h
  key=$(uuidgen)      # once per run; keep it for retries
  tokenctl token rotate n8n-prod --grace 1h --idempotency-key \"$key\" -o json")]
    Rotate(RotateArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// Unique within the team: letters, digits, `.`, `_`, `-`
    #[arg(long)]
    name: String,
    /// `*`, a route name or `tag:TAG`; repeat for several
    #[arg(long = "scope", required = true, value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Team name or id [default: your team, if you belong to exactly one]
    #[arg(long)]
    team: Option<String>,
    /// 30d, 12h, 2027-01-31, an RFC 3339 time, or never
    #[arg(long, default_value = "never")]
    expires: String,
    #[arg(long)]
    description: Option<String>,
    /// Only accept calls from these addresses or CIDRs; repeat for several
    #[arg(long = "allow-ip", value_name = "CIDR")]
    allow_ips: Vec<String>,
    /// Rate limit N/PERIOD, e.g. 100/1m
    #[arg(long, value_name = "N/PERIOD")]
    rate: Option<String>,
    /// Requests per calendar period (UTC): N/hour, N/day or N/month, e.g. 100/day
    #[arg(long, value_name = "N/PERIOD")]
    quota: Option<String>,
    /// LLM tokens (input plus output) per calendar period, e.g. 2000000/month
    #[arg(long, value_name = "N/PERIOD")]
    quota_tokens: Option<String>,
    /// USD the token's LLM calls may cost per calendar period, at the model
    /// prices in force (`tokenctl price set`), e.g. 25/month or 0.50/day
    #[arg(long, value_name = "USD/PERIOD")]
    budget: Option<String>,
    /// Accept scopes that name no existing route or tag
    #[arg(long)]
    allow_unknown_scope: bool,
}

impl From<CreateArgs> for CreateToken {
    fn from(a: CreateArgs) -> Self {
        CreateToken {
            name: a.name,
            team: a.team,
            scopes: a.scopes,
            description: a.description,
            expires: Some(a.expires),
            allow_ips: a.allow_ips,
            rate: a.rate,
            quota: a.quota,
            quota_tokens: a.quota_tokens,
            budget: a.budget,
            allow_unknown_scope: a.allow_unknown_scope,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this team (name or id)
    #[arg(long)]
    team: Option<String>,
    #[arg(long, value_enum, default_value = "active")]
    status: StatusArg,
    #[command(flatten)]
    page: PageArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StatusArg {
    Active,
    Expired,
    Revoked,
    All,
}

impl From<StatusArg> for StatusFilter {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Active => StatusFilter::Active,
            StatusArg::Expired => StatusFilter::Expired,
            StatusArg::Revoked => StatusFilter::Revoked,
            StatusArg::All => StatusFilter::All,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct RefArgs {
    /// Token id or name
    reference: String,
    /// Look the name up in this team
    #[arg(long)]
    team: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    target: RefArgs,
    /// New name
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// Replace all scopes (repeat for several)
    #[arg(long = "scope", value_name = "SCOPE", conflicts_with_all = ["add_scopes", "remove_scopes"])]
    scopes: Vec<String>,
    /// Add a scope (repeatable)
    #[arg(long = "add-scope", value_name = "SCOPE")]
    add_scopes: Vec<String>,
    /// Remove a scope (repeatable); one the token does not have is refused
    #[arg(long = "remove-scope", value_name = "SCOPE")]
    remove_scopes: Vec<String>,
    /// New expiry: 30d, 2027-01-31, an RFC 3339 time, or never
    #[arg(long)]
    expires: Option<String>,
    /// Replace the IP allow-list (repeatable)
    #[arg(
        long = "allow-ip",
        value_name = "CIDR",
        conflicts_with = "allow_any_ip"
    )]
    allow_ips: Vec<String>,
    /// Remove the IP allow-list
    #[arg(long)]
    allow_any_ip: bool,
    /// New rate limit N/PERIOD, or `none`
    #[arg(long, value_name = "N/PERIOD")]
    rate: Option<String>,
    /// Requests per calendar period (UTC), e.g. 100/day, or `none`
    #[arg(long, value_name = "N/PERIOD")]
    quota: Option<String>,
    /// LLM tokens per calendar period, e.g. 2000000/month, or `none`
    #[arg(long, value_name = "N/PERIOD")]
    quota_tokens: Option<String>,
    /// USD of LLM calls per calendar period, e.g. 25/month, or `none`
    #[arg(long, value_name = "USD/PERIOD")]
    budget: Option<String>,
    #[arg(long)]
    allow_unknown_scope: bool,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    target: RefArgs,
    /// Do not ask for confirmation (it is only asked on a terminal)
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    #[command(flatten)]
    target: RefArgs,
    /// How long the old secret keeps working, e.g. 1h [default: it stops now]
    #[arg(long, value_name = "DURATION")]
    grace: Option<String>,
    /// A random key (e.g. from uuidgen) that makes retries by this
    /// credential, within 24h, return the same new secret instead of
    /// minting again
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
}

fn team_query(team: &Option<String>) -> Vec<(&'static str, String)> {
    team.iter().map(|t| ("team", t.clone())).collect()
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    // Validate what can be validated before touching the network or the keyring.
    validate(&command)?;
    let client = Client::connect(g).await?;
    match command {
        Command::Create(a) => {
            let issued: IssuedToken = client
                .post("/v1/tokens", &[], &CreateToken::from(a))
                .await?;
            print_issued(&out, &issued, "Token created.");
        }
        Command::List(a) => {
            let mut q = team_query(&a.team);
            let status = StatusFilter::from(a.status);
            q.push((
                "status",
                serde_json::to_value(status)
                    .expect("enum")
                    .as_str()
                    .expect("string")
                    .to_string(),
            ));
            let view = View {
                noun: "tokens",
                empty: Some("No tokens match."),
                header: &[
                    "NAME",
                    "TEAM",
                    "STATUS",
                    "SCOPES",
                    "EXPIRES",
                    "LAST USED",
                    "ID",
                ],
                row: &|tok: &Token| {
                    vec![
                        tok.name.clone(),
                        tok.team.clone(),
                        tok.status.as_str().to_string(),
                        output::list(&tok.scopes),
                        output::when(tok.expires_at, "never"),
                        output::when(tok.last_used_at, "never"),
                        tok.id.to_string(),
                    ]
                },
                csv: None,
            };
            listing::print(&client, &out, "/v1/tokens", &q, &a.page, view).await?;
        }
        Command::Show(a) => {
            let token: Token = if Secret::kind_of(&a.reference) == Some(SecretKind::ApiToken) {
                // A secret travels in a request body, never in a URL.
                client
                    .post(
                        "/v1/tokens/lookup",
                        &[],
                        &serde_json::json!({ "token": a.reference }),
                    )
                    .await?
            } else {
                client
                    .get(&object_path("tokens", &a.reference), &team_query(&a.team))
                    .await?
            };
            print_token(&out, &token);
        }
        Command::Update(a) => {
            let body = UpdateToken {
                name: a.name,
                description: a.description,
                scopes: (!a.scopes.is_empty()).then_some(a.scopes),
                add_scopes: a.add_scopes,
                remove_scopes: a.remove_scopes,
                expires: a.expires,
                allow_ips: if a.allow_any_ip {
                    Some(vec![])
                } else {
                    (!a.allow_ips.is_empty()).then_some(a.allow_ips)
                },
                rate: a.rate,
                quota: a.quota,
                quota_tokens: a.quota_tokens,
                budget: a.budget,
                allow_unknown_scope: a.allow_unknown_scope,
            };
            let token: Token = client
                .patch(
                    &object_path("tokens", &a.target.reference),
                    &team_query(&a.target.team),
                    &body,
                )
                .await?;
            if !out.json() {
                println!("Token updated.");
            }
            print_token(&out, &token);
        }
        Command::Revoke(a) => {
            super::confirm(
                &format!(
                    "Revoke token `{}`? Clients using it will be refused",
                    a.target.reference
                ),
                a.yes,
            )?;
            let token: Token = client
                .post(
                    &(object_path("tokens", &a.target.reference) + "/revoke"),
                    &team_query(&a.target.team),
                    &serde_json::json!({}),
                )
                .await?;
            out.print_or(&token, || {
                println!(
                    "Revoked token `{}` ({}) of team `{}`.",
                    token.name, token.id, token.team
                );
            });
        }
        Command::Rotate(a) => {
            let issued: IssuedToken = client
                .request(
                    Method::POST,
                    &(object_path("tokens", &a.target.reference) + "/rotate"),
                    &team_query(&a.target.team),
                    Some(&RotateToken { grace: a.grace }),
                    a.idempotency_key.as_deref(),
                )
                .await?;
            let note = match &issued.info.previous_secret {
                Some(p) => format!(
                    "Token rotated. The old secret {} keeps working until {}.",
                    p.hint,
                    output::when(Some(p.expires_at), "")
                ),
                None => "Token rotated. The old secret no longer works.".to_string(),
            };
            print_issued(&out, &issued, &note);
        }
    }
    Ok(())
}

fn validate(command: &Command) -> CliResult {
    let now = tokenctl_server::api::now();
    match command {
        Command::Create(a) => {
            input::name("token", &a.name)?;
            for s in &a.scopes {
                input::scope(s)?;
            }
            input::expiry(&a.expires, now)?;
            for ip in &a.allow_ips {
                input::cidr(ip)?;
            }
            if let Some(r) = &a.rate {
                input::rate_limit(r)?;
            }
            validate_quotas(
                a.quota.as_deref(),
                a.quota_tokens.as_deref(),
                a.budget.as_deref(),
            )?;
            if let Some(d) = &a.description {
                input::description(d)?;
            }
        }
        Command::Update(a) => {
            if let Some(n) = &a.name {
                input::name("token", n)?;
            }
            for s in a.scopes.iter().chain(&a.add_scopes) {
                input::scope(s)?;
            }
            if let Some(e) = &a.expires {
                input::expiry(e, now)?;
            }
            for ip in &a.allow_ips {
                input::cidr(ip)?;
            }
            if let Some(r) = a.rate.as_deref().filter(|r| r.trim() != "none") {
                input::rate_limit(r)?;
            }
            validate_quotas(
                a.quota.as_deref(),
                a.quota_tokens.as_deref(),
                a.budget.as_deref(),
            )?;
        }
        Command::Rotate(a) => {
            if let Some(grace) = &a.grace {
                input::duration("grace", grace)?;
            }
        }
        Command::Show(a) => {
            if Secret::kind_of(&a.reference) == Some(SecretKind::ApiToken) {
                Secret::parse(SecretKind::ApiToken, &a.reference)?;
            }
        }
        Command::List(_) | Command::Revoke(_) => {}
    }
    Ok(())
}

/// `--quota`, `--quota-tokens` and `--budget` by the server's own rules.
pub(super) fn validate_quotas(
    quota: Option<&str>,
    quota_tokens: Option<&str>,
    budget: Option<&str>,
) -> CliResult {
    use tokenctl_gateway::quota::QuotaKind;
    for (kind, value) in [
        (QuotaKind::Requests, quota),
        (QuotaKind::LlmTokens, quota_tokens),
        (QuotaKind::Budget, budget),
    ] {
        if let Some(v) = value {
            input::quota(kind, v)?;
        }
    }
    Ok(())
}

impl From<tokenctl_gateway::token::FormatError> for crate::error::CliError {
    fn from(e: tokenctl_gateway::token::FormatError) -> Self {
        crate::error::CliError::new(
            crate::error::Exit::Usage,
            tokenctl_gateway::code::MALFORMED_TOKEN,
            e.to_string(),
        )
    }
}

fn print_issued(out: &Output, issued: &IssuedToken, note: &str) {
    if out.json() {
        out.print_json(issued);
        return;
    }
    println!("{note}");
    println!(
        "{}\n\n    {}\n",
        out.warn("Copy the token now: it is shown only this once and cannot be retrieved later."),
        issued.token
    );
    print_token(out, &issued.info);
}

fn print_token(out: &Output, t: &Token) {
    if out.json() {
        out.print_json(t);
        return;
    }
    let mut rows = vec![
        ("id", t.id.to_string()),
        ("name", t.name.clone()),
        ("team", t.team.clone()),
        ("status", t.status.as_str().to_string()),
        ("secret", t.secret_hint.clone()),
    ];
    if let Some(p) = &t.previous_secret {
        rows.push((
            "previous secret",
            format!(
                "{} (works until {})",
                p.hint,
                output::when(Some(p.expires_at), "")
            ),
        ));
    }
    rows.extend([
        ("scopes", output::list(&t.scopes)),
        ("expires", output::when(t.expires_at, "never")),
        ("last used", output::when(t.last_used_at, "never")),
        (
            "allowed IPs",
            if t.allow_ips.is_empty() {
                "any".to_string()
            } else {
                t.allow_ips
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        (
            "rate limit",
            t.rate_limit
                .map(|r| r.to_string())
                .unwrap_or_else(|| "none".into()),
        ),
        ("quotas", super::quotas::summary(&t.quotas)),
        (
            "description",
            if t.description.is_empty() {
                "-".into()
            } else {
                t.description.clone()
            },
        ),
        (
            "created",
            format!(
                "{} by {}",
                output::when(Some(t.created_at), ""),
                t.created_by.as_deref().unwrap_or("-")
            ),
        ),
    ]);
    if let Some(r) = t.rotated_at {
        rows.push(("rotated", output::when(Some(r), "")));
    }
    if let Some(r) = t.revoked_at {
        rows.push(("revoked", output::when(Some(r), "")));
    }
    println!("{}", out.fields(rows));
    if let Some(usage) = t.quota_usage.as_deref().filter(|u| !u.is_empty()) {
        println!("\n{}", super::quotas::table(out, usage));
    }
}
