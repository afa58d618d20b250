//! Sends ready files to the server and acts on its answer as the core's
//! ingest contract says: taken → delete (refused events to the dead-letter
//! file); refused as a whole → try the files one at a time, then
//! dead-letter the one file that is still refused; anything else → keep
//! everything and try again later. No loop ever resends what the server
//! refused as invalid.

use super::dead_letter::DeadLetter;
use super::{ready_files, Spool, FILES_PER_BATCH, FILE_EVENTS};
use crate::control::ControlPlane;
use backon::{BackoffBuilder, ExponentialBuilder};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokenctl_gateway::usage::IngestAnswer;

/// While the server cannot take usage: 500 ms doubling to 30 s, never
/// giving up (the events are safe on disk). Quick to resume after a blip;
/// after a long outage at most one batch every 30 s from each gateway, so
/// a returning server is not flooded. Restarted when a batch is taken.
const SEND_RETRY: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(500))
    .with_factor(2.0)
    .with_max_delay(Duration::from_secs(30))
    .without_max_times();

/// A JSON array of events read from ready files.
struct Batch {
    /// Shared with the ingest call, which would otherwise need a copy.
    body: bytes::Bytes,
    /// Where each event's line sits in `body`.
    events: Vec<Range<usize>>,
    /// Lines that cannot be events (cut short by a crash).
    torn: Vec<Vec<u8>>,
    /// Bytes and complete lines of the files on disk.
    file_bytes: u64,
    file_lines: i64,
}

impl Batch {
    fn read(files: &[(u64, PathBuf)]) -> Batch {
        // Sized from the files (ready files are written once), so that the
        // body is allocated once: each line's newline becomes a comma, plus
        // the brackets. The files are read one at a time.
        let sizes: u64 = files
            .iter()
            .filter_map(|(_, path)| std::fs::metadata(path).ok())
            .map(|m| m.len())
            .sum();
        let mut body = Vec::with_capacity(usize::try_from(sizes).unwrap_or(0) + 2);
        let mut events = Vec::with_capacity(files.len() * FILE_EVENTS);
        let mut torn = Vec::new();
        let mut file_bytes = 0;
        let mut file_lines = 0;
        body.push(b'[');
        for (_, path) in files {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            file_bytes += bytes.len() as u64;
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', &bytes).chain(std::iter::once(bytes.len())) {
                let line = &bytes[start..end];
                if end < bytes.len() {
                    file_lines += 1;
                }
                start = end + 1;
                if line.is_empty() {
                    continue;
                }
                // A line cut short by a crash lacks its closing brace
                // (events are flat objects). The server checks the rest.
                if !(line.starts_with(b"{") && line.ends_with(b"}")) {
                    torn.push(line.to_vec());
                    continue;
                }
                if !events.is_empty() {
                    body.push(b',');
                }
                let at = body.len();
                body.extend_from_slice(line);
                events.push(at..body.len());
            }
        }
        body.push(b']');
        Batch {
            body: body.into(),
            events,
            torn,
            file_bytes,
            file_lines,
        }
    }
}

impl Spool {
    /// Sends ready files to the server until `stop` is set and nothing
    /// (sendable) is left.
    pub async fn send_loop(&self, control: ControlPlane, stop: tokio::sync::watch::Receiver<bool>) {
        let dead_letter = DeadLetter::new(&self.dir);
        let mut retries = SEND_RETRY.build();
        // After a whole batch was refused: send one file per call until a
        // call succeeds, to find the file at fault.
        let mut one_at_a_time = false;
        loop {
            let per_call = if one_at_a_time { 1 } else { FILES_PER_BATCH };
            let files: Vec<(u64, PathBuf)> =
                ready_files(&self.dir).into_iter().take(per_call).collect();
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
            let batch = Batch::read(&files);
            // Why the batch stays, for the log line of a retry.
            let mut retry_reason: Option<(String, u16)> = None;
            let answer = if batch.events.is_empty() {
                IngestAnswer::Accepted(Default::default())
            } else {
                match control.post_usage(batch.body.clone()).await {
                    Ok((status, body)) => {
                        let answer = IngestAnswer::classify(Some(status), &body);
                        if answer == IngestAnswer::Retry {
                            retry_reason = Some((format!("the server answered {status}"), status));
                        }
                        answer
                    }
                    Err(e) => {
                        retry_reason = Some((e.to_string(), 0));
                        IngestAnswer::Retry
                    }
                }
            };
            match answer {
                IngestAnswer::Accepted(result) => {
                    let refused = result.refused.iter().filter_map(|r| {
                        let line = &batch.body[batch.events.get(r.index)?.clone()];
                        Some((line, r.reason.as_str()))
                    });
                    let refused_count = self.dead_letter(&dead_letter, &batch, refused);
                    self.done(&files, &batch);
                    self.stats.sent.fetch_add(
                        (batch.events.len() as u64).saturating_sub(refused_count),
                        Ordering::Relaxed,
                    );
                    one_at_a_time = false;
                    retries = SEND_RETRY.build();
                }
                IngestAnswer::Rejected if files.len() > 1 => {
                    tracing::warn!("the server refused a usage batch as a whole; sending its files one at a time");
                    one_at_a_time = true;
                }
                IngestAnswer::Rejected => {
                    let reason = "the server refused the whole file as malformed";
                    tracing::error!(
                        file = %files[0].1.display(),
                        events = batch.events.len(),
                        "{reason}; moved to the dead-letter file"
                    );
                    let all = batch
                        .events
                        .iter()
                        .map(|r| (&batch.body[r.clone()], reason));
                    self.dead_letter(&dead_letter, &batch, all);
                    self.done(&files, &batch);
                }
                IngestAnswer::Retry => {
                    let retry_in = retries.next().expect("send retries never end");
                    if let Some((what, status)) = &retry_reason {
                        log_retry(what, *status, retry_in);
                    }
                    if *stop.borrow() {
                        tracing::warn!("usage left in the spool; it is sent after the next start");
                        return;
                    }
                    let mut stop = stop.clone();
                    tokio::select! {
                        () = tokio::time::sleep(retry_in) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    }

    /// Writes refused events and the batch's torn lines to the dead-letter
    /// file and counts them; returns how many refused events there were.
    fn dead_letter<'a>(
        &self,
        dead_letter: &DeadLetter,
        batch: &'a Batch,
        refused: impl Iterator<Item = (&'a [u8], &'a str)>,
    ) -> u64 {
        let refused: Vec<(&[u8], &str)> = refused.collect();
        let count = refused.len() as u64;
        let torn = batch.torn.iter().map(|l| {
            (
                l.as_slice(),
                "incomplete line: the gateway stopped while writing it",
            )
        });
        let total = count + batch.torn.len() as u64;
        if total > 0 {
            if count > 0 {
                tracing::warn!(
                    refused = count,
                    first_reason = refused[0].1,
                    "the server refused usage events; they are in the spool's dead-letter file"
                );
            }
            dead_letter.write(refused.into_iter().chain(torn));
            self.stats.dead_lettered.fetch_add(total, Ordering::Relaxed);
        }
        count
    }

    /// Deletes files whose events were taken (or dead-lettered).
    fn done(&self, files: &[(u64, PathBuf)], batch: &Batch) {
        for (_, path) in files {
            let _ = std::fs::remove_file(path);
        }
        self.stats
            .depth
            .fetch_sub(batch.file_lines, Ordering::Relaxed);
        let _ = self
            .stats
            .bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                Some(b.saturating_sub(batch.file_bytes))
            });
    }
}

fn log_retry(what: &str, status: u16, retry_in: Duration) {
    if status == 401 || status == 403 {
        tracing::error!(
            error = what,
            "usage ingest refused this gateway key; events stay in the spool"
        );
    } else {
        tracing::warn!(
            error = what,
            ?retry_in,
            "usage ingest unavailable; events stay in the spool"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_the_files_events_as_one_json_array() {
        let tmp = tempfile::tempdir().unwrap();
        let first = tmp.path().join("ready-1.jsonl");
        let second = tmp.path().join("ready-2.jsonl");
        // A complete file, then one cut short by a crash mid-line.
        std::fs::write(&first, "{\"a\":1}\n{\"b\":2}\n").unwrap();
        std::fs::write(&second, "\n{\"c\":3}\n{\"d\":").unwrap();
        let missing = tmp.path().join("ready-3.jsonl");
        let batch = Batch::read(&[(1, first), (2, second), (3, missing)]);

        let body: serde_json::Value = serde_json::from_slice(&batch.body).unwrap();
        assert_eq!(body, serde_json::json!([{"a": 1}, {"b": 2}, {"c": 3}]));
        let lines: Vec<&[u8]> = batch
            .events
            .iter()
            .map(|r| &batch.body[r.clone()])
            .collect();
        assert_eq!(lines, [&b"{\"a\":1}"[..], b"{\"b\":2}", b"{\"c\":3}"]);
        assert_eq!(batch.torn, [b"{\"d\":".to_vec()]);
        // What the files hold on disk, for the spool's depth and size.
        assert_eq!(batch.file_lines, 4, "newlines: 2 + 2");
        assert_eq!(batch.file_bytes, 16 + 14);
    }

    #[test]
    fn no_files_make_an_empty_array() {
        let batch = Batch::read(&[]);
        assert_eq!(&batch.body[..], b"[]");
        assert!(batch.events.is_empty() && batch.torn.is_empty());
    }
}
