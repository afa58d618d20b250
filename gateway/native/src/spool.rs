//! Usage events go to disk first, then to the server.
//!
//! The request path hands each event to a writer thread, which appends it
//! to `spool/current.jsonl` (one write per group of waiting events, no
//! fsync: a killed process loses nothing the kernel already has). A full or
//! old-enough `current` is renamed to `ready-N.jsonl`. A sender task posts
//! ready files to the server in batches and deletes each file once the
//! server has accepted it. Ingest is idempotent on event ids, so a batch
//! that is sent twice (a crash between acceptance and deletion) is counted
//! once. Whatever is left when the gateway stops is sent after it restarts.

use crate::control::{ControlError, ControlPlane};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokenctl_gateway::UsageEvent;

/// Events per ready file (and so at most per file in a batch).
const FILE_EVENTS: usize = 1000;
/// A partly filled `current` is closed after this long.
const FLUSH_AFTER: Duration = Duration::from_millis(500);
/// Ready files combined into one ingest call (≤ 10,000 events).
const FILES_PER_BATCH: usize = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// One request's usage, as the request path knows it: cheap to build
/// (no string formatting, no id generation). The writer thread turns it
/// into a [`UsageEvent`].
#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub at: chrono::DateTime<chrono::Utc>,
    pub token_id: Option<uuid::Uuid>,
    pub route_id: Option<uuid::Uuid>,
    pub method: http::Method,
    pub status: u16,
    pub latency: Duration,
    pub upstream_latency: Option<Duration>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Formatted once per connection (see `proxy::Peer`).
    pub client_ip: Arc<str>,
    pub user_agent: Option<http::HeaderValue>,
    pub error_code: Option<&'static str>,
}

impl UsageRecord {
    fn into_event(self) -> UsageEvent {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(self.at.timestamp()).unwrap_or(0),
            self.at.timestamp_subsec_nanos(),
        );
        UsageEvent {
            id: uuid::Uuid::new_v7(ts),
            token_id: self.token_id,
            route_id: self.route_id,
            method: self.method.as_str().to_string(),
            status: self.status,
            latency_ms: self.latency.as_secs_f64() * 1000.0,
            upstream_latency_ms: self.upstream_latency.map(|d| d.as_secs_f64() * 1000.0),
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            client_ip: Some(self.client_ip.to_string()),
            user_agent: self
                .user_agent
                .and_then(|v| v.to_str().ok().map(|s| s.chars().take(512).collect())),
            error_code: self.error_code.map(str::to_string),
            at: self.at,
        }
    }
}

/// Where the request path records events. Cheap to clone.
///
/// Recording is a push onto a shared buffer: no syscall and no thread
/// wake-up per request. The writer thread collects the buffer every
/// [`COLLECT_EVERY`] (or at once when it reaches [`HIGH_WATER`]).
#[derive(Clone)]
pub struct UsageSink {
    shared: Arc<SinkShared>,
}

struct SinkShared {
    buffer: Mutex<Vec<UsageRecord>>,
    wake: Condvar,
    closed: AtomicBool,
}

/// How often the writer collects recorded events.
const COLLECT_EVERY: Duration = Duration::from_millis(20);
/// A buffer this full wakes the writer early.
const HIGH_WATER: usize = 4096;

impl UsageSink {
    pub fn record(&self, event: UsageRecord) {
        let mut buffer = self.shared.buffer.lock().expect("not poisoned");
        buffer.push(event);
        if buffer.len() == HIGH_WATER {
            self.shared.wake.notify_one();
        }
    }

    /// Tells the writer to write out what is buffered and stop.
    pub fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.wake.notify_one();
    }

    /// Waits for events: everything buffered, or `None` once closed and empty.
    fn collect(&self) -> Option<Vec<UsageRecord>> {
        let mut buffer = self.shared.buffer.lock().expect("not poisoned");
        if buffer.is_empty() && !self.shared.closed.load(Ordering::Acquire) {
            buffer = self
                .shared
                .wake
                .wait_timeout(buffer, COLLECT_EVERY)
                .expect("not poisoned")
                .0;
        }
        if buffer.is_empty() && self.shared.closed.load(Ordering::Acquire) {
            return None;
        }
        Some(std::mem::take(&mut *buffer))
    }
}

pub struct Spool {
    dir: PathBuf,
    pub depth: Arc<AtomicI64>,
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
        .map(|b| b.iter().filter(|c| **c == b'\n').count() as i64)
        .unwrap_or(0)
}

impl Spool {
    /// Opens the spool directory, turning a `current` left by a previous
    /// run into a ready file, and starts the writer thread.
    pub fn open(dir: PathBuf) -> std::io::Result<(Spool, UsageSink, std::thread::JoinHandle<()>)> {
        std::fs::create_dir_all(&dir)?;
        let mut next_seq = ready_files(&dir).last().map_or(0, |(s, _)| s + 1);
        let current = dir.join("current.jsonl");
        if current.exists() {
            std::fs::rename(&current, dir.join(ready_name(next_seq)))?;
            next_seq += 1;
        }
        let depth: i64 = ready_files(&dir).iter().map(|(_, p)| count_lines(p)).sum();
        let spool = Spool {
            dir: dir.clone(),
            depth: Arc::new(AtomicI64::new(depth)),
            ready: Arc::new(tokio::sync::Notify::new()),
        };
        let sink = UsageSink {
            shared: Arc::new(SinkShared {
                buffer: Mutex::new(Vec::with_capacity(HIGH_WATER)),
                wake: Condvar::new(),
                closed: AtomicBool::new(false),
            }),
        };
        let writer = Writer {
            dir,
            next_seq,
            file: None,
            events: 0,
            opened: Instant::now(),
            depth: spool.depth.clone(),
            ready: spool.ready.clone(),
        };
        let handle = {
            let sink = sink.clone();
            std::thread::Builder::new()
                .name("usage-spool".into())
                .spawn(move || writer.run(&sink))?
        };
        Ok((spool, sink, handle))
    }

    /// Sends ready files to the server until `stop` is set and nothing
    /// (sendable) is left.
    pub async fn send_loop(&self, control: ControlPlane, stop: tokio::sync::watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(500);
        loop {
            let files: Vec<(u64, PathBuf)> = ready_files(&self.dir)
                .into_iter()
                .take(FILES_PER_BATCH)
                .collect();
            if files.is_empty() {
                if *stop.borrow() {
                    return;
                }
                tokio::select! {
                    () = self.ready.notified() => {}
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
                continue;
            }
            let (body, events) = batch(&files);
            match control.post_usage(body).await {
                Ok(()) => {
                    for (_, path) in &files {
                        let _ = std::fs::remove_file(path);
                    }
                    self.depth.fetch_sub(events, Ordering::Relaxed);
                    backoff = Duration::from_millis(500);
                }
                Err(e) => {
                    if *stop.borrow() {
                        tracing::warn!(error = %e, "usage left in the spool; it is sent after the next start");
                        return;
                    }
                    if matches!(e, ControlError::Unauthorized(_)) {
                        tracing::error!(error = %e, "usage ingest refused this gateway key; events stay in the spool");
                    } else {
                        tracing::warn!(error = %e, retry_in = ?backoff, "usage ingest unavailable; events stay in the spool");
                    }
                    let mut stop = stop.clone();
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

/// A JSON array of the files' events (each line is one event object).
fn batch(files: &[(u64, PathBuf)]) -> (Vec<u8>, i64) {
    let mut body = Vec::with_capacity(files.len() * FILE_EVENTS * 300);
    body.push(b'[');
    let mut events = 0;
    for (_, path) in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', &bytes).chain(std::iter::once(bytes.len()));
        for end in ends {
            let line = &bytes[start..end];
            start = end + 1;
            // A line cut short by a crash lacks its closing brace (events
            // are flat objects): skip it. The server validates the rest.
            if !(line.starts_with(b"{") && line.ends_with(b"}")) {
                continue;
            }
            if events > 0 {
                body.push(b',');
            }
            body.extend_from_slice(line);
            events += 1;
        }
    }
    body.push(b']');
    (body, events)
}

struct Writer {
    dir: PathBuf,
    next_seq: u64,
    file: Option<File>,
    events: usize,
    opened: Instant,
    depth: Arc<AtomicI64>,
    ready: Arc<tokio::sync::Notify>,
}

impl Writer {
    fn run(mut self, sink: &UsageSink) {
        let mut buf = Vec::with_capacity(256 * 1024);
        while let Some(events) = sink.collect() {
            // Group commit: everything collected goes out in few writes.
            let mut n = 0;
            for record in events {
                serde_json::to_writer(&mut buf, &record.into_event()).expect("events serialise");
                buf.push(b'\n');
                n += 1;
                if self.events + n >= FILE_EVENTS {
                    self.write(&buf, n);
                    buf.clear();
                    n = 0;
                    self.close_current();
                }
            }
            if n > 0 {
                self.write(&buf, n);
                buf.clear();
            }
            if self.events > 0 && self.opened.elapsed() >= FLUSH_AFTER {
                self.close_current();
            }
        }
        self.close_current();
    }

    fn write(&mut self, bytes: &[u8], events: usize) {
        if self.file.is_none() {
            match OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.join("current.jsonl"))
            {
                Ok(f) => {
                    self.file = Some(f);
                    self.opened = Instant::now();
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the usage spool; {events} events dropped");
                    return;
                }
            }
        }
        let file = self.file.as_mut().expect("opened above");
        match file.write_all(bytes) {
            Ok(()) => {
                self.events += events;
                self.depth.fetch_add(events as i64, Ordering::Relaxed);
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot write the usage spool; {events} events dropped")
            }
        }
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
            Err(e) => tracing::error!(error = %e, "cannot hand a usage spool file to the sender"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: u128) -> UsageRecord {
        UsageRecord {
            at: chrono::Utc::now(),
            token_id: Some(uuid::Uuid::from_u128(i)),
            route_id: None,
            method: http::Method::GET,
            status: 200,
            latency: Duration::from_millis(1),
            upstream_latency: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: "127.0.0.1".into(),
            user_agent: None,
            error_code: None,
        }
    }

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("spool-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn events_land_in_ready_files_and_survive_a_restart() {
        let dir = temp_dir();
        let (spool, sink, writer) = Spool::open(dir.clone()).unwrap();
        for i in 0..2500 {
            sink.record(record(i));
        }
        sink.close();
        writer.join().unwrap();
        assert_eq!(spool.depth.load(Ordering::Relaxed), 2500);
        let files = ready_files(&dir);
        assert_eq!(files.len(), 3, "1000 + 1000 + 500");
        let (body, n) = batch(&files);
        assert_eq!(n, 2500);
        let parsed: Vec<UsageEvent> = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed.len(), 2500);
        assert_eq!(parsed[0].token_id, Some(uuid::Uuid::from_u128(0)));
        assert_eq!(parsed[0].id.get_version_num(), 7);
        assert_eq!(parsed[0].client_ip.as_deref(), Some("127.0.0.1"));
        // A leftover `current` (a crash) with a torn last line is recovered.
        std::fs::write(dir.join("current.jsonl"), {
            let mut s = serde_json::to_string(&record(9999).into_event()).unwrap();
            s.push_str("\n{\"id\":\"trunc");
            s
        })
        .unwrap();
        let (spool, sink, writer) = Spool::open(dir.clone()).unwrap();
        sink.close();
        writer.join().unwrap();
        let files = ready_files(&dir);
        assert_eq!(files.len(), 4);
        assert_eq!(batch(&files).1, 2501);
        assert_eq!(spool.depth.load(Ordering::Relaxed), 2501);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
