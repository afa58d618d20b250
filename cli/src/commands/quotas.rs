//! Quotas for people: the one-line summary of a token's or team's quotas,
//! and the table of what each used and has left this period (`token show`,
//! `usage token`).

use crate::output::{count, when, Output};
use tokenctl_server::api::{Quota, QuotaKind, QuotaStatus};

/// `100/day requests, 2,000,000/month LLM tokens`, or `none`.
pub(super) fn summary(quotas: &[Quota]) -> String {
    if quotas.is_empty() {
        return "none".into();
    }
    quotas
        .iter()
        .map(|q| format!("{} {}", q.written(), noun(q.kind)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn noun(kind: QuotaKind) -> &'static str {
    match kind {
        QuotaKind::Requests => "requests",
        QuotaKind::LlmTokens => "LLM tokens",
        QuotaKind::Budget => "USD",
    }
}

fn amount(kind: QuotaKind, n: u64) -> String {
    match kind {
        QuotaKind::Budget => format!("${}", kind.format_amount(n)),
        _ => count(i64::try_from(n).unwrap_or(i64::MAX)),
    }
}

/// One row per quota: whose, what, the limit, used, left, period end;
/// then, for budgets, a note of the calls no price counted.
pub(super) fn table(out: &Output, usage: &[QuotaStatus]) -> String {
    let mut t = out.table(&["QUOTA", "OF", "LIMIT", "USED", "LEFT", "PERIOD ENDS"]);
    let mut notes = Vec::new();
    for s in usage {
        let k = s.quota.kind;
        // Budgets show the exact dollars (sub-micro-dollar digits too).
        let exact = |usd: &Option<String>, micros: u64| match usd {
            Some(usd) => format!("${usd}"),
            None => amount(k, micros),
        };
        let left = if s.remaining == 0 {
            out.red("0 (used up)")
        } else {
            exact(&s.remaining_usd, s.remaining)
        };
        t.add_row(vec![
            noun(k).to_string(),
            s.subject.clone(),
            format!("{}/{}", amount(k, s.quota.amount), s.quota.period),
            exact(&s.used_usd, s.used),
            left,
            when(Some(s.period_end), ""),
        ]);
        if let Some(n) = s.unpriced_calls.filter(|n| *n > 0) {
            notes.push(format!(
                "{} calls of unpriced models this period cost nothing toward the {}'s budget \
                 (tokenctl price set MODEL)",
                count(i64::try_from(n).unwrap_or(i64::MAX)),
                s.subject
            ));
        }
    }
    let mut text = t.to_string();
    for note in notes {
        text.push('\n');
        text.push_str(&note);
    }
    text
}
