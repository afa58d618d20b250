//! `tokenctl team …`

use crate::client::{Client, Globals};
use crate::error::CliResult;
use crate::output;
use tokenctl_server::api::Team;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the teams you can see
    List,
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    let client = Client::connect(g).await?;
    match command {
        Command::List => {
            let teams: Vec<Team> = client.get("/v1/teams", &[]).await?;
            if out.json() {
                out.print_json(&teams);
            } else {
                let mut t = out.table(&["NAME", "SYSTEM", "DESCRIPTION", "CREATED", "ID"]);
                for team in &teams {
                    t.add_row(vec![
                        team.name.clone(),
                        if team.system { "yes" } else { "" }.to_string(),
                        team.description.clone(),
                        output::when(Some(team.created_at), ""),
                        team.id.to_string(),
                    ]);
                }
                println!("{t}");
            }
        }
    }
    Ok(())
}
