//! The limits a [`Listener`](crate::Listener) enforces, and how the default
//! number of connections follows from the file-descriptor limit.

use std::time::Duration;

/// The most connections a default ever allows, whatever the descriptor
/// limit: past this, memory and scheduling matter more than descriptors.
pub const MAX_CONNECTIONS_CAP: usize = 10_000;

/// The longest timeout accepted: anything longer is a typo, and timers
/// far in the future overflow.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Timeouts and the connection limit of one listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's headers, and to send
    /// its first request at all (on any protocol). On HTTP/1.1 it also runs
    /// while a kept-alive connection waits for its next request (from the
    /// end of the last response, as hyper's own timer did), so an idle
    /// HTTP/1.1 connection is closed after the shorter of this and
    /// `keep_alive_timeout`.
    pub header_read_timeout: Duration,
    /// A connection on which nothing was read or written for this long is
    /// shut down gracefully (a request in flight is finished first; HTTP/2
    /// gets a GOAWAY).
    pub keep_alive_timeout: Duration,
    /// The most connections open at once. At the limit a connection with no
    /// request in flight is closed to make room: preferably one that has
    /// not sent a whole request yet, else a kept-alive one; the one idle
    /// longest. Only when every connection is busy does a newcomer wait in
    /// the kernel's backlog.
    pub max_connections: usize,
    /// On shutdown, how long connections get to finish their requests
    /// before they are closed.
    pub shutdown_timeout: Duration,
}

impl Limits {
    /// hyper's own default header-read timeout.
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(60);
    pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

    /// The default timeouts, and a connection limit derived from the current
    /// soft `RLIMIT_NOFILE` for a process that needs `fds_per_connection`
    /// descriptors per client connection (1 for the control plane, 2 for the
    /// gateway, which opens an upstream connection per client connection).
    pub fn new(fds_per_connection: usize) -> Limits {
        Limits {
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            keep_alive_timeout: Self::DEFAULT_KEEP_ALIVE_TIMEOUT,
            max_connections: derive_max_connections(fd_limit(), fds_per_connection),
            shutdown_timeout: Self::DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }

    /// Refuses limits that cannot work: no connections, zero or absurdly
    /// long timeouts.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_connections == 0 {
            return Err("the maximum number of connections must be at least 1".into());
        }
        for (name, value) in [
            ("header-read timeout", self.header_read_timeout),
            ("keep-alive timeout", self.keep_alive_timeout),
            ("shutdown timeout", self.shutdown_timeout),
        ] {
            check_timeout(value).map_err(|e| format!("the {name} {e}"))?;
        }
        Ok(())
    }
}

/// Accepts a timeout above zero and at most [`MAX_TIMEOUT`]; the error
/// completes a sentence such as "the keep-alive timeout …".
pub fn check_timeout(value: Duration) -> Result<(), String> {
    if value.is_zero() {
        Err("must be more than zero".into())
    } else if value > MAX_TIMEOUT {
        Err("must be at most 24h".into())
    } else {
        Ok(())
    }
}

/// Descriptors kept back for everything that is not a client connection:
/// the listener, database connections and files, the usage spool, the
/// config snapshot, connections to the control plane, logs. A quarter of
/// the limit, at least 32 and at most 1024.
pub fn reserved_fds(fd_limit: u64) -> u64 {
    (fd_limit / 4).clamp(32, 1024)
}

/// The default connection limit for a soft descriptor limit (`None`:
/// no such limit on this platform): what is left after
/// [`reserved_fds`], divided by the descriptors one connection needs, at
/// least 1 and at most [`MAX_CONNECTIONS_CAP`].
pub fn derive_max_connections(fd_limit: Option<u64>, fds_per_connection: usize) -> usize {
    let Some(limit) = fd_limit else {
        return MAX_CONNECTIONS_CAP;
    };
    let per_connection = fds_per_connection.max(1) as u64;
    let available = limit.saturating_sub(reserved_fds(limit)) / per_connection;
    usize::try_from(available)
        .unwrap_or(usize::MAX)
        .clamp(1, MAX_CONNECTIONS_CAP)
}

/// The soft `RLIMIT_NOFILE` of this process, if the platform has one.
pub fn fd_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit, as servers commonly
/// do at start: the soft limit is often a low default (1024) kept for old
/// programs using `select`. Returns the soft limit now in force.
pub fn raise_fd_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(limit) => Some(limit),
            Err(e) => {
                tracing::debug!(error = %e, "cannot raise the file-descriptor limit");
                fd_limit()
            }
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_connection_limit_leaves_a_reserve() {
        // The common default soft limit: a quarter is kept back.
        assert_eq!(derive_max_connections(Some(1024), 1), 768);
        // The gateway needs an upstream descriptor per client connection.
        assert_eq!(derive_max_connections(Some(1024), 2), 384);
        // A small limit still keeps 32 back and allows some connections.
        assert_eq!(derive_max_connections(Some(64), 2), 16);
        assert_eq!(derive_max_connections(Some(64), 1), 32);
        // Never zero, even when the reserve eats everything.
        assert_eq!(derive_max_connections(Some(10), 2), 1);
        assert_eq!(derive_max_connections(Some(0), 0), 1);
        // Large limits: the reserve stops at 1024, the result at the cap.
        assert_eq!(derive_max_connections(Some(8192), 2), (8192 - 1024) / 2);
        assert_eq!(
            derive_max_connections(Some(1 << 20), 1),
            MAX_CONNECTIONS_CAP
        );
        assert_eq!(
            derive_max_connections(Some(u64::MAX), 2),
            MAX_CONNECTIONS_CAP
        );
        assert_eq!(derive_max_connections(None, 2), MAX_CONNECTIONS_CAP);
    }

    #[test]
    fn nonsense_limits_are_refused() {
        let ok = Limits {
            header_read_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(60),
            max_connections: 10,
            shutdown_timeout: Duration::from_secs(30),
        };
        assert_eq!(ok.validate(), Ok(()));
        let no_connections = Limits {
            max_connections: 0,
            ..ok
        };
        assert!(no_connections
            .validate()
            .unwrap_err()
            .contains("at least 1"));
        let zero = Limits {
            header_read_timeout: Duration::ZERO,
            ..ok
        };
        assert!(zero
            .validate()
            .unwrap_err()
            .contains("header-read timeout must be more than zero"));
        let huge = Limits {
            keep_alive_timeout: Duration::from_secs(90_000),
            ..ok
        };
        assert!(huge
            .validate()
            .unwrap_err()
            .contains("keep-alive timeout must be at most 24h"));
    }

    #[test]
    fn defaults_are_valid() {
        let limits = Limits::new(2);
        assert_eq!(limits.validate(), Ok(()));
        assert_eq!(limits.header_read_timeout, Duration::from_secs(30));
        assert_eq!(limits.keep_alive_timeout, Duration::from_secs(60));
    }
}
