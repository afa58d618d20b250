//! A fake OpenAI-compatible chat completions endpoint for the test
//! upstream (`…/fake-openai/…/chat/completions`): a fixed answer with fixed usage, as
//! JSON, or streamed as server-sent events in several frames (one event
//! split across two), with the usage chunk only when the request asked
//! for it (`stream_options.include_usage`), as OpenAI does.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;

/// The model the answers name (the request asks for `gpt-4o`).
pub const MODEL: &str = "gpt-4o-2024-08-06";
/// Input, output and cached input tokens every answer reports.
pub const USAGE: (u64, u64, u64) = (17, 5, 4);

fn usage_json() -> String {
    let (input, output, cached) = USAGE;
    format!(
        r#"{{"prompt_tokens":{input},"completion_tokens":{output},"total_tokens":{},"prompt_tokens_details":{{"cached_tokens":{cached}}}}}"#,
        input + output
    )
}

/// The JSON answer.
pub fn json_answer() -> String {
    format!(
        r#"{{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"{MODEL}","choices":[{{"index":0,"message":{{"role":"assistant","content":"Hello"}},"finish_reason":"stop"}}],"usage":{}}}"#,
        usage_json()
    )
}

/// The frames of the streamed answer, as the upstream sends them.
pub fn stream_frames(include_usage: bool) -> Vec<String> {
    let null = if include_usage {
        r#","usage":null"#
    } else {
        ""
    };
    let chunk = |delta: &str, finish: &str| {
        format!(
            r#"data: {{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"{MODEL}","choices":[{{"index":0,"delta":{delta},"finish_reason":{finish}}}]{null}}}"#
        ) + "\n\n"
    };
    let first = chunk(r#"{"role":"assistant","content":"Hel"}"#, "null");
    let (a, b) = first.split_at(first.len() / 2);
    let mut frames = vec![
        a.to_string(),
        b.to_string(),
        chunk(r#"{"content":"lo"}"#, "null"),
        chunk("{}", r#""stop""#),
    ];
    if include_usage {
        frames.push(format!(
            r#"data: {{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"{MODEL}","choices":[],"usage":{}}}"#,
            usage_json()
        ) + "\n\n");
    }
    frames.push("data: [DONE]\n\n".into());
    frames
}

/// The whole streamed answer.
pub fn stream_answer(include_usage: bool) -> String {
    stream_frames(include_usage).concat()
}

pub async fn chat(req: Request<Incoming>) -> Response<crate::upstream::Out> {
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if request["stream"] != true {
        return Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(json_answer())).boxed())
            .unwrap();
    }
    let include_usage = request["stream_options"]["include_usage"] == true;
    let (tx, rx) = mpsc::channel::<Bytes>(8);
    tokio::spawn(async move {
        for frame in stream_frames(include_usage) {
            if tx.send(Bytes::from(frame)).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(crate::upstream::ChannelBody(rx).boxed())
        .unwrap()
}

/// Adds the LLM route `llm` (`/api/llm`, every team, `--llm openai`) in
/// front of this fake on the test upstream at `upstream_url`, with
/// `extra` flags (e.g. `--timeout`).
pub fn add_llm_route(cli: &crate::common::Cli, upstream_url: &str, extra: &[&str]) -> Value {
    let upstream = format!("{upstream_url}/fake-openai/v1");
    let mut args = vec![
        "route",
        "add",
        "llm",
        "--all-teams",
        "--path",
        "/api/llm",
        "--upstream",
        &upstream,
        "--auth",
        "bearer:UPSTREAM_KEY",
        "--llm",
        "openai",
    ];
    args.extend_from_slice(extra);
    cli.json(&args)
}
