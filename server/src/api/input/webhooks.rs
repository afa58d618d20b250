//! Input rules of webhooks: the receiver URL, event names, the route
//! error-rate threshold and the server's webhook settings.

use super::{err, http_url, InputError};
use crate::api::WebhookEvent;
use std::time::Duration;

/// The longest receiver URL accepted.
pub const URL_MAX: usize = 2048;
/// The most webhooks a server holds.
pub const MAX_WEBHOOKS: i64 = 50;
/// The most event names one webhook subscribes to (there are fewer names).
pub const MAX_EVENTS: usize = 16;

/// A receiver URL: absolute `http` or `https` with a host, at most
/// [`URL_MAX`] characters, without credentials (they would be shown by
/// `webhook list`) or a fragment. A query is kept.
pub fn url(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    if v.len() > URL_MAX {
        return err(format!("webhook URL is longer than {URL_MAX} characters"));
    }
    let url = http_url(
        v,
        "webhook URL",
        "https://hooks.example.com/tokenctl",
        "receivers verify the signature instead",
    )?;
    if url.fragment().is_some() {
        return err(format!("webhook URL `{v}` must not have a fragment"));
    }
    // Normalising may lengthen it (percent-encoding).
    if url.as_str().len() > URL_MAX {
        return err(format!(
            "webhook URL is longer than {URL_MAX} characters once encoded"
        ));
    }
    Ok(url.to_string())
}

/// Event names, as given (`a,b` on the command line is split by the CLI):
/// at least one, each known and named once.
pub fn events(values: &[String]) -> Result<Vec<WebhookEvent>, InputError> {
    if values.is_empty() {
        return err(format!(
            "name at least one event: {}",
            event_names().join(", ")
        ));
    }
    if values.len() > MAX_EVENTS {
        return err(format!("at most {MAX_EVENTS} events"));
    }
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        let name = value.trim();
        let event = WebhookEvent::parse(name).ok_or_else(|| {
            InputError(format!(
                "unknown event `{}`; events: {}",
                name.chars().take(64).collect::<String>(),
                event_names().join(", ")
            ))
        })?;
        if out.contains(&event) {
            return err(format!("event `{name}` is named twice"));
        }
        out.push(event);
    }
    Ok(out)
}

fn event_names() -> Vec<&'static str> {
    WebhookEvent::ALL.iter().map(|e| e.as_str()).collect()
}

/// A route's `alert_error_rate`: a share of 5xx answers above 0 and at
/// most 1 (`0.2` is 20 %), or `none` to clear it.
/// Written as a plain decimal (`0.2`, `.05`, `1`): no sign, exponent or
/// white space, at most [`ERROR_RATE_MAX`] characters.
pub fn error_rate(value: &str) -> Result<Option<f64>, InputError> {
    let v = value;
    if v.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let shown: String = v.chars().take(32).collect();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let plain = v.len() <= ERROR_RATE_MAX
        && matches!(int, "" | "0" | "1")
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (v.contains('.') || int == "1")
        && !(int.is_empty() && frac.is_empty());
    if !plain {
        return err(format!(
            "error rate `{shown}` is not a share written like 0.2 (20 %); give one above 0 and at most 1, or `none`"
        ));
    }
    let rate: f64 = v
        .parse()
        .map_err(|_| InputError(format!("error rate `{shown}` is not a number")))?;
    if !rate.is_finite() || rate <= 0.0 || rate > 1.0 {
        return err(format!(
            "error rate `{shown}` must be above 0 and at most 1 (0.2 is 20 %)"
        ));
    }
    Ok(Some(rate))
}

/// The longest `alert_error_rate` accepted.
pub const ERROR_RATE_MAX: usize = 32;

/// `--webhook-token-expiry-warnings`: durations before expiry, each from
/// 1 minute to 365 days, at most 8, each once; sorted longest first.
pub fn expiry_warnings(value: &str) -> Result<Vec<Duration>, InputError> {
    let mut out: Vec<Duration> = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let d = super::duration("warning", part)?;
        if d < Duration::from_secs(60) || d > Duration::from_secs(365 * 86_400) {
            return err(format!(
                "warning `{part}` must be from 1m to 365d before expiry"
            ));
        }
        if out.contains(&d) {
            return err(format!("warning `{part}` is given twice"));
        }
        out.push(d);
    }
    if out.is_empty() || out.len() > 8 {
        return err("give 1 to 8 warnings, e.g. 7d,1d");
    }
    out.sort_by(|a, b| b.cmp(a));
    Ok(out)
}

/// What the OpenAPI document states about these fields.
pub mod schema {
    use super::{WebhookEvent, URL_MAX};
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    use utoipa::openapi::{Array, Object};

    pub fn url() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[\t-\r ]*[Hh][Tt][Tt][Pp][Ss]?://[^#]*$"))
            .min_length(Some(8))
            .max_length(Some(URL_MAX))
            .description(Some(
                "The receiver: http or https, with a host, no credentials or fragment",
            ))
            .examples(["https://hooks.example.com/tokenctl"])
            .build()
    }

    pub fn events() -> Array {
        let item = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(WebhookEvent::ALL.iter().map(|e| e.as_str())));
        ArrayBuilder::new()
            .items(item)
            .min_items(Some(1))
            .max_items(Some(super::MAX_EVENTS))
            .unique_items(true)
            .build()
    }

    /// A route's `alert_error_rate`.
    pub fn error_rate_or_null() -> Object {
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .pattern(Some(r"^([Nn][Oo][Nn][Ee]|0?\.[0-9]*[1-9][0-9]*|1(\.0*)?)$"))
            .max_length(Some(super::ERROR_RATE_MAX))
            .description(Some(
                "Share of 5xx answers above which `route.error_rate` fires, above 0 and at most 1 (`0.2`), or `none` to clear it",
            ))
            .examples(["0.2"])
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            url(" https://hooks.example.com/t?x=1 ").unwrap(),
            "https://hooks.example.com/t?x=1"
        );
        for bad in [
            "ftp://x.example",
            "hooks.example.com",
            "https://user:pw@x.example/",
            "https://x.example/#frag",
            "http://",
            "",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
        let long = format!("https://x.example/{}", "a".repeat(URL_MAX));
        assert!(url(&long).unwrap_err().0.contains("longer"));
        // Short enough as typed, too long once percent-encoded.
        let encoded = format!("https://x.example/{}", "é".repeat(URL_MAX / 4));
        assert!(encoded.len() <= URL_MAX);
        assert!(url(&encoded).unwrap_err().0.contains("encoded"));
        // An accepted URL is accepted again unchanged.
        for ok in [
            "HTTPS://X.example:443/a b?q=é",
            "http://[::1]:9/h",
            "http://127.1/",
        ] {
            let once = url(ok).unwrap();
            assert_eq!(url(&once).unwrap(), once, "{ok}");
        }
    }

    #[test]
    fn event_lists() {
        let e = events(&["token.expiring".into(), " route.error_rate".into()]).unwrap();
        assert_eq!(
            e,
            [WebhookEvent::TokenExpiring, WebhookEvent::RouteErrorRate]
        );
        assert!(events(&[]).is_err());
        assert!(events(&["token.expiring".into(), "token.expiring".into()])
            .unwrap_err()
            .0
            .contains("twice"));
        assert!(events(&["nope".into()]).unwrap_err().0.contains("unknown"));
        assert!(events(&vec!["webhook.test".to_string(); 17]).is_err());
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
        }
    }

    #[test]
    fn error_rates() {
        assert_eq!(error_rate("0.2").unwrap(), Some(0.2));
        assert_eq!(error_rate("1").unwrap(), Some(1.0));
        assert_eq!(error_rate("None").unwrap(), None);
        assert_eq!(error_rate(".05").unwrap(), Some(0.05));
        assert_eq!(error_rate("1.000").unwrap(), Some(1.0));
        for bad in [
            "0", "0.", "0.0", "-0.1", "+0.5", "00.5", " 0.2", "1.01", "1e-1", "NaN", "inf", "x",
            "1e999", ".", "",
        ] {
            assert!(error_rate(bad).is_err(), "{bad}");
        }
    }

    /// The documented pattern and the parser agree (the fuzzer holds the
    /// server to the document both ways).
    #[test]
    fn error_rate_pattern_matches_the_parser() {
        let schema = serde_json::to_value(schema::error_rate_or_null()).unwrap();
        let pattern = regex_lite::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        for v in [
            "none", "NONE", "0.2", ".2", "0.05", "1", "1.", "1.000", "0", "0.", "0.0", ".", "",
            "00.5", "+0.5", "-0.1", "1.5", "2", " 0.2", "0.2 ", "1e-1", "nan", "0.10",
        ] {
            assert_eq!(pattern.is_match(v), error_rate(v).is_ok(), "{v:?}");
        }
    }

    #[test]
    fn warnings() {
        let d = |s| Duration::from_secs(s);
        assert_eq!(
            expiry_warnings("1d, 7d").unwrap(),
            [d(7 * 86_400), d(86_400)]
        );
        assert!(expiry_warnings("7d,7d").is_err());
        assert!(expiry_warnings("30s").is_err());
        assert!(expiry_warnings("").is_err());
        assert!(expiry_warnings("400d").is_err());
    }
}
