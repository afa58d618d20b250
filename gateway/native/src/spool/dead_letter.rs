//! Events that will never be taken: the server refused them, or a crash cut
//! their line short. They are kept next to the spool for an operator to
//! inspect (`jq -r .event spool/dead-letter.jsonl`), never sent again.
//!
//! One JSON object per line: `{"at": when it was dead-lettered, "reason":
//! why, "event": the event's line as text}`. The file is 0600 and rotates
//! at [`MAX_BYTES`] to `dead-letter.1.jsonl` (one old file kept), so it is
//! bounded too.

use super::open_private_append;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Size at which the dead-letter file rotates.
pub const MAX_BYTES: u64 = 16 << 20;

pub(super) struct DeadLetter {
    path: PathBuf,
}

#[derive(Serialize)]
struct Entry<'a> {
    at: chrono::DateTime<chrono::Utc>,
    reason: &'a str,
    event: std::borrow::Cow<'a, str>,
}

impl DeadLetter {
    pub(super) fn new(spool_dir: &std::path::Path) -> DeadLetter {
        DeadLetter {
            path: spool_dir.join("dead-letter.jsonl"),
        }
    }

    /// Appends `(event line, reason)` pairs; logs (does not fail) if the
    /// disk refuses.
    pub(super) fn write<'a>(&self, entries: impl IntoIterator<Item = (&'a [u8], &'a str)>) {
        let at = chrono::Utc::now();
        let mut buf = Vec::new();
        for (line, reason) in entries {
            let entry = Entry {
                at,
                reason,
                event: String::from_utf8_lossy(line),
            };
            serde_json::to_writer(&mut buf, &entry).expect("entries serialise");
            buf.push(b'\n');
        }
        if buf.is_empty() {
            return;
        }
        if std::fs::metadata(&self.path).is_ok_and(|m| m.len() >= MAX_BYTES) {
            let _ = std::fs::rename(&self.path, self.path.with_extension("1.jsonl"));
        }
        if let Err(e) = open_private_append(&self.path).and_then(|mut f| f.write_all(&buf)) {
            tracing::error!(error = %e, path = %self.path.display(), "cannot write the usage dead-letter file");
        }
    }
}
