//! Counters of one listener, readable while it serves.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Live counters, shared with health endpoints through
/// [`Listener::stats`](crate::Listener::stats).
#[derive(Debug)]
pub struct Stats {
    max: usize,
    pub(crate) open: AtomicUsize,
    pub(crate) accepted: AtomicU64,
    pub(crate) evicted: AtomicU64,
    pub(crate) timed_out: AtomicU64,
    pub(crate) idle_closed: AtomicU64,
    pub(crate) accept_errors: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Connections open now.
    pub open: usize,
    /// The most connections allowed open at once.
    pub max: usize,
    /// Connections accepted since start.
    pub accepted: u64,
    /// Idle connections closed to make room for a new one.
    pub evicted: u64,
    /// Connections closed because their request headers (or their first
    /// request) did not arrive within the header-read timeout.
    pub timed_out: u64,
    /// Connections shut down after the keep-alive timeout without traffic.
    pub idle_closed: u64,
    /// Failed accepts (out of descriptors, a client gone before its
    /// connection was accepted, …).
    pub accept_errors: u64,
}

impl Stats {
    pub(crate) fn new(max: usize) -> Stats {
        Stats {
            max,
            open: AtomicUsize::new(0),
            accepted: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
            timed_out: AtomicU64::new(0),
            idle_closed: AtomicU64::new(0),
            accept_errors: AtomicU64::new(0),
        }
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            open: self.open.load(Ordering::Relaxed),
            max: self.max,
            accepted: self.accepted.load(Ordering::Relaxed),
            evicted: self.evicted.load(Ordering::Relaxed),
            timed_out: self.timed_out.load(Ordering::Relaxed),
            idle_closed: self.idle_closed.load(Ordering::Relaxed),
            accept_errors: self.accept_errors.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
