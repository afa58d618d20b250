//! The tokenctl gateway as a Cloudflare Worker.
//!
//! A thin front-end around the gateway core (`tokenctl-gateway`): every
//! decision — token format, lookup result, expiry, rotation grace, path
//! safety, route matching, scopes, IP allow-list, upstream credentials,
//! rate limit — is the core's. This crate only moves data between the
//! Workers runtime and the core:
//!
//! * tokens are read one at a time from KV (`tok:<sha256 of the secret>`)
//!   and decided with [`Gateway::authorize_token`](tokenctl_gateway::Gateway::authorize_token);
//! * routes and sealed upstream secrets are read from KV (`routes`,
//!   `secrets`), the secrets opened in memory with the edge key, and indexed
//!   into a core `Gateway` per isolate. The key layout, the values and the
//!   edge key are the core's ([`tokenctl_gateway::kv`]), shared with the
//!   control plane's KV sync that writes them;
//! * usage events go to a Queue, several to a message
//!   ([`queue_message`]), whose consumer (this same Worker) posts them to
//!   the control plane in batches.
//!
//! The runtime glue (`edge`, one file per concern: proxy, KV reads, state,
//! usage, health) exists only on `wasm32`; on the host this crate is its
//! plain modules, unit-tested like any other crate. The two entry points
//! below are all the runtime calls. Deploying and operating it:
//! `docs/gateway.md`, section "Cloudflare Worker".

// The `#[event]` glue that wasm-bindgen generates uses `unsafe` internally.
#![cfg_attr(not(target_arch = "wasm32"), forbid(unsafe_code))]

pub mod cache;
pub mod plain;
pub mod queue_message;

#[cfg(target_arch = "wasm32")]
mod edge;

/// Every request to the Worker: the gateway.
#[cfg(target_arch = "wasm32")]
#[worker::event(fetch)]
pub async fn fetch(
    req: web_sys::Request,
    env: worker::Env,
    ctx: worker::Context,
) -> worker::Result<web_sys::Response> {
    edge::fetch(req, env, ctx).await
}

/// Every batch of the usage Queue: posted to the control plane.
#[cfg(target_arch = "wasm32")]
#[worker::event(queue)]
pub async fn queue(
    batch: worker::MessageBatch<String>,
    env: worker::Env,
    _ctx: worker::Context,
) -> worker::Result<()> {
    edge::consume(batch, env).await
}
