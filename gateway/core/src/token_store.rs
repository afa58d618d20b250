//! Every token a gateway knows, in one compact copy that a config change
//! updates in proportion to what changed.
//!
//! [`TokenStore`] is a persistent map: cloning it is cheap, and
//! [`TokenStore::apply`] returns a new store that shares everything the
//! change did not touch with the old one, which the request path may still
//! be reading. It is cut into a fixed number of shards, each an immutable
//! sorted array behind an `Arc`: a change copies the few shards it touches
//! (about `len / SHARDS` records each) and the array of shard pointers.
//! Compared with a hash trie (e.g. the `imbl` crate) this keeps the records
//! packed with no per-entry node overhead, and lookups are a binary search
//! within one shard.
//!
//! Two indexes: records by token id (what the config feed's upserts and
//! removals name) and credentials by secret hash (what a request
//! presents). A hash claimed by several credentials keeps them all, so
//! removing the one that wins gives the hash to the next without a
//! rebuild: a current secret wins over a previous one, then the token
//! listed first. Each record keeps its place in the list the way
//! [`Snapshot::apply`](crate::snapshot::Snapshot::apply) keeps it (a new
//! token goes last, a changed one stays where it was).

mod record;
#[cfg(test)]
mod tests;

pub use record::{decode_hash, Interner, RareFields, TokenRecord};

use crate::snapshot::{SnapshotWarning, TokenEntry};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const SHARD_BITS: u32 = 10;
/// Enough that one shard stays small (about a thousand records at a
/// million tokens), few enough that copying the shard pointers per change
/// costs nothing.
const SHARDS: usize = 1 << SHARD_BITS;

const SECRET_HASH: &str = "secret_hash";
const PREVIOUS_HASH: &str = "previous_hash";

/// One secret that identifies a token. Ordered so that, among credentials
/// with the same hash, the winner comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Credential {
    hash: [u8; 32],
    previous: bool,
    position: u64,
    token: Uuid,
}

/// Every token, indexed by id and by secret hash.
#[derive(Clone)]
pub struct TokenStore {
    by_id: Arc<[Arc<[TokenRecord]>]>,
    by_hash: Arc<[Arc<[Credential]>]>,
    len: usize,
    /// The position the next new token takes.
    next_position: u64,
    /// Entries whose hash is not a hex SHA-256: (token, field).
    unusable: Arc<BTreeSet<(Uuid, &'static str)>>,
    /// Hashes claimed by more than one credential.
    contested: Arc<BTreeSet<[u8; 32]>>,
    interner: Arc<Mutex<Interner>>,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Default for TokenStore {
    fn default() -> TokenStore {
        TokenStoreBuilder::default().finish()
    }
}

fn id_shard(id: &Uuid) -> usize {
    let (high, low) = id.as_u64_pair();
    ((high ^ low).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARD_BITS)) as usize
}

fn hash_shard(hash: &[u8; 32]) -> usize {
    // Hashes are SHA-256 outputs: their first bits are already uniform.
    (usize::from(u16::from_be_bytes([hash[0], hash[1]]))) >> (16 - SHARD_BITS)
}

/// The secrets that identify `record`: its current hash, and its previous
/// one while it has a grace end (whether the grace still runs is decided
/// per request). Hashes that are not hex are reported to `unusable`.
fn credentials(record: &TokenRecord, mut unusable: impl FnMut(&'static str)) -> Vec<Credential> {
    let mut found = Vec::new();
    match record.current_hash() {
        Some(hash) => found.push(Credential {
            hash,
            previous: false,
            position: record.position,
            token: record.id,
        }),
        None => unusable(SECRET_HASH),
    }
    if let (Some(text), Some(_)) = (record.previous_hash(), record.previous_expires_at()) {
        match decode_hash(text) {
            Some(hash) => found.push(Credential {
                hash,
                previous: true,
                position: record.position,
                token: record.id,
            }),
            None => unusable(PREVIOUS_HASH),
        }
    }
    found
}

/// Builds a [`TokenStore`] from entries given one at a time, so a snapshot
/// can be indexed as it is decoded.
pub struct TokenStoreBuilder {
    by_id: Vec<Vec<TokenRecord>>,
    pushed: u64,
    interner: Interner,
}

impl Default for TokenStoreBuilder {
    fn default() -> TokenStoreBuilder {
        TokenStoreBuilder {
            by_id: (0..SHARDS).map(|_| Vec::new()).collect(),
            pushed: 0,
            interner: Interner::default(),
        }
    }
}

impl TokenStoreBuilder {
    /// Adds one token, listed after those added before. Of two entries
    /// with the same id the later one wins, in the place of the first, as
    /// with an upsert.
    pub fn push(&mut self, entry: TokenEntry) {
        let record = self.interner.record(entry);
        self.push_record(record);
    }

    /// [`TokenStoreBuilder::push`] for a token already in compact form.
    /// Its team and scopes are kept as given: take them from
    /// [`TokenStoreBuilder::interner`] so that tokens share them.
    pub fn push_record(&mut self, mut record: TokenRecord) {
        record.position = self.pushed;
        self.pushed += 1;
        self.by_id[id_shard(&record.id)].push(record);
    }

    /// The interner the store will keep, for team names and scope lists
    /// of records given to [`TokenStoreBuilder::push_record`].
    pub fn interner(&mut self) -> &mut Interner {
        &mut self.interner
    }

    /// How many entries were pushed.
    pub fn len(&self) -> usize {
        self.by_id.iter().map(Vec::len).sum()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.by_id.iter().all(Vec::is_empty)
    }

    /// The records pushed, as changes for [`TokenStore::apply_records`]:
    /// of two with one id, the later comes later.
    pub fn into_records(self) -> Vec<TokenRecord> {
        self.by_id.into_iter().flatten().collect()
    }

    /// The store of every token pushed.
    pub fn finish(self) -> TokenStore {
        let mut unusable = BTreeSet::new();
        let mut by_hash: Vec<Vec<Credential>> = (0..SHARDS).map(|_| Vec::new()).collect();
        let mut len = 0;
        let by_id: Vec<Arc<[TokenRecord]>> = self
            .by_id
            .into_iter()
            .map(|mut shard| {
                // Stable: the later of two entries with one id stays last.
                shard.sort_by_key(|r| r.id);
                let mut kept: Vec<TokenRecord> = Vec::with_capacity(shard.len());
                for mut record in shard {
                    match kept.last_mut() {
                        Some(last) if last.id == record.id => {
                            record.position = last.position;
                            *last = record;
                        }
                        _ => kept.push(record),
                    }
                }
                for record in &kept {
                    for credential in credentials(record, |field| {
                        unusable.insert((record.id, field));
                    }) {
                        by_hash[hash_shard(&credential.hash)].push(credential);
                    }
                }
                len += kept.len();
                kept.into()
            })
            .collect();
        let mut contested = BTreeSet::new();
        let by_hash: Vec<Arc<[Credential]>> = by_hash
            .into_iter()
            .map(|mut shard| {
                shard.sort_unstable();
                contested.extend(
                    shard
                        .windows(2)
                        .filter(|pair| pair[0].hash == pair[1].hash)
                        .map(|pair| pair[0].hash),
                );
                shard.into()
            })
            .collect();
        TokenStore {
            by_id: by_id.into(),
            by_hash: by_hash.into(),
            len,
            next_position: self.pushed,
            unusable: Arc::new(unusable),
            contested: Arc::new(contested),
            interner: Arc::new(Mutex::new(self.interner)),
        }
    }
}

impl FromIterator<TokenEntry> for TokenStoreBuilder {
    fn from_iter<I: IntoIterator<Item = TokenEntry>>(entries: I) -> TokenStoreBuilder {
        let mut builder = TokenStoreBuilder::default();
        for entry in entries {
            builder.push(entry);
        }
        builder
    }
}

impl FromIterator<TokenEntry> for TokenStore {
    fn from_iter<I: IntoIterator<Item = TokenEntry>>(entries: I) -> TokenStore {
        entries.into_iter().collect::<TokenStoreBuilder>().finish()
    }
}

impl TokenStore {
    /// How many tokens (revoked ones included).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no token.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The token with this id.
    pub fn get(&self, id: Uuid) -> Option<&TokenRecord> {
        let shard = &self.by_id[id_shard(&id)];
        let at = shard.binary_search_by_key(&id, |r| r.id).ok()?;
        Some(&shard[at])
    }

    /// The token a secret with this SHA-256 identifies, and whether it is
    /// that token's previous secret.
    pub fn find(&self, hash: &[u8; 32]) -> Option<(&TokenRecord, bool)> {
        let shard = &self.by_hash[hash_shard(hash)];
        let at = shard.partition_point(|c| c.hash < *hash);
        let winner = shard.get(at).filter(|c| c.hash == *hash)?;
        Some((self.get(winner.token)?, winner.previous))
    }

    /// Every token, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &TokenRecord> + '_ {
        self.by_id.iter().flat_map(|shard| shard.iter())
    }

    /// Every token in the order of the snapshot's list (see the module
    /// docs): what a snapshot written from this store lists.
    pub fn in_listed_order(&self) -> Vec<&TokenRecord> {
        let mut listed: Vec<&TokenRecord> = self.iter().collect();
        listed.sort_unstable_by_key(|r| r.position);
        listed
    }

    /// Every token in its wire form, one at a time.
    pub fn entries(&self) -> impl Iterator<Item = TokenEntry> + '_ {
        self.iter().map(TokenRecord::to_entry)
    }

    /// The entries that will not work as sent: hashes that are not hex,
    /// and hashes claimed twice (all but the winner are ignored).
    pub fn warnings(&self) -> Vec<SnapshotWarning> {
        let mut warnings: Vec<SnapshotWarning> = self
            .unusable
            .iter()
            .map(|&(token, field)| SnapshotWarning::InvalidSecretHash { token, field })
            .collect();
        for hash in self.contested.iter() {
            let claims = self.claims(hash);
            let Some((winner, losers)) = claims.split_first() else {
                continue;
            };
            warnings.extend(
                losers
                    .iter()
                    .map(|loser| SnapshotWarning::DuplicateSecretHash {
                        token: loser.token,
                        field: if loser.previous {
                            PREVIOUS_HASH
                        } else {
                            SECRET_HASH
                        },
                        kept: winner.token,
                    }),
            );
        }
        warnings
    }

    fn claims(&self, hash: &[u8; 32]) -> &[Credential] {
        let shard = &self.by_hash[hash_shard(hash)];
        let start = shard.partition_point(|c| c.hash < *hash);
        let end = shard.partition_point(|c| c.hash <= *hash);
        &shard[start..end]
    }

    /// A store with `upserts` applied (by id), then `removed`: the cost is
    /// in proportion to the change, not to the number of tokens.
    pub fn apply(&self, upserts: Vec<TokenEntry>, removed: &[Uuid]) -> TokenStore {
        let records = {
            let mut interner = self.interner.lock().unwrap_or_else(|e| e.into_inner());
            upserts.into_iter().map(|e| interner.record(e)).collect()
        };
        self.apply_records(records, removed)
    }

    /// [`TokenStore::apply`] with the upserts already in compact form.
    pub fn apply_records(&self, upserts: Vec<TokenRecord>, removed: &[Uuid]) -> TokenStore {
        if upserts.is_empty() && removed.is_empty() {
            return self.clone();
        }
        // The final state of each changed id (`None` removes it), and
        // where the update first lists it.
        let mut changes: BTreeMap<Uuid, (usize, Option<TokenRecord>)> = BTreeMap::new();
        {
            let mut interner = self.interner.lock().unwrap_or_else(|e| e.into_inner());
            for (listed, record) in upserts.into_iter().enumerate() {
                let record = interner.share(record);
                let id = record.id;
                changes.entry(id).or_insert((listed, None)).1 = Some(record);
            }
        }
        for id in removed {
            changes.entry(*id).or_insert((usize::MAX, None)).1 = None;
        }
        // New tokens go last, in the order the update lists them.
        let mut next = self.clone();
        let mut new: Vec<(usize, Uuid)> = changes
            .iter()
            .filter(|(id, (_, change))| change.is_some() && self.get(**id).is_none())
            .map(|(id, (listed, _))| (*listed, *id))
            .collect();
        new.sort_unstable();
        for (_, id) in new {
            if let Some((_, Some(record))) = changes.get_mut(&id) {
                record.position = next.next_position;
                next.next_position += 1;
            }
        }
        let mut unusable = (*self.unusable).clone();
        let mut dropped: BTreeSet<Credential> = BTreeSet::new();
        let mut added: BTreeSet<Credential> = BTreeSet::new();
        let mut by_shard: BTreeMap<usize, Vec<(Uuid, Option<TokenRecord>)>> = BTreeMap::new();
        for (id, (_, change)) in changes {
            by_shard
                .entry(id_shard(&id))
                .or_default()
                .push((id, change));
        }
        let mut by_id = self.by_id.to_vec();
        for (index, shard_changes) in by_shard {
            let mut shard = by_id[index].to_vec();
            for (id, change) in shard_changes {
                let at = shard.binary_search_by_key(&id, |r| r.id);
                if let Ok(at) = at {
                    dropped.extend(credentials(&shard[at], |_| {}));
                    unusable.retain(|&(token, _)| token != id);
                }
                match (at, change) {
                    (Ok(at), Some(mut record)) => {
                        record.position = shard[at].position;
                        shard[at] = record;
                    }
                    (Err(at), Some(record)) => {
                        shard.insert(at, record);
                        next.len += 1;
                    }
                    (Ok(at), None) => {
                        shard.remove(at);
                        next.len -= 1;
                    }
                    (Err(_), None) => continue,
                }
                if let Ok(at) = shard.binary_search_by_key(&id, |r| r.id) {
                    added.extend(credentials(&shard[at], |field| {
                        unusable.insert((id, field));
                    }));
                }
            }
            by_id[index] = shard.into();
        }
        next.by_id = by_id.into();

        // Credentials unchanged by an upsert are both dropped and added.
        let unchanged: Vec<Credential> = dropped.intersection(&added).copied().collect();
        for credential in &unchanged {
            dropped.remove(credential);
            added.remove(credential);
        }
        let mut touched: BTreeMap<usize, Vec<(Credential, bool)>> = BTreeMap::new();
        for credential in dropped {
            touched
                .entry(hash_shard(&credential.hash))
                .or_default()
                .push((credential, false));
        }
        for credential in added {
            touched
                .entry(hash_shard(&credential.hash))
                .or_default()
                .push((credential, true));
        }
        let mut by_hash = self.by_hash.to_vec();
        let mut contested = (*self.contested).clone();
        let mut touched_hashes = BTreeSet::new();
        for (index, shard_changes) in touched {
            let mut shard = by_hash[index].to_vec();
            for (credential, present) in &shard_changes {
                touched_hashes.insert(credential.hash);
                match (shard.binary_search(credential), present) {
                    (Err(at), true) => shard.insert(at, *credential),
                    (Ok(at), false) => {
                        shard.remove(at);
                    }
                    _ => {}
                }
            }
            by_hash[index] = shard.into();
        }
        next.by_hash = by_hash.into();
        for hash in touched_hashes {
            if next.claims(&hash).len() > 1 {
                contested.insert(hash);
            } else {
                contested.remove(&hash);
            }
        }
        next.unusable = Arc::new(unusable);
        next.contested = Arc::new(contested);
        next
    }
}
