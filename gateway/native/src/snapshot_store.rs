//! The config on disk, so the gateway can restart and serve while the
//! server is down.
//!
//! It holds upstream secrets, so it is sealed with AES-256-GCM under a key
//! derived from the gateway key. It is written and read as a stream, never
//! whole in memory: a header, then chunks of at most about [`CHUNK_BYTES`]
//! of items ([`item`]: the routes and secrets first, then the tokens, in
//! a compact binary form), each chunk sealed on its own. A chunk's
//! associated data binds it to its file (a random id in the header), its
//! position, and whether it is the last, so chunks cannot be reordered,
//! spliced from another file, dropped or cut off without the file failing
//! to open.
//!
//! Files of the older formats are still read: the same chunks holding JSON
//! lines (one token a line), and before that one sealed JSON document. The
//! next write replaces them with the current format.
//!
//! Next to it, sealed the same way, is when the server last confirmed the
//! config was current, so a restart during an outage does not make an old
//! config look fresh.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use item::{Item, ItemReader, ItemWriter};
use rand::RngCore;
use sha2::Sha256;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use tokenctl_gateway::sealed::{self, NONCE_LEN};
use tokenctl_gateway::{Gateway, RouteConfig, Snapshot};

mod item;

/// What a file of the current format starts with.
const MAGIC: &[u8] = b"tokenctl-snapshot-stream-2\n";
/// The older streamed format, its chunks made of JSON lines. A file that
/// starts with neither is the oldest format, one sealed JSON document.
const MAGIC_JSON_LINES: &[u8] = b"tokenctl-snapshot-stream-1\n";
const FILE_ID_LEN: usize = 16;
/// Plaintext per chunk: large enough that sealing costs little, small
/// enough that neither side holds much.
const CHUNK_BYTES: usize = 64 * 1024;
/// A sealed chunk's length is refused above this (a chunk holds at most
/// one item past `CHUNK_BYTES`).
const MAX_SEALED_CHUNK: u32 = 16 * 1024 * 1024;
/// The sealed file's associated data for the confirmation time.
const CONFIRMED_AAD: &[u8] = b"confirmed-at";

#[derive(Clone)]
pub struct SnapshotStore {
    path: PathBuf,
    key: [u8; 32],
}

impl SnapshotStore {
    pub fn new(path: PathBuf, gateway_key: &str) -> SnapshotStore {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(gateway_key.as_bytes()).expect("any key length");
        mac.update(b"tokenctl gateway snapshot v1");
        SnapshotStore {
            path,
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// The stored config, indexed as it is read.
    pub fn load(&self) -> Option<Gateway> {
        let file = std::fs::File::open(&self.path).ok()?;
        let mut reader = BufReader::with_capacity(CHUNK_BYTES, file);
        let mut magic = vec![0u8; MAGIC.len()];
        let format = match reader.read_exact(&mut magic) {
            Ok(()) if magic == MAGIC => Some(Format::Items),
            Ok(()) if magic == MAGIC_JSON_LINES => Some(Format::JsonLines),
            _ => None,
        };
        let loaded = match format {
            Some(format) => self.read_stream(&mut reader, format),
            None => self.read_whole(),
        };
        if loaded.is_none() {
            tracing::warn!(path = %self.path.display(), "stored snapshot does not open with this gateway key or is damaged; ignoring it");
        }
        loaded
    }

    /// The oldest format: one sealed JSON snapshot.
    fn read_whole(&self) -> Option<Gateway> {
        let sealed = std::fs::read(&self.path).ok()?;
        let plain = sealed::open(&self.key, b"", &sealed)?;
        let snapshot: Snapshot = serde_json::from_slice(&plain).ok()?;
        Some(Gateway::new(snapshot))
    }

    fn read_stream(&self, reader: &mut impl Read, format: Format) -> Option<Gateway> {
        let mut file_id = [0u8; FILE_ID_LEN];
        reader.read_exact(&mut file_id).ok()?;
        let mut items = ItemReader::default();
        for index in 0u64.. {
            let mut frame = [0u8; 5];
            reader.read_exact(&mut frame).ok()?;
            let last = match frame[0] {
                0 => false,
                1 => true,
                _ => return None,
            };
            let len = u32::from_be_bytes([frame[1], frame[2], frame[3], frame[4]]);
            if len > MAX_SEALED_CHUNK {
                return None;
            }
            let mut chunk = vec![0u8; len as usize];
            reader.read_exact(&mut chunk).ok()?;
            let plain = sealed::open(&self.key, &chunk_aad(&file_id, index, last), &chunk)?;
            match format {
                Format::Items => {
                    let mut rest = plain.as_slice();
                    while !rest.is_empty() {
                        let (item, after) = postcard::take_from_bytes::<Item>(rest).ok()?;
                        items.read(item)?;
                        rest = after;
                    }
                }
                Format::JsonLines => {
                    for line in plain.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                        let line = std::str::from_utf8(line).ok()?;
                        match items.head {
                            None => items.read(Item::Head(line))?,
                            Some(_) => items.read(Item::Entry(line))?,
                        }
                    }
                }
            }
            if last {
                break;
            }
        }
        // Nothing may follow the last chunk.
        if reader.read(&mut [0u8; 1]).ok()? != 0 {
            return None;
        }
        let ItemReader { head, tokens, .. } = items;
        let head = head?;
        Some(
            Gateway::from_parts(
                head.version,
                head.generated_at,
                tokens.finish(),
                RouteConfig {
                    routes: head.routes,
                    secrets: head.secrets,
                    secret_hosts: head.secret_hosts,
                },
            )
            .with_quotas(head.quotas)
            .with_prices(head.prices),
        )
    }

    /// Writes `gateway`'s config, streamed, replacing the stored one
    /// atomically.
    pub fn save(&self, gateway: &Gateway) -> std::io::Result<()> {
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
        let file = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
        let mut out = BufWriter::new(file);
        let mut file_id = [0u8; FILE_ID_LEN];
        rand::rngs::OsRng.fill_bytes(&mut file_id);
        out.write_all(MAGIC)?;
        out.write_all(&file_id)?;
        let mut chunks = ChunkWriter {
            key: &self.key,
            file_id,
            index: 0,
            plain: Vec::with_capacity(CHUNK_BYTES + 1024),
            out: &mut out,
        };
        let routes = gateway.route_config();
        let head = Snapshot {
            version: gateway.version(),
            generated_at: gateway.generated_at(),
            tokens: vec![],
            routes: routes.routes.clone(),
            secrets: routes.secrets.clone(),
            secret_hosts: routes.secret_hosts.clone(),
            quotas: gateway.quota_states().cloned().collect(),
            prices: gateway.prices().entries().cloned().collect(),
        };
        let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
        chunks.item(&Item::Head(&head))?;
        // In the snapshot's order, which decides between tokens that claim
        // one secret hash.
        let mut items = ItemWriter::default();
        for token in gateway.tokens().in_listed_order() {
            items.token(token, |item| chunks.item(&item))?;
        }
        chunks.finish()?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.as_file().sync_all()?;
        file.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(self.confirmed_path());
    }

    fn confirmed_path(&self) -> PathBuf {
        self.path.with_extension("confirmed")
    }

    /// When the server last confirmed the stored snapshot.
    pub fn load_confirmed(&self) -> Option<DateTime<Utc>> {
        let sealed = std::fs::read(self.confirmed_path()).ok()?;
        let plain = sealed::open(&self.key, CONFIRMED_AAD, &sealed)?;
        std::str::from_utf8(&plain).ok()?.parse().ok()
    }

    pub fn save_confirmed(&self, at: DateTime<Utc>) -> std::io::Result<()> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let text = at.to_rfc3339();
        let sealed = sealed::seal(&self.key, CONFIRMED_AAD, text.as_bytes(), nonce);
        crate::write_private_atomic(&self.confirmed_path(), &sealed)
    }
}

/// Binds a chunk to its file, its position and whether it ends the file.
fn chunk_aad(file_id: &[u8; FILE_ID_LEN], index: u64, last: bool) -> Vec<u8> {
    let mut aad = b"snapshot-chunk".to_vec();
    aad.extend_from_slice(file_id);
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

/// Which items a streamed file's chunks hold.
#[derive(Clone, Copy)]
enum Format {
    /// The current format ([`item`]).
    Items,
    /// The older one: the config's head, then one token a line, as JSON.
    JsonLines,
}

/// Collects items and writes them out sealed, a chunk at a time.
struct ChunkWriter<'a, W: Write> {
    key: &'a [u8; 32],
    file_id: [u8; FILE_ID_LEN],
    index: u64,
    plain: Vec<u8>,
    out: &'a mut W,
}

impl<W: Write> ChunkWriter<'_, W> {
    fn item(&mut self, item: &Item<'_>) -> std::io::Result<()> {
        postcard::to_io(item, &mut self.plain).map_err(std::io::Error::other)?;
        self.end_item()
    }

    /// Starts a new chunk once this one is full: an item never spans two.
    fn end_item(&mut self) -> std::io::Result<()> {
        if self.plain.len() >= CHUNK_BYTES {
            self.flush(false)?;
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.flush(true)
    }

    fn flush(&mut self, last: bool) -> std::io::Result<()> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = chunk_aad(&self.file_id, self.index, last);
        let sealed = sealed::seal(self.key, &aad, &self.plain, nonce);
        let len = u32::try_from(sealed.len()).map_err(std::io::Error::other)?;
        self.out.write_all(&[u8::from(last)])?;
        self.out.write_all(&len.to_be_bytes())?;
        self.out.write_all(&sealed)?;
        self.plain.clear();
        self.index += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
