//! Usage events go to disk first, then to the server.
//!
//! * [`record`]: the request path hands each request's [`UsageRecord`] to a
//!   [`UsageSink`] (a push onto a bounded buffer, no syscall).
//! * [`writer`]: a writer thread turns records into events (normalised by
//!   the core, so nothing a client sends makes an event ingest refuses),
//!   counts anonymous denials per client address, reason and minute
//!   instead of storing them one by one, and appends to
//!   `spool/current.jsonl` (one write per group of waiting events, no
//!   fsync: a killed process loses nothing the kernel already has). A full
//!   or old-enough `current` is renamed to `ready-N.jsonl`.
//! * [`sender`]: posts ready files to the server in batches and deletes
//!   each file once the server has taken it. Ingest is idempotent on event
//!   ids, so a batch sent twice (a crash between acceptance and deletion)
//!   is counted once. Events the server refuses go to the
//!   [`dead_letter`] file, never back into the spool.
//!
//! # Bounds
//!
//! The spool holds at most `--spool-max` bytes. Events of denied requests
//! stop being written once it is [`DENIED_SHARE`] full, events of allowed
//! requests only when it is full, so a flood of refused requests cannot
//! crowd out the usage of real clients. Every drop is counted (health
//! endpoint) and logged at most once a minute. Files are created 0600 in a
//! 0700 directory: events carry client addresses.

mod dead_letter;
mod record;
mod sender;
mod writer;

pub use record::{UsageRecord, UsageSink};

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// Events per ready file (and so at most per file in a batch).
const FILE_EVENTS: usize = 1000;
/// Ready files combined into one ingest call (≤ 10,000 events).
const FILES_PER_BATCH: usize = 10;
/// Share of `--spool-max` that events of denied requests may fill.
pub const DENIED_SHARE: f64 = 0.9;
/// The default `--spool-max`.
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

/// Counters shared by the request path, the writer, the sender and the
/// health endpoint.
#[derive(Debug, Default)]
pub struct SpoolStats {
    /// Events on disk, not yet taken by the server.
    pub depth: AtomicI64,
    /// Bytes of those events.
    pub bytes: AtomicU64,
    /// `--spool-max`.
    pub max_bytes: u64,
    /// Events of denied requests dropped because the spool (or the
    /// buffer in front of it) was full.
    pub dropped_denied: AtomicU64,
    /// Events of allowed requests dropped for the same reason.
    pub dropped_allowed: AtomicU64,
    /// Events the server refused (or that were cut short by a crash),
    /// written to the dead-letter file instead.
    pub dead_lettered: AtomicU64,
    /// Events the server took.
    pub sent: AtomicU64,
    /// Anonymous denials counted in memory, not yet written as an
    /// aggregated event.
    pub denials_pending: AtomicU64,
}

impl SpoolStats {
    fn dropped(&self, denied: bool) -> &AtomicU64 {
        if denied {
            &self.dropped_denied
        } else {
            &self.dropped_allowed
        }
    }

    /// Whether an event of `len` bytes still fits, by the cap policy.
    fn fits(&self, len: u64, denied: bool) -> bool {
        let limit = if denied {
            (self.max_bytes as f64 * DENIED_SHARE) as u64
        } else {
            self.max_bytes
        };
        self.bytes.load(Ordering::Relaxed) + len <= limit
    }
}

/// The spool directory, as the sender and the health endpoint see it.
pub struct Spool {
    dir: PathBuf,
    pub stats: Arc<SpoolStats>,
    /// Wakes the sender when a file is ready.
    ready: Arc<tokio::sync::Notify>,
}

fn ready_name(seq: u64) -> String {
    format!("ready-{seq:020}.jsonl")
}

fn ready_files(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let path = e.ok()?.path();
            let seq = path
                .file_name()?
                .to_str()?
                .strip_prefix("ready-")?
                .strip_suffix(".jsonl")?
                .parse()
                .ok()?;
            Some((seq, path))
        })
        .collect();
    files.sort();
    files
}

fn count_lines(path: &Path) -> i64 {
    std::fs::read(path)
        .map(|b| memchr::memchr_iter(b'\n', &b).count() as i64)
        .unwrap_or(0)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Opens `path` for appending, creating it 0600.
fn open_private_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

impl Spool {
    /// Opens the spool directory (created 0700), turning a `current` left
    /// by a previous run into a ready file, and starts the writer thread.
    pub fn open(
        dir: PathBuf,
        max_bytes: u64,
    ) -> std::io::Result<(Spool, UsageSink, std::thread::JoinHandle<()>)> {
        std::fs::create_dir_all(&dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let mut next_seq = ready_files(&dir).last().map_or(0, |(s, _)| s + 1);
        let current = dir.join("current.jsonl");
        if current.exists() {
            std::fs::rename(&current, dir.join(ready_name(next_seq)))?;
            next_seq += 1;
        }
        let files = ready_files(&dir);
        let stats = Arc::new(SpoolStats {
            max_bytes,
            ..Default::default()
        });
        stats.depth.store(
            files.iter().map(|(_, p)| count_lines(p)).sum(),
            Ordering::Relaxed,
        );
        stats.bytes.store(
            files.iter().map(|(_, p)| file_len(p)).sum(),
            Ordering::Relaxed,
        );
        let spool = Spool {
            dir: dir.clone(),
            stats: stats.clone(),
            ready: Arc::new(tokio::sync::Notify::new()),
        };
        let sink = UsageSink::new(stats.clone());
        let writer = writer::Writer::new(dir, next_seq, stats, spool.ready.clone());
        let handle = {
            let sink = sink.clone();
            std::thread::Builder::new()
                .name("usage-spool".into())
                .spawn(move || writer.run(&sink))?
        };
        Ok((spool, sink, handle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokenctl_gateway::code;
    use tokenctl_gateway::usage::Answered;

    fn record(i: u128, denied: bool) -> UsageRecord {
        UsageRecord {
            at: chrono::Utc::now(),
            method: http::Method::GET,
            answered: Answered {
                status: if denied { 403 } else { 200 },
                token_id: Some(uuid::Uuid::from_u128(i + 1)),
                route_id: None,
                error_code: denied.then_some(code::SCOPE_DENIED),
                refused: denied,
            },
            latency: Duration::from_millis(1),
            upstream_latency: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: "127.0.0.1".into(),
            user_agent: None,
            llm: None,
        }
    }

    fn event_of(record: &UsageRecord) -> tokenctl_gateway::UsageEvent {
        record
            .usage()
            .event(record::new_event_id(record.at), chrono::Utc::now())
    }

    fn events_on_disk(dir: &Path) -> Vec<tokenctl_gateway::UsageEvent> {
        ready_files(dir)
            .iter()
            .flat_map(|(_, p)| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn events_land_in_ready_files_and_survive_a_restart() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let (spool, sink, writer) = Spool::open(dir.clone(), DEFAULT_MAX_BYTES).unwrap();
        for i in 0..2500 {
            sink.record(record(i, false));
        }
        sink.close();
        writer.join().unwrap();
        assert_eq!(spool.stats.depth.load(Ordering::Relaxed), 2500);
        let files = ready_files(&dir);
        assert_eq!(files.len(), 3, "1000 + 1000 + 500");
        assert_eq!(
            spool.stats.bytes.load(Ordering::Relaxed),
            files.iter().map(|(_, p)| file_len(p)).sum::<u64>()
        );
        let events = events_on_disk(&dir);
        assert_eq!(events.len(), 2500);
        assert_eq!(events[0].token_id, Some(uuid::Uuid::from_u128(1)));
        assert_eq!(events[0].id.get_version_num(), 7);
        assert_eq!(events[0].client_ip.as_deref(), Some("127.0.0.1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            assert!(files.iter().all(|(_, p)| mode(p) == 0o600));
        }
        // A leftover `current` (a crash) with a torn last line is recovered.
        std::fs::write(dir.join("current.jsonl"), {
            let mut s = serde_json::to_string(&event_of(&record(9999, false))).unwrap();
            s.push_str("\n{\"id\":\"trunc");
            s
        })
        .unwrap();
        let (spool, sink, writer) = Spool::open(dir.clone(), DEFAULT_MAX_BYTES).unwrap();
        sink.close();
        writer.join().unwrap();
        assert_eq!(ready_files(&dir).len(), 4);
        assert_eq!(events_on_disk(&dir).len(), 2501);
        assert_eq!(spool.stats.depth.load(Ordering::Relaxed), 2501);
    }

    #[test]
    fn a_full_spool_drops_events_of_denied_requests_first() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let line_of = |denied| {
            serde_json::to_vec(&event_of(&record(1, denied)))
                .unwrap()
                .len() as u64
                + 1
        };
        // An allowed event has no error code: its line is shorter.
        let (line, allowed_line) = (line_of(true), line_of(false));
        // Room for 100 denied events; denied ones may fill 90 % of it.
        let max = line * 100 + line / 2;
        let (spool, sink, writer) = Spool::open(dir.clone(), max).unwrap();
        for i in 0..200 {
            sink.record(record(i, true));
        }
        for i in 0..200 {
            sink.record(record(1000 + i, false));
        }
        sink.close();
        writer.join().unwrap();
        let events = events_on_disk(&dir);
        let denied = events.iter().filter(|e| e.status == 403).count();
        let allowed = events.len() - denied;
        let room_left = (max - 90 * line) / allowed_line;
        assert_eq!(
            (denied, allowed as u64),
            (90, room_left),
            "denied stop at 90 %, allowed fill the rest"
        );
        let s = &spool.stats;
        assert_eq!(s.dropped_denied.load(Ordering::Relaxed), 110);
        assert_eq!(s.dropped_allowed.load(Ordering::Relaxed), 200 - room_left);
        assert!(s.bytes.load(Ordering::Relaxed) <= s.max_bytes);
    }

    #[test]
    fn anonymous_denials_are_counted_not_stored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let (spool, sink, writer) = Spool::open(dir.clone(), DEFAULT_MAX_BYTES).unwrap();
        for _ in 0..5000 {
            let mut r = record(0, true);
            r.answered.token_id = None;
            r.answered.status = 401;
            r.answered.error_code = Some(code::MISSING_TOKEN);
            r.user_agent = Some("x".repeat(200).into());
            sink.record(r);
        }
        sink.record(record(7, false));
        sink.close();
        writer.join().unwrap();
        let events = events_on_disk(&dir);
        let anonymous: Vec<_> = events.iter().filter(|e| e.token_id.is_none()).collect();
        assert!(
            (1..=2).contains(&anonymous.len()),
            "one event per minute window: {anonymous:?}"
        );
        assert_eq!(anonymous.iter().map(|e| e.count).sum::<u32>(), 5000);
        assert!(anonymous.iter().all(|e| e.user_agent.is_none()));
        assert_eq!(events.len(), anonymous.len() + 1);
        assert_eq!(spool.stats.denials_pending.load(Ordering::Relaxed), 0);
    }
}
