//! The KV layout (docs/kv-layout.md): key names and the JSON values the
//! Cloudflare Worker reads. Pure functions, shared by the incremental sync,
//! the full reconcile and `sync export`, so all three write the same bytes.

use crate::crypto::EdgeKey;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tokenctl_gateway::snapshot::{RouteEntry, SecretHosts, TokenEntry};
use uuid::Uuid;

pub const TOKEN_PREFIX: &str = "tok:";
pub const ROUTES_KEY: &str = "routes";
pub const SECRETS_KEY: &str = "secrets";
pub const META_KEY: &str = "meta";

/// KV refuses an absolute expiration less than 60 s ahead; 5 s more absorb
/// the time a request spends in flight.
pub const MIN_EXPIRATION_SECS: i64 = 65;

/// `tok:<sha256-hex-of-secret>`.
pub fn token_key(secret_hash: &str) -> String {
    format!("{TOKEN_PREFIX}{secret_hash}")
}

/// Keys of this layout; the reconcile deletes orphans only among these.
pub fn is_ours(key: &str) -> bool {
    key.starts_with(TOKEN_PREFIX) || key == ROUTES_KEY || key == SECRETS_KEY || key == META_KEY
}

/// `tok:*` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenValue {
    pub v: u64,
    pub token: TokenEntry,
}

/// `routes` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutesValue {
    pub v: u64,
    pub routes: Vec<RouteEntry>,
}

/// `secrets` value: base64 of `nonce || AES-256-GCM ciphertext+tag` under
/// the edge key, the secret's name as associated data; and the host
/// patterns each secret may be sent to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretsValue {
    pub v: u64,
    pub key_id: String,
    pub secrets: BTreeMap<String, String>,
    /// Secret name → host patterns. A secret without an entry may be sent
    /// nowhere.
    #[serde(default)]
    pub hosts: SecretHosts,
}

/// `meta` value, written last in every round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaValue {
    pub v: u64,
    pub synced_at: DateTime<Utc>,
}

/// One key as it should be in KV.
#[derive(Debug, Clone)]
pub struct Desired {
    pub key: String,
    pub value: String,
    /// `{"v": …, "h": …}`: lets the reconcile compare from a key listing,
    /// without reading every value.
    pub metadata: serde_json::Value,
    /// Content hash without the version; `None` for `secrets` (random
    /// nonces: compared by opening instead) and `meta`.
    pub hash: Option<String>,
    /// For a previous secret's key: the end of the rotation grace.
    pub grace_end: Option<DateTime<Utc>>,
    /// For `tok:*` keys: the token.
    pub token_id: Option<Uuid>,
}

impl Desired {
    /// The absolute KV expiration (unix seconds) to send at `now`.
    pub fn expiration(&self, now: DateTime<Utc>) -> Option<i64> {
        self.grace_end
            .map(|end| end.timestamp().max(now.timestamp() + MIN_EXPIRATION_SECS))
    }
}

/// First 16 bytes of the SHA-256 of `content`, hex.
pub fn content_hash(content: &str) -> String {
    hex::encode(&Sha256::digest(content.as_bytes())[..16])
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("layout values serialise")
}

/// The keys of one token: its current secret's hash, and its previous one
/// while a rotation grace runs. Revoked tokens have none.
pub fn token_entries(version: u64, token: &TokenEntry) -> Vec<Desired> {
    if token.revoked {
        return vec![];
    }
    let hash = content_hash(&to_json(token));
    let value = to_json(&TokenValue {
        v: version,
        token: token.clone(),
    });
    let metadata = serde_json::json!({"v": version, "h": hash});
    let mut out = vec![Desired {
        key: token_key(&token.secret_hash),
        value: value.clone(),
        metadata: metadata.clone(),
        hash: Some(hash.clone()),
        grace_end: None,
        token_id: Some(token.id),
    }];
    if let (Some(previous), Some(end)) = (&token.previous_hash, token.previous_expires_at) {
        out.push(Desired {
            key: token_key(previous),
            value,
            metadata,
            hash: Some(hash),
            grace_end: Some(end),
            token_id: Some(token.id),
        });
    }
    out
}

/// The whole route table, ordered by path.
pub fn routes_entry(version: u64, routes: &[RouteEntry]) -> Desired {
    let mut routes = routes.to_vec();
    routes.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
    let hash = content_hash(&to_json(&routes));
    Desired {
        key: ROUTES_KEY.into(),
        value: to_json(&RoutesValue { v: version, routes }),
        metadata: serde_json::json!({"v": version, "h": hash}),
        hash: Some(hash),
        grace_end: None,
        token_id: None,
    }
}

/// Every upstream secret (plaintext values, by name), sealed under the
/// edge key, with the hosts each may be sent to.
pub fn secrets_entry(
    version: u64,
    key: &EdgeKey,
    plain: &BTreeMap<String, Vec<u8>>,
    hosts: &SecretHosts,
) -> Desired {
    use base64::Engine;
    let secrets = plain
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                base64::engine::general_purpose::STANDARD.encode(key.seal(name, value)),
            )
        })
        .collect();
    Desired {
        key: SECRETS_KEY.into(),
        value: to_json(&SecretsValue {
            v: version,
            key_id: key.key_id(),
            secrets,
            hosts: hosts
                .iter()
                .filter(|(name, _)| plain.contains_key(*name))
                .map(|(name, h)| (name.clone(), h.clone()))
                .collect(),
        }),
        metadata: serde_json::json!({"v": version, "key_id": key.key_id()}),
        hash: None,
        grace_end: None,
        token_id: None,
    }
}

/// Whether a `secrets` value read from KV holds exactly `plain`, sealed
/// under `key`, and the same hosts, at a version no newer than `version`.
pub fn secrets_match(
    stored: &[u8],
    version: u64,
    key: &EdgeKey,
    plain: &BTreeMap<String, Vec<u8>>,
    hosts: &SecretHosts,
) -> bool {
    use base64::Engine;
    let Ok(value) = serde_json::from_slice::<SecretsValue>(stored) else {
        return false;
    };
    let wanted: SecretHosts = hosts
        .iter()
        .filter(|(name, _)| plain.contains_key(*name))
        .map(|(name, h)| (name.clone(), h.clone()))
        .collect();
    value.v <= version
        && value.key_id == key.key_id()
        && value.hosts == wanted
        && value.secrets.len() == plain.len()
        && value.secrets.iter().all(|(name, sealed)| {
            base64::engine::general_purpose::STANDARD
                .decode(sealed)
                .ok()
                .and_then(|bytes| key.open(name, &bytes))
                .is_some_and(|opened| plain.get(name) == Some(&opened))
        })
}

pub fn meta_entry(version: u64, now: DateTime<Utc>) -> Desired {
    Desired {
        key: META_KEY.into(),
        value: to_json(&MetaValue {
            v: version,
            synced_at: now,
        }),
        metadata: serde_json::json!({"v": version}),
        hash: None,
        grace_end: None,
        token_id: None,
    }
}

/// Whether a listed key's metadata shows the desired content at a version
/// no newer than the database's (`version`). A newer one came from another
/// database and is rewritten, never imported.
pub fn listed_up_to_date(
    metadata: Option<&serde_json::Value>,
    desired: &Desired,
    version: u64,
) -> bool {
    let Some(m) = metadata else { return false };
    let v = m.get("v").and_then(serde_json::Value::as_u64);
    let h = m.get("h").and_then(serde_json::Value::as_str);
    v.is_some_and(|v| v <= version) && desired.hash.is_some() && h == desired.hash.as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> TokenEntry {
        TokenEntry {
            id: Uuid::nil(),
            team_id: Uuid::nil(),
            team: "t".into(),
            name: "n".into(),
            secret_hash: "aa".repeat(32),
            previous_hash: None,
            previous_expires_at: None,
            scopes: vec!["*".into()],
            expires_at: None,
            revoked: false,
            allow_ips: vec![],
            rate_limit: None,
        }
    }

    #[test]
    fn token_keys_follow_rotation_and_revocation() {
        let mut t = token();
        let keys = token_entries(7, &t);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].key, format!("tok:{}", "aa".repeat(32)));
        let v: TokenValue = serde_json::from_str(&keys[0].value).unwrap();
        assert_eq!((v.v, v.token), (7, t.clone()));

        let end: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().unwrap();
        t.previous_hash = Some("bb".repeat(32));
        t.previous_expires_at = Some(end);
        let keys = token_entries(8, &t);
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].key, format!("tok:{}", "bb".repeat(32)));
        assert_eq!(keys[1].expiration(Utc::now()), Some(end.timestamp()));
        // A grace about to end still gets KV's minimum expiration.
        let now: DateTime<Utc> = "2029-12-31T23:59:30Z".parse().unwrap();
        assert_eq!(
            keys[1].expiration(now),
            Some(now.timestamp() + MIN_EXPIRATION_SECS)
        );

        t.revoked = true;
        assert!(token_entries(9, &t).is_empty());
    }

    #[test]
    fn metadata_comparison() {
        let d = &token_entries(5, &token())[0];
        assert!(listed_up_to_date(Some(&d.metadata), d, 5));
        // An older version with the same content is up to date…
        let older = serde_json::json!({"v": 3, "h": d.hash});
        assert!(listed_up_to_date(Some(&older), d, 5));
        // …a newer one came from elsewhere, and other content differs.
        let newer = serde_json::json!({"v": 6, "h": d.hash});
        assert!(!listed_up_to_date(Some(&newer), d, 5));
        let other = serde_json::json!({"v": 5, "h": "x"});
        assert!(!listed_up_to_date(Some(&other), d, 5));
        assert!(!listed_up_to_date(None, d, 5));
    }

    #[test]
    fn secrets_are_sealed_and_comparable() {
        let key = EdgeKey::from_hex(&"11".repeat(32)).unwrap();
        let plain: BTreeMap<String, Vec<u8>> = [("OPENAI".to_string(), b"sk-1".to_vec())].into();
        let hosts: SecretHosts = [
            ("OPENAI".to_string(), vec!["api.openai.com".to_string()]),
            ("GONE".to_string(), vec!["x.example".to_string()]),
        ]
        .into();
        let d = secrets_entry(4, &key, &plain, &hosts);
        assert!(!d.value.contains("sk-1"));
        assert!(secrets_match(d.value.as_bytes(), 4, &key, &plain, &hosts));
        assert!(!secrets_match(d.value.as_bytes(), 3, &key, &plain, &hosts));
        let other: BTreeMap<String, Vec<u8>> = [("OPENAI".to_string(), b"sk-2".to_vec())].into();
        assert!(!secrets_match(d.value.as_bytes(), 4, &key, &other, &hosts));
        let other_key = EdgeKey::from_hex(&"22".repeat(32)).unwrap();
        assert!(!secrets_match(
            d.value.as_bytes(),
            4,
            &other_key,
            &plain,
            &hosts
        ));
        // Other hosts are a difference to write.
        let moved: SecretHosts = [("OPENAI".to_string(), vec!["*.openai.com".to_string()])].into();
        assert!(!secrets_match(d.value.as_bytes(), 4, &key, &plain, &moved));
        let v: SecretsValue = serde_json::from_str(&d.value).unwrap();
        assert_eq!(v.key_id, key.key_id());
        // Only the hosts of secrets in the value, and the Worker reads them.
        assert_eq!(v.hosts.len(), 1);
        assert_eq!(v.hosts["OPENAI"], ["api.openai.com"]);
        let worker_side: serde_json::Value = serde_json::from_str(&d.value).unwrap();
        assert_eq!(worker_side["hosts"]["OPENAI"][0], "api.openai.com");
        // A value from before hosts existed reads as "no hosts".
        let old: SecretsValue =
            serde_json::from_str(r#"{"v":1,"key_id":"x","secrets":{}}"#).unwrap();
        assert!(old.hosts.is_empty());
    }

    #[test]
    fn routes_carry_grants_and_access() {
        use tokenctl_gateway::address::UpstreamAccess;
        let route = |id: u128, path: &str| RouteEntry {
            id: Uuid::from_u128(id),
            name: format!("r{id}"),
            path: path.into(),
            upstream: "http://10.0.0.1".into(),
            tags: vec![],
            auth: Default::default(),
            timeout_ms: 1000,
            all_teams: false,
            teams: vec![Uuid::from_u128(0xaa)],
            upstream_access: UpstreamAccess::Private,
        };
        let d = routes_entry(6, &[route(2, "/b"), route(1, "/a")]);
        let v: RoutesValue = serde_json::from_str(&d.value).unwrap();
        assert_eq!(v.routes[0].path, "/a", "ordered by path");
        assert_eq!(v.routes[0].teams, [Uuid::from_u128(0xaa)]);
        assert_eq!(v.routes[0].upstream_access, UpstreamAccess::Private);
        let raw: serde_json::Value = serde_json::from_str(&d.value).unwrap();
        assert_eq!(raw["routes"][0]["all_teams"], false);
        assert_eq!(raw["routes"][0]["upstream_access"], "private");
        // A grant changes the content hash, so the reconcile rewrites it.
        let mut granted = route(1, "/a");
        granted.all_teams = true;
        assert_ne!(
            routes_entry(6, &[granted]).hash,
            routes_entry(6, &[route(1, "/a")]).hash
        );
    }
}
