//! Budgets at either gateway (docs/spend.md §5): each answer's cost at the
//! published prices counts toward the token's budget as soon as it has
//! streamed, so the call that crosses the budget completes and the next
//! is refused, before the control plane publishes what it counted.
//!
//! Here the Worker never sees a publication: the scenario does not sync
//! after the token was created, so the `quota:<uuid>` key in KV says
//! nothing was spent, and the Worker stops on its own count at the prices
//! of the `prices` key. With one isolate (`wrangler dev`) that is the
//! native gateway's figure exactly.

use super::quotas::wait_known;
use crate::budgets::{MODEL, PRICE_IN, PRICE_OUT};
use crate::gateways::{token, GatewayUnderTest};

/// Adds the LLM route `llm` (`/api/llm`) to the fake OpenAI upstream.
pub fn llm_route(s: &dyn GatewayUnderTest) {
    crate::fake_openai::add_llm_route(s.cli(), &s.upstream().url, &[]);
}

/// One chat completion through the gateway with `secret`.
pub fn chat(s: &dyn GatewayUnderTest, secret: &str) -> crate::upstream::Reply {
    let headers = [("x-api-key", secret), ("content-type", "application/json")];
    s.http().send(
        "POST",
        &s.url("/api/llm/chat/completions"),
        &headers,
        r#"{"model":"gpt-4o","messages":[]}"#,
    )
}

pub fn budgets_count_each_answers_cost_at_the_published_prices(s: &mut dyn GatewayUnderTest) {
    llm_route(s);
    s.cli()
        .json(&["price", "set", MODEL, "--in", PRICE_IN, "--out", PRICE_OUT]);
    let t = token(
        s.cli(),
        "agent",
        &["--scope", "llm", "--budget", "0.01/day"],
    );
    s.sync();
    wait_known(s, &t);
    let send = || chat(s, &t);
    // Every answer costs $0.001066666661 (crate::budgets): $0.01 is 9.4
    // calls, so nine leave it unspent, the tenth crosses it and completes,
    // the eleventh is refused (the native figure of budgets.rs).
    let mut passed = 0u64;
    let refused = loop {
        let r = send();
        if r.status != 200 {
            break r;
        }
        passed += 1;
        assert!(passed <= 20, "more than 20 calls passed a $0.01 budget");
    };
    eprintln!(
        "budget 0.01/day through the {:?} gateway: {passed} calls passed",
        s.kind()
    );
    assert_eq!(
        (refused.status, refused.code()),
        (429, "quota_exceeded".to_string()),
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("daily budget"), "{message}");
    assert_eq!(passed, 10, "the call that crosses the budget is the last");
    for _ in 0..3 {
        assert_eq!(send().status, 429);
    }
}
