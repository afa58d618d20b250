//! `tokenctl team …`

use crate::client::{object_path, segment, Client, Globals};
use crate::error::CliResult;
use crate::listing::{self, PageArgs, View};
use crate::output::{self, Output};
use tokenctl_server::api::{
    input, CreateTeam, Role, SetMember, Team, TeamDeleted, TeamDetail, TeamMember, TeamSummary,
    UpdateTeam,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a team (global admins)
    #[command(after_long_help = "\
Examples:
  tokenctl team create platform --description 'Platform engineering' --admin alice
  tokenctl team member add platform bob developer")]
    Create {
        /// Lowercase letters, digits and `-`
        name: String,
        #[arg(long)]
        description: Option<String>,
        /// A user (name or id) to make the team's first admin
        #[arg(long, value_name = "USER")]
        admin: Option<String>,
    },
    /// List the teams you can see, with their members and active tokens, by
    /// name, a page at a time
    List(PageArgs),
    /// Show a team and its members
    Show { team: String },
    /// Rename a team or change its description (team admins), or its quotas and budget
    /// (global admins)
    #[command(after_long_help = "\
Examples:
  tokenctl team update platform --description 'Platform engineering'
  tokenctl team update research --quota 50000/month      # all the team's tokens together
  tokenctl team update research --quota-tokens none
  tokenctl team update research --budget 500/month       # USD of LLM calls, all tokens

Quotas: N/PERIOD with PERIOD hour, day or month (calendar periods in UTC), or `none`.
Budgets: USD/PERIOD (at most six decimals) at the model prices in force, or `none`.
A request must fit both its token's and its team's quotas; over either, the gateway
answers 429 quota_exceeded until the period ends.")]
    Update(UpdateArgs),
    /// Delete a team (team admins); refused while it has tokens that are not revoked
    ///
    /// Pending invitations into the team are revoked with it, so their codes
    /// no longer enrol anyone.
    Delete {
        team: String,
        /// Revoke the team's tokens with it, in the same transaction
        #[arg(long)]
        revoke_tokens: bool,
        /// Do not ask for confirmation (it is only asked on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Add, change or remove team members
    #[command(subcommand)]
    Member(MemberCommand),
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    team: String,
    /// New name
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// Requests of all the team's tokens per calendar period (UTC), e.g. 50000/month, or `none`
    #[arg(long, value_name = "N/PERIOD")]
    quota: Option<String>,
    /// LLM tokens of the team per calendar period, e.g. 20000000/month, or `none`
    #[arg(long, value_name = "N/PERIOD")]
    quota_tokens: Option<String>,
    /// USD the LLM calls of all the team's tokens may cost per calendar period,
    /// e.g. 500/month, or `none`
    #[arg(long, value_name = "USD/PERIOD")]
    budget: Option<String>,
}

impl From<UpdateArgs> for UpdateTeam {
    fn from(a: UpdateArgs) -> Self {
        UpdateTeam {
            name: a.name,
            description: a.description,
            quota: a.quota,
            quota_tokens: a.quota_tokens,
            budget: a.budget,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum MemberCommand {
    /// Add a user to a team with a role
    Add {
        team: String,
        user: String,
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Change a member's role
    SetRole {
        team: String,
        user: String,
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Remove a member from a team
    Remove {
        team: String,
        user: String,
        /// Do not ask for confirmation (it is only asked on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Viewer,
    Developer,
    Manager,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Developer => Role::Developer,
            RoleArg::Manager => Role::Manager,
            RoleArg::Admin => Role::Admin,
        }
    }
}

fn member_path(team: &str, user: &str) -> String {
    format!("/v1/teams/{}/members/{}", segment(team), segment(user))
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    match &command {
        Command::Create {
            name, description, ..
        } => {
            input::team_name(name)?;
            if let Some(d) = description {
                input::description(d)?;
            }
        }
        Command::Update(a) => {
            if let Some(n) = &a.name {
                input::team_name(n)?;
            }
            super::token::validate_quotas(
                a.quota.as_deref(),
                a.quota_tokens.as_deref(),
                a.budget.as_deref(),
            )?;
        }
        _ => {}
    }
    let client = Client::connect(g).await?;
    match command {
        Command::Create {
            name,
            description,
            admin,
        } => {
            let team: TeamDetail = client
                .post(
                    "/v1/teams",
                    &[],
                    &CreateTeam {
                        name,
                        description,
                        admin,
                    },
                )
                .await?;
            if !out.json() {
                println!("Team created.");
            }
            print_team(&out, &team);
        }
        Command::List(page) => {
            let view = View {
                noun: "teams",
                empty: None,
                header: &[
                    "NAME",
                    "MEMBERS",
                    "TOKENS",
                    "SYSTEM",
                    "DESCRIPTION",
                    "CREATED",
                    "ID",
                ],
                row: &|s: &TeamSummary| {
                    let team = &s.team;
                    vec![
                        team.name.clone(),
                        output::count(s.members),
                        output::count(s.tokens),
                        if team.system { "yes" } else { "" }.to_string(),
                        team.description.clone(),
                        output::when(Some(team.created_at), ""),
                        team.id.to_string(),
                    ]
                },
                csv: None,
            };
            listing::print(&client, &out, "/v1/teams", &[], &page, view).await?;
        }
        Command::Show { team } => {
            let team: TeamDetail = client.get(&object_path("teams", &team), &[]).await?;
            print_team(&out, &team);
        }
        Command::Update(a) => {
            let path = object_path("teams", &a.team);
            let updated: Team = client.patch(&path, &[], &UpdateTeam::from(a)).await?;
            out.print_or(&updated, || {
                println!("Team `{}` updated.", updated.name);
            });
        }
        Command::Delete {
            team,
            revoke_tokens,
            yes,
        } => {
            let question = if revoke_tokens {
                format!("Delete team `{team}` and revoke all its tokens?")
            } else {
                format!("Delete team `{team}`?")
            };
            super::confirm(&question, yes)?;
            let q: Vec<(&str, String)> = if revoke_tokens {
                vec![("revoke_tokens", "true".into())]
            } else {
                vec![]
            };
            let deleted: TeamDeleted = client.delete(&object_path("teams", &team), &q).await?;
            out.print_or(&deleted, || {
                println!(
                    "Deleted team `{}`; {} token(s) revoked with it.",
                    deleted.team.name,
                    deleted.revoked_tokens.len()
                );
            });
        }
        Command::Member(m) => {
            let (member, verb): (TeamMember, &str) = match m {
                MemberCommand::Add { team, user, role }
                | MemberCommand::SetRole { team, user, role } => (
                    client
                        .put(&member_path(&team, &user), &SetMember { role: role.into() })
                        .await?,
                    "is now",
                ),
                MemberCommand::Remove { team, user, yes } => {
                    super::confirm(&format!("Remove `{user}` from team `{team}`?"), yes)?;
                    (
                        client.delete(&member_path(&team, &user), &[]).await?,
                        "was removed; their role was",
                    )
                }
            };
            out.print_or(&member, || {
                println!("`{}` {verb} {}.", member.user, member.role);
            });
        }
    }
    Ok(())
}

fn print_team(out: &Output, t: &TeamDetail) {
    if out.json() {
        out.print_json(t);
        return;
    }
    println!(
        "{}",
        out.fields(vec![
            ("id", t.team.id.to_string()),
            ("name", t.team.name.clone()),
            (
                "system",
                if t.team.system { "yes" } else { "no" }.to_string()
            ),
            (
                "description",
                if t.team.description.is_empty() {
                    "-".into()
                } else {
                    t.team.description.clone()
                }
            ),
            ("tokens", format!("{} not revoked", t.live_tokens)),
            ("quotas", super::quotas::summary(&t.team.quotas)),
            ("created", output::when(Some(t.team.created_at), "")),
        ])
    );
    if let Some(usage) = t.quota_usage.as_deref().filter(|u| !u.is_empty()) {
        println!("\n{}", super::quotas::table(out, usage));
    }
    if t.members.is_empty() {
        println!("\nNo members.");
        return;
    }
    let mut table = out.table(&["MEMBER", "ROLE", "E-MAIL", "ADDED"]);
    for m in &t.members {
        table.add_row(vec![
            m.user.clone(),
            m.role.to_string(),
            m.email.clone().unwrap_or_else(|| "-".into()),
            output::when(Some(m.added_at), ""),
        ]);
    }
    println!("\n{table}");
}
