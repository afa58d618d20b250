//! The KV values the Worker reads (`gateway/core/src/kv`): `tok:*`,
//! `routes`, `secrets` and `meta` decoded from arbitrary bytes, secrets
//! opened with the edge key, and the routes indexed into a `Gateway`.
//!
//! The edge key is fixed (`07` × 32, as in the seeds), so seeds can carry
//! secrets that really open. Invariants: no panic; only secrets sealed for
//! their own name open; problems never show a secret's value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenctl_gateway::kv::{
    open_secrets, routes_gateway, EdgeKey, MetaValue, RoutesValue, SecretsValue, TokenValue,
};

fuzz_target!(|data: &[u8]| {
    let key = EdgeKey::parse(&"07".repeat(32)).unwrap();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(k) = EdgeKey::parse(text) {
            assert_eq!(k.key_id().len(), 8);
        }
    }
    if let Ok(t) = serde_json::from_slice::<TokenValue>(data) {
        let _ = (t.v, t.token.scopes.len());
    }
    if let Ok(m) = serde_json::from_slice::<MetaValue>(data) {
        let _ = m.synced_at.timestamp();
    }
    let (secrets, hosts) = match serde_json::from_slice::<SecretsValue>(data) {
        Ok(value) => {
            for k in [Some(&key), None] {
                let (opened, problems) = open_secrets(&value, k);
                assert!(opened.0.len() + problems.len() <= value.secrets.len().max(1));
                for (name, plain) in &opened.0 {
                    assert!(value.secrets.contains_key(name));
                    if plain.len() >= 4 {
                        assert!(!problems.iter().any(|p| p.contains(plain.as_str())));
                    }
                }
            }
            (open_secrets(&value, Some(&key)).0, value.hosts.clone())
        }
        Err(_) => Default::default(),
    };
    if let Ok(routes) = serde_json::from_slice::<RoutesValue>(data) {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let gateway = routes_gateway(&routes, secrets, hosts, now);
        assert!(gateway.routes().routes().len() <= routes.routes.len());
        assert!(gateway.tokens().is_empty());
    }
});
