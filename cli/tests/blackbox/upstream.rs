//! A real HTTP upstream on 127.0.0.1 for the gateway suite, and a
//! streaming HTTP client.
//!
//! Endpoints (any prefix before them is ignored, so routes may carry a
//! base path):
//! * `…/echo…`      — JSON of what arrived: method, path with query, headers (and
//!   `raw_headers`, every line with duplicates), body size
//! * `…/sse`        — five server-sent events, 300 ms apart
//! * `…/redirect`   — 302 to the absolute URL of `…/landing?x=1`
//! * `…/slow`       — answers after 3 s
//! * `…/fixed`      — a fixed chat-completion-like JSON
//! * `…/fake-openai/…/chat/completions` — a fake OpenAI-compatible chat
//!   API (see `fake_openai`), JSON or streamed, reporting fixed usage

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;

/// A body fed frame by frame from a channel (never buffered whole).
pub struct ChannelBody(pub mpsc::Receiver<Bytes>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

pub type Out = http_body_util::combinators::BoxBody<Bytes, Infallible>;

fn full(v: impl Into<Bytes>) -> Out {
    Full::new(v.into()).boxed()
}

async fn handle(base: String, req: Request<Incoming>) -> Result<Response<Out>, Infallible> {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    if path.contains("/fake-openai/") && path.ends_with("/chat/completions") {
        return Ok(crate::fake_openai::chat(req).await);
    }
    if path.ends_with("/sse") {
        let (tx, rx) = mpsc::channel::<Bytes>(4);
        tokio::spawn(async move {
            for i in 0..5 {
                if tx
                    .send(Bytes::from(format!("data: {{\"chunk\":{i}}}\n\n")))
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        });
        let body = ChannelBody(rx).boxed();
        return Ok(Response::builder()
            .header("content-type", "text/event-stream")
            .header("cache-control", "no-cache")
            .body(body)
            .unwrap());
    }
    if let Some(prefix) = path.strip_suffix("/redirect") {
        return Ok(Response::builder()
            .status(302)
            .header("location", format!("{base}{prefix}/landing?x=1"))
            .body(full(""))
            .unwrap());
    }
    if path.ends_with("/slow") {
        tokio::time::sleep(Duration::from_secs(3)).await;
        return Ok(Response::new(full("slow")));
    }
    if path.ends_with("/fixed") {
        return Ok(Response::builder()
            .header("content-type", "application/json")
            .body(full(r#"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"}}]}"#))
            .unwrap());
    }
    let method = req.method().to_string();
    // Every header line as it arrived, duplicates included.
    let raw_headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let headers: serde_json::Map<String, Value> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                json!(v.to_str().unwrap_or("<binary>")),
            )
        })
        .collect();
    // Count the body as it streams; never hold it.
    let mut body = req.into_body();
    let mut size: u64 = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.map(|f| f.into_data()) {
            if let Ok(d) = data {
                size += d.len() as u64;
            }
        } else {
            break;
        }
    }
    let out = json!({"method": method, "path": path_and_query, "headers": headers,
        "raw_headers": raw_headers, "body_bytes": size});
    Ok(Response::builder()
        .header("content-type", "application/json")
        .header("connection", "keep-alive, x-upstream-hop")
        .header("x-upstream-hop", "must not reach the client")
        .body(full(out.to_string()))
        .unwrap())
}

/// The upstream, running on its own thread until the test ends.
pub struct Upstream {
    pub url: String,
}

impl Upstream {
    pub fn start() -> Upstream {
        Upstream::start_on("127.0.0.1")
    }

    /// An upstream on a free port of `ip` (any 127.x.y.z works on Linux,
    /// so a test can have upstreams on several hosts).
    pub fn start_on(ip: &str) -> Upstream {
        let ip: std::net::IpAddr = ip.parse().expect("an IP address");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
                let base = format!("http://{}", listener.local_addr().unwrap());
                tx.send(base.clone()).unwrap();
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    let base = base.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| handle(base.clone(), req));
                        let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            });
        });
        Upstream {
            url: rx.recv().unwrap(),
        }
    }
}

/// What a client got back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The stable error code of a gateway error.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A blocking HTTP client for tests.
pub struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    pub fn new() -> Http {
        Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // The runtime runs only inside `send`, so the pool learns
                // that a server closed an idle connection only when it
                // reuses it, and the request fails. wrangler's Node.js
                // front closes them after 5 s: drop them before that.
                .pool_idle_timeout(std::time::Duration::from_secs(4))
                .build()
                .unwrap(),
        }
    }

    pub fn send(&self, method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        self.rt.block_on(async {
            let mut req = self
                .client
                .request(method.parse().unwrap(), url)
                .body(body.to_string());
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let resp = req.send().await.expect("request");
            Reply {
                status: resp.status().as_u16(),
                headers: resp.headers().clone(),
                body: resp.bytes().await.unwrap().to_vec(),
            }
        })
    }

    pub fn get(&self, url: &str, token: Option<&str>) -> Reply {
        match token {
            Some(t) => self.send("GET", url, &[("x-api-key", t)], ""),
            None => self.send("GET", url, &[], ""),
        }
    }

    /// Reads a streamed response, noting when each chunk arrived (ms after the request).
    pub fn chunks(&self, url: &str, token: &str) -> Vec<(u128, String)> {
        self.rt.block_on(async {
            let started = std::time::Instant::now();
            let mut resp = self
                .client
                .get(url)
                .header("x-api-key", token)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            let mut out = vec![];
            while let Some(chunk) = resp.chunk().await.unwrap() {
                out.push((
                    started.elapsed().as_millis(),
                    String::from_utf8_lossy(&chunk).into_owned(),
                ));
            }
            out
        })
    }

    /// POSTs `total` bytes generated on the fly, in 64 KiB frames.
    pub fn upload(&self, url: &str, token: &str, total: usize) -> Reply {
        self.rt.block_on(async {
            let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                .build_http::<ChannelBody>();
            let (tx, rx) = mpsc::channel::<Bytes>(4);
            tokio::spawn(async move {
                let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    if tx.send(chunk.slice(..n)).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
            let req = Request::post(url)
                .header("x-api-key", token)
                .header("content-length", total.to_string())
                .body(ChannelBody(rx))
                .unwrap();
            let resp = client.request(req).await.expect("upload");
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec();
            Reply {
                status,
                headers,
                body,
            }
        })
    }
}

/// Sends `GET <path>` byte for byte (no client-side normalisation) and
/// returns the status code.
pub fn raw_get_status(base: &str, path: &str, token: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-API-Key: {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The upstream credential the gateway suites inject.
pub const UPSTREAM_SECRET: &str = "sk-upstream-secret-42";

/// Stores `UPSTREAM_SECRET` and adds the route the gateway suites use:
/// `echo` at `/api/echo` to `upstream`'s `/base`, bearer credential, tag
/// `test`, 1 s timeout.
pub fn add_echo_route(cli: &crate::common::Cli, upstream: &Upstream) {
    cli.run_with_stdin(
        &["secret", "set", "UPSTREAM_KEY", "--host", "127.0.0.1"],
        UPSTREAM_SECRET,
    )
    .ok();
    cli.json(&[
        "route",
        "add",
        "echo",
        "--all-teams",
        "--path",
        "/api/echo",
        "--upstream",
        &format!("{}/base", upstream.url),
        "--auth",
        "bearer:UPSTREAM_KEY",
        "--tag",
        "test",
        "--timeout",
        "1s",
    ]);
}
