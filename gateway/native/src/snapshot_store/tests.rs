use super::*;
use tokenctl_gateway::sealed::seal;
use uuid::Uuid;

fn token(n: u128) -> TokenEntry {
    TokenEntry {
        id: Uuid::from_u128(n),
        team_id: Uuid::from_u128(0xaa),
        team: "ml".into(),
        name: format!("token-{n}"),
        secret_hash: tokenctl_gateway::token::hash_secret(&format!("secret-{n}")),
        previous_hash: None,
        previous_expires_at: None,
        scopes: vec!["*".into()],
        expires_at: None,
        revoked: n.is_multiple_of(7),
        allow_ips: vec![],
        rate_limit: None,
    }
}

fn snapshot(tokens: u128) -> Snapshot {
    Snapshot {
        version: 42,
        generated_at: "2026-12-03T12:00:00Z".parse().unwrap(),
        tokens: (1..=tokens).map(token).collect(),
        routes: vec![],
        secrets: [("key", "sk-secret")].into_iter().collect(),
        secret_hosts: [("key".to_string(), vec!["api.example".to_string()])].into(),
        quotas: vec![quota(Uuid::from_u128(0xaa))],
        prices: vec![tokenctl_gateway::quota::PriceEntry {
            model: "gpt-4o".into(),
            effective_from: "2026-12-01T00:00:00Z".parse().unwrap(),
            input_micros_per_1m: 2_500_000,
            output_micros_per_1m: 10_000_000,
        }],
    }
}

/// A team's request quota, 60 of 100 used today.
fn quota(subject: Uuid) -> tokenctl_gateway::quota::QuotaState {
    use tokenctl_gateway::quota::{Period, QuotaKind, QuotaState, QuotaUsage};
    QuotaState {
        subject,
        limits: vec![QuotaUsage {
            kind: QuotaKind::Requests,
            limit: 100,
            period: Period::Day,
            period_start: "2026-12-03T00:00:00Z".parse().unwrap(),
            used: 60,
        }],
    }
}

fn sorted_entries(gateway: &Gateway) -> Vec<TokenEntry> {
    let mut entries: Vec<TokenEntry> = gateway.tokens().entries().collect();
    entries.sort_by_key(|e| e.id);
    entries
}

fn store(dir: &tempfile::TempDir, key: &str) -> SnapshotStore {
    SnapshotStore::new(dir.path().join("snapshot.sealed"), key)
}

#[test]
fn round_trips_a_config_larger_than_a_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot(2_000);
    let gateway = Gateway::new(snapshot.clone());
    store(&dir, "k").save(&gateway).unwrap();
    let size = std::fs::metadata(dir.path().join("snapshot.sealed"))
        .unwrap()
        .len();
    assert!(size > 3 * CHUNK_BYTES as u64, "several chunks: {size}");
    let loaded = store(&dir, "k").load().unwrap();
    assert_eq!(loaded.version(), 42);
    assert_eq!(loaded.generated_at(), snapshot.generated_at);
    assert_eq!(loaded.route_config(), gateway.route_config());
    assert_eq!(sorted_entries(&loaded), sorted_entries(&gateway));
    assert_eq!(
        loaded.quota_state(Uuid::from_u128(0xaa)),
        Some(&quota(Uuid::from_u128(0xaa))),
        "the published quota state survives a restart"
    );
    assert_eq!(
        loaded.prices(),
        gateway.prices(),
        "so do the prices budgets are counted with"
    );
    assert!(!loaded.prices().is_empty());
    assert!(!std::fs::read(dir.path().join("snapshot.sealed"))
        .unwrap()
        .windows(9)
        .any(|w| w == b"sk-secret"));
}

#[test]
fn refuses_another_key_and_any_damage() {
    let dir = tempfile::tempdir().unwrap();
    store(&dir, "k")
        .save(&Gateway::new(snapshot(2_000)))
        .unwrap();
    assert!(store(&dir, "other").load().is_none());
    let path = dir.path().join("snapshot.sealed");
    let good = std::fs::read(&path).unwrap();
    let damaged = |bytes: Vec<u8>| {
        std::fs::write(&path, bytes).unwrap();
        store(&dir, "k").load().is_none()
    };
    // Cut off after the first chunk, or anywhere.
    let first_len =
        u32::from_be_bytes(good[MAGIC.len() + 17..MAGIC.len() + 21].try_into().unwrap());
    let first_end = MAGIC.len() + FILE_ID_LEN + 5 + first_len as usize;
    assert!(damaged(good[..first_end].to_vec()));
    assert!(damaged(good[..good.len() - 1].to_vec()));
    // A flipped bit, trailing bytes, a last chunk dropped.
    let mut flipped = good.clone();
    flipped[first_end + 40] ^= 1;
    assert!(damaged(flipped));
    let mut longer = good.clone();
    longer.push(0);
    assert!(damaged(longer));
    // A chunk from another file with the same key does not fit in.
    store(&dir, "k")
        .save(&Gateway::new(snapshot(2_000)))
        .unwrap();
    let other = std::fs::read(&path).unwrap();
    let mut spliced = good[..first_end].to_vec();
    spliced.extend_from_slice(&other[first_end..]);
    assert!(damaged(spliced));
    std::fs::write(&path, &good).unwrap();
    assert!(store(&dir, "k").load().is_some());
}

#[test]
fn reads_the_older_whole_file_format() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot(10);
    let key = store(&dir, "k").key;
    let sealed = seal(
        &key,
        b"",
        &serde_json::to_vec(&snapshot).unwrap(),
        [3; NONCE_LEN],
    );
    std::fs::write(dir.path().join("snapshot.sealed"), sealed).unwrap();
    let loaded = store(&dir, "k").load().unwrap();
    assert_eq!(
        sorted_entries(&loaded),
        sorted_entries(&Gateway::new(snapshot))
    );
}

#[test]
fn confirmation_time_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let at: DateTime<Utc> = "2026-12-03T12:00:00Z".parse().unwrap();
    store(&dir, "k").save_confirmed(at).unwrap();
    assert_eq!(store(&dir, "k").load_confirmed(), Some(at));
    assert_eq!(store(&dir, "other").load_confirmed(), None);
    store(&dir, "k").remove();
    assert_eq!(store(&dir, "k").load_confirmed(), None);
}
