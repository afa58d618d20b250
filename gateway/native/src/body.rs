//! Bodies that stream through the gateway frame by frame (never buffered),
//! counting bytes, and the response body that records the request's usage
//! event when it ends.

use crate::spool::{UsageRecord, UsageSink};
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

/// The client's request body on its way upstream, counting bytes.
pub struct CountingBody {
    inner: Incoming,
    count: Arc<AtomicU64>,
}

impl CountingBody {
    pub fn new(inner: Incoming, count: Arc<AtomicU64>) -> CountingBody {
        CountingBody { inner, count }
    }
}

impl Body for CountingBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let poll = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &poll {
            if let Some(data) = frame.data_ref() {
                self.count.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A usage event waiting for its response to finish.
pub struct PendingUsage {
    pub record: UsageRecord,
    pub started: Instant,
    pub bytes_in: Arc<AtomicU64>,
    pub sink: UsageSink,
}

impl PendingUsage {
    fn finish(mut self, bytes_out: u64, error_code: Option<&'static str>) {
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
        body: Incoming,
        usage: Option<PendingUsage>,
        bytes: u64,
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

    pub fn upstream(body: Incoming, usage: PendingUsage) -> ProxyBody {
        ProxyBody::Upstream {
            body,
            usage: Some(usage),
            bytes: 0,
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
        let (usage, bytes) = self.usage_and_bytes();
        if let Some(u) = usage.take() {
            u.finish(*bytes, error_code);
        }
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
            ProxyBody::Upstream { body, .. } => {
                let poll = Pin::new(&mut *body).poll_frame(cx);
                (poll, body.is_end_stream())
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
            ProxyBody::Upstream { body, .. } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Local { body, .. } => body.size_hint(),
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
