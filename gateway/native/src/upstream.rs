//! The upstream connection pool: HTTP/1.1 connections of our own (hyper's
//! `client::conn::http1`), kept idle per upstream origin and driven in the
//! task of the request that uses them.
//!
//! `hyper-util`'s pool hashes its key on every checkout and return, and
//! runs each connection in a task of its own that the request talks to
//! through channels, a wake-up between tasks each way. Here a connection
//! is polled by whoever holds it: the request's future until the answer's
//! head, then the answer's body ([`UpstreamBody`]), which hands the
//! connection back to the pool once the answer has ended and the
//! connection can take another request. An idle connection is polled by
//! no one; a dead one is noticed and dropped when it is next taken. Idle
//! connections are kept per worker thread, whose runtime they belong to.
//!
//! The address policy stays at connect time: connections are made by the
//! route access's connector, whose resolver is
//! [`crate::resolve::GuardedResolver`], and an origin's idle connections
//! are kept apart per access.

use crate::body::CountingBody;
use crate::state::UpstreamOrigin;
use bytes::Bytes;
use http::header::HOST;
use http::uri::{Authority, Scheme};
use http::{HeaderValue, Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use tokenctl_gateway::UpstreamAccess;
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tower_service::Service;

type Io = WriteAfterOthers<hyper_rustls::MaybeHttpsStream<TokioIo<TcpStream>>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects to an upstream over TCP, TLS where the scheme says so, through
/// an address-policy resolver.
pub type Connector = hyper_rustls::HttpsConnector<HttpConnector<crate::resolve::GuardedResolver>>;

/// An idle connection unused for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Most idle connections kept per origin.
const MAX_IDLE_PER_ORIGIN: usize = 1024;

/// Why an upstream request failed before its answer's head.
#[derive(Debug)]
pub enum UpstreamError {
    /// No connection could be made (resolution, the address policy, TCP,
    /// TLS).
    Connect(BoxError),
    /// The connection failed while the request was sent or the answer read.
    Http(hyper::Error),
    /// The connection ended without answering.
    Closed,
    /// No answer's head by the request's deadline (the route's timeout).
    TimedOut,
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::Connect(e) => write!(f, "cannot connect: {e}"),
            UpstreamError::Http(e) => write!(f, "{e}"),
            UpstreamError::Closed => f.write_str("the connection closed before an answer"),
            UpstreamError::TimedOut => f.write_str("no answer within the route's timeout"),
        }
    }
}

impl std::error::Error for UpstreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UpstreamError::Connect(e) => Some(&**e),
            UpstreamError::Http(e) => Some(e),
            UpstreamError::Closed | UpstreamError::TimedOut => None,
        }
    }
}

/// An upstream connection's socket, whose first write of each request
/// waits once for the other requests ready on this worker.
///
/// Their upstream writes then follow one another, and the answers are read
/// together on the worker's next turn rather than one between each two
/// requests: on a core shared with the upstream that saves CPU per request
/// (docs/gateway.md, "Who runs when"). Waiting here, after hyper has taken
/// the request and its body, rather than before sending: the wake-ups
/// hyper's channels cause when a request and its body are taken (the
/// request's own task, woken while it runs) and this wait then cost one
/// more poll of the request together, not one each.
struct WriteAfterOthers<T> {
    io: T,
    /// Set for each request ([`Pools::send`]), cleared by its first write.
    wait: Arc<AtomicBool>,
}

impl<T> WriteAfterOthers<T> {
    /// `Pending` once if the request's first write is still to wait, with
    /// the task woken at once: it runs again after the tasks ready before
    /// it.
    fn waits(&self, cx: &mut Context<'_>) -> bool {
        let wait = self.wait.swap(false, Ordering::Relaxed);
        if wait {
            cx.waker().wake_by_ref();
        }
        wait
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for WriteAfterOthers<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for WriteAfterOthers<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.waits(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        if self.waits(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// The waker an upstream connection and the answer to its request are
/// polled with: it wakes the task that polled them last, except while
/// that task polls them itself.
///
/// hyper's connection wakes whoever waits on it as it goes: the answer's
/// head is handed over through a one-shot channel, its body through a
/// channel whose sender is woken whenever the body takes from it. Here
/// both ends are polled by the same task, so those wake-ups would poll the
/// task again for nothing (about 900 instructions per request). A
/// wake-up that comes while the task itself polls ([`DriveWaker::hold`])
/// is held back, and passed on only if what the task polled is still
/// waiting ([`DriveWaker::resume`]): otherwise whoever polls the task's
/// future polls it again anyway, and an answer's body that finds nothing
/// to take drives the connection itself.
#[derive(Default)]
struct DriveWaker {
    task: atomic_waker::AtomicWaker,
    /// Set while the task itself polls the connection, its answer or the
    /// answer's body.
    quiet: AtomicBool,
    /// A wake-up came while `quiet`.
    held: AtomicBool,
    /// A wake-up was passed on since the connection was last polled:
    /// something happened to it (an idle one: the upstream closed it,
    /// say).
    woken: AtomicBool,
}

impl DriveWaker {
    fn wake_task(&self) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }

    /// Called before each poll of the connection, with the polling task.
    /// A task that waits on the connection has polled it last: so a
    /// wake-up is passed on once, to that task, and one that comes before
    /// the next poll can be dropped (the task is woken already).
    fn polling(&self, task: &Waker) {
        self.woken.store(false, Ordering::Release);
        self.task.register(task);
    }

    /// Holds back wake-ups until [`DriveWaker::resume`].
    fn hold(&self) {
        self.quiet.store(true, Ordering::Release);
    }

    /// Passes wake-ups on again, and one held back if the caller is still
    /// waiting (`pending`): otherwise it is polled again anyway.
    fn resume(&self, pending: bool) {
        self.quiet.store(false, Ordering::Release);
        if self.held.swap(false, Ordering::AcqRel) && pending {
            self.wake_task();
        }
    }
}

impl std::task::Wake for DriveWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.quiet.load(Ordering::Acquire) {
            self.held.store(true, Ordering::Release);
            // The poll that holds wake-ups back may have ended meanwhile
            // (a wake-up from another thread): then this one is passed on
            // here, unless that poll has seen it.
            if self.quiet.load(Ordering::Acquire) || !self.held.swap(false, Ordering::AcqRel) {
                return;
            }
        }
        self.wake_task();
    }
}

/// One HTTP/1.1 connection to an upstream: the request end and the
/// connection itself, which makes progress only while it is polled.
struct Upstream {
    sender: SendRequest<CountingBody>,
    conn: Connection<Io, CountingBody>,
    /// What the connection wakes ([`DriveWaker`]), and it as a waker.
    drive_waker: Arc<DriveWaker>,
    waker: Waker,
    /// Makes the next request's first write wait ([`WriteAfterOthers`]).
    write_after_others: Arc<AtomicBool>,
    /// The deadline of the request in flight. One timer per connection,
    /// moved on for each request: while deadlines only grow that is one
    /// atomic update, where a timer per request was registered in tokio's
    /// timer wheel and taken out again under its lock (about 500
    /// instructions per request more). An idle connection's timer may fire
    /// once; the next request then registers it again.
    deadline: Pin<Box<Sleep>>,
}

impl Upstream {
    /// Lets the connection read and write what it can; `false` once it has
    /// ended (closed by either side, or failed).
    fn drive(&mut self, cx: &mut Context<'_>) -> bool {
        self.drive_waker.polling(cx.waker());
        let mut cx = Context::from_waker(&self.waker);
        Pin::new(&mut self.conn).poll(&mut cx).is_pending()
    }

    /// Runs `poll` on the connection with the connection's waker, holding
    /// back the wake-ups that come meanwhile ([`DriveWaker`]).
    fn quietly<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Connection<Io, CountingBody>, &mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.drive_waker.polling(cx.waker());
        self.drive_waker.hold();
        let result = poll(&mut self.conn, &mut Context::from_waker(&self.waker));
        self.drive_waker.resume(result.is_pending());
        result
    }

    /// Whether the connection is alive and can take a request now.
    fn usable(&mut self, cx: &mut Context<'_>) -> bool {
        self.drive(cx) && self.sender.is_ready()
    }

    /// Whether the connection can take a request now, as it was left:
    /// nothing has woken it since it was last polled (hyper's connection
    /// changes only when polled, and a poll registers its waker for what
    /// it waits on: the upstream closing an idle connection wakes it). A
    /// connection lives on one worker's current-thread runtime, so what
    /// wakes it between polls comes from that worker's I/O driver, never
    /// while [`DriveWaker::hold`] holds wake-ups back.
    fn usable_as_left(&self) -> bool {
        !self.drive_waker.woken.load(Ordering::Acquire) && self.sender.is_ready()
    }
}

struct Idle {
    upstream: Box<Upstream>,
    since: Instant,
}

/// Which connections may serve a request: those to one origin, made for
/// one upstream access.
#[derive(PartialEq, Eq)]
struct OriginKey {
    access: UpstreamAccess,
    scheme: Scheme,
    authority: Authority,
}

/// The idle connections to one origin.
struct Origin {
    key: Arc<OriginKey>,
    idle: VecDeque<Idle>,
}

thread_local! {
    /// This thread's idle connections, per origin in the order first used.
    /// Per thread because a connection belongs to the runtime (reactor) of
    /// the worker that made it (see `crate::workers`). Never shrinks
    /// (origins come from routes, a short list), so an index into it
    /// stays valid.
    static IDLE: RefCell<Vec<Origin>> = const { RefCell::new(Vec::new()) };
}

/// Closes this thread's idle connections (before its runtime goes).
pub fn close_idle() {
    IDLE.with_borrow_mut(Vec::clear);
}

/// This thread's index of `origin` for `access`, and its key. A linear
/// search: a gateway has a handful of upstreams, and comparing them is
/// cheaper than hashing. Authorities are compared byte for byte, not with
/// `Authority`'s case-insensitive `==` (a byte at a time, about 150
/// instructions a request): a route spells its upstream the same way on
/// every request, and two spellings of one host only get a pool each.
fn origin(access: UpstreamAccess, origin: &UpstreamOrigin) -> (usize, Arc<OriginKey>) {
    IDLE.with_borrow_mut(|origins| {
        if let Some(i) = origins.iter().position(|o| {
            o.key.access == access
                && o.key.authority.as_str() == origin.authority.as_str()
                && o.key.scheme == origin.scheme
        }) {
            return (i, origins[i].key.clone());
        }
        let key = Arc::new(OriginKey {
            access,
            scheme: origin.scheme.clone(),
            authority: origin.authority.clone(),
        });
        origins.push(Origin {
            key: key.clone(),
            idle: VecDeque::new(),
        });
        (origins.len() - 1, key)
    })
}

/// The most recently used idle connection to origin `slot` that is still
/// alive, dropping dead and expired ones on the way.
async fn checkout(slot: usize) -> Option<Box<Upstream>> {
    loop {
        let idle = IDLE.with_borrow_mut(|origins| origins[slot].idle.pop_back())?;
        let mut upstream = idle.upstream;
        if idle.since.elapsed() >= IDLE_TIMEOUT {
            continue;
        }
        // Driven only if something has happened to it since it was left:
        // a pass through hyper's dispatcher costs about 700 instructions.
        if upstream.usable_as_left() || poll_fn(|cx| Poll::Ready(upstream.usable(cx))).await {
            return Some(upstream);
        }
    }
}

/// Keeps an idle connection for the next request to its origin (on this
/// thread; a connection released on another thread is closed).
fn checkin(slot: usize, key: &Arc<OriginKey>, upstream: Box<Upstream>) {
    let now = Instant::now();
    IDLE.with_borrow_mut(|origins| {
        let Some(origin) = origins.get_mut(slot).filter(|o| Arc::ptr_eq(&o.key, key)) else {
            return;
        };
        let idle = &mut origin.idle;
        while idle
            .front()
            .is_some_and(|i| now.duration_since(i.since) >= IDLE_TIMEOUT)
        {
            idle.pop_front();
        }
        if idle.len() >= MAX_IDLE_PER_ORIGIN {
            idle.pop_front();
        }
        idle.push_back(Idle {
            upstream,
            since: now,
        });
    });
}

/// Makes connections to every upstream, per access (see `crate::resolve`:
/// a route approved for private addresses never lends its connections to a
/// route that is not).
pub struct Pools {
    public: Connector,
    private: Connector,
    metadata: Connector,
}

impl Pools {
    pub fn new(public: Connector, private: Connector, metadata: Connector) -> Pools {
        Pools {
            public,
            private,
            metadata,
        }
    }

    fn connector(&self, access: UpstreamAccess) -> &Connector {
        match access {
            UpstreamAccess::Public => &self.public,
            UpstreamAccess::Private => &self.private,
            UpstreamAccess::Metadata => &self.metadata,
        }
    }

    /// A new connection to `key`'s origin, boxed once so that moving it
    /// between the pool and an answer's body is cheap.
    async fn connect(
        &self,
        key: &OriginKey,
        deadline: tokio::time::Instant,
    ) -> Result<Box<Upstream>, UpstreamError> {
        let uri = Uri::builder()
            .scheme(key.scheme.clone())
            .authority(key.authority.clone())
            .path_and_query("/")
            .build()
            .map_err(|e| UpstreamError::Connect(e.into()))?;
        let io = self
            .connector(key.access)
            .clone()
            .call(uri)
            .await
            .map_err(UpstreamError::Connect)?;
        // Head and body copied into one buffer, one `write`: cheaper than
        // queueing them for `writev` for the small requests that are most
        // of the traffic (as on the listener's side).
        let wait = Arc::new(AtomicBool::new(false));
        let drive_waker = Arc::new(DriveWaker::default());
        let io = WriteAfterOthers {
            io,
            wait: wait.clone(),
        };
        let (sender, conn) = http1::Builder::new()
            .writev(false)
            .handshake(io)
            .await
            .map_err(UpstreamError::Http)?;
        Ok(Box::new(Upstream {
            sender,
            conn,
            write_after_others: wait,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            waker: Waker::from(drive_waker.clone()),
            drive_waker,
        }))
    }

    /// Sends `req` (its URI the request line's target) to `origin`, on an
    /// idle connection or a new one; resolves with the answer's head, or
    /// [`UpstreamError::TimedOut`] when it has not come by `deadline`
    /// (connecting included). A request that a reused connection failed
    /// to send before any of it was written is sent again on a new
    /// connection.
    pub async fn send(
        &self,
        access: UpstreamAccess,
        origin: &UpstreamOrigin,
        mut req: Request<CountingBody>,
        deadline: tokio::time::Instant,
    ) -> Result<Response<UpstreamBody>, UpstreamError> {
        let (slot, key) = self::origin(access, origin);
        if !req.headers().contains_key(HOST) {
            if let Ok(host) = HeaderValue::from_str(origin.authority.as_str()) {
                req.headers_mut().insert(HOST, host);
            }
        }
        let mut reused = checkout(slot).await;
        loop {
            let fresh = reused.is_none();
            let mut upstream = match reused.take() {
                Some(upstream) => upstream,
                // Boxed: connecting is rare, and its large state would
                // otherwise be part of every request's future, and copied
                // with it.
                None => tokio::time::timeout_at(deadline, Box::pin(self.connect(&key, deadline)))
                    .await
                    .map_err(|_| UpstreamError::TimedOut)??,
            };
            upstream.deadline.as_mut().reset(deadline);
            tokenctl_listener::timer::arm(upstream.deadline.as_mut()).await;
            upstream.write_after_others.store(true, Ordering::Relaxed);
            let mut answer = std::pin::pin!(upstream.sender.try_send_request(req));
            let mut alive = true;
            let result = poll_fn(|cx| {
                let answer = upstream.quietly(cx, |conn, cx| {
                    alive = alive && Pin::new(conn).poll(cx).is_pending();
                    answer.as_mut().poll(cx)
                });
                match answer {
                    Poll::Pending if !alive => Poll::Ready(Err(UpstreamError::Closed)),
                    Poll::Pending if upstream.deadline.is_elapsed() => {
                        Poll::Ready(Err(UpstreamError::TimedOut))
                    }
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(r) => Poll::Ready(Ok(r)),
                }
            })
            .await;
            // A connection left mid-exchange (closed, timed out) is
            // dropped here, which closes it.
            match result? {
                Ok(resp) => {
                    let lease = alive.then(|| Lease {
                        upstream,
                        slot,
                        key,
                    });
                    return Ok(resp.map(|body| UpstreamBody::new(body, lease)));
                }
                Err(mut e) => match e.take_message() {
                    Some(unsent) if !fresh => req = unsent,
                    _ => return Err(UpstreamError::Http(e.into_error())),
                },
            }
        }
    }
}

/// A connection lent to one answer until its body ends.
struct Lease {
    upstream: Box<Upstream>,
    slot: usize,
    key: Arc<OriginKey>,
}

impl Lease {
    /// Back to the pool if the connection can take another request. The
    /// poll that read the answer's end has usually left it asking for the
    /// next one already; only when it has not is it driven once more (a
    /// pass through hyper's dispatcher). Whether it is still alive when
    /// next taken is checked then ([`checkout`]).
    fn release(mut self, cx: &mut Context<'_>) {
        if self.upstream.sender.is_ready() || self.upstream.usable(cx) {
            checkin(self.slot, &self.key, self.upstream);
        }
    }
}

/// An upstream answer's body, which drives its connection while it is read
/// and returns it to the pool at its end.
pub struct UpstreamBody {
    inner: Incoming,
    /// `None` once returned (or when the connection ended with the head).
    lease: Option<Lease>,
}

impl UpstreamBody {
    fn new(inner: Incoming, lease: Option<Lease>) -> UpstreamBody {
        let mut body = UpstreamBody { inner, lease };
        if body.inner.is_end_stream() {
            // No body to read (e.g. 204): nobody may poll this one.
            body.release(&mut Context::from_waker(Waker::noop()));
        }
        body
    }

    fn release(&mut self, cx: &mut Context<'_>) {
        if let Some(lease) = self.lease.take() {
            lease.release(cx);
        }
    }

    /// Polls what the connection has handed over, without the wake-up of
    /// the connection that taking from it causes ([`DriveWaker`]): when
    /// this finds nothing, `poll_frame` drives the connection itself.
    fn take(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let Some(lease) = &self.lease else {
            return Pin::new(&mut self.inner).poll_frame(cx);
        };
        let waker = &lease.upstream.drive_waker;
        waker.hold();
        let poll = Pin::new(&mut self.inner).poll_frame(cx);
        waker.resume(poll.is_pending());
        poll
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        // What the connection has read already is taken first: a small
        // answer arrives with its head, and driving the connection again
        // for it would be a pass through hyper's dispatcher for nothing.
        let mut poll = this.take(cx);
        if poll.is_pending() {
            if let Some(lease) = &mut this.lease {
                if !lease.upstream.drive(cx) {
                    // Ended: what it read is in `inner`; it is not reused.
                    this.lease = None;
                }
                poll = this.take(cx);
            }
        }
        match &poll {
            Poll::Ready(None) => this.release(cx),
            Poll::Ready(Some(Ok(_))) if this.inner.is_end_stream() => this.release(cx),
            Poll::Ready(Some(Err(_))) => this.lease = None,
            _ => {}
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

impl Drop for UpstreamBody {
    fn drop(&mut self) {
        // Read to its end but never polled past it: the connection is
        // still good. Otherwise dropping it closes the connection, the
        // only way to abandon an HTTP/1 answer.
        if self.inner.is_end_stream() {
            self.release(&mut Context::from_waker(Waker::noop()));
        }
    }
}
