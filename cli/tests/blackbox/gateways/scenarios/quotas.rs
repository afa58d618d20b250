//! Quotas at either gateway (docs/spend.md §4): a token's request quota,
//! its team's, the answer over quota (`429 quota_exceeded`, `Retry-After`
//! to the end of the period) and removing a quota, all following the
//! server.
//!
//! One native gateway counts every request itself, so it passes exactly
//! the quota. The Worker counts per isolate: each isolate passes at most
//! the quota on its own count, and learns of the others' traffic only
//! from the published state in KV. `wrangler dev` runs one workerd process
//! with one isolate, so there too the bound is the quota itself.

use crate::gateways::{eventually, token, GatewayUnderTest, Kind};
use crate::quotas::secs_to_midnight;
use crate::upstream::Reply;

/// Isolates that serve the Worker under `wrangler dev` (one workerd
/// process): what passes a quota there is at most this many times the
/// quota (docs/spend.md, "The Cloudflare Worker").
pub const WORKERD_ISOLATES: u64 = 1;

/// Waits until the gateway knows the token: a path no route matches is
/// then `route_not_found` (which counts against no quota).
pub(super) fn wait_known(s: &dyn GatewayUnderTest, secret: &str) {
    let url = s.url("/no-such-route");
    eventually("the token at the gateway", s.follow_limit(), || {
        s.http().get(&url, Some(secret)).status == 404
    });
}

/// A refusal for a used-up daily quota, as docs/spend.md §4 describes it.
fn assert_quota_exceeded(r: &Reply, whose: &str) {
    assert_eq!(
        (r.status, r.code()),
        (429, "quota_exceeded".to_string()),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let retry: i64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    let expected = secs_to_midnight();
    assert!(
        (retry - expected).abs() <= 2,
        "Retry-After {retry}, midnight in {expected} s"
    );
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains(&format!("{whose} has used up its daily request quota")),
        "{message}"
    );
}

/// How many of `max` requests pass before the first refusal, which is
/// returned.
fn pass_until_refused(s: &dyn GatewayUnderTest, secret: &str, max: u64) -> (u64, Reply) {
    let url = s.url("/api/echo/q");
    for passed in 0..=max {
        let r = s.http().get(&url, Some(secret));
        if r.status != 200 {
            return (passed, r);
        }
    }
    panic!("more than {max} requests passed");
}

pub fn quotas_limit_tokens_and_teams_and_follow_the_server(s: &mut dyn GatewayUnderTest) {
    let cli = s.cli();
    let five = token(cli, "five", &["--scope", "echo", "--quota", "5/day"]);
    cli.json(&["team", "create", "capped"]);
    cli.json(&["team", "update", "capped", "--quota", "3/day"]);
    let capped_a = token(cli, "capped-a", &["--scope", "echo", "--team", "capped"]);
    let capped_b = token(cli, "capped-b", &["--scope", "echo", "--team", "capped"]);
    let free = token(cli, "free", &["--scope", "echo"]);
    s.sync();
    for t in [&five, &capped_a, &capped_b, &free] {
        wait_known(s, t);
    }

    // A token's quota: exactly 5 through one native gateway; through the
    // Worker at least 5 and at most 5 per isolate.
    let (passed, refused) = pass_until_refused(s, &five, 5 * WORKERD_ISOLATES);
    eprintln!(
        "quota 5/day through the {:?} gateway: {passed} passed",
        s.kind()
    );
    match s.kind() {
        Kind::Native => assert_eq!(passed, 5),
        Kind::Worker => assert!((5..=5 * WORKERD_ISOLATES).contains(&passed), "{passed}"),
    }
    assert_quota_exceeded(&refused, "the API token");
    for _ in 0..3 {
        assert_quota_exceeded(
            &s.http().get(&s.url("/api/echo/q"), Some(&five)),
            "the API token",
        );
    }
    // Others are not affected.
    assert_eq!(s.http().get(&s.url("/api/echo/q"), Some(&free)).status, 200);

    // A team's quota counts its tokens together.
    let url = s.url("/api/echo/q");
    assert_eq!(s.http().get(&url, Some(&capped_a)).status, 200);
    assert_eq!(s.http().get(&url, Some(&capped_b)).status, 200);
    assert_eq!(s.http().get(&url, Some(&capped_a)).status, 200);
    let r = s.http().get(&url, Some(&capped_b));
    assert_quota_exceeded(&r, "the API token's team");
    assert_quota_exceeded(&s.http().get(&url, Some(&capped_a)), "the API token's team");

    // Removing a quota lets requests through again once it reached the
    // gateway.
    s.cli()
        .json(&["token", "update", "five", "--quota", "none"]);
    s.cli()
        .json(&["team", "update", "capped", "--quota", "none"]);
    s.sync();
    let limit = s.follow_limit();
    eventually("the token's quota removed at the gateway", limit, || {
        s.http().get(&url, Some(&five)).status == 200
    });
    eventually("the team's quota removed at the gateway", limit, || {
        s.http().get(&url, Some(&capped_b)).status == 200
    });
    for _ in 0..10 {
        assert_eq!(s.http().get(&url, Some(&five)).status, 200);
        assert_eq!(s.http().get(&url, Some(&capped_a)).status, 200);
    }
}

/// An LLM-token quota counts what the answers reported (input plus
/// output), once each answer has streamed: the request that crosses the
/// limit completes and the next is refused (docs/spend.md §4).
pub fn llm_token_quotas_count_the_answers(s: &mut dyn GatewayUnderTest) {
    super::budgets::llm_route(s);
    // Every answer of the fake reports 17 + 5 = 22 tokens: the third
    // crosses 50.
    let t = token(
        s.cli(),
        "chat",
        &["--scope", "llm", "--quota-tokens", "50/day"],
    );
    s.sync();
    wait_known(s, &t);
    let url = s.url("/api/llm/chat/completions");
    let headers = [
        ("x-api-key", t.as_str()),
        ("content-type", "application/json"),
    ];
    let send = || {
        s.http().send(
            "POST",
            &url,
            &headers,
            r#"{"model":"gpt-4o","messages":[]}"#,
        )
    };
    for i in 0..3 {
        let r = send();
        assert_eq!(
            r.status,
            200,
            "answer {i}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let r = send();
    assert_eq!(
        (r.status, r.code()),
        (429, "quota_exceeded".to_string()),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("daily LLM token quota"), "{message}");
}
