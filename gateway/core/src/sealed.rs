//! AES-256-GCM sealing, the one implementation every part of tokenctl uses:
//! the control plane for upstream secrets at rest and for the secrets it
//! writes to Cloudflare KV, the native gateway for its snapshot on disk, and
//! the Cloudflare Worker to open the secrets it reads from KV.
//!
//! The sealed form is `nonce (12 bytes) || ciphertext || tag (16 bytes)`.
//! The nonce is passed in, because this crate has no source of randomness
//! (it builds for `wasm32-unknown-unknown` without one): callers draw it
//! from their OS RNG and must never reuse one under the same key.
//!
//! ```
//! use tokenctl_gateway::sealed::{open, seal};
//!
//! let key = [7u8; 32];
//! let sealed = seal(&key, b"OPENAI_KEY", b"sk-123", [1u8; 12]);
//! assert_eq!(open(&key, b"OPENAI_KEY", &sealed).unwrap(), b"sk-123");
//! // The associated data (here the secret's name) is bound to the ciphertext.
//! assert!(open(&key, b"OTHER_NAME", &sealed).is_none());
//! ```

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

/// Length of the nonce that starts every sealed value.
pub const NONCE_LEN: usize = 12;
/// Length of the authentication tag that ends every sealed value.
pub const TAG_LEN: usize = 16;

/// Encrypts and authenticates `plaintext` under `key`, binding `aad`
/// (associated data: authenticated, not encrypted, not included in the
/// output). Returns `nonce || ciphertext+tag`.
pub fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8], nonce: [u8; NONCE_LEN]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Opens a value made by [`seal`] with the same key and associated data.
/// `None` when it is too short, was tampered with, or the key or `aad`
/// differ.
pub fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_binding() {
        let key = [42u8; 32];
        let sealed = seal(&key, b"NAME", b"value", [9u8; 12]);
        assert_eq!(sealed.len(), NONCE_LEN + 5 + TAG_LEN);
        assert_eq!(&sealed[..NONCE_LEN], &[9u8; 12]);
        assert_eq!(open(&key, b"NAME", &sealed).unwrap(), b"value");
        assert!(open(&key, b"NAMF", &sealed).is_none(), "aad is bound");
        assert!(
            open(&[43u8; 32], b"NAME", &sealed).is_none(),
            "key is bound"
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(open(&key, b"NAME", &tampered).is_none());
        assert!(open(&key, b"NAME", &sealed[..NONCE_LEN + TAG_LEN - 1]).is_none());
        assert_ne!(
            seal(&key, b"NAME", b"value", [1u8; 12]),
            seal(&key, b"NAME", b"value", [2u8; 12]),
            "different nonces give different ciphertexts"
        );
    }

    #[test]
    fn empty_plaintext_and_aad() {
        let key = [0u8; 32];
        let sealed = seal(&key, b"", b"", [0u8; 12]);
        assert_eq!(open(&key, b"", &sealed).unwrap(), b"");
    }

    /// NIST SP 800-38D / McGrew–Viega test case 14 (AES-256, zero key, zero
    /// nonce, one zero block): the output is standard AES-GCM, so any other
    /// implementation (WebCrypto in a Worker, say) can open it.
    #[test]
    fn known_answer() {
        let sealed = seal(&[0u8; 32], b"", &[0u8; 16], [0u8; 12]);
        assert_eq!(
            const_hex::encode(&sealed[NONCE_LEN..]),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
        );
    }
}
