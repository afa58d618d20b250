//! Header rules for forwarding, one concern per file:
//!
//! * [`upstream`] — what the upstream request's headers become: which
//!   client headers never reach the upstream ([`client_headers_to_drop`]),
//!   `X-Forwarded-*` ([`forwarded_headers`]), and the one ordered plan
//!   every front-end applies ([`UpstreamHeaderPlan`]);
//! * [`response`] — what the client gets back: the upstream response's
//!   hop-by-hop headers dropped, a redirect into the upstream pointed back
//!   at the route ([`redirect_location`]);
//! * [`hop_by_hop`] — [`HopByHop`], for both directions;
//! * [`secrets`] — [`carries_tokenctl_secret`];
//! * [`origin`] — who the client is, behind trusted proxies
//!   ([`client_origin`]), and how its address is written
//!   ([`client_ip_text`]);
//! * this file — [`rewrite_location`], the `Location` rule below
//!   [`redirect_location`].
//!
//! Header names are compared ASCII case-insensitively throughout, as HTTP
//! requires.

pub mod hop_by_hop;
pub mod origin;
pub mod response;
pub mod secrets;
pub mod upstream;

pub use hop_by_hop::{HopByHop, HOP_BY_HOP};
pub use origin::{client_ip_text, client_origin, ClientOrigin};
pub use response::{redirect_location, response_headers_to_drop};
pub use secrets::carries_tokenctl_secret;
pub use upstream::{
    client_headers_to_drop, forwarded_headers, Forwarding, UpstreamHeaderPlan, UpstreamHeaders,
};

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
