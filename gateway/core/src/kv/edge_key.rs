//! The edge key (`TOKENCTL_EDGE_KEY`): 32 bytes, given as 64 hex
//! characters, under which the control plane seals upstream secrets for
//! the Worker. It is not the master key, which never leaves the control
//! plane.

use sha2::{Digest, Sha256};
use std::fmt;

/// `TOKENCTL_EDGE_KEY` is not 64 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TOKENCTL_EDGE_KEY must be 64 hexadecimal characters (32 bytes); generate one with `openssl rand -hex 32`")]
pub struct MalformedEdgeKey;

/// The edge key. `Debug` shows its [`key_id`](EdgeKey::key_id), never the
/// key. Zeroed when dropped.
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct EdgeKey {
    bytes: [u8; 32],
}

impl fmt::Debug for EdgeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EdgeKey({})", self.key_id())
    }
}

impl EdgeKey {
    /// Parses 64 hex characters; surrounding whitespace (a trailing
    /// newline in a file or secret store) is ignored.
    pub fn parse(hex_key: &str) -> Result<EdgeKey, MalformedEdgeKey> {
        let mut bytes = [0u8; 32];
        const_hex::decode_to_slice(hex_key.trim(), &mut bytes).map_err(|_| MalformedEdgeKey)?;
        Ok(EdgeKey { bytes })
    }

    /// Names the key without revealing it: the first 8 hex characters of
    /// the SHA-256 of its 32 bytes. Written next to the sealed secrets, so a
    /// Worker holding another key can say so instead of failing to decrypt.
    pub fn key_id(&self) -> String {
        const_hex::encode(&Sha256::digest(self.bytes)[..4])
    }

    /// AES-256-GCM of `plaintext` with `name` bound as associated data, so
    /// a sealed value cannot be moved to another name. `nonce` must be
    /// fresh from a cryptographic RNG (the core has none).
    pub fn seal(
        &self,
        name: &str,
        plaintext: &[u8],
        nonce: [u8; crate::sealed::NONCE_LEN],
    ) -> Vec<u8> {
        crate::sealed::seal(&self.bytes, name.as_bytes(), plaintext, nonce)
    }

    /// Opens a value [`seal`](EdgeKey::seal)ed under this key for `name`.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        crate::sealed::open(&self.bytes, name.as_bytes(), sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_key_id() {
        assert_eq!(EdgeKey::parse("abc").unwrap_err(), MalformedEdgeKey);
        assert!(EdgeKey::parse(&"zz".repeat(32)).is_err());
        assert!(EdgeKey::parse(&"00".repeat(33)).is_err());
        let key = EdgeKey::parse(&format!(" {} \n", "00".repeat(32))).unwrap();
        // The contract with the Worker: SHA-256 of 32 zero bytes starts
        // 66687aad.
        assert_eq!(key.key_id(), "66687aad");
        assert_eq!(format!("{key:?}"), "EdgeKey(66687aad)");
        let other = EdgeKey::parse(&"ab".repeat(32)).unwrap();
        assert!(!format!("{other:?}").contains("abab"));
        assert!(MalformedEdgeKey
            .to_string()
            .contains("openssl rand -hex 32"));
    }

    #[test]
    fn seals_for_one_name_under_one_key() {
        let key = EdgeKey::parse(&"ab".repeat(32)).unwrap();
        let sealed = key.seal("OPENAI_KEY", b"sk-1", [5; 12]);
        assert_eq!(key.open("OPENAI_KEY", &sealed).unwrap(), b"sk-1");
        assert!(key.open("OTHER", &sealed).is_none());
        let other = EdgeKey::parse(&"cd".repeat(32)).unwrap();
        assert!(other.open("OPENAI_KEY", &sealed).is_none());
        // Standard AES-256-GCM under the raw key bytes, as the layout says.
        let raw = [0xab; 32];
        assert_eq!(
            crate::sealed::open(&raw, b"OPENAI_KEY", &sealed).unwrap(),
            b"sk-1"
        );
    }
}
