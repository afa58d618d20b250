//! Secret parsing: `Secret::parse` for every kind, `kind_of`, the hash and
//! hint of what parses, and the token a gateway reads from request headers.
//!
//! Invariants: a parsed secret is the trimmed input, of its kind's prefix
//! and length, re-parses to itself, hashes to SHA-256 hex, and neither its
//! hint nor its `Debug` shows the random part.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenctl_gateway::token::{hash_secret, Secret, SecretKind, CHECKSUM_LEN};
use tokenctl_gateway::{PresentedToken, RequestInfo};

fuzz_target!(|data: &[u8]| {
    if data.len() >= 33 {
        // Key material always yields a secret that parses.
        let kind = SecretKind::ALL[usize::from(data[0]) % SecretKind::ALL.len()];
        let material: [u8; 32] = data[1..33].try_into().unwrap();
        let s = Secret::from_key_material(kind, &material);
        assert_eq!(Secret::parse(kind, s.expose()).as_ref(), Ok(&s));
    }
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let claimed = Secret::kind_of(input);
    for kind in SecretKind::ALL {
        match Secret::parse(kind, input) {
            Ok(secret) => {
                let value = secret.expose();
                assert_eq!(value, input.trim());
                assert_eq!(secret.kind(), kind);
                assert_eq!(claimed, Some(kind));
                assert_eq!(value.len(), kind.encoded_len());
                assert!(value.starts_with(kind.prefix()));
                assert_eq!(Secret::parse(kind, value).as_ref(), Ok(&secret));
                let hash = secret.hash();
                assert_eq!(hash, hash_secret(value));
                assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
                let hidden = &value[kind.prefix().len() + 4..value.len() - CHECKSUM_LEN];
                assert!(!secret.hint().contains(hidden));
                assert!(!format!("{secret:?}").contains(hidden));
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // As a gateway sees it, in either header.
    for req in [
        RequestInfo {
            api_key_header: Some(input),
            ..Default::default()
        },
        RequestInfo {
            authorization_header: Some(input),
            ..Default::default()
        },
    ] {
        if let Ok(presented) = PresentedToken::from_request(&req) {
            let hex = presented.hash_hex();
            assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
});
