//! Path normalisation and route matching on a small fixed table.
//!
//! Invariants (docs/architecture.md, `gateway/core/src/path.rs`): a
//! normalised path starts with `/`, has no `//`, no `.`/`..` segment, no
//! raw `?`, `#`, `\`, control or non-ASCII byte, and is a fixed point; a
//! match is on a segment boundary, the longest one, and the upstream URL is
//! the route's upstream + the rest of the path + `?query`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tokenctl_gateway::path::{is_route_prefix, normalize_path};
use tokenctl_gateway::{RouteEntry, RouteError, RouteTable, UpstreamAuth};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    path: &'a str,
    query: Option<&'a str>,
}

fn route(n: u128, path: &str, upstream: &str) -> RouteEntry {
    RouteEntry {
        id: uuid::Uuid::from_u128(n),
        name: format!("r{n}"),
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

fn routes() -> Vec<RouteEntry> {
    vec![
        route(1, "/api/openai", "https://api.openai.com/v1"),
        route(2, "/api/openai/files", "https://files.example/base/"),
        route(3, "/api/anthropic", "https://api.anthropic.com"),
        route(4, "/a/b/c", "http://127.0.0.1:9000/x"),
        route(5, "/%7Euser", "http://[::1]:8080"),
    ]
}

/// With and without a `/` route (which makes every safe path match).
fn tables() -> &'static [RouteTable; 2] {
    static TABLES: OnceLock<[RouteTable; 2]> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut with_root = routes();
        with_root.push(route(6, "/", "http://fallback.internal"));
        [RouteTable::new(routes()), RouteTable::new(with_root)]
    })
}

fn check_normal(p: &str) {
    assert!(p.starts_with('/'), "{p:?}");
    assert!(!p.contains("//"), "{p:?}");
    assert!(!p.split('/').any(|s| s == "." || s == ".."), "{p:?}");
    assert!(
        !p.bytes()
            .any(|b| matches!(b, b'?' | b'#' | b'\\') || b.is_ascii_control() || !b.is_ascii()),
        "{p:?}"
    );
    assert_eq!(normalize_path(p).as_deref(), Ok(p), "not a fixed point");
}

fuzz_target!(|input: Input<'_>| {
    let normal = normalize_path(input.path);
    if let Ok(p) = &normal {
        check_normal(p);
    }
    if is_route_prefix(input.path) {
        assert_eq!(normal.as_deref(), Ok(input.path));
        assert!(input.path == "/" || !input.path.ends_with('/'));
    }
    for (i, table) in tables().iter().enumerate() {
        match table.resolve(input.path, input.query) {
            Ok(m) => {
                let p = normal.as_deref().expect("a match implies a normal path");
                let prefix = m.route.path.as_str();
                assert!(
                    prefix == "/" || p == prefix || p.starts_with(&format!("{prefix}/")),
                    "{prefix:?} matched {p:?} off a segment boundary"
                );
                // No longer route covers the path.
                for other in table.routes() {
                    let o = other.path.as_str();
                    if o.len() > prefix.len() && (p == o || p.starts_with(&format!("{o}/"))) {
                        panic!("{o:?} is longer than {prefix:?} and covers {p:?}");
                    }
                }
                let rest = m.remainder();
                assert!(rest.is_empty() || rest.starts_with('/'));
                assert_eq!(&p[if prefix == "/" { 0 } else { prefix.len() }..], rest);
                let mut want = format!("{}{rest}", m.route.upstream);
                if let Some(q) = input.query {
                    want.push('?');
                    want.push_str(q);
                }
                assert_eq!(m.upstream_url(), want);
            }
            Err(RouteError::BadPath(_)) => {}
            Err(RouteError::NotFound) => {
                assert!(normal.is_ok());
                assert!(i == 0, "the `/` route matches every safe path");
            }
        }
    }
});
