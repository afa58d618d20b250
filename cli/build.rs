//! Records the identity of this build for `tokenctl --version` and
//! `tokenctl version`: the git commit it was built from and the build date.
//!
//! * **Commit**: `git rev-parse --short HEAD` of the repository this crate is
//!   the workspace of, with `-dirty` when tracked files differ from it.
//!   Without git, or outside a checkout (a source tarball, possibly unpacked
//!   inside some other repository), there is no commit and the version says
//!   so by leaving it out.
//! * **Date**: the UTC date of the build, or of `SOURCE_DATE_EPOCH` when set
//!   (reproducible builds).
//!
//! The script reruns when HEAD, the branch it points to or the index move,
//! and when the sources of the binary change, so `-dirty` follows edits of
//! the code compiled into it (not of documentation alone).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let workspace = manifest_dir.parent().unwrap_or(&manifest_dir).to_path_buf();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");

    let commit = git_commit(&workspace);
    if commit.is_some() {
        for path in git_paths_to_watch(&workspace) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        for dir in [
            "cli/src",
            "cli/Cargo.toml",
            "server/src",
            "server/Cargo.toml",
            "gateway/core/src",
            "gateway/core/Cargo.toml",
            "gateway/native/src",
            "gateway/native/Cargo.toml",
            "listener/src",
            "listener/Cargo.toml",
            "migrations",
            "Cargo.toml",
            "Cargo.lock",
        ] {
            let path = workspace.join(dir);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }

    let date = build_date(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref());
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    println!(
        "cargo:rustc-env=TOKENCTL_BUILD_COMMIT={}",
        commit.as_deref().unwrap_or("")
    );
    println!("cargo:rustc-env=TOKENCTL_BUILD_DATE={date}");
    println!(
        "cargo:rustc-env=TOKENCTL_BUILD_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=TOKENCTL_VERSION_LINE={}",
        version_line(&version, commit.as_deref(), &date)
    );
}

/// `0.1.0 (abc1234 2026-12-02)`, or `0.1.0 (2026-12-02)` without a commit.
fn version_line(version: &str, commit: Option<&str>, date: &str) -> String {
    match commit {
        Some(c) => format!("{version} ({c} {date})"),
        None => format!("{version} ({date})"),
    }
}

/// Runs git in `dir`; its trimmed stdout on success.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The short commit, with `-dirty` when tracked files have changes; `None`
/// without git or when the workspace is not the top of a checkout.
fn git_commit(workspace: &Path) -> Option<String> {
    let top = git(workspace, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), workspace) {
        return None;
    }
    let hash = git(workspace, &["rev-parse", "--short", "HEAD"])?;
    if !is_short_hash(&hash) {
        return None;
    }
    let status = git(
        workspace,
        &["status", "--porcelain", "--untracked-files=no"],
    );
    Some(with_dirty(hash, status.as_deref()))
}

fn is_short_hash(s: &str) -> bool {
    (4..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `hash-dirty` when `git status --porcelain` listed anything.
fn with_dirty(hash: String, porcelain_status: Option<&str>) -> String {
    match porcelain_status {
        Some(s) if !s.trim().is_empty() => format!("{hash}-dirty"),
        _ => hash,
    }
}

/// HEAD, the branch it points to (loose and packed) and the index, so that
/// a commit, a checkout or staging reruns the script.
fn git_paths_to_watch(workspace: &Path) -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_string(), "index".into(), "packed-refs".into()];
    if let Some(branch) = git(workspace, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| git(workspace, &["rev-parse", "--git-path", name]))
        .map(|p| workspace.join(p))
        .filter(|p| p.exists())
        .collect()
}

/// The UTC date (`YYYY-MM-DD`) of `SOURCE_DATE_EPOCH` if it is set and a
/// number of seconds, else of now.
fn build_date(source_date_epoch: Option<&str>) -> String {
    let secs = source_date_epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Compiled into the `tokenctl` binary's unit tests (see `main.rs`).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_source_date_epoch() {
        assert_eq!(build_date(Some("0")), "1970-01-01");
        assert_eq!(build_date(Some("951782400")), "2000-02-29");
        assert_eq!(build_date(Some("1796169600")), "2026-12-02");
        assert_eq!(
            build_date(Some("1796255999")),
            "2026-12-02",
            "last second of the day"
        );
        assert_eq!(
            build_date(Some("-2203891200")),
            "1900-03-01",
            "1900 is no leap year"
        );
        assert_eq!(build_date(Some("4107456000")), "2100-02-28");
        assert_eq!(
            build_date(Some("4107542400")),
            "2100-03-01",
            "2100 is no leap year"
        );
        assert_eq!(build_date(Some(" 4102444800\n")), "2100-01-01");
        assert_eq!(build_date(Some("-86400")), "1969-12-31");
        // Not a number: the date of now, which is well past 2020.
        assert!(build_date(Some("yesterday")).as_str() > "2020");
    }

    #[test]
    fn every_day_follows_the_one_before() {
        let mut prev = civil_from_days(-800_000);
        for day in -799_999..800_000 {
            let next = civil_from_days(day);
            let (y, m, d) = prev;
            let expected = if next.2 == 1 {
                if next.1 == 1 {
                    (y + 1, 1, 1)
                } else {
                    (y, m + 1, 1)
                }
            } else {
                (y, m, d + 1)
            };
            assert_eq!(next, expected, "day {day}");
            assert!(
                (28..=31).contains(&d) || next.2 != 1,
                "month ended on day {d}"
            );
            prev = next;
        }
    }

    #[test]
    fn version_lines_and_dirty_trees() {
        assert_eq!(
            version_line("0.1.0", Some("abc1234"), "2026-12-02"),
            "0.1.0 (abc1234 2026-12-02)"
        );
        assert_eq!(
            version_line("0.1.0", None, "2026-12-02"),
            "0.1.0 (2026-12-02)"
        );
        assert_eq!(with_dirty("abc1234".into(), Some("")), "abc1234");
        assert_eq!(with_dirty("abc1234".into(), None), "abc1234");
        assert_eq!(
            with_dirty("abc1234".into(), Some(" M cli/src/main.rs")),
            "abc1234-dirty"
        );
        assert!(is_short_hash("abc1234"));
        assert!(!is_short_hash("HEAD"));
        assert!(!is_short_hash(""));
    }
}
