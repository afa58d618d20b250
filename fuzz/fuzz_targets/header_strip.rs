//! Which client headers never reach the upstream
//! (`headers::client_headers_to_drop`, `headers::carries_tokenctl_secret`).
//!
//! Invariants (docs/gateway.md, "What the gateway does to a forwarded
//! request"): whatever headers a client sends, with a real tokenctl secret
//! of any kind planted in any of them, no header that is kept carries one;
//! `host`, `forwarded`, `x-forwarded-*`, `x-api-key` and every hop-by-hop
//! header are dropped; a header is named at most once; a header without a
//! secret that is none of those is kept.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tokenctl_gateway::headers::{carries_tokenctl_secret, client_headers_to_drop, HopByHop};
use tokenctl_gateway::token::{Secret, SecretKind};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    headers: Vec<(&'a str, &'a [u8])>,
    /// Plant a secret: (header index, kind, where in the value).
    plant: Option<(u8, u8, u8)>,
}

fuzz_target!(|input: Input<'_>| {
    let mut headers: Vec<(String, Vec<u8>)> = input
        .headers
        .iter()
        .take(32)
        .map(|(n, v)| (n.to_string(), v.to_vec()))
        .collect();
    if let (Some((at, kind, pos)), false) = (input.plant, headers.is_empty()) {
        let kind = SecretKind::ALL[usize::from(kind) % SecretKind::ALL.len()];
        let secret = Secret::from_key_material(kind, &[kind as u8; 32]).into_exposed();
        let at = usize::from(at) % headers.len();
        let (_, value) = &mut headers[at];
        // At a word start: after a separator, or at the very beginning.
        let pos = usize::from(pos).min(value.len());
        let mut planted = value[..pos].to_vec();
        if pos > 0 {
            planted.push(b' ');
        }
        planted.extend_from_slice(secret.as_bytes());
        planted.extend_from_slice(&value[pos..]);
        *value = planted;
    }
    let view: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    let dropped = client_headers_to_drop(|| view.iter().copied());
    let is_dropped = |name: &str| dropped.iter().any(|d| d.eq_ignore_ascii_case(name));
    for (i, d) in dropped.iter().enumerate() {
        assert!(
            !dropped[..i].iter().any(|e| e.eq_ignore_ascii_case(d)),
            "{d} named twice"
        );
    }
    let hop = HopByHop::from_connection(
        view.iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .filter_map(|(_, v)| std::str::from_utf8(v).ok()),
    );
    for (name, value) in &view {
        let must_go = carries_tokenctl_secret(value)
            || ["host", "forwarded", "x-api-key"]
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
            || name.get(..12).is_some_and(|p| p.eq_ignore_ascii_case("x-forwarded-"))
            || hop.is_hop_by_hop(name);
        assert_eq!(is_dropped(name), must_go || {
            // Dropped because another header of the same name must go.
            view.iter().any(|(n, v)| n.eq_ignore_ascii_case(name) && carries_tokenctl_secret(v))
        }, "{name}");
        if !is_dropped(name) {
            for kind in SecretKind::ALL {
                let secret = Secret::from_key_material(kind, &[kind as u8; 32]).into_exposed();
                assert!(
                    !value.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{name} kept with a secret"
                );
            }
        }
    }
});
