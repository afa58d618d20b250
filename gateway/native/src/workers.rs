//! Thread-per-core serving (`--workers N`): one current-thread tokio
//! runtime per worker, each accepting on a socket of its own bound to the
//! listen address with `SO_REUSEPORT`, so that the kernel spreads
//! connections over the workers and a request, its upstream connection and
//! its answer stay on one thread. A current-thread runtime wakes a task
//! more cheaply than the multi-thread one, and no task is stolen across
//! threads.
//!
//! The workers share one connection registry (limit, eviction, graceful
//! shutdown; see `tokenctl_listener::Listener::sibling`), the config, the
//! rate limiter and the usage spool. The control plane's tasks (config
//! follower, usage sender, metrics) stay on the process's main runtime.

use crate::proxy::{Peer, Proxy};
use hyper::service::service_fn;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

/// Binds `workers` sockets to `addr` (one, without `SO_REUSEPORT`, for a
/// single worker). With port 0 the first socket's port is used for all.
pub async fn bind(addr: SocketAddr, workers: usize) -> std::io::Result<Vec<TcpListener>> {
    if workers <= 1 {
        return Ok(vec![TcpListener::bind(addr).await?]);
    }
    let first = bind_shared(addr)?;
    let addr = first.local_addr()?;
    let mut all = vec![first];
    for _ in 1..workers {
        all.push(bind_shared(addr)?);
    }
    Ok(all)
}

/// A listening socket that other sockets of this process (and user) may
/// bind to the same address.
fn bind_shared(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    // tokio's own `TcpListener::bind` backlog.
    socket.listen(1024)
}

/// Serves each listener on a worker thread of its own until `shutdown`
/// resolves, then lets every worker finish gracefully (see
/// `tokenctl_listener`) and returns.
pub async fn serve(
    listeners: Vec<tokenctl_listener::Listener>,
    proxy: Arc<Proxy>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel();
    let count = listeners.len();
    for (index, listener) in listeners.into_iter().enumerate() {
        let proxy = proxy.clone();
        let stop = stop_rx.clone();
        let ended = ended_tx.clone();
        std::thread::Builder::new()
            .name(format!("gateway-worker-{index}"))
            .spawn(move || {
                let result = run_worker(listener, proxy, stop);
                let _ = ended.send(result);
            })?;
    }
    drop(ended_tx);
    let mut running = count;
    tokio::pin!(shutdown);
    let mut failure = None;
    tokio::select! {
        () = &mut shutdown => {}
        Some(result) = ended_rx.recv() => {
            // A worker stopped on its own: it could not start.
            running -= 1;
            failure = result.err();
        }
    }
    let _ = stop_tx.send(true);
    while running > 0 {
        match ended_rx.recv().await {
            Some(result) => {
                running -= 1;
                if let Err(e) = result {
                    failure.get_or_insert(e);
                }
            }
            None => break,
        }
    }
    match failure {
        Some(e) => Err(anyhow::Error::new(e).context("a gateway worker failed")),
        None => Ok(()),
    }
}

/// One worker: a current-thread runtime serving `listener` until `stop`.
fn run_worker(
    listener: tokenctl_listener::Listener,
    proxy: Arc<Proxy>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = listener.move_to_current_runtime()?;
        let https = listener.is_tls();
        listener
            .serve(
                move |peer| {
                    let proxy = proxy.clone();
                    let peer = Arc::new(Peer::new(peer, https));
                    // Boxed per request: hyper keeps a connection's
                    // request future in an allocation of its size for the
                    // connection's whole life, idle or not.
                    service_fn(move |req| Box::pin(proxy.clone().handle(req, peer.clone())))
                },
                async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                },
            )
            .await;
        // Its connections belong to this runtime.
        crate::upstream::close_idle();
        Ok(())
    })
}
