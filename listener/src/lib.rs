//! Accepting HTTP connections safely: limits, timeouts, accept back-off.
//! Shared by the control plane (`tokenctl server`) and the native gateway
//! (`tokenctl gateway`), so both keep the same contract:
//!
//! * **Header-read timeout** ([`Limits::header_read_timeout`], 30 s by
//!   default, as hyper's): a client that does not send its request headers
//!   in time is disconnected. This also bounds the wait for the *first*
//!   request on any protocol (HTTP/1.1 or h2c), which hyper alone does not.
//! * **Keep-alive idle timeout** ([`Limits::keep_alive_timeout`]): a
//!   connection on which no byte moved for that long is shut down
//!   gracefully. A watchdog per connection reads a timestamp the socket
//!   wrapper updates; no timer is reset per read.
//! * **Connection limit** ([`Limits::max_connections`], derived from the
//!   descriptor limit by default): at the limit, a connection with no
//!   request in flight is closed to make room: one that has not sent a
//!   whole request yet (a slowloris client still sending its first
//!   headers) if there is one, else a kept-alive one between requests; in
//!   either group the one idle longest. Only when every connection is busy
//!   does a newcomer wait in the kernel's backlog.
//! * **Accept failures**: out of descriptors or memory, the accept loop
//!   backs off (10 ms doubling to 1 s) and logs at most one line a minute
//!   with the number left out; an error of one pending connection is
//!   skipped at once.
//! * **Graceful shutdown**: stop accepting, let every connection finish its
//!   requests for up to [`Limits::shutdown_timeout`], then close the rest.
//! * **TLS** (optional, [`Listener::with_tls`]): rustls, ALPN `h2` and
//!   `http/1.1`, a certificate that [`Tls::reload`] swaps for new
//!   handshakes only. The handshake counts against the connection limit
//!   and must finish, with the first request, within the header-read
//!   timeout.
//!
//! [`Stats`] counts what happened, for the health endpoints.
//! [`serve_metrics`] serves the Prometheus scrape endpoint of
//! `--metrics-listen` on a listener of its own.

mod accept;
mod limits;
mod scrape;
mod signal;
mod stats;
pub mod timer;
pub mod tls;
mod track;

pub use limits::{
    check_timeout, derive_max_connections, fd_limit, raise_fd_limit, reserved_fds, Limits,
    MAX_CONNECTIONS_CAP, MAX_TIMEOUT,
};
pub use scrape::{
    bind_metrics, recorder, serve_metrics, Described, Series, METRICS_PATH, TEXT_FORMAT,
};
pub use stats::{Stats, StatsSnapshot};
pub use tls::{Tls, TlsError};

use accept::{AcceptError, Backoff, LogLimiter};
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use signal::Ask;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;
use track::{choose_victim, ConnState, TrackedIo, TrackedService};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How often the accept loop looks again for an idle connection to close
/// while every connection is busy.
const SLOT_RECHECK: Duration = Duration::from_millis(100);

/// How often at most an accept failure is logged.
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(60);

/// A bound TCP listener with its limits, ready to serve.
pub struct Listener {
    tcp: TcpListener,
    limits: Limits,
    tls: Option<Arc<Tls>>,
    /// The open connections, shared with this listener's siblings.
    registry: Arc<Registry>,
}

impl Listener {
    pub fn new(tcp: TcpListener, limits: Limits) -> Listener {
        Listener {
            tcp,
            registry: Arc::new(Registry::new(Arc::new(Stats::new(limits.max_connections)))),
            limits,
            tls: None,
        }
    }

    /// Another listener, e.g. a socket bound to the same address with
    /// `SO_REUSEPORT` and served on another thread, that shares this one's
    /// limits, TLS, counters and open connections: the connection limit,
    /// eviction and graceful shutdown apply to all their connections
    /// together.
    pub fn sibling(&self, tcp: TcpListener) -> Listener {
        Listener {
            tcp,
            limits: self.limits,
            tls: self.tls.clone(),
            registry: self.registry.clone(),
        }
    }

    /// Serves HTTPS with this certificate instead of plain HTTP (`None`:
    /// plain HTTP).
    pub fn with_tls(mut self, tls: Option<Arc<Tls>>) -> Listener {
        self.tls = tls;
        self
    }

    /// The same listener, its socket registered with the runtime of the
    /// calling thread instead of the one it was bound in; for serving it
    /// on a runtime of its own.
    pub fn move_to_current_runtime(self) -> std::io::Result<Listener> {
        let tcp = TcpListener::from_std(self.tcp.into_std()?)?;
        Ok(Listener { tcp, ..self })
    }

    /// Whether connections are TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The live counters, to hand to a health endpoint before serving.
    pub fn stats(&self) -> Arc<Stats> {
        self.registry.stats.clone()
    }

    /// Serves HTTP/1.1 and HTTP/2 (h2c, or h2 over TLS) until `shutdown`
    /// resolves, then shuts down gracefully (see the crate documentation)
    /// and returns.
    /// `make_service` is called once per connection with the client's
    /// address.
    pub async fn serve<M, S, B>(self, mut make_service: M, shutdown: impl Future<Output = ()>)
    where
        M: FnMut(SocketAddr) -> S,
        S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let Listener {
            tcp,
            limits,
            tls,
            registry,
        } = self;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        // The header-read timeout is the watchdog's (see `drive`): hyper's
        // own arms a timer for every request. An answer's head and body are
        // copied into one buffer and written with one `write`: for the
        // small messages that are most of the traffic that costs less than
        // queueing them for `writev` (about 400 instructions per answer).
        builder.http1().header_read_timeout(None).writev(false);
        builder.http2().timer(TokioTimer::new());
        let builder = Arc::new(builder);
        let serve = registry.next_serve.fetch_add(1, Ordering::Relaxed);
        // However serving ends, this `serve`'s connections close: drained
        // below, or at once if this future is dropped.
        let _close_on_drop = CloseOnDrop {
            registry: registry.clone(),
            serve,
        };
        let mut backoff = Backoff::default();
        let mut log = LogLimiter::new(ACCEPT_LOG_INTERVAL);
        tracing::info!(
            tls = tls.is_some(),
            max_connections = limits.max_connections,
            header_read_timeout = ?limits.header_read_timeout,
            keep_alive_timeout = ?limits.keep_alive_timeout,
            "accepting connections"
        );
        tokio::pin!(shutdown);
        'serve: loop {
            // At the limit: make room, or wait for it.
            while registry.open() >= limits.max_connections {
                registry.evict_one();
                tokio::select! {
                    () = &mut shutdown => break 'serve,
                    () = registry.slot_freed.notified() => {}
                    () = tokio::time::sleep(SLOT_RECHECK) => {}
                }
            }
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = tcp.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => {
                    backoff.reset();
                    accepted
                }
                Err(e) => {
                    Stats::count(&registry.stats.accept_errors);
                    let kind = AcceptError::of(&e);
                    if kind == AcceptError::PerConnection {
                        tracing::debug!(error = %e, "accept failed for one connection");
                        continue;
                    }
                    if let Some(suppressed) = log.allow(std::time::Instant::now()) {
                        tracing::warn!(
                            error = %e,
                            failures_not_logged = suppressed,
                            "accept failed; backing off (logged at most once a minute)"
                        );
                    }
                    if kind == AcceptError::Exhausted {
                        // Closing an idle connection frees a descriptor.
                        registry.evict_one();
                    }
                    let delay = backoff.next_delay();
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(delay) => {}
                    }
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let id = registry.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let state = Arc::new(ConnState::new(id, serve, registry.epoch));
            registry.insert(state.clone());
            let service = TrackedService::new(make_service(peer), state.clone());
            let io = TrackedIo::new(stream, state.clone());
            tokio::spawn(run_connection(
                io,
                tls.as_ref().map(|t| t.acceptor()),
                builder.clone(),
                service,
                state,
                registry.clone(),
                limits,
            ));
        }
        drop(tcp);
        registry.drain(serve, limits.shutdown_timeout).await;
    }
}

/// Closes one `serve`'s connections when it ends.
struct CloseOnDrop {
    registry: Arc<Registry>,
    serve: u64,
}

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.registry.ask(self.serve, Ask::Close);
    }
}

/// The open connections (of a listener and its siblings).
struct Registry {
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
    stats: Arc<Stats>,
    /// Signalled whenever a connection closes.
    slot_freed: Notify,
    /// The last connection's id.
    next_id: AtomicU64,
    /// The next `serve` call's number.
    next_serve: AtomicU64,
    /// Connection times are milliseconds after this.
    epoch: Instant,
}

impl Registry {
    fn new(stats: Arc<Stats>) -> Registry {
        Registry {
            conns: Mutex::new(HashMap::new()),
            stats,
            slot_freed: Notify::new(),
            next_id: AtomicU64::new(0),
            next_serve: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn open(&self) -> usize {
        self.stats.open.load(Ordering::Acquire)
    }

    fn insert(&self, conn: Arc<ConnState>) {
        self.stats.open.fetch_add(1, Ordering::AcqRel);
        Stats::count(&self.stats.accepted);
        self.conns
            .lock()
            .expect("not poisoned")
            .insert(conn.id, conn);
    }

    fn remove(&self, id: u64) {
        self.conns.lock().expect("not poisoned").remove(&id);
        self.stats.open.fetch_sub(1, Ordering::AcqRel);
        // Every waiter: siblings' accept loops and drains share the
        // registry. The stored permit covers a waiter about to wait.
        self.slot_freed.notify_waiters();
        self.slot_freed.notify_one();
    }

    /// Asks one connection without a request in flight to close (see
    /// [`choose_victim`]); does nothing when every connection is busy.
    fn evict_one(&self) {
        let conns = self.conns.lock().expect("not poisoned");
        // One at a time: the last one asked may not have closed yet.
        if conns.values().any(|c| c.evicting.load(Ordering::Relaxed)) {
            return;
        }
        if let Some(id) = choose_victim(conns.values().map(|c| c.candidate())) {
            let victim = &conns[&id];
            victim.evicting.store(true, Ordering::Relaxed);
            victim.signal.ask(Ask::Evict);
        }
    }

    /// Asks `ask` of every connection `serve` accepted. Called once that
    /// `serve` accepts no more, so none can be missed.
    fn ask(&self, serve: u64, ask: Ask) {
        let conns = self.conns.lock().expect("not poisoned");
        for conn in conns.values().filter(|c| c.serve == serve) {
            conn.signal.ask(ask);
        }
    }

    /// Asks every connection `serve` accepted to finish and close, waits
    /// up to `timeout`, then closes what is left.
    async fn drain(&self, serve: u64, timeout: Duration) {
        self.ask(serve, Ask::Drain);
        if !self.wait_until_closed(timeout).await {
            tracing::warn!(
                open = self.open(),
                "connections still busy {timeout:?} after shutdown began; closing them"
            );
            self.ask(serve, Ask::Close);
            self.wait_until_closed(Duration::from_secs(1)).await;
        }
    }

    async fn wait_until_closed(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.open() > 0 {
            tokio::select! {
                () = self.slot_freed.notified() => {}
                // A sibling may have taken the wake-up.
                () = tokio::time::sleep(SLOT_RECHECK) => {}
                () = tokio::time::sleep_until(deadline) => return self.open() == 0,
            }
        }
        true
    }
}

/// Removes the connection from the registry however its task ends.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

/// Runs one connection from accept to close: the TLS handshake if there
/// is one, then HTTP under [`drive`]. Registered (counted as open) all
/// along.
#[allow(clippy::too_many_arguments)]
async fn run_connection<S, B>(
    io: TrackedIo<TcpStream>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    service: TrackedService<S>,
    state: Arc<ConnState>,
    registry: Arc<Registry>,
    limits: Limits,
) where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let _registered = Registered {
        registry: registry.clone(),
        id: state.id,
    };
    match tls {
        None => {
            let connection = builder
                .serve_connection(TokioIo::new(io), service)
                .into_owned();
            drive(connection, &state, &registry, limits).await;
        }
        // Boxed: a TLS connection's state (rustls's, the handshake's) would
        // otherwise be part of every plain connection's task too, which
        // lives as long as the connection.
        Some(acceptor) => {
            Box::pin(async move {
                let Some(io) = handshake(acceptor, io, &state, &registry, limits).await else {
                    return;
                };
                let connection = builder
                    .serve_connection(TokioIo::new(io), service)
                    .into_owned();
                drive(connection, &state, &registry, limits).await;
            })
            .await;
        }
    }
}

/// When a connection that has sent no request yet must have sent one: the
/// header-read timeout after it was accepted, or the keep-alive timeout if
/// that is shorter.
fn first_deadline(state: &ConnState, limits: Limits) -> (u64, u64) {
    let header_ms = track::millis(limits.header_read_timeout);
    let idle_ms = track::millis(limits.keep_alive_timeout);
    let first_request_by = state.accepted_ms.saturating_add(header_ms);
    (
        first_request_by,
        first_request_by.min(state.accepted_ms.saturating_add(idle_ms)),
    )
}

/// The TLS handshake, bounded like the wait for a first request and given
/// up on eviction or shutdown. `None`: the connection is to be closed.
async fn handshake<I>(
    acceptor: tokio_rustls::TlsAcceptor,
    io: I,
    state: &ConnState,
    registry: &Registry,
    limits: Limits,
) -> Option<tokio_rustls::server::TlsStream<I>>
where
    I: AsyncRead + AsyncWrite + Unpin,
{
    let stats = &registry.stats;
    let (_, deadline) = first_deadline(state, limits);
    let accept = acceptor.accept(io);
    let timeout = tokio::time::sleep_until(state.at(deadline));
    tokio::select! {
        accepted = accept => match accepted {
            Ok(stream) => Some(stream),
            Err(e) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                None
            }
        },
        () = timeout => {
            Stats::count(&stats.timed_out);
            None
        }
        // Evicted, or shutting down.
        asked = state.signal.asked() => {
            if asked.has(Ask::Evict) {
                Stats::count(&stats.evicted);
            }
            None
        }
    }
}

/// Drives one HTTP connection and its watchdog: the first-request deadline,
/// the header-read timeout between HTTP/1.1 requests, the keep-alive idle
/// timeout, eviction and shutdown. The watchdog reads the times the
/// connection's wrappers note ([`ConnState`]); nothing re-arms a timer per
/// read or per request.
async fn drive<I, S, B>(
    connection: auto::Connection<'static, TokioIo<I>, TrackedService<S>, TokioExecutor>,
    state: &ConnState,
    registry: &Registry,
    limits: Limits,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let stats = &registry.stats;
    let idle_ms = track::millis(limits.keep_alive_timeout);
    let header_ms = track::millis(limits.header_read_timeout);
    let (first_request_by, first_wakeup) = first_deadline(state, limits);
    let mut shutting_down = false;
    tokio::pin!(connection);
    let watchdog = tokio::time::sleep_until(state.at(first_wakeup));
    tokio::pin!(watchdog);
    // The connection's task wakes several times per request, and polling
    // the watchdog's timer on each wake-up cost about 600 instructions per
    // request. Once polled after being set, the timer holds the task's
    // waker and marks itself elapsed before it wakes the task, so it is
    // polled again only then (`fired`).
    timer::arm(watchdog.as_mut()).await;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            asked = state.signal.asked() => {
                if asked.has(Ask::Close) {
                    return;
                }
                if asked.has(Ask::Drain) {
                    // Nothing to finish on a connection that never sent a request.
                    if state.requests() == 0 {
                        return;
                    }
                    if !shutting_down {
                        shutting_down = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
                if asked.has(Ask::Evict) {
                    // A request may have arrived since this one was chosen.
                    if state.in_flight() == 0 {
                        Stats::count(&stats.evicted);
                        return;
                    }
                    state.evicting.store(false, Ordering::Relaxed);
                }
            }
            () = timer::fired(watchdog.as_mut()) => {
                let now = state.now_ms();
                let waiting_for_first = state.requests() == 0;
                if waiting_for_first && now >= first_request_by {
                    Stats::count(&stats.timed_out);
                    return;
                }
                let next_head_by = state.next_head_by(header_ms);
                if next_head_by.is_some_and(|by| now >= by) {
                    // Closed like hyper's own timer closed it: at once.
                    if state.idle_between_requests() {
                        Stats::count(&stats.idle_closed);
                    } else {
                        Stats::count(&stats.timed_out);
                    }
                    return;
                }
                let idle_until = state.last_activity_ms().saturating_add(idle_ms);
                if !shutting_down && now >= idle_until {
                    Stats::count(&stats.idle_closed);
                    if waiting_for_first {
                        // Nothing to finish.
                        return;
                    }
                    shutting_down = true;
                    connection.as_mut().graceful_shutdown();
                }
                let next = match (waiting_for_first, shutting_down) {
                    (true, false) => first_request_by.min(idle_until),
                    (true, true) => first_request_by,
                    // A response that ends after this wake-up sets a new
                    // head deadline, at most `header_ms` after it: waking
                    // at least that often finds every one in time.
                    (false, false) => idle_until
                        .min(next_head_by.unwrap_or(u64::MAX))
                        .min(now.saturating_add(header_ms)),
                    // Only the connection's own end is left to wait for.
                    (false, true) => u64::MAX,
                };
                watchdog.as_mut().reset(state.at(next.max(now + 1)));
                timer::arm(watchdog.as_mut()).await;
            }
        }
    }
}
