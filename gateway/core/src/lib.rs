//! The gateway core shared by every front-end (the native proxy and the
//! Cloudflare Worker) and by the control plane that mints tokens.
//!
//! Everything here is plain Rust with no I/O, no clock and no threads: the
//! front-end passes in the request's facts and the current time, and gets a
//! decision back. So the same logic is tested natively and builds unchanged
//! for `wasm32-unknown-unknown`.
//!
//! * [`token`] — the secret format (`ntk_…`) and its hash;
//! * [`snapshot`] — what the control plane sends to gateways;
//! * [`address`] — the upstream address policy: which addresses are
//!   private, local or cloud metadata, and which a route may reach;
//! * [`host`] — host patterns that bind upstream secrets to hosts;
//! * [`sealed`] — AES-256-GCM sealing of secrets (at rest, in KV);
//! * [`kv`] — the Workers KV contract between the control plane's sync and
//!   the Cloudflare Worker: key layout, values, the edge key;
//! * [`path`] and [`route`] — safe path normalisation and route matching;
//! * [`scope`] — which routes a token's scopes grant, among those granted
//!   to its team;
//! * [`ratelimit`] — per-token GCRA rate limiting;
//! * [`quota`] — quotas and budgets per calendar period (UTC): the
//!   `N/PERIOD` form, the state the control plane publishes, and a
//!   gateway's local counter between publications;
//! * [`decision`] — the whole per-request decision ([`Gateway::authorize`]);
//! * [`code`] — every error code a gateway answers with or records;
//! * [`failure`] — the answers a front-end gives itself (upstream timeout,
//!   no configuration, …) and the one JSON error body;
//! * [`timing`] — the `Server-Timing` header;
//! * [`headers`] — the upstream request's headers as one ordered plan
//!   ([`headers::UpstreamHeaderPlan`]: which client headers never reach
//!   the upstream, `X-Forwarded-*`, the route's credential), the client
//!   behind trusted proxies ([`headers::client_origin`]), the response's
//!   hop-by-hop headers;
//! * [`location`] — rewriting upstream redirects into the gateway's paths;
//! * [`usage`] — the usage event front-ends report (built from how a
//!   request was answered), its limits, denial aggregation and the ingest
//!   contract;
//! * [`llm`] — LLM routes: the model and token counts read from the
//!   provider's usage report as the response streams (JSON and server-sent
//!   events), and the request rewrite that makes OpenAI streams report it.
//!
//! A front-end's request loop, in outline:
//!
//! ```
//! use tokenctl_gateway::{Gateway, RateLimiter, RequestInfo, Snapshot};
//!
//! // On every snapshot from the control plane: index it and swap it in.
//! let snapshot: Snapshot =
//!     serde_json::from_str(r#"{"version":1,"generated_at":"2026-01-01T00:00:00Z"}"#).unwrap();
//! let gateway = Gateway::new(snapshot);
//! for warning in gateway.warnings() {
//!     eprintln!("snapshot: {warning}");
//! }
//! // Once per process (or per isolate): rate-limit state outlives snapshots.
//! let mut limiter = RateLimiter::new();
//!
//! // Per request.
//! let now = "2026-01-01T00:00:01Z".parse().unwrap();
//! let req = RequestInfo {
//!     method: "GET",
//!     raw_path: "/api/x",
//!     ..Default::default()
//! };
//! match gateway.authorize(&mut limiter, &req, now) {
//!     Ok(allowed) => {
//!         // Apply a `headers::UpstreamHeaderPlan` to the request's headers
//!         // and send it to `allowed.upstream_url` within `allowed.timeout`;
//!         // a failure is answered with a `failure::Failure`.
//!         let _ = allowed;
//!     }
//!     Err(denied) => {
//!         // Answer `denied.status` with `denied.json_body()` (and
//!         // `Retry-After: denied.retry_after_secs` when set).
//!         assert_eq!(denied.code, tokenctl_gateway::code::MISSING_TOKEN);
//!     }
//! }
//! // Either way: `Server-Timing` (`timing::server_timing`) on the answer, and
//! // a usage event built by `usage::RequestUsage::event`.
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod code;
pub mod decision;
pub mod failure;
pub mod headers;
pub mod host;
pub mod kv;
pub mod llm;
pub mod location;
pub mod path;
pub mod quota;
pub mod ratelimit;
pub mod route;
pub mod scope;
pub mod sealed;
pub mod snapshot;
pub mod timing;
pub mod token;
pub mod token_store;
pub mod usage;

pub use address::UpstreamAccess;
pub use decision::{Allowed, Denied, Gateway, PresentedToken, RequestInfo, RouteConfig};
pub use failure::Failure;
pub use ratelimit::{RateLimiter, RetryAfter};
pub use route::{RouteError, RouteMatch, RouteTable};
pub use snapshot::{
    ConfigUpdate, RateLimit, RouteEntry, Snapshot, SnapshotWarning, StaleUpdate, TokenEntry,
    UpstreamAuth,
};
pub use token_store::{TokenRecord, TokenStore, TokenStoreBuilder};
pub use usage::UsageEvent;
