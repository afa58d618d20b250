//! What to do when `accept` fails: the kind of failure, the back-off
//! schedule, and how often to say so in the log.

use std::io;
use std::time::{Duration, Instant};

/// How an `accept` failure is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptError {
    /// One pending connection failed (the client went away, a firewall
    /// refused it): the next may succeed at once.
    PerConnection,
    /// The process or system ran out of descriptors or memory: retrying at
    /// once fails again, so back off.
    Exhausted,
    /// Anything else: back off too, so that an unexpected error cannot spin.
    Other,
}

impl AcceptError {
    pub fn of(e: &io::Error) -> AcceptError {
        if let Some(code) = e.raw_os_error() {
            if is_exhaustion(code) {
                return AcceptError::Exhausted;
            }
            if is_per_connection(code) {
                return AcceptError::PerConnection;
            }
        }
        match e.kind() {
            io::ErrorKind::OutOfMemory => AcceptError::Exhausted,
            io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
            | io::ErrorKind::PermissionDenied => AcceptError::PerConnection,
            _ => AcceptError::Other,
        }
    }
}

#[cfg(unix)]
fn is_exhaustion(code: i32) -> bool {
    [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM].contains(&code)
}

#[cfg(windows)]
fn is_exhaustion(code: i32) -> bool {
    // WSAEMFILE, WSAENOBUFS
    [10024, 10055].contains(&code)
}

#[cfg(not(any(unix, windows)))]
fn is_exhaustion(_code: i32) -> bool {
    false
}

/// Errors that accept(2) on Linux passes on from the pending connection
/// (its manual says to treat them like EAGAIN and retry).
#[cfg(unix)]
fn is_per_connection(code: i32) -> bool {
    [
        libc::ECONNABORTED,
        libc::EPROTO,
        libc::EPERM,
        libc::ENOPROTOOPT,
        libc::EHOSTDOWN,
        libc::EHOSTUNREACH,
        libc::ENETDOWN,
        libc::ENETUNREACH,
        libc::EOPNOTSUPP,
    ]
    .contains(&code)
}

#[cfg(not(unix))]
fn is_per_connection(_code: i32) -> bool {
    false
}

/// Delays between failed accepts: 10 ms, doubling up to 1 s; back to 10 ms
/// after a success.
#[derive(Debug, Default)]
pub struct Backoff {
    last: Option<Duration>,
}

impl Backoff {
    pub const FIRST: Duration = Duration::from_millis(10);
    pub const MAX: Duration = Duration::from_secs(1);

    /// The delay before the next attempt after a failure.
    pub fn next_delay(&mut self) -> Duration {
        let delay = match self.last {
            None => Self::FIRST,
            Some(last) => (last * 2).min(Self::MAX),
        };
        self.last = Some(delay);
        delay
    }

    pub fn reset(&mut self) {
        self.last = None;
    }
}

/// Lets one log line through per interval and counts the rest.
#[derive(Debug)]
pub struct LogLimiter {
    interval: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl LogLimiter {
    pub fn new(interval: Duration) -> LogLimiter {
        LogLimiter {
            interval,
            last: None,
            suppressed: 0,
        }
    }

    /// Whether to log an event that happens at `now`: `Some(n)` with the
    /// number of events left unlogged since the last line, or `None` to
    /// stay quiet (the event is counted).
    pub fn allow(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_one_second_and_resets() {
        let mut b = Backoff::default();
        let ms: Vec<u128> = (0..10).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(ms, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(10));
    }

    #[test]
    fn one_line_per_interval_with_the_count_of_the_rest() {
        let mut log = LogLimiter::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(log.allow(t0), Some(0), "the first event is logged");
        // A thousand failures within the minute: none logged.
        for i in 1..=1000 {
            assert_eq!(log.allow(t0 + Duration::from_millis(i * 50)), None);
        }
        // The next one after the interval says how many were left out.
        assert_eq!(log.allow(t0 + Duration::from_secs(61)), Some(1000));
        assert_eq!(log.allow(t0 + Duration::from_secs(62)), None);
        assert_eq!(log.allow(t0 + Duration::from_secs(121)), Some(1));
        // A clock read out of order never logs early.
        assert_eq!(log.allow(t0), None);
    }

    #[cfg(unix)]
    #[test]
    fn exhaustion_backs_off_and_a_failed_connection_does_not() {
        let os = io::Error::from_raw_os_error;
        for code in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert_eq!(AcceptError::of(&os(code)), AcceptError::Exhausted, "{code}");
        }
        for code in [libc::ECONNABORTED, libc::EPROTO, libc::EPERM, libc::EINTR] {
            assert_eq!(
                AcceptError::of(&os(code)),
                AcceptError::PerConnection,
                "{code}"
            );
        }
        assert_eq!(AcceptError::of(&os(libc::EBADF)), AcceptError::Other);
        assert_eq!(
            AcceptError::of(&io::Error::from(io::ErrorKind::ConnectionReset)),
            AcceptError::PerConnection
        );
    }
}
