//! LLM token rollups: per bucket and (team, token, route, model), the calls
//! that reported token counts and their sums. Pure logic, tested here;
//! storage is in `db/queries/usage.rs`, next to the call rollups, which
//! the same roll-up job fills from the same events.

use super::Level;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use tokenctl_gateway::usage::UsageEvent;
use uuid::Uuid;

/// The token rollup key. Unknown team/token/route are the nil UUID, an
/// unknown model the empty string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenKey {
    pub bucket: DateTime<Utc>,
    pub team_id: Uuid,
    pub token_id: Uuid,
    pub route_id: Uuid,
    pub model: String,
}

/// What a token rollup row sums up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenAgg {
    /// Calls that reported token counts.
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_input_tokens: i64,
}

impl TokenAgg {
    pub fn merge(&mut self, other: &TokenAgg) {
        self.calls = self.calls.saturating_add(other.calls);
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.cached_input_tokens = self
            .cached_input_tokens
            .saturating_add(other.cached_input_tokens);
    }
}

fn count(n: Option<u64>) -> i64 {
    n.map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// Groups the events that reported token counts (input or output) into
/// token rollup rows of one level. `teams` maps token ids to their team.
pub fn aggregate(
    events: &[&UsageEvent],
    level: Level,
    teams: &BTreeMap<Uuid, Uuid>,
) -> BTreeMap<TokenKey, TokenAgg> {
    let mut out: BTreeMap<TokenKey, TokenAgg> = BTreeMap::new();
    for e in events {
        if e.input_tokens.is_none() && e.output_tokens.is_none() {
            continue;
        }
        let token = e.token_id.unwrap_or(Uuid::nil());
        let key = TokenKey {
            bucket: level.truncate(e.at),
            team_id: teams.get(&token).copied().unwrap_or(Uuid::nil()),
            token_id: token,
            route_id: e.route_id.unwrap_or(Uuid::nil()),
            model: e.model.clone().unwrap_or_default(),
        };
        out.entry(key).or_default().merge(&TokenAgg {
            calls: 1,
            input_tokens: count(e.input_tokens),
            output_tokens: count(e.output_tokens),
            cached_input_tokens: count(e.cached_input_tokens),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: &str, model: Option<&str>, tokens: Option<(u64, u64, u64)>) -> UsageEvent {
        UsageEvent {
            id: Uuid::nil(),
            token_id: Some(Uuid::from_u128(1)),
            route_id: Some(Uuid::from_u128(2)),
            method: "POST".into(),
            status: 200,
            latency_ms: 1.0,
            upstream_latency_ms: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: None,
            user_agent: None,
            error_code: None,
            at: at.parse().unwrap(),
            count: 1,
            model: model.map(str::to_string),
            input_tokens: tokens.map(|t| t.0),
            output_tokens: tokens.map(|t| t.1),
            cached_input_tokens: tokens.map(|t| t.2),
        }
    }

    #[test]
    fn sums_tokens_per_bucket_and_model() {
        let events = [
            event("2026-11-26T12:00:10Z", Some("gpt-4o"), Some((10, 2, 0))),
            event("2026-11-26T12:00:50Z", Some("gpt-4o"), Some((30, 4, 8))),
            event("2026-11-26T12:01:00Z", Some("gpt-4o"), Some((1, 1, 0))),
            event("2026-11-26T12:00:20Z", Some("o3"), Some((5, 5, 0))),
            event("2026-11-26T12:00:30Z", None, Some((7, 0, 0))),
            // No counts: not a token row (an error, an unread response).
            event("2026-11-26T12:00:40Z", Some("gpt-4o"), None),
        ];
        let refs: Vec<&UsageEvent> = events.iter().collect();
        let teams = BTreeMap::from([(Uuid::from_u128(1), Uuid::from_u128(9))]);
        let minute = aggregate(&refs, Level::Minute, &teams);
        let rows: Vec<(String, String, TokenAgg)> = minute
            .iter()
            .map(|(k, a)| (k.bucket.format("%H:%M").to_string(), k.model.clone(), *a))
            .collect();
        let agg = |calls, input_tokens, output_tokens, cached_input_tokens| TokenAgg {
            calls,
            input_tokens,
            output_tokens,
            cached_input_tokens,
        };
        assert_eq!(
            rows,
            [
                ("12:00".into(), String::new(), agg(1, 7, 0, 0)),
                ("12:00".into(), "gpt-4o".into(), agg(2, 40, 6, 8)),
                ("12:00".into(), "o3".into(), agg(1, 5, 5, 0)),
                ("12:01".into(), "gpt-4o".into(), agg(1, 1, 1, 0)),
            ]
        );
        assert!(minute.keys().all(|k| k.team_id == Uuid::from_u128(9)));
        let hour = aggregate(&refs, Level::Hour, &teams);
        assert_eq!(hour.len(), 3);
        let gpt = hour.iter().find(|(k, _)| k.model == "gpt-4o").unwrap().1;
        assert_eq!(*gpt, agg(3, 41, 7, 8));
    }
}
