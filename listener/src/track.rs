//! What the listener knows about each open connection: when bytes last
//! moved, whether a request is in flight, whether one ever arrived. The IO
//! wrapper, the service wrapper and the response-body wrapper here keep it
//! up to date without a timer of their own.

use crate::signal::Signal;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

/// The shared state of one connection.
#[derive(Debug)]
pub struct ConnState {
    pub id: u64,
    /// The listener's start; times below are milliseconds after it.
    epoch: Instant,
    pub accepted_ms: u64,
    last_activity_ms: AtomicU64,
    last_read_ms: AtomicU64,
    /// When the last response was sent in full (or abandoned).
    last_response_end_ms: AtomicU64,
    in_flight: AtomicUsize,
    requests: AtomicU64,
    /// Its requests came over HTTP/2 (known from the first one).
    http2: AtomicBool,
    /// Chosen for eviction and not yet closed: not to be chosen again.
    pub evicting: AtomicBool,
    /// Which listener's `serve` accepted it: the one whose shutdown
    /// drains it.
    pub serve: u64,
    /// What the listener asks of the connection's task.
    pub signal: Signal,
}

impl ConnState {
    pub fn new(id: u64, serve: u64, epoch: Instant) -> ConnState {
        let now = millis(epoch.elapsed());
        ConnState {
            id,
            epoch,
            accepted_ms: now,
            last_activity_ms: AtomicU64::new(now),
            last_read_ms: AtomicU64::new(now),
            last_response_end_ms: AtomicU64::new(now),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            http2: AtomicBool::new(false),
            evicting: AtomicBool::new(false),
            serve,
            signal: Signal::default(),
        }
    }

    /// Notes that bytes were written now.
    fn touch(&self) {
        self.last_activity_ms
            .store(self.now_ms(), Ordering::Relaxed);
    }

    /// Notes that bytes were read now.
    fn touch_read(&self) {
        let now = self.now_ms();
        self.last_activity_ms.store(now, Ordering::Relaxed);
        self.last_read_ms.store(now, Ordering::Relaxed);
    }

    /// Whether the connection sat between requests, reading nothing since
    /// its last response: a timeout then ends an idle keep-alive
    /// connection, not a request whose headers stalled.
    pub fn idle_between_requests(&self) -> bool {
        self.requests() > 0
            && self.in_flight() == 0
            && self.last_read_ms.load(Ordering::Relaxed)
                <= self.last_response_end_ms.load(Ordering::Relaxed)
    }

    /// When an HTTP/1.1 connection between requests must have sent its
    /// next request's headers: `header_ms` after its last response ended
    /// (hyper's own header timer, which is not used because it arms a
    /// timer per request, ran from there too). `None` before the first
    /// request (see the first-request deadline), while one is in flight,
    /// and on HTTP/2, whose idle connections only the keep-alive timeout
    /// ends.
    pub fn next_head_by(&self, header_ms: u64) -> Option<u64> {
        (self.requests() > 0 && self.in_flight() == 0 && !self.http2.load(Ordering::Relaxed)).then(
            || {
                self.last_response_end_ms
                    .load(Ordering::Relaxed)
                    .saturating_add(header_ms)
            },
        )
    }

    pub fn last_activity_ms(&self) -> u64 {
        self.last_activity_ms.load(Ordering::Relaxed)
    }

    /// Requests whose response has not been sent in full.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Acquire)
    }

    /// The instant `ms` milliseconds after the epoch.
    pub fn at(&self, ms: u64) -> Instant {
        self.epoch
            .checked_add(Duration::from_millis(ms))
            .unwrap_or_else(far_future)
    }

    pub fn now_ms(&self) -> u64 {
        millis(self.epoch.elapsed())
    }

    pub fn candidate(&self) -> Candidate {
        Candidate {
            id: self.id,
            last_activity_ms: self.last_activity_ms(),
            requests: self.requests(),
            in_flight: self.in_flight(),
            evicting: self.evicting.load(Ordering::Relaxed),
        }
    }
}

/// What tokio itself takes for "never": about 30 years from now.
pub fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86400 * 365 * 30)
}

pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What eviction looks at for one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: u64,
    pub last_activity_ms: u64,
    /// Requests received so far.
    pub requests: u64,
    pub in_flight: usize,
    pub evicting: bool,
}

/// The connection to close to make room, among those with no request in
/// flight: first those that have not sent a whole request yet (a slowloris
/// client still sending its first headers), then kept-alive connections
/// between requests; in each group the one idle longest. Real clients'
/// kept-alive connections thus outlast a flood of slow new ones. `None`
/// when every connection is busy.
pub fn choose_victim(candidates: impl IntoIterator<Item = Candidate>) -> Option<u64> {
    candidates
        .into_iter()
        .filter(|c| c.in_flight == 0 && !c.evicting)
        .min_by_key(|c| (c.requests > 0, c.last_activity_ms, c.id))
        .map(|c| c.id)
}

/// A connection's socket, noting when bytes move.
pub struct TrackedIo<T> {
    inner: T,
    conn: Arc<ConnState>,
}

impl<T> TrackedIo<T> {
    pub fn new(inner: T, conn: Arc<ConnState>) -> TrackedIo<T> {
        TrackedIo { inner, conn }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TrackedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.conn.touch_read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TrackedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.conn.touch();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.conn.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// One request from its arrival until its response body is done (or
/// dropped).
struct InFlight(Arc<ConnState>);

impl InFlight {
    fn start(conn: &Arc<ConnState>) -> InFlight {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        conn.requests.fetch_add(1, Ordering::AcqRel);
        InFlight(conn.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // Idle time counts from the end of the response.
        let now = self.0.now_ms();
        self.0.last_activity_ms.store(now, Ordering::Relaxed);
        self.0.last_response_end_ms.store(now, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The caller's service, counting requests in flight.
pub struct TrackedService<S> {
    inner: S,
    conn: Arc<ConnState>,
}

impl<S> TrackedService<S> {
    pub fn new(inner: S, conn: Arc<ConnState>) -> TrackedService<S> {
        TrackedService { inner, conn }
    }
}

impl<S, B> hyper::service::Service<Request<Incoming>> for TrackedService<S>
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>>,
{
    type Response = Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        // Counted before the handler runs, so a connection whose request
        // has arrived is never taken for an idle one.
        let guard = InFlight::start(&self.conn);
        if req.version() == http::Version::HTTP_2 {
            self.conn.http2.store(true, Ordering::Relaxed);
        }
        TrackedFuture {
            inner: self.inner.call(req),
            guard: Some(guard),
        }
    }
}

pin_project_lite::pin_project! {
    /// The handler's future; hands the in-flight guard to the body.
    pub struct TrackedFuture<F> {
        #[pin]
        inner: F,
        guard: Option<InFlight>,
    }
}

impl<F, B, E> Future for TrackedFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<TrackedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|inner| TrackedBody {
            inner,
            _guard: guard,
        })))
    }
}

pin_project_lite::pin_project! {
    /// A response body that ends its request's time in flight when hyper
    /// is done with it.
    pub struct TrackedBody<B> {
        #[pin]
        inner: B,
        _guard: Option<InFlight>,
    }
}

impl<B: Body> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection that has had requests, idle since `last_activity_ms`.
    fn c(id: u64, last_activity_ms: u64, in_flight: usize) -> Candidate {
        Candidate {
            id,
            last_activity_ms,
            requests: 1,
            in_flight,
            evicting: false,
        }
    }

    /// A connection still waiting for its first whole request.
    fn fresh(id: u64, last_activity_ms: u64) -> Candidate {
        Candidate {
            requests: 0,
            ..c(id, last_activity_ms, 0)
        }
    }

    #[test]
    fn evicts_the_longest_idle_connection_without_a_request() {
        // 2 is idle longest but busy (a slow upstream); 3 is the oldest idle one.
        let all = [c(1, 500, 0), c(2, 100, 1), c(3, 200, 0), c(4, 900, 0)];
        assert_eq!(choose_victim(all), Some(3));
    }

    #[test]
    fn slow_new_connections_go_before_kept_alive_ones() {
        // A slowloris client that sent a header byte a moment ago still
        // goes before a kept-alive client idle for longer.
        let all = [c(1, 100, 0), fresh(2, 900), fresh(3, 800), c(4, 50, 1)];
        assert_eq!(choose_victim(all), Some(3));
        assert_eq!(
            choose_victim([c(1, 100, 0), fresh(2, 900).with_in_flight()]),
            Some(1)
        );
    }

    #[test]
    fn never_evicts_a_busy_or_already_chosen_connection() {
        assert_eq!(choose_victim([c(1, 0, 1), c(2, 0, 3)]), None);
        let chosen = Candidate {
            evicting: true,
            ..fresh(1, 0)
        };
        assert_eq!(choose_victim([chosen, c(2, 50, 0)]), Some(2));
        assert_eq!(choose_victim([chosen]), None);
        assert_eq!(choose_victim([]), None);
    }

    #[test]
    fn ties_go_to_the_older_connection() {
        assert_eq!(choose_victim([c(7, 10, 0), c(5, 10, 0)]), Some(5));
        assert_eq!(choose_victim([fresh(9, 10), fresh(8, 10)]), Some(8));
    }

    impl Candidate {
        fn with_in_flight(self) -> Candidate {
            Candidate {
                in_flight: 1,
                requests: 1,
                ..self
            }
        }
    }

    #[tokio::test]
    async fn a_request_is_in_flight_until_its_body_is_dropped() {
        let conn = Arc::new(ConnState::new(1, 0, Instant::now()));
        let guard = InFlight::start(&conn);
        assert_eq!((conn.in_flight(), conn.requests()), (1, 1));
        let body = TrackedBody {
            inner: String::new(),
            _guard: Some(guard),
        };
        assert_eq!(conn.candidate().in_flight, 1);
        drop(body);
        assert_eq!((conn.in_flight(), conn.requests()), (0, 1));
    }
}
