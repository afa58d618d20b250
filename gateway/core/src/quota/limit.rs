//! What a quota allows: an amount per calendar period, written `N/PERIOD`
//! (`100/day`, `2000000/month`) or, for budgets, `USD/PERIOD` (`25/month`,
//! `2.50/day`). The one parser the CLI, the control plane's input checks
//! and the tests share.

use super::Period;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest count a quota may allow: a trillion requests or LLM tokens.
pub const MAX_COUNT: u64 = 1_000_000_000_000;
/// The largest budget: a billion USD, in micro-dollars.
pub const MAX_BUDGET_MICRO_USD: u64 = 1_000_000_000 * MICRO_PER_USD;
/// Micro-dollars per dollar: budgets are exact to six decimals, like prices.
pub const MICRO_PER_USD: u64 = 1_000_000;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    /// Requests the gateway let through (`--quota`).
    Requests,
    /// LLM tokens, input plus output, as the provider reported them
    /// (`--quota-tokens`).
    LlmTokens,
    /// Cost in micro-dollars at the prices in force (`--budget`).
    Budget,
}

impl QuotaKind {
    /// Every kind.
    pub const ALL: [QuotaKind; 3] = [QuotaKind::Requests, QuotaKind::LlmTokens, QuotaKind::Budget];

    /// `requests`, `llm_tokens`, `budget`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaKind::Requests => "requests",
            QuotaKind::LlmTokens => "llm_tokens",
            QuotaKind::Budget => "budget",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<QuotaKind> {
        QuotaKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Parses this kind's written form: `N/PERIOD` for counts, `USD/PERIOD`
    /// for budgets.
    pub fn parse(self, text: &str) -> Result<QuotaLimit, QuotaError> {
        let (amount, period) = text.trim().split_once('/').ok_or(QuotaError::Shape)?;
        let period: Period = period.parse().map_err(|_| QuotaError::Period)?;
        let amount = match self {
            QuotaKind::Budget => parse_usd(amount)?,
            QuotaKind::Requests | QuotaKind::LlmTokens => parse_count(amount)?,
        };
        Ok(QuotaLimit { amount, period })
    }

    /// `amount` in this kind's written form: a count, or dollars.
    pub fn format_amount(self, amount: u64) -> String {
        match self {
            QuotaKind::Budget => format_usd(amount),
            QuotaKind::Requests | QuotaKind::LlmTokens => amount.to_string(),
        }
    }
}

impl fmt::Display for QuotaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount per calendar period. For budgets the amount is in
/// micro-dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaLimit {
    /// How much one period allows (requests, LLM tokens or micro-dollars);
    /// at least 1.
    pub amount: u64,
    /// The calendar period (UTC).
    pub period: Period,
}

/// Why a quota's text is refused. The messages are shown to the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    /// No `/`.
    #[error("write it as AMOUNT/PERIOD, e.g. 100/day (PERIOD: hour, day or month)")]
    Shape,
    /// The period is not hour, day or month.
    #[error("the period must be hour, day or month (calendar periods in UTC)")]
    Period,
    /// The count is not a whole number from 1 to [`MAX_COUNT`].
    #[error("the amount must be a whole number from 1 to 1000000000000")]
    Count,
    /// The dollar amount is not a decimal with at most six places, above 0
    /// and at most a billion.
    #[error("the budget must be in USD, above 0 and at most 1000000000, with at most six decimals (e.g. 25 or 2.50)")]
    Usd,
}

fn parse_count(text: &str) -> Result<u64, QuotaError> {
    let text = text.trim();
    if text.is_empty() || text.len() > 13 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QuotaError::Count);
    }
    let n: u64 = text.parse().map_err(|_| QuotaError::Count)?;
    if n == 0 || n > MAX_COUNT {
        return Err(QuotaError::Count);
    }
    Ok(n)
}

/// Dollars as an exact decimal (digits, at most one `.`, at most six
/// places) into micro-dollars, digit by digit: never through a float.
fn parse_usd(text: &str) -> Result<u64, QuotaError> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 10 || frac.len() > 6 || !digits(whole) || !digits(frac) {
        return Err(QuotaError::Usd);
    }
    if text.ends_with('.') {
        return Err(QuotaError::Usd);
    }
    let whole: u64 = whole.parse().map_err(|_| QuotaError::Usd)?;
    let mut micro = 0u64;
    for (i, b) in frac.bytes().enumerate() {
        micro += u64::from(b - b'0') * 10u64.pow(5 - u32::try_from(i).unwrap_or(5));
    }
    let amount = whole
        .checked_mul(MICRO_PER_USD)
        .and_then(|w| w.checked_add(micro))
        .ok_or(QuotaError::Usd)?;
    if amount == 0 || amount > MAX_BUDGET_MICRO_USD {
        return Err(QuotaError::Usd);
    }
    Ok(amount)
}

/// Micro-dollars as dollars: `2.5`, `25`, `0.000001`.
pub fn format_usd(micro: u64) -> String {
    let (whole, frac) = (micro / MICRO_PER_USD, micro % MICRO_PER_USD);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:06}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_counts_per_period() {
        let q = QuotaKind::Requests.parse("100/day").unwrap();
        assert_eq!((q.amount, q.period), (100, Period::Day));
        let q = QuotaKind::LlmTokens.parse(" 2000000/month ").unwrap();
        assert_eq!((q.amount, q.period), (2_000_000, Period::Month));
        assert_eq!(
            QuotaKind::Requests
                .parse("1000000000000/hour")
                .unwrap()
                .amount,
            MAX_COUNT
        );
    }

    #[test]
    fn refuses_what_is_not_a_quota() {
        let bad = [
            ("0/day", QuotaError::Count),
            ("-5/day", QuotaError::Count),
            ("+5/day", QuotaError::Count),
            ("1.5/day", QuotaError::Count),
            ("1e3/day", QuotaError::Count),
            ("1000000000001/day", QuotaError::Count),
            ("99999999999999999999999/day", QuotaError::Count),
            ("/day", QuotaError::Count),
            ("10/week", QuotaError::Period),
            ("10/1d", QuotaError::Period),
            ("10/", QuotaError::Period),
            ("10/day/x", QuotaError::Period),
            ("garbage", QuotaError::Shape),
            ("", QuotaError::Shape),
        ];
        for (text, error) in bad {
            assert_eq!(QuotaKind::Requests.parse(text), Err(error), "{text}");
        }
    }

    #[test]
    fn budgets_are_exact_dollars() {
        let usd = |t: &str| QuotaKind::Budget.parse(t).map(|q| q.amount);
        assert_eq!(usd("25/month"), Ok(25_000_000));
        assert_eq!(usd("2.50/day"), Ok(2_500_000));
        assert_eq!(usd("0.000001/hour"), Ok(1));
        assert_eq!(usd("1000000000/day"), Ok(MAX_BUDGET_MICRO_USD));
        for bad in [
            "0/day",
            "0.0000001/day",
            "-1/day",
            "1./day",
            ".5/day",
            "1e2/day",
            "1000000000.01/day",
            "NaN/day",
            "1,5/day",
        ] {
            assert_eq!(usd(bad), Err(QuotaError::Usd), "{bad}");
        }
        assert_eq!(format_usd(2_500_000), "2.5");
        assert_eq!(format_usd(25_000_000), "25");
        assert_eq!(format_usd(1), "0.000001");
    }

    proptest! {
        #[test]
        fn written_forms_round_trip(amount in 1u64..=MAX_COUNT, period in 0usize..3) {
            let period = Period::ALL[period];
            for kind in QuotaKind::ALL {
                let amount = if kind == QuotaKind::Budget { amount.min(MAX_BUDGET_MICRO_USD) } else { amount };
                let text = format!("{}/{period}", kind.format_amount(amount));
                prop_assert_eq!(kind.parse(&text), Ok(QuotaLimit { amount, period }));
            }
        }

        #[test]
        fn never_panics(text in ".{0,40}") {
            for kind in QuotaKind::ALL {
                let _ = kind.parse(&text);
            }
        }
    }
}
