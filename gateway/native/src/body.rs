//! Bodies that stream through the gateway frame by frame (never buffered),
//! counting bytes, and the response body that records the request's usage
//! event when it ends. On an LLM route, the request body may have been read
//! whole first (a small JSON body, see `tokenctl_gateway::llm`), and every
//! response chunk passes through the core's usage scanner on its way out.

use crate::spool::{UsageRecord, UsageSink};
use crate::upstream::UpstreamBody;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;
use hyper::body::Incoming;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tokenctl_gateway::code;
use tokenctl_gateway::llm::{Feed, UsageScanner};
use tokenctl_gateway::usage::LlmOutcome;

/// The client's request body on its way upstream, counting the bytes
/// received from the client.
pub struct CountingBody {
    /// Bytes read from the client before forwarding began (an LLM
    /// request's body, or the start of one too long to read whole), sent
    /// first; already counted.
    prefix: Option<Bytes>,
    /// The rest of the client's body, if any is left.
    inner: Option<Incoming>,
    count: Arc<AtomicU64>,
}

impl CountingBody {
    pub fn new(inner: Incoming, count: Arc<AtomicU64>) -> CountingBody {
        CountingBody {
            prefix: None,
            inner: Some(inner),
            count,
        }
    }

    /// `prefix` (already counted), then what is left of the client's body.
    pub fn prefixed(prefix: Bytes, rest: Option<Incoming>, count: Arc<AtomicU64>) -> CountingBody {
        CountingBody {
            prefix: (!prefix.is_empty()).then_some(prefix),
            inner: rest,
            count,
        }
    }
}

impl Body for CountingBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        if let Some(prefix) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let poll = Pin::new(inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &poll {
            if let Some(data) = frame.data_ref() {
                self.count.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let prefix = self.prefix.as_ref().map_or(0, |p| p.len() as u64);
        let rest = self
            .inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint);
        let mut hint = SizeHint::new();
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper + prefix);
        }
        hint.set_lower(rest.lower() + prefix);
        hint
    }
}

/// The usage scan of one LLM response: the core's scanner, and the model
/// the request asked for.
pub struct LlmScan {
    pub scanner: UsageScanner,
    pub requested_model: Option<String>,
}

impl LlmScan {
    /// Ends the scan: the bytes still to send, and what to record.
    fn finish(self) -> (Vec<u8>, LlmOutcome) {
        let finished = self.scanner.finish();
        (
            finished.rest,
            LlmOutcome {
                requested_model: self.requested_model,
                usage: finished.usage,
            },
        )
    }
}

/// A usage event waiting for its response to finish.
pub struct PendingUsage {
    pub record: UsageRecord,
    pub started: Instant,
    pub bytes_in: Arc<AtomicU64>,
    pub sink: UsageSink,
    /// Where the answer's LLM tokens count, on an LLM route whose token or
    /// team has an LLM-token quota or a budget.
    pub quota: Option<crate::quota::LlmCharge>,
}

impl PendingUsage {
    fn finish(mut self, bytes_out: u64, error_code: Option<&'static str>) {
        if let (Some(charge), Some(llm)) = (&self.quota, &self.record.llm) {
            charge.record(llm, self.record.at);
        }
        self.record.latency = self.started.elapsed();
        self.record.bytes_in = self.bytes_in.load(Ordering::Relaxed);
        self.record.bytes_out = bytes_out;
        if let Some(code) = error_code {
            self.record.answered.cut_short(code);
        }
        self.sink.record(self.record);
    }
}

/// What the gateway answers with: its own small JSON bodies, or the
/// upstream's body streamed through.
pub enum ProxyBody {
    Local {
        body: Full<Bytes>,
        usage: Option<PendingUsage>,
        bytes: u64,
    },
    Upstream {
        body: UpstreamBody,
        usage: Option<PendingUsage>,
        bytes: u64,
        /// On an LLM route whose response can be read.
        llm: Option<Box<LlmScan>>,
        /// The scan ended with bytes still to send: sent as the last frame.
        rest: Option<Bytes>,
    },
}

impl ProxyBody {
    pub fn local(body: impl Into<Bytes>, usage: Option<PendingUsage>) -> ProxyBody {
        let body: Bytes = body.into();
        ProxyBody::Local {
            bytes: 0,
            body: Full::new(body),
            usage,
        }
    }

    pub fn upstream(body: UpstreamBody, usage: PendingUsage, llm: Option<LlmScan>) -> ProxyBody {
        ProxyBody::Upstream {
            body,
            usage: Some(usage),
            bytes: 0,
            llm: llm.map(Box::new),
            rest: None,
        }
    }

    fn usage_and_bytes(&mut self) -> (&mut Option<PendingUsage>, &mut u64) {
        match self {
            ProxyBody::Local { usage, bytes, .. } | ProxyBody::Upstream { usage, bytes, .. } => {
                (usage, bytes)
            }
        }
    }

    fn finish(&mut self, error_code: Option<&'static str>) {
        if let ProxyBody::Upstream {
            llm, rest, usage, ..
        } = self
        {
            end_scan(llm, rest, usage);
        }
        let (usage, bytes) = self.usage_and_bytes();
        if let Some(u) = usage.take() {
            u.finish(*bytes, error_code);
        }
    }

    /// The upstream's next frame, through the usage scan: data the scanner
    /// holds back or removes is not sent (a frame left empty is skipped),
    /// and at the end what it still holds is sent as one last frame.
    fn poll_upstream(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let ProxyBody::Upstream {
            body,
            llm,
            rest,
            usage,
            ..
        } = self
        else {
            return Poll::Ready(None);
        };
        loop {
            if let Some(tail) = rest.take() {
                return Poll::Ready(Some(Ok(Frame::data(tail))));
            }
            let poll = Pin::new(&mut *body).poll_frame(cx);
            let Some(scan) = llm.as_mut() else {
                return poll;
            };
            match poll {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => match scan.scanner.feed(&data) {
                        Feed::Chunk => return Poll::Ready(Some(Ok(Frame::data(data)))),
                        Feed::Bytes(bytes) if !bytes.is_empty() => {
                            return Poll::Ready(Some(Ok(Frame::data(Bytes::from(bytes)))))
                        }
                        Feed::Bytes(_) => continue,
                    },
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                Poll::Ready(None) => {
                    end_scan(llm, rest, usage);
                    if rest.is_none() {
                        return Poll::Ready(None);
                    }
                }
                other => return other,
            }
        }
    }
}

/// Ends a response's usage scan, if one runs: its outcome goes into the
/// usage record, the bytes it still held into `rest`, to be sent last.
fn end_scan(
    llm: &mut Option<Box<LlmScan>>,
    rest: &mut Option<Bytes>,
    usage: &mut Option<PendingUsage>,
) {
    let Some(scan) = llm.take() else {
        return;
    };
    let (tail, outcome) = scan.finish();
    if !tail.is_empty() {
        *rest = Some(Bytes::from(tail));
    }
    if let Some(u) = usage {
        u.record.llm = Some(Box::new(outcome));
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let (poll, end) = match this {
            ProxyBody::Local { body, .. } => {
                let poll = match Pin::new(&mut *body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(f))) => Poll::Ready(Some(Ok(f))),
                    Poll::Ready(Some(Err(never))) => match never {},
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => Poll::Pending,
                };
                (poll, body.is_end_stream())
            }
            ProxyBody::Upstream { .. } => {
                let poll = this.poll_upstream(cx);
                (poll, this.is_end_stream())
            }
        };
        match &poll {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    *this.usage_and_bytes().1 += data.len() as u64;
                }
                // The peer may stop polling once the body says it has
                // ended, so record now rather than on the next poll.
                if end {
                    this.finish(None);
                }
            }
            Poll::Ready(Some(Err(_))) => this.finish(Some(code::UPSTREAM_BODY_ERROR)),
            Poll::Ready(None) => this.finish(None),
            Poll::Pending => {}
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ProxyBody::Local { body, .. } => body.is_end_stream(),
            ProxyBody::Upstream {
                body, llm, rest, ..
            } => {
                // A scan that holds bytes back sends them after the
                // upstream's end.
                rest.is_none()
                    && llm.as_ref().is_none_or(|s| s.scanner.held() == 0)
                    && body.is_end_stream()
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Local { body, .. } => body.size_hint(),
            // A scan that strips may change the length.
            ProxyBody::Upstream { llm: Some(_), .. } => SizeHint::default(),
            ProxyBody::Upstream { body, .. } => body.size_hint(),
        }
    }
}

impl Drop for ProxyBody {
    fn drop(&mut self) {
        // Still pending: the response ended early (client went away) or was
        // never polled (e.g. HEAD, or an empty body the server skipped).
        let complete = self.is_end_stream();
        self.finish(if complete {
            None
        } else {
            Some(code::CLIENT_CLOSED)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body read whole before forwarding says its exact length, and
    /// sends it in one frame.
    #[tokio::test]
    async fn a_body_read_whole_is_sent_with_its_length() {
        use http_body_util::BodyExt;
        let count = Arc::new(AtomicU64::new(0));
        let body = CountingBody::prefixed(Bytes::from_static(b"{\"a\":1}"), None, count);
        assert_eq!(body.size_hint().exact(), Some(7));
        assert!(!body.is_end_stream());
        let collected = body.collect().await.unwrap().to_bytes();
        assert_eq!(&collected[..], b"{\"a\":1}");
        let empty = CountingBody::prefixed(Bytes::new(), None, Arc::default());
        assert!(empty.is_end_stream());
        assert_eq!(empty.size_hint().exact(), Some(0));
    }
}
