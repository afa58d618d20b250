//! LLM routes and prices: the provider of a route (`--llm`), model names,
//! and prices in USD, which are parsed exactly (never through a float) into
//! integer micro-dollars.

use super::{err, InputError};
use tokenctl_gateway::llm::{Provider, MODEL_MAX};

/// What `--llm`/`llm` takes to say a route is not an LLM API.
pub const LLM_NONE: &str = "none";

/// `openai`, `anthropic`, or `none` (not an LLM route).
pub fn llm(value: &str) -> Result<Option<Provider>, InputError> {
    let v = value.trim();
    if v == LLM_NONE {
        return Ok(None);
    }
    v.parse::<Provider>().map(Some).or_else(|_| {
        err(format!(
            "`{}` is not an LLM API: use openai, anthropic or none",
            v.escape_debug()
        ))
    })
}

/// The most characters of a model name as priced.
pub const MODEL_CHARS_MAX: usize = MODEL_MAX;

/// A model name as priced: 1-[`MODEL_CHARS_MAX`] characters without
/// control characters (providers' ids, e.g. `gpt-4o-2024-08-06`,
/// `claude-sonnet-4-5`, `models/gemini-2.5-pro`). Gateways record names of
/// at most [`MODEL_MAX`] bytes, so only those can ever match a call.
pub fn model(value: &str) -> Result<String, InputError> {
    if value.is_empty() {
        return err("model name must not be empty");
    }
    if value.chars().count() > MODEL_CHARS_MAX {
        return err(format!(
            "model name is longer than {MODEL_CHARS_MAX} characters"
        ));
    }
    if value.chars().any(char::is_control) {
        return err("model name must not contain control characters");
    }
    Ok(value.to_string())
}

/// [`price_usd`]'s grammar, bounds included, for the API description.
pub const PRICE_PATTERN: &str = r"^0*([0-9]{1,6}(\.[0-9]{1,6})?|1000000(\.0{1,6})?)$";

/// [`model`]'s grammar (with at most [`MODEL_CHARS_MAX`] characters).
pub const MODEL_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]+$";

/// Micro-dollars in a dollar.
pub const MICROS_PER_USD: i64 = 1_000_000;
/// The highest price per million tokens accepted: USD 1,000,000. Real
/// prices are below USD 1,000; the bound keeps every cost sum far from
/// overflowing.
pub const PRICE_MAX_USD: i64 = 1_000_000;

/// A price in USD per million tokens, as typed: digits with at most six
/// decimals (`2.50`, `0.075`, `15`), from 0 to [`PRICE_MAX_USD`]
/// ([`PRICE_PATTERN`]). Returns micro-dollars. Parsed digit by digit, so
/// `0.1` is exactly 100,000 micro-dollars; negative, signed, exponent,
/// over-precise forms and white space are refused.
pub fn price_usd(what: &str, value: &str) -> Result<i64, InputError> {
    let v = value;
    // Echoed in messages, so never longer than a price can be.
    let shown = v
        .chars()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    let bad = || {
        InputError(format!(
            "{what} `{shown}` is not a price in USD: use digits with at most 6 decimals, e.g. 2.50 or 0.075"
        ))
    };
    if v.starts_with('-') {
        return err(format!("{what} must not be negative"));
    }
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (v.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    if frac.len() > 6 {
        return err(format!(
            "{what} `{shown}` has more than 6 decimals (prices are kept in micro-dollars)"
        ));
    }
    let whole = whole.trim_start_matches('0');
    let too_high = || {
        InputError(format!(
            "{what} is above the highest price accepted, USD {PRICE_MAX_USD} per million tokens"
        ))
    };
    if whole.len() > 7 {
        return Err(too_high());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    let micros = whole * MICROS_PER_USD + frac;
    if micros > PRICE_MAX_USD * MICROS_PER_USD {
        return Err(too_high());
    }
    Ok(micros)
}

/// Micro-dollars as a decimal USD string with six decimals, e.g. `2.500000`.
pub fn format_micros(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    format!("{sign}{}.{:06}", m / 1_000_000, m % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llm_names() {
        assert_eq!(llm("openai"), Ok(Some(Provider::OpenAi)));
        assert_eq!(llm(" anthropic "), Ok(Some(Provider::Anthropic)));
        assert_eq!(llm("none"), Ok(None));
        for bad in ["", "OpenAI", "gemini", "none ,", "\u{0}"] {
            let e = llm(bad).unwrap_err();
            assert!(e.0.contains("openai, anthropic or none"), "{e}");
        }
    }

    #[test]
    fn models() {
        assert_eq!(model("gpt-4o").unwrap(), "gpt-4o");
        assert_eq!(model("models/gemini 2.5").unwrap(), "models/gemini 2.5");
        assert!(model(&"m".repeat(MODEL_MAX)).is_ok());
        assert!(
            model(&"é".repeat(MODEL_MAX)).is_ok(),
            "characters, not bytes"
        );
        for bad in [
            String::new(),
            "a\nb".into(),
            "\u{85}".into(),
            "m".repeat(MODEL_MAX + 1),
        ] {
            assert!(model(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prices_are_exact() {
        let p = |v| price_usd("input price", v);
        assert_eq!(p("2.50"), Ok(2_500_000));
        assert_eq!(p("0.075"), Ok(75_000));
        assert_eq!(p("0.1"), Ok(100_000));
        assert_eq!(p("15"), Ok(15_000_000));
        assert_eq!(p("0"), Ok(0));
        assert_eq!(p("000.000001"), Ok(1));
        assert_eq!(p("1000000"), Ok(1_000_000_000_000));
        assert_eq!(p("3.000000"), Ok(3_000_000));
        for bad in [
            "",
            " 3",
            "3 ",
            "-1",
            "-0.5",
            "+1",
            "1e3",
            "1.",
            ".5",
            "1,5",
            "NaN",
            "inf",
            "0x10",
            "1.0000001",
            "1000000.000001",
            "99999999999999999999999",
            "1 000",
            "١",
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
        assert!(p("-1").unwrap_err().0.contains("negative"));
        assert!(p("1.0000001").unwrap_err().0.contains("6 decimals"));
        assert!(p("2000000").unwrap_err().0.contains("highest"));
        // The pattern the API declares says the same.
        let pattern = regex_lite::Regex::new(PRICE_PATTERN).unwrap();
        for v in [
            "0",
            "2.50",
            "0.075",
            "000.000001",
            "1000000",
            "1000000.000000",
            "999999.999999",
            "0001000000",
            "",
            " 3",
            "-1",
            "1.",
            ".5",
            "1e3",
            "1.0000001",
            "1000000.000001",
            "1000001",
            "2000000",
            "99999999999999999999",
        ] {
            assert_eq!(pattern.is_match(v), p(v).is_ok(), "{v:?}");
        }
    }

    #[test]
    fn micros_format() {
        assert_eq!(format_micros(2_500_000), "2.500000");
        assert_eq!(format_micros(1_234), "0.001234");
        assert_eq!(format_micros(0), "0.000000");
        assert_eq!(format_micros(-5), "-0.000005");
        for micros in [0, 1, 75_000, 2_500_000, 1_000_000_000_000] {
            assert_eq!(
                price_usd("p", &format_micros(micros)),
                Ok(micros),
                "{micros}"
            );
        }
    }
}
