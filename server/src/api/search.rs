//! One search across tokens, routes, teams and users (`GET /v1/search`).

use super::input::InputError;
use super::{Route, Team, Token, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Hits per kind when the caller does not say.
pub const DEFAULT_LIMIT: usize = 50;
/// The most hits per kind a caller may ask for.
pub const MAX_LIMIT: usize = 500;

/// What matched, per kind, among what the caller may see; each list holds
/// at most `limit` hits.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SearchResults {
    pub query: String,
    /// Hits per kind at most.
    pub limit: usize,
    /// By name, secret prefix (`ntk_ab12`) or id.
    pub tokens: Vec<Token>,
    /// By name, path, upstream host or tag.
    pub routes: Vec<Route>,
    /// By name, description or id.
    pub teams: Vec<Team>,
    /// By name, e-mail or id.
    pub users: Vec<User>,
    /// The kinds (`tokens`, `routes`, `teams`, `users`) with more hits
    /// than `limit`.
    pub truncated: Vec<String>,
}

impl SearchResults {
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
            && self.routes.is_empty()
            && self.teams.is_empty()
            && self.users.is_empty()
    }
}

/// The search text: 1-200 characters, taken as it is (no trimming).
pub fn query(value: &str) -> Result<String, InputError> {
    let n = value.chars().count();
    if n == 0 {
        return Err(InputError("the search text must not be empty".to_string()));
    }
    if n > MAX_QUERY_CHARS {
        return Err(InputError(format!(
            "the search text is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(InputError(
            "the search text must not contain control characters".to_string(),
        ));
    }
    Ok(value.to_string())
}

/// Hits per kind: 1-500.
pub fn limit(value: usize) -> Result<usize, InputError> {
    if (1..=MAX_LIMIT).contains(&value) {
        Ok(value)
    } else {
        Err(InputError(format!(
            "the limit must be between 1 and {MAX_LIMIT}, not {value}"
        )))
    }
}

/// A `LIKE` pattern (with `ESCAPE '\'`) matching values that contain
/// `text`, compared in lower case: `%`, `_` and `\` in `text` match
/// themselves.
pub fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Whether `value` contains `text`, ignoring case (what [`like_contains`]
/// asks the database, for what is matched outside it).
pub fn contains(value: &str, text: &str) -> bool {
    value.to_lowercase().contains(&text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_themselves() {
        assert_eq!(like_contains("a_b"), r"%a\_b%");
        assert_eq!(like_contains("50%"), r"%50\%%");
        assert_eq!(like_contains(r"a\b"), r"%a\\b%");
        assert_eq!(like_contains("Billing"), "%billing%");
    }

    #[test]
    fn limits() {
        assert!(query("").is_err());
        assert!(query(&"x".repeat(200)).is_ok());
        assert!(query(&"é".repeat(200)).is_ok(), "characters, not bytes");
        assert!(query(&"x".repeat(201)).is_err());
        assert!(query("a\nb").is_err());
        assert!(limit(0).is_err() && limit(501).is_err());
        assert_eq!(limit(500).unwrap(), 500);
        assert!(contains("Billing-Prod", "LING-p"));
    }
}
