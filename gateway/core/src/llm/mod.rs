//! LLM routes: reading what a request to an LLM API used (model, input and
//! output tokens) from the provider's own usage report, as the response
//! streams to the client, without buffering it.
//!
//! A route may be marked as an LLM API of a [`Provider`]. The gateway then
//!
//! 1. reads the request's JSON body ([`inspect_request`]): the model,
//!    whether it streams, and, for an OpenAI chat or completions stream
//!    whose client did not ask for usage, a body that asks for it
//!    (`stream_options.include_usage`);
//! 2. feeds every chunk of the response to a [`UsageScanner`], which finds
//!    the `usage` object of a JSON answer, or the usage in the events of a
//!    server-sent event stream (OpenAI's final chunk or `response.usage`
//!    of the Responses API, Anthropic's `message_start` and
//!    `message_delta`), and, where the gateway asked for usage on the
//!    client's behalf, removes what the upstream added for it, so the
//!    client gets the stream it asked for;
//! 3. records the [`LlmUsage`] it returns at the end.
//!
//! The pieces, one concern each:
//!
//! * [`provider`] — [`Provider`];
//! * [`request`] — [`inspect_request`], [`LlmRequest`], the body limit;
//! * [`scan`] — [`UsageScanner`] and what it answers per chunk ([`Feed`])
//!   and at the end ([`Finished`]);
//! * [`sse`] — the event-stream reader, and what stripping removes;
//! * [`json`] — the streaming JSON scanner below both: which members it
//!   reads, and its bounds;
//! * [`counts`] — [`LlmUsage`], and how the providers' counters (cached
//!   input above all) combine into it.
//!
//! Nothing here does I/O or can fail: what cannot be read is passed through
//! unread, and the usage is then `None`. Memory per request is bounded:
//! the request body up to [`REQUEST_BODY_MAX`] (held by the front-end),
//! and per response a few hundred bytes plus, only while stripping, one
//! unfinished event of at most [`EVENT_HOLD_MAX`] bytes.
//!
//! A front-end, per request on an LLM route (the native gateway with
//! hyper `Bytes`, the Worker with the chunks of a `TransformStream`; both
//! the same way):
//!
//! ```
//! use tokenctl_gateway::llm::{self, Feed, Provider, ResponseKind};
//!
//! // The request: buffer the body only if it is JSON, not compressed and
//! // at most REQUEST_BODY_MAX bytes; otherwise stream it through and use
//! // `LlmRequest::default()` (nothing known, nothing changed).
//! let client_body = br#"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#;
//! let request = llm::inspect_request(Provider::OpenAi, "/v1/chat/completions", client_body);
//! let upstream_body = request.body.as_deref().unwrap_or(client_body);
//! // Send `upstream_body` (with its own Content-Length) and
//! // `Accept-Encoding: identity`, so the answer can be read.
//! assert!(request.usage_added);
//!
//! // The response: pick the scanner from its headers; None means it passes
//! // unread (compressed, or neither JSON nor an event stream).
//! let kind = ResponseKind::from_headers(Some("text/event-stream"), None).unwrap();
//! let mut scanner = request.scanner(kind);
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
//! let model = usage.model.clone().or(request.model.clone());
//! assert_eq!((usage.input_tokens, usage.output_tokens), (8, 1));
//! assert_eq!(model.as_deref(), Some("gpt-4o-2024-08-06"));
//! // The client did not ask for usage, so it gets the stream it asked for.
//! assert_eq!(
//!     to_client,
//!     b"data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n"
//! );
//! ```

pub mod counts;
pub mod json;
pub mod provider;
pub mod request;
pub mod scan;
pub mod sse;

pub use counts::{LlmUsage, MODEL_MAX};
pub use json::MAX_DEPTH;
pub use provider::{Provider, UnknownProvider};
pub use request::{inspect_request, Inspection, LlmRequest, REQUEST_BODY_MAX};
pub use scan::{is_json_content_type, Feed, Finished, ResponseKind, UsageScanner};
pub use sse::EVENT_HOLD_MAX;
