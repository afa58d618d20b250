//! `/_gateway/health`: the configuration's version and age, the caches,
//! and the usage path's state, per isolate.

use super::kv::current_config;
use super::runtime::{json_response, now_ms};
use super::state::with_state;
use super::usage::{DIRECT_NOTE, QUEUE_BINDING};
use wasm_bindgen::JsValue;
use worker::Env;

pub(super) async fn health(env: &Env) -> Result<web_sys::Response, JsValue> {
    let config = current_config(env).await;
    let now = now_ms();
    let has_queue = env.queue(QUEUE_BINDING).is_ok();
    let report = with_state(env, |s| {
        let (status, http) = match (&config, &s.config_error) {
            (Ok(Some(_)), None) => ("ok", 200),
            (Ok(Some(_)), Some(_)) => ("stale", 200),
            _ => ("no_config", 503),
        };
        let c = config.as_ref().ok().cloned().flatten();
        let settings = &s.settings;
        let mut last_error: Vec<String> = s.config_error.iter().cloned().collect();
        if let Err(e) = &config {
            if last_error.is_empty() {
                last_error.push(e.clone());
            }
        }
        if let Some(c) = &c {
            last_error.extend(c.problems.iter().cloned());
        }
        let mut usage = if has_queue {
            serde_json::json!({
                "mode": "queue",
                "buffered": s.queued.len(),
                "dropped": s.queue_dropped,
            })
        } else {
            serde_json::json!({
                "mode": "direct",
                "buffered": s.direct.len(),
                "dropped": s.direct_dropped,
                "last_error": s.direct_error,
                "note": DIRECT_NOTE,
            })
        };
        // Per isolate, like everything here.
        usage["denials_pending"] = s.denials.pending().into();
        usage["dead_lettered"] = s.dead_lettered.into();
        let report = serde_json::json!({
            "status": status,
            "version": env!("CARGO_PKG_VERSION"),
            "runtime": "cloudflare-worker",
            "config": {
                "version": c.as_ref().map(|c| c.gateway.version()),
                "secrets_version": c.as_ref().and_then(|c| c.secrets_version),
                "synced_at": s.meta.as_ref().map(|m| m.synced_at),
                "age_secs": s.meta.as_ref().map(|m| {
                    ((now - m.synced_at.timestamp_millis() as f64) / 1000.0).max(0.0)
                }),
                "routes": c.as_ref().map_or(0, |c| c.gateway.routes().routes().len()),
                "secrets": c.as_ref().map_or(0, |c| c.secrets),
                "last_error": if last_error.is_empty() { None } else { Some(last_error.join("; ")) },
            },
            "cache": {
                "token_ttl_secs": settings.token_ttl_secs,
                "config_ttl_secs": settings.config_ttl_secs,
                "kv_cache_ttl_secs": settings.kv_cache_ttl_secs,
                "tokens_cached": s.tokens.len(),
            },
            "rate_limits": "per isolate",
            "usage": usage,
        });
        (report, http)
    });
    json_response(report.1, &report.0.to_string(), &[])
}
