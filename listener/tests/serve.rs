//! Graceful shutdown of a real listener on 127.0.0.1.

use http::{Request, Response};
use hyper::body::Incoming;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokenctl_listener::{Limits, Listener};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout, Instant};

/// A listener whose handler answers `done` after `delay`; returns its
/// address, the trigger for shutdown and the serving task.
async fn start(
    delay: Duration,
    shutdown_timeout: Duration,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let limits = Limits {
        header_read_timeout: Duration::from_secs(10),
        keep_alive_timeout: Duration::from_secs(10),
        max_connections: 10,
        shutdown_timeout,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(Listener::new(tcp, limits).serve(
        move |_peer| {
            hyper::service::service_fn(move |_req: Request<Incoming>| async move {
                sleep(delay).await;
                Ok::<_, Infallible>(Response::new(String::from("done")))
            })
        },
        async {
            let _ = stopped.await;
        },
    ));
    (addr, stop, serving)
}

async fn send_request(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    s
}

/// Everything the server sends until it closes the connection.
async fn read_until_closed(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .expect("the server closes the connection");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_and_closes_the_rest() {
    let (addr, stop, serving) = start(Duration::from_millis(300), Duration::from_secs(5)).await;
    let mut busy = send_request(addr).await;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    sleep(Duration::from_millis(50)).await;
    let began = Instant::now();
    stop.send(()).unwrap();

    let answer = read_until_closed(&mut busy).await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("done"),
        "{answer}"
    );
    assert_eq!(read_until_closed(&mut idle).await, "");
    read_until_closed(&mut slow).await;
    timeout(Duration::from_secs(2), serving)
        .await
        .expect("serve returns once the connections are closed")
        .unwrap();
    assert!(began.elapsed() < Duration::from_secs(2));
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn shutdown_gives_up_on_requests_after_the_shutdown_timeout() {
    let (addr, stop, serving) = start(Duration::from_secs(60), Duration::from_millis(300)).await;
    let mut stuck = send_request(addr).await;
    sleep(Duration::from_millis(50)).await;
    let began = Instant::now();
    stop.send(()).unwrap();
    timeout(Duration::from_secs(3), serving)
        .await
        .expect("serve returns after the shutdown timeout")
        .unwrap();
    assert!(began.elapsed() >= Duration::from_millis(300));
    assert_eq!(read_until_closed(&mut stuck).await, "", "closed unanswered");
}

#[tokio::test]
async fn dropping_the_serving_future_closes_its_connections() {
    let (addr, _stop, serving) = start(Duration::from_secs(60), Duration::from_secs(30)).await;
    let mut stuck = send_request(addr).await;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    sleep(Duration::from_millis(50)).await;
    // No shutdown and no drain: the connections must not outlive it.
    serving.abort();
    let _ = serving.await;
    let began = Instant::now();
    assert_eq!(read_until_closed(&mut stuck).await, "", "closed unanswered");
    assert_eq!(read_until_closed(&mut idle).await, "");
    assert!(began.elapsed() < Duration::from_secs(2));
}
