//! What the request path records, and the bounded buffer it records into.

use super::SpoolStats;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tokenctl_gateway::usage::event::USER_AGENT_MAX;
use tokenctl_gateway::usage::{event_id, Answered, LlmOutcome, RequestUsage};

/// One request's usage, as the request path knows it: cheap to build
/// (no string formatting, no id generation). The writer thread turns it
/// into a [`UsageEvent`].
#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub at: chrono::DateTime<chrono::Utc>,
    pub method: http::Method,
    /// Status, token, route, error code, and whether the gateway refused
    /// the request before forwarding it (such events are the first to go
    /// when the spool is full).
    pub answered: Answered,
    pub latency: Duration,
    pub upstream_latency: Option<Duration>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Formatted once per connection (see `proxy::Peer`).
    pub client_ip: Arc<str>,
    /// At most [`USER_AGENT_MAX`] bytes, copied out of the request (see
    /// [`UsageRecord::user_agent`]).
    pub user_agent: Option<Box<str>>,
    /// On an LLM route: the model and token counts read.
    pub llm: Option<Box<LlmOutcome>>,
}

impl UsageRecord {
    /// The `User-Agent` to keep: its first [`USER_AGENT_MAX`] bytes,
    /// copied, so a buffered record never holds on to the request's header
    /// block (which a client can make large).
    pub fn user_agent(value: Option<&http::HeaderValue>) -> Option<Box<str>> {
        let bytes = value?.as_bytes();
        let cut = &bytes[..bytes.len().min(USER_AGENT_MAX)];
        Some(String::from_utf8_lossy(cut).into())
    }

    /// The request's usage, borrowed: the core builds and normalises the
    /// event ingest receives from it.
    pub fn usage(&self) -> RequestUsage<'_> {
        RequestUsage {
            at: self.at,
            method: self.method.as_str(),
            client_ip: Some(&self.client_ip),
            user_agent: self.user_agent.as_deref(),
            answered: self.answered,
            latency: self.latency,
            upstream_latency: self.upstream_latency,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            llm: self.llm.as_deref(),
        }
    }
}

/// A UUIDv7 for an event that happened at `at`.
pub fn new_event_id(at: chrono::DateTime<chrono::Utc>) -> uuid::Uuid {
    event_id(at, &rand::random())
}

/// Where the request path records events. Cheap to clone.
///
/// Recording is a push onto a shared buffer: no syscall and no thread
/// wake-up per request. The writer thread collects the buffer every
/// [`COLLECT_EVERY`] (or at once when it reaches [`HIGH_WATER`]). If the
/// writer falls behind (a slow disk), the buffer stops taking events of
/// denied requests at [`MAX_BUFFERED_DENIED`] and all events at
/// [`MAX_BUFFERED`], counting what it drops.
#[derive(Clone)]
pub struct UsageSink {
    shared: Arc<SinkShared>,
}

struct SinkShared {
    buffer: Mutex<Vec<UsageRecord>>,
    wake: Condvar,
    closed: AtomicBool,
    stats: Arc<SpoolStats>,
}

/// How often the writer collects recorded events.
const COLLECT_EVERY: Duration = Duration::from_millis(20);
/// A buffer this full wakes the writer early.
const HIGH_WATER: usize = 4096;
/// Buffered records beyond which events of denied requests are dropped.
const MAX_BUFFERED_DENIED: usize = 32_768;
/// Buffered records beyond which every event is dropped.
const MAX_BUFFERED: usize = 65_536;

impl UsageSink {
    pub(super) fn new(stats: Arc<SpoolStats>) -> UsageSink {
        UsageSink {
            shared: Arc::new(SinkShared {
                buffer: Mutex::new(Vec::with_capacity(HIGH_WATER)),
                wake: Condvar::new(),
                closed: AtomicBool::new(false),
                stats,
            }),
        }
    }

    pub fn record(&self, event: UsageRecord) {
        let mut buffer = self.shared.buffer.lock().expect("not poisoned");
        let cap = if event.answered.refused {
            MAX_BUFFERED_DENIED
        } else {
            MAX_BUFFERED
        };
        if buffer.len() >= cap {
            drop(buffer);
            self.shared
                .stats
                .dropped(event.answered.refused)
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        buffer.push(event);
        if buffer.len() == HIGH_WATER {
            self.shared.wake.notify_one();
        }
    }

    /// Tells the writer to write out what is buffered and stop.
    pub fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.wake.notify_one();
    }

    /// Waits for events: everything buffered (possibly nothing, after
    /// [`COLLECT_EVERY`]), or `None` once closed and empty.
    pub(super) fn collect(&self) -> Option<Vec<UsageRecord>> {
        let mut buffer = self.shared.buffer.lock().expect("not poisoned");
        if buffer.is_empty() && !self.shared.closed.load(Ordering::Acquire) {
            buffer = self
                .shared
                .wake
                .wait_timeout(buffer, COLLECT_EVERY)
                .expect("not poisoned")
                .0;
        }
        if buffer.is_empty() && self.shared.closed.load(Ordering::Acquire) {
            return None;
        }
        Some(std::mem::take(&mut *buffer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_copied_and_cut() {
        let long = http::HeaderValue::from_str(&"a".repeat(10_000)).unwrap();
        assert_eq!(
            UsageRecord::user_agent(Some(&long)).unwrap().len(),
            USER_AGENT_MAX
        );
        let odd = http::HeaderValue::from_bytes(b"caf\xc3\xa9 \xff").unwrap();
        assert_eq!(
            UsageRecord::user_agent(Some(&odd)).as_deref(),
            Some("café \u{fffd}")
        );
        assert_eq!(UsageRecord::user_agent(None), None);
    }
}
