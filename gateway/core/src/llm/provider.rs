//! Which LLM API a route speaks (`route add|update --llm openai|anthropic`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The API of an LLM route's upstream. It decides how the request is
/// inspected (only OpenAI chat and completion streams get
/// `stream_options.include_usage` added, see [`inspect_request`]); the
/// response scanner reads both providers' usage shapes alike.
///
/// [`inspect_request`]: super::inspect_request
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The OpenAI API, or one compatible with it: chat completions,
    /// completions and the Responses API.
    OpenAi,
    /// The Anthropic Messages API.
    Anthropic,
}

impl Provider {
    /// Every provider, in the order they are listed to users.
    pub const ALL: [Provider; 2] = [Provider::OpenAi, Provider::Anthropic];

    /// The name used on the command line, in JSON and in snapshots.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is not `openai` or `anthropic`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown LLM provider {0:?}: expected `openai` or `anthropic`")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// Exactly `openai` or `anthropic`, the same spelling as the JSON form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProvider(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_display_and_serde() {
        for p in Provider::ALL {
            assert_eq!(p.to_string().parse::<Provider>(), Ok(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{p}\""));
            assert_eq!(serde_json::from_str::<Provider>(&json).unwrap(), p);
        }
        assert_eq!("openai".parse::<Provider>(), Ok(Provider::OpenAi));
        assert_eq!("anthropic".parse::<Provider>(), Ok(Provider::Anthropic));
    }

    #[test]
    fn other_spellings_are_refused() {
        for bad in ["", "OpenAI", "open_ai", "claude", " openai", "anthropic\n"] {
            let err = bad.parse::<Provider>().unwrap_err();
            assert_eq!(err, UnknownProvider(bad.to_string()));
            assert!(err.to_string().contains("`openai` or `anthropic`"));
            assert!(serde_json::from_value::<Provider>(bad.into()).is_err());
        }
    }
}
