//! The JSON values under the token, `routes` and `meta` keys (`secrets`
//! is in [`super::secrets`]), and the core [`Gateway`] a Worker builds
//! from them. Every value carries `v`, the control plane's change-log
//! position it reflects.

use crate::snapshot::{RouteEntry, SecretHosts, TokenEntry, UpstreamSecrets};
use crate::{Gateway, Snapshot};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `tok:*` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenValue {
    /// Config version the value was written at.
    pub v: u64,
    /// The token.
    pub token: TokenEntry,
}

/// `routes` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutesValue {
    /// Config version the value was written at.
    pub v: u64,
    /// Every route, ordered by path (then id).
    pub routes: Vec<RouteEntry>,
}

impl RoutesValue {
    /// The whole route table at `version`, in the order the layout writes
    /// it, so equal tables give equal bytes.
    pub fn ordered(version: u64, routes: &[RouteEntry]) -> RoutesValue {
        let mut routes = routes.to_vec();
        routes.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        RoutesValue { v: version, routes }
    }
}

/// `meta` value, written last in every sync round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaValue {
    /// Config version of the last completed sync round.
    pub v: u64,
    /// When it completed.
    pub synced_at: DateTime<Utc>,
}

/// A core gateway over the routes and opened secrets (with the hosts each
/// secret may be sent to), without tokens: the Worker looks tokens up one
/// by one (see [`Gateway::authorize_token`]).
pub fn routes_gateway(
    routes: &RoutesValue,
    secrets: UpstreamSecrets,
    secret_hosts: SecretHosts,
    now: DateTime<Utc>,
) -> Gateway {
    Gateway::new(Snapshot {
        version: routes.v,
        generated_at: now,
        tokens: Vec::new(),
        routes: routes.routes.clone(),
        secrets,
        secret_hosts,
        quotas: Default::default(),
        prices: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::{open_secrets, token_key, EdgeKey, SecretsValue};
    use base64::Engine as _;

    fn seal(key: &[u8; 32], name: &str, value: &str) -> String {
        let sealed = crate::sealed::seal(key, name.as_bytes(), value.as_bytes(), [3; 12]);
        base64::engine::general_purpose::STANDARD.encode(sealed)
    }

    #[test]
    fn routes_are_ordered_by_path_then_id() {
        let route = |id: u128, path: &str| -> RouteEntry {
            serde_json::from_value(serde_json::json!({
                "id": uuid::Uuid::from_u128(id), "name": format!("r{id}"), "path": path,
                "upstream": "http://10.0.0.1", "timeout_ms": 1000,
            }))
            .unwrap()
        };
        let value = RoutesValue::ordered(6, &[route(3, "/b"), route(2, "/a"), route(1, "/b")]);
        let order: Vec<u128> = value.routes.iter().map(|r| r.id.as_u128()).collect();
        assert_eq!((value.v, order), (6, vec![2, 1, 3]));
    }

    #[test]
    fn reads_the_layout() {
        let t: TokenValue = serde_json::from_str(
            r#"{"v":4,"token":{"id":"00000000-0000-0000-0000-000000000001",
                "team_id":"00000000-0000-0000-0000-000000000002","team":"ml","name":"n8n",
                "secret_hash":"ab","scopes":["*"]}}"#,
        )
        .unwrap();
        assert_eq!((t.v, t.token.name.as_str()), (4, "n8n"));
        let r: RoutesValue = serde_json::from_str(
            r#"{"v":5,"routes":[{"id":"00000000-0000-0000-0000-000000000003","name":"echo",
                "path":"/api/echo","upstream":"http://127.0.0.1:1/base","timeout_ms":1000,
                "auth":{"type":"bearer","secret":"K"},"upstream_access":"private"}]}"#,
        )
        .unwrap();
        let m: MetaValue =
            serde_json::from_str(r#"{"v":5,"synced_at":"2026-11-26T12:00:00Z"}"#).unwrap();
        assert_eq!(m.v, 5);
        let gw = routes_gateway(
            &r,
            UpstreamSecrets::default(),
            SecretHosts::new(),
            m.synced_at,
        );
        assert_eq!(gw.routes().routes().len(), 1);
        assert!(gw.tokens().is_empty());
        assert_eq!(gw.warnings().len(), 1, "secret K is missing");
        assert_eq!(token_key("ab"), "tok:ab");
        // Without grants (a value from an older server) no team may use it.
        assert!(!r.routes[0].all_teams && r.routes[0].teams.is_empty());
    }

    /// What the control plane writes (`docs/kv-layout.md`): grants and the
    /// approved access on every route, hosts next to the sealed secrets;
    /// the Worker decides with them exactly as the native gateway does.
    #[test]
    fn grants_and_secret_hosts_decide_at_the_edge() {
        use crate::token::{hash_secret, Secret, SecretKind};
        use crate::{PresentedToken, RateLimiter, RequestInfo};
        let raw = [9u8; 32];
        let key = EdgeKey::parse(&const_hex::encode(raw)).unwrap();
        let routes: RoutesValue = serde_json::from_str(
            r#"{"v":7,"routes":[
                {"id":"00000000-0000-0000-0000-000000000001","name":"openai","path":"/openai",
                 "upstream":"https://api.openai.com/v1","timeout_ms":1000,
                 "auth":{"type":"bearer","secret":"K"},
                 "all_teams":false,"teams":["00000000-0000-0000-0000-0000000000aa"],
                 "upstream_access":"public"},
                {"id":"00000000-0000-0000-0000-000000000002","name":"moved","path":"/moved",
                 "upstream":"https://attacker.example","timeout_ms":1000,
                 "auth":{"type":"bearer","secret":"K"},"all_teams":true,"teams":[],
                 "upstream_access":"public"},
                {"id":"00000000-0000-0000-0000-000000000003","name":"internal","path":"/internal",
                 "upstream":"http://127.0.0.1:7700","timeout_ms":1000,"all_teams":true,"teams":[],
                 "upstream_access":"public"}]}"#,
        )
        .unwrap();
        let secrets: SecretsValue = serde_json::from_value(serde_json::json!({
            "v": 7,
            "key_id": key.key_id(),
            "secrets": {"K": seal(&raw, "K", "sk-k")},
            "hosts": {"K": ["api.openai.com"]},
        }))
        .unwrap();
        let (opened, problems) = open_secrets(&secrets, Some(&key));
        assert!(problems.is_empty());
        let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
        let gw = routes_gateway(&routes, opened, secrets.hosts.clone(), now);
        let token = |n: u8, team: u128| {
            let s = Secret::from_key_material(SecretKind::ApiToken, &[n; 32]).into_exposed();
            let entry: TokenEntry = serde_json::from_value(serde_json::json!({
                "id": uuid::Uuid::from_u128(u128::from(n)), "team_id": uuid::Uuid::from_u128(team),
                "team": "t", "name": "n", "secret_hash": hash_secret(&s), "scopes": ["*"],
            }))
            .unwrap();
            (s, entry)
        };
        let decide = |(s, entry): &(String, TokenEntry), path: &str| {
            let r = RequestInfo {
                method: "GET",
                raw_path: path,
                api_key_header: Some(s),
                ..Default::default()
            };
            let p = PresentedToken::from_request(&r).unwrap();
            gw.authorize_token(&mut RateLimiter::new(), &r, now, &p, Some(entry))
                .map(|a| a.inject_headers.to_vec())
                .map_err(|d| d.code)
        };
        let granted = token(1, 0xaa);
        let other_team = token(2, 0xbb);
        assert_eq!(
            decide(&granted, "/openai/chat").unwrap(),
            [("authorization".to_string(), "Bearer sk-k".to_string())]
        );
        assert_eq!(decide(&other_team, "/openai/chat"), Err("scope_denied"));
        assert_eq!(decide(&granted, "/moved"), Err("upstream_auth_unavailable"));
        assert_eq!(decide(&granted, "/internal"), Err("upstream_forbidden"));
    }
}
