//! Rendering: tables for people, JSON for scripts. Errors go to stderr in
//! the same format the caller chose.

use crate::error::CliError;
use chrono::{DateTime, Utc};
use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    /// Only for reports (`audit list`, `usage …`)
    Csv,
}

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: Format,
    pub color: bool,
}

impl Output {
    pub fn new(format: Format) -> Output {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Output { format, color }
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    pub fn csv(&self) -> bool {
        self.format == Format::Csv
    }

    /// Writes rows as CSV (RFC 4180 quoting) on stdout.
    pub fn print_csv(
        &self,
        header: &[&str],
        rows: impl IntoIterator<Item = Vec<String>>,
    ) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(std::io::stdout().lock());
        w.write_record(header)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()
    }

    /// Prints `value` as pretty JSON on stdout.
    pub fn print_json<T: Serialize>(&self, value: &T) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("wire types serialise")
        );
    }

    /// A table with the house style: a header row, no outer borders.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().map(|h| self.bold(h)));
        if !self.color {
            t.force_no_tty();
        }
        t
    }

    /// A two-column key/value table for `show` commands.
    pub fn fields(&self, rows: Vec<(&str, String)>) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if !self.color {
            t.force_no_tty();
        }
        for (k, v) in rows {
            t.add_row(vec![self.bold(k), v]);
        }
        t
    }

    pub fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn warn(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[33m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Prints an error on stderr: one readable line, or JSON with `-o json`.
    pub fn print_error(&self, e: &CliError) {
        if self.json() {
            let body = serde_json::json!({
                "error": {
                    "code": e.code,
                    "message": e.message,
                    "exit_code": e.exit as i32,
                    "candidates": e.candidates,
                }
            });
            eprintln!("{body}");
            return;
        }
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let prefix = if color {
            "\x1b[31merror:\x1b[0m"
        } else {
            "error:"
        };
        eprintln!("{prefix} {}", e.message);
        for c in &e.candidates {
            let team = c
                .team
                .as_deref()
                .map(|t| format!(" team={t}"))
                .unwrap_or_default();
            let status = c
                .status
                .as_deref()
                .map(|s| format!(" status={s}"))
                .unwrap_or_default();
            eprintln!("  {}  {}{team}{status}", c.id, c.name);
        }
    }
}

/// `2026-11-26 14:03 UTC (in 29d)`, or `never`/`-`.
pub fn when(t: Option<DateTime<Utc>>, none: &str) -> String {
    match t {
        None => none.to_string(),
        Some(t) => format!("{} ({})", t.format("%Y-%m-%d %H:%M UTC"), relative(t)),
    }
}

/// `in 3h`, `5m ago`.
pub fn relative(t: DateTime<Utc>) -> String {
    let now = Utc::now();
    let (d, future) = if t >= now {
        (t - now, true)
    } else {
        (now - t, false)
    };
    let secs = d.num_seconds();
    let span = if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m", secs / 60)
    } else if secs < 86_400 * 2 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}d", secs / 86_400)
    };
    if future {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}
