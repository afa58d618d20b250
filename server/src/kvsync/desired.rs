//! What the sync wants a KV key to hold: the core's layout and values
//! (`tokenctl_gateway::kv`, the contract with the Worker) plus the sync's
//! own bookkeeping: KV metadata to compare from a listing, the expiration
//! of a previous secret's key, and which token a key belongs to. Shared by
//! the incremental round, the full reconcile and `sync export`, so all
//! three write the same bytes.

use crate::crypto::random_nonce;
use crate::db::KvTokenKey;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tokenctl_gateway::kv::{
    quota_key, token_key, EdgeKey, MetaValue, PricesValue, QuotaValue, RoutesValue, SecretsValue,
    TokenValue, META_KEY, PRICES_KEY, ROUTES_KEY, SECRETS_KEY,
};
use tokenctl_gateway::quota::{PriceEntry, QuotaState};
use tokenctl_gateway::snapshot::{RouteEntry, SecretHosts, TokenEntry};
use uuid::Uuid;

/// KV refuses an absolute expiration less than 60 s ahead; 5 s more absorb
/// the time a request spends in flight.
pub const MIN_EXPIRATION_SECS: i64 = 65;

/// One key as it should be in KV.
#[derive(Debug, Clone)]
pub struct Desired {
    pub key: String,
    pub value: String,
    /// `{"v": …, "h": …}`: lets the reconcile compare from a key listing,
    /// without reading every value. The Worker ignores it.
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
fn content_hash(content: &str) -> String {
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

/// One subject's published quota state (`quota:<uuid>`). Its hash covers
/// `used`, so a publication that counted more rewrites it, and one that
/// changed nothing (the same state published again) does not.
pub fn quota_entry(version: u64, state: &QuotaState) -> Desired {
    let hash = content_hash(&to_json(state));
    Desired {
        key: quota_key(state.subject),
        value: QuotaValue {
            v: version,
            quota: state.clone(),
        }
        .encode(),
        metadata: serde_json::json!({"v": version, "h": hash}),
        hash: Some(hash),
        grace_end: None,
        token_id: None,
    }
}

/// The whole route table.
pub fn routes_entry(version: u64, routes: &[RouteEntry]) -> Desired {
    let value = RoutesValue::ordered(version, routes);
    let hash = content_hash(&to_json(&value.routes));
    Desired {
        key: ROUTES_KEY.into(),
        value: to_json(&value),
        metadata: serde_json::json!({"v": version, "h": hash}),
        hash: Some(hash),
        grace_end: None,
        token_id: None,
    }
}

/// The prices published to gateways, for the Worker to count budgets
/// with; `None` (no key) while no model has a price.
pub fn prices_entry(version: u64, prices: &[PriceEntry]) -> Option<Desired> {
    if prices.is_empty() {
        return None;
    }
    let value = PricesValue::ordered(version, prices);
    let hash = content_hash(&to_json(&value.prices));
    Some(Desired {
        key: PRICES_KEY.into(),
        value: value.encode(),
        metadata: serde_json::json!({"v": version, "h": hash}),
        hash: Some(hash),
        grace_end: None,
        token_id: None,
    })
}

/// Every upstream secret (plaintext values, by name), sealed under the
/// edge key with fresh nonces, with the hosts each may be sent to.
pub fn secrets_entry(
    version: u64,
    key: &EdgeKey,
    plain: &BTreeMap<String, Vec<u8>>,
    hosts: &SecretHosts,
) -> Desired {
    Desired {
        key: SECRETS_KEY.into(),
        value: to_json(&SecretsValue::seal(
            version,
            key,
            plain,
            hosts,
            random_nonce,
        )),
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
    serde_json::from_slice::<SecretsValue>(stored)
        .is_ok_and(|value| value.holds(version, key, plain, hosts))
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

/// The token keys among `items`, to record before they are written.
pub fn token_keys(items: &[&Desired]) -> Vec<KvTokenKey> {
    items
        .iter()
        .filter_map(|d| {
            d.token_id.map(|token_id| KvTokenKey {
                key: d.key.clone(),
                token_id,
            })
        })
        .collect()
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
    fn quota_states_are_written_for_the_worker() {
        use tokenctl_gateway::quota::{Period, QuotaKind, QuotaUsage};
        let mut state = QuotaState {
            subject: Uuid::from_u128(5),
            limits: vec![QuotaUsage {
                kind: QuotaKind::Requests,
                limit: 5,
                period: Period::Day,
                period_start: "2026-12-03T00:00:00Z".parse().unwrap(),
                used: 1,
            }],
        };
        let d = quota_entry(9, &state);
        assert_eq!(d.key, format!("quota:{}", Uuid::from_u128(5)));
        // What the Worker reads.
        let read = QuotaValue::decode(Uuid::from_u128(5), &d.value).unwrap();
        assert_eq!((read.v, &read.quota), (9, &state));
        // The same state at a later version is up to date; more used is not.
        assert!(listed_up_to_date(
            Some(&d.metadata),
            &quota_entry(10, &state),
            10
        ));
        state.limits[0].used = 2;
        assert!(!listed_up_to_date(
            Some(&d.metadata),
            &quota_entry(10, &state),
            10
        ));
    }

    #[test]
    fn prices_are_written_for_the_worker() {
        let entry = |model: &str, input: u64| PriceEntry {
            model: model.into(),
            effective_from: "2026-12-01T00:00:00Z".parse().unwrap(),
            input_micros_per_1m: input,
            output_micros_per_1m: 1,
        };
        assert!(prices_entry(3, &[]).is_none(), "no prices, no key");
        let d = prices_entry(9, &[entry("b", 2), entry("a", 1)]).unwrap();
        assert_eq!(d.key, "prices");
        // What the Worker reads.
        let read = PricesValue::decode(&d.value).unwrap();
        assert_eq!((read.v, read.prices[0].model.as_str()), (9, "a"));
        // The same prices in another order at a later version are up to
        // date; another price is not.
        let again = prices_entry(10, &[entry("a", 1), entry("b", 2)]).unwrap();
        assert!(listed_up_to_date(Some(&d.metadata), &again, 10));
        let changed = prices_entry(10, &[entry("a", 1), entry("b", 3)]).unwrap();
        assert!(!listed_up_to_date(Some(&d.metadata), &changed, 10));
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
    fn secrets_are_sealed_for_the_worker_and_comparable() {
        let key = EdgeKey::parse(&"11".repeat(32)).unwrap();
        let plain: BTreeMap<String, Vec<u8>> = [("OPENAI".to_string(), b"sk-1".to_vec())].into();
        let hosts: SecretHosts = [
            ("OPENAI".to_string(), vec!["api.openai.com".to_string()]),
            ("GONE".to_string(), vec!["x.example".to_string()]),
        ]
        .into();
        let d = secrets_entry(4, &key, &plain, &hosts);
        assert!(!d.value.contains("sk-1"));
        assert_eq!(d.metadata["key_id"], key.key_id());
        // What the Worker reads and opens.
        let read: SecretsValue = serde_json::from_str(&d.value).unwrap();
        let (opened, problems) = tokenctl_gateway::kv::open_secrets(&read, Some(&key));
        assert_eq!((opened.get("OPENAI"), problems.len()), (Some("sk-1"), 0));
        assert_eq!(read.hosts.len(), 1);
        assert_eq!(read.hosts["OPENAI"], ["api.openai.com"]);
        // Compared by opening: the same content matches despite new nonces.
        assert_ne!(d.value, secrets_entry(4, &key, &plain, &hosts).value);
        assert!(secrets_match(d.value.as_bytes(), 4, &key, &plain, &hosts));
        assert!(!secrets_match(d.value.as_bytes(), 3, &key, &plain, &hosts));
        let other: BTreeMap<String, Vec<u8>> = [("OPENAI".to_string(), b"sk-2".to_vec())].into();
        assert!(!secrets_match(d.value.as_bytes(), 4, &key, &other, &hosts));
        assert!(!secrets_match(b"not json", 4, &key, &plain, &hosts));
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
            llm: None,
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
