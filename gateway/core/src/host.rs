//! Host patterns: where an upstream secret may be sent.
//!
//! Each upstream secret is bound to one or more host patterns. A route may
//! use the secret only when its upstream's host matches one of them, and
//! the gateway never injects the secret into a request for any other host.
//!
//! A pattern is either
//!
//! * an exact host: a DNS name (`api.openai.com`), an IPv4 address
//!   (`10.0.0.5`) or a bracketed IPv6 address (`[fd00::5]`), compared
//!   case-insensitively and without port; or
//! * `*.example.com`: any host one or more labels below `example.com`, but
//!   not `example.com` itself. The wildcard needs at least two labels after
//!   it (`*.com` is refused) and stands for whole labels only.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Why a host pattern was refused; the message is for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostPatternError(String);

fn refuse<T>(pattern: &str, why: impl fmt::Display) -> Result<T, HostPatternError> {
    Err(HostPatternError(format!("host `{pattern}` {why}")))
}

/// Checks a host pattern and returns its canonical form: lowercase, no
/// trailing dot, IPv6 bracketed and compressed.
pub fn normalize_pattern(pattern: &str) -> Result<String, HostPatternError> {
    let typed = pattern.trim();
    let p = typed.to_ascii_lowercase();
    let p = p.strip_suffix('.').unwrap_or(&p);
    if p.is_empty() {
        return refuse(typed, "is empty");
    }
    if !p.is_ascii() {
        return refuse(
            typed,
            "is not ASCII; write internationalised names in their xn-- form",
        );
    }
    if p.contains('/') || p.contains('@') || p.contains("://") {
        return refuse(
            typed,
            "is not a host name; give only the host, e.g. api.openai.com",
        );
    }
    if let Some(inner) = p.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(format!("[{ip}]")),
            Err(_) => refuse(typed, "is not an IPv6 address"),
        };
    }
    if p.contains(':') {
        return match p.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(format!("[{ip}]")),
            Err(_) => refuse(typed, "must not have a port"),
        };
    }
    if let Ok(ip) = p.parse::<Ipv4Addr>() {
        return Ok(ip.to_string());
    }
    let (wildcard, name) = match p.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    if name.contains('*') {
        return refuse(
            typed,
            "may use `*` only as its whole first label, as in *.example.com",
        );
    }
    check_name(typed, name)?;
    if wildcard && name.split('.').count() < 2 {
        return refuse(
            typed,
            "is too broad: a wildcard needs at least two labels after it, as in *.example.com",
        );
    }
    Ok(if wildcard {
        format!("*.{name}")
    } else {
        name.to_string()
    })
}

fn check_name(typed: &str, name: &str) -> Result<(), HostPatternError> {
    if name.len() > 253 {
        return refuse(typed, "is longer than 253 characters");
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return refuse(
                typed,
                "is not a host name (labels of a-z, 0-9, `-` and `_`, separated by dots)",
            );
        }
    }
    // A name whose last label is all digits would be read as an IPv4
    // address by URL parsers.
    if name
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return refuse(typed, "is neither an IPv4 address nor a host name");
    }
    Ok(())
}

/// Whether a host matches a (normalised) pattern. The host is compared
/// case-insensitively, ignoring one trailing dot.
pub fn matches(pattern: &str, host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    match pattern.strip_prefix('*') {
        Some(suffix) => {
            // `suffix` is `.example.com`: at least one whole label before it.
            host.len() > suffix.len()
                && host.as_bytes()[..host.len() - suffix.len()]
                    .last()
                    .is_some_and(|b| *b != b'.')
                && host
                    .get(host.len() - suffix.len()..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
                && !host.starts_with('.')
                && !host.starts_with('[')
        }
        None => host.eq_ignore_ascii_case(pattern),
    }
}

/// Whether a host matches any of `patterns`.
pub fn matches_any(patterns: &[String], host: &str) -> bool {
    patterns.iter().any(|p| matches(p, host))
}

/// The host of an upstream URL (`http(s)://host[:port]/…`), lowercase, as
/// written: bracketed for IPv6, without port and trailing dot. `None` when
/// the URL has no authority.
pub fn upstream_host(upstream: &str) -> Option<String> {
    let (_, rest) = upstream.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        &authority[..=authority.find(']')?]
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn patterns_are_normalised() {
        for (typed, canonical) in [
            ("api.openai.com", "api.openai.com"),
            (" API.OpenAI.com. ", "api.openai.com"),
            ("*.example.com", "*.example.com"),
            ("*.Internal.Example.COM", "*.internal.example.com"),
            ("10.0.0.5", "10.0.0.5"),
            ("[FD00::5]", "[fd00::5]"),
            ("fd00:0:0::5", "[fd00::5]"),
            ("localhost", "localhost"),
            ("svc_1.local", "svc_1.local"),
        ] {
            assert_eq!(normalize_pattern(typed).unwrap(), canonical, "{typed}");
        }
        for bad in [
            "",
            ".",
            "*",
            "*.com",
            "*.*.example.com",
            "api.*.example.com",
            "a*.example.com",
            "api.openai.com:443",
            "https://api.openai.com",
            "api.openai.com/v1",
            "user@host",
            "-bad.example",
            "bad-.example",
            "a..b",
            "bücher.de",
            "1.2.3",
            "999.1.1.1",
            "[1.2.3.4]",
            "a b",
        ] {
            assert!(normalize_pattern(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn exact_and_wildcard_matching() {
        assert!(matches("api.openai.com", "api.openai.com"));
        assert!(matches("api.openai.com", "API.OpenAI.com."));
        assert!(!matches("api.openai.com", "api.openai.com.evil.example"));
        assert!(!matches("api.openai.com", "evil-api.openai.com"));
        assert!(!matches("api.openai.com", "openai.com"));

        assert!(matches("*.example.com", "a.example.com"));
        assert!(matches("*.example.com", "a.b.example.com"));
        assert!(matches("*.example.com", "A.EXAMPLE.com"));
        assert!(!matches("*.example.com", "example.com"), "not the apex");
        assert!(!matches("*.example.com", ".example.com"));
        assert!(!matches("*.example.com", "aexample.com"));
        assert!(!matches("*.example.com", "a.example.com.evil"));
        assert!(!matches("*.example.com", "example.com.a"));

        assert!(matches("10.0.0.5", "10.0.0.5"));
        assert!(!matches("10.0.0.5", "10.0.0.50"));
        assert!(matches("[fd00::5]", "[fd00::5]"));
        assert!(matches_any(
            &["x.example".into(), "*.openai.com".into()],
            "api.openai.com"
        ));
        assert!(!matches_any(&[], "api.openai.com"));
    }

    #[test]
    fn hosts_of_upstreams() {
        for (upstream, host) in [
            ("https://api.openai.com/v1", "api.openai.com"),
            ("https://API.OpenAI.com:443", "api.openai.com"),
            ("http://127.0.0.1:9000/base", "127.0.0.1"),
            ("http://[::1]:8080/v1", "[::1]"),
            ("http://[fd00::5]", "[fd00::5]"),
            ("HTTP://h.example./x", "h.example"),
        ] {
            assert_eq!(upstream_host(upstream).as_deref(), Some(host), "{upstream}");
        }
        assert_eq!(upstream_host("no-scheme"), None);
        assert_eq!(upstream_host("http:///x"), None);
    }

    fn label() -> impl Strategy<Value = String> {
        "[a-z0-9][a-z0-9-]{0,6}[a-z0-9]".prop_map(String::from)
    }

    fn name(min: usize) -> impl Strategy<Value = String> {
        (
            prop::collection::vec(label(), min..4),
            "[a-z]{2,5}".prop_map(String::from),
        )
            .prop_map(|(labels, tld)| {
                let mut all = labels;
                all.push(tld);
                all.join(".")
            })
    }

    proptest! {
        /// A wildcard matches exactly the hosts strictly below its suffix,
        /// on a label boundary.
        #[test]
        fn wildcard_means_strictly_below(suffix in name(1), sub in name(0), glue in "[.a-z-]?") {
            let pattern = normalize_pattern(&format!("*.{suffix}")).unwrap();
            let below = format!("{sub}.{suffix}");
            prop_assert!(matches(&pattern, &below));
            prop_assert!(!matches(&pattern, &suffix));
            let joined = format!("{sub}{glue}{suffix}");
            let below = glue == "." ;
            prop_assert_eq!(matches(&pattern, &joined), below, "{} vs {}", pattern, joined);
        }

        /// An exact pattern matches its own host in any case, and nothing else.
        #[test]
        fn exact_means_equal(host in name(1), other in name(1)) {
            let pattern = normalize_pattern(&host.to_ascii_uppercase()).unwrap();
            prop_assert!(matches(&pattern, &host));
            prop_assert_eq!(matches(&pattern, &other), host == other);
        }

        /// Normalising is a fixed point and never panics.
        #[test]
        fn normalising_is_idempotent(typed in "[*.a-zA-Z0-9:\\[\\]_-]{0,30}") {
            if let Ok(p) = normalize_pattern(&typed) {
                prop_assert_eq!(normalize_pattern(&p).unwrap(), p);
            }
        }

        #[test]
        fn never_panics(pattern in any::<String>(), host in any::<String>()) {
            let _ = normalize_pattern(&pattern);
            let _ = matches(&pattern, &host);
            let _ = upstream_host(&host);
        }
    }
}
