//! `tokenctl completions SHELL`

use crate::error::{CliError, CliResult};
use clap_complete::Shell;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  tokenctl completions bash > ~/.local/share/bash-completion/completions/tokenctl
  tokenctl completions zsh > \"${fpath[1]}/_tokenctl\"
  tokenctl completions fish > ~/.config/fish/completions/tokenctl.fish")]
pub struct Args {
    /// bash, zsh, fish or powershell
    #[arg(value_enum, required_unless_present = "write_dir")]
    shell: Option<Shell>,
    /// Write the completion files for every shell into this directory
    #[arg(long, hide = true, value_name = "DIR")]
    write_dir: Option<PathBuf>,
}

pub const SHELLS: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell];

pub fn run(mut command: clap::Command, args: Args) -> CliResult {
    if let Some(dir) = args.write_dir {
        std::fs::create_dir_all(&dir)?;
        for shell in SHELLS {
            clap_complete::generate_to(shell, &mut command, "tokenctl", &dir)
                .map_err(|e| CliError::failure(format!("cannot write completions: {e}")))?;
        }
        return Ok(());
    }
    let shell = args.shell.expect("clap requires a shell");
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "tokenctl", &mut script);
    // `tokenctl completions zsh | head` closes the pipe early: not an error.
    match std::io::Write::write_all(&mut std::io::stdout(), &script) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
