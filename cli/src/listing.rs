//! Paged lists: `--limit`, `--all`, `--page-size` and `--cursor`, and
//! printing rows as the pages arrive (like `gh --limit` and `kubectl
//! --chunk-size`). Memory holds two pages (the one printing, the next one
//! arriving), whatever the list's length:
//!
//! - `-o json`: one JSON array of every row printed, streamed;
//! - `-o jsonl`: one row per line;
//! - `-o csv` (where offered): a header, then a line per row;
//! - a table: one per page (the header only above the first).
//!
//! When rows remain that were not printed (without `--all`), a hint on
//! stderr says so and gives the cursor to continue with.

use crate::client::Client;
use crate::error::{CliError, CliResult};
use crate::output::{Format, Output};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::{ErrorKind, Write};
use tokenctl_server::api::paging::{DEFAULT_PAGE, MAX_PAGE};
use tokenctl_server::api::{input, Page};

/// How much of a list to print.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Paging")]
pub struct PageArgs {
    /// Print at most N rows (fetched a page at a time) [default: 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) limit: Option<u64>,
    /// Print every row, page by page as they arrive
    #[arg(long, conflicts_with = "limit")]
    pub(crate) all: bool,
    /// Rows per request to the server (1-1000)
    #[arg(long, value_name = "N", default_value_t = MAX_PAGE,
          value_parser = clap::value_parser!(u32).range(1..=MAX_PAGE as i64))]
    pub(crate) page_size: u32,
    /// Continue a listing where it stopped: the cursor its hint printed
    /// (valid with the same filters only)
    #[arg(long, value_name = "CURSOR", value_parser = cursor)]
    pub(crate) cursor: Option<String>,
}

/// A cursor is checked by the server; here only its form, to fail early.
fn cursor(value: &str) -> Result<String, String> {
    let ok = !value.is_empty()
        && value.len() <= input::schema::CURSOR_MAX
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(value.to_string())
    } else {
        Err("not a cursor: pass the one a previous listing printed, unchanged".into())
    }
}

/// A row's cells, in the order of a header.
pub type Cells<'a, T> = &'a dyn Fn(&T) -> Vec<String>;

/// How rows look for people (and in CSV, where a list offers it).
pub struct View<'a, T> {
    /// What the rows are, plural: `tokens`.
    pub noun: &'a str,
    /// Printed on stderr when the list is empty (stdout stays empty).
    pub empty: Option<&'a str>,
    pub header: &'a [&'a str],
    pub row: Cells<'a, T>,
    /// Columns and cells of `-o csv`.
    pub csv: Option<(&'a [&'a str], Cells<'a, T>)>,
}

/// Fetches `path` (with the list's own `query`) page by page and prints
/// the rows as they arrive, up to `--limit` or, with `--all`, every one.
/// The next page is fetched while this one prints: at most two pages are
/// in memory.
pub async fn print<T: DeserializeOwned + Serialize + Send + 'static>(
    client: &Client,
    out: &Output,
    path: &str,
    query: &[(&str, String)],
    args: &PageArgs,
    view: View<'_, T>,
) -> CliResult {
    let mut printer = Printer::new(out, &view);
    let mut left = (!args.all).then(|| args.limit.unwrap_or(u64::from(DEFAULT_PAGE)));
    let size = |left: Option<u64>| {
        left.map_or(args.page_size, |l| {
            u32::try_from(l.min(u64::from(args.page_size))).expect("at most the page size")
        })
    };
    let request = Request {
        client: client.clone(),
        path: path.to_string(),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };
    let mut next = Some(request.spawn::<T>(size(left), args.cursor.clone()));
    let mut cursor = None;
    while let Some(pending) = next.take() {
        let page = pending
            .await
            .map_err(|e| CliError::failure(format!("fetching a page failed: {e}")))??;
        if let Some(l) = &mut left {
            *l = l.saturating_sub(page.items.len() as u64);
        }
        cursor = page.next_cursor;
        if cursor.is_some() && left != Some(0) {
            next = Some(request.spawn::<T>(size(left), cursor.clone()));
        }
        match printer.rows(&page.items) {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                next.inspect(|n| n.abort());
                return Ok(());
            }
            other => other?,
        }
    }
    match printer.finish() {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => return Ok(()),
        other => other?,
    }
    if let Some(next) = cursor {
        eprintln!(
            "Showing the first {} {}; more exist: use --all for every one, --limit N for more, \
             or continue with --cursor {next}",
            printer.count, view.noun
        );
    }
    Ok(())
}

/// A list's pages, fetched in a task of their own.
struct Request {
    client: Client,
    path: String,
    query: Vec<(String, String)>,
}

impl Request {
    fn spawn<T: DeserializeOwned + Send + 'static>(
        &self,
        limit: u32,
        cursor: Option<String>,
    ) -> tokio::task::JoinHandle<CliResult<Page<T>>> {
        let (client, path, query) = (self.client.clone(), self.path.clone(), self.query.clone());
        tokio::spawn(async move {
            let query: Vec<(&str, String)> =
                query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            fetch(&client, &path, &query, limit, cursor.as_deref()).await
        })
    }
}

/// Every row of a list, for a command that needs them all at once (few
/// rows, such as routes).
pub async fn all<T: DeserializeOwned>(client: &Client, path: &str) -> CliResult<Vec<T>> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = fetch::<T>(client, path, &[], MAX_PAGE, cursor.as_deref()).await?;
        rows.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok(rows);
        }
    }
}

async fn fetch<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    query: &[(&str, String)],
    limit: u32,
    cursor: Option<&str>,
) -> CliResult<Page<T>> {
    let mut q = query.to_vec();
    q.push(("limit", limit.to_string()));
    if let Some(c) = cursor {
        q.push(("cursor", c.to_string()));
    }
    let page: Page<T> = client.get(path, &q).await?;
    if page.items.is_empty() && page.next_cursor.is_some() {
        // It would page forever.
        return Err(CliError::failure(
            "the server answered an empty page with a cursor to a next one",
        ));
    }
    Ok(page)
}

/// Prints rows as pages arrive, in the chosen format.
struct Printer<'a, T> {
    out: &'a Output,
    view: &'a View<'a, T>,
    count: u64,
    /// The first table's column widths, for the tables of later pages.
    widths: Vec<u16>,
}

impl<'a, T: Serialize> Printer<'a, T> {
    fn new(out: &'a Output, view: &'a View<'a, T>) -> Printer<'a, T> {
        Printer {
            out,
            view,
            count: 0,
            widths: Vec::new(),
        }
    }

    fn rows(&mut self, items: &[T]) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        match self.out.format {
            Format::Jsonl => {
                for item in items {
                    writeln!(stdout, "{}", compact(item))?;
                }
            }
            Format::Json => {
                for (i, item) in items.iter().enumerate() {
                    let sep = if self.count == 0 && i == 0 {
                        "[\n"
                    } else {
                        ",\n"
                    };
                    write!(stdout, "{sep}{}", indented(item))?;
                }
            }
            Format::Csv => {
                if let Some((header, cells)) = self.view.csv {
                    let header: &[&str] = if self.count == 0 { header } else { &[] };
                    let text = crate::output::csv_text(header, items.iter().map(cells))?;
                    stdout.write_all(text.as_bytes())?;
                }
            }
            Format::Table => {
                if !items.is_empty() {
                    // Later pages go on below the first one's header, their
                    // cells padded to its columns' widths.
                    let mut table = if self.count == 0 {
                        self.out.table(self.view.header)
                    } else {
                        self.out.headless_table()
                    };
                    for item in items {
                        let mut cells = (self.view.row)(item);
                        for (cell, width) in cells.iter_mut().zip(&self.widths) {
                            let short = usize::from(*width).saturating_sub(cell.chars().count());
                            cell.extend(std::iter::repeat_n(' ', short));
                        }
                        table.add_row(cells);
                    }
                    writeln!(stdout, "{table}")?;
                    if self.count == 0 {
                        self.widths = table.column_max_content_widths();
                    }
                }
            }
        }
        self.count += items.len() as u64;
        stdout.flush()
    }

    fn finish(&self) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        match self.out.format {
            Format::Json if self.count == 0 => writeln!(stdout, "[]")?,
            Format::Json => writeln!(stdout, "\n]")?,
            Format::Csv if self.count == 0 => {
                if let Some((header, _)) = self.view.csv {
                    let text = crate::output::csv_text(header, std::iter::empty())?;
                    stdout.write_all(text.as_bytes())?;
                }
            }
            Format::Table if self.count == 0 => {
                if let Some(hint) = self.view.empty {
                    eprintln!("{hint}");
                }
            }
            _ => {}
        }
        stdout.flush()
    }
}

fn compact<T: Serialize>(item: &T) -> String {
    serde_json::to_string(item).expect("wire types serialise")
}

/// `item` as pretty JSON, indented as an element of a pretty array (what
/// `serde_json::to_string_pretty` of the whole list gives, a row at a time).
fn indented<T: Serialize>(item: &T) -> String {
    let pretty = serde_json::to_string_pretty(item).expect("wire types serialise");
    // JSON strings hold no raw newline, so every newline is the printer's.
    format!("  {}", pretty.replace('\n', "\n  "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_streamed_as_json_make_the_array_a_whole_list_would() {
        let rows = vec![
            serde_json::json!({"a": 1, "b": [1, 2]}),
            serde_json::json!({"a": "x\ny"}),
        ];
        let streamed = format!("[\n{},\n{}\n]", indented(&rows[0]), indented(&rows[1]));
        assert_eq!(streamed, serde_json::to_string_pretty(&rows).unwrap());
    }

    #[test]
    fn cursors_are_checked_for_form_only() {
        assert!(cursor("eyJ2IjoxfQ-_x").is_ok());
        for bad in ["", "a b", "abc=", "a/b", &"a".repeat(2000)] {
            assert!(cursor(bad).is_err(), "{bad}");
        }
    }
}
