//! `tokenctl version`: what this binary is, for people and scripts.
//! `tokenctl --version` prints the same in one line.

use crate::client::Globals;
use crate::error::CliResult;
use serde::Serialize;

/// `0.1.0 (abc1234 2026-12-02)`, as `--version` shows it (see `build.rs`).
pub const LINE: &str = env!("TOKENCTL_VERSION_LINE");

/// The identity of this build.
#[derive(Debug, Serialize)]
pub struct Identity {
    /// The crate version, e.g. `0.1.0`.
    pub version: &'static str,
    /// The short git commit it was built from; `null` when built outside a
    /// git checkout (e.g. from a source tarball).
    pub commit: Option<&'static str>,
    /// Whether tracked files differed from `commit` at build time.
    pub dirty: bool,
    /// UTC date of the build (`SOURCE_DATE_EPOCH` when it was set).
    pub build_date: &'static str,
    /// The target triple it was built for.
    pub target: &'static str,
}

pub fn identity() -> Identity {
    let commit = env!("TOKENCTL_BUILD_COMMIT");
    let (commit, dirty) = match commit.strip_suffix("-dirty") {
        Some(clean) => (clean, true),
        None => (commit, false),
    };
    Identity {
        version: env!("CARGO_PKG_VERSION"),
        commit: (!commit.is_empty()).then_some(commit),
        dirty,
        build_date: env!("TOKENCTL_BUILD_DATE"),
        target: env!("TOKENCTL_BUILD_TARGET"),
    }
}

pub fn run(g: &Globals) -> CliResult {
    let out = g.output();
    let id = identity();
    if out.json() {
        out.print_json(&id);
        return Ok(());
    }
    let commit = match (id.commit, id.dirty) {
        (None, _) => "unknown (not built from a git checkout)".to_string(),
        (Some(c), false) => c.to_string(),
        (Some(c), true) => format!("{c} (with uncommitted changes)"),
    };
    println!(
        "{}",
        out.fields(vec![
            ("version", id.version.to_string()),
            ("commit", commit),
            ("build date", id.build_date.to_string()),
            ("target", id.target.to_string()),
        ])
    );
    Ok(())
}
