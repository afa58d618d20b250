//! `usage tokens` and `usage routes`: the rows of a usage list a page at a
//! time, printed as they arrive (the paging flags are the lists' own,
//! `--limit`, `--all`, `--page-size`, `--cursor`; see `listing.rs`).
//!
//! One page prints as before: a table under the window's heading, one
//! JSON object (`window`, `total`, `rows`, `next_cursor`), CSV. More pages
//! stream: the JSON object is written row by row (the same bytes one
//! object of every row would be), `-o jsonl` prints one row per line, CSV
//! its header once, and tables go on below the first page's header.

use super::{heading, no_data, opt, rows_table, show, window_query, ListArgs};
use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::output::{self, Format, Output};
use std::fmt::Write as _;
use std::io::{ErrorKind, Write};
use tokenctl_server::api::paging::DEFAULT_PAGE;
use tokenctl_server::api::{UsageRow, UsageRows};

/// Prints a usage list: the first `--limit` rows (default 100) or, with
/// `--all`, every row; with `--watch`, one page redrawn.
pub(super) async fn print(
    client: &Client,
    out: &Output,
    path: &str,
    what: &str,
    a: ListArgs,
) -> CliResult {
    let mut q = window_query(&a.window)?;
    q.push(("sort", a.sort.clone()));
    let page = &a.page;
    if a.watch.watch {
        if page.all {
            return Err(CliError::usage(
                "--watch redraws one page; give --limit instead of --all",
            ));
        }
        let limit = page.limit.unwrap_or(u64::from(DEFAULT_PAGE));
        let size = limit.min(u64::from(page.page_size));
        q.push(("limit", size.to_string()));
        if let Some(c) = &page.cursor {
            q.push(("cursor", c.clone()));
        }
        return show(out, &a.watch, || async {
            let rows: UsageRows = client.get(path, &q).await?;
            let mut text = render_page(out, &rows, what, true)?;
            if let Some(more) = hint(rows.rows.len(), &rows) {
                let _ = writeln!(text, "{more}");
            }
            Ok(text)
        })
        .await;
    }
    let mut left = (!page.all).then(|| page.limit.unwrap_or(u64::from(DEFAULT_PAGE)));
    let mut cursor = page.cursor.clone();
    let mut printer = Printer {
        out,
        what,
        printed: 0,
        pages: 0,
    };
    loop {
        let size = left.map_or(page.page_size, |l| {
            u32::try_from(l.min(u64::from(page.page_size))).expect("at most a page")
        });
        let mut query = q.clone();
        query.push(("limit", size.to_string()));
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let rows: UsageRows = client.get(path, &query).await?;
        if rows.rows.is_empty() && rows.next_cursor.is_some() {
            return Err(CliError::failure(
                "the server answered an empty page with a cursor to a next one",
            ));
        }
        if let Some(l) = &mut left {
            *l = l.saturating_sub(rows.rows.len() as u64);
        }
        let last = rows.next_cursor.is_none() || left == Some(0);
        match printer.page(&rows, last) {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
        cursor = rows.next_cursor.clone();
        if last {
            if let Some(more) = hint(printer.printed, &rows) {
                eprintln!("{more}");
            }
            return Ok(());
        }
    }
}

/// What to say when rows remain unprinted.
fn hint(printed: usize, rows: &UsageRows) -> Option<String> {
    let next = rows.next_cursor.as_ref()?;
    Some(format!(
        "Showing {printed} of {} rows; use --all for every one, --limit N for more, \
         --team to narrow the list, or continue with --cursor {next}",
        rows.total
    ))
}

struct Printer<'a> {
    out: &'a Output,
    what: &'a str,
    printed: usize,
    pages: usize,
}

impl Printer<'_> {
    /// Prints one page; `last` when no page follows in this listing.
    fn page(&mut self, rows: &UsageRows, last: bool) -> std::io::Result<()> {
        let first = self.pages == 0;
        let mut stdout = std::io::stdout().lock();
        match self.out.format {
            Format::Jsonl => {
                for row in &rows.rows {
                    let line = serde_json::to_string(row).expect("wire types serialise");
                    writeln!(stdout, "{line}")?;
                }
            }
            Format::Json if first && last => {
                let mut text = serde_json::to_string_pretty(rows).expect("wire types serialise");
                text.push('\n');
                stdout.write_all(text.as_bytes())?;
            }
            Format::Json => {
                if first {
                    let window = serde_json::to_string_pretty(&rows.window)
                        .expect("wire types serialise")
                        .replace('\n', "\n  ");
                    write!(
                        stdout,
                        "{{\n  \"window\": {window},\n  \"total\": {},\n  \"rows\": [",
                        rows.total
                    )?;
                }
                for (i, row) in rows.rows.iter().enumerate() {
                    let sep = if first && i == 0 { "\n" } else { ",\n" };
                    let row = serde_json::to_string_pretty(row)
                        .expect("wire types serialise")
                        .replace('\n', "\n    ");
                    write!(stdout, "{sep}    {row}")?;
                }
                if last {
                    let next = serde_json::to_string(&rows.next_cursor).expect("a string");
                    writeln!(stdout, "\n  ],\n  \"next_cursor\": {next}\n}}")?;
                }
            }
            Format::Csv | Format::Table => {
                let text = render_page(self.out, rows, self.what, first)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                stdout.write_all(text.as_bytes())?;
            }
        }
        self.pages += 1;
        self.printed += rows.rows.len();
        stdout.flush()
    }
}

/// One page as a table (under the window's heading when `first`), CSV
/// (its header when `first`) or one JSON object.
fn render_page(out: &Output, rows: &UsageRows, what: &str, first: bool) -> CliResult<String> {
    if out.json() {
        let mut text = serde_json::to_string_pretty(rows).expect("wire types serialise");
        text.push('\n');
        return Ok(text);
    }
    if out.csv() {
        let header: &[&str] = if first {
            &[
                "id",
                "name",
                "team",
                "calls",
                "errors",
                "success_rate",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "last_used_at",
            ]
        } else {
            &[]
        };
        let lines = rows.rows.iter().map(csv_cells);
        return Ok(output::csv_text(header, lines)?);
    }
    if !first {
        return Ok(rows_table(out, &rows.rows, what, true, false));
    }
    let mut text = heading(out, &rows.window);
    if rows.rows.is_empty() {
        text.push_str("Nothing to show.\n");
        return Ok(text);
    }
    if rows.rows.iter().all(|r| r.calls == 0) {
        let _ = writeln!(
            text,
            "{} (every row below has zero calls).",
            no_data(&rows.window).trim_end_matches('.')
        );
    }
    text.push_str(&rows_table(out, &rows.rows, what, true, true));
    Ok(text)
}

fn csv_cells(r: &UsageRow) -> Vec<String> {
    vec![
        r.id.map(|i| i.to_string()).unwrap_or_default(),
        r.name.clone(),
        r.team.clone().unwrap_or_default(),
        r.calls.to_string(),
        r.errors.to_string(),
        opt(r.success_rate),
        opt(r.p50_ms),
        opt(r.p95_ms),
        opt(r.p99_ms),
        r.last_used_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
    ]
}
