//! Server-sent events (`text/event-stream`), read as they pass, per the
//! WHATWG HTML "event stream interpretation": lines end with CRLF, LF or a
//! lone CR (also when the pair is split across chunks); a leading BOM is
//! dropped; a line starting with `:` is a comment; a field name runs to the
//! first `:`, and one space after it is not part of the value; `data`
//! lines join with LF; a blank line dispatches the event, and an event
//! without `data` dispatches nothing. Only `data` matters here: each
//! event's data goes straight into the [`json`](super::json) scanner as
//! it arrives, so reading usage holds nothing, however long an event is.
//!
//! **Stripping.** When the gateway asked an OpenAI upstream for usage on a
//! client's behalf, the client must get the stream it would have got
//! without that: the upstream adds one chunk whose `choices` is `[]` and
//! that carries the `usage` object, and (as OpenAI documents) a
//! `"usage":null` member in every other chunk. The scanner then holds each
//! event until its blank line, and
//!
//! * drops the usage chunk: every byte from the end of the previous event
//!   (the previous blank line) through its own blank line, comments and
//!   other fields in between included;
//! * cuts the `"usage":null` member (and its comma) out of other chunks,
//!   when their data is one `data:` line;
//! * passes everything else as it came.
//!
//! An event longer than [`EVENT_HOLD_MAX`] bytes (its blank line included)
//! is passed on as it arrives and left as it is, also when it came in one
//! chunk, so what the client gets never depends on how the upstream's
//! bytes were split (no usage chunk is that long); its usage is still
//! read.

use super::counts::{LlmUsage, Tally};
use super::json::JsonScanner;
use super::scan::Feed;
use memchr::memchr2;
use std::ops::Range;

/// Most bytes of one event held back while stripping. Bytes are held only
/// while stripping, and only those of the event not yet complete.
pub const EVENT_HOLD_MAX: usize = 64 * 1024;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Where in a line the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// Nothing read on this line yet.
    Start,
    /// Reading a field name.
    Name,
    /// Just after `data:`; an optional space comes next.
    DataSpace,
    /// In the value of a `data` field.
    DataValue,
    /// In a comment or a field that does not matter.
    Skip,
}

/// What becomes of an event's bytes when stripping.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Forward,
    Drop,
    /// Forward all but this range (offsets within the event's bytes).
    Cut(Range<usize>),
}

/// The bytes to forward for one chunk: the chunk itself as long as that is
/// all it is, else an owned copy.
struct Out<'c> {
    chunk: &'c [u8],
    /// `chunk[..clean]` is forwarded as it is (while `owned` is `None`).
    clean: usize,
    owned: Option<Vec<u8>>,
}

impl<'c> Out<'c> {
    fn new(chunk: &'c [u8]) -> Self {
        Out {
            chunk,
            clean: 0,
            owned: None,
        }
    }

    fn owned(&mut self) -> &mut Vec<u8> {
        let (chunk, clean) = (self.chunk, self.clean);
        self.owned.get_or_insert_with(|| {
            let mut v = Vec::with_capacity(chunk.len());
            v.extend_from_slice(&chunk[..clean]);
            v
        })
    }

    /// Forwards `chunk[range]`.
    fn range(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if self.owned.is_none() && range.start == self.clean {
            self.clean = range.end;
        } else {
            let chunk = self.chunk;
            self.owned().extend_from_slice(&chunk[range]);
        }
    }

    /// Forwards bytes from elsewhere (held from earlier chunks).
    fn bytes(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.owned().extend_from_slice(bytes);
        }
    }

    fn finish(self) -> Feed {
        match self.owned {
            Some(v) => Feed::Bytes(v),
            None if self.clean == self.chunk.len() => Feed::Chunk,
            None => Feed::Bytes(self.chunk[..self.clean].to_vec()),
        }
    }
}

/// Reads usage from an event stream, and strips what the gateway added
/// when asked to (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct SseScanner {
    strip: bool,
    line: Line,
    /// The last byte was a CR: an LF now belongs to the same line end.
    after_cr: bool,
    /// BOM bytes matched at the start of the stream; 3 once past it.
    bom: usize,
    /// The field name's first bytes, and its length (capped at 5).
    name: [u8; 4],
    name_len: usize,
    /// `data` lines in the current event.
    data_lines: u32,
    /// Where the first `data` value starts in the event's bytes (when
    /// stripping and the event is held).
    value_start: Option<usize>,
    json: JsonScanner,
    tally: Tally,
    /// Stripping: the current event's bytes from earlier chunks.
    held: Vec<u8>,
    /// Stripping: the current event outgrew `EVENT_HOLD_MAX`; its bytes
    /// pass as they come.
    spilled: bool,
    /// Stripping: the event ended with a CR; whether an LF follows (and
    /// belongs to it) is not known yet.
    pending: Option<Verdict>,
}

impl SseScanner {
    pub(crate) fn new(strip: bool) -> Self {
        SseScanner {
            strip,
            line: Line::Start,
            after_cr: false,
            bom: 0,
            name: [0; 4],
            name_len: 0,
            data_lines: 0,
            value_start: None,
            json: JsonScanner::default(),
            tally: Tally::default(),
            held: Vec::new(),
            spilled: false,
            pending: None,
        }
    }

    /// Bytes held back from the client right now.
    pub(crate) fn held(&self) -> usize {
        self.held.len()
    }

    /// Bytes allocated for holding.
    #[cfg(test)]
    pub(crate) fn held_capacity(&self) -> usize {
        self.held.capacity()
    }

    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Feed {
        let mut out = Out::new(chunk);
        // Start in `chunk` of the current event's bytes not yet held or
        // forwarded.
        let mut begin = 0;
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    i += 1;
                    if let Some(verdict) = self.pending.take() {
                        self.close(&mut out, &mut begin, i, verdict);
                    }
                    continue;
                }
            }
            if let Some(verdict) = self.pending.take() {
                self.close(&mut out, &mut begin, i, verdict);
            }
            if self.bom < BOM.len() {
                if b == BOM[self.bom] {
                    self.bom += 1;
                    i += 1;
                    continue;
                }
                if self.bom > 0 {
                    // Part of a BOM: the first line's field name is not
                    // `data` whatever follows.
                    self.line = Line::Name;
                    self.name_len = 5;
                }
                self.bom = BOM.len();
            }
            if b == b'\r' || b == b'\n' {
                self.after_cr = b == b'\r';
                i += 1;
                if let Some(verdict) = self.end_line() {
                    if self.after_cr {
                        self.pending = Some(verdict);
                    } else {
                        self.close(&mut out, &mut begin, i, verdict);
                    }
                }
                continue;
            }
            match self.line {
                Line::DataValue | Line::Skip => {
                    let end = memchr2(b'\r', b'\n', &chunk[i..]).map_or(chunk.len(), |k| i + k);
                    if self.line == Line::DataValue {
                        self.json.feed(&chunk[i..end]);
                    }
                    i = end;
                    continue;
                }
                Line::Start => {
                    if b == b':' {
                        self.line = Line::Skip;
                    } else {
                        self.line = Line::Name;
                        self.name_len = 0;
                        self.push_name(b);
                    }
                }
                Line::Name => {
                    if b == b':' {
                        if self.is_data() {
                            self.begin_data();
                            self.line = Line::DataSpace;
                        } else {
                            self.line = Line::Skip;
                        }
                    } else {
                        self.push_name(b);
                    }
                }
                Line::DataSpace => {
                    self.line = Line::DataValue;
                    let start = if b == b' ' { i + 1 } else { i };
                    if self.data_lines == 1 && self.strip && !self.spilled {
                        self.value_start = Some(self.held.len() + start - begin);
                    }
                    i = start;
                    continue;
                }
            }
            i += 1;
        }
        if !self.strip {
            return Feed::Chunk;
        }
        self.hold(&mut out, begin);
        out.finish()
    }

    /// The usage read, and the bytes still held (an event the stream did
    /// not finish), which go to the client last.
    pub(crate) fn finish(mut self) -> (Vec<u8>, Option<LlmUsage>) {
        let mut out = Out::new(&[]);
        let mut begin = 0;
        if let Some(verdict) = self.pending.take() {
            self.close(&mut out, &mut begin, 0, verdict);
        }
        // An event cut off before its blank line is discarded by a client
        // (so it is passed on as it is), but if its data is a whole JSON
        // document, that still tells what the request used.
        if self.data_lines > 0 && self.json.is_done() {
            self.tally.merge(self.json.take_report());
        }
        if !self.spilled {
            out.bytes(&self.held);
        }
        let rest = match out.finish() {
            Feed::Chunk => Vec::new(),
            Feed::Bytes(v) => v,
        };
        (rest, self.tally.usage())
    }

    fn push_name(&mut self, b: u8) {
        if let Some(slot) = self.name.get_mut(self.name_len) {
            *slot = b;
        }
        self.name_len = (self.name_len + 1).min(5);
    }

    fn is_data(&self) -> bool {
        self.name_len == 4 && self.name == *b"data"
    }

    /// A `data` line begins: lines of one event join with LF.
    fn begin_data(&mut self) {
        if self.data_lines > 0 {
            self.json.feed(b"\n");
        }
        self.data_lines = self.data_lines.saturating_add(1);
    }

    /// A line ended; a blank one dispatches the event.
    fn end_line(&mut self) -> Option<Verdict> {
        match std::mem::replace(&mut self.line, Line::Start) {
            Line::Start => return Some(self.dispatch()),
            // A field name without a colon has an empty value.
            Line::Name if self.is_data() => self.begin_data(),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Verdict {
        let lines = std::mem::take(&mut self.data_lines);
        let value_start = self.value_start.take();
        if lines == 0 {
            return Verdict::Forward;
        }
        let done = self.json.is_done();
        let top = self.json.top().clone();
        let report = self.json.take_report();
        self.json.reset();
        if !done {
            // Not JSON (OpenAI's `[DONE]`), or malformed: nothing to learn.
            return Verdict::Forward;
        }
        self.tally.merge(report);
        if !self.strip {
            return Verdict::Forward;
        }
        if top.choices_empty && top.usage_object {
            return Verdict::Drop;
        }
        match (top.usage_null, value_start) {
            (Some(r), Some(start)) if lines == 1 && top.usage_members == 1 => {
                Verdict::Cut(start + r.start..start + r.end)
            }
            _ => Verdict::Forward,
        }
    }

    /// The current event's bytes end at `chunk[end]`: forward them, or not,
    /// by `verdict`.
    fn close(&mut self, out: &mut Out<'_>, begin: &mut usize, end: usize, verdict: Verdict) {
        let part = *begin..end;
        *begin = end;
        if !self.strip {
            return;
        }
        let spilled = std::mem::take(&mut self.spilled);
        if spilled || self.held.len() + part.len() > EVENT_HOLD_MAX {
            // Too long to have been held: passed on as it is, however it
            // arrived, so the result never depends on the chunking.
            out.bytes(&self.held);
            out.range(part);
            self.held.clear();
            return;
        }
        match verdict {
            Verdict::Forward => {
                out.bytes(&self.held);
                out.range(part);
            }
            Verdict::Drop => {}
            Verdict::Cut(cut) => {
                // The event is `held` followed by `chunk[part]`.
                let total = self.held.len() + part.len();
                if cut.start <= cut.end && cut.end <= total {
                    self.forward_event_bytes(out, &part, 0..cut.start);
                    self.forward_event_bytes(out, &part, cut.end..total);
                } else {
                    self.forward_event_bytes(out, &part, 0..total);
                }
            }
        }
        self.held.clear();
    }

    /// Forwards `range` of the event made of `held` and then `chunk[part]`.
    fn forward_event_bytes(&self, out: &mut Out<'_>, part: &Range<usize>, range: Range<usize>) {
        let h = self.held.len();
        if range.start < h {
            out.bytes(&self.held[range.start..range.end.min(h)]);
        }
        if range.end > h {
            let from = range.start.max(h) - h + part.start;
            out.range(from..range.end - h + part.start);
        }
    }

    /// The chunk ended inside an event: hold its bytes from `begin`, or
    /// pass them on once the event is too long to hold.
    fn hold(&mut self, out: &mut Out<'_>, begin: usize) {
        let tail = begin..out.chunk.len();
        if tail.is_empty() {
            return;
        }
        if self.spilled {
            out.range(tail);
        } else if self.held.len() + tail.len() > EVENT_HOLD_MAX {
            out.bytes(&self.held);
            self.held.clear();
            out.range(tail);
            self.spilled = true;
        } else {
            // Grow by doubling, but never past the limit.
            let needed = self.held.len() + tail.len();
            if needed > self.held.capacity() {
                let target = needed.max(2 * self.held.capacity()).min(EVENT_HOLD_MAX);
                self.held.reserve_exact(target - self.held.len());
            }
            self.held.extend_from_slice(&out.chunk[tail]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(s: &mut SseScanner, chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend_from_slice(s.feed(chunk).bytes(chunk));
        }
        out
    }

    #[test]
    fn field_rules_of_the_spec() {
        // `data` without a colon is a data line with an empty value;
        // `data:x` needs no space; `Data:` and `data :` are other fields;
        // one leading space is dropped, a second is part of the value.
        let mut s = SseScanner::new(false);
        feed_all(
            &mut s,
            &[
                b"Data: {\"usage\":{\"cache_read_input_tokens\":100}}\n\n",
                b"data : {\"usage\":{\"cache_read_input_tokens\":200}}\n\n",
                b"data:{\"usage\":\ndata\ndata:  {\"input_tokens\":3,\"output_tokens\":4}}\n\n",
            ],
        );
        let (rest, usage) = s.finish();
        assert!(rest.is_empty());
        let u = usage.unwrap();
        assert_eq!(
            (u.input_tokens, u.output_tokens, u.cache_read_tokens),
            (3, 4, 0)
        );
    }

    #[test]
    fn events_without_data_or_blank_line_report_nothing() {
        let mut s = SseScanner::new(false);
        feed_all(
            &mut s,
            &[b"event: x\nid: 1\n\n: data: {\"usage\":{\"input_tokens\":1}}\n\n"],
        );
        assert_eq!(s.finish().1, None);
    }

    #[test]
    fn holding_grows_by_doubling_and_stays_within_the_limit() {
        let mut s = SseScanner::new(true);
        let event = format!("data: \"{}\"", "x".repeat(EVENT_HOLD_MAX - 9));
        assert_eq!(event.len(), EVENT_HOLD_MAX - 1);
        for b in event.as_bytes().chunks(1) {
            assert_eq!(s.feed(b), Feed::Bytes(Vec::new()));
            assert!(s.held_capacity() <= EVENT_HOLD_MAX);
        }
        assert_eq!(s.held(), EVENT_HOLD_MAX - 1);
        // The LF fits; the blank line's LF would not: the event spills.
        assert_eq!(s.feed(b"\n"), Feed::Bytes(Vec::new()));
        assert_eq!(s.held(), EVENT_HOLD_MAX);
        let Feed::Bytes(out) = s.feed(b"\n") else {
            panic!("held bytes come out")
        };
        assert_eq!(out.len(), EVENT_HOLD_MAX + 1);
        assert_eq!(s.held(), 0);
        assert!(s.held_capacity() <= EVENT_HOLD_MAX);
    }
}
