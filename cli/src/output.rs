//! Rendering: tables for people, JSON for scripts. Errors go to stderr in
//! the same format the caller chose.

use crate::error::CliError;
use chrono::{DateTime, Utc};
use comfy_table::{presets, Attribute, Cell, ContentArrangement, Table};
use console::Style;
use serde::Serialize;
use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    /// JSON for scripts; a list as one array of the rows printed
    Json,
    /// JSON Lines: one row per line as pages arrive; any other answer on one line
    Jsonl,
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

    /// JSON for scripts: `-o json`, or `-o jsonl` (the same, one line per
    /// value).
    pub fn json(&self) -> bool {
        matches!(self.format, Format::Json | Format::Jsonl)
    }

    pub fn jsonl(&self) -> bool {
        self.format == Format::Jsonl
    }

    pub fn csv(&self) -> bool {
        self.format == Format::Csv
    }

    /// Prints `value` as pretty JSON on stdout; on one line with `-o jsonl`.
    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) {
        let text = if self.jsonl() {
            serde_json::to_string(value)
        } else {
            serde_json::to_string_pretty(value)
        };
        println!("{}", text.expect("wire types serialise"));
    }

    /// One result: `value` as JSON for scripts, else what `people` prints.
    pub fn print_or<T: Serialize + ?Sized>(&self, value: &T, people: impl FnOnce()) {
        if self.json() {
            self.print_json(value);
        } else {
            people();
        }
    }

    /// A list: JSON for scripts (an array; with `-o jsonl` one item per
    /// line); for people a table of one `row` per item, or, when there are
    /// none, the `empty` hint on stderr (stdout stays empty, so that pipes
    /// see no rows). Paged lists print with `crate::listing` instead.
    pub fn print_list<T: Serialize>(
        &self,
        items: &[T],
        empty: Option<&str>,
        header: &[&str],
        row: impl Fn(&T) -> Vec<String>,
    ) {
        if self.jsonl() {
            for item in items {
                println!(
                    "{}",
                    serde_json::to_string(item).expect("wire types serialise")
                );
            }
            return;
        }
        if self.json() {
            return self.print_json(&items);
        }
        if let (true, Some(hint)) = (items.is_empty(), empty) {
            eprintln!("{hint}");
            return;
        }
        let mut table = self.table(header);
        for item in items {
            table.add_row(row(item));
        }
        println!("{table}");
    }

    /// A table with the house style: a header row, no outer borders. Its
    /// width follows the terminal, or `COLUMNS` when set.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = self.headless_table();
        t.set_header(
            header
                .iter()
                .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
        );
        t
    }

    /// A table in the house style without a header row (the rows of a
    /// list's later pages).
    pub fn headless_table(&self) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic);
        self.fit(&mut t);
        t
    }

    fn fit(&self, t: &mut Table) {
        if self.color {
            // Also when stdout is not a terminal but `--color always` asked.
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        if let Some(w) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
            t.set_width(w);
        }
    }

    /// `s` in `style` when colours are on, else as it is.
    fn paint(&self, s: &str, style: Style) -> String {
        if self.color {
            style.force_styling(true).apply_to(s).to_string()
        } else {
            s.to_string()
        }
    }

    pub fn red(&self, s: &str) -> String {
        self.paint(s, Style::new().red())
    }

    pub fn green(&self, s: &str) -> String {
        self.paint(s, Style::new().green())
    }

    /// A two-column key/value table for `show` commands.
    pub fn fields(&self, rows: Vec<(&str, String)>) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic);
        self.fit(&mut t);
        for (k, v) in rows {
            t.add_row(vec![
                Cell::new(k).add_attribute(Attribute::Bold),
                Cell::new(v),
            ]);
        }
        t
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint(s, Style::new().bold())
    }

    pub fn warn(&self, s: &str) -> String {
        self.paint(s, Style::new().yellow())
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
            Style::new()
                .red()
                .force_styling(true)
                .apply_to("error:")
                .to_string()
        } else {
            "error:".to_string()
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

/// Rows as CSV text (RFC 4180 quoting), after a header line unless
/// `header` is empty (a later page of a list).
pub fn csv_text(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(vec![]);
    if !header.is_empty() {
        w.write_record(header)?;
    }
    for row in rows {
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

/// A sparkline, one character per bucket: `▁` for none, then `▂`…`█`
/// scaled to the largest value (so any calls at all show above the floor).
pub fn sparkline(values: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|v| {
            if *v <= 0 || max <= 0 {
                BARS[0]
            } else {
                BARS[1 + ((*v as f64 / max as f64) * 6.0).round().clamp(0.0, 6.0) as usize]
            }
        })
        .collect()
}

/// A sparkline of at most `width` characters: neighbouring buckets are
/// summed when there are more buckets than room.
pub fn sparkline_fit(values: &[i64], width: usize) -> String {
    if values.len() <= width || width == 0 {
        return sparkline(values);
    }
    let per = values.len().div_ceil(width);
    let merged: Vec<i64> = values.chunks(per).map(|c| c.iter().sum()).collect();
    sparkline(&merged)
}

/// `5m ago`, `in 3d`, or `none`.
pub fn ago(t: Option<DateTime<Utc>>, none: &str) -> String {
    t.map_or_else(|| none.to_string(), relative)
}

/// `1,234,567`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// `12.3 ms`, `1.24 s`, or `-`.
pub fn millis(ms: Option<f64>) -> String {
    match ms {
        None => "-".into(),
        Some(v) if v >= 1000.0 => format!("{:.2} s", v / 1000.0),
        Some(v) if v >= 100.0 => format!("{v:.0} ms"),
        Some(v) => format!("{v:.1} ms"),
    }
}

/// `98.2%` or `-`.
pub fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".into(), |v| format!("{v:.1}%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_and_numbers() {
        assert_eq!(sparkline(&[0, 0, 0]), "▁▁▁");
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), "▁▃▄▅█");
        assert_eq!(sparkline_fit(&[1, 1, 0, 0, 2, 2], 3), "▅▁█");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(millis(Some(12.34)), "12.3 ms");
        assert_eq!(millis(Some(1234.0)), "1.23 s");
        assert_eq!(percent(None), "-");
    }
}
