//! The response side: [`UsageScanner`] reads the usage of an LLM response
//! from its body chunks as they pass to the client, and tells the
//! front-end what to forward of each.

use super::counts::{LlmUsage, Tally};
use super::json::JsonScanner;
use super::sse::SseScanner;

/// How a response body is read, from its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// One JSON document (`application/json`, `…+json`): a non-streaming
    /// answer, or an error.
    Json,
    /// Server-sent events (`text/event-stream`): a streaming answer.
    EventStream,
}

impl ResponseKind {
    /// The kind of a response with these `Content-Type` and
    /// `Content-Encoding` values, or `None` when its body cannot be read:
    /// another media type, or a compressed body. (Front-ends ask LLM
    /// upstreams for `Accept-Encoding: identity`, so that bodies can be
    /// read; a compressed one passes unread and its usage is unknown.)
    pub fn from_headers(
        content_type: Option<&str>,
        content_encoding: Option<&str>,
    ) -> Option<ResponseKind> {
        let encoding = content_encoding.map_or("", str::trim);
        if !encoding.is_empty() && !encoding.eq_ignore_ascii_case("identity") {
            return None;
        }
        let media = content_type?.split(';').next()?.trim();
        if media.eq_ignore_ascii_case("text/event-stream") {
            Some(ResponseKind::EventStream)
        } else if is_json_media_type(media) {
            Some(ResponseKind::Json)
        } else {
            None
        }
    }
}

/// Whether a `Content-Type` (parameters allowed) is JSON:
/// `application/json` or a `+json` type.
pub fn is_json_content_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| is_json_media_type(media.trim()))
}

fn is_json_media_type(media: &str) -> bool {
    let media = media.to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// What to send the client for one chunk fed to [`UsageScanner::feed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// The chunk as it came (no copy: forward the buffer you fed in). This
    /// is always the answer unless the scanner strips what the gateway
    /// added.
    Chunk,
    /// These bytes instead of the chunk; may be empty (everything held
    /// back or removed). Only while stripping.
    Bytes(Vec<u8>),
}

impl Feed {
    /// The bytes to send for `chunk`, the chunk that was fed.
    pub fn bytes<'a>(&'a self, chunk: &'a [u8]) -> &'a [u8] {
        match self {
            Feed::Chunk => chunk,
            Feed::Bytes(bytes) => bytes,
        }
    }
}

/// The end of a response: the bytes still to send and the usage read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finished {
    /// Bytes held back and not yet sent (the start of an event the stream
    /// never finished); send them after the last chunk. Empty unless
    /// stripping.
    pub rest: Vec<u8>,
    /// The usage, or `None` when the response reported none that could be
    /// read (an error, a cut-off stream, a body that was not what its
    /// headers said).
    pub usage: Option<LlmUsage>,
}

/// Reads the usage of one LLM response while it streams to the client.
///
/// Feed it every body chunk in order, forward what [`feed`](Self::feed)
/// says, and call [`finish`](Self::finish) at the end (also when the
/// stream breaks off: what was reported until then is returned).
///
/// It never panics and never fails: anything it cannot read (malformed
/// JSON, an event that is not JSON, nesting deeper than
/// [`MAX_DEPTH`](super::MAX_DEPTH)) is passed through unread. Its memory is
/// bounded whatever the body: a few hundred bytes for the parser state, a
/// model name of at most [`MODEL_MAX`](super::MODEL_MAX) bytes, and, only
/// while stripping, at most [`EVENT_HOLD_MAX`](super::EVENT_HOLD_MAX)
/// bytes of one unfinished event.
#[derive(Debug, Clone)]
pub struct UsageScanner {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    Json {
        json: Box<JsonScanner>,
        tally: Tally,
        /// The document ended or failed: the rest is not read.
        stopped: bool,
    },
    EventStream(Box<SseScanner>),
}

impl UsageScanner {
    /// A scanner for a response of `kind`. `strip_usage` is
    /// [`LlmRequest::usage_added`](super::LlmRequest::usage_added): the
    /// gateway asked for usage on the client's behalf, so what the
    /// upstream added for that is removed from an event stream (see
    /// [`sse`](super::sse)). A JSON response is never changed.
    pub fn new(kind: ResponseKind, strip_usage: bool) -> Self {
        let inner = match kind {
            ResponseKind::Json => Inner::Json {
                json: Box::default(),
                tally: Tally::default(),
                stopped: false,
            },
            ResponseKind::EventStream => Inner::EventStream(Box::new(SseScanner::new(strip_usage))),
        };
        UsageScanner { inner }
    }

    /// Reads the next body chunk and says what to send the client for it.
    pub fn feed(&mut self, chunk: &[u8]) -> Feed {
        match &mut self.inner {
            Inner::Json {
                json,
                tally,
                stopped,
            } => {
                if !*stopped {
                    json.feed(chunk);
                    if json.completed() {
                        tally.merge(json.take_report());
                        *stopped = true;
                    } else if json.is_failed() {
                        *stopped = true;
                    }
                }
                Feed::Chunk
            }
            Inner::EventStream(sse) => sse.feed(chunk),
        }
    }

    /// Bytes held back from the client right now (at most
    /// [`EVENT_HOLD_MAX`](super::EVENT_HOLD_MAX); 0 unless stripping).
    pub fn held(&self) -> usize {
        match &self.inner {
            Inner::Json { .. } => 0,
            Inner::EventStream(sse) => sse.held(),
        }
    }

    /// Ends the response: the bytes still to send, and the usage.
    pub fn finish(self) -> Finished {
        match self.inner {
            Inner::Json { tally, .. } => Finished {
                rest: Vec::new(),
                usage: tally.usage(),
            },
            Inner::EventStream(sse) => {
                let (rest, usage) = sse.finish();
                Finished { rest, usage }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_kind_from_headers() {
        let kind = ResponseKind::from_headers;
        assert_eq!(
            kind(Some("application/json"), None),
            Some(ResponseKind::Json)
        );
        assert_eq!(
            kind(Some("Application/JSON; charset=utf-8"), Some("identity")),
            Some(ResponseKind::Json)
        );
        assert_eq!(
            kind(Some("application/problem+json"), Some("")),
            Some(ResponseKind::Json)
        );
        assert_eq!(
            kind(Some("text/event-stream; charset=utf-8"), None),
            Some(ResponseKind::EventStream)
        );
        assert_eq!(kind(Some("text/event-stream"), Some("gzip")), None);
        assert_eq!(kind(Some("application/json"), Some("br")), None);
        assert_eq!(kind(Some("text/plain"), None), None);
        assert_eq!(kind(Some("application/jsonl"), None), None);
        assert_eq!(kind(None, None), None);
    }

    #[test]
    fn json_content_types() {
        assert!(is_json_content_type("application/json"));
        assert!(is_json_content_type("application/json;charset=UTF-8"));
        assert!(is_json_content_type("application/vnd.api+json"));
        assert!(!is_json_content_type("text/json+plain"));
        assert!(!is_json_content_type("multipart/form-data; boundary=x"));
        assert!(!is_json_content_type(""));
    }

    #[test]
    fn json_bodies_pass_unchanged_and_stop_being_read_once_complete() {
        let mut s = UsageScanner::new(ResponseKind::Json, true);
        for piece in [
            &br#"{"model":"m","usage":{"input_tokens":3,"#[..],
            br#""output_tokens":4}}"#,
            b" trailing bytes are not read",
        ] {
            assert_eq!(s.feed(piece), Feed::Chunk);
            assert_eq!(s.held(), 0);
        }
        let f = s.finish();
        assert!(f.rest.is_empty());
        let u = f.usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens, u.complete), (3, 4, true));
    }

    #[test]
    fn cut_off_json_reports_nothing() {
        let mut s = UsageScanner::new(ResponseKind::Json, false);
        s.feed(br#"{"usage":{"input_tokens":3,"output_tokens":4}"#);
        assert_eq!(s.finish().usage, None);
    }
}
