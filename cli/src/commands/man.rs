//! `tokenctl man`: manual pages, generated from the same definitions as
//! `--help` and the shell completions.

use crate::error::{CliError, CliResult};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  tokenctl man | man -l -                       # tokenctl(1)
  tokenctl man token create | man -l -          # tokenctl-token-create(1)
  sudo tokenctl man --write-dir /usr/local/share/man/man1

The pages are also in the repository, under docs/man/.")]
pub struct Args {
    /// The command whose page to print, e.g. `token create`
    /// [default: tokenctl itself]
    #[arg(value_name = "COMMAND")]
    command: Vec<String>,
    /// Write the page of every command into this directory instead:
    /// tokenctl.1, tokenctl-token.1, tokenctl-token-create.1, …
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    write_dir: Option<PathBuf>,
}

/// One manual page: its file name and its roff source.
pub struct Page {
    pub file_name: String,
    pub roff: Vec<u8>,
}

/// The command tree as the manual shows it: the plain crate version, so
/// that the pages do not change with every commit or build date, and no
/// `help` subcommand.
fn for_manual(command: clap::Command) -> clap::Command {
    let mut command = command
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    command.build();
    command
}

fn page(command: &clap::Command) -> std::io::Result<Page> {
    let man = clap_mangen::Man::new(command.clone())
        .source(concat!("tokenctl ", env!("CARGO_PKG_VERSION")))
        .manual("tokenctl manual");
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    Ok(Page {
        file_name: man.get_filename(),
        roff,
    })
}

/// The pages of `command` and of every visible subcommand below it.
pub fn pages(command: clap::Command) -> std::io::Result<Vec<Page>> {
    fn walk(command: &clap::Command, out: &mut Vec<Page>) -> std::io::Result<()> {
        out.push(page(command)?);
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(&for_manual(command), &mut out)?;
    Ok(out)
}

pub fn run(command: clap::Command, args: Args) -> CliResult {
    if let Some(dir) = args.write_dir {
        std::fs::create_dir_all(&dir)?;
        for page in pages(command)? {
            let path = dir.join(&page.file_name);
            std::fs::write(&path, &page.roff)
                .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
        }
        return Ok(());
    }
    let root = for_manual(command);
    let mut target = &root;
    for name in &args.command {
        target = target
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .find(|s| s.get_name() == name || s.get_all_aliases().any(|a| a == name))
            .ok_or_else(|| {
                let known: Vec<&str> = target
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| s.get_name())
                    .collect();
                CliError::usage(format!(
                    "`{}` has no subcommand `{name}`; it has: {}",
                    target.get_bin_name().unwrap_or(target.get_name()),
                    known.join(", ")
                ))
            })?;
    }
    let page = page(target)?;
    // `tokenctl man | head` closes the pipe early: not an error.
    match std::io::Write::write_all(&mut std::io::stdout(), &page.roff) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
