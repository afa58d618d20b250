//! What an allowed call looks like through a gateway: forwarding, headers,
//! streaming, redirects, and hostile headers.

use crate::gateways::{body, eventually, token, GatewayUnderTest, Kind};
use crate::upstream::{raw_get_status, ChannelBody, UPSTREAM_SECRET};
use serde_json::Value;

pub fn forwards_with_the_upstream_credential(s: &mut dyn GatewayUnderTest) {
    let t = token(s.cli(), "client", &["--scope", "echo"]);
    s.sync();
    eventually("token known at the gateway", s.follow_limit(), || {
        s.http().get(&s.url("/api/echo/x"), Some(&t)).status == 200
    });

    // X-API-Key.
    let r = s.http().send(
        "POST",
        &s.url("/api/echo/v1/chat?stream=false&a=%20b"),
        &[
            ("x-api-key", &t),
            ("connection", "keep-alive, x-client-hop"),
            ("x-client-hop", "drop me"),
            ("x-forwarded-for", "203.0.113.9"),
            ("cf-connecting-ip", "198.51.100.7"),
            ("content-type", "application/json"),
        ],
        r#"{"model":"gpt"}"#,
    );
    assert_eq!(r.status, 200, "{}", body(&r));
    let seen = r.json();
    assert_eq!(seen["method"], "POST");
    assert_eq!(
        seen["path"], "/base/v1/chat?stream=false&a=%20b",
        "prefix stripped, rest and query appended"
    );
    let h = &seen["headers"];
    assert_eq!(
        h["authorization"],
        format!("Bearer {UPSTREAM_SECRET}"),
        "the route's credential is injected"
    );
    assert!(
        h.get("x-api-key").is_none(),
        "the client's token must not reach the upstream"
    );
    match s.kind() {
        Kind::Native => assert!(
            h.get("x-client-hop").is_none(),
            "hop-by-hop headers named in Connection are dropped"
        ),
        // Not the Worker's to decide: the Workers runtime consumes the
        // client's Connection header before the Worker sees the request
        // (the Worker applies the same core header plan, which would drop
        // what it names), so under workerd the named header arrives as an
        // ordinary one and is forwarded.
        Kind::Worker => {}
    }
    match s.kind() {
        // The native gateway sees the client at the peer address; a
        // CF-Connecting-IP from the client is not believed (behind a proxy,
        // --trusted-proxy decides; see trusted_proxies.rs).
        Kind::Native => assert_eq!(h["x-forwarded-for"], "203.0.113.9, 127.0.0.1"),
        // The Worker takes the client address from CF-Connecting-IP (which
        // Cloudflare sets) and forwards none of Cloudflare's cf-* headers.
        Kind::Worker => {
            assert_eq!(
                h["x-forwarded-for"], "203.0.113.9, 198.51.100.7",
                "client IP from CF-Connecting-IP"
            );
            assert!(
                h.get("cf-connecting-ip").is_none(),
                "Cloudflare's client headers are not forwarded"
            );
        }
    }
    assert_eq!(h["x-forwarded-proto"], "http");
    assert_eq!(
        h["x-forwarded-host"],
        s.base().trim_start_matches("http://")
    );
    assert_eq!(
        h["host"],
        s.upstream().url.trim_start_matches("http://"),
        "Host names the upstream"
    );
    assert_eq!(seen["body_bytes"], 15);
    assert!(
        r.header("x-upstream-hop").is_none(),
        "response hop-by-hop headers are dropped"
    );
    let timing = r
        .header("server-timing")
        .expect("Server-Timing on every response");
    assert!(
        timing.contains("verify;dur=") && timing.contains("upstream;dur="),
        "{timing}"
    );

    // Authorization: Bearer (OpenAI SDK style): the token is replaced,
    // never forwarded.
    let r = s.http().send(
        "GET",
        &s.url("/api/echo/models"),
        &[("authorization", &format!("Bearer {t}"))],
        "",
    );
    assert_eq!(r.status, 200, "{}", body(&r));
    let seen = r.json();
    assert_eq!(
        seen["headers"]["authorization"],
        format!("Bearer {UPSTREAM_SECRET}")
    );
    assert!(!seen.to_string().contains(&t));

    // Segment boundaries: /api/echox is not /api/echo.
    let r = s.http().get(&s.url("/api/echox"), Some(&t));
    assert_eq!((r.status, r.code()), (404, "route_not_found".into()));
    // No path leaves its prefix. Sent raw: HTTP client libraries would
    // normalise these away. The native gateway refuses them all as
    // bad_path. The Workers runtime resolves dot segments (also encoded
    // ones) and turns `\` into `/` before the Worker sees the URL, so those
    // arrive as other, canonical paths (here: no route); encoded slashes
    // and backslashes reach the core's check.
    let resolved_by_the_runtime = match s.kind() {
        Kind::Native => 400,
        Kind::Worker => 404,
    };
    for (evil, status) in [
        ("/api/echo/../../etc/passwd", resolved_by_the_runtime),
        ("/api/echo/%2e%2e/x", resolved_by_the_runtime),
        ("/api/echo\\..\\x", resolved_by_the_runtime),
        ("/api/echo/a%2fb", 400),
        ("/api/echo/%2E%2e%2f", 400),
        ("/api/echo/..%5c..%5cx", 400),
    ] {
        assert_eq!(raw_get_status(s.base(), evil, &t), status, "{evil}");
    }
}

/// POSTs `total` bytes without a Content-Length (chunked), in 64 KiB frames.
fn chunked_upload(url: &str, token: &str, total: usize) -> (u16, Value) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use http_body_util::BodyExt;
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<ChannelBody>();
            let (tx, rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(4);
            tokio::spawn(async move {
                let chunk = bytes::Bytes::from(vec![b'y'; 64 * 1024]);
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    if tx.send(chunk.slice(..n)).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
            let req = hyper::Request::post(url)
                .header("x-api-key", token)
                .body(ChannelBody(rx))
                .unwrap();
            let resp = client.request(req).await.expect("upload");
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        })
}

pub fn streams_bodies_and_rewrites_redirects(s: &mut dyn GatewayUnderTest) {
    let t = token(s.cli(), "streamer", &["--scope", "echo"]);
    s.sync();
    eventually("token", s.follow_limit(), || {
        s.http().get(&s.url("/api/echo/x"), Some(&t)).status == 200
    });

    // Server-sent events arrive chunk by chunk, not at the end.
    let chunks = s.http().chunks(&s.url("/api/echo/sse"), &t);
    let text: String = chunks.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(text.matches("data: ").count(), 5, "{text}");
    let (first, last) = (chunks.first().unwrap().0, chunks.last().unwrap().0);
    eprintln!(
        "SSE through the {:?} gateway: first chunk after {first} ms, last after {last} ms, {} chunks",
        s.kind(),
        chunks.len()
    );
    assert!(
        chunks.len() >= 3,
        "events must not be buffered into one chunk: {chunks:?}"
    );
    assert!(last - first >= 900, "events spread over time: {chunks:?}");

    // A 100 MB upload streams through with flat memory.
    let before = s.peak_rss_kib();
    let r = s
        .http()
        .upload(&s.url("/api/echo/upload"), &t, 100 * 1024 * 1024);
    assert_eq!(r.status, 200, "{}", body(&r));
    assert_eq!(r.json()["body_bytes"], 100 * 1024 * 1024);
    let after = s.peak_rss_kib();
    eprintln!(
        "100 MB upload: {:?} gateway peak RSS {before} KiB before, {after} KiB after",
        s.kind()
    );
    assert!(
        after - before < s.upload_rss_budget_kib(),
        "peak RSS grew by {} KiB",
        after - before
    );

    // A body of unknown length streams too, and is counted on the way.
    let (status, seen) = chunked_upload(&s.url("/api/echo/chunked"), &t, 8 * 1024 * 1024);
    assert_eq!(
        (status, &seen["body_bytes"]),
        (200, &Value::from(8 * 1024 * 1024))
    );

    // A redirect into the upstream base points back at the route prefix.
    let r = s.http().get(&s.url("/api/echo/redirect"), Some(&t));
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/api/echo/landing?x=1"));

    // Usage has the streamed sizes.
    eventually("usage", std::time::Duration::from_secs(20), || {
        s.srv().usage_rows().len() >= 5
    });
    let rows = s.srv().usage_rows();
    assert!(
        rows.iter()
            .any(|r| r.0 == "GET" && r.1 == 200 && r.3 == text.len() as i64),
        "SSE bytes out: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "POST" && r.2 == 100 * 1024 * 1024),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.0 == "POST" && r.2 == 8 * 1024 * 1024),
        "chunked upload counted: {rows:?}"
    );
}
