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
//!
//! Scopes only ever expand to routes granted to the token's team
//! ([`route_granted`]): a route is usable by the teams it names in
//! `teams`, or by every team when `all_teams` is set. This is decided per
//! request, so withdrawing a grant takes effect with the next snapshot.

use crate::snapshot::RouteEntry;
use uuid::Uuid;

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

/// Whether `route` is granted to the team `team_id`.
pub fn route_granted(route: &RouteEntry, team_id: Uuid) -> bool {
    route.all_teams || route.teams.contains(&team_id)
}

/// Whether a token of team `team_id` with `scopes` may use `route`: the
/// route is granted to the team and one of the scopes names it.
pub fn grants(scopes: &[String], team_id: Uuid, route: &RouteEntry) -> bool {
    route_granted(route, team_id)
        && scopes
            .iter()
            .any(|s| scope_grants(s, &route.name, &route.tags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::UpstreamAuth;
    use uuid::Uuid;

    const TEAM: Uuid = Uuid::from_u128(0xaa);
    const OTHER: Uuid = Uuid::from_u128(0xbb);

    fn route(name: &str, tags: &[&str]) -> RouteEntry {
        RouteEntry {
            id: Uuid::nil(),
            name: name.into(),
            path: "/x".into(),
            upstream: "https://x.example".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            auth: UpstreamAuth::None,
            timeout_ms: 1000,
            all_teams: true,
            teams: vec![],
            upstream_access: Default::default(),
            llm: None,
        }
    }

    fn grants(scopes: &[String], route: &RouteEntry) -> bool {
        super::grants(scopes, TEAM, route)
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
    fn scopes_expand_only_to_routes_granted_to_the_team() {
        let mut r = route("openai", &["llm"]);
        r.all_teams = false;
        r.teams = vec![OTHER];
        for s in ["*", "openai", "tag:llm"] {
            assert!(!grants(&scopes(&[s]), &r), "{s} reached an ungranted route");
            assert!(super::grants(&scopes(&[s]), OTHER, &r), "{s}");
        }
        r.teams.push(TEAM);
        assert!(grants(&scopes(&["*"]), &r));
        assert!(route_granted(&r, TEAM));
        r.teams.clear();
        assert!(!route_granted(&r, TEAM) && !route_granted(&r, OTHER));
        r.all_teams = true;
        assert!(route_granted(&r, Uuid::nil()));
        assert!(!grants(&scopes(&["other"]), &r), "a grant is not a scope");
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
