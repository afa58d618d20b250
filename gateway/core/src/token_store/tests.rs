use super::*;
use crate::snapshot::RateLimit;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn hash_text(n: u8) -> String {
    const_hex::encode([n; 32])
}

fn entry(id: u8, hash: u8) -> TokenEntry {
    TokenEntry {
        id: Uuid::from_u128(u128::from(id)),
        team_id: Uuid::from_u128(0xaa),
        team: "ml".into(),
        name: format!("t{id}"),
        secret_hash: hash_text(hash),
        previous_hash: None,
        previous_expires_at: None,
        scopes: vec!["*".into()],
        expires_at: None,
        revoked: false,
        allow_ips: vec![],
        rate_limit: None,
    }
}

/// The store's content in a form to compare: entries by id, what every
/// hash of `0..hashes` finds, and the warnings.
type Observed = (Vec<TokenEntry>, Vec<Option<(Uuid, bool)>>, Vec<String>);

fn observe(store: &TokenStore) -> Observed {
    let mut entries: Vec<TokenEntry> = store.entries().collect();
    entries.sort_by_key(|e| e.id);
    assert_eq!(entries.len(), store.len());
    let found = (0..=u8::MAX)
        .map(|n| store.find(&[n; 32]).map(|(t, previous)| (t.id, previous)))
        .collect();
    let mut warnings: Vec<String> = store.warnings().iter().map(|w| w.to_string()).collect();
    warnings.sort();
    (entries, found, warnings)
}

#[test]
fn finds_tokens_by_current_and_previous_hash() {
    let mut rotated = entry(2, 20);
    rotated.previous_hash = Some(hash_text(21));
    rotated.previous_expires_at = Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    let mut no_grace = entry(3, 30);
    no_grace.previous_hash = Some(hash_text(31));
    let store: TokenStore = [entry(1, 10), rotated, no_grace].into_iter().collect();
    assert_eq!(store.len(), 3);
    let find = |n: u8| store.find(&[n; 32]).map(|(t, p)| (t.id.as_u128(), p));
    assert_eq!(find(10), Some((1, false)));
    assert_eq!(find(20), Some((2, false)));
    assert_eq!(find(21), Some((2, true)));
    assert_eq!(
        find(31),
        None,
        "a previous hash without a grace end is not indexed"
    );
    assert_eq!(find(99), None);
    assert!(store.warnings().is_empty());
}

#[test]
fn records_round_trip_to_entries() {
    let mut full = entry(1, 10);
    full.previous_hash = Some("not hex".into());
    full.previous_expires_at = Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    full.allow_ips = vec!["10.0.0.0/8".parse().unwrap()];
    full.rate_limit = Some(RateLimit {
        requests: 5,
        period_secs: 60,
    });
    full.expires_at = full.previous_expires_at;
    full.revoked = true;
    let mut upper = entry(2, 0xab);
    upper.secret_hash = upper.secret_hash.to_uppercase();
    let mut invalid = entry(3, 0);
    invalid.secret_hash = "zz".into();
    let entries = vec![full, upper, invalid];
    let store: TokenStore = entries.iter().cloned().collect();
    let mut back: Vec<TokenEntry> = store.entries().collect();
    back.sort_by_key(|e| e.id);
    assert_eq!(back, entries);
    // An uppercase hash still matches.
    assert_eq!(store.find(&[0xab; 32]).unwrap().0.id, Uuid::from_u128(2));
    let mut warnings: Vec<String> = store.warnings().iter().map(|w| w.to_string()).collect();
    warnings.sort();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("`previous_hash` is not a hex SHA-256"));
    assert!(warnings[1].contains("`secret_hash` is not a hex SHA-256"));
}

#[test]
fn team_names_and_scope_lists_are_shared() {
    let store: TokenStore = (1..=3).map(|n| entry(n, n)).collect();
    let records: Vec<&TokenRecord> = store.iter().collect();
    assert!(Arc::ptr_eq(&records[0].team, &records[1].team));
    assert!(Arc::ptr_eq(&records[0].scopes, &records[2].scopes));
    assert!(records.iter().all(|r| r.rare.is_none()));
}

#[test]
fn a_current_secret_wins_then_the_token_listed_first() {
    let mut previous = entry(1, 10);
    previous.previous_hash = Some(hash_text(7));
    previous.previous_expires_at = Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    let store: TokenStore = [previous, entry(3, 7), entry(2, 7)].into_iter().collect();
    assert_eq!(store.find(&[7; 32]).unwrap().0.id, Uuid::from_u128(3));
    assert_eq!(store.warnings().len(), 2);
    // A changed token keeps its place.
    let mut renamed = entry(3, 7);
    renamed.name = "renamed".into();
    let store = store.apply(vec![renamed], &[]);
    assert_eq!(store.find(&[7; 32]).unwrap().0.id, Uuid::from_u128(3));
    // Removing the winner hands the hash on, without a rebuild.
    let store = store.apply(vec![], &[Uuid::from_u128(3)]);
    assert_eq!(store.find(&[7; 32]).unwrap().0.id, Uuid::from_u128(2));
    // A token added again comes last.
    let store = store.apply(vec![entry(3, 7)], &[]);
    assert_eq!(store.find(&[7; 32]).unwrap().0.id, Uuid::from_u128(2));
    let listed: Vec<u128> = store
        .in_listed_order()
        .iter()
        .map(|r| r.id.as_u128())
        .collect();
    assert_eq!(listed, [1, 2, 3]);
    let store = store.apply(vec![], &[Uuid::from_u128(2), Uuid::from_u128(3)]);
    assert_eq!(
        store.find(&[7; 32]).unwrap(),
        (store.get(Uuid::from_u128(1)).unwrap(), true)
    );
    assert!(store.warnings().is_empty());
}

#[test]
fn an_update_leaves_the_store_it_was_applied_to_alone() {
    let before: TokenStore = (1..=50).map(|n| entry(n, n)).collect();
    let seen = observe(&before);
    let mut revoked = entry(7, 7);
    revoked.revoked = true;
    let after = before.apply(
        vec![revoked, entry(60, 60), entry(8, 88)],
        &[Uuid::from_u128(9)],
    );
    assert_eq!(observe(&before), seen);
    assert_eq!(after.len(), 50);
    assert!(after.get(Uuid::from_u128(7)).unwrap().revoked);
    assert!(
        after.find(&[8; 32]).is_none(),
        "the rotated-away hash is gone"
    );
    assert_eq!(after.find(&[88; 32]).unwrap().0.id, Uuid::from_u128(8));
    assert!(after.find(&[9; 32]).is_none());
    assert!(after.get(Uuid::from_u128(60)).is_some());
    // Upserting then removing one id in one update removes it.
    let gone = after.apply(vec![entry(61, 61)], &[Uuid::from_u128(61)]);
    assert!(gone.get(Uuid::from_u128(61)).is_none());
    assert_eq!(gone.len(), 50);
}

/// One token change: upsert an entry (id, current hash, previous hash
/// with a grace, an invalid hash), or remove an id. Small pools of ids and
/// hashes make replacements, rotations and shared hashes common.
fn change() -> impl Strategy<Value = Result<TokenEntry, Uuid>> {
    let upsert = (0u8..24, 0u8..16, proptest::option::of(0u8..16), any::<u8>()).prop_map(
        |(id, hash, previous, flags)| {
            let mut e = entry(id, hash);
            if let Some(previous) = previous {
                e.previous_hash = Some(hash_text(previous));
                e.previous_expires_at = (flags & 1 == 1).then(|| Utc.timestamp_opt(0, 0).unwrap());
            }
            if flags & 6 == 6 {
                e.secret_hash = "not hex".into();
            }
            e.revoked = flags & 8 == 8;
            e.team = format!("team{}", flags >> 6);
            e
        },
    );
    prop_oneof![
        3 => upsert.prop_map(Ok),
        1 => (0u8..24).prop_map(|id| Err(Uuid::from_u128(u128::from(id)))),
    ]
}

proptest! {
    /// Applying updates one after the other gives exactly the store built
    /// from scratch from the snapshot those updates produce.
    #[test]
    fn incremental_apply_equals_a_build_from_scratch(
        initial in proptest::collection::vec(change(), 0..20),
        updates in proptest::collection::vec(proptest::collection::vec(change(), 0..6), 1..8),
    ) {
        let mut snapshot: Vec<TokenEntry> = Vec::new();
        let upsert = |snapshot: &mut Vec<TokenEntry>, e: TokenEntry| {
            match snapshot.iter_mut().find(|t| t.id == e.id) {
                Some(t) => *t = e,
                None => snapshot.push(e),
            }
        };
        for e in initial.into_iter().filter_map(Result::ok) {
            upsert(&mut snapshot, e);
        }
        let mut store: TokenStore = snapshot.iter().cloned().collect();
        for update in updates {
            let (upserts, removed): (Vec<_>, Vec<_>) = update.into_iter().partition(Result::is_ok);
            let upserts: Vec<TokenEntry> = upserts.into_iter().filter_map(Result::ok).collect();
            let removed: Vec<Uuid> = removed.into_iter().filter_map(Result::err).collect();
            for e in upserts.clone() {
                upsert(&mut snapshot, e);
            }
            snapshot.retain(|t| !removed.contains(&t.id));
            store = store.apply(upserts, &removed);
            let scratch: TokenStore = snapshot.iter().cloned().collect();
            prop_assert_eq!(observe(&store), observe(&scratch));
        }
    }
}
