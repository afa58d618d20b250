//! [`Gateway::apply`]: an update applied to a gateway decides exactly like
//! a gateway built from scratch from the snapshot the update produces.

use super::*;
use crate::snapshot::{ConfigUpdate, StaleUpdate};
use proptest::prelude::*;

fn update(version: u64) -> ConfigUpdate {
    ConfigUpdate {
        version,
        generated_at: now(),
        full: false,
        tokens: vec![],
        removed_tokens: vec![],
        routes: vec![],
        removed_routes: vec![],
        secrets: UpstreamSecrets::default(),
        secret_hosts: SecretHosts::default(),
        removed_secrets: vec![],
        quotas: vec![],
        removed_quotas: vec![],
        prices: vec![],
    }
}

fn fixture_snapshot() -> Snapshot {
    let gw = gateway();
    let mut tokens: Vec<TokenEntry> = gw.tokens().entries().collect();
    tokens.sort_by_key(|t| t.id);
    let routes = gw.route_config().clone();
    Snapshot {
        version: gw.version(),
        generated_at: gw.generated_at(),
        tokens,
        routes: routes.routes,
        secrets: routes.secrets,
        secret_hosts: routes.secret_hosts,
        quotas: vec![],
        prices: vec![],
    }
}

/// Every decision of a grid of requests, in order, with one limiter.
fn decisions(gw: &Gateway) -> Vec<Result<Allowed, Denied>> {
    let mut limiter = RateLimiter::new();
    let mut out = Vec::new();
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 50, 51, 99] {
        let s = secret(n);
        for path in [
            "/api/openai/x",
            "/api/anthropic/v1",
            "/legacy",
            "/broken",
            "/open",
            "/nope",
        ] {
            for ip in ["10.1.2.3", "203.0.113.7"] {
                let mut r = req(path, Some(&s));
                r.client_ip = Some(ip.parse().unwrap());
                out.push(gw.authorize(&mut limiter, &r, now()));
            }
        }
    }
    out
}

fn sorted_warnings(gw: &Gateway) -> Vec<String> {
    let mut w: Vec<String> = gw.warnings().iter().map(|w| w.to_string()).collect();
    w.sort();
    w
}

#[test]
fn a_revocation_applies_to_the_new_gateway_only() {
    let before = gateway();
    let mut revoked = fixture_snapshot().tokens[0].clone();
    revoked.revoked = true;
    let mut u = update(4);
    u.tokens = vec![revoked];
    let after = before.apply(u).unwrap();
    let s = secret(1);
    let r = req("/open", Some(&s));
    let mut limiter = RateLimiter::new();
    assert!(before.authorize(&mut limiter, &r, now()).is_ok());
    let denied = after.authorize(&mut limiter, &r, now()).unwrap_err();
    assert_eq!(denied.code, code::INVALID_TOKEN);
    assert_eq!((after.version(), after.tokens().len()), (4, 8));
}

#[test]
fn stale_updates_are_refused_and_full_ones_replace_everything() {
    let gw = gateway();
    assert_eq!(
        gw.apply(update(2)).unwrap_err(),
        StaleUpdate {
            current: 3,
            update: 2
        }
    );
    let mut full = update(1);
    full.full = true;
    full.tokens = vec![token(9, &["*"])];
    let replaced = gw.apply(full).unwrap();
    assert_eq!((replaced.version(), replaced.tokens().len()), (1, 1));
    assert!(replaced.routes().routes().is_empty());
    let s = secret(1);
    let mut limiter = RateLimiter::new();
    let denied = replaced
        .authorize(&mut limiter, &req("/open", Some(&s)), now())
        .unwrap_err();
    assert_eq!(denied.code, code::INVALID_TOKEN);
}

/// One change to the fixture's config.
#[derive(Debug, Clone)]
enum Change {
    Revoke(u8),
    Scopes(u8, &'static [&'static str]),
    /// The token's secret becomes secret(n + 40), the old one its previous
    /// until a grace end (or none).
    Rotate(u8, bool),
    RemoveToken(u8),
    AddToken(u8),
    RemoveRoute(u128),
    RestoreRoutes,
    SetSecret(&'static str, &'static str),
    RemoveSecret(&'static str),
}

fn change() -> impl Strategy<Value = Change> {
    let id = 1u8..=9;
    prop_oneof![
        id.clone().prop_map(Change::Revoke),
        (
            id.clone(),
            prop_oneof![
                Just(&["*"][..]),
                Just(&["openai"][..]),
                Just(&["tag:llm", "legacy"][..]),
                Just(&[][..])
            ]
        )
            .prop_map(|(n, s)| Change::Scopes(n, s)),
        (id.clone(), any::<bool>()).prop_map(|(n, grace)| Change::Rotate(n, grace)),
        id.clone().prop_map(Change::RemoveToken),
        id.prop_map(Change::AddToken),
        (1u128..=5).prop_map(Change::RemoveRoute),
        Just(Change::RestoreRoutes),
        prop_oneof![Just("openai-key"), Just("legacy-user")]
            .prop_map(|n| Change::SetSecret(n, "new:value")),
        prop_oneof![Just("openai-key"), Just("anthropic-key")].prop_map(Change::RemoveSecret),
    ]
}

/// The update that makes `change` to `current`.
fn as_update(current: &Snapshot, change: &Change, version: u64) -> ConfigUpdate {
    let mut u = update(version);
    let find = |n: u8| {
        current
            .tokens
            .iter()
            .find(|t| t.id == Uuid::from_u128(u128::from(n)))
            .cloned()
            .unwrap_or_else(|| token(n, &["*"]))
    };
    match change {
        Change::Revoke(n) => {
            let mut t = find(*n);
            t.revoked = true;
            u.tokens.push(t);
        }
        Change::Scopes(n, scopes) => {
            let mut t = find(*n);
            t.scopes = scopes.iter().map(|s| s.to_string()).collect();
            u.tokens.push(t);
        }
        Change::Rotate(n, grace) => {
            let mut t = find(*n);
            t.previous_hash = Some(t.secret_hash.clone());
            t.previous_expires_at = grace.then(|| now() + chrono::Duration::hours(1));
            t.secret_hash = token::hash_secret(&secret(n + 40));
            u.tokens.push(t);
        }
        Change::RemoveToken(n) => u.removed_tokens.push(Uuid::from_u128(u128::from(*n))),
        Change::AddToken(n) => u.tokens.push(token(*n, &["*"])),
        Change::RemoveRoute(n) => u.removed_routes.push(Uuid::from_u128(0x100 + n)),
        Change::RestoreRoutes => u.routes = fixture_snapshot().routes,
        Change::SetSecret(name, value) => {
            u.secrets = [(*name, *value)].into_iter().collect();
        }
        Change::RemoveSecret(name) => u.removed_secrets.push(name.to_string()),
    }
    u
}

/// The update that turns `before` into `after`.
fn difference(before: &Snapshot, after: &Snapshot, version: u64) -> ConfigUpdate {
    let mut u = update(version);
    u.tokens = after
        .tokens
        .iter()
        .filter(|t| !before.tokens.contains(t))
        .cloned()
        .collect();
    u.removed_tokens = before
        .tokens
        .iter()
        .filter(|t| !after.tokens.iter().any(|a| a.id == t.id))
        .map(|t| t.id)
        .collect();
    u.routes = after
        .routes
        .iter()
        .filter(|r| !before.routes.contains(r))
        .cloned()
        .collect();
    u.removed_routes = before
        .routes
        .iter()
        .filter(|r| !after.routes.iter().any(|a| a.id == r.id))
        .map(|r| r.id)
        .collect();
    u.secrets = after
        .secrets
        .0
        .iter()
        .filter(|(name, value)| before.secrets.get(name) != Some(value.as_str()))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    u.secret_hosts = after
        .secret_hosts
        .iter()
        .filter(|(name, hosts)| before.secret_hosts.get(*name) != Some(hosts))
        .map(|(n, h)| (n.clone(), h.clone()))
        .collect();
    u.removed_secrets = before
        .secrets
        .0
        .keys()
        .filter(|name| !after.secrets.0.contains_key(*name))
        .cloned()
        .collect();
    u
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn applied_updates_decide_like_a_gateway_built_from_scratch(
        batches in proptest::collection::vec(proptest::collection::vec(change(), 1..4), 1..6),
    ) {
        let mut snapshot = fixture_snapshot();
        let mut gw = Gateway::new(snapshot.clone());
        for (i, batch) in batches.iter().enumerate() {
            let version = 4 + i as u64;
            let mut scratch = snapshot.clone();
            for change in batch {
                let u = as_update(&scratch, change, version);
                scratch.apply(u).unwrap();
            }
            // The batch as one update, as the feed sends it: the difference.
            let merged = difference(&snapshot, &scratch, version);
            snapshot.apply(merged.clone()).unwrap();
            gw = gw.apply(merged).unwrap();
            let fresh = Gateway::new(snapshot.clone());
            prop_assert_eq!(gw.version(), fresh.version());
            prop_assert_eq!(gw.tokens().len(), fresh.tokens().len());
            prop_assert_eq!(gw.route_config(), fresh.route_config());
            prop_assert_eq!(sorted_warnings(&gw), sorted_warnings(&fresh));
            prop_assert_eq!(decisions(&gw), decisions(&fresh));
        }
    }
}

/// Quota state travels with updates like the other sections: upserted by
/// subject, then removed; an update without quota changes keeps it.
#[test]
fn quota_state_follows_updates() {
    let state = |subject: uuid::Uuid, used: u64| crate::quota::QuotaState {
        subject,
        limits: vec![crate::quota::QuotaUsage {
            kind: crate::quota::QuotaKind::Requests,
            limit: 100,
            period: crate::quota::Period::Day,
            period_start: crate::quota::Period::Day.start(now()),
            used,
        }],
    };
    let (a, b) = (uuid::Uuid::from_u128(0xa), uuid::Uuid::from_u128(0xb));
    let mut snapshot = fixture_snapshot();
    snapshot.quotas = vec![state(a, 1)];
    let gw = Gateway::new(snapshot);
    assert_eq!(gw.quota_state(a), Some(&state(a, 1)));

    let mut change = update(gw.version() + 1);
    change.quotas = vec![state(a, 7), state(b, 2)];
    let gw = gw.apply(change).unwrap();
    assert_eq!(gw.quota_state(a), Some(&state(a, 7)));
    assert_eq!(gw.quota_state(b), Some(&state(b, 2)));

    let gw = gw.apply(update(gw.version() + 1)).unwrap();
    assert_eq!(
        gw.quota_state(b),
        Some(&state(b, 2)),
        "kept by an update without quotas"
    );

    let mut change = update(gw.version() + 1);
    change.quotas = vec![state(b, 3)];
    change.removed_quotas = vec![a, b];
    let gw = gw.apply(change).unwrap();
    assert_eq!(
        (gw.quota_state(a), gw.quota_state(b)),
        (None, None),
        "removals come last"
    );

    let mut full = update(1);
    full.full = true;
    full.quotas = vec![state(b, 9)];
    let gw = gw.apply(full).unwrap();
    assert_eq!(
        (gw.quota_state(a), gw.quota_state(b)),
        (None, Some(&state(b, 9)))
    );
}

/// Prices travel with updates: a model listed replaces that model's list,
/// the others stay; an update without prices keeps them; a full update
/// replaces them all. The snapshot applies them alike.
#[test]
fn prices_follow_updates() {
    use crate::quota::PriceEntry;
    let price = |model: &str, input: u64| PriceEntry {
        model: model.into(),
        effective_from: "2026-01-01T00:00:00Z".parse().unwrap(),
        input_micros_per_1m: input,
        output_micros_per_1m: 0,
    };
    let input_of =
        |gw: &Gateway, model: &str| gw.prices().at(model, now()).map(|p| p.input_micros_per_1m);
    let mut snapshot = fixture_snapshot();
    snapshot.prices = vec![price("m", 1), price("n", 2)];
    let gw = Gateway::new(snapshot.clone());
    assert_eq!((input_of(&gw, "m"), input_of(&gw, "n")), (Some(1), Some(2)));

    let mut change = update(gw.version() + 1);
    change.prices = vec![price("m", 3)];
    snapshot.apply(change.clone()).unwrap();
    let gw = gw.apply(change).unwrap();
    assert_eq!((input_of(&gw, "m"), input_of(&gw, "n")), (Some(3), Some(2)));
    let gw = gw.apply(update(gw.version() + 1)).unwrap();
    assert_eq!(
        input_of(&gw, "m"),
        Some(3),
        "kept by an update without prices"
    );
    assert_eq!(
        Gateway::new(snapshot).prices(),
        gw.prices(),
        "the snapshot applies them alike"
    );

    let mut full = update(1);
    full.full = true;
    full.prices = vec![price("n", 5)];
    let gw = gw.apply(full).unwrap();
    assert_eq!((input_of(&gw, "m"), input_of(&gw, "n")), (None, Some(5)));
}
