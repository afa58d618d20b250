//! Header rules for forwarding: hop-by-hop headers, `X-Forwarded-*`, and
//! rewriting upstream redirects back into the gateway's path space.
//!
//! Header names are compared ASCII case-insensitively throughout, as HTTP
//! requires.
//!
//! Suggested order for a front-end forwarding a request:
//!
//! 1. drop the token headers named by [`Allowed::strip_headers`](crate::Allowed::strip_headers)
//!    and every header that [`HopByHop::is_hop_by_hop`] reports;
//! 2. set [`forwarded_headers`];
//! 3. set the route's [`Allowed::inject_headers`](crate::Allowed::inject_headers),
//!    replacing any client header of the same name.
//!
//! Injecting last matters: a client could otherwise name the injected
//! header in its `Connection` header and have it stripped.
//!
//! Responses get the same hop-by-hop treatment, and their `Location` goes
//! through [`rewrite_location`].

use std::net::IpAddr;

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1,
/// plus `keep-alive` and `proxy-connection` from older practice). A proxy
/// must not forward them.
pub const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The hop-by-hop headers of one message: the fixed [`HOP_BY_HOP`] list
/// plus whatever its `Connection` header names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HopByHop {
    named: Vec<String>,
}

impl HopByHop {
    /// Reads the values of every `Connection` header of a message
    /// (comma-separated header names; `close`/`keep-alive` are harmless
    /// extras).
    pub fn from_connection<'a>(values: impl IntoIterator<Item = &'a str>) -> HopByHop {
        let mut named: Vec<String> = values
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        named.sort_unstable();
        named.dedup();
        HopByHop { named }
    }

    /// Whether the header `name` must be dropped when forwarding.
    pub fn is_hop_by_hop(&self, name: &str) -> bool {
        HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
            || self.named.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// A client address as gateways report it, in `X-Forwarded-For` and in
/// usage events: an IPv4-mapped IPv6 address as plain IPv4. Front-ends
/// format it once (the native gateway per connection) and use the text
/// for both.
pub fn client_ip_text(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

/// The `X-Forwarded-*` headers to set (replacing any the client sent) on a
/// forwarded request, as lower-case `(name, value)` pairs.
///
/// * `x-forwarded-for`: the client's `existing_for` chain with `client`
///   (from [`client_ip_text`]) appended. The chain is client-supplied and
///   only the last entry is trustworthy; upstreams should read it from the
///   right. A chain with characters that cannot occur in a header value is
///   dropped.
/// * `x-forwarded-proto`: `proto` (`http` or `https`) as the client used.
/// * `x-forwarded-host`: the `Host` the client used, when known.
pub fn forwarded_headers(
    existing_for: Option<&str>,
    client: Option<&str>,
    proto: &str,
    host: Option<&str>,
) -> Vec<(&'static str, String)> {
    let existing = existing_for
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));
    let chain = match (existing, client) {
        (Some(e), Some(c)) => Some(format!("{e}, {c}")),
        (Some(e), None) => Some(e.to_string()),
        (None, c) => c.map(str::to_string),
    };
    let mut out = Vec::with_capacity(3);
    if let Some(chain) = chain {
        out.push(("x-forwarded-for", chain));
    }
    out.push(("x-forwarded-proto", proto.to_ascii_lowercase()));
    if let Some(host) = host.filter(|h| !h.is_empty()) {
        out.push(("x-forwarded-host", host.to_string()));
    }
    out
}

/// Rewrites an upstream redirect that points into the upstream base so it
/// points at the same place behind the gateway.
///
/// `upstream_base` is the route's upstream (e.g. `https://api.example/v1`)
/// and `gateway_prefix` the route's path (e.g. `/api/example`). A
/// `location` that is
///
/// * an absolute URL with the base's scheme, host and port (default ports
///   included), or a scheme-relative `//host/...` with its host and port, or
///   an absolute path (`/...`),
/// * whose path is the base path or continues it after a `/`,
///
/// becomes the gateway prefix plus the rest of the path, keeping query and
/// fragment: `https://api.example/v1/next?x=1` → `/api/example/next?x=1`.
/// The result is path-absolute, so the client keeps the gateway's scheme,
/// host and port.
///
/// Returns `None` when the location should be passed on unchanged:
/// relative references (they resolve correctly against the gateway URL
/// already), other hosts, paths outside the base path, and anything with
/// userinfo or dot segments.
pub fn rewrite_location(
    location: &str,
    upstream_base: &str,
    gateway_prefix: &str,
) -> Option<String> {
    let base = split_url(upstream_base)?;
    let base_origin = base.origin?;
    // The base must name its scheme; only a Location may omit it.
    let base_scheme = base_origin.scheme?;
    let base_path = base.path.trim_end_matches('/');
    let loc = split_url(location.trim())?;
    if let Some(origin) = &loc.origin {
        let scheme = origin.scheme.unwrap_or(base_scheme);
        if !scheme.eq_ignore_ascii_case(base_scheme)
            || !origin.host.eq_ignore_ascii_case(base_origin.host)
            || origin.port_or_default(scheme) != base_origin.port_or_default(base_scheme)
        {
            return None;
        }
    } else if !loc.path.starts_with('/') {
        return None; // relative reference
    }
    let rest = loc.path.strip_prefix(base_path)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None; // `/v10` is not under `/v1`
    }
    if has_dot_segment(rest) {
        return None;
    }
    let prefix = gateway_prefix.trim_end_matches('/');
    let mut out = String::with_capacity(prefix.len() + rest.len() + loc.suffix.len() + 1);
    out.push_str(prefix);
    out.push_str(rest);
    if out.is_empty() {
        out.push('/');
    }
    out.push_str(loc.suffix);
    Some(out)
}

struct Origin<'a> {
    /// `None` for a scheme-relative reference.
    scheme: Option<&'a str>,
    host: &'a str,
    port: Option<&'a str>,
}

impl Origin<'_> {
    fn port_or_default(&self, scheme: &str) -> Option<u16> {
        match self.port.filter(|p| !p.is_empty()) {
            Some(p) => p.parse().ok(),
            None if scheme.eq_ignore_ascii_case("http") => Some(80),
            None if scheme.eq_ignore_ascii_case("https") => Some(443),
            None => None,
        }
    }
}

struct SplitUrl<'a> {
    origin: Option<Origin<'a>>,
    path: &'a str,
    /// `?query#fragment`, verbatim.
    suffix: &'a str,
}

/// Splits a URL reference into origin, path and `?query#fragment`. Returns
/// `None` for anything this module does not rewrite (userinfo, schemes
/// other than http(s), unparsable ports).
fn split_url(s: &str) -> Option<SplitUrl<'_>> {
    let (scheme, rest) = match s.find("://") {
        Some(i) if s[..i].bytes().all(|b| b.is_ascii_alphabetic()) && i > 0 => {
            let scheme = &s[..i];
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                return None;
            }
            (Some(scheme), Some(&s[i + 3..]))
        }
        _ => (None, s.strip_prefix("//")),
    };
    let (origin, path_and_suffix) = match rest {
        Some(rest) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
                return None;
            }
            let (host, port) = split_host_port(authority)?;
            (Some(Origin { scheme, host, port }), tail)
        }
        None => (None, s),
    };
    let end = path_and_suffix
        .find(['?', '#'])
        .unwrap_or(path_and_suffix.len());
    let (path, suffix) = path_and_suffix.split_at(end);
    Some(SplitUrl {
        origin,
        path,
        suffix,
    })
}

/// `host[:port]` or `[v6]:port`; the port, if present, must be digits.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let after = &authority[close + 1..];
        match after.strip_prefix(':') {
            Some(port) => (&authority[..=close], Some(port)),
            None if after.is_empty() => (authority, None),
            None => return None,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if port.is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some((host, port))
}

fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|s| {
        let s = s.to_ascii_lowercase();
        matches!(s.as_str(), "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_includes_fixed_list_and_connection_names() {
        let h = HopByHop::from_connection(["keep-alive, X-Internal", " close ,,Foo"]);
        for name in [
            "Connection",
            "keep-alive",
            "TE",
            "Transfer-Encoding",
            "upgrade",
            "Proxy-Authorization",
            "proxy-authenticate",
            "trailer",
            "x-internal",
            "FOO",
            "close",
        ] {
            assert!(h.is_hop_by_hop(name), "{name}");
        }
        for name in [
            "content-type",
            "authorization",
            "x-api-key",
            "host",
            "trailers",
        ] {
            assert!(!h.is_hop_by_hop(name), "{name}");
        }
        assert!(!HopByHop::default().is_hop_by_hop("x-internal"));
    }

    #[test]
    fn forwarded_headers_append_the_client() {
        let v4 = client_ip_text("203.0.113.7".parse().unwrap());
        assert_eq!(
            forwarded_headers(None, Some(&v4), "HTTPS", Some("gw.example:8443")),
            [
                ("x-forwarded-for", "203.0.113.7".to_string()),
                ("x-forwarded-proto", "https".to_string()),
                ("x-forwarded-host", "gw.example:8443".to_string()),
            ]
        );
        let mapped = client_ip_text("::ffff:198.51.100.1".parse().unwrap());
        assert_eq!(
            forwarded_headers(Some(" 10.0.0.1 "), Some(&mapped), "http", None),
            [
                ("x-forwarded-for", "10.0.0.1, 198.51.100.1".to_string()),
                ("x-forwarded-proto", "http".to_string()),
            ]
        );
        let v6 = client_ip_text("2001:db8::1".parse().unwrap());
        assert_eq!(
            forwarded_headers(Some("evil\r\nx: y"), Some(&v6), "http", Some(""))[0],
            ("x-forwarded-for", "2001:db8::1".to_string())
        );
        assert_eq!(
            forwarded_headers(Some("1.2.3.4"), None, "http", None)[0].1,
            "1.2.3.4"
        );
        assert_eq!(forwarded_headers(None, None, "http", None).len(), 1);
    }

    #[test]
    fn rewrites_locations_into_the_base() {
        let base = "https://api.example.com/v1";
        let cases = [
            (
                "https://api.example.com/v1/next?x=1",
                "/api/example/next?x=1",
            ),
            (
                "https://API.example.com:443/v1/next#frag",
                "/api/example/next#frag",
            ),
            ("HTTPS://api.example.com/v1", "/api/example"),
            ("https://api.example.com/v1/", "/api/example/"),
            ("https://api.example.com/v1?page=2", "/api/example?page=2"),
            ("//api.example.com/v1/a", "/api/example/a"),
            ("/v1/next", "/api/example/next"),
            ("/v1/v1/x", "/api/example/v1/x"),
        ];
        for (loc, want) in cases {
            assert_eq!(
                rewrite_location(loc, base, "/api/example").as_deref(),
                Some(want),
                "{loc}"
            );
        }
    }

    #[test]
    fn leaves_other_locations_alone() {
        let base = "https://api.example.com/v1";
        for loc in [
            "https://api.example.com/v10/x",
            "https://api.example.com/other",
            "https://api.example.com",
            "/v10",
            "/other/v1",
            "http://api.example.com/v1/x",
            "https://api.example.com:8443/v1/x",
            "https://evil.example/v1/x",
            "https://api.example.com.evil/v1/x",
            "https://user@api.example.com/v1/x",
            "https://api.example.com/v1/../admin",
            "https://api.example.com/v1/%2e%2e/admin",
            "next",
            "../v1/x",
            "?x=1",
            "ftp://api.example.com/v1/x",
            "",
        ] {
            assert_eq!(rewrite_location(loc, base, "/api/example"), None, "{loc}");
        }
    }

    #[test]
    fn base_without_path_and_root_prefix() {
        // The base path is not doubled and a root prefix does not add `/`s.
        let base = "http://10.0.0.5:8080";
        assert_eq!(
            rewrite_location("http://10.0.0.5:8080/login?next=/", base, "/svc").as_deref(),
            Some("/svc/login?next=/")
        );
        assert_eq!(
            rewrite_location("http://10.0.0.5:8080", base, "/svc").as_deref(),
            Some("/svc")
        );
        assert_eq!(rewrite_location("/a/b", base, "/").as_deref(), Some("/a/b"));
        assert_eq!(
            rewrite_location("http://10.0.0.5:8080?q", base, "/").as_deref(),
            Some("/?q")
        );
        assert_eq!(rewrite_location("http://10.0.0.5/a", base, "/svc"), None);
        assert_eq!(
            rewrite_location("/v1/x", "https://h/v1/", "/p/").as_deref(),
            Some("/p/x")
        );
        let v6 = "http://[::1]:9000/v1";
        assert_eq!(
            rewrite_location("http://[::1]:9000/v1/x", v6, "/p").as_deref(),
            Some("/p/x")
        );
        assert_eq!(rewrite_location("http://[::2]:9000/v1/x", v6, "/p"), None);
    }
}
