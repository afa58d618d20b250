//! Report windows and query parameters chosen to hurt: centuries-long
//! windows, times before 1677 (where nanosecond timestamps end), huge,
//! negative, malformed and duplicated parameters. Each is a clean 4xx whose
//! message names the limit, or is clamped, and the server keeps answering.
//! Requests are written byte for byte, so no client library tidies them.

use crate::common::{Cli, TestServer};
use crate::on_both_backends;
use serde_json::Value;

/// The issue's request: one timeline per token over six centuries.
const ISSUE: &str = "/v1/usage/tokens?since=1678-01-01T00:00:00Z&until=2261-12-31T00:00:00Z";

/// `GET path` with a bearer credential, sent raw; the status and the body.
fn raw_get(base: &str, path: &str, bearer: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {bearer}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    let out = String::from_utf8_lossy(&out).into_owned();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Expects `status` with the API's error shape; returns the error message.
fn refused(srv: &TestServer, path: &str, bearer: &str, status: u16) -> String {
    let (got, body) = raw_get(&srv.url, path, bearer);
    assert_eq!(got, status, "{path}: {body}");
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: no error message: {body}"))
        .to_string()
}

fn healthy(srv: &TestServer, bearer: &str) {
    let (status, body) = raw_get(&srv.url, "/health", bearer);
    assert_eq!(status, 200, "{body}");
    let (status, body) = raw_get(&srv.url, "/v1/usage/tokens?since=7d", bearer);
    assert_eq!(status, 200, "{body}");
    let rows: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(rows["window"]["bucket"], "1d");
}

on_both_backends! {
    fn hostile_report_windows_are_refused_with_the_limit(srv) {
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        admin.json(&["route", "add", "r1", "--path", "/r1", "--upstream", "http://127.0.0.1:9", "--all-teams"]);
        for i in 0..3 {
            admin.json(&["token", "create", "--name", &format!("t{i}"), "--scope", "*", "--team", "alpha"]);
        }
        let dev = admin.json(&["user", "create", "dev", "--role", "alpha:developer"])["secret"]
            .as_str()
            .unwrap()
            .to_string();
        for bearer in [dev.as_str(), srv.admin.as_str()] {
            for path in [
                ISSUE,
                "/v1/usage/tokens?since=1600-01-01T00:00:00Z",
                "/v1/usage/routes?since=1600-01-01T00:00:00Z",
                "/v1/usage?since=1600-01-01T00:00:00Z",
                "/v1/usage/tokens/t0?since=1600-01-01T00:00:00Z",
                "/v1/usage/routes/r1?since=1600-01-01T00:00:00Z",
                // Far future, and a window of exactly one day too many.
                "/v1/usage?since=2026-01-01&until=9999-12-31T23:59:59Z",
                "/v1/usage?since=2021-01-01&until=2023-01-01T00:00:01Z",
            ] {
                let message = refused(&srv, path, bearer, 422);
                assert!(message.contains("at most 730 days"), "{path}: {message}");
            }
            // The longest window allowed answers, in daily buckets.
            let (status, body) = raw_get(&srv.url, "/v1/usage/tokens?since=2021-01-01&until=2023-01-01", bearer);
            assert_eq!(status, 200, "{body}");
            let rows: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(rows["window"]["buckets"], 730);
            // Older than the daily rollups' 2 years: served from them, and
            // the answer says it is not covered rather than looking empty.
            assert_eq!(rows["window"]["rollup"], "day");
            assert!(rows["window"]["uncovered_until"].is_string(), "{body}");
            assert_eq!(rows["rows"][0]["timeline"].as_array().unwrap().len(), 730);

            // Times outside four-digit years, malformed and empty windows.
            for path in [
                "/v1/usage?since=%2B200000-01-01",
                "/v1/usage?since=-0001-01-01",
                "/v1/usage?since=0000-12-31T23:59:59Z",
                "/v1/usage?since=%FF%FE",
                "/v1/usage?since=99999999999999999999d",
                "/v1/usage?since=1h&until=2h",
                "/v1/usage/tokens?limit=0",
                "/v1/usage/tokens?limit=1001",
                "/v1/audit?since=%2B200000-01-01",
                // Lists page: a limit past the maximum and a cursor the
                // server did not issue are refused, not clamped or ignored.
                "/v1/audit?cursor=not-a-uuid",
                "/v1/audit?limit=4294967295&since=1600-01-01T00:00:00Z",
                "/v1/tokens?limit=1001",
            ] {
                refused(&srv, path, bearer, 422);
            }
            assert!(refused(&srv, "/v1/usage/routes?limit=5000", bearer, 422).contains("1 to 1000"));
            // Unparsable numbers and duplicated parameters: 400, never a panic.
            for path in [
                "/v1/usage/tokens?limit=-1",
                "/v1/usage/tokens?limit=184467440737095516160",
                "/v1/usage/tokens?since=1h&since=2h",
                "/v1/usage/tokens/t0?recent=-5",
                "/v1/usage/recent?limit=99999999999",
                "/v1/usage/recent?status=70000",
                "/v1/audit?limit=-1",
                "/v1/tokens?limit=4294967296",
            ] {
                refused(&srv, path, bearer, 400);
            }
            // Huge limits within the type are clamped to the documented 1000.
            for path in [
                "/v1/usage/recent?limit=4294967295",
                "/v1/usage/tokens/t0?recent=4294967295",
                "/v1/audit?limit=1000&since=1600-01-01T00:00:00Z",
                "/v1/tokens?status=all",
            ] {
                let (status, body) = raw_get(&srv.url, path, bearer);
                assert_eq!(status, 200, "{path}: {body}");
            }
            healthy(&srv, bearer);
        }
        assert!(!srv.log().contains("panicked"), "{}", srv.log());

        // The CLI prints the server's message and exits 2.
        let cli = Cli::new(&srv.url, Some(&dev));
        let err = cli.run(&["usage", "tokens", "--since", "1678-01-01T00:00:00Z", "--until", "2261-12-31T00:00:00Z"]).fails(2).to_string();
        assert!(err.contains("at most 730 days"), "{err}");
        let err = cli.run(&["usage", "--since", "1600-01-01T00:00:00Z", "-o", "json"]).fails(2).to_string();
        let err: Value = serde_json::from_str(&err).unwrap();
        assert_eq!(err["error"]["code"], "invalid_input");
        assert_eq!(err["error"]["exit_code"], 2);
        assert!(err["error"]["message"].as_str().unwrap().contains("at most 730 days"));
        // A limit out of range fails before connecting.
        cli.run(&["usage", "tokens", "--limit", "0"]).fails(2);
        cli.run(&["usage", "tokens", "--page-size", "1001"]).fails(2);
        healthy(&srv, &dev);
    }

    fn usage_lists_say_how_many_rows_were_left_out(srv) {
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        for i in 0..5 {
            admin.json(&["token", "create", "--name", &format!("t{i}"), "--scope", "*", "--team", "alpha"]);
        }
        let rows = admin.json(&["usage", "tokens", "--limit", "2", "--sort", "name"]);
        assert_eq!(rows["total"], 5);
        let names: Vec<&str> = rows["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["t0", "t1"]);
        let buckets = rows["window"]["buckets"].as_u64().unwrap() as usize;
        assert!(rows["rows"].as_array().unwrap().iter().all(|r| r["timeline"].as_array().unwrap().len() == buckets));
        let text = admin.run(&["usage", "tokens", "--limit", "2"]);
        assert!(text.ok().stderr.contains("Showing 2 of 5 rows"), "{}", text.stderr);
        let text = admin.run(&["usage", "tokens"]);
        assert!(!text.ok().stderr.contains("Showing"), "{}", text.stderr);
    }
}
