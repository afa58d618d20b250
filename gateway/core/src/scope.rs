//! Token scopes: which routes a token may use.
//!
//! A scope is one of
//!
//! * `*` — every route;
//! * a route name, e.g. `openai` — that route;
//! * `tag:TAG`, e.g. `tag:llm` — every route tagged `TAG`.
//!
//! Comparison is exact (the control plane stores names as typed and tags
//! lower-cased). Anything else, including `tag:` with an empty tag, grants
//! nothing, so an unknown scope syntax fails closed.

use crate::snapshot::RouteEntry;

/// The scope that grants every route.
pub const ALL_ROUTES: &str = "*";
/// The prefix of a tag scope.
pub const TAG_PREFIX: &str = "tag:";

/// Whether a single `scope` grants the route named `route_name` carrying
/// `route_tags`.
pub fn scope_grants(scope: &str, route_name: &str, route_tags: &[String]) -> bool {
    if scope == ALL_ROUTES {
        return true;
    }
    match scope.strip_prefix(TAG_PREFIX) {
        Some(tag) => !tag.is_empty() && route_tags.iter().any(|t| t == tag),
        None => scope == route_name,
    }
}

/// Whether any of `scopes` grants `route`.
pub fn grants(scopes: &[String], route: &RouteEntry) -> bool {
    scopes
        .iter()
        .any(|s| scope_grants(s, &route.name, &route.tags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::UpstreamAuth;
    use uuid::Uuid;

    fn route(name: &str, tags: &[&str]) -> RouteEntry {
        RouteEntry {
            id: Uuid::nil(),
            name: name.into(),
            path: "/x".into(),
            upstream: "https://x.example".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            auth: UpstreamAuth::None,
            timeout_ms: 1000,
        }
    }

    fn scopes(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn star_grants_everything() {
        assert!(grants(&scopes(&["*"]), &route("openai", &[])));
        assert!(grants(&scopes(&["other", "*"]), &route("a", &["b"])));
    }

    #[test]
    fn route_name_grants_that_route_only() {
        let s = scopes(&["openai"]);
        assert!(grants(&s, &route("openai", &[])));
        assert!(!grants(&s, &route("openai-files", &[])));
        assert!(!grants(&s, &route("OpenAI", &[])));
        assert!(!grants(&s, &route("anthropic", &["openai"])));
    }

    #[test]
    fn tag_scope_grants_tagged_routes() {
        let s = scopes(&["tag:llm"]);
        assert!(grants(&s, &route("openai", &["billing", "llm"])));
        assert!(!grants(&s, &route("search", &["search"])));
        assert!(
            !grants(&s, &route("llm", &[])),
            "a tag scope is not a name scope"
        );
        assert!(!grants(&s, &route("x", &["llm2"])));
    }

    #[test]
    fn nothing_else_grants_anything() {
        let r = route("openai", &["", "llm"]);
        for s in [
            "",
            "tag:",
            "tag:*",
            "**",
            " openai",
            "openai ",
            "tag:LLM",
            "route:openai",
        ] {
            assert!(!scope_grants(s, &r.name, &r.tags), "{s:?}");
        }
        assert!(!grants(&[], &r));
    }
}
