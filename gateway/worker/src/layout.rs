//! The KV values the Worker reads (the control plane's KV sync writes
//! them; `docs/kv-layout.md` is the contract), and turning them into a
//! core [`Gateway`].

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tokenctl_gateway::snapshot::{RouteEntry, SecretHosts, TokenEntry, UpstreamSecrets};
use tokenctl_gateway::{Gateway, Snapshot};

/// `tok:<sha256-hex-of-secret>`: one token, under its current secret's
/// hash and, while a rotation grace runs, its previous one. Absent means
/// unknown or revoked.
pub const TOKEN_PREFIX: &str = "tok:";
/// The whole route table.
pub const ROUTES_KEY: &str = "routes";
/// Every upstream secret, sealed under the edge key.
pub const SECRETS_KEY: &str = "secrets";
/// When the control plane last completed a sync round.
pub const META_KEY: &str = "meta";

/// The KV key of a token, from [`tokenctl_gateway::PresentedToken::hash_hex`].
pub fn token_key(hash_hex: &str) -> String {
    format!("{TOKEN_PREFIX}{hash_hex}")
}

/// `tok:*` value.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenValue {
    /// Config version the value was written at.
    pub v: u64,
    /// The token.
    pub token: TokenEntry,
}

/// `routes` value.
#[derive(Debug, Clone, Deserialize)]
pub struct RoutesValue {
    /// Config version the value was written at.
    pub v: u64,
    /// Every route.
    pub routes: Vec<RouteEntry>,
}

/// `secrets` value.
#[derive(Debug, Clone, Deserialize)]
pub struct SecretsValue {
    /// Config version the value was written at.
    pub v: u64,
    /// [`EdgeKey::key_id`] of the key the values are sealed with.
    pub key_id: String,
    /// Name → base64 of `nonce(12) || AES-256-GCM ciphertext+tag`, the name
    /// as associated data.
    pub secrets: BTreeMap<String, String>,
    /// Name → the host patterns the secret may be sent to; a secret without
    /// an entry is sent nowhere.
    #[serde(default)]
    pub hosts: SecretHosts,
}

/// `meta` value.
#[derive(Debug, Clone, Deserialize)]
pub struct MetaValue {
    /// Config version of the last completed sync round.
    pub v: u64,
    /// When it completed.
    pub synced_at: DateTime<Utc>,
}

/// The key that opens the `secrets` value (`TOKENCTL_EDGE_KEY`, 64 hex).
pub struct EdgeKey([u8; 32]);

impl std::fmt::Debug for EdgeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EdgeKey({})", self.key_id())
    }
}

impl EdgeKey {
    /// Parses 64 hex characters (surrounding whitespace ignored).
    pub fn parse(hex_key: &str) -> Result<EdgeKey, String> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(hex_key.trim(), &mut key)
            .map_err(|_| "TOKENCTL_EDGE_KEY must be 64 hex characters (32 bytes)".to_string())?;
        Ok(EdgeKey(key))
    }

    /// Names the key without revealing it: the first 8 hex characters of
    /// its SHA-256, as the control plane writes next to the secrets.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..4])
    }
}

/// Opens every secret of a `secrets` value in memory. Secrets that cannot
/// be opened are left out (routes that need them answer
/// `upstream_auth_unavailable`); the problems are returned for logs and
/// the health report, naming secrets but never showing values.
pub fn open_secrets(value: &SecretsValue, key: Option<&EdgeKey>) -> (UpstreamSecrets, Vec<String>) {
    let mut problems = Vec::new();
    let Some(key) = key else {
        if !value.secrets.is_empty() {
            problems.push(
                "TOKENCTL_EDGE_KEY is not set: upstream secrets cannot be opened".to_string(),
            );
        }
        return (UpstreamSecrets::default(), problems);
    };
    if value.key_id != key.key_id() {
        problems.push(format!(
            "the secrets in KV are sealed with edge key {} but TOKENCTL_EDGE_KEY is key {}",
            value.key_id,
            key.key_id()
        ));
        return (UpstreamSecrets::default(), problems);
    }
    let mut opened = BTreeMap::new();
    for (name, sealed) in &value.secrets {
        let plain = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()
            .and_then(|bytes| tokenctl_gateway::sealed::open(&key.0, name.as_bytes(), &bytes))
            .and_then(|bytes| String::from_utf8(bytes).ok());
        match plain {
            Some(v) => {
                opened.insert(name.clone(), v);
            }
            None => problems.push(format!("secret `{name}` cannot be opened")),
        }
    }
    (UpstreamSecrets(opened), problems)
}

/// A core gateway over the routes and secrets (with the hosts each secret
/// may be sent to), without tokens: the Worker looks tokens up one by one
/// (see [`Gateway::authorize_token`](tokenctl_gateway::Gateway::authorize_token)).
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(key: &[u8; 32], name: &str, value: &str) -> String {
        let sealed =
            tokenctl_gateway::sealed::seal(key, name.as_bytes(), value.as_bytes(), [3; 12]);
        base64::engine::general_purpose::STANDARD.encode(sealed)
    }

    #[test]
    fn opens_secrets_with_the_right_key_only() {
        let raw = [7u8; 32];
        let key = EdgeKey::parse(&hex::encode(raw)).unwrap();
        let value = SecretsValue {
            v: 3,
            key_id: key.key_id(),
            secrets: [
                ("A".to_string(), seal(&raw, "A", "sk-a")),
                // Sealed for another name: the associated data does not match.
                ("B".to_string(), seal(&raw, "A", "sk-b")),
                ("C".to_string(), "not base64!".to_string()),
            ]
            .into_iter()
            .collect(),
            hosts: SecretHosts::new(),
        };
        let (opened, problems) = open_secrets(&value, Some(&key));
        assert_eq!(opened.get("A"), Some("sk-a"));
        assert_eq!(opened.0.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| !p.contains("sk-")));

        let other = EdgeKey::parse(&"11".repeat(32)).unwrap();
        let (opened, problems) = open_secrets(&value, Some(&other));
        assert!(opened.0.is_empty());
        assert!(problems[0].contains(&key.key_id()), "{problems:?}");
        let (opened, problems) = open_secrets(&value, None);
        assert!(opened.0.is_empty());
        assert!(problems[0].contains("TOKENCTL_EDGE_KEY"));
    }

    #[test]
    fn edge_key_format() {
        assert!(EdgeKey::parse("abc").is_err());
        assert!(EdgeKey::parse(&"zz".repeat(32)).is_err());
        let key = EdgeKey::parse(&format!(" {} \n", "00".repeat(32))).unwrap();
        // SHA-256 of 32 zero bytes starts 66687aad.
        assert_eq!(key.key_id(), "66687aad");
        assert_eq!(format!("{key:?}"), "EdgeKey(66687aad)");
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
        use tokenctl_gateway::token::{hash_secret, Secret, SecretKind};
        use tokenctl_gateway::{PresentedToken, RateLimiter, RequestInfo};
        let raw = [9u8; 32];
        let key = EdgeKey::parse(&hex::encode(raw)).unwrap();
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
