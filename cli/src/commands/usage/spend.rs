//! The LLM part of usage reports for people: tokens in and out per model
//! and their cost, shown only where a report has LLM calls.

use crate::output::{count, Output};
use std::fmt::Write;
use tokenctl_server::api::{LlmSpend, UsageRow};

/// `$0.001234`, or `-` when nothing was priced.
pub(super) fn cost(usd: Option<&str>) -> String {
    usd.map_or_else(|| "-".into(), |c| format!("${c}"))
}

/// The "LLM tokens" section: one row per model, then the total; empty when
/// the report has no LLM calls.
pub(super) fn section(out: &Output, llm: &LlmSpend) -> String {
    if llm.calls == 0 {
        return String::new();
    }
    let mut text = format!("\n{}\n", out.bold("LLM tokens"));
    let mut t = out.table(&[
        "MODEL",
        "CALLS",
        "TOKENS IN",
        "CACHED IN",
        "TOKENS OUT",
        "COST",
    ]);
    for m in &llm.by_model {
        let mut price = cost(m.cost_usd.as_deref());
        if m.unpriced_calls > 0 {
            price = if m.cost_usd.is_some() {
                format!("{price} (+{} unpriced calls)", m.unpriced_calls)
            } else {
                "no price".into()
            };
        }
        t.add_row(vec![
            m.model.clone().unwrap_or_else(|| "(unnamed)".into()),
            count(m.calls),
            count(m.input_tokens),
            count(m.cached_input_tokens),
            count(m.output_tokens),
            price,
        ]);
    }
    let _ = writeln!(text, "{t}");
    let _ = write!(
        text,
        "Total: {} tokens in, {} out, cost {}",
        count(llm.input_tokens),
        count(llm.output_tokens),
        cost(llm.cost_usd.as_deref())
    );
    if llm.unpriced_calls > 0 {
        let _ = write!(
            text,
            " ({} calls of unpriced models; set prices with `tokenctl price set`)",
            count(llm.unpriced_calls)
        );
    }
    text.push('\n');
    text
}

/// Whether any row of a list has LLM tokens (then the list shows them).
pub(super) fn any(rows: &[UsageRow]) -> bool {
    rows.iter()
        .any(|r| r.input_tokens > 0 || r.output_tokens > 0)
}

/// The cells of a list row's LLM columns.
pub(super) fn cells(r: &UsageRow) -> [String; 3] {
    [
        count(r.input_tokens),
        count(r.output_tokens),
        cost(r.cost_usd.as_deref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_count() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(-1234567), "-1,234,567");
        assert_eq!(cost(Some("0.000370")), "$0.000370");
        assert_eq!(cost(None), "-");
    }
}
