//! Parsers for what operators type: names, durations, expiry dates, CIDRs,
//! rate limits, route paths, upstream URLs and upstream-auth specs.
//!
//! The server validates every request with these; the CLI runs the same
//! functions first so a typo fails fast with the same message.

use super::{RateLimit, UpstreamAuth};
use chrono::{DateTime, NaiveDate, Utc};
use ipnet::IpNet;
use std::time::Duration;
use url::Url;

/// A rejected input, with a message meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

mod llm;
mod quota;
pub mod webhooks;
pub use llm::{
    format_micros, llm, model, price_usd, LLM_NONE, MICROS_PER_USD, MODEL_CHARS_MAX, MODEL_PATTERN,
    PRICE_MAX_USD, PRICE_PATTERN,
};
pub use quota::{quota, quota_field, QUOTA_NONE};

/// Names of tokens, routes, secrets, credentials and gateway keys:
/// 1-64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit, and not
/// something that could be mistaken for an id.
pub fn name(kind: &str, value: &str) -> Result<String, InputError> {
    let v = value.trim();
    if v.is_empty() {
        return err(format!("{kind} name must not be empty"));
    }
    if v.len() > 64 {
        return err(format!("{kind} name `{v}` is longer than 64 characters"));
    }
    if !v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return err(format!(
            "{kind} name `{v}` may only contain letters, digits, `.`, `_` and `-`, and must start with a letter or digit"
        ));
    }
    if uuid::Uuid::parse_str(v).is_ok() {
        return err(format!("{kind} name `{v}` looks like an id; pick another"));
    }
    Ok(v.to_string())
}

/// Team slugs: lowercase, 1-63 of `a-z 0-9 -`, starting with a letter or digit.
pub fn team_name(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.len() <= 63
        && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return err(format!(
            "team name `{v}` must be 1-63 characters of a-z, 0-9 and `-`, starting with a letter or digit"
        ));
    }
    Ok(v.to_string())
}

/// A team named by its name or its id.
pub fn team_reference(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    if uuid::Uuid::parse_str(v).is_ok() {
        return Ok(v.to_string());
    }
    team_name(v)
}

/// A team role grant as typed: `TEAM:ROLE`, e.g. `platform:developer`.
pub fn team_role(value: &str) -> Result<(String, super::Role), InputError> {
    let v = value.trim();
    let (team, role) = v.rsplit_once(':').ok_or_else(|| {
        InputError(format!(
            "`{v}` is not TEAM:ROLE (roles: viewer, developer, manager, admin)"
        ))
    })?;
    let role = super::Role::parse(role.trim()).ok_or_else(|| {
        InputError(format!(
            "`{role}` is not a role; use viewer, developer, manager or admin"
        ))
    })?;
    Ok((team_name(team)?, role))
}

/// An e-mail address, checked loosely: something@something.something, at
/// most 254 characters.
pub fn email(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    let ok = v.chars().count() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return err(format!("`{v}` is not an e-mail address"));
    }
    Ok(v.to_string())
}

/// Free text such as descriptions: at most 500 characters, no control characters.
pub fn description(value: &str) -> Result<String, InputError> {
    if value.chars().count() > 500 {
        return err("description is longer than 500 characters");
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return err("description must not contain control characters");
    }
    Ok(value.to_string())
}

/// A duration such as `30s`, `15m`, `12h`, `30d` or `1w 2d`.
pub fn duration(what: &str, value: &str) -> Result<Duration, InputError> {
    let v = value.trim();
    if v == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(v).map_err(|_| {
        InputError(format!(
            "{what} `{v}` is not a duration; use forms like 30s, 15m, 12h, 30d"
        ))
    })
}

/// Formats a duration the way [`duration`] reads it.
pub fn format_duration(d: Duration) -> String {
    if d.is_zero() {
        return "0s".into();
    }
    humantime::format_duration(Duration::from_secs(d.as_secs().max(1))).to_string()
}

/// How far ahead an expiry may lie, in any of its forms.
const LONGEST_EXPIRY_DAYS: i64 = 36_500;

/// When something expires: `never`, a duration from `now` (`30d`, `12h`),
/// a date (`2027-01-31`, meaning 00:00 UTC that day) or an RFC 3339 time.
/// Returns `None` for never. The moment must lie in the future, and at
/// most 100 years ahead.
pub fn expiry(value: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, InputError> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    let too_far = || {
        InputError(format!(
            "expiry `{v}` is too far in the future (at most 100 years)"
        ))
    };
    let at = if let Some(t) = date_or_time(v) {
        t
    } else if let Ok(d) = humantime::parse_duration(v) {
        chrono::Duration::from_std(d)
            .ok()
            .filter(|d| *d <= chrono::Duration::days(LONGEST_EXPIRY_DAYS))
            .and_then(|d| now.checked_add_signed(d))
            .ok_or_else(too_far)?
    } else {
        return err(format!(
            "expiry `{v}` is not understood; use a duration (30d, 12h), a date (2027-01-31), an RFC 3339 time, or `never`"
        ));
    };
    // Stored to the microsecond: judged as stored, so `500ns` is not an
    // expiry that lies in the future and yet is stored as `now`.
    let at = super::trunc_micros(at);
    if at <= now {
        return err(format!("expiry `{v}` ({at}) is not in the future"));
    }
    if now
        .checked_add_signed(chrono::Duration::days(LONGEST_EXPIRY_DAYS))
        .is_some_and(|latest| at > latest)
    {
        return Err(too_far());
    }
    Ok(Some(at))
}

/// A date (`2026-11-01`, 00:00 UTC) or an RFC 3339 time, in UTC.
fn date_or_time(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The earliest and latest times [`moment`] accepts: four-digit years, as
/// both databases and RFC 3339 can hold them.
fn moment_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let day = |y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap_or_default()
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    };
    (day(1, 1, 1), day(10_000, 1, 1))
}

/// A point in time: a duration back from `now` (`24h`, `7d`), a date
/// (`2026-11-01`, 00:00 UTC) or an RFC 3339 time, between the years 0001
/// and 9999.
pub fn moment(what: &str, value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, InputError> {
    let v = value.trim();
    let at = match date_or_time(v) {
        Some(t) => t,
        None => humantime::parse_duration(v)
            .ok()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .filter(|d| *d <= chrono::Duration::days(36_500))
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| {
                InputError(format!(
                    "{what} `{v}` is not a duration (24h, 7d), a date (2026-11-01) or an RFC 3339 time"
                ))
            })?,
    };
    let (earliest, end) = moment_range();
    if at < earliest || at >= end {
        return err(format!("{what} `{v}` lies outside the years 0001 to 9999"));
    }
    Ok(at)
}

/// The most rows of a report's breakdown (a token's calls by route).
pub const MAX_REPORT_ROWS: usize = 1000;

/// A list's `limit`: rows per page, 1 to [`schema::MAX_PAGE`].
pub fn page_limit(value: u32) -> Result<u32, InputError> {
    if !(1..=schema::MAX_PAGE).contains(&value) {
        return err(format!(
            "limit {value} is out of range; a page has 1 to {} rows",
            schema::MAX_PAGE
        ));
    }
    Ok(value)
}

/// An IP allow-list entry: a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a bare
/// address, which means exactly that address.
pub fn cidr(value: &str) -> Result<IpNet, InputError> {
    let v = value.trim();
    if let Ok(net) = v.parse::<IpNet>() {
        if net.trunc() != net {
            return err(format!(
                "CIDR `{v}` has host bits set; did you mean `{}`?",
                net.trunc()
            ));
        }
        return Ok(net);
    }
    if let Ok(ip) = v.parse::<std::net::IpAddr>() {
        return Ok(IpNet::from(ip));
    }
    err(format!(
        "`{v}` is not an IP address or CIDR (examples: 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)"
    ))
}

/// A rate limit `N/PERIOD`: `100/1m`, `10/s`, `5000/1d`.
pub fn rate_limit(value: &str) -> Result<RateLimit, InputError> {
    let v = value.trim();
    let bad = || {
        InputError(format!(
            "rate `{v}` is not of the form N/PERIOD (examples: 100/1m, 10/s, 5000/1d)"
        ))
    };
    let (n, period) = v.split_once('/').ok_or_else(bad)?;
    let requests: u32 = n.trim().parse().map_err(|_| bad())?;
    if requests == 0 {
        return err(format!(
            "rate `{v}` allows no requests; revoke the token instead"
        ));
    }
    let period = period.trim();
    let period = if period.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        period.to_string()
    } else {
        format!("1{period}")
    };
    let period = humantime::parse_duration(&period).map_err(|_| bad())?;
    if period < Duration::from_secs(1) || period > Duration::from_secs(86_400 * 31) {
        return err(format!("rate `{v}`: the period must be between 1s and 31d"));
    }
    Ok(RateLimit {
        requests,
        period_secs: period.as_secs(),
    })
}

/// A route path prefix, normalised: leading `/`, no trailing `/`, no empty,
/// `.` or `..` segments, only unreserved URL characters.
pub fn route_path(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    if !v.starts_with('/') {
        return err(format!("path `{v}` must start with `/`"));
    }
    let mut segments = Vec::new();
    for seg in v.split('/').filter(|s| !s.is_empty()) {
        if seg == "." || seg == ".." {
            return err(format!("path `{v}` must not contain `.` or `..` segments"));
        }
        if !seg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
        {
            return err(format!(
                "path `{v}` may only contain letters, digits, `-`, `.`, `_`, `~` between slashes"
            ));
        }
        segments.push(seg);
    }
    let path = format!("/{}", segments.join("/"));
    if path.len() > 200 {
        return err(format!("path `{v}` is longer than 200 characters"));
    }
    Ok(path)
}

/// An upstream base URL: absolute `http` or `https`, with a host, without
/// credentials, query or fragment. A trailing `/` is dropped.
pub fn upstream_url(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    let url = http_url(
        v,
        "upstream",
        "https://api.openai.com/v1",
        "store them with `tokenctl secret set` and use --auth",
    )?;
    if url.query().is_some() || url.fragment().is_some() {
        return err(format!("upstream `{v}` must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// An absolute `http` or `https` URL with a host and no credentials:
/// what every URL the server calls out to must be. `what` names it in
/// messages, `example` is a valid one, `instead` says where credentials go.
fn http_url(v: &str, what: &str, example: &str, instead: &str) -> Result<Url, InputError> {
    let url = Url::parse(v).map_err(|e| {
        InputError(format!(
            "{what} `{v}` is not an absolute URL ({e}); example: {example}"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return err(format!("{what} `{v}` must use http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return err(format!("{what} `{v}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return err(format!(
            "{what} `{v}` must not embed credentials; {instead}"
        ));
    }
    Ok(url)
}

/// A header name for `header:` upstream auth.
fn header_name(value: &str) -> Result<String, InputError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return err(format!("`{value}` is not a valid HTTP header name"));
    }
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "host" | "content-length" | "transfer-encoding" | "connection" | "upgrade" | "te"
    ) {
        return err(format!(
            "header `{value}` cannot carry upstream credentials"
        ));
    }
    Ok(value.to_string())
}

/// Upstream auth as typed on the command line:
/// `none`, `bearer:SECRET`, `header:HEADER-NAME:SECRET`, `basic:USER-SECRET:PASS-SECRET`.
pub fn upstream_auth(value: &str) -> Result<UpstreamAuth, InputError> {
    let v = value.trim();
    let parts: Vec<&str> = v.split(':').collect();
    let secret = |s: &str| name("secret", s);
    match parts.as_slice() {
        ["none"] => Ok(UpstreamAuth::None),
        ["bearer", s] => Ok(UpstreamAuth::Bearer { secret: secret(s)? }),
        ["header", h, s] => Ok(UpstreamAuth::Header {
            header: header_name(h)?,
            secret: secret(s)?,
        }),
        ["basic", u, p] => Ok(UpstreamAuth::Basic {
            username_secret: secret(u)?,
            password_secret: secret(p)?,
        }),
        _ => err(format!(
            "auth `{v}` is not understood; use none, bearer:SECRET, header:HEADER-NAME:SECRET or basic:USER-SECRET:PASS-SECRET"
        )),
    }
}

/// A token scope: `*`, a route name, or `tag:TAG`.
pub fn scope(value: &str) -> Result<String, InputError> {
    let v = value.trim();
    if v == "*" {
        return Ok(v.into());
    }
    if let Some(tag) = v.strip_prefix("tag:") {
        return Ok(format!("tag:{}", self::tag(tag)?));
    }
    name("route", v).map_err(|e| {
        InputError(format!(
            "scope `{v}` is not `*`, a route name or `tag:TAG` ({e})"
        ))
    })
}

/// A host pattern a secret may be sent to: an exact host
/// (`api.openai.com`, `10.0.0.5`, `[fd00::5]`) or `*.example.com`;
/// returned in canonical form (see `tokenctl_gateway::host`).
pub fn host_pattern(value: &str) -> Result<String, InputError> {
    tokenctl_gateway::host::normalize_pattern(value).map_err(|e| InputError(e.to_string()))
}

/// Host patterns, canonical, sorted and without duplicates.
pub fn host_patterns(values: &[String]) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = values
        .iter()
        .map(|v| host_pattern(v))
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    if out.len() > 32 {
        return err("a secret may be bound to at most 32 hosts");
    }
    Ok(out)
}

/// A route tag: 1-64 of `a-z 0-9 . _ -` (lowercased).
pub fn tag(value: &str) -> Result<String, InputError> {
    let v = value.trim().to_ascii_lowercase();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return err(format!(
            "tag `{value}` must be 1-64 characters of a-z, 0-9, `.`, `_` and `-`"
        ));
    }
    Ok(v)
}

/// The rules above as JSON Schema, for the OpenAPI document: each
/// pattern accepts exactly the canonical form of what its function accepts
/// (see the tests), so that a client can check a request before sending it
/// and a fuzzer knows which requests are well formed.
///
/// The patterns are ECMA 262 regular expressions (JSON Schema's dialect);
/// they use `\uXXXX` escapes only, which Rust's and Python's engines read
/// the same way.
pub mod schema {
    use utoipa::openapi::schema::{
        ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
    };
    use utoipa::openapi::{Array, Object};

    /// [`super::name`]: tokens, routes, secrets, credentials, gateway keys, users.
    pub const NAME: &str = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
    /// [`super::team_name`].
    pub const TEAM_NAME: &str = r"^[a-z0-9][a-z0-9-]{0,62}$";
    /// [`super::team_reference`]: a team name or a UUID in any of the forms
    /// the `uuid` crate reads (hyphenated, simple, braced, URN).
    pub const TEAM_REFERENCE: &str = concat!(
        r"^([a-z0-9][a-z0-9-]{0,62}",
        r"|[0-9A-Fa-f]{32}",
        r"|(urn:uuid:)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
        r"|\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\})$"
    );
    /// [`super::tag`] (stored lowercased).
    pub const TAG: &str = r"^[A-Za-z0-9._-]{1,64}$";
    /// [`super::scope`]: `*`, `tag:TAG` or a route name.
    pub const SCOPE: &str = r"^(\*|tag:[A-Za-z0-9._-]{1,64}|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$";
    /// [`super::team_role`]: `TEAM:ROLE`.
    pub const TEAM_ROLE: &str = r"^[a-z0-9][a-z0-9-]{0,62}:(viewer|developer|manager|admin)$";
    /// [`super::description`]: no control characters but tab and newline
    /// (at most [`DESCRIPTION_MAX`] characters).
    pub const DESCRIPTION: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$";
    pub const DESCRIPTION_MAX: usize = 500;
    /// [`super::email`]: `LOCAL@DOMAIN`, no white space or control
    /// characters, the domain with a `.` neither first nor last (at most
    /// [`EMAIL_MAX`] characters).
    pub const EMAIL: &str = concat!(
        r"^[^@\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+@",
        r"[^.\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
        r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\.",
        r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*",
        r"[^.\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$"
    );
    pub const EMAIL_MAX: usize = 254;
    /// A token reference in a URL (a name or an id) that is not a secret:
    /// one that starts, after white space, with a secret's prefix is
    /// refused (see `tokenctl_gateway::token::Secret::kind_of`).
    pub const NOT_A_SECRET: &str = r"^(?![\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(ntk|tkc|tkg|tke)_)";

    /// Rows per page of a list when `limit` is not given (see `api::paging`).
    pub const DEFAULT_PAGE: u32 = 100;
    /// The most rows a page of a list holds (`limit`).
    pub const MAX_PAGE: u32 = 1000;
    /// A list's `cursor`: base64url without padding, as the server issued it.
    pub const CURSOR: &str = r"^[A-Za-z0-9_-]+$";
    /// The longest cursor the server accepts (it issues far shorter ones).
    pub const CURSOR_MAX: usize = 1024;

    /// `limit` of a paged list.
    pub fn page_limit() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(1))
            .maximum(Some(MAX_PAGE))
            .default(Some(DEFAULT_PAGE.into()))
            .description(Some(format!(
                "Rows per page: 1 to {MAX_PAGE}, default {DEFAULT_PAGE}"
            )))
            .build()
    }

    /// `cursor` of a paged list.
    pub fn cursor() -> Object {
        text(
            CURSOR,
            false,
            "`next_cursor` of the previous page, unchanged; valid only with the same filters",
        )
        .min_length(Some(1))
        .max_length(Some(CURSOR_MAX))
        .build()
    }

    fn text(pattern: &str, nullable: bool, description: &str) -> ObjectBuilder {
        let ty = if nullable {
            SchemaType::from_iter([Type::String, Type::Null])
        } else {
            SchemaType::Type(Type::String)
        };
        ObjectBuilder::new()
            .schema_type(ty)
            .pattern(Some(pattern))
            .description(Some(description))
    }

    const NAME_TEXT: &str =
        "1-64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit, and not shaped like a UUID";

    pub fn name() -> Object {
        text(NAME, false, NAME_TEXT).build()
    }

    pub fn name_or_null() -> Object {
        text(NAME, true, NAME_TEXT).build()
    }

    const TEAM_TEXT: &str = "1-63 of `a-z 0-9 -`, starting with a letter or digit";

    pub fn team_name() -> Object {
        text(TEAM_NAME, false, TEAM_TEXT).build()
    }

    pub fn team_name_or_null() -> Object {
        text(TEAM_NAME, true, TEAM_TEXT).build()
    }

    /// Team names or ids.
    pub fn team_references() -> Array {
        ArrayBuilder::new()
            .items(text(TEAM_REFERENCE, false, "A team name or id"))
            .build()
    }

    const DESCRIPTION_TEXT: &str =
        "Free text: at most 500 characters, no control characters but tab and newline";

    pub fn description_or_null() -> Object {
        text(DESCRIPTION, true, DESCRIPTION_TEXT)
            .max_length(Some(DESCRIPTION_MAX))
            .build()
    }

    const EMAIL_TEXT: &str = "An e-mail address: LOCAL@DOMAIN, the domain with a dot";

    pub fn email() -> Object {
        text(EMAIL, false, EMAIL_TEXT)
            .max_length(Some(EMAIL_MAX))
            .build()
    }

    pub fn email_or_null() -> Object {
        text(EMAIL, true, EMAIL_TEXT)
            .max_length(Some(EMAIL_MAX))
            .build()
    }

    /// A new e-mail, or an empty string to clear it.
    pub fn email_or_empty_or_null() -> Object {
        let pattern = format!("^$|{EMAIL}");
        text(
            &pattern,
            true,
            "An e-mail address, or an empty string to clear it",
        )
        .max_length(Some(EMAIL_MAX))
        .build()
    }

    fn list(pattern: &str, nullable: bool, description: &str) -> Array {
        let mut array = ArrayBuilder::new().items(text(pattern, false, description));
        if nullable {
            array = array.schema_type(SchemaType::from_iter([Type::Array, Type::Null]));
        }
        array.build()
    }

    pub fn team_roles() -> Array {
        list(TEAM_ROLE, false, "`TEAM:ROLE`, e.g. `platform:developer`")
    }

    const SCOPE_TEXT: &str = "`*`, a route name or `tag:TAG`";

    /// A token's scopes: at least one.
    pub fn scopes() -> Array {
        let mut array = list(SCOPE, false, SCOPE_TEXT);
        array.min_items = Some(1);
        array
    }

    pub fn scopes_or_null() -> Array {
        let mut array = list(SCOPE, true, SCOPE_TEXT);
        array.min_items = Some(1);
        array
    }

    /// Scopes to add to a token's.
    pub fn more_scopes() -> Array {
        list(SCOPE, false, SCOPE_TEXT)
    }

    /// [`super::cidr`]: the grammar of addresses and CIDRs (without host
    /// bits) is left to the description.
    fn cidr_list(nullable: bool) -> Array {
        let item = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An IP address, or a CIDR without host bits: 203.0.113.7, 10.0.0.0/8, 2001:db8::/32",
            ))
            .examples(["10.0.0.0/8"]);
        let mut array = ArrayBuilder::new().items(item);
        if nullable {
            array = array.schema_type(SchemaType::from_iter([Type::Array, Type::Null]));
        }
        array.build()
    }

    pub fn cidrs() -> Array {
        cidr_list(false)
    }

    pub fn cidrs_or_null() -> Array {
        cidr_list(true)
    }

    /// [`super::price_usd`].
    pub fn price() -> Object {
        text(
            super::PRICE_PATTERN,
            false,
            "USD per million tokens: digits with at most 6 decimals, from 0 to 1000000, e.g. `2.50`",
        )
        .examples(["2.50"])
        .build()
    }

    /// [`super::model`].
    pub fn model() -> Object {
        text(
            super::MODEL_PATTERN,
            false,
            "The model as the provider's answers name it, e.g. `gpt-4o-2024-08-06`: 1-256 characters, no control characters",
        )
        .min_length(Some(1))
        .max_length(Some(super::MODEL_CHARS_MAX))
        .examples(["gpt-4o-2024-08-06"])
        .build()
    }

    /// [`super::llm`].
    pub fn llm_or_null() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .enum_values(Some([
                serde_json::Value::from("openai"),
                "anthropic".into(),
                super::LLM_NONE.into(),
                serde_json::Value::Null,
            ]))
            .description(Some(
                "`openai` or `anthropic` for an LLM API, `none` for a route that is not one",
            ))
            .build()
    }

    const TAG_TEXT: &str = "1-64 of `A-Z a-z 0-9 . _ -` (stored lowercased)";

    pub fn tags() -> Array {
        list(TAG, false, TAG_TEXT)
    }

    pub fn tags_or_null() -> Array {
        list(TAG, true, TAG_TEXT)
    }
}

#[cfg(test)]
mod tests;
