//! LLM routes: reading a small JSON request body whole, so the core can
//! see its model and, for an OpenAI stream, ask the upstream for usage;
//! and picking the response's usage scan. The scanning itself is the
//! core's (`tokenctl_gateway::llm`); the response body feeds it chunk by
//! chunk (`crate::body`).

use crate::body::{CountingBody, LlmScan};
use bytes::{Bytes, BytesMut};
use http::header::{
    HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING,
};
use http::HeaderMap;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokenctl_gateway::llm::{
    inspect_request, is_json_content_type, Inspection, LlmRequest, Provider, ResponseKind,
    REQUEST_BODY_MAX,
};

/// Whether the request body is one the core reads: JSON, not compressed,
/// and not longer than [`REQUEST_BODY_MAX`] by its `Content-Length`.
fn readable(headers: &HeaderMap) -> bool {
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_content_type);
    let plain = headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|e| e.trim().is_empty() || e.trim().eq_ignore_ascii_case("identity"))
        && headers.get_all(CONTENT_ENCODING).iter().count() <= 1;
    let short = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|n| {
            n.trim()
                .parse::<usize>()
                .is_ok_and(|n| n <= REQUEST_BODY_MAX)
        });
    json && plain && short
}

/// The client's body broke off, or stalled past the route's timeout.
pub struct BodyIncomplete;

/// Prepares an LLM request for its upstream: reads the body whole when it
/// is [`readable`] (counting it into `bytes_in`), lets the core inspect it
/// and perhaps rewrite it, and asks the upstream for an uncompressed
/// answer. A body that turns out longer than [`REQUEST_BODY_MAX`] is sent
/// on as it came: what was read, then the rest, streamed.
pub async fn prepare(
    provider: Provider,
    upstream_path: &str,
    headers: &mut HeaderMap,
    body: Incoming,
    bytes_in: &Arc<AtomicU64>,
    timeout: Duration,
) -> Result<(CountingBody, LlmRequest), BodyIncomplete> {
    // The answer is read as it streams; a compressed one could not be.
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    if !readable(headers) {
        return Ok((
            CountingBody::new(body, bytes_in.clone()),
            LlmRequest::default(),
        ));
    }
    let mut body = body;
    let mut read = BytesMut::new();
    let collect = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyIncomplete)?;
            if let Ok(data) = frame.into_data() {
                bytes_in.fetch_add(data.len() as u64, Ordering::Relaxed);
                read.extend_from_slice(&data);
                if read.len() > REQUEST_BODY_MAX {
                    return Ok(false);
                }
            }
        }
        Ok::<bool, BodyIncomplete>(true)
    };
    let whole = tokio::time::timeout(timeout, collect)
        .await
        .map_err(|_| BodyIncomplete)??;
    let read = read.freeze();
    if !whole {
        let request = LlmRequest {
            inspection: Inspection::TooLarge,
            ..LlmRequest::default()
        };
        return Ok((
            CountingBody::prefixed(read, Some(body), bytes_in.clone()),
            request,
        ));
    }
    let mut request = inspect_request(provider, upstream_path, &read);
    let send = match request.body.take() {
        Some(rewritten) => Bytes::from(rewritten),
        None => read,
    };
    headers.remove(TRANSFER_ENCODING);
    headers.insert(CONTENT_LENGTH, HeaderValue::from(send.len()));
    Ok((
        CountingBody::prefixed(send, None, bytes_in.clone()),
        request,
    ))
}

/// The usage scan of the response to `request`, when its headers say it
/// can be read. When the gateway asked for usage on the client's behalf,
/// the answer may get shorter, so its `Content-Length` goes.
pub fn scan(request: &LlmRequest, headers: &mut HeaderMap) -> Option<LlmScan> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let kind = ResponseKind::from_headers(header(CONTENT_TYPE), header(CONTENT_ENCODING))?;
    if request.usage_added {
        headers.remove(CONTENT_LENGTH);
    }
    Some(LlmScan {
        scanner: request.scanner(kind),
        requested_model: request.model.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_short_plain_json_bodies_are_read() {
        assert!(readable(&headers(&[("content-type", "application/json")])));
        assert!(readable(&headers(&[
            ("content-type", "application/json; charset=utf-8"),
            ("content-length", "1048576"),
            ("content-encoding", "identity"),
        ])));
        for h in [
            headers(&[]),
            headers(&[("content-type", "text/plain")]),
            headers(&[("content-type", "multipart/form-data; boundary=x")]),
            headers(&[
                ("content-type", "application/json"),
                ("content-encoding", "gzip"),
            ]),
            headers(&[
                ("content-type", "application/json"),
                ("content-length", "1048577"),
            ]),
            headers(&[
                ("content-type", "application/json"),
                ("content-length", "x"),
            ]),
        ] {
            assert!(!readable(&h), "{h:?}");
        }
    }

    #[test]
    fn a_stripped_answer_loses_its_length() {
        let request = LlmRequest {
            usage_added: true,
            model: Some("gpt-4o".into()),
            ..LlmRequest::default()
        };
        let mut h = headers(&[
            ("content-type", "text/event-stream"),
            ("content-length", "100"),
        ]);
        let scan = scan(&request, &mut h).unwrap();
        assert_eq!(scan.requested_model.as_deref(), Some("gpt-4o"));
        assert!(h.get(CONTENT_LENGTH).is_none());
        let mut gz = headers(&[
            ("content-type", "text/event-stream"),
            ("content-encoding", "gzip"),
        ]);
        assert!(super::scan(&request, &mut gz).is_none());
    }
}
