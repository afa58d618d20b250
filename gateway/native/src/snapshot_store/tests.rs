use super::*;
use tokenctl_gateway::sealed::seal;
use tokenctl_gateway::snapshot::RateLimit;
use tokenctl_gateway::TokenEntry;
use uuid::Uuid;

/// A plain token: stored in compact form.
fn token(n: u128) -> TokenEntry {
    TokenEntry {
        id: Uuid::from_u128(n),
        team_id: Uuid::from_u128(0xaa + n % 3),
        team: ["ml", "web", "ops"][(n % 3) as usize].into(),
        name: format!("token-{n}"),
        secret_hash: tokenctl_gateway::token::hash_secret(&format!("secret-{n}")),
        previous_hash: None,
        previous_expires_at: None,
        scopes: match n % 4 {
            0 => vec!["*".into()],
            1 => vec!["chat".into(), "tag:llm".into()],
            2 => vec![],
            _ => vec!["embeddings".into()],
        },
        // Some with a time that has nanoseconds.
        expires_at: n.is_multiple_of(5).then(|| {
            chrono::DateTime::from_timestamp(1_800_000_000 + n as i64, (n as u32) * 1_001).unwrap()
        }),
        revoked: n.is_multiple_of(7),
        allow_ips: vec![],
        rate_limit: None,
    }
}

/// Tokens with each of the fields few tokens use, stored as JSON.
fn rare_tokens() -> Vec<TokenEntry> {
    let mut rotated = token(1_000_001);
    rotated.previous_hash = Some(tokenctl_gateway::token::hash_secret("old"));
    rotated.previous_expires_at = Some("2026-12-05T00:00:00.123456789Z".parse().unwrap());
    let mut fenced = token(1_000_002);
    fenced.allow_ips = vec!["10.0.0.0/8".parse().unwrap()];
    let mut limited = token(1_000_003);
    limited.rate_limit = Some(RateLimit {
        requests: 100,
        period_secs: 60,
    });
    let mut odd_hash = token(1_000_004);
    odd_hash.secret_hash = "not a hash".into();
    vec![rotated, fenced, limited, odd_hash]
}

fn snapshot(tokens: u128) -> Snapshot {
    Snapshot {
        version: 42,
        generated_at: "2026-12-03T12:00:00Z".parse().unwrap(),
        tokens: (1..=tokens).map(token).chain(rare_tokens()).collect(),
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
    let snapshot = snapshot(5_000);
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
        .save(&Gateway::new(snapshot(5_000)))
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
        .save(&Gateway::new(snapshot(5_000)))
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

/// Writes a file of the older streamed format (JSON lines in sealed
/// chunks), as the previous version of the gateway did.
fn write_json_lines_file(store: &SnapshotStore, snapshot: &Snapshot) {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC_JSON_LINES);
    let file_id = [9u8; FILE_ID_LEN];
    out.extend_from_slice(&file_id);
    let mut chunks = ChunkWriter {
        key: &store.key,
        file_id,
        index: 0,
        plain: Vec::new(),
        out: &mut out,
    };
    let head = Snapshot {
        tokens: vec![],
        ..snapshot.clone()
    };
    let lines = std::iter::once(serde_json::to_vec(&head).unwrap()).chain(
        snapshot
            .tokens
            .iter()
            .map(|t| serde_json::to_vec(t).unwrap()),
    );
    for line in lines {
        chunks.plain.extend_from_slice(&line);
        chunks.plain.push(b'\n');
        chunks.end_item().unwrap();
    }
    chunks.finish().unwrap();
    std::fs::write(&store.path, out).unwrap();
}

#[test]
fn reads_the_older_json_lines_format_and_rewrites_it_in_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot(5_000);
    write_json_lines_file(&store(&dir, "k"), &snapshot);
    let loaded = store(&dir, "k").load().unwrap();
    let expected = Gateway::new(snapshot);
    assert_eq!(loaded.version(), 42);
    assert_eq!(loaded.route_config(), expected.route_config());
    assert_eq!(sorted_entries(&loaded), sorted_entries(&expected));
    assert!(store(&dir, "other").load().is_none());

    store(&dir, "k").save(&loaded).unwrap();
    let path = dir.path().join("snapshot.sealed");
    assert!(std::fs::read(&path).unwrap().starts_with(MAGIC));
    let reloaded = store(&dir, "k").load().unwrap();
    assert_eq!(sorted_entries(&reloaded), sorted_entries(&expected));
}

#[test]
fn a_plain_token_takes_little_room() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = snapshot(10_000);
    snapshot.tokens.retain(|t| t.id.as_u128() <= 10_000);
    store(&dir, "k").save(&Gateway::new(snapshot)).unwrap();
    let size = std::fs::metadata(dir.path().join("snapshot.sealed"))
        .unwrap()
        .len();
    // Raw ids and hash (64 bytes), the name, a few more bytes; as JSON
    // lines a token took as much as in the feed, over 300.
    assert!(size < 10_000 * 100, "{size} bytes");
}

#[test]
fn keeps_the_listed_order_that_decides_a_shared_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = snapshot(0);
    let mut first = token(9);
    let mut second = token(3);
    second.secret_hash = first.secret_hash.clone();
    first.revoked = false;
    second.revoked = false;
    snapshot.tokens = vec![first, second];
    let gateway = Gateway::new(snapshot);
    store(&dir, "k").save(&gateway).unwrap();
    let loaded = store(&dir, "k").load().unwrap();
    let hash = tokenctl_gateway::token_store::decode_hash(&tokenctl_gateway::token::hash_secret(
        "secret-9",
    ))
    .unwrap();
    assert_eq!(
        loaded.tokens().find(&hash).unwrap().0.id,
        Uuid::from_u128(9)
    );
    assert_eq!(loaded.warnings(), gateway.warnings());
}

/// A file sealed with the right key whose items do not fit together.
fn write_items(store: &SnapshotStore, items: &[Item<'_>]) {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    let file_id = [5u8; FILE_ID_LEN];
    out.extend_from_slice(&file_id);
    let mut chunks = ChunkWriter {
        key: &store.key,
        file_id,
        index: 0,
        plain: Vec::new(),
        out: &mut out,
    };
    for item in items {
        chunks.item(item).unwrap();
    }
    chunks.finish().unwrap();
    std::fs::write(&store.path, out).unwrap();
}

#[test]
fn refuses_items_that_do_not_fit_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir, "k");
    let head = serde_json::to_string(&snapshot(0)).unwrap();
    let entry = serde_json::to_string(&token(1)).unwrap();
    write_items(&store, &[Item::Head(&head), Item::Entry(&entry)]);
    assert_eq!(store.load().unwrap().tokens().len(), 1, "the control case");

    write_items(&store, &[Item::Entry(&entry), Item::Head(&head)]);
    assert!(store.load().is_none(), "a token before the head");
    write_items(&store, &[Item::Head(&head), Item::Head(&head)]);
    assert!(store.load().is_none(), "two heads");
    write_items(&store, &[]);
    assert!(store.load().is_none(), "no head");
    write_items(&store, &[Item::Head(&head), Item::Entry("{")]);
    assert!(store.load().is_none(), "a token that is not JSON");

    // A compact token naming a team or scope list never written.
    let one = Gateway::new(Snapshot {
        tokens: vec![token(1)],
        ..snapshot(0)
    });
    let record = one.tokens().iter().next().unwrap();
    let mut encoded = Vec::new();
    ItemWriter::default()
        .token(record, |item| {
            encoded.push(postcard::to_stdvec(&item).unwrap());
            Ok::<_, ()>(())
        })
        .unwrap();
    let items: Vec<Item> = encoded
        .iter()
        .map(|bytes| postcard::from_bytes(bytes).unwrap())
        .collect();
    let [team, scopes, token] = items.as_slice() else {
        panic!("a team, a scope list, a token: {items:?}");
    };
    let head = Item::Head(&head);
    write_items(
        &store,
        &[head.clone(), team.clone(), scopes.clone(), token.clone()],
    );
    assert_eq!(store.load().unwrap().tokens().len(), 1, "the control case");
    write_items(&store, &[head.clone(), scopes.clone(), token.clone()]);
    assert!(store.load().is_none(), "no team");
    write_items(&store, &[head, team.clone(), token.clone()]);
    assert!(store.load().is_none(), "no scope list");
}
