//! LLM routes: reading what a request to an LLM API used (model, input and
//! output tokens) from the provider's own usage report, as the response
//! streams to the client, without buffering it.
//!
//! A front-end feeds every chunk of the response to a [`UsageScanner`],
//! which finds the `usage` object of a JSON answer, or the usage in the
//! events of a server-sent event stream (OpenAI's final chunk or
//! `response.usage` of the Responses API, Anthropic's `message_start` and
//! `message_delta`), and, where the gateway asked for usage on the
//! client's behalf, removes what the upstream added for it, so the client
//! gets the stream it asked for. It records the [`LlmUsage`] returned at
//! the end.
//!
//! The pieces, one concern each:
//!
//! * [`scan`] — [`UsageScanner`] and what it answers per chunk ([`Feed`])
//!   and at the end ([`Finished`]);
//! * [`sse`] — the event-stream reader, and what stripping removes;
//! * [`json`] — the streaming JSON scanner below both: which members it
//!   reads, and its bounds;
//! * [`counts`] — [`LlmUsage`], and how the providers' counters (cached
//!   input above all) combine into it.
//!
//! Nothing here does I/O or can fail: what cannot be read is passed through
//! unread, and the usage is then `None`. Memory per response is bounded: a
//! few hundred bytes plus, only while stripping, one unfinished event of at
//! most [`EVENT_HOLD_MAX`] bytes.
//!
//! A front-end, per response on an LLM route (the native gateway with
//! hyper `Bytes`, the Worker with the chunks of a `TransformStream`; both
//! the same way):
//!
//! ```
//! use tokenctl_gateway::llm::{Feed, ResponseKind, UsageScanner};
//!
//! // Pick the scanner from the response headers; None means the body
//! // passes unread (compressed, or neither JSON nor an event stream).
//! let kind = ResponseKind::from_headers(Some("text/event-stream"), None).unwrap();
//! let gateway_asked_for_usage = true;
//! let mut scanner = UsageScanner::new(kind, gateway_asked_for_usage);
//! let upstream_chunks: [&[u8]; 3] = [
//!     b"data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n",
//!     b"data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":1}}\n\n",
//!     b"data: [DONE]\n\n",
//! ];
//! let mut to_client = Vec::new();
//! for chunk in upstream_chunks {
//!     match scanner.feed(chunk) {
//!         Feed::Chunk => to_client.extend_from_slice(chunk), // forward the chunk itself
//!         Feed::Bytes(bytes) => to_client.extend_from_slice(&bytes), // forward these instead
//!     }
//! }
//! // At the end of the body, also when it broke off:
//! let finished = scanner.finish();
//! to_client.extend_from_slice(&finished.rest);
//! let usage = finished.usage.unwrap();
//! assert_eq!((usage.input_tokens, usage.output_tokens), (8, 1));
//! assert_eq!(usage.model.as_deref(), Some("gpt-4o-2024-08-06"));
//! // The client did not ask for usage, so it gets the stream it asked for.
//! assert_eq!(
//!     to_client,
//!     b"data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n"
//! );
//! ```

pub mod counts;
pub mod json;
pub mod scan;
pub mod sse;

pub use counts::{LlmUsage, MODEL_MAX};
pub use json::MAX_DEPTH;
pub use scan::{is_json_content_type, Feed, Finished, ResponseKind, UsageScanner};
pub use sse::EVENT_HOLD_MAX;
