//! The writer thread: records → events (written from the record, not
//! copied into an owned event first) → `current.jsonl` → ready files.

use super::record::{new_event_id, UsageSink};
use super::{open_private_append, ready_name, SpoolStats, FILE_EVENTS};
use chrono::{TimeDelta, Utc};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenctl_gateway::usage::{DenialAggregator, EventView};

/// A partly filled `current` is closed after this long.
const FLUSH_AFTER: Duration = Duration::from_millis(500);
/// Anonymous denials are counted per client address, reason and minute.
const DENIAL_WINDOW: TimeDelta = TimeDelta::minutes(1);
/// Distinct client addresses counted on their own per window; beyond, they
/// are counted together (see [`DenialAggregator`]).
const DENIAL_ADDRESSES: usize = 10_000;
/// Drops are logged at most this often.
const DROP_LOG_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Writer {
    dir: PathBuf,
    next_seq: u64,
    file: Option<File>,
    /// Events in `current`.
    events: usize,
    opened: Instant,
    stats: Arc<SpoolStats>,
    ready: Arc<tokio::sync::Notify>,
    denials: DenialAggregator,
    drops: DropLog,
    /// Serialised events waiting for one write, and how many of them (of
    /// denied requests) there are.
    buf: Vec<u8>,
    buffered: usize,
    buffered_denied: usize,
}

impl Writer {
    pub(super) fn new(
        dir: PathBuf,
        next_seq: u64,
        stats: Arc<SpoolStats>,
        ready: Arc<tokio::sync::Notify>,
    ) -> Writer {
        Writer {
            dir,
            next_seq,
            file: None,
            events: 0,
            opened: Instant::now(),
            stats,
            ready,
            denials: DenialAggregator::new(DENIAL_WINDOW, DENIAL_ADDRESSES),
            drops: DropLog::default(),
            buf: Vec::with_capacity(256 * 1024),
            buffered: 0,
            buffered_denied: 0,
        }
    }

    pub(super) fn run(mut self, sink: &UsageSink) {
        while let Some(records) = sink.collect() {
            // Benchmark only (`crate::ladder`): collect and discard.
            if !crate::ladder::has(crate::ladder::Rung::SpoolWrite) {
                continue;
            }
            let now = Utc::now();
            for record in records {
                let usage = record.usage();
                let event = usage.view(new_event_id(record.at), now);
                let denied = record.answered.refused;
                if !DenialAggregator::takes(&event) {
                    self.append(&event, denied);
                } else if let Some(event) = self.denials.offer(event.to_event()) {
                    self.append(&event.view(), denied);
                }
            }
            for event in self.denials.flush_due(now, new_event_id) {
                self.append(&event.view(), true);
            }
            self.stats
                .denials_pending
                .store(self.denials.pending(), Ordering::Relaxed);
            self.write_buffered();
            if self.events > 0 && self.opened.elapsed() >= FLUSH_AFTER {
                self.close_current();
            }
            self.drops.report(&self.stats);
        }
        for event in self.denials.flush_all(new_event_id) {
            self.append(&event.view(), true);
        }
        self.stats.denials_pending.store(0, Ordering::Relaxed);
        self.write_buffered();
        self.close_current();
        self.drops.report(&self.stats);
    }

    /// Adds one event to the buffer if the spool's cap policy lets it in.
    fn append(&mut self, event: &EventView<'_>, denied: bool) {
        let start = self.buf.len();
        event.write_json(&mut self.buf);
        self.buf.push(b'\n');
        let pending = self.buf.len() as u64;
        if !self.stats.fits(pending, denied) {
            self.buf.truncate(start);
            self.stats.dropped(denied).fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.buffered += 1;
        self.buffered_denied += usize::from(denied);
        if self.events + self.buffered >= FILE_EVENTS {
            self.write_buffered();
            self.close_current();
        }
    }

    /// Appends the buffered events to `current` in one write (group
    /// commit). If the disk refuses, they are counted as dropped.
    fn write_buffered(&mut self) {
        if self.buffered == 0 {
            return;
        }
        let (events, denied) = (self.buffered, self.buffered_denied);
        (self.buffered, self.buffered_denied) = (0, 0);
        let buf = std::mem::take(&mut self.buf);
        let written = self.current().and_then(|f| f.write_all(&buf));
        self.buf = buf;
        match written {
            Ok(()) => {
                self.events += events;
                self.stats.depth.fetch_add(events as i64, Ordering::Relaxed);
                self.stats
                    .bytes
                    .fetch_add(self.buf.len() as u64, Ordering::Relaxed);
            }
            Err(e) => {
                self.drops.disk_error(e);
                self.stats
                    .dropped_denied
                    .fetch_add(denied as u64, Ordering::Relaxed);
                self.stats
                    .dropped_allowed
                    .fetch_add((events - denied) as u64, Ordering::Relaxed);
                // Start over with a fresh file: a failed write may have
                // left part of a line.
                self.file = None;
            }
        }
        self.buf.clear();
    }

    fn current(&mut self) -> std::io::Result<&mut File> {
        if self.file.is_none() {
            self.file = Some(open_private_append(&self.dir.join("current.jsonl"))?);
            self.opened = Instant::now();
        }
        Ok(self.file.as_mut().expect("opened above"))
    }

    /// Renames `current` to the next ready file.
    fn close_current(&mut self) {
        if self.file.take().is_none() || self.events == 0 {
            return;
        }
        let target = self.dir.join(ready_name(self.next_seq));
        match std::fs::rename(self.dir.join("current.jsonl"), &target) {
            Ok(()) => {
                self.next_seq += 1;
                self.events = 0;
                self.ready.notify_one();
            }
            Err(e) => self.drops.disk_error(e),
        }
    }
}

/// Logs drops at most once per [`DROP_LOG_EVERY`], with what was dropped
/// since the last line.
#[derive(Default)]
struct DropLog {
    last: Option<Instant>,
    denied: u64,
    allowed: u64,
    last_disk_error: Option<Instant>,
}

impl DropLog {
    fn disk_error(&mut self, error: std::io::Error) {
        if self
            .last_disk_error
            .is_some_and(|t| t.elapsed() < DROP_LOG_EVERY)
        {
            return;
        }
        self.last_disk_error = Some(Instant::now());
        tracing::error!(%error, "cannot write the usage spool; events are dropped until it works again");
    }

    fn report(&mut self, stats: &SpoolStats) {
        if self.last.is_some_and(|t| t.elapsed() < DROP_LOG_EVERY) {
            return;
        }
        let denied = stats.dropped_denied.load(Ordering::Relaxed);
        let allowed = stats.dropped_allowed.load(Ordering::Relaxed);
        if denied == self.denied && allowed == self.allowed {
            return;
        }
        tracing::warn!(
            dropped_denied = denied - self.denied,
            dropped_allowed = allowed - self.allowed,
            spool_bytes = stats.bytes.load(Ordering::Relaxed),
            spool_max = stats.max_bytes,
            "usage spool full: events dropped (events of denied requests go first); \
             is the server reachable? see /_gateway/health"
        );
        (self.denied, self.allowed, self.last) = (denied, allowed, Some(Instant::now()));
    }
}
