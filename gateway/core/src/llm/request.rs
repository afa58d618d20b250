//! The request side: what an LLM request asks for, and the rewrite that
//! makes an OpenAI stream report its usage.
//!
//! OpenAI's chat completions and completions streams carry usage only when
//! the request says `"stream_options":{"include_usage":true}`. When a
//! client streams without it, [`inspect_request`] returns a body that adds
//! it, and [`LlmRequest::usage_added`] tells the response side to remove
//! what the upstream adds for it. The Responses API and Anthropic's
//! Messages API always report usage, so their requests are never changed.
//!
//! **The whole body is needed**, since `stream` may be its last member:
//! front-ends buffer the request body of LLM routes only, only when it is
//! JSON (`Content-Type`, see [`is_json_content_type`]) and not
//! `Content-Encoding`-compressed, and only up to [`REQUEST_BODY_MAX`]. A
//! longer body (by its `Content-Length`, or a chunked one once it passes
//! the limit) streams through untouched and unread, as every other body
//! does. The bound is what keeps the gateway's memory flat under uploads:
//! without it, every client could make the gateway hold any amount.
//!
//! The rewrite inserts or replaces only what it must and leaves every
//! other byte as the client sent it (numbers are never re-serialised, key
//! order and whitespace stay). Where the client wrote a member twice, the
//! last one counts, as it does for most JSON parsers (Python's,
//! JavaScript's), and the last one is the one amended.
//!
//! [`is_json_content_type`]: super::is_json_content_type

use super::counts::MODEL_MAX;
use super::provider::Provider;
use super::scan::{ResponseKind, UsageScanner};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt;

/// Largest request body inspected, in bytes (1 MiB). Chat requests are
/// mostly a few kilobytes; a longer one (large inline images, huge
/// prompts) passes unread, and without `include_usage` added.
pub const REQUEST_BODY_MAX: usize = 1024 * 1024;

/// Whether and how far a request body was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Inspection {
    /// The front-end did not read the body (not JSON, compressed, or
    /// longer than [`REQUEST_BODY_MAX`] by its `Content-Length`).
    #[default]
    NotInspected,
    /// Longer than [`REQUEST_BODY_MAX`]: not read.
    TooLarge,
    /// Not a JSON object: not read (the upstream will refuse it).
    NotJsonObject,
    /// Read.
    Inspected,
}

/// What an LLM request asks for, and the body to send instead of the
/// client's, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LlmRequest {
    /// Whether the body was read; when it was not, the other fields are
    /// empty.
    pub inspection: Inspection,
    /// The `model` asked for (a plausible name, else `None`).
    pub model: Option<String>,
    /// `"stream": true`.
    pub stream: bool,
    /// The gateway added `stream_options.include_usage` for a client that
    /// had not asked for it: the response must be scanned with
    /// `strip_usage` set (see [`scanner`](Self::scanner)).
    pub usage_added: bool,
    /// The body to send upstream instead of the client's (its
    /// `Content-Length` changes too); `None`: send the client's.
    pub body: Option<Vec<u8>>,
}

impl LlmRequest {
    /// The scanner for the response to this request.
    pub fn scanner(&self, kind: ResponseKind) -> UsageScanner {
        UsageScanner::new(kind, self.usage_added)
    }
}

/// Reads the JSON `body` of a request to an LLM route of `provider`, sent
/// to `upstream_path` (the path of the upstream URL; a query is ignored).
///
/// For OpenAI chat completions and completions (a path ending in
/// `/completions`, as `/v1/chat/completions` and Azure's
/// `/openai/deployments/{name}/chat/completions` do) with `"stream": true`
/// and without `"stream_options":{"include_usage":true}`, the answer
/// carries a body that asks for usage:
///
/// * no `stream_options`: `"stream_options":{"include_usage":true},` is
///   inserted right after the opening `{`;
/// * `"stream_options": null`: the `null` becomes
///   `{"include_usage":true}`;
/// * `stream_options` without `include_usage`: `"include_usage":true` is
///   inserted right after its `{`;
/// * `include_usage` with any value but `true`: the value becomes `true`.
///
/// A `stream_options` that is not an object or `null` is left alone (the
/// upstream refuses it anyway).
pub fn inspect_request(provider: Provider, upstream_path: &str, body: &[u8]) -> LlmRequest {
    if body.len() > REQUEST_BODY_MAX {
        return LlmRequest {
            inspection: Inspection::TooLarge,
            ..LlmRequest::default()
        };
    }
    let Ok(members) = serde_json::from_slice::<Members<'_>>(body) else {
        return LlmRequest {
            inspection: Inspection::NotJsonObject,
            ..LlmRequest::default()
        };
    };
    let model = members
        .model
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .filter(|m| m.len() <= MODEL_MAX && !m.chars().any(char::is_control));
    let stream = members.stream.is_some_and(|raw| raw.get() == "true");
    let body = match provider {
        Provider::OpenAi if stream && takes_stream_options(upstream_path) => {
            ask_for_usage(body, members.stream_options)
        }
        _ => None,
    };
    LlmRequest {
        inspection: Inspection::Inspected,
        model,
        stream,
        usage_added: body.is_some(),
        body,
    }
}

/// Whether the endpoint at `path` is one whose streams report usage only
/// when asked (chat completions, completions).
fn takes_stream_options(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/').ends_with("/completions")
}

const INCLUDE_USAGE: &str = r#""include_usage":true"#;

/// The body with usage asked for, or `None` when the client asked itself
/// (or `stream_options` is of a kind that cannot be amended).
fn ask_for_usage(body: &[u8], stream_options: Option<&RawValue>) -> Option<Vec<u8>> {
    let Some(options) = stream_options else {
        let open = body.iter().position(|&b| b == b'{')?;
        let member = format!(r#""stream_options":{{{INCLUDE_USAGE}}},"#);
        return Some(splice(body, open + 1..open + 1, member.as_bytes()));
    };
    let text = options.get();
    let at = offset_in(body, text)?;
    if text == "null" {
        let value = format!("{{{INCLUDE_USAGE}}}");
        return Some(splice(body, at..at + text.len(), value.as_bytes()));
    }
    if !text.starts_with('{') {
        return None;
    }
    let inner = serde_json::from_str::<Members<'_>>(text).ok()?;
    match inner.include_usage {
        Some(value) if value.get() == "true" => None,
        Some(value) => {
            let v = offset_in(body, value.get())?;
            Some(splice(body, v..v + value.get().len(), b"true"))
        }
        None => {
            let member = if inner.count > 0 {
                format!("{INCLUDE_USAGE},")
            } else {
                INCLUDE_USAGE.to_string()
            };
            Some(splice(body, at + 1..at + 1, member.as_bytes()))
        }
    }
}

/// `body` with `range` replaced by `with`.
fn splice(body: &[u8], range: std::ops::Range<usize>, with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + with.len());
    out.extend_from_slice(&body[..range.start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&body[range.end..]);
    out
}

/// Where `part`, a slice borrowed from `body`, starts in it.
fn offset_in(body: &[u8], part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    (start + part.len() <= body.len()).then_some(start)
}

/// The members of an object that matter here, as written (the last of
/// duplicates), and how many members it has.
#[derive(Default)]
struct Members<'a> {
    model: Option<&'a RawValue>,
    stream: Option<&'a RawValue>,
    stream_options: Option<&'a RawValue>,
    include_usage: Option<&'a RawValue>,
    count: usize,
}

enum Name {
    Model,
    Stream,
    StreamOptions,
    IncludeUsage,
    Other,
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name, E> {
                Ok(match name {
                    "model" => Name::Model,
                    "stream" => Name::Stream,
                    "stream_options" => Name::StreamOptions,
                    "include_usage" => Name::IncludeUsage,
                    _ => Name::Other,
                })
            }
        }
        deserializer.deserialize_identifier(NameVisitor)
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut m = Members::default();
                while let Some(name) = map.next_key::<Name>()? {
                    m.count += 1;
                    let slot = match name {
                        Name::Model => &mut m.model,
                        Name::Stream => &mut m.stream,
                        Name::StreamOptions => &mut m.stream_options,
                        Name::IncludeUsage => &mut m.include_usage,
                        Name::Other => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value()?);
                }
                Ok(m)
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAT: &str = "/v1/chat/completions";

    fn rewritten(body: &str) -> Option<String> {
        let r = inspect_request(Provider::OpenAi, CHAT, body.as_bytes());
        assert_eq!(r.inspection, Inspection::Inspected, "{body}");
        assert_eq!(r.usage_added, r.body.is_some());
        r.body.map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn adds_stream_options_to_a_stream_without_them() {
        let body =
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stream":true}"#;
        let r = inspect_request(Provider::OpenAi, CHAT, body.as_bytes());
        assert_eq!(r.model.as_deref(), Some("gpt-4o"));
        assert!(r.stream && r.usage_added);
        assert_eq!(
            String::from_utf8(r.body.unwrap()).unwrap(),
            r#"{"stream_options":{"include_usage":true},"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stream":true}"#
        );
    }

    #[test]
    fn amends_stream_options_the_client_sent() {
        assert_eq!(
            rewritten(r#"{"stream":true,"stream_options":null}"#).as_deref(),
            Some(r#"{"stream":true,"stream_options":{"include_usage":true}}"#)
        );
        assert_eq!(
            rewritten(r#"{"stream":true,"stream_options":{}}"#).as_deref(),
            Some(r#"{"stream":true,"stream_options":{"include_usage":true}}"#)
        );
        assert_eq!(
            rewritten(r#"{"stream":true,"stream_options":{"include_obfuscation":false}}"#)
                .as_deref(),
            Some(
                r#"{"stream":true,"stream_options":{"include_usage":true,"include_obfuscation":false}}"#
            )
        );
        assert_eq!(
            rewritten(r#"{"stream":true,"stream_options":{"include_usage": false, "x":1}}"#)
                .as_deref(),
            Some(r#"{"stream":true,"stream_options":{"include_usage": true, "x":1}}"#)
        );
        // The last duplicate is the one the upstream reads.
        assert_eq!(
            rewritten(
                r#"{"stream":true,"stream_options":{"include_usage":true,"include_usage":null}}"#
            )
            .as_deref(),
            Some(r#"{"stream":true,"stream_options":{"include_usage":true,"include_usage":true}}"#)
        );
        assert_eq!(
            rewritten(
                r#"{"stream_options":{"include_usage":true},"stream":true,"stream_options":{}}"#
            )
            .as_deref(),
            Some(
                r#"{"stream_options":{"include_usage":true},"stream":true,"stream_options":{"include_usage":true}}"#
            )
        );
    }

    #[test]
    fn leaves_alone_what_needs_nothing() {
        // The client asked itself.
        assert_eq!(
            rewritten(r#"{"stream":true,"stream_options":{"include_usage":true}}"#),
            None
        );
        // Not streaming, or not literally `true`.
        assert_eq!(rewritten(r#"{"model":"gpt-4o","messages":[]}"#), None);
        assert_eq!(rewritten(r#"{"stream":false}"#), None);
        assert_eq!(rewritten(r#"{"stream":"true"}"#), None);
        assert_eq!(rewritten(r#"{"stream":true,"stream":false}"#), None);
        // A stream_options the upstream refuses anyway.
        assert_eq!(rewritten(r#"{"stream":true,"stream_options":"yes"}"#), None);
        assert_eq!(rewritten(r#"{"stream":true,"stream_options":[]}"#), None);
    }

    #[test]
    fn only_chat_and_completions_of_openai_are_rewritten() {
        let body = br#"{"model":"m","input":"Hi","stream":true}"#;
        for path in [
            "/v1/chat/completions",
            "/v1/completions",
            "/openai/deployments/d/chat/completions?api-version=2024-10-21",
            "/v1/chat/completions/",
        ] {
            assert!(
                inspect_request(Provider::OpenAi, path, body).usage_added,
                "{path}"
            );
        }
        for path in [
            "/v1/responses",
            "/v1/embeddings",
            "/v1/chat/completions/abc",
            "/v1/completionsx",
            "",
        ] {
            let r = inspect_request(Provider::OpenAi, path, body);
            assert!(!r.usage_added && r.body.is_none() && r.stream, "{path}");
        }
        let r = inspect_request(
            Provider::Anthropic,
            "/v1/messages",
            br#"{"model":"claude-sonnet-4-5","stream":true,"max_tokens":1024,"messages":[]}"#,
        );
        assert_eq!(r.inspection, Inspection::Inspected);
        assert!(r.stream && !r.usage_added && r.body.is_none());
        assert_eq!(r.model.as_deref(), Some("claude-sonnet-4-5"));
        assert!(!inspect_request(Provider::Anthropic, CHAT, body).usage_added);
    }

    #[test]
    fn keeps_every_other_byte() {
        let body = "\n  {\n  \"stream\" : true ,\n  \"n\": 1.000000000000000000000000001e400,\n  \"big\": 123456789012345678901234567890,\n  \"s\": \"\\u00e9\\ud83d\\ude00\"\n}\n";
        let out = rewritten(body).unwrap();
        assert_eq!(
            out,
            body.replacen('{', r#"{"stream_options":{"include_usage":true},"#, 1)
        );
    }

    #[test]
    fn unreadable_bodies_are_not_inspected() {
        for body in [
            &b""[..],
            b"[]",
            b"null",
            b"{",
            b"{\"stream\":true} x",
            b"\xEF\xBB\xBF{}",
        ] {
            let r = inspect_request(Provider::OpenAi, CHAT, body);
            assert_eq!(r.inspection, Inspection::NotJsonObject, "{body:?}");
            assert_eq!(
                r,
                LlmRequest {
                    inspection: Inspection::NotJsonObject,
                    ..LlmRequest::default()
                }
            );
        }
        let mut big = br#"{"stream":true,"x":""#.to_vec();
        big.resize(REQUEST_BODY_MAX - 2, b'a');
        big.extend_from_slice(br#""}"#);
        assert!(inspect_request(Provider::OpenAi, CHAT, &big).usage_added);
        big.insert(1, b' ');
        let r = inspect_request(Provider::OpenAi, CHAT, &big);
        assert_eq!(
            r,
            LlmRequest {
                inspection: Inspection::TooLarge,
                ..LlmRequest::default()
            }
        );
    }

    #[test]
    fn model_must_be_a_plausible_string() {
        let model = |body: &str| {
            inspect_request(Provider::Anthropic, "/v1/messages", body.as_bytes()).model
        };
        assert_eq!(
            model(r#"{"model":"claude\u002dx"}"#).as_deref(),
            Some("claude-x")
        );
        assert_eq!(model(r#"{"model":1}"#), None);
        assert_eq!(model(r#"{"model":"a\nb"}"#), None);
        assert_eq!(
            model(&format!(r#"{{"model":"{}"}}"#, "m".repeat(MODEL_MAX + 1))),
            None
        );
        assert_eq!(model(r#"{"model":"a","model":"b"}"#).as_deref(), Some("b"));
    }
}
