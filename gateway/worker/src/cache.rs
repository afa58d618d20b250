//! The per-isolate token cache: what a KV read returned for a secret hash
//! (the token, or nothing), kept for a short TTL so a hot token costs no
//! KV read. Time is passed in (milliseconds since the epoch).

use std::collections::HashMap;
use std::hash::Hash;

/// A map whose entries expire `ttl_ms` after insertion, holding at most
/// `capacity` entries: when full, expired entries are dropped first, and if
/// that frees nothing, everything is (the cache only saves KV reads; an
/// empty one is always correct).
#[derive(Debug)]
pub struct TtlCache<K, V> {
    entries: HashMap<K, (f64, V)>,
    ttl_ms: f64,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// An empty cache.
    pub fn new(ttl_ms: f64, capacity: usize) -> Self {
        TtlCache {
            entries: HashMap::new(),
            ttl_ms,
            capacity: capacity.max(1),
        }
    }

    /// The value stored for `key` if it is younger than the TTL at `now_ms`.
    pub fn get(&self, key: &K, now_ms: f64) -> Option<V> {
        self.entries
            .get(key)
            .filter(|(at, _)| now_ms - at < self.ttl_ms)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` for `key` as of `now_ms`.
    pub fn insert(&mut self, key: K, value: V, now_ms: f64) {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            let ttl = self.ttl_ms;
            self.entries.retain(|_, (at, _)| now_ms - *at < ttl);
            if self.entries.len() >= self.capacity {
                self.entries.clear();
            }
        }
        self.entries.insert(key, (now_ms, value));
    }

    /// Entries held (fresh or not).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_the_ttl() {
        let mut c = TtlCache::new(5000.0, 10);
        c.insert("a", Some(1), 1000.0);
        c.insert("b", None, 1000.0);
        assert_eq!(c.get(&"a", 5999.0), Some(Some(1)));
        assert_eq!(
            c.get(&"b", 5999.0),
            Some(None),
            "negative answers are cached too"
        );
        assert_eq!(c.get(&"a", 6000.0), None);
        assert_eq!(c.get(&"c", 1000.0), None);
        c.insert("a", Some(2), 6000.0);
        assert_eq!(c.get(&"a", 6001.0), Some(Some(2)));
    }

    #[test]
    fn stays_within_capacity() {
        let mut c = TtlCache::new(1000.0, 3);
        for (i, k) in ["a", "b", "c"].into_iter().enumerate() {
            c.insert(k, i, i as f64 * 600.0);
        }
        // "a" (at 0) has expired at 1300: only it is dropped.
        c.insert("d", 3, 1300.0);
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&"a", 1300.0), None);
        assert_eq!(c.get(&"c", 1300.0), Some(2));
        // Nothing expired: everything goes.
        c.insert("e", 4, 1301.0);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(&"e", 1301.0), Some(4));
        // Replacing a key never evicts.
        c.insert("e", 5, 1302.0);
        assert_eq!(c.len(), 1);
    }
}
