//! Paged lists: `limit` and `cursor` on the API, `--limit`, `--all`,
//! `--page-size`, `--cursor` and `-o jsonl` in the CLI. Expectations come
//! from the documented contract: rows by name (then id), each exactly once,
//! a cursor valid only for its list and filters, visibility applied before
//! the page is cut.

use crate::common::{runtime, Cli, TestServer};
use crate::on_both_backends;
use base64::Engine;
use serde_json::{json, Value};

/// `(status, body)` of an admin API call as `credential`.
fn call(
    srv: &TestServer,
    credential: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    runtime().block_on(async {
        let mut request = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", srv.url))
            .bearer_auth(credential);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    })
}

fn get(srv: &TestServer, credential: &str, path: &str) -> Value {
    let (status, body) = call(srv, credential, "GET", path, None);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Creates tokens named `names` in `team` through the API, ten at a time.
fn tokens(srv: &TestServer, team: &str, names: &[String]) {
    runtime().block_on(async {
        let client = reqwest::Client::new();
        for chunk in names.chunks(10) {
            let mut calls = tokio::task::JoinSet::new();
            for name in chunk {
                let request = client
                    .post(format!("{}/v1/tokens", srv.url))
                    .bearer_auth(&srv.admin)
                    .json(&json!({"name": name, "team": team, "scopes": ["*"]}));
                calls.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
            }
            while let Some(status) = calls.join_next().await {
                assert_eq!(status.unwrap().unwrap(), 201);
            }
        }
    });
}

fn names(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap_or_else(|| panic!("not an array: {rows}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every page of `path` (which has a `?`), `limit` rows at a time.
fn all_pages(srv: &TestServer, credential: &str, path: &str, limit: u32) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut url = format!("{path}&limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = get(srv, credential, &url);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        rows.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(
                    items.len(),
                    limit as usize,
                    "a page short of rows while more exist"
                );
                cursor = Some(next.to_string());
            }
            None => return rows,
        }
    }
    panic!("{path} pages forever");
}

fn user(srv: &TestServer, name: &str, roles: &[&str]) -> (Cli, String) {
    let mut args = vec!["user", "create", name];
    for r in roles {
        args.extend(["--role", r]);
    }
    let created = srv.cli().json(&args);
    let secret = created["secret"].as_str().unwrap().to_string();
    (Cli::new(&srv.url, Some(&secret)), secret)
}

on_both_backends! {
    fn pages_through_250_tokens_each_once_in_order(srv) {
        let cli = srv.cli();
        cli.run(&["team", "create", "alpha"]).ok();
        cli.run(&["team", "create", "beta"]).ok();
        // Created out of name order; ten names shared by both teams, so
        // that the id decides between namesakes.
        let mut alpha: Vec<String> = (0..250).map(|i| format!("t-{:03}", (i * 7) % 250)).collect();
        alpha.reverse();
        tokens(&srv, "alpha", &alpha);
        tokens(&srv, "beta", &(0..10).map(|i| format!("t-{:03}", i * 25)).collect::<Vec<_>>());

        // The order the contract states: by name, then id.
        let expected = all_pages(&srv, &srv.admin, "/v1/tokens?status=all", 1000);
        assert_eq!(expected.len(), 260);
        let mut sorted: Vec<(String, String)> = expected.iter()
            .map(|t| (t["name"].as_str().unwrap().into(), t["id"].as_str().unwrap().into()))
            .collect();
        sorted.sort();
        assert_eq!(sorted.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(), ids(&expected));
        let mut unique = ids(&expected);
        unique.dedup();
        assert_eq!(unique.len(), 260);

        // The API pages at 100 by default; small pages give the same rows.
        let first = get(&srv, &srv.admin, "/v1/tokens?status=all");
        assert_eq!(first["items"].as_array().unwrap().len(), 100);
        assert!(first["next_cursor"].is_string());
        assert_eq!(ids(&all_pages(&srv, &srv.admin, "/v1/tokens?status=all", 7)), ids(&expected));
        assert_eq!(ids(&all_pages(&srv, &srv.admin, "/v1/tokens?status=all&team=alpha", 100)),
            ids(&expected.iter().filter(|t| t["team"] == "alpha").cloned().collect::<Vec<_>>()));

        // --limit: the first N rows, and a hint with the cursor to go on.
        let run = cli.run(&["token", "list", "--status", "all", "--limit", "100", "--page-size", "30", "-o", "json"]);
        let rows: Value = run.json();
        assert_eq!(ids(rows.as_array().unwrap()), ids(&expected[..100]));
        assert!(run.stderr.contains("Showing the first 100 tokens; more exist"), "{}", run.stderr);
        let cursor = run.stderr.split("--cursor ").nth(1).expect("a cursor to go on").trim().to_string();
        let next: Value = cli.run(&["token", "list", "--status", "all", "--cursor", &cursor, "--limit", "100", "-o", "json"]).json();
        assert_eq!(ids(next.as_array().unwrap()), ids(&expected[100..200]));
        let rows: Value = cli.run(&["token", "list", "--status", "all", "--limit", "250", "--page-size", "100", "-o", "json"]).json();
        assert_eq!(ids(rows.as_array().unwrap()), ids(&expected[..250]));

        // --all: every row once, in order, as a JSON array…
        let run = cli.run(&["token", "list", "--status", "all", "--all", "--page-size", "100", "-o", "json"]);
        assert_eq!(ids(run.json().as_array().unwrap()), ids(&expected));
        assert!(!run.stderr.contains("more exist"), "{}", run.stderr);
        // …or as JSON Lines, one object per line.
        let run = cli.run(&["token", "list", "--status", "all", "--all", "--page-size", "100", "-o", "jsonl"]);
        run.ok();
        let lines: Vec<Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(ids(&lines), ids(&expected));
        // Without --all or --limit: the first page of 100.
        let run = cli.run(&["token", "list", "--status", "all", "-o", "jsonl"]);
        assert_eq!(run.stdout.lines().count(), 100);
        assert!(run.stderr.contains("more exist"), "{}", run.stderr);

        // A reader that stops early (`| head -1`) ends the listing quietly.
        let mut child = cli.command(&["token", "list", "--status", "all", "--all", "--page-size", "10", "-o", "jsonl"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&first).unwrap()["id"], expected[0]["id"]);
        let done = crate::common::finish(child.wait_with_output().unwrap());
        assert_eq!(done.code, 0, "{}", done.stderr);
        assert!(!done.stderr.contains("panicked"), "{}", done.stderr);

        // A table: the first 100 rows, the hint on stderr only.
        let run = cli.run(&["token", "list", "--status", "all"]);
        run.ok();
        assert_eq!(run.stdout.lines().count(), 101, "{}", run.stdout);
        assert!(run.stdout.lines().nth(1).unwrap().contains(expected[0]["id"].as_str().unwrap()));
        assert!(run.stderr.contains("--all"), "{}", run.stderr);
        // With --all, later pages go on in the first page's columns.
        let run = cli.run(&["token", "list", "--status", "all", "--all", "--page-size", "100"]);
        let lines: Vec<&str> = run.ok().stdout.lines().collect();
        assert_eq!(lines.len(), 261);
        let id_column = |line: &str| line.find(expected[0]["id"].as_str().unwrap()).or_else(|| {
            expected.iter().find_map(|t| line.find(t["id"].as_str().unwrap()))
        });
        assert_eq!(id_column(lines[1]), id_column(lines[250]));
    }

    fn bad_limits_and_cursors_are_refused(srv) {
        let cli = srv.cli();
        cli.run(&["team", "create", "alpha"]).ok();
        tokens(&srv, "alpha", &["a".into(), "b".into(), "c".into()]);
        let admin = srv.admin.clone();
        for list in ["/v1/tokens", "/v1/users", "/v1/routes", "/v1/teams", "/v1/audit"] {
            for (query, status) in [
                ("limit=0", 422),
                ("limit=1001", 422),
                ("limit=4294967295", 422),
                ("limit=-1", 400),
                ("limit=abc", 400),
                ("limit=99999999999", 400),
                ("cursor=", 422),
                ("cursor=not-a-cursor", 422),
                ("cursor=%00%FF", 422),
                ("cursor=01939c7e-0000-7000-8000-000000000000", 422),
            ] {
                let (got, body) = call(&srv, &admin, "GET", &format!("{list}?{query}"), None);
                assert_eq!(got, status, "{list}?{query}: {body}");
                if status == 422 && query.starts_with("cursor") {
                    assert_eq!(body["error"]["code"], "invalid_cursor", "{body}");
                }
            }
            let long = "A".repeat(5000);
            assert_eq!(call(&srv, &admin, "GET", &format!("{list}?cursor={long}"), None).0, 422);
            assert_eq!(call(&srv, &admin, "GET", &format!("{list}?limit=1000"), None).0, 200);
        }

        let page = get(&srv, &admin, "/v1/tokens?limit=1");
        let cursor = page["next_cursor"].as_str().unwrap().to_string();
        // Another list's, other filters', or an altered cursor: refused.
        for (path, why) in [
            (format!("/v1/teams?cursor={cursor}"), "not the teams list"),
            (format!("/v1/audit?cursor={cursor}"), "not the audit list"),
            (format!("/v1/tokens?status=all&cursor={cursor}"), "other filters"),
            (format!("/v1/tokens?team=alpha&cursor={cursor}"), "other filters"),
        ] {
            let (status, body) = call(&srv, &admin, "GET", &path, None);
            assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_cursor")), "{path}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains(why), "{body}");
        }
        let mut altered = cursor.clone().into_bytes();
        let i = altered.len() / 2;
        altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        let (status, body) = call(&srv, &admin, "GET", &format!("/v1/tokens?cursor={altered}"), None);
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_cursor")), "{body}");
        // The audit filters too: as written, so a relative window stays valid.
        let audit = get(&srv, &admin, "/v1/audit?since=24h&limit=1");
        let c = audit["next_cursor"].as_str().unwrap();
        let total = get(&srv, &admin, "/v1/audit?since=24h&limit=1000")["items"].as_array().unwrap().len();
        assert_eq!(get(&srv, &admin, &format!("/v1/audit?since=24h&cursor={c}"))["items"].as_array().unwrap().len(), total - 1);
        for other in ["since=7d", "since=24h&action=token.create", ""] {
            let (status, body) = call(&srv, &admin, "GET", &format!("/v1/audit?{other}&cursor={c}"), None);
            assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_cursor")), "{other}: {body}");
        }
        // The same filters, spelled otherwise (the team by id or name), are the same filters.
        let team_id = cli.json(&["team", "show", "alpha"])["id"].as_str().unwrap().to_string();
        let by_name = get(&srv, &admin, "/v1/tokens?team=alpha&limit=1");
        let c = by_name["next_cursor"].as_str().unwrap();
        assert_eq!(names(&get(&srv, &admin, &format!("/v1/tokens?team={team_id}&cursor={c}"))["items"]), ["b", "c"]);

        // The CLI: checked before connecting where it can, else the server's 422 as exit 2.
        for args in [
            vec!["token", "list", "--limit", "0"],
            vec!["token", "list", "--limit", "-3"],
            vec!["token", "list", "--page-size", "1001"],
            vec!["token", "list", "--page-size", "0"],
            vec!["token", "list", "--all", "--limit", "5"],
            vec!["token", "list", "--cursor", "not a cursor"],
            vec!["audit", "list", "--limit", "x"],
        ] {
            cli.run(&args).fails(2);
        }
        let err = cli.run(&["team", "list", "--cursor", &cursor, "-o", "json"]).fails(2).to_string();
        let err: Value = serde_json::from_str(&err).unwrap();
        assert_eq!(err["error"]["code"], "invalid_cursor");
        // -o jsonl reports errors as JSON too, usage errors included.
        for args in [vec!["token", "list", "--limit", "0", "-o", "jsonl"], vec!["token", "list", "-ojsonl", "--page-size", "0"]] {
            let err = cli.run(&args).fails(2).to_string();
            assert_eq!(serde_json::from_str::<Value>(&err).unwrap()["error"]["code"], "usage", "{err}");
        }
        let err = cli.run(&["token", "list", "--cursor", &altered, "-o", "jsonl"]).fails(2).to_string();
        assert_eq!(serde_json::from_str::<Value>(&err).unwrap()["error"]["code"], "invalid_cursor");
        assert!(!srv.log().contains("panicked"));
    }

    fn a_team_manager_pages_only_through_what_they_see(srv) {
        let cli = srv.cli();
        for team in ["alpha", "beta"] {
            cli.run(&["team", "create", team]).ok();
        }
        // Alpha's tokens are scattered among beta's, and beta has more
        // after alpha's last.
        let alpha: Vec<String> = ["n-03", "n-11", "n-17", "n-24", "n-29"].map(String::from).to_vec();
        let beta: Vec<String> = (0..40).map(|i| format!("n-{i:02}")).filter(|n| !alpha.contains(n)).collect();
        tokens(&srv, "alpha", &alpha);
        tokens(&srv, "beta", &beta);
        let (manager, secret) = user(&srv, "mia", &["alpha:manager"]);

        // Full pages while more exist; the last page says so, though beta
        // has rows after it.
        let p1 = get(&srv, &secret, "/v1/tokens?limit=2");
        assert_eq!(names(&p1["items"]), ["n-03", "n-11"]);
        let p2 = get(&srv, &secret, &format!("/v1/tokens?limit=2&cursor={}", p1["next_cursor"].as_str().unwrap()));
        assert_eq!(names(&p2["items"]), ["n-17", "n-24"]);
        let p3 = get(&srv, &secret, &format!("/v1/tokens?limit=2&cursor={}", p2["next_cursor"].as_str().unwrap()));
        assert_eq!(names(&p3["items"]), ["n-29"]);
        assert!(p3["next_cursor"].is_null(), "{p3}");
        // A page that holds exactly the rest: no cursor to a page of nothing.
        let exact = get(&srv, &secret, "/v1/tokens?limit=5");
        assert_eq!(names(&exact["items"]), alpha);
        assert!(exact["next_cursor"].is_null(), "{exact}");
        // A cursor holds the position of a row they were shown, nothing of beta's.
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p1["next_cursor"].as_str().unwrap())
            .unwrap();
        let raw = String::from_utf8_lossy(&raw);
        assert!(raw.contains("n-11"), "{raw}");
        assert!(beta.iter().all(|b| !raw.contains(b.as_str())), "{raw}");
        // The admin's cursor (between beta rows) lets them see nothing more.
        let admin_page = get(&srv, &srv.admin, "/v1/tokens?limit=13");
        let c = admin_page["next_cursor"].as_str().unwrap();
        assert_eq!(names(&get(&srv, &secret, &format!("/v1/tokens?cursor={c}"))["items"]), ["n-17", "n-24", "n-29"]);
        // The CLI likewise.
        let all: Value = manager.run(&["token", "list", "--all", "--page-size", "2", "-o", "json"]).json();
        assert_eq!(names(&all), alpha);

        // Users: members of their teams (and themselves), pages full.
        for i in 0..6 {
            user(&srv, &format!("a{i}"), &["alpha:viewer"]);
            user(&srv, &format!("b{i}"), &["beta:viewer"]);
        }
        let seen: Vec<String> = all_pages(&srv, &secret, "/v1/users?", 2).iter()
            .map(|u| u["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(seen, ["a0", "a1", "a2", "a3", "a4", "a5", "mia"]);
        // Teams: alpha only.
        let teams: Vec<String> = all_pages(&srv, &secret, "/v1/teams?", 1).iter()
            .map(|t| t["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(teams, ["alpha"]);
        // Audit: alpha's entries, in pages as in one.
        let one = get(&srv, &secret, "/v1/audit?limit=1000")["items"].clone();
        assert!(one.as_array().unwrap().iter().all(|e| e["target_name"] != "n-00"), "beta's entries leaked");
        assert_eq!(ids(&all_pages(&srv, &secret, "/v1/audit?", 2)), ids(one.as_array().unwrap()));
    }

    fn rows_changed_while_paging_are_the_only_ones_missed(srv) {
        let cli = srv.cli();
        cli.run(&["team", "create", "alpha"]).ok();
        let names_: Vec<String> = (0..30).map(|i| format!("c-{i:02}")).collect();
        tokens(&srv, "alpha", &names_);
        let page = get(&srv, &srv.admin, "/v1/tokens?limit=10");
        let mut seen = names(&page["items"]);
        assert_eq!(seen, names_[..10]);
        let mut cursor = page["next_cursor"].as_str().unwrap().to_string();

        // While the client is between pages: a token before its position
        // and one after it are created, one it saw and one ahead revoked.
        tokens(&srv, "alpha", &["c-05b".into(), "c-15b".into()]);
        cli.run(&["token", "revoke", "c-03"]).ok();
        cli.run(&["token", "revoke", "c-12"]).ok();
        loop {
            let page = get(&srv, &srv.admin, &format!("/v1/tokens?limit=10&cursor={cursor}"));
            seen.extend(names(&page["items"]));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        // Each unchanged token exactly once: revoking c-03 shifted nothing
        // (no offsets), c-10 is not skipped and nothing is repeated.
        let mut expected: Vec<String> = names_.iter().filter(|n| *n != "c-12").cloned().collect();
        expected.push("c-15b".into());
        expected.sort();
        assert_eq!(seen, expected);
    }

    fn every_list_pages_alike(srv) {
        let cli = srv.cli();
        for i in 0..5 {
            cli.run(&["team", "create", &format!("team-{i}")]).ok();
            cli.run(&["user", "create", &format!("user-{i}"), "--role", &format!("team-{i}:viewer")]).ok();
            cli.run(&["route", "add", &format!("route-{i}"), "--path", &format!("/r{i}"),
                "--upstream", "http://203.0.113.9", "--all-teams"]).ok();
        }
        for list in [vec!["team", "list"], vec!["user", "list"], vec!["route", "list"], vec!["audit", "list"]] {
            let whole: Value = cli.run(&[list.clone(), vec!["--limit", "1000", "-o", "json"]].concat()).json();
            let whole = whole.as_array().unwrap().clone();
            assert!(whole.len() >= 5, "{list:?}: {whole:?}");
            let paged: Value = cli.run(&[list.clone(), vec!["--all", "--page-size", "2", "-o", "json"]].concat()).json();
            assert_eq!(paged.as_array().unwrap(), &whole, "{list:?}");
            let lines = cli.run(&[list.clone(), vec!["--all", "--page-size", "3", "-o", "jsonl"]].concat());
            let lines: Vec<Value> = lines.ok().stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(lines, whole, "{list:?}");
            let first: Value = cli.run(&[list.clone(), vec!["--limit", "2", "-o", "json"]].concat()).json();
            assert_eq!(first.as_array().unwrap()[..], whole[..2], "{list:?}");
        }
        let teams: Value = cli.json(&["team", "list", "--all"]);
        assert_eq!(names(&teams), ["system", "team-0", "team-1", "team-2", "team-3", "team-4"]);
        // Audit: newest first, CSV by pages with one header.
        let csv = cli.run(&["audit", "list", "--all", "--page-size", "4", "-o", "csv"]);
        let lines: Vec<&str> = csv.ok().stdout.lines().collect();
        assert!(lines[0].starts_with("id,at,actor,action"));
        assert_eq!(lines.iter().filter(|l| l.starts_with("id,at,")).count(), 1);
        // `route tags` reads every page of routes.
        cli.run(&["route", "update", "route-4", "--add-tag", "llm"]).ok();
        assert!(cli.run(&["route", "tags"]).ok().stdout.contains("route-4"));
    }

    fn jsonl_is_one_value_per_line_everywhere(srv) {
        let cli = srv.cli();
        cli.run(&["team", "create", "alpha"]).ok();
        tokens(&srv, "alpha", &["one".into()]);
        // A single answer: the JSON of -o json, on one line.
        for args in [vec!["token", "show", "one"], vec!["team", "show", "alpha"], vec!["whoami"], vec!["version"]] {
            let json: Value = cli.run(&[args.clone(), vec!["-o", "json"]].concat()).json();
            let run = cli.run(&[args.clone(), vec!["-o", "jsonl"]].concat());
            run.ok();
            assert_eq!(run.stdout.lines().count(), 1, "{args:?}: {}", run.stdout);
            assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), json, "{args:?}");
        }
        // Lists that do not page: one item per line.
        for name in ["A", "B"] {
            cli.run(&["credential", "create", name]).ok();
        }
        let json: Value = cli.json(&["credential", "list"]);
        let run = cli.run(&["credential", "list", "-o", "jsonl"]);
        let lines: Vec<Value> = run.ok().stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(&lines, json.as_array().unwrap());
        // An empty list: nothing at all.
        let run = cli.run(&["token", "list", "--status", "revoked", "-o", "jsonl"]);
        assert_eq!(run.ok().stdout, "");
        let empty: Value = cli.json(&["token", "list", "--status", "revoked"]);
        assert_eq!(empty, json!([]));
    }
}
