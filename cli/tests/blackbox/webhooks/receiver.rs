//! A webhook receiver on 127.0.0.1 for the webhook suite. It records
//! every delivery as it arrived and checks signatures with its own HMAC,
//! written from the documented scheme (docs/webhooks.md), not from the
//! server's code.
//!
//! Paths (anything after them is ignored, so each webhook gets its own):
//! * `/ok…`    — 200 at once
//! * `/flaky…` — 500 to the first two attempts at each delivery, then 200
//! * `/slow…`  — 200 after 4 s; the most requests in flight at once is kept

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub path: String,
    pub signature: Option<String>,
    pub delivery: Option<String>,
    pub event: Option<String>,
    pub body: Vec<u8>,
    pub at: Instant,
    /// What the receiver answered.
    pub status: u16,
}

impl Arrival {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Whether the signature is right for `secret`: `t=UNIX,v1=HEX` with
    /// HEX the HMAC-SHA256 of `UNIX.BODY`, and UNIX within 5 minutes.
    pub fn signed_with(&self, secret: &str) -> bool {
        let Some(header) = &self.signature else {
            return false;
        };
        let mut t = None;
        let mut v1 = Vec::new();
        for part in header.split(',') {
            match part.split_once('=') {
                Some(("t", v)) => t = Some(v.to_string()),
                Some(("v1", v)) => v1.push(v.to_string()),
                _ => {}
            }
        }
        let Some(t) = t else { return false };
        let Ok(unix) = t.parse::<i64>() else {
            return false;
        };
        if (chrono::Utc::now().timestamp() - unix).abs() > 300 {
            return false;
        }
        let mut message = format!("{t}.").into_bytes();
        message.extend_from_slice(&self.body);
        let expected = hex::encode(hmac_sha256(secret.as_bytes(), &message));
        v1.contains(&expected)
    }
}

/// HMAC (RFC 2104) with SHA-256: H((K ^ opad) ‖ H((K ^ ipad) ‖ m)), the
/// key hashed first when longer than the 64-byte block.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[derive(Default)]
struct State {
    arrivals: Vec<Arrival>,
    /// Attempts per delivery id at `/flaky`.
    flaky: HashMap<String, u32>,
    slow_in_flight: usize,
    slow_most: usize,
}

type Shared = Arc<Mutex<State>>;

pub struct Receiver {
    pub base: String,
    state: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A free port on 127.0.0.1 (for a receiver started later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Receiver {
    /// Starts on `port` (0: any free one).
    pub fn start(port: u16) -> Receiver {
        let state: Shared = Arc::default();
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("receiver port");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(handle).with_state(shared);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Receiver {
            base: format!("http://127.0.0.1:{port}"),
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn arrivals(&self) -> Vec<Arrival> {
        self.state.lock().unwrap().arrivals.clone()
    }

    /// Arrivals at paths starting with `path`.
    pub fn at(&self, path: &str) -> Vec<Arrival> {
        self.arrivals()
            .into_iter()
            .filter(|a| a.path.starts_with(path))
            .collect()
    }

    /// Waits until `enough` holds for the arrivals at `path`, at most `limit`.
    pub fn wait_for(
        &self,
        path: &str,
        limit: Duration,
        enough: impl Fn(&[Arrival]) -> bool,
    ) -> Vec<Arrival> {
        let deadline = Instant::now() + limit;
        loop {
            let got = self.at(path);
            if enough(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver did not get what was expected at {path} within {limit:?}: {:#?}",
                got.iter()
                    .map(|a| String::from_utf8_lossy(&a.body).to_string())
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `/slow` requests in flight now.
    pub fn slow_in_flight(&self) -> usize {
        self.state.lock().unwrap().slow_in_flight
    }

    /// The most `/slow` requests that were in flight at once.
    pub fn slow_most(&self) -> usize {
        self.state.lock().unwrap().slow_most
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let path = uri.path().to_string();
    let delivery = header("tokenctl-delivery");
    let status = if path.starts_with("/flaky") {
        let mut s = state.lock().unwrap();
        let n = s
            .flaky
            .entry(delivery.clone().unwrap_or_default())
            .or_default();
        *n += 1;
        if *n <= 2 {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    } else {
        StatusCode::OK
    };
    // Recorded as it arrives: a slow request whose sender goes away is
    // still seen.
    state.lock().unwrap().arrivals.push(Arrival {
        path: path.clone(),
        signature: header("tokenctl-signature"),
        delivery,
        event: header("tokenctl-event"),
        body: body.to_vec(),
        at: Instant::now(),
        status: status.as_u16(),
    });
    if path.starts_with("/slow") {
        let _in_flight = InFlight::enter(&state);
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
    (
        status,
        if status.is_success() {
            "ok"
        } else {
            "try later"
        },
    )
}

/// Counts a `/slow` request in flight until it is answered or dropped.
struct InFlight(Shared);

impl InFlight {
    fn enter(state: &Shared) -> InFlight {
        let mut s = state.lock().unwrap();
        s.slow_in_flight += 1;
        s.slow_most = s.slow_most.max(s.slow_in_flight);
        InFlight(state.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().unwrap().slow_in_flight -= 1;
    }
}

#[test]
fn hmac_matches_the_rfc_4231_vectors() {
    // RFC 4231, test cases 1 and 6 (a key longer than the block).
    assert_eq!(
        hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    assert_eq!(
        hex::encode(hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}
