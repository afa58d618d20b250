//! A streaming JSON scanner that finds a provider's usage report and model
//! in a document fed in pieces, without holding the document.
//!
//! It tokenizes just enough to know where it is: the depth, whether each
//! open container is an object or an array (one bit per level), and the
//! member names of the first four levels, each reduced to one of
//! the few names that matter. String values are skipped with `memchr`
//! unless they are the model, so a response whose `content` is megabytes
//! long costs no memory. What it keeps is bounded whatever it is fed: a
//! member name of at most [`KEY_MAX`] bytes, a model of at most
//! [`MODEL_MAX`] bytes, the counters. Anything malformed, or nested deeper
//! than [`MAX_DEPTH`], stops it: the document then reports nothing.
//!
//! Where it looks (`usage` may also sit under `response`, the Responses
//! API's stream events, or under `message`, Anthropic's `message_start`):
//!
//! | path | counter |
//! |---|---|
//! | `model` | the model (a string) |
//! | `usage.prompt_tokens`, `usage.input_tokens` | input |
//! | `usage.completion_tokens`, `usage.output_tokens` | output |
//! | `usage.{prompt,input}_tokens_details.cached_tokens` | cached part of the input |
//! | `usage.{completion,output}_tokens_details.reasoning_tokens` | reasoning part of the output |
//! | `usage.cache_read_input_tokens`, `usage.cache_creation_input_tokens` | Anthropic's cache, on top of the input |
//!
//! Counters are non-negative integers; anything else (a fraction, a
//! string, more than `u64::MAX`) is not a count and is ignored.
//!
//! For the event-stream scanner it also notes three facts about the
//! top-level object: whether `choices` is `[]`, whether `usage` is an
//! object, and where a `"usage":null` member lies (so it can be cut out).

use super::counts::{Counter, Report, MODEL_MAX};
use memchr::memchr2;
use std::ops::Range;

/// Deepest nesting followed; a deeper document is given up on. Providers'
/// responses nest a handful of levels.
pub const MAX_DEPTH: usize = 128;
/// How many levels of member names are tracked: the deepest path that
/// matters is `response.usage.input_tokens_details.cached_tokens`.
const PATH_MAX: usize = 4;
/// Longest member name recognised, in bytes as written (escapes included).
/// The longest that matters, `cache_creation_input_tokens`, has 27.
pub const KEY_MAX: usize = 64;

/// A member name, reduced to the ones that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Other,
    /// An array element (arrays have no names).
    Element,
    Usage,
    Model,
    Response,
    Message,
    Choices,
    PromptTokens,
    CompletionTokens,
    InputTokens,
    OutputTokens,
    PromptDetails,
    CompletionDetails,
    InputDetails,
    OutputDetails,
    CachedTokens,
    ReasoningTokens,
    CacheRead,
    CacheCreation,
}

impl Key {
    fn of(name: &[u8]) -> Key {
        match name {
            b"usage" => Key::Usage,
            b"model" => Key::Model,
            b"response" => Key::Response,
            b"message" => Key::Message,
            b"choices" => Key::Choices,
            b"prompt_tokens" => Key::PromptTokens,
            b"completion_tokens" => Key::CompletionTokens,
            b"input_tokens" => Key::InputTokens,
            b"output_tokens" => Key::OutputTokens,
            b"prompt_tokens_details" => Key::PromptDetails,
            b"completion_tokens_details" => Key::CompletionDetails,
            b"input_tokens_details" => Key::InputDetails,
            b"output_tokens_details" => Key::OutputDetails,
            b"cached_tokens" => Key::CachedTokens,
            b"reasoning_tokens" => Key::ReasoningTokens,
            b"cache_read_input_tokens" => Key::CacheRead,
            b"cache_creation_input_tokens" => Key::CacheCreation,
            _ => Key::Other,
        }
    }
}

/// The members of a usage object, when `path` leads into one, and whether
/// it is a closing report (see [`Report::closing`]).
fn in_usage(path: &[Key]) -> Option<(&[Key], bool)> {
    match path {
        [Key::Usage, rest @ ..] | [Key::Response, Key::Usage, rest @ ..] => Some((rest, true)),
        [Key::Message, Key::Usage, rest @ ..] => Some((rest, false)),
        _ => None,
    }
}

fn counter_at(path: &[Key]) -> Option<Counter> {
    let (members, _) = in_usage(path)?;
    Some(match members {
        [Key::PromptTokens | Key::InputTokens] => Counter::Input,
        [Key::CompletionTokens | Key::OutputTokens] => Counter::Output,
        [Key::CacheRead] => Counter::CacheRead,
        [Key::CacheCreation] => Counter::CacheCreation,
        [Key::PromptDetails | Key::InputDetails, Key::CachedTokens] => Counter::CachedDetail,
        [Key::CompletionDetails | Key::OutputDetails, Key::ReasoningTokens] => {
            Counter::ReasoningDetail
        }
        _ => return None,
    })
}

fn is_model_at(path: &[Key]) -> bool {
    matches!(
        path,
        [Key::Model] | [Key::Response | Key::Message, Key::Model]
    )
}

/// The text of a JSON string written as `raw` (without its quotes).
fn unescape(raw: &[u8]) -> Option<String> {
    if raw.contains(&b'\\') {
        let mut quoted = Vec::with_capacity(raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(raw);
        quoted.push(b'"');
        serde_json::from_slice(&quoted).ok()
    } else {
        String::from_utf8(raw.to_vec()).ok()
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value is due: at the top, after `:`, after `,` in an array.
    Value,
    /// Just after `[`: a value or `]`.
    ValueOrClose,
    /// Just after `{`: a member name or `}`.
    KeyOrClose,
    /// After `,` in an object: a member name.
    Key,
    /// Inside a member name.
    KeyString,
    /// After a member name: `:`.
    Colon,
    /// Inside a string value.
    Str,
    /// Inside a number.
    Number,
    /// Inside `true`, `false` or `null`, `.1` bytes of `.0` matched so far.
    Literal(&'static [u8], usize),
    /// After a value inside a container: `,` or the container's end.
    AfterValue,
    /// The top-level value is complete; only whitespace may follow.
    Done,
    /// Malformed, or too deep: the document reports nothing.
    Failed,
}

/// What the scanner needs to cut `"usage":null` out of the top-level
/// object, and what it found there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TopLevel {
    /// `choices` is an empty array.
    pub(crate) choices_empty: bool,
    /// `usage` is an object.
    pub(crate) usage_object: bool,
    /// How many `usage` members there are (saturating).
    pub(crate) usage_members: u8,
    /// The bytes to remove to drop a `"usage":null` member: from the `,`
    /// before it through `null`, or, when it is the first member, from its
    /// name through the `,` after it. Positions count the bytes fed.
    pub(crate) usage_null: Option<Range<usize>>,
    /// Position of the `{` or `,` before the current member.
    separator: usize,
    separator_is_comma: bool,
    /// Position of the current member's name.
    key_start: usize,
    /// A first-member `"usage":null` waiting for the `,` after it.
    pending_null: Option<Range<usize>>,
    /// `choices` was just opened with `[`.
    choices_opened: bool,
}

/// Scans one JSON document, fed in pieces (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct JsonScanner {
    state: State,
    /// The last byte of a string was a backslash.
    escaped: bool,
    depth: usize,
    /// Bit `d` is set when the container at depth `d + 1` is an array.
    arrays: [u64; MAX_DEPTH / 64],
    /// Names of the current members of the first `PATH_MAX` levels.
    path: [Key; PATH_MAX],
    /// The member name or model being read (at most `MODEL_MAX` bytes).
    buf: Vec<u8>,
    /// `buf` would have grown past its limit.
    buf_over: bool,
    /// The string being read is the model.
    model: bool,
    /// The counter the number being read goes to.
    counter: Option<Counter>,
    /// The number being read, while it is a non-negative integer.
    number: Option<u64>,
    /// Bytes fed before the current piece.
    fed: usize,
    /// The top-level value ended (even if bytes after it were malformed).
    completed: bool,
    report: Report,
    top: TopLevel,
}

impl Default for JsonScanner {
    fn default() -> Self {
        JsonScanner {
            state: State::Value,
            escaped: false,
            depth: 0,
            arrays: [0; MAX_DEPTH / 64],
            path: [Key::Other; PATH_MAX],
            buf: Vec::new(),
            buf_over: false,
            model: false,
            counter: None,
            number: None,
            fed: 0,
            completed: false,
            report: Report::default(),
            top: TopLevel::default(),
        }
    }
}

impl JsonScanner {
    /// Ready for a new document (keeping `buf`'s allocation).
    pub(crate) fn reset(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        *self = JsonScanner {
            buf,
            ..JsonScanner::default()
        };
    }

    /// The document was one complete JSON value with nothing but
    /// whitespace after it.
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The top-level value ended, whatever came after it.
    pub(crate) fn completed(&self) -> bool {
        self.completed
    }

    /// Nothing more can be learnt from this document.
    pub(crate) fn is_failed(&self) -> bool {
        self.state == State::Failed
    }

    pub(crate) fn top(&self) -> &TopLevel {
        &self.top
    }

    pub(crate) fn take_report(&mut self) -> Report {
        std::mem::take(&mut self.report)
    }

    /// Bytes held for a member name or the model.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            let at = self.fed + i;
            let b = bytes[i];
            match self.state {
                State::Failed => break,
                State::Str | State::KeyString => {
                    i = self.string(bytes, i);
                    continue;
                }
                State::Value => {
                    if !is_ws(b) {
                        self.start_value(b, at);
                    }
                }
                State::ValueOrClose => {
                    if !is_ws(b) {
                        let choices = std::mem::take(&mut self.top.choices_opened);
                        if b == b']' {
                            self.top.choices_empty |= choices;
                            self.close(b);
                        } else {
                            self.start_value(b, at);
                        }
                    }
                }
                State::KeyOrClose => match b {
                    b'}' => self.close(b),
                    b'"' => self.start_key(at),
                    _ if is_ws(b) => {}
                    _ => self.state = State::Failed,
                },
                State::Key => match b {
                    b'"' => self.start_key(at),
                    _ if is_ws(b) => {}
                    _ => self.state = State::Failed,
                },
                State::Colon => match b {
                    b':' => self.state = State::Value,
                    _ if is_ws(b) => {}
                    _ => self.state = State::Failed,
                },
                State::Number => match b {
                    b'0'..=b'9' => {
                        let digit = u64::from(b - b'0');
                        self.number = self
                            .number
                            .and_then(|n| n.checked_mul(10)?.checked_add(digit));
                    }
                    b'.' | b'e' | b'E' | b'+' | b'-' => self.number = None,
                    _ => {
                        // The number ended: look at this byte again after it.
                        if let (Some(counter), Some(n)) = (self.counter, self.number) {
                            self.report.set(counter, n);
                        }
                        self.value_done();
                        continue;
                    }
                },
                State::Literal(word, matched) => {
                    if b != word[matched] {
                        self.state = State::Failed;
                    } else if matched + 1 < word.len() {
                        self.state = State::Literal(word, matched + 1);
                    } else {
                        if word == b"null" && self.depth == 1 && self.path[0] == Key::Usage {
                            self.usage_null(at + 1);
                        }
                        self.value_done();
                    }
                }
                State::AfterValue => match b {
                    b',' => self.comma(at),
                    b'}' | b']' => self.close(b),
                    _ if is_ws(b) => {}
                    _ => self.state = State::Failed,
                },
                State::Done => {
                    if !is_ws(b) {
                        self.state = State::Failed;
                    }
                }
            }
            i += 1;
        }
        self.fed += bytes.len();
    }

    /// Reads string bytes from `bytes[i..]`; returns where to go on.
    fn string(&mut self, bytes: &[u8], i: usize) -> usize {
        let keep = self.state == State::KeyString || self.model;
        let rest = &bytes[i..];
        if self.escaped {
            // Whatever follows a backslash cannot end the string (`\uXXXX`
            // continues with hex digits, which are ordinary bytes).
            self.escaped = false;
            if keep {
                self.keep(&rest[..1]);
            }
            return i + 1;
        }
        match memchr2(b'"', b'\\', rest) {
            None => {
                if keep {
                    self.keep(rest);
                }
                bytes.len()
            }
            Some(k) => {
                if keep {
                    self.keep(&rest[..k]);
                }
                if rest[k] == b'\\' {
                    if keep {
                        self.keep(b"\\");
                    }
                    self.escaped = true;
                } else {
                    self.string_done();
                }
                i + k + 1
            }
        }
    }

    fn keep(&mut self, bytes: &[u8]) {
        let max = if self.state == State::KeyString {
            KEY_MAX
        } else {
            MODEL_MAX
        };
        if self.buf_over || self.buf.len() + bytes.len() > max {
            self.buf_over = true;
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn string_done(&mut self) {
        let text = if self.buf_over {
            None
        } else {
            unescape(&self.buf)
        };
        self.buf.clear();
        if self.state == State::KeyString {
            let key = text.map_or(Key::Other, |name| Key::of(name.as_bytes()));
            if self.depth <= PATH_MAX {
                self.path[self.depth - 1] = key;
            }
            if self.depth == 1 && key == Key::Usage {
                self.top.usage_members = self.top.usage_members.saturating_add(1);
            }
            self.state = State::Colon;
        } else {
            if let Some(model) = text.filter(|_| self.model) {
                self.report.set_model(model);
            }
            self.value_done();
        }
    }

    /// The path of the value about to start, if it is shallow enough to
    /// matter.
    fn value_path(&self) -> Option<&[Key]> {
        self.path.get(..self.depth)
    }

    fn start_value(&mut self, b: u8, at: usize) {
        let path = self.value_path();
        match b {
            b'{' => {
                if let Some((members, closing)) = path.and_then(in_usage) {
                    if members.is_empty() {
                        self.report.closing |= closing;
                        if self.depth == 1 {
                            self.top.usage_object = true;
                        }
                    }
                }
                self.push(false, at);
            }
            b'[' => {
                self.top.choices_opened = self.depth == 1 && self.path[0] == Key::Choices;
                self.push(true, at);
            }
            b'"' => {
                self.model = path.is_some_and(is_model_at);
                self.buf.clear();
                self.buf_over = false;
                self.escaped = false;
                self.state = State::Str;
            }
            b'-' | b'0'..=b'9' => {
                self.counter = path.and_then(counter_at);
                self.number = match b {
                    b'-' => None,
                    _ => Some(u64::from(b - b'0')),
                };
                self.state = State::Number;
            }
            b't' => self.state = State::Literal(b"true", 1),
            b'f' => self.state = State::Literal(b"false", 1),
            b'n' => self.state = State::Literal(b"null", 1),
            _ => self.state = State::Failed,
        }
    }

    fn start_key(&mut self, at: usize) {
        if self.depth == 1 {
            self.top.key_start = at;
        }
        self.buf.clear();
        self.buf_over = false;
        self.escaped = false;
        self.state = State::KeyString;
    }

    fn push(&mut self, array: bool, at: usize) {
        if self.depth == MAX_DEPTH {
            self.state = State::Failed;
            return;
        }
        let (word, bit) = (self.depth / 64, 1u64 << (self.depth % 64));
        if array {
            self.arrays[word] |= bit;
        } else {
            self.arrays[word] &= !bit;
        }
        self.depth += 1;
        if let Some(key) = self.path.get_mut(self.depth - 1) {
            *key = if array { Key::Element } else { Key::Other };
        }
        if self.depth == 1 && !array {
            self.top.separator = at;
            self.top.separator_is_comma = false;
        }
        self.state = if array {
            State::ValueOrClose
        } else {
            State::KeyOrClose
        };
    }

    fn in_array(&self) -> bool {
        let d = self.depth - 1;
        self.arrays[d / 64] & (1 << (d % 64)) != 0
    }

    fn close(&mut self, b: u8) {
        if self.depth == 0 || (b == b']') != self.in_array() {
            self.state = State::Failed;
            return;
        }
        if self.depth == 1 {
            if let Some(range) = self.top.pending_null.take() {
                // `"usage":null` was the only member.
                self.top.usage_null = Some(range);
            }
        }
        self.depth -= 1;
        self.value_done();
    }

    fn comma(&mut self, at: usize) {
        if self.in_array() {
            self.state = State::Value;
            return;
        }
        if self.depth == 1 {
            if let Some(range) = self.top.pending_null.take() {
                self.top.usage_null = Some(range.start..at + 1);
            }
            self.top.separator = at;
            self.top.separator_is_comma = true;
        }
        self.state = State::Key;
    }

    /// A top-level `"usage":null` member ends at `end`.
    fn usage_null(&mut self, end: usize) {
        if self.top.separator_is_comma {
            self.top.usage_null = Some(self.top.separator..end);
        } else {
            self.top.pending_null = Some(self.top.key_start..end);
        }
    }

    fn value_done(&mut self) {
        self.counter = None;
        self.number = None;
        self.model = false;
        if self.depth == 0 {
            self.completed = true;
            self.state = State::Done;
        } else {
            self.state = State::AfterValue;
        }
    }
}

#[cfg(test)]
mod tests;
