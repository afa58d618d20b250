//! Requests the gateway refused before it could tell whose they were (no
//! token, a malformed one, an unknown one) cost a client nothing to send.
//! Stored one by one they would let anyone fill the spool, the queue and
//! the usage tables. So they are counted instead: one event per client
//! address, reason, status, method and time window, with `count` saying how
//! many requests it stands for.
//!
//! The aggregator is plain data; the front-end decides the window (the
//! native gateway uses a minute, the Worker a shorter one because an
//! isolate may be evicted at any time) and when to flush.

use super::event::{UsageEvent, COUNT_MAX};
use super::EventView;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// Window start, in seconds since the epoch.
    window: i64,
    client_ip: Option<String>,
    error_code: String,
    status: u16,
    method: String,
}

#[derive(Debug, Clone)]
struct Tally {
    first_at: DateTime<Utc>,
    count: u32,
    latency_sum_ms: f64,
    bytes_in: u64,
    bytes_out: u64,
}

/// Counts anonymous denials per client address, reason and window.
///
/// Memory is bounded: beyond `max_addresses` distinct keys, further
/// addresses are counted together under no address.
#[derive(Debug)]
pub struct DenialAggregator {
    window_secs: i64,
    max_addresses: usize,
    open: BTreeMap<Key, Tally>,
    /// Keys in `open` that carry an address.
    addressed: usize,
    /// Tallies that reached [`COUNT_MAX`] and wait for the next flush.
    full: Vec<(Key, Tally)>,
}

impl DenialAggregator {
    /// An aggregator with windows of `window` (at least a second) and at
    /// most `max_addresses` keys with an address of their own.
    pub fn new(window: TimeDelta, max_addresses: usize) -> DenialAggregator {
        DenialAggregator {
            window_secs: window.num_seconds().max(1),
            max_addresses,
            open: BTreeMap::new(),
            addressed: 0,
            full: Vec::new(),
        }
    }

    /// Whether this aggregator counts `event` rather than letting it be
    /// stored: the gateway answered it itself (an error code) and no token
    /// was identified.
    pub fn takes(event: &EventView<'_>) -> bool {
        event.token_id.is_none() && event.error_code.is_some()
    }

    /// Counts `event` if [`takes`](Self::takes) says so; otherwise hands
    /// it back to be stored as it is.
    pub fn offer(&mut self, event: UsageEvent) -> Option<UsageEvent> {
        if !Self::takes(&event.view()) {
            return Some(event);
        }
        let secs = event.at.timestamp();
        let mut key = Key {
            window: secs - secs.rem_euclid(self.window_secs),
            client_ip: event.client_ip,
            error_code: event.error_code.unwrap_or_default(),
            status: event.status,
            method: event.method,
        };
        if key.client_ip.is_some() && !self.open.contains_key(&key) {
            if self.addressed >= self.max_addresses {
                key.client_ip = None;
            } else {
                self.addressed += 1;
            }
        }
        // Requests this event stands for; a tally that cannot take them
        // without passing COUNT_MAX is set aside whole (it keeps its
        // address slot: the key stays open with a fresh tally).
        let n = event.count.clamp(1, COUNT_MAX);
        if self
            .open
            .get(&key)
            .is_some_and(|t| t.count.saturating_add(n) > COUNT_MAX)
        {
            let tally = self.open.remove(&key).expect("checked above");
            self.full.push((key.clone(), tally));
        }
        let tally = self.open.entry(key.clone()).or_insert(Tally {
            first_at: event.at,
            count: 0,
            latency_sum_ms: 0.0,
            bytes_in: 0,
            bytes_out: 0,
        });
        tally.first_at = tally.first_at.min(event.at);
        tally.count += n;
        tally.latency_sum_ms += event.latency_ms * f64::from(n);
        // Byte counts stay within what ingest accepts (a signed 64-bit).
        let max = i64::MAX as u64;
        tally.bytes_in = tally.bytes_in.saturating_add(event.bytes_in).min(max);
        tally.bytes_out = tally.bytes_out.saturating_add(event.bytes_out).min(max);
        if tally.count >= COUNT_MAX {
            let tally = self.remove(&key);
            self.full.push((key, tally));
        }
        None
    }

    fn remove(&mut self, key: &Key) -> Tally {
        if key.client_ip.is_some() {
            self.addressed -= 1;
        }
        self.open.remove(key).expect("an open key")
    }

    /// Requests counted and not yet flushed.
    pub fn pending(&self) -> u64 {
        self.open
            .values()
            .chain(self.full.iter().map(|(_, t)| t))
            .map(|t| u64::from(t.count))
            .sum()
    }

    /// The events of every window that ended by `now`, each with an id
    /// from `new_id` (given the event's time).
    pub fn flush_due(
        &mut self,
        now: DateTime<Utc>,
        new_id: impl FnMut(DateTime<Utc>) -> Uuid,
    ) -> Vec<UsageEvent> {
        let now_secs = now.timestamp();
        let mut out: Vec<(Key, Tally)> = std::mem::take(&mut self.full);
        // Keys sort by window first, so the ended ones come first.
        while let Some(entry) = self.open.first_entry() {
            if entry.key().window.saturating_add(self.window_secs) > now_secs {
                break;
            }
            let (key, tally) = entry.remove_entry();
            if key.client_ip.is_some() {
                self.addressed -= 1;
            }
            out.push((key, tally));
        }
        Self::events(out, new_id)
    }

    /// The events of every window, ended or not (at shutdown).
    pub fn flush_all(&mut self, new_id: impl FnMut(DateTime<Utc>) -> Uuid) -> Vec<UsageEvent> {
        let mut out: Vec<(Key, Tally)> = std::mem::take(&mut self.full);
        out.extend(std::mem::take(&mut self.open));
        self.addressed = 0;
        Self::events(out, new_id)
    }

    fn events(
        mut tallies: Vec<(Key, Tally)>,
        mut new_id: impl FnMut(DateTime<Utc>) -> Uuid,
    ) -> Vec<UsageEvent> {
        tallies.sort_by(|a, b| a.0.cmp(&b.0));
        tallies
            .into_iter()
            .map(|(key, t)| UsageEvent {
                id: new_id(t.first_at),
                token_id: None,
                route_id: None,
                method: key.method,
                status: key.status,
                latency_ms: t.latency_sum_ms / f64::from(t.count.max(1)),
                upstream_latency_ms: None,
                bytes_in: t.bytes_in,
                bytes_out: t.bytes_out,
                client_ip: key.client_ip,
                user_agent: None,
                error_code: Some(key.error_code),
                at: t.first_at,
                count: t.count,
                model: None,
                input_tokens: None,
                output_tokens: None,
                cached_input_tokens: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn denial(ip: &str, code: &str, when: &str) -> UsageEvent {
        UsageEvent {
            id: Uuid::from_u128(99),
            token_id: None,
            route_id: None,
            method: "GET".into(),
            status: 401,
            latency_ms: 2.0,
            upstream_latency_ms: None,
            bytes_in: 0,
            bytes_out: 80,
            client_ip: Some(ip.into()),
            user_agent: Some("attacker-chosen".into()),
            error_code: Some(code.into()),
            at: at(when),
            count: 1,
            model: None,
            input_tokens: None,
            output_tokens: None,
            cached_input_tokens: None,
        }
    }

    fn ids() -> impl FnMut(DateTime<Utc>) -> Uuid {
        let mut n = 1000;
        move |_| {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    #[test]
    fn counts_per_address_reason_and_minute() {
        let mut agg = DenialAggregator::new(TimeDelta::minutes(1), 100);
        for i in 0..500 {
            let when = format!("2026-11-26T12:00:{:02}Z", i % 60);
            assert!(agg
                .offer(denial("198.51.100.1", "missing_token", &when))
                .is_none());
        }
        agg.offer(denial(
            "198.51.100.2",
            "missing_token",
            "2026-11-26T12:00:30Z",
        ));
        agg.offer(denial(
            "198.51.100.1",
            "malformed_token",
            "2026-11-26T12:00:31Z",
        ));
        agg.offer(denial(
            "198.51.100.1",
            "missing_token",
            "2026-11-26T12:01:00Z",
        ));
        assert_eq!(agg.pending(), 503);

        assert!(agg.flush_due(at("2026-11-26T12:00:59Z"), ids()).is_empty());
        let events = agg.flush_due(at("2026-11-26T12:01:00Z"), ids());
        assert_eq!(events.len(), 3, "{events:#?}");
        let main = events
            .iter()
            .find(|e| {
                e.client_ip.as_deref() == Some("198.51.100.1")
                    && e.error_code.as_deref() == Some("missing_token")
            })
            .unwrap();
        assert_eq!(main.count, 500);
        assert_eq!(main.at, at("2026-11-26T12:00:00Z"));
        assert_eq!(main.bytes_out, 500 * 80);
        assert_eq!(main.latency_ms, 2.0);
        assert_eq!(main.user_agent, None, "client-chosen text is not kept");
        assert!(events.iter().all(|e| e.id.as_u128() > 1000));
        assert_eq!(agg.pending(), 1, "the 12:01 window is still open");
        assert_eq!(agg.flush_all(ids()).len(), 1);
        assert_eq!(agg.pending(), 0);
    }

    #[test]
    fn events_with_a_token_or_from_the_upstream_pass_through() {
        let mut agg = DenialAggregator::new(TimeDelta::minutes(1), 100);
        let mut known = denial("198.51.100.1", "invalid_token", "2026-11-26T12:00:00Z");
        known.token_id = Some(Uuid::from_u128(5));
        assert_eq!(agg.offer(known.clone()), Some(known));
        let mut upstream = denial("198.51.100.1", "x", "2026-11-26T12:00:00Z");
        upstream.error_code = None;
        upstream.status = 404;
        assert_eq!(agg.offer(upstream.clone()), Some(upstream));
        assert_eq!(agg.pending(), 0);
    }

    #[test]
    fn memory_is_bounded_by_distinct_addresses() {
        let mut agg = DenialAggregator::new(TimeDelta::minutes(1), 10);
        for i in 0..10_000 {
            agg.offer(denial(
                &format!("2001:db8::{i:x}"),
                "invalid_token",
                "2026-11-26T12:00:00Z",
            ));
        }
        let events = agg.flush_all(ids());
        assert_eq!(events.len(), 11, "10 addresses, then the rest together");
        let rest = events.iter().find(|e| e.client_ip.is_none()).unwrap();
        assert_eq!(rest.count, 9_990);
        assert_eq!(
            events.iter().map(|e| u64::from(e.count)).sum::<u64>(),
            10_000
        );
    }

    #[test]
    fn no_tally_passes_the_limits_ingest_checks() {
        let mut agg = DenialAggregator::new(TimeDelta::minutes(1), 10);
        let mut big = denial("198.51.100.1", "missing_token", "2026-11-26T12:00:00Z");
        big.count = COUNT_MAX - 2;
        big.bytes_out = i64::MAX as u64;
        agg.offer(big.clone());
        big.count = 5;
        agg.offer(big);
        let events = agg.flush_all(ids());
        assert_eq!(
            events.iter().map(|e| e.count).collect::<Vec<_>>(),
            [COUNT_MAX - 2, 5]
        );
        let now = at("2026-11-26T12:01:00Z");
        assert!(events.iter().all(|e| e.check(now).is_ok()), "{events:?}");
    }

    #[test]
    fn a_full_tally_is_flushed_and_counting_goes_on() {
        let mut agg = DenialAggregator::new(TimeDelta::minutes(1), 10);
        let mut big = denial("198.51.100.1", "missing_token", "2026-11-26T12:00:00Z");
        big.count = COUNT_MAX - 1;
        agg.offer(big);
        agg.offer(denial(
            "198.51.100.1",
            "missing_token",
            "2026-11-26T12:00:01Z",
        ));
        agg.offer(denial(
            "198.51.100.1",
            "missing_token",
            "2026-11-26T12:00:02Z",
        ));
        let events = agg.flush_due(at("2026-11-26T12:00:03Z"), ids());
        assert_eq!(
            events.iter().map(|e| e.count).collect::<Vec<_>>(),
            [COUNT_MAX]
        );
        assert_eq!(agg.flush_all(ids())[0].count, 1);
    }
}
