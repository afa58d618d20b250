//! Behind a load balancer: `--trusted-proxy` on the gateway and the server.
//! The tests' own HTTP client (on 127.0.0.1) plays the TLS proxy.

use crate::common::{TestGateway, TestServer};
use crate::on_both_backends;
use crate::upstream::{add_echo_route, Http, Upstream};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what} did not happen within 10s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An admin API call with extra headers; returns the status and body.
fn admin_call(srv: &TestServer, path: &str, body: Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req = reqwest::Client::new()
            .post(format!("{}{path}", srv.url))
            .bearer_auth(&srv.admin)
            .json(&body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    })
}

/// The client IP of the newest audit entry for `target`.
fn audited_ip(srv: &TestServer, target: &str) -> String {
    let page = srv
        .cli()
        .json(&["audit", "list", "--target", target, "--limit", "1"]);
    page[0]["client_ip"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

on_both_backends! {
    fn gateway_believes_forwarding_headers_only_from_trusted_proxies(srv) {
        let cli = srv.cli();
        let upstream = Upstream::start();
        add_echo_route(&cli, &upstream);
        let office = cli.json(&["token", "create", "--name", "office", "--scope", "echo", "--allow-ip", "198.51.100.0/24"]);
        let office = office["token"].as_str().unwrap().to_string();
        let http = Http::new();

        // Without --trusted-proxy (the default) every client is the proxy:
        // a forwarded address never passes an allow-list.
        let plain = TestGateway::start(&srv);
        plain.wait_ready();
        let url = format!("{}/api/echo/x", plain.url);
        eventually("token known at the plain gateway", || {
            http.send("GET", &url, &[("x-api-key", &office)], "").code() == "ip_denied"
        });
        let r = http.send("GET", &url, &[("x-api-key", &office), ("x-forwarded-for", "198.51.100.7"), ("x-forwarded-proto", "https")], "");
        assert_eq!(r.code(), "ip_denied", "an untrusted peer's X-Forwarded-For is not believed");

        // Behind a trusted proxy: the rightmost untrusted hop is the client.
        let gw = TestGateway::start_with(&srv, &["--trusted-proxy", "127.0.0.0/8"], None);
        gw.wait_ready();
        let url = format!("{}/api/echo/x", gw.url);
        // The proxy itself is not in the allow-list.
        eventually("token known at the gateway", || http.get(&url, Some(&office)).code() == "ip_denied");
        let r = http.send("GET", &url, &[("x-api-key", &office), ("x-forwarded-for", "6.6.6.6, 198.51.100.7"), ("x-forwarded-proto", "https")], "");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let h = &r.json()["headers"];
        assert_eq!(h["x-forwarded-for"], "6.6.6.6, 198.51.100.7", "the upstream reads the client last, not the proxy");
        assert_eq!(h["x-forwarded-proto"], "https");
        // A client cannot smuggle an address in front of the one the proxy appended.
        let r = http.send("GET", &url, &[("x-api-key", &office), ("x-forwarded-for", "198.51.100.7, 203.0.113.9")], "");
        assert_eq!(r.code(), "ip_denied");
        // RFC 7239 Forwarded is preferred when present.
        let r = http.send("GET", &url, &[
            ("x-api-key", &office),
            ("forwarded", "for=\"198.51.100.8:5555\";proto=https"),
            ("x-forwarded-for", "203.0.113.9"),
        ], "");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json()["headers"]["x-forwarded-proto"], "https");
        assert_eq!(r.json()["headers"]["x-forwarded-for"], "198.51.100.8");

        // Usage records the client, not the proxy.
        let id = cli.json(&["token", "show", "office"])["id"].as_str().unwrap().to_string();
        eventually("usage delivered", || {
            let calls = cli.json(&["usage", "recent", "--api-token", &id]);
            let ips: Vec<&str> = calls.as_array().unwrap().iter().filter_map(|c| c["client_ip"].as_str()).collect();
            ips.contains(&"198.51.100.7") && ips.contains(&"198.51.100.8")
        });
    }

    fn server_audits_the_client_behind_a_trusted_proxy(srv) {
        // Without --trusted-proxy: the TCP peer, whatever the headers say.
        let (status, _) = admin_call(&srv, "/v1/tokens", json!({"name": "direct", "scopes": ["*"], "team": "system"}),
            &[("x-forwarded-for", "198.51.100.7"), ("forwarded", "for=198.51.100.7")]);
        assert_eq!(status, 201);
        assert_eq!(audited_ip(&srv, "direct"), "127.0.0.1");

        let behind = TestServer::start_with_env(srv.backend, &[("TOKENCTL_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")]).unwrap();
        let (status, _) = admin_call(&behind, "/v1/tokens", json!({"name": "proxied", "scopes": ["*"], "team": "system"}),
            &[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.1.1")]);
        assert_eq!(status, 201);
        assert_eq!(audited_ip(&behind, "proxied"), "198.51.100.7");
        let (status, _) = admin_call(&behind, "/v1/tokens", json!({"name": "rfc", "scopes": ["*"], "team": "system"}),
            &[("forwarded", "for=\"[2001:db8::5]:443\""), ("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(status, 201);
        assert_eq!(audited_ip(&behind, "rfc"), "2001:db8::5");

        // Enrolment is audited with the client's address too.
        let inv = behind.cli().json(&["user", "invite", "eve@example.com", "--role", "system:viewer"]);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let status = rt.block_on(async {
            reqwest::Client::new()
                .post(format!("{}/v1/enrol", behind.url))
                .header("x-forwarded-for", "198.51.100.9")
                .json(&json!({"code": inv["code"]}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        assert_eq!(status, 201);
        let page = behind.cli().json(&["audit", "list", "--action", "user.enrol"]);
        assert_eq!(page[0]["client_ip"], "198.51.100.9");

        // A malformed list is refused at start.
        let bad = crate::common::Cli::new(&srv.url, None)
            .run(&["server", "--database-url", "sqlite:///nonexistent/x.db", "--trusted-proxy", "10.0.0.0/33"]);
        assert!(bad.fails(2).contains("10.0.0.0/33"), "{}", bad.stderr);
    }
}
