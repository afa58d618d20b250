//! The `secrets` value: every upstream secret sealed under the edge key,
//! with the hosts each may be sent to. The control plane seals and
//! compares it; the Worker opens it.

use super::EdgeKey;
use crate::sealed::NONCE_LEN;
use crate::snapshot::{SecretHosts, UpstreamSecrets};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `secrets` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretsValue {
    /// Config version the value was written at.
    pub v: u64,
    /// [`EdgeKey::key_id`] of the key the values are sealed with.
    pub key_id: String,
    /// Name → standard base64 of `nonce(12) || AES-256-GCM ciphertext+tag`,
    /// the name as associated data ([`EdgeKey::seal`]).
    pub secrets: BTreeMap<String, String>,
    /// Name → the host patterns the secret may be sent to; a secret without
    /// an entry (also in a value from before hosts existed) is sent nowhere.
    #[serde(default)]
    pub hosts: SecretHosts,
}

impl SecretsValue {
    /// Seals every secret of `plain` (plaintext by name) under `key`, each
    /// with a nonce from `nonce`, and keeps the hosts of those secrets only.
    pub fn seal(
        version: u64,
        key: &EdgeKey,
        plain: &BTreeMap<String, Vec<u8>>,
        hosts: &SecretHosts,
        mut nonce: impl FnMut() -> [u8; NONCE_LEN],
    ) -> SecretsValue {
        SecretsValue {
            v: version,
            key_id: key.key_id(),
            secrets: plain
                .iter()
                .map(|(name, value)| (name.clone(), BASE64.encode(key.seal(name, value, nonce()))))
                .collect(),
            hosts: hosts_of(plain, hosts),
        }
    }

    /// Whether this value holds exactly `plain` sealed under `key`, with the
    /// same hosts, at a version no newer than `version` (a newer one came
    /// from another database). Nonces are random, so values are compared
    /// by opening them.
    pub fn holds(
        &self,
        version: u64,
        key: &EdgeKey,
        plain: &BTreeMap<String, Vec<u8>>,
        hosts: &SecretHosts,
    ) -> bool {
        self.v <= version
            && self.key_id == key.key_id()
            && self.hosts == hosts_of(plain, hosts)
            && self.secrets.len() == plain.len()
            && self.secrets.iter().all(|(name, sealed)| {
                open_one(key, name, sealed).is_some_and(|opened| plain.get(name) == Some(&opened))
            })
    }
}

/// The hosts of the secrets in `plain` only.
fn hosts_of(plain: &BTreeMap<String, Vec<u8>>, hosts: &SecretHosts) -> SecretHosts {
    hosts
        .iter()
        .filter(|(name, _)| plain.contains_key(*name))
        .map(|(name, h)| (name.clone(), h.clone()))
        .collect()
}

fn open_one(key: &EdgeKey, name: &str, sealed: &str) -> Option<Vec<u8>> {
    key.open(name, &BASE64.decode(sealed).ok()?)
}

/// Opens every secret of a `secrets` value in memory. Secrets that cannot
/// be opened are left out (routes that need them answer
/// `upstream_auth_unavailable`); the problems are returned for logs and
/// health reports, naming secrets but never showing values.
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
        match open_one(key, name, sealed).and_then(|bytes| String::from_utf8(bytes).ok()) {
            Some(v) => {
                opened.insert(name.clone(), v);
            }
            None => problems.push(format!("secret `{name}` cannot be opened")),
        }
    }
    (UpstreamSecrets(opened), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> EdgeKey {
        EdgeKey::parse(&const_hex::encode([byte; 32])).unwrap()
    }

    fn counter() -> impl FnMut() -> [u8; NONCE_LEN] {
        let mut n = 0u8;
        move || {
            n += 1;
            [n; NONCE_LEN]
        }
    }

    fn plain(value: &[u8]) -> BTreeMap<String, Vec<u8>> {
        [("OPENAI".to_string(), value.to_vec())].into()
    }

    fn hosts() -> SecretHosts {
        [
            ("OPENAI".to_string(), vec!["api.openai.com".to_string()]),
            ("GONE".to_string(), vec!["x.example".to_string()]),
        ]
        .into()
    }

    #[test]
    fn sealed_values_compare_by_content() {
        let k = key(0x11);
        let value = SecretsValue::seal(4, &k, &plain(b"sk-1"), &hosts(), counter());
        assert!(!serde_json::to_string(&value).unwrap().contains("sk-1"));
        assert_eq!(value.key_id, k.key_id());
        // Only the hosts of secrets in the value.
        assert_eq!(value.hosts.len(), 1);
        assert_eq!(value.hosts["OPENAI"], ["api.openai.com"]);

        assert!(value.holds(4, &k, &plain(b"sk-1"), &hosts()));
        assert!(value.holds(5, &k, &plain(b"sk-1"), &hosts()));
        assert!(!value.holds(3, &k, &plain(b"sk-1"), &hosts()), "newer");
        assert!(!value.holds(4, &k, &plain(b"sk-2"), &hosts()));
        assert!(!value.holds(4, &key(0x22), &plain(b"sk-1"), &hosts()));
        let moved: SecretHosts = [("OPENAI".to_string(), vec!["*.openai.com".to_string()])].into();
        assert!(!value.holds(4, &k, &plain(b"sk-1"), &moved));
        let mut more = plain(b"sk-1");
        more.insert("GONE".into(), b"x".to_vec());
        assert!(!value.holds(4, &k, &more, &hosts()));
    }

    #[test]
    fn opens_with_the_right_key_only() {
        let k = key(7);
        let raw = [7u8; 32];
        let seal = |name: &str, v: &str| {
            BASE64.encode(crate::sealed::seal(
                &raw,
                name.as_bytes(),
                v.as_bytes(),
                [3; 12],
            ))
        };
        let value = SecretsValue {
            v: 3,
            key_id: k.key_id(),
            secrets: [
                ("A".to_string(), seal("A", "sk-a")),
                // Sealed for another name: the associated data does not match.
                ("B".to_string(), seal("A", "sk-b")),
                ("C".to_string(), "not base64!".to_string()),
            ]
            .into(),
            hosts: SecretHosts::new(),
        };
        let (opened, problems) = open_secrets(&value, Some(&k));
        assert_eq!(opened.get("A"), Some("sk-a"));
        assert_eq!(opened.0.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| !p.contains("sk-")));

        let (opened, problems) = open_secrets(&value, Some(&key(0x11)));
        assert!(opened.0.is_empty());
        assert!(problems[0].contains(&k.key_id()), "{problems:?}");
        let (opened, problems) = open_secrets(&value, None);
        assert!(opened.0.is_empty());
        assert!(problems[0].contains("TOKENCTL_EDGE_KEY"));
    }

    #[test]
    fn a_value_from_before_hosts_reads_as_no_hosts() {
        let old: SecretsValue =
            serde_json::from_str(r#"{"v":1,"key_id":"x","secrets":{}}"#).unwrap();
        assert!(old.hosts.is_empty());
    }
}
