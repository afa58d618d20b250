//! The Workers runtime glue, one concern per file:
//!
//! * [`proxy`] — the `fetch` handler: the core's decision, forwarding with
//!   the core's header plan, the answers and usage events the core defines;
//! * [`kv`] — reading routes, secrets and tokens from Workers KV;
//! * [`state`] — the per-isolate state and settings;
//! * [`usage`] — the `queue` handler and the usage path to the control
//!   plane;
//! * [`health`] — `/_gateway/health`;
//! * [`scanned`] — LLM routes: the request body read for the core, the
//!   response streamed through its usage scanner;
//! * [`counted`] and [`runtime`] — byte-counting streams and small runtime
//!   wrappers.
//!
//! # Per-isolate caches
//!
//! | what | kept for | KV read with `cacheTtl` |
//! |---|---|---|
//! | a token (or its absence) by secret hash | `TOKEN_CACHE_SECS`, default 5 s | `KV_CACHE_TTL_SECS`, default 60 s |
//! | routes + opened secrets (+ `meta`) | `CONFIG_CACHE_SECS`, default 30 s | same |
//! | the quota state of a token and of its team (or its absence) | `TOKEN_CACHE_SECS` | same |
//!
//! so a hot token costs no KV read, and a change reaches a request at most
//! KV propagation (≤ 60 s) + `cacheTtl` + the isolate TTL after the control
//! plane wrote it. Rate-limit state and the quota counter (what this
//! isolate let through) are per isolate too.

mod counted;
mod health;
mod kv;
mod proxy;
mod runtime;
mod scanned;
mod state;
mod usage;

pub use proxy::fetch;
pub use usage::consume;
