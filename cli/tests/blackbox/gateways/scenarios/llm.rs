//! LLM routes through a gateway: the token counts of JSON and streamed
//! answers recorded exactly once, priced from the price table, and the
//! client's stream byte-identical to the upstream's when it asked for
//! usage itself, without the usage the gateway asked for when it did not.

use crate::fake_openai::{json_answer, stream_answer, MODEL, USAGE};
use crate::gateways::{body, eventually, token, GatewayUnderTest};
use serde_json::Value;
use std::time::Duration;

pub fn llm_usage_is_read_from_answers_and_priced(s: &mut dyn GatewayUnderTest) {
    let cli = s.cli();
    crate::fake_openai::add_llm_route(cli, &s.upstream().url, &["--timeout", "5s"]);
    cli.json(&[
        "price",
        "set",
        MODEL,
        "--in",
        "2.50",
        "--out",
        "10",
        "--from",
        "2026-01-01",
    ]);
    let t = token(cli, "chatbot", &["--scope", "llm"]);
    s.sync();
    let cli = s.cli();
    let url = s.url("/api/llm/chat/completions");
    let headers = [
        ("x-api-key", t.as_str()),
        ("content-type", "application/json"),
    ];
    let send = |body: &str| s.http().send("POST", &url, &headers, body);
    eventually("the route at the gateway", s.follow_limit(), || {
        send(r#"{"model":"gpt-4o","messages":[]}"#).status == 200
    });
    // That first call is the JSON one: the answer as the upstream sent it.
    let r = send(r#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#);
    assert_eq!(r.status, 200, "{}", body(&r));
    assert_eq!(body(&r), json_answer());

    // A stream whose client asked for usage: byte for byte the upstream's.
    let asked = send(
        r#"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#,
    );
    assert_eq!(asked.status, 200, "{}", body(&asked));
    assert_eq!(body(&asked), stream_answer(true));
    // A stream whose client did not: the gateway asked for usage and took
    // out what that added, so the client gets the stream it asked for.
    let plain = send(r#"{"model":"gpt-4o","stream":true,"messages":[]}"#);
    assert_eq!(plain.status, 200, "{}", body(&plain));
    assert_eq!(body(&plain), stream_answer(false));
    assert!(
        plain.header("content-length").is_none() || plain.body.len() == stream_answer(false).len()
    );

    // 4 calls of 17 in (4 cached) and 5 out, at USD 2.50 / 10 per million:
    // 68 × 2.5 + 20 × 10 = 370 µ$ per million → $0.00037.
    let (input, output, cached) = USAGE;
    let calls = 4;
    let mut report = Value::Null;
    eventually("the token counts reported", Duration::from_secs(40), || {
        report = cli.json(&["usage", "token", "chatbot", "--since", "1h"]);
        report["llm"]["calls"] == calls
    });
    let llm = &report["llm"];
    assert_eq!(
        (
            llm["input_tokens"].as_u64(),
            llm["output_tokens"].as_u64(),
            llm["cached_input_tokens"].as_u64()
        ),
        (
            Some(calls * input),
            Some(calls * output),
            Some(calls * cached)
        ),
        "{llm}"
    );
    assert_eq!(llm["cost_usd"], "0.000370", "{llm}");
    assert_eq!(llm["unpriced_calls"], 0);
    assert_eq!(llm["by_model"][0]["model"], MODEL);
    // Exactly once: no more calls than were made show up later.
    std::thread::sleep(Duration::from_secs(2));
    let again = cli.json(&["usage", "token", "chatbot", "--since", "1h"]);
    assert_eq!(again["llm"]["calls"], calls);
    assert_eq!(again["totals"]["calls"], calls);
}
