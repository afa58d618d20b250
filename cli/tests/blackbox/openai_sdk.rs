//! Acceptance: the official OpenAI Python SDK, installed from PyPI into a
//! virtualenv, calls the fake OpenAI-compatible upstream through the native
//! gateway, streaming and not; `usage token NAME -o json` shows the exact
//! token counts and their cost from the price table, and the raw stream of
//! a client that asked for usage itself is byte-identical to the
//! upstream's own.
//!
//! The virtualenv is kept in the target directory, so the install is paid
//! once. Without PyPI the test says so and skips, unless
//! `TOKENCTL_TEST_REQUIRE_PYPI=1`, which makes that a failure.

use crate::common::TestServer;
use crate::fake_openai::{stream_answer, MODEL, USAGE};
use crate::gateways::eventually;
use crate::gateways::native_gateway::Native;
use crate::on_both_backends;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

/// One install at a time (both backends' tests want the same venv).
static VENV: Mutex<()> = Mutex::new(());

/// The venv's python with `openai` installed, or `None` (skip) when PyPI
/// cannot be reached and it is not required.
fn sdk_python() -> Option<PathBuf> {
    let _one = VENV.lock().unwrap_or_else(|e| e.into_inner());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("openai-sdk-venv");
    let python = dir.join("bin").join("python");
    let ready = dir.join(".installed");
    if ready.exists() {
        return Some(python);
    }
    let required = std::env::var("TOKENCTL_TEST_REQUIRE_PYPI").is_ok_and(|v| v == "1");
    let fail = |what: &str| -> Option<PathBuf> {
        assert!(!required, "TOKENCTL_TEST_REQUIRE_PYPI=1 but {what}");
        eprintln!("SKIPPED: the OpenAI SDK acceptance test needs the `openai` package from PyPI: {what} (set TOKENCTL_TEST_REQUIRE_PYPI=1 to make this a failure)");
        None
    };
    let _ = std::fs::remove_dir_all(&dir);
    let venv = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .output();
    if !venv.as_ref().is_ok_and(|o| o.status.success()) {
        return fail(&format!("`python3 -m venv` failed: {venv:?}"));
    }
    let pip = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--timeout",
            "30",
            "openai",
        ])
        .output();
    match pip {
        Ok(o) if o.status.success() => {
            std::fs::write(&ready, "").unwrap();
            Some(python)
        }
        other => fail(&format!(
            "`pip install openai` failed (PyPI unreachable?): {other:?}"
        )),
    }
}

const SCRIPT: &str = r#"
import json, sys
from openai import OpenAI

gateway, token, upstream = sys.argv[1], sys.argv[2], sys.argv[3]
client = OpenAI(base_url=gateway, api_key=token, max_retries=0)
messages = [{"role": "user", "content": "Hi"}]
out = {}

r = client.chat.completions.create(model="gpt-4o", messages=messages)
out["json"] = {"content": r.choices[0].message.content, "model": r.model,
               "usage": [r.usage.prompt_tokens, r.usage.completion_tokens]}

text, usage_chunks = "", 0
for chunk in client.chat.completions.create(model="gpt-4o", messages=messages, stream=True):
    usage_chunks += chunk.usage is not None
    for c in chunk.choices:
        text += c.delta.content or ""
out["stream"] = {"content": text, "usage_chunks": usage_chunks}

usage = None
for chunk in client.chat.completions.create(model="gpt-4o", messages=messages, stream=True,
                                            stream_options={"include_usage": True}):
    if chunk.usage is not None:
        usage = [chunk.usage.prompt_tokens, chunk.usage.completion_tokens,
                 chunk.usage.prompt_tokens_details.cached_tokens]
out["stream_with_usage"] = {"usage": usage}

def raw(c):
    with c.chat.completions.with_streaming_response.create(
            model="gpt-4o", messages=messages, stream=True,
            stream_options={"include_usage": True}) as resp:
        return b"".join(resp.iter_bytes()).decode()

out["raw_through_gateway"] = raw(client)
out["raw_direct"] = raw(OpenAI(base_url=upstream, api_key="sk-direct", max_retries=0))
print(json.dumps(out))
"#;

on_both_backends! {
    fn openai_python_sdk_through_the_gateway(srv) {
        let Some(python) = sdk_python() else {
            return;
        };
        run(srv, &python);
    }
}

fn run(srv: TestServer, python: &std::path::Path) {
    let n = Native::start(srv);
    let upstream = format!("{}/fake-openai/v1", n.upstream.url);
    crate::fake_openai::add_llm_route(&n.cli, &n.upstream.url, &["--timeout", "10s"]);
    n.cli.json(&[
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
    let token = n
        .cli
        .json(&["token", "create", "--name", "sdk", "--scope", "llm"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let gateway = format!("{}/api/llm", n.gw.url);
    eventually("the route at the gateway", Duration::from_secs(5), || {
        n.http
            .send(
                "GET",
                &format!("{gateway}/models"),
                &[("x-api-key", &token)],
                "",
            )
            .status
            != 404
    });
    let started = std::time::Instant::now();
    let output = Command::new(python)
        .args(["-c", SCRIPT, &gateway, &token, &upstream])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the SDK script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "OpenAI SDK: 4 calls through the gateway and 1 direct in {} ms",
        started.elapsed().as_millis()
    );
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (input, output_tokens, cached) = USAGE;
    assert_eq!(seen["json"]["content"], "Hello");
    assert_eq!(seen["json"]["model"], MODEL);
    assert_eq!(
        seen["json"]["usage"],
        serde_json::json!([input, output_tokens])
    );
    assert_eq!(seen["stream"]["content"], "Hello");
    assert_eq!(
        seen["stream"]["usage_chunks"], 0,
        "the usage the gateway asked for is not passed on"
    );
    assert_eq!(
        seen["stream_with_usage"]["usage"],
        serde_json::json!([input, output_tokens, cached])
    );
    assert_eq!(
        seen["raw_through_gateway"], seen["raw_direct"],
        "byte-identical to the upstream's stream"
    );
    assert_eq!(seen["raw_direct"], stream_answer(true));

    // 4 calls through the gateway with token counts (the probe above got
    // the test upstream's echo: no counts).
    let calls = 4;
    let mut report = Value::Null;
    eventually("the token counts reported", Duration::from_secs(30), || {
        report = n.cli.json(&["usage", "token", "sdk", "--since", "1h"]);
        report["llm"]["calls"] == calls
    });
    let llm = &report["llm"];
    assert_eq!(llm["input_tokens"].as_u64(), Some(calls * input), "{llm}");
    assert_eq!(
        llm["output_tokens"].as_u64(),
        Some(calls * output_tokens),
        "{llm}"
    );
    assert_eq!(
        llm["cached_input_tokens"].as_u64(),
        Some(calls * cached),
        "{llm}"
    );
    // 68 × USD 2.50 + 20 × USD 10 per million tokens.
    assert_eq!(llm["cost_usd"], "0.000370", "{llm}");
    assert_eq!(llm["by_model"][0]["model"], MODEL);
}
