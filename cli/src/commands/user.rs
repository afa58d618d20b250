//! `tokenctl user …`: operators, and invitations for new ones.

use crate::client::{object_path, Client, Globals};
use crate::error::CliResult;
use crate::listing::{self, PageArgs, View};
use crate::output::{self, Output};
use tokenctl_server::api::{
    input, CreateInvitation, CreateUser, CreatedInvitation, CreatedUser, Invitation, UpdateUser,
    UserInfo, UserSummary,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user (global admins); prints their first credential once
    #[command(after_long_help = "\
Examples:
  tokenctl user create alice --email alice@example.com --role platform:manager
  tokenctl user create ci-bot --role platform:developer -o json | jq -r .secret

The first credential never expires, unless the server sets --max-credential-ttl.")]
    Create {
        /// Letters, digits, `.`, `_`, `-`
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// TEAM:ROLE (repeatable), e.g. platform:developer
        #[arg(long = "role", value_name = "TEAM:ROLE")]
        roles: Vec<String>,
        /// Make the user a global admin
        #[arg(long)]
        global_admin: bool,
    },
    /// List the users you can see, with when they were last active
    ///
    /// Last active is when one of the user's admin credentials was last
    /// used, signing in included (recorded to the minute). By name, a page
    /// at a time.
    List(PageArgs),
    /// Show a user and their team roles
    Show { user: String },
    /// Change a user's e-mail or global-admin flag (global admins)
    Update(UpdateArgs),
    /// Disable a user: their credentials stop working at once (global admins)
    Disable {
        user: String,
        /// Do not ask for confirmation (it is only asked on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Enable a disabled user again (global admins)
    Enable { user: String },
    /// Invite someone: prints a one-time code for `tokenctl login --enrol CODE`
    #[command(after_long_help = "\
The invitee runs:
  tokenctl login --server URL --enrol tke_… [--store file]
which creates their user with the invited roles and stores their first credential.
A code works once, before it expires (default 7d, at most 30d). You can only invite
into roles you could grant directly.

Examples:
  tokenctl user invite bob@example.com --role platform:developer
  tokenctl user invite carol@example.com --name carol --role platform:viewer --expires 24h")]
    Invite {
        email: String,
        /// User name for the new user [default: the e-mail's local part]
        #[arg(long)]
        name: Option<String>,
        /// TEAM:ROLE (repeatable)
        #[arg(long = "role", value_name = "TEAM:ROLE")]
        roles: Vec<String>,
        #[arg(long)]
        global_admin: bool,
        /// How long the code works, e.g. 24h or 7d
        #[arg(long, default_value = "7d")]
        expires: String,
    },
    /// List invitations (yours; all for global admins)
    Invitations,
    /// Revoke an unused invitation by id
    Uninvite { id: uuid::Uuid },
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    user: String,
    /// New e-mail; an empty string clears it
    #[arg(long)]
    email: Option<String>,
    #[arg(long, value_name = "true|false")]
    global_admin: Option<bool>,
}

impl From<UpdateArgs> for UpdateUser {
    fn from(a: UpdateArgs) -> Self {
        UpdateUser {
            email: a.email,
            global_admin: a.global_admin,
        }
    }
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    match &command {
        Command::Create {
            name, email, roles, ..
        } => {
            input::name("user", name)?;
            if let Some(e) = email {
                input::email(e)?;
            }
            for r in roles {
                input::team_role(r)?;
            }
        }
        Command::Invite {
            email,
            name,
            roles,
            expires,
            ..
        } => {
            input::email(email)?;
            if let Some(n) = name {
                input::name("user", n)?;
            }
            for r in roles {
                input::team_role(r)?;
            }
            input::expiry(expires, tokenctl_server::api::now())?;
        }
        _ => {}
    }
    let client = Client::connect(g).await?;
    match command {
        Command::Create {
            name,
            email,
            roles,
            global_admin,
        } => {
            let created: CreatedUser = client
                .post(
                    "/v1/users",
                    &[],
                    &CreateUser {
                        name,
                        email,
                        roles,
                        global_admin,
                    },
                )
                .await?;
            out.print_or(&created, || {
                println!(
                    "User `{}` created. {}\n\n    {}\n",
                    created.user.user.name,
                    out.warn(
                        "Their first credential is shown only this once; hand it over safely:"
                    ),
                    created.secret
                );
                print_user(&out, &created.user);
            });
        }
        Command::List(page) => {
            let view = View {
                noun: "users",
                empty: None,
                header: &[
                    "NAME",
                    "E-MAIL",
                    "TEAMS",
                    "GLOBAL ADMIN",
                    "STATUS",
                    "LAST ACTIVE",
                ],
                row: &|s: &UserSummary| {
                    let u = &s.info;
                    vec![
                        u.user.name.clone(),
                        u.user.email.clone().unwrap_or_else(|| "-".into()),
                        teams(u),
                        if u.user.global_admin { "yes" } else { "" }.into(),
                        if u.user.disabled_at.is_some() {
                            "disabled"
                        } else {
                            "active"
                        }
                        .into(),
                        output::ago(s.last_active_at, "never"),
                    ]
                },
                csv: None,
            };
            listing::print(&client, &out, "/v1/users", &[], &page, view).await?;
        }
        Command::Show { user } => {
            let u: UserInfo = client.get(&object_path("users", &user), &[]).await?;
            print_user(&out, &u);
        }
        Command::Update(a) => {
            let path = object_path("users", &a.user);
            let u: UserInfo = client.patch(&path, &[], &UpdateUser::from(a)).await?;
            if !out.json() {
                println!("User updated.");
            }
            print_user(&out, &u);
        }
        Command::Disable { user, yes } => {
            super::confirm(
                &format!("Disable `{user}`? Their credentials stop working at once"),
                yes,
            )?;
            let u: UserInfo = client
                .action(&(object_path("users", &user) + "/disable"))
                .await?;
            out.print_or(&u, || {
                println!("Disabled `{}`.", u.user.name);
            });
        }
        Command::Enable { user } => {
            let u: UserInfo = client
                .action(&(object_path("users", &user) + "/enable"))
                .await?;
            out.print_or(&u, || {
                println!("Enabled `{}`.", u.user.name);
            });
        }
        Command::Invite {
            email,
            name,
            roles,
            global_admin,
            expires,
        } => {
            let created: CreatedInvitation = client
                .post(
                    "/v1/invitations",
                    &[],
                    &CreateInvitation {
                        email,
                        name,
                        roles,
                        global_admin,
                        expires: Some(expires),
                    },
                )
                .await?;
            out.print_or(&created, || {
            let inv = &created.invitation;
            println!(
                "Invitation for {} (user `{}`) created; it works once, until {}.\n{}\n\n    tokenctl login --server {} --enrol {}\n",
                inv.email,
                inv.user,
                output::when(Some(inv.expires_at), ""),
                out.warn("The code is shown only this once. Send the invitee:"),
                client.base,
                created.code
            );
            });
        }
        Command::Invitations => {
            let list: Vec<Invitation> = client.get("/v1/invitations", &[]).await?;
            out.print_or(&list, || {
                let mut t =
                    out.table(&["E-MAIL", "USER", "ROLES", "STATUS", "EXPIRES", "BY", "ID"]);
                for i in &list {
                    t.add_row(vec![
                        i.email.clone(),
                        i.user.clone(),
                        output::list(
                            &i.roles
                                .iter()
                                .map(|r| format!("{}:{}", r.team, r.role))
                                .collect::<Vec<_>>(),
                        ),
                        i.status.clone(),
                        output::when(Some(i.expires_at), ""),
                        i.created_by.clone().unwrap_or_else(|| "-".into()),
                        i.id.to_string(),
                    ]);
                }
                println!("{t}");
            });
        }
        Command::Uninvite { id } => {
            let i: Invitation = client.delete(&format!("/v1/invitations/{id}"), &[]).await?;
            out.print_or(&i, || {
                println!("Revoked the invitation for {}.", i.email);
            });
        }
    }
    Ok(())
}

fn teams(u: &UserInfo) -> String {
    output::list(
        &u.teams
            .iter()
            .map(|t| format!("{}:{}", t.team, t.role))
            .collect::<Vec<_>>(),
    )
}

fn print_user(out: &Output, u: &UserInfo) {
    if out.json() {
        out.print_json(u);
        return;
    }
    println!(
        "{}",
        out.fields(vec![
            ("id", u.user.id.to_string()),
            ("name", u.user.name.clone()),
            ("e-mail", u.user.email.clone().unwrap_or_else(|| "-".into())),
            (
                "global admin",
                if u.user.global_admin { "yes" } else { "no" }.into()
            ),
            (
                "status",
                match u.user.disabled_at {
                    Some(t) => format!("disabled {}", output::when(Some(t), "")),
                    None => "active".into(),
                }
            ),
            ("teams", teams(u)),
            ("created", output::when(Some(u.user.created_at), "")),
        ])
    );
}
