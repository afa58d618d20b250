//! Usage reports against a known synthetic event set: every number the
//! reports print is checked (counts, rates, percentiles within ±5 %,
//! timeline buckets), on both backends; table output is compared with
//! snapshots at a fixed width, with and without colour.

use crate::common::{Cli, TestServer};
use crate::on_both_backends;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{json, Value};

struct Fixture {
    cli: Cli,
    base: DateTime<Utc>,
    t1: String,
    r1: String,
    latencies_all: Vec<f64>,
    latencies_t1: Vec<f64>,
}

pub(crate) fn post(srv: &TestServer, key: &str, events: &Value) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/usage/events", srv.url))
            .bearer_auth(key)
            .json(events)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    })
}

/// Waits until the server's roll-up job has caught up with ingest.
pub fn rolled_up(srv: &TestServer) {
    let started = std::time::Instant::now();
    loop {
        let (_, body) = crate::common::http_get(&format!("{}/health/detailed", srv.url));
        let health: Value = serde_json::from_str(&body).unwrap();
        let check = health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "usage_rollup")
            .cloned()
            .unwrap();
        if check["message"].as_str().unwrap().starts_with("0 ") {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "roll-up did not catch up: {check}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub(crate) fn event(
    at: DateTime<Utc>,
    token: Option<&str>,
    route: Option<&str>,
    status: u16,
    latency: f64,
    code: Option<&str>,
) -> Value {
    json!({
        "id": uuid::Uuid::now_v7(),
        "token_id": token,
        "route_id": route,
        "method": "POST",
        "status": status,
        "latency_ms": latency,
        "upstream_latency_ms": latency / 2.0,
        "bytes_in": 100,
        "bytes_out": 1000,
        "client_ip": "203.0.113.7",
        "user_agent": "test",
        "error_code": code,
        "at": at,
    })
}

/// 153 events in the last hour: t1 → r1: 100 calls at 1..=100 ms (5 × 500,
/// 5 × 404); t2 → r2: 50 calls at 10 ms; 3 calls without a token (401).
fn fixture(srv: &TestServer) -> Fixture {
    let cli = srv.cli();
    cli.json(&["team", "create", "alpha"]);
    let r1 = cli.json(&[
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
    let r2 = cli.json(&[
        "route",
        "add",
        "r2",
        "--all-teams",
        "--path",
        "/r2",
        "--upstream",
        "http://127.0.0.1:9",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tok = |name: &str| {
        cli.json(&[
            "token", "create", "--name", name, "--scope", "*", "--team", "alpha",
        ])["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (t1, t2, _t3) = (tok("t1"), tok("t2"), tok("t3"));
    let key = cli.json(&["gateway-key", "create", "feeder"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    // Whole minutes, well inside the last hour.
    let base = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap() - TimeDelta::minutes(40);
    let mut events = Vec::new();
    let mut all = Vec::new();
    let mut t1_lat = Vec::new();
    for i in 0..100 {
        let latency = f64::from(i + 1);
        let status = match i % 20 {
            0 => 500,
            10 => 404,
            _ => 200,
        };
        // t1: minutes 0..9 (10 calls each)
        events.push(event(
            base + TimeDelta::minutes(i64::from(i / 10)) + TimeDelta::seconds(i64::from(i % 10)),
            Some(&t1),
            Some(&r1),
            status,
            latency,
            None,
        ));
        all.push(latency);
        t1_lat.push(latency);
    }
    for i in 0..50 {
        events.push(event(
            base + TimeDelta::minutes(20) + TimeDelta::seconds(i),
            Some(&t2),
            Some(&r2),
            200,
            10.0,
            None,
        ));
        all.push(10.0);
    }
    for i in 0..3 {
        events.push(event(
            base + TimeDelta::minutes(30) + TimeDelta::seconds(i),
            None,
            None,
            401,
            0.2,
            Some("missing_token"),
        ));
        all.push(0.2);
    }
    // Two batches with a roll-up in between, so that the second one is
    // merged into rollup rows the first one created (every minute of t1).
    let (even, odd): (Vec<_>, Vec<_>) = events
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let half = |part: Vec<(usize, Value)>| Value::Array(part.into_iter().map(|(_, e)| e).collect());
    let first = post(srv, &key, &half(even));
    rolled_up(srv);
    let second = post(srv, &key, &half(odd));
    assert_eq!(
        (first["inserted"].as_u64(), second["inserted"].as_u64()),
        (Some(77), Some(76))
    );
    let events = Value::Array(events);
    // The same batch again (a gateway retry): counted once.
    let again = post(srv, &key, &events);
    assert_eq!(
        (again["inserted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(153))
    );
    rolled_up(srv);
    Fixture {
        cli,
        base,
        t1,
        r1,
        latencies_all: all,
        latencies_t1: t1_lat,
    }
}

pub(crate) fn exact(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

pub(crate) fn close(got: &Value, want: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!(
        (got - want).abs() <= want * 0.05 + 1e-9,
        "{what}: {got} vs exact {want}"
    );
}

fn check_percentiles(v: &Value, values: &[f64], what: &str) {
    for (field, q) in [("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)] {
        close(&v[field], exact(values, q), &format!("{what} {field}"));
    }
}

fn row<'a>(rows: &'a Value, name: &str) -> &'a Value {
    rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row {name}: {rows}"))
}

on_both_backends! {
    fn reports_print_exact_numbers(srv) {
        let f = fixture(&srv);
        let cli = &f.cli;
        for since in ["1h", "24h", "30d"] {
            // Minute, hour and day rollups agree.
            let s = cli.json(&["usage", "--since", since]);
            let t = &s["totals"];
            assert_eq!(t["calls"], 153, "{since}: {s}");
            assert_eq!(t["errors"], 13, "{since}");
            close(&t["success_rate"], 140.0 * 100.0 / 153.0, "success rate");
            assert_eq!(t["by_class"], json!({"2xx": 140, "4xx": 8, "5xx": 5}));
            assert_eq!(t["bytes_in"], 15300);
            check_percentiles(t, &f.latencies_all, &format!("{since} totals"));
            let timeline: i64 = s["calls_timeline"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).sum();
            assert_eq!(timeline, 153);
            assert_eq!(s["errors_timeline"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).sum::<i64>(), 13);
            assert_eq!(s["top_tokens"][0]["name"], "t1");
            assert_eq!(s["top_routes"][0]["name"], "r1");
        }
        // Timeline buckets of the 1h window: 10 calls in each of t1's ten minutes.
        let s = cli.json(&["usage", "--since", "1h"]);
        assert_eq!(s["window"]["bucket"], "1m");
        let since: DateTime<Utc> = s["window"]["since"].as_str().unwrap().parse().unwrap();
        let first = ((f.base - since).num_minutes()) as usize;
        let tl = s["calls_timeline"].as_array().unwrap();
        for m in 0..10 {
            assert_eq!(tl[first + m], 10, "minute {m}");
        }
        assert_eq!(tl[first + 20], 50);
        assert_eq!(tl[first + 30], 3);
        assert_eq!(s["errors_timeline"][first], 1, "the 500 of minute 0");

        // Per token, including tokens without calls (zeros, not hidden).
        let rows = cli.json(&["usage", "tokens", "--since", "1h"]);
        let t1 = row(&rows, "t1");
        assert_eq!((t1["calls"].as_i64(), t1["errors"].as_i64()), (Some(100), Some(10)));
        close(&t1["success_rate"], 90.0, "t1 success");
        check_percentiles(t1, &f.latencies_t1, "t1");
        assert_eq!(row(&rows, "t2")["calls"], 50);
        close(&row(&rows, "t2")["p95_ms"], 10.0, "t2 p95");
        let t3 = row(&rows, "t3");
        assert_eq!((t3["calls"].as_i64(), t3["errors"].as_i64()), (Some(0), Some(0)));
        assert!(t3["p95_ms"].is_null() && t3["success_rate"].is_null(), "no invented numbers: {t3}");
        assert_eq!(row(&rows, "(no valid token)")["calls"], 3);
        assert!(t1["last_used_at"].is_string());
        let sorted = cli.json(&["usage", "tokens", "--since", "1h", "--sort", "p95", "--limit", "2"]);
        assert_eq!(sorted["rows"].as_array().unwrap().len(), 2);
        assert_eq!(sorted["rows"][0]["name"], "t1");

        let rows = cli.json(&["usage", "routes", "--since", "1h"]);
        assert_eq!(row(&rows, "r1")["calls"], 100);
        assert_eq!(row(&rows, "r2")["calls"], 50);

        // One token.
        let t = cli.json(&["usage", "token", "t1", "--since", "1h", "--recent", "5"]);
        assert_eq!(t["totals"]["calls"], 100);
        assert_eq!(t["by_route"][0]["name"], "r1");
        assert_eq!(t["by_status"], json!([{"status": 200, "calls": 90}, {"status": 404, "calls": 5}, {"status": 500, "calls": 5}]));
        assert_eq!(t["recent"].as_array().unwrap().len(), 5);
        assert_eq!(t["recent"][0]["latency_ms"], 100.0, "newest first");
        assert_eq!(cli.json(&["usage", "token", &f.t1, "--since", "1h"])["totals"]["calls"], 100);

        // One route: latency trend per bucket.
        let r = cli.json(&["usage", "route", "r1", "--since", "1h"]);
        assert_eq!(r["totals"]["calls"], 100);
        let since: DateTime<Utc> = r["window"]["since"].as_str().unwrap().parse().unwrap();
        let first = ((f.base - since).num_minutes()) as usize;
        close(&r["p50_timeline"][first], exact(&(1..=10).map(f64::from).collect::<Vec<_>>(), 0.5), "minute 0 p50");
        assert!(r["p50_timeline"][first + 11].is_null());
        assert_eq!(r["top_tokens"][0]["name"], "t1");
        assert_eq!(cli.json(&["usage", "route", &f.r1, "--since", "1h"])["totals"]["calls"], 100);

        // Recent calls.
        let recent = cli.json(&["usage", "recent", "--status", "500"]);
        assert_eq!(recent.as_array().unwrap().len(), 5);
        assert!(recent.as_array().unwrap().iter().all(|c| c["token"] == "t1" && c["route"] == "r1"));
        assert_eq!(cli.json(&["usage", "recent", "--limit", "7"]).as_array().unwrap().len(), 7);
        assert_eq!(cli.json(&["usage", "recent", "--api-token", "t2"]).as_array().unwrap().len(), 50);

        // No data: said plainly, not an empty table.
        let empty = cli.run(&["usage", "--since", "3h", "--until", "2h"]);
        assert!(empty.ok().stdout.contains("No data in this window"), "{}", empty.stdout);
        cli.run(&["usage", "--since", "yesterday-ish"]).fails(2);
        cli.run(&["usage", "tokens", "--sort", "vibes"]).fails(2);
        cli.run(&["usage", "token", "nope"]).fails(3);

        // CSV for scripts.
        let csv = cli.run(&["usage", "tokens", "--since", "1h", "-o", "csv"]);
        assert!(csv.ok().stdout.starts_with("id,name,team,calls,errors,success_rate,p50_ms,p95_ms,p99_ms,last_used_at\n"));
        assert!(csv.stdout.contains(",t1,alpha,100,10,90.000,"));

        // The dashboard.
        let o = cli.json(&["overview"]);
        assert_eq!(o["counts"]["active_tokens"], 3);
        assert_eq!(o["counts"]["routes"], 2);
        assert_eq!(o["created_per_day"].as_array().unwrap().len(), 7);
        assert_eq!(o["created_per_day"][6]["count"], 3);
        assert!(!o["recent_activity"].as_array().unwrap().is_empty());
    }

    /// The issue's bug: a window of six hours read the minute rollups even
    /// when it started before their 7 days, and looked empty. Calls eight
    /// days old are rolled up, the server's own retention then deletes
    /// their minute rollups (it runs when the server starts), and every
    /// report of that window still shows exactly those calls, from the
    /// hourly rollups, in 1h buckets — the same as before the minute rows
    /// went. A window two days old still reads minutes (5m buckets), and
    /// agrees with the hourly rollups on its totals.
    fn reports_of_old_windows_read_the_finest_rollups_still_kept(srv) {
        use chrono::SecondsFormat;
        let mut srv = srv;
        let cli = srv.cli();
        cli.json(&["team", "create", "alpha"]);
        let route = |name: &str| {
            cli.json(&["route", "add", name, "--all-teams", "--path", &format!("/{name}"), "--upstream", "http://127.0.0.1:9"])["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (r1, r2) = (route("r1"), route("r2"));
        let token = |name: &str| {
            cli.json(&["token", "create", "--name", name, "--scope", "*", "--team", "alpha"])["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (t1, t2) = (token("t1"), token("t2"));
        let key = cli.json(&["gateway-key", "create", "feeder"])["secret"].as_str().unwrap().to_string();

        let hour = TimeDelta::hours(1);
        let now = Utc::now();
        let x = (now - TimeDelta::days(8)).duration_trunc(hour).unwrap();
        let y = (now - TimeDelta::days(2)).duration_trunc(hour).unwrap();
        let mut events = Vec::new();
        // Window [x, x+6h): t1 → r1, 10 calls an hour, the first of each an
        // error (500 in even hours, 404 in odd ones): 60 calls, 6 errors.
        for h in 0..6i64 {
            for i in 0..10i64 {
                let status = match (i, h % 2) {
                    (0, 0) => 500,
                    (0, _) => 404,
                    _ => 200,
                };
                let at = x + TimeDelta::hours(h) + TimeDelta::minutes(5 * i) + TimeDelta::seconds(7);
                events.push(event(at, Some(&t1), Some(&r1), status, 5.0, None));
            }
        }
        // t2 → r2: 20 calls in hour 2, the last a 502.
        for i in 0..20i64 {
            let status = if i == 19 { 502 } else { 200 };
            let at = x + TimeDelta::minutes(150 + i);
            events.push(event(at, Some(&t2), Some(&r2), status, 8.0, None));
        }
        // Just outside the window: 2 calls before it, 3 at its end.
        for i in 0..2i64 {
            events.push(event(x - TimeDelta::minutes(30) + TimeDelta::seconds(i), Some(&t1), Some(&r1), 200, 5.0, None));
        }
        for i in 0..3i64 {
            events.push(event(x + TimeDelta::hours(6) + TimeDelta::seconds(i), Some(&t1), Some(&r1), 200, 5.0, None));
        }
        // Two days ago, within the minute rollups' 7 days: 12 calls of t1,
        // a 500 and a 429 among them, over four hours.
        for i in 0..12i64 {
            let status = match i {
                3 => 500,
                7 => 429,
                _ => 200,
            };
            let at = y + TimeDelta::minutes(30 + 20 * i);
            events.push(event(at, Some(&t1), Some(&r1), status, 3.0, None));
        }
        let stored = post(&srv, &key, &Value::Array(events));
        assert_eq!(stored["inserted"], 60 + 20 + 2 + 3 + 12);
        rolled_up(&srv);

        let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let (since, until) = (rfc(x), rfc(x + TimeDelta::hours(6)));
        let window = ["--since", since.as_str(), "--until", until.as_str()];
        let report = |args: &[&'static str]| {
            let mut all: Vec<&str> = args.to_vec();
            all.extend(window);
            cli.json(&all)
        };
        let check_summary = |s: &Value| {
            assert_eq!(s["window"]["bucket"], "1h", "{s}");
            assert_eq!(s["window"]["bucket_secs"], 3600);
            assert_eq!(s["window"]["buckets"], 6);
            assert_eq!(s["window"]["rollup"], "hour");
            assert!(s["window"]["uncovered_until"].is_null());
            assert_eq!(s["window"]["since"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), x);
            let t = &s["totals"];
            assert_eq!((t["calls"].as_i64(), t["errors"].as_i64()), (Some(80), Some(7)), "{s}");
            assert_eq!(t["by_class"], json!({"2xx": 73, "4xx": 3, "5xx": 4}));
            assert_eq!(s["calls_timeline"], json!([10, 10, 30, 10, 10, 10]));
            assert_eq!(s["errors_timeline"], json!([1, 1, 2, 1, 1, 1]));
            assert_eq!(s["top_tokens"][0]["name"], "t1");
            assert_eq!(s["top_tokens"][0]["calls"], 60);
            assert_eq!(s["top_routes"][1]["name"], "r2");
            assert_eq!(s["top_routes"][1]["calls"], 20);
        };
        // The recent window: minutes (5m buckets) for six hours, hours for
        // twelve; both hold the same 12 calls and 2 errors.
        let check_recent = || {
            for (span, bucket, rollup, buckets) in [(6, "5m", "minute", 72), (12, "1h", "hour", 12)] {
                let s = cli.json(&["usage", "--since", &rfc(y), "--until", &rfc(y + TimeDelta::hours(span))]);
                assert_eq!(
                    (&s["window"]["bucket"], &s["window"]["rollup"], &s["window"]["buckets"]),
                    (&json!(bucket), &json!(rollup), &json!(buckets)),
                    "{s}"
                );
                assert_eq!((s["totals"]["calls"].as_i64(), s["totals"]["errors"].as_i64()), (Some(12), Some(2)), "{span}h");
                assert_eq!(s["totals"]["by_class"], json!({"2xx": 10, "4xx": 1, "5xx": 1}));
            }
        };

        // Before aging: every level holds the calls and agrees on them.
        let t2_id: uuid::Uuid = t2.parse().unwrap();
        for table in ["usage_minute", "usage_hour", "usage_day"] {
            assert_eq!(srv.rollup_sums(table, Some(t2_id)), (20, 1), "{table}");
            assert_eq!(srv.rollup_sums(table, None), (97, 9), "{table}");
        }
        let before = report(&["usage"]);
        check_summary(&before);
        check_recent();

        // Aging: a restart runs the server's retention, which deletes the
        // minute rollups older than 7 days — all but the recent window's.
        srv.spawn();
        let started = std::time::Instant::now();
        while srv.rollup_sums("usage_minute", None) != (12, 2) {
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "retention did not run: {:?}", srv.rollup_sums("usage_minute", None));
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(srv.rollup_sums("usage_minute", Some(t2_id)), (0, 0));
        assert_eq!(srv.rollup_sums("usage_hour", None), (97, 9));
        assert_eq!(srv.rollup_sums("usage_day", None), (97, 9));

        // After aging: the same numbers, from the hourly rollups.
        let after = report(&["usage"]);
        check_summary(&after);
        for field in ["window", "totals", "calls_timeline", "errors_timeline"] {
            assert_eq!(before[field], after[field], "{field}");
        }
        check_recent();
        let text = {
            let mut all = vec!["usage"];
            all.extend(window);
            cli.run(&all).ok().stdout.clone()
        };
        assert!(text.contains("6 buckets of 1h"), "{text}");
        assert!(!text.contains("No data") && !text.contains("Not covered"), "{text}");

        let rows = report(&["usage", "tokens"]);
        assert_eq!(rows["window"]["bucket"], "1h");
        assert_eq!(rows["window"]["rollup"], "hour");
        let t1_row = row(&rows, "t1");
        assert_eq!((t1_row["calls"].as_i64(), t1_row["errors"].as_i64()), (Some(60), Some(6)));
        assert_eq!(t1_row["timeline"], json!([10, 10, 10, 10, 10, 10]));
        let t2_row = row(&rows, "t2");
        assert_eq!((t2_row["calls"].as_i64(), t2_row["errors"].as_i64()), (Some(20), Some(1)));
        assert_eq!(t2_row["timeline"], json!([0, 0, 20, 0, 0, 0]));

        let rows = report(&["usage", "routes"]);
        assert_eq!(rows["window"]["bucket"], "1h");
        assert_eq!((row(&rows, "r1")["calls"].as_i64(), row(&rows, "r1")["errors"].as_i64()), (Some(60), Some(6)));
        assert_eq!((row(&rows, "r2")["calls"].as_i64(), row(&rows, "r2")["errors"].as_i64()), (Some(20), Some(1)));

        let t = report(&["usage", "token", "t1"]);
        assert_eq!((&t["window"]["bucket"], &t["window"]["rollup"]), (&json!("1h"), &json!("hour")));
        assert_eq!((t["totals"]["calls"].as_i64(), t["totals"]["errors"].as_i64()), (Some(60), Some(6)));
        assert_eq!(t["calls_timeline"], json!([10, 10, 10, 10, 10, 10]));
        assert_eq!(t["errors_timeline"], json!([1, 1, 1, 1, 1, 1]));
        assert_eq!(t["by_status"], json!([{"status": 200, "calls": 54}, {"status": 404, "calls": 3}, {"status": 500, "calls": 3}]));
        assert_eq!(t["by_route"][0]["name"], "r1");
        assert_eq!(t["by_route"][0]["calls"], 60);

        let r = report(&["usage", "route", "r2"]);
        assert_eq!((&r["window"]["bucket"], &r["window"]["rollup"]), (&json!("1h"), &json!("hour")));
        assert_eq!((r["totals"]["calls"].as_i64(), r["totals"]["errors"].as_i64()), (Some(20), Some(1)));
        assert_eq!(r["calls_timeline"], json!([0, 0, 20, 0, 0, 0]));
        assert!(r["p50_timeline"][2].is_number() && r["p50_timeline"][0].is_null(), "{r}");
        assert_eq!(r["top_tokens"][0]["name"], "t2");

        // Older than even the daily rollups' 2 years: said, not "no data".
        let old = (now - TimeDelta::days(800)).duration_trunc(TimeDelta::days(1)).unwrap();
        let (old_since, old_until) = (rfc(old), rfc(old + TimeDelta::hours(6)));
        let s = cli.json(&["usage", "--since", &old_since, "--until", &old_until]);
        assert_eq!(s["window"]["rollup"], "day");
        let uncovered: DateTime<Utc> = s["window"]["uncovered_until"].as_str().unwrap().parse().unwrap();
        assert!(uncovered >= old + TimeDelta::hours(6), "{s}");
        let text = cli.run(&["usage", "--since", &old_since, "--until", &old_until]).ok().stdout.clone();
        assert!(text.contains("Not covered before") && text.contains("No usage data is kept for this window any more."), "{text}");
        assert!(!text.contains("No data in this window"), "{text}");
        // Straddling the edge: covered from the first whole day still kept.
        let (s740, s700) = (rfc(now - TimeDelta::days(740)), rfc(now - TimeDelta::days(700)));
        let s = cli.json(&["usage", "tokens", "--since", &s740, "--until", &s700]);
        let uncovered: DateTime<Utc> = s["window"]["uncovered_until"].as_str().unwrap().parse().unwrap();
        assert!(uncovered > now - TimeDelta::days(731) && uncovered <= now - TimeDelta::days(729), "{s}");
    }

    fn usage_is_scoped_to_what_the_caller_may_read(srv) {
        let f = fixture(&srv);
        f.cli.json(&["team", "create", "beta"]);
        let outsider = f.cli.json(&["user", "create", "outsider", "--role", "beta:viewer"]);
        let outsider = Cli::new(&srv.url, outsider["secret"].as_str());
        let s = outsider.json(&["usage", "--since", "1h"]);
        assert_eq!(s["totals"]["calls"], 0, "another team's usage is not visible");
        assert!(outsider.json(&["usage", "tokens", "--since", "1h"])["rows"].as_array().unwrap().is_empty());
        assert!(outsider.json(&["usage", "recent"]).as_array().unwrap().is_empty());
        outsider.run(&["usage", "token", "t1"]).fails(3);
        let viewer = f.cli.json(&["user", "create", "insider", "--role", "alpha:viewer"]);
        let viewer = Cli::new(&srv.url, viewer["secret"].as_str());
        assert_eq!(viewer.json(&["usage", "--since", "1h"])["totals"]["calls"], 150, "alpha's calls only");
    }
}

/// Masks what changes from run to run (times, relative ages).
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        for pat in [
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?",
            r"\d+[smhd] ago",
            r"in \d+[smhd]",
        ] {
            l = regex_lite::Regex::new(pat)
                .unwrap()
                .replace_all(&l, "<t>")
                .into_owned();
        }
        // A time's text grows with it (`9s ago`, `10s ago`), and the
        // column's padding shrinks to match: compare without the padding.
        l = regex_lite::Regex::new("<t> +")
            .unwrap()
            .replace_all(&l, "<t> ")
            .into_owned();
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn table_snapshots_at_fixed_width_with_and_without_colour() {
    let srv = TestServer::start(crate::common::Backend::Sqlite).unwrap();
    let f = fixture(&srv);
    // Snapshots in cli/tests/snapshots/, by insta: `INSTA_UPDATE=always`
    // (or `cargo insta review`) accepts new output after a deliberate change.
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    let mut cli = f.cli;
    cli.env.push(("COLUMNS".into(), "110".into()));
    // A fixed window, so the timeline does not shift with the clock.
    let since = (f.base - TimeDelta::minutes(20)).to_rfc3339();
    let until = (f.base + TimeDelta::minutes(40)).to_rfc3339();
    let window = ["--since", since.as_str(), "--until", until.as_str()];
    for (name, mut args) in [
        ("usage-summary", vec!["usage"]),
        ("usage-tokens", vec!["usage", "tokens"]),
        ("usage-token", vec!["usage", "token", "t1", "--recent", "3"]),
    ] {
        args.extend(window);
        for colour in ["never", "always"] {
            let mut all = args.clone();
            all.extend(["--color", colour]);
            let got = normalise(&cli.run(&all).ok().stdout);
            insta::assert_snapshot!(format!("{name}-{colour}"), got);
            assert_eq!(
                got.contains("\u{1b}["),
                colour == "always",
                "colour only when asked"
            );
        }
    }
}
