//! The usage lists page (`/v1/usage/tokens`, `/v1/usage/routes`;
//! `usage tokens|routes --limit/--all/--page-size/--cursor`). The order
//! is the documented one, computed here from the calls each token was
//! given: tokens with calls by the sort key, then name, then id; then the
//! tokens without calls by name; revoked tokens without calls left out;
//! with `sort=name` one order by name, the calls without a valid token
//! first. Every page size must give every row exactly once.

use crate::common::{runtime, TestServer};
use crate::on_both_backends;
use crate::usage::{event, post, rolled_up};
use chrono::{TimeDelta, Utc};
use serde_json::Value;

/// Calls per token `a00`…`a11`; `a03` (1 call) and `a04` (none) are
/// revoked. Two more calls carry no valid token.
const CALLS: [usize; 12] = [3, 0, 5, 1, 0, 2, 5, 0, 4, 1, 0, 2];
const REVOKED: [usize; 2] = [3, 4];
const NO_TOKEN_CALLS: usize = 2;
const NO_TOKEN: &str = "(no valid token)";

fn name(i: usize) -> String {
    format!("a{i:02}")
}

/// The rows the spec lists, in order, for `sort` (`calls` or `name`).
fn expected(sort: &str) -> Vec<String> {
    let mut ranked: Vec<(usize, String)> = (0..CALLS.len())
        .filter(|&i| CALLS[i] > 0)
        .map(|i| (CALLS[i], name(i)))
        .collect();
    ranked.push((NO_TOKEN_CALLS, NO_TOKEN.to_string()));
    let idle = (0..CALLS.len())
        .filter(|&i| CALLS[i] == 0 && !REVOKED.contains(&i))
        .map(name);
    if sort == "name" {
        let mut all: Vec<String> = ranked.into_iter().map(|(_, n)| n).chain(idle).collect();
        all.sort();
        return all;
    }
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, n)| n).chain(idle).collect()
}

fn get(srv: &TestServer, path: &str) -> (u16, Value) {
    runtime().block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", srv.url))
            .bearer_auth(&srv.admin)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    })
}

fn names(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap_or_else(|| panic!("not an array: {rows}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn setup(srv: &TestServer) {
    let cli = srv.cli();
    cli.json(&["team", "create", "alpha"]);
    let route = cli.json(&[
        "route",
        "add",
        "r1",
        "--all-teams",
        "--path",
        "/r1",
        "--upstream",
        "http://127.0.0.1:9",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    cli.json(&[
        "route",
        "add",
        "r2",
        "--all-teams",
        "--path",
        "/r2",
        "--upstream",
        "http://127.0.0.1:9",
    ]);
    let key = cli.json(&["gateway-key", "create", "feeder"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let at = Utc::now() - TimeDelta::minutes(10);
    let mut events = Vec::new();
    for (i, calls) in CALLS.iter().enumerate() {
        let id = cli.json(&[
            "token",
            "create",
            "--name",
            &name(i),
            "--scope",
            "*",
            "--team",
            "alpha",
        ])["id"]
            .as_str()
            .unwrap()
            .to_string();
        for _ in 0..*calls {
            events.push(event(at, Some(&id), Some(&route), 200, 5.0, None));
        }
        if REVOKED.contains(&i) {
            cli.json(&["token", "revoke", &name(i)]);
        }
    }
    for _ in 0..NO_TOKEN_CALLS {
        events.push(event(
            at,
            None,
            Some(&route),
            401,
            1.0,
            Some("missing_token"),
        ));
    }
    post(srv, &key, &Value::Array(events));
    rolled_up(srv);
}

on_both_backends! {
    fn usage_lists_page_in_the_documented_order(srv) {
        setup(&srv);
        for sort in ["calls", "name"] {
            let want = expected(sort);
            for size in 1..=want.len() + 1 {
                let mut seen = Vec::new();
                let mut cursor: Option<String> = None;
                for _ in 0..=want.len() {
                    let mut path = format!("/v1/usage/tokens?since=1h&sort={sort}&limit={size}");
                    if let Some(c) = &cursor {
                        path.push_str(&format!("&cursor={c}"));
                    }
                    let (status, page) = get(&srv, &path);
                    assert_eq!(status, 200, "{path}: {page}");
                    assert_eq!(page["total"], want.len(), "{path}");
                    let rows = names(&page["rows"]);
                    assert!(rows.len() <= size, "{path}");
                    seen.extend(rows);
                    cursor = page["next_cursor"].as_str().map(String::from);
                    if cursor.is_none() {
                        break;
                    }
                }
                assert_eq!(seen, want, "sort={sort}, pages of {size}");
            }
        }
        // A cursor belongs to its list and its filters.
        let (_, first) = get(&srv, "/v1/usage/tokens?since=1h&limit=2");
        let cursor = first["next_cursor"].as_str().unwrap();
        for other in [
            format!("/v1/usage/tokens?since=1h&sort=name&limit=2&cursor={cursor}"),
            format!("/v1/usage/routes?since=1h&limit=2&cursor={cursor}"),
            format!("/v1/tokens?limit=2&cursor={cursor}"),
            format!("/v1/usage/tokens?since=1h&limit=2&cursor={}x", &cursor[..cursor.len() - 1]),
        ] {
            let (status, body) = get(&srv, &other);
            assert_eq!(status, 422, "{other}: {body}");
            assert_eq!(body["error"]["code"], "invalid_cursor", "{other}");
        }
        // Routes page too: every route once.
        let (_, routes) = get(&srv, "/v1/usage/routes?since=1h&limit=1");
        assert_eq!(names(&routes["rows"]), ["r1"]);
        let (_, rest) = get(&srv, &format!("/v1/usage/routes?since=1h&limit=1&cursor={}", routes["next_cursor"].as_str().unwrap()));
        assert_eq!(names(&rest["rows"]), ["r2"]);
        assert!(rest["next_cursor"].is_null());
    }

    fn usage_tokens_prints_the_top_rows_or_all_of_them(srv) {
        setup(&srv);
        let cli = srv.cli();
        let want = expected("calls");
        // The top N, and a hint on stderr to the rest.
        let top = cli.run(&["usage", "tokens", "--since", "1h", "--limit", "3", "-o", "json"]);
        let json: Value = serde_json::from_str(&top.ok().stdout).unwrap();
        assert_eq!(names(&json["rows"]), want[..3]);
        assert_eq!(json["total"], want.len());
        assert!(top.stderr.contains(&format!("Showing 3 of {} rows", want.len())), "{}", top.stderr);
        assert!(top.stderr.contains("--cursor "), "{}", top.stderr);
        // Every row, a page of two at a time: one JSON object, the same
        // rows as one page of them all.
        let all = cli.run(&["usage", "tokens", "--since", "1h", "--all", "--page-size", "2", "-o", "json"]);
        let streamed: Value = serde_json::from_str(&all.ok().stdout).unwrap();
        let whole = cli.json(&["usage", "tokens", "--since", "1h", "--limit", "1000"]);
        assert_eq!(names(&streamed["rows"]), want);
        assert_eq!(streamed["rows"], whole["rows"]);
        assert_eq!(streamed["total"], whole["total"]);
        assert!(streamed["next_cursor"].is_null());
        assert!(all.stderr.is_empty(), "{}", all.stderr);
        // JSON Lines: one row per line.
        let lines = cli.run(&["usage", "tokens", "--since", "1h", "--all", "--page-size", "5", "-o", "jsonl"]);
        let rows: Vec<String> = lines
            .ok()
            .stdout
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(rows, want);
        // Continuing from the hint's cursor gives the rest.
        let cursor = top.stderr.rsplit("--cursor ").next().unwrap().trim();
        let rest = cli.json(&["usage", "tokens", "--since", "1h", "--limit", "1000", "--cursor", cursor]);
        assert_eq!(names(&rest["rows"]), want[3..]);
        // A table: the heading once, every row.
        let table = cli.run(&["usage", "tokens", "--since", "1h", "--all", "--page-size", "4"]);
        let text = &table.ok().stdout;
        assert_eq!(text.matches("Window").count(), 1, "{text}");
        assert_eq!(text.matches("TOKEN").count(), 1, "{text}");
        for n in &want {
            assert!(text.contains(n.as_str()), "{n}: {text}");
        }
        // --all redraws nothing.
        cli.run(&["usage", "tokens", "--all", "--watch"]).fails(2);
    }
}
