//! Rewriting an upstream's redirects (`Location`) back into the gateway's
//! path space, without ever pointing a client at another host.

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
/// host and port: it never starts with `//` or `/\` (nor with those once
/// tabs and newlines are dropped, as browsers do), which a client would
/// follow to another host. A location that would rewrite to one — the `/`
/// route with `https://api.example//evil.example/x` — is passed on
/// unchanged, as an absolute URL of the upstream.
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
    if leaves_the_host(&out) {
        return None;
    }
    Some(out)
}

/// Whether a client would read `reference` as scheme-relative
/// (`//host/...`) rather than as a path on the current host: the WHATWG URL
/// parser drops ASCII tabs and newlines anywhere and reads `\` as `/` in
/// http(s) URLs.
fn leaves_the_host(reference: &str) -> bool {
    let mut chars = reference
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    matches!(
        (chars.next(), chars.next()),
        (Some('/' | '\\'), Some('/' | '\\'))
    )
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

    #[test]
    fn never_points_at_another_host() {
        // The `/` route: the upstream path `//evil.example/x` would become
        // the scheme-relative `//evil.example/x`.
        let base = "https://api.example";
        for loc in [
            "https://api.example//evil.example/x",
            "https://api.example/\\evil.example/x",
            "https://api.example/\t/evil.example/x",
            "https://api.example/\t\\evil.example",
            "//api.example//evil.example",
            "//evil.example/x",
            "/\\evil.example/x",
            "/\t/evil.example",
        ] {
            assert_eq!(rewrite_location(loc, base, "/"), None, "{loc:?}");
        }
        // Under a longer prefix the same paths stay on the gateway's host.
        assert_eq!(
            rewrite_location("https://api.example//evil.example/x", base, "/svc").as_deref(),
            Some("/svc//evil.example/x")
        );
        // A single leading `/` is still rewritten for the `/` route.
        assert_eq!(
            rewrite_location("https://api.example/a//b", base, "/").as_deref(),
            Some("/a//b")
        );
        assert_eq!(
            rewrite_location("https://api.example", base, "/").as_deref(),
            Some("/")
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Paths built from the characters that matter here.
        fn path() -> impl Strategy<Value = String> {
            "[/\\\\\t a-z.%?#:@]{0,12}"
        }

        proptest! {
            /// Whatever the upstream sends, a rewritten Location starts with
            /// the route's prefix, is path-absolute, and no client reads it
            /// as a reference to another host.
            #[test]
            fn rewritten_locations_stay_on_the_gateway(
                loc_path in path(),
                absolute in any::<bool>(),
                base_path in prop_oneof![Just(""), Just("/v1"), Just("/")],
                prefix in prop_oneof![Just("/"), Just("/api"), Just("/a/b/")],
            ) {
                let base = format!("https://api.example{base_path}");
                let loc = if absolute {
                    format!("https://api.example{loc_path}")
                } else {
                    loc_path.clone()
                };
                if let Some(out) = rewrite_location(&loc, &base, prefix) {
                    prop_assert!(out.starts_with(prefix.trim_end_matches('/')), "{:?} -> {:?}", loc, out);
                    prop_assert!(out.starts_with('/'), "{:?} -> {:?}", loc, out);
                    prop_assert!(!leaves_the_host(&out), "{:?} -> {:?}", loc, out);
                    // What a browser resolves it to is on the gateway's host.
                    let gateway = url::Url::parse("https://gateway.example/x/y").unwrap();
                    let resolved = gateway.join(&out).unwrap();
                    prop_assert_eq!(resolved.host_str(), Some("gateway.example"), "{:?} -> {:?}", loc, out);
                }
            }
        }
    }
}
