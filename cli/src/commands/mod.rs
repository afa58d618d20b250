//! One module per top-level command.

pub mod audit;
pub mod completions;
pub mod credential;
pub mod dev;
pub mod gateway;
pub mod gateway_key;
pub mod health;
pub mod login;
pub mod man;
pub mod price;
mod quotas;
pub mod route;
pub mod search;
pub mod secret;
pub mod server;
pub mod sync;
pub mod team;
pub mod token;
pub mod usage;
pub mod user;
pub mod version;
pub mod webhook;

use crate::error::{CliError, CliResult};
use std::io::IsTerminal;

/// Asks "proceed?" on a terminal; off a terminal (scripts, CI) it never
/// prompts and proceeds.
pub fn confirm(question: &str, assume_yes: bool) -> CliResult<()> {
    if assume_yes || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(());
    }
    let yes = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| CliError::failure(format!("cannot read the answer: {e}")))?;
    if yes {
        Ok(())
    } else {
        Err(CliError::failure("cancelled"))
    }
}

/// Reads a secret: hidden prompt on a terminal, else all of stdin.
pub fn read_secret(prompt: &str) -> CliResult<String> {
    let value = if std::io::stdin().is_terminal() {
        dialoguer::Password::new()
            .with_prompt(prompt)
            .interact()
            .map_err(|e| CliError::failure(format!("cannot read input: {e}")))?
    } else {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
        s
    };
    let value = value.trim_end_matches(['\r', '\n']).to_string();
    if value.trim().is_empty() {
        return Err(CliError::usage(
            "no value given: stdin was empty (pipe the value in, or run on a terminal to be prompted)",
        ));
    }
    Ok(value)
}
