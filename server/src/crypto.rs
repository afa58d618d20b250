//! Encryption of upstream secrets (and of idempotent rotation results) at
//! rest and keyed fingerprints, all from one 32-byte master key that never
//! enters the database. (The edge key, which seals secrets for the Worker,
//! is part of the KV contract: `tokenctl_gateway::kv::EdgeKey`.)

use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use std::path::Path;

/// Encrypted under the master key and stored, so a wrong key is detected at
/// start-up instead of at the first decryption.
const CHECK_PLAINTEXT: &[u8] = b"tokenctl master key check v1";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the master key must be 64 hexadecimal characters (32 bytes); generate one with `openssl rand -hex 32`")]
    Malformed,
    #[error("cannot read master key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

/// The master key. `Debug` never shows it; zeroed when dropped.
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct MasterKey {
    bytes: [u8; 32],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn from_hex(hex_str: &str) -> Result<MasterKey, KeyError> {
        let raw = hex::decode(hex_str.trim()).map_err(|_| KeyError::Malformed)?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(MasterKey { bytes })
    }

    pub fn from_file(path: &Path) -> Result<MasterKey, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::File {
            path: path.display().to_string(),
            source,
        })?;
        MasterKey::from_hex(&text)
    }

    pub fn generate() -> MasterKey {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        MasterKey { bytes }
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// A sub-key for one purpose, so no two uses share key material.
    fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes).expect("any key length");
        mac.update(b"tokenctl/");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn cipher_key(&self) -> [u8; 32] {
        self.derive("secrets-aes256gcm")
    }

    /// AES-256-GCM with a random nonce; output is `nonce || ciphertext+tag`.
    /// `context` (the secret's name) is bound as associated data, so a
    /// ciphertext cannot be moved to another name.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        tokenctl_gateway::sealed::seal(
            &self.cipher_key(),
            context.as_bytes(),
            plaintext,
            random_nonce(),
        )
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        tokenctl_gateway::sealed::open(&self.cipher_key(), context.as_bytes(), sealed)
    }

    /// The stored check value for this key.
    pub fn check_value(&self) -> String {
        hex::encode(self.seal("master-key-check", CHECK_PLAINTEXT))
    }

    pub fn matches_check_value(&self, stored: &str) -> bool {
        hex::decode(stored)
            .ok()
            .and_then(|sealed| self.open("master-key-check", &sealed))
            .is_some_and(|p| p == CHECK_PLAINTEXT)
    }

    /// A short keyed fingerprint of a secret value: equal values give equal
    /// fingerprints, but it cannot be brute-forced without the master key.
    pub fn fingerprint(&self, value: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.derive("secret-fingerprint"))
            .expect("any key length");
        mac.update(value);
        hex::encode(&mac.finalize().into_bytes()[..6])
    }

    /// Seals the result of an idempotent rotation (the new token's
    /// plaintext) for replay to the same caller: AES-256-GCM under its own
    /// sub-key, with `binding` (token, idempotency key hash, credential) as
    /// associated data, so a sealed result opens only in its own row.
    pub fn seal_rotation(&self, binding: &str, plaintext: &[u8]) -> Vec<u8> {
        tokenctl_gateway::sealed::seal(
            &self.derive("token-rotation-results-aes256gcm"),
            binding.as_bytes(),
            plaintext,
            random_nonce(),
        )
    }

    pub fn open_rotation(&self, binding: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        tokenctl_gateway::sealed::open(
            &self.derive("token-rotation-results-aes256gcm"),
            binding.as_bytes(),
            sealed,
        )
    }
}

/// A fresh nonce from the OS RNG, for [`tokenctl_gateway::sealed::seal`].
pub fn random_nonce() -> [u8; tokenctl_gateway::sealed::NONCE_LEN] {
    let mut nonce = [0u8; tokenctl_gateway::sealed::NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_roundtrip_and_binding() {
        let k = MasterKey::generate();
        let sealed = k.seal("OPENAI_KEY", b"sk-123");
        assert_eq!(k.open("OPENAI_KEY", &sealed).unwrap(), b"sk-123");
        assert!(k.open("OTHER", &sealed).is_none());
        assert!(MasterKey::generate().open("OPENAI_KEY", &sealed).is_none());
        assert_ne!(k.seal("A", b"x"), k.seal("A", b"x"), "nonces must differ");
    }

    #[test]
    fn rotation_results_are_sealed_apart_from_secrets() {
        let k = MasterKey::generate();
        let sealed = k.seal_rotation("token/key/credential", b"ntk_x");
        assert_eq!(
            k.open_rotation("token/key/credential", &sealed).unwrap(),
            b"ntk_x"
        );
        assert!(k.open_rotation("token/key/other", &sealed).is_none());
        assert!(k.open("token/key/credential", &sealed).is_none());
        assert!(k
            .open_rotation("N", &k.seal("N", b"upstream secret"))
            .is_none());
    }

    #[test]
    fn check_value_detects_wrong_key() {
        let k = MasterKey::generate();
        let check = k.check_value();
        assert!(k.matches_check_value(&check));
        assert!(!MasterKey::generate().matches_check_value(&check));
    }

    #[test]
    fn hex_parsing_and_debug() {
        let k = MasterKey::generate();
        assert_eq!(MasterKey::from_hex(&k.to_hex()).unwrap().bytes, k.bytes);
        assert!(MasterKey::from_hex("abcd").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()[..8]));
    }
}
