//! Route matching: longest path prefix on segment boundaries.
//!
//! Routes are kept in a trie keyed by path segment, so matching a request
//! costs one hash lookup per request segment, independent of the number of
//! routes, and never allocates beyond the upstream URL it returns.

use crate::path::{check_query, is_route_prefix, normalize_path, PathError};
use crate::snapshot::{RouteEntry, SnapshotWarning};
use std::collections::HashMap;
use std::ops::Range;

/// The routes of a snapshot, indexed for matching.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<RouteEntry>,
    root: Node,
    warnings: Vec<SnapshotWarning>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// Index into `routes` of the route whose prefix ends here.
    route: Option<usize>,
    children: HashMap<Box<str>, Node>,
}

/// Why no route was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The path (or query) is unsafe to forward; see [`crate::path`].
    #[error("bad path: {0}")]
    BadPath(#[from] PathError),
    /// No route's prefix covers the path.
    #[error("no route matches the path")]
    NotFound,
}

/// A matched route and where to forward the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    /// The matched route.
    pub route: &'a RouteEntry,
    /// Its position in [`RouteTable::routes`].
    pub index: usize,
    upstream_url: String,
    remainder: Range<usize>,
}

impl RouteMatch<'_> {
    /// `upstream base + remainder + ?query`. Always starts with the route's
    /// upstream base, followed by `/`, `?` or nothing.
    pub fn upstream_url(&self) -> &str {
        &self.upstream_url
    }

    /// The canonical request path after the route prefix: empty (the
    /// request was exactly the prefix) or starting with `/`.
    pub fn remainder(&self) -> &str {
        &self.upstream_url[self.remainder.clone()]
    }

    /// Takes the upstream URL without copying it.
    pub fn into_upstream_url(self) -> String {
        self.upstream_url
    }
}

impl RouteTable {
    /// Indexes `routes`. Routes with an invalid path or upstream, and any
    /// route whose path is already taken by an earlier one, are left out
    /// (see [`RouteTable::warnings`]): they fail closed by never matching.
    /// A trailing `/` on an upstream is dropped.
    pub fn new(routes: Vec<RouteEntry>) -> RouteTable {
        let mut table = RouteTable::default();
        for mut route in routes {
            if !is_route_prefix(&route.path) {
                table.warnings.push(SnapshotWarning::InvalidRoutePath {
                    route: route.name,
                    path: route.path,
                });
                continue;
            }
            match upstream_base(&route.upstream) {
                Some(base) => route.upstream.truncate(base.len()),
                None => {
                    table.warnings.push(SnapshotWarning::InvalidUpstream {
                        route: route.name,
                        upstream: route.upstream,
                    });
                    continue;
                }
            }
            let mut node = &mut table.root;
            for segment in route.path.split('/').filter(|s| !s.is_empty()) {
                node = node.children.entry(segment.into()).or_default();
            }
            if let Some(kept) = node.route {
                table.warnings.push(SnapshotWarning::DuplicateRoutePath {
                    route: route.name,
                    path: route.path,
                    kept: table.routes[kept].name.clone(),
                });
                continue;
            }
            node.route = Some(table.routes.len());
            table.routes.push(route);
        }
        table
    }

    /// The usable routes, in snapshot order.
    pub fn routes(&self) -> &[RouteEntry] {
        &self.routes
    }

    /// Routes that were left out, and why.
    pub fn warnings(&self) -> &[SnapshotWarning] {
        &self.warnings
    }

    /// Normalises `raw_path` (see [`crate::path`]), finds the route with the
    /// longest prefix covering it, and builds the upstream URL. `query` is
    /// the raw query string without `?`, forwarded verbatim.
    ///
    /// A bad path is reported as [`RouteError::BadPath`] even when no route
    /// would have matched, so clients learn nothing about routes from it.
    pub fn resolve(
        &self,
        raw_path: &str,
        query: Option<&str>,
    ) -> Result<RouteMatch<'_>, RouteError> {
        let path = normalize_path(raw_path)?;
        if let Some(query) = query {
            check_query(query)?;
        }
        let (index, prefix_len) = self.longest_prefix(&path).ok_or(RouteError::NotFound)?;
        let route = &self.routes[index];
        let remainder = &path[prefix_len..];

        let base = route.upstream.as_str();
        let query_len = query.map_or(0, |q| q.len() + 1);
        let mut url = String::with_capacity(base.len() + remainder.len() + query_len);
        url.push_str(base);
        url.push_str(remainder);
        if let Some(query) = query {
            url.push('?');
            url.push_str(query);
        }
        Ok(RouteMatch {
            route,
            index,
            remainder: base.len()..base.len() + remainder.len(),
            upstream_url: url,
        })
    }

    /// Walks the trie along the segments of a canonical path and returns the
    /// deepest route seen, with the byte length of its prefix in `path`
    /// (0 for the `/` route, so its remainder is the whole path).
    fn longest_prefix(&self, path: &str) -> Option<(usize, usize)> {
        let mut node = &self.root;
        let mut best = node.route.map(|r| (r, 0));
        let mut consumed = 0;
        // Canonical paths have no empty segments except a trailing one.
        for segment in path[1..].split('/').take_while(|s| !s.is_empty()) {
            match node.children.get(segment) {
                Some(child) => {
                    node = child;
                    consumed += 1 + segment.len();
                    if let Some(r) = node.route {
                        best = Some((r, consumed));
                    }
                }
                None => break,
            }
        }
        best
    }
}

/// Validates an upstream base URL and returns it without trailing `/`s:
/// `http` or `https` (any case), a non-empty authority without userinfo,
/// no query, fragment, backslash, whitespace or control character, and no
/// dot segments in its path. These are what make "base + `/rest`" unable
/// to change the scheme, host, port or base path.
fn upstream_base(upstream: &str) -> Option<&str> {
    let rest = strip_prefix_ignore_case(upstream, "https://")
        .or_else(|| strip_prefix_ignore_case(upstream, "http://"))?;
    if upstream
        .bytes()
        .any(|b| matches!(b, b'?' | b'#' | b'\\' | b' ') || b.is_ascii_control())
    {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    // A port, if any, is digits: the part after the last `:` outside an
    // IPv6 literal's brackets.
    let host_port = authority.rsplit(']').next().unwrap_or_default();
    if let Some((_, port)) = host_port.rsplit_once(':') {
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    if path.split('/').any(|s| {
        let s = s.to_ascii_lowercase();
        matches!(s.as_str(), "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e.")
    }) {
        return None;
    }
    // The authority is non-empty, so trimming cannot reach the scheme.
    Some(upstream.trim_end_matches('/'))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::UpstreamAuth;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn route(name: &str, path: &str, upstream: &str) -> RouteEntry {
        RouteEntry {
            id: Uuid::from_u128(name.len() as u128),
            name: name.into(),
            path: path.into(),
            upstream: upstream.into(),
            tags: vec![],
            auth: UpstreamAuth::None,
            timeout_ms: 30_000,
            all_teams: true,
            teams: vec![],
            upstream_access: Default::default(),
            llm: None,
        }
    }

    fn table() -> RouteTable {
        RouteTable::new(vec![
            route("root", "/", "http://fallback.internal"),
            route("openai", "/api/openai", "https://api.openai.com/v1"),
            route(
                "openai-files",
                "/api/openai/files",
                "https://files.example/base/",
            ),
            route("anthropic", "/api/anthropic", "https://api.anthropic.com"),
        ])
    }

    fn resolve(t: &RouteTable, path: &str, query: Option<&str>) -> (String, String, String) {
        let m = t.resolve(path, query).unwrap();
        (
            m.route.name.clone(),
            m.remainder().to_string(),
            m.upstream_url().to_string(),
        )
    }

    #[test]
    fn longest_prefix_on_segment_boundaries() {
        let t = table();
        let cases = [
            (
                "/api/openai",
                None,
                "openai",
                "",
                "https://api.openai.com/v1",
            ),
            (
                "/api/openai/",
                None,
                "openai",
                "/",
                "https://api.openai.com/v1/",
            ),
            (
                "/api/openai/chat/completions",
                Some("stream=true&x=%20"),
                "openai",
                "/chat/completions",
                "https://api.openai.com/v1/chat/completions?stream=true&x=%20",
            ),
            (
                "/api/openaix",
                None,
                "root",
                "/api/openaix",
                "http://fallback.internal/api/openaix",
            ),
            (
                "/api/openai/files/1",
                None,
                "openai-files",
                "/1",
                "https://files.example/base/1",
            ),
            (
                "/api/openai/filesx",
                None,
                "openai",
                "/filesx",
                "https://api.openai.com/v1/filesx",
            ),
            ("/", Some(""), "root", "/", "http://fallback.internal/?"),
            (
                "//api//openai//x",
                None,
                "openai",
                "/x",
                "https://api.openai.com/v1/x",
            ),
            (
                "/api/%6fpenai/x",
                None,
                "openai",
                "/x",
                "https://api.openai.com/v1/x",
            ),
            (
                "/API/openai",
                None,
                "root",
                "/API/openai",
                "http://fallback.internal/API/openai",
            ),
        ];
        for (path, query, name, remainder, url) in cases {
            assert_eq!(
                resolve(&t, path, query),
                (name.into(), remainder.into(), url.into()),
                "{path}"
            );
        }
    }

    #[test]
    fn no_root_route_means_not_found() {
        let t = RouteTable::new(vec![route("openai", "/api/openai", "https://a.example")]);
        for path in ["/", "/api", "/api/openaix", "/api/open"] {
            assert_eq!(t.resolve(path, None), Err(RouteError::NotFound), "{path}");
        }
        assert_eq!(
            t.resolve("/api/openai/../x", None),
            Err(RouteError::BadPath(PathError::DotSegment))
        );
        assert_eq!(
            t.resolve("/api/openai", Some("a#b")),
            Err(RouteError::BadPath(PathError::InvalidQuery))
        );
    }

    #[test]
    fn invalid_and_duplicate_routes_are_left_out_with_a_warning() {
        let t = RouteTable::new(vec![
            route("a", "/a", "https://a.example/"),
            route("a2", "/a", "https://other.example"),
            route("bad-path", "/b/", "https://b.example"),
            route("bad-path2", "b", "https://b.example"),
            route("ftp", "/c", "ftp://c.example"),
            route("creds", "/d", "https://user:pw@d.example"),
            route("query", "/e", "https://e.example/?x=1"),
            route("no-host", "/f", "https:///x"),
            route("dots", "/g", "https://g.example/v1/../admin"),
            route("ok", "/h", "HTTPS://h.example:8443/v1//"),
        ]);
        let names: Vec<_> = t.routes().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "ok"]);
        assert_eq!(t.routes()[0].upstream, "https://a.example");
        assert_eq!(t.routes()[1].upstream, "HTTPS://h.example:8443/v1");
        assert_eq!(t.warnings().len(), 8);
        assert!(matches!(
            &t.warnings()[0],
            SnapshotWarning::DuplicateRoutePath { route, kept, .. } if route == "a2" && kept == "a"
        ));
    }

    #[test]
    fn upstream_bases() {
        assert_eq!(upstream_base("http://h"), Some("http://h"));
        assert_eq!(upstream_base("http://h/"), Some("http://h"));
        assert_eq!(
            upstream_base("http://[::1]:8080/v1/"),
            Some("http://[::1]:8080/v1")
        );
        for bad in [
            "",
            "http://",
            "http:///",
            "//h",
            "h",
            "http://h\\x",
            "http://h x",
            "http://h#",
            "http://h:8o",
            "http://[::1]:x/",
        ] {
            assert_eq!(upstream_base(bad), None, "{bad}");
        }
    }

    fn segment() -> impl Strategy<Value = String> {
        "[a-z0-9][a-z0-9._~-]{0,6}".prop_filter("not a dot segment", |s| s != "." && s != "..")
    }

    fn prefix() -> impl Strategy<Value = String> {
        prop::collection::vec(segment(), 1..4).prop_map(|s| format!("/{}", s.join("/")))
    }

    /// Pieces that try to climb out of the prefix or the base path.
    fn hostile_path() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "/",
            "//",
            "..",
            ".",
            "%2e%2e",
            "%2E%2e",
            "%2e%2E",
            ".%2e",
            "%2e",
            "\\",
            "%5c",
            "%5C",
            "%2f",
            "%2F",
            "%252e%252e",
            "..;",
            "a",
            "b",
            "@",
            ":",
            "evil.com",
            "%40",
            "?",
            "#",
            "%23",
            "%3F",
            "http:",
            " ",
            "%00",
        ]);
        prop::collection::vec(piece, 0..14).prop_map(|v| v.concat())
    }

    /// Checks, with an independent URL parser, that `url` stays on the
    /// upstream's scheme, host and port and inside its base path.
    fn assert_inside(url: &str, base: &str) -> Result<(), TestCaseError> {
        let base_url = url::Url::parse(base).unwrap();
        let parsed =
            url::Url::parse(url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
        prop_assert_eq!(parsed.scheme(), base_url.scheme());
        prop_assert_eq!(parsed.host_str(), base_url.host_str());
        prop_assert_eq!(
            parsed.port_or_known_default(),
            base_url.port_or_known_default()
        );
        prop_assert!(parsed.username().is_empty() && parsed.password().is_none());
        let base_path = base_url.path().trim_end_matches('/');
        let path = parsed.path();
        prop_assert!(
            path == base_path || path.starts_with(&format!("{base_path}/")),
            "{} escapes {}",
            url,
            base
        );
        Ok(())
    }

    proptest! {
        /// A prefix never matches a path that merely starts with the same
        /// characters without a segment boundary.
        #[test]
        fn prefix_needs_a_segment_boundary(p in prefix(), tail in "[a-zA-Z0-9._~%-]{1,8}", rest in "(/[a-z]{0,4}){0,3}") {
            let t = RouteTable::new(vec![
                route("root", "/", "https://root.example"),
                route("p", &p, "https://p.example"),
            ]);
            let path = format!("{p}{tail}{rest}");
            if let Ok(m) = t.resolve(&path, None) {
                // Only a tail that *normalises* to nothing extra (never:
                // the tail is non-empty and has no `/`) could match `p`.
                prop_assert_eq!(&m.route.name, "root", "{} matched {}", path, p);
            }
        }

        /// A prefix does match itself and everything below it.
        #[test]
        fn prefix_matches_below_itself(p in prefix(), rest in "(/[a-z0-9]{1,4}){0,3}/?") {
            let t = RouteTable::new(vec![
                route("root", "/", "https://root.example"),
                route("p", &p, "https://p.example/v1"),
            ]);
            let m = t.resolve(&format!("{p}{rest}"), None).unwrap();
            prop_assert_eq!(&m.route.name, "p");
            prop_assert_eq!(m.remainder(), rest.as_str());
        }

        /// Whatever the request path and query, the upstream URL starts with
        /// the route's upstream base followed by `/`, `?` or nothing, and
        /// stays on its scheme, host, port and base path.
        #[test]
        fn upstream_url_never_escapes_the_base(
            raw in prop_oneof![hostile_path(), any::<String>(), "/api/openai[/.%a-f0-9\\\\]{0,30}".prop_map(String::from)],
            query in proptest::option::of("[a-z=&%/.@:?]{0,10}"),
        ) {
            let bases = ["https://api.openai.com/v1", "http://10.0.0.1:8080", "https://h.example/a/b"];
            let t = RouteTable::new(vec![
                route("root", "/", bases[1]),
                route("openai", "/api/openai", bases[0]),
                route("deep", "/x/y", bases[2]),
            ]);
            for raw in [raw.clone(), format!("/api/openai{raw}"), format!("/api/openai/{raw}"), format!("/x/y/{raw}")] {
                if let Ok(m) = t.resolve(&raw, query.as_deref()) {
                    let base = &m.route.upstream;
                    let url = m.upstream_url();
                    prop_assert!(url.starts_with(base.as_str()));
                    prop_assert!(matches!(url.as_bytes().get(base.len()), None | Some(b'/') | Some(b'?')), "{}", url);
                    prop_assert!(m.remainder().is_empty() || m.remainder().starts_with('/'));
                    assert_inside(url, base)?;
                }
            }
        }

        /// Traversal spellings never get a request out of its prefix: a
        /// path under `/api/openai` either fails or matches that route.
        #[test]
        fn traversal_never_escapes_the_prefix(raw in hostile_path()) {
            let t = RouteTable::new(vec![
                route("root", "/", "https://root.example"),
                route("openai", "/api/openai", "https://api.openai.com/v1"),
                route("admin", "/admin", "https://admin.example"),
            ]);
            let path = format!("/api/openai/{raw}");
            match t.resolve(&path, None) {
                Ok(m) => prop_assert_eq!(&m.route.name, "openai", "{} escaped", path),
                Err(e) => prop_assert!(matches!(e, RouteError::BadPath(_)), "{}: {:?}", path, e),
            }
        }

        #[test]
        fn matcher_never_panics(raw in any::<String>(), query in proptest::option::of(any::<String>())) {
            let _ = table().resolve(&raw, query.as_deref());
        }
    }
}
