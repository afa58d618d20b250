//! The gateway black-box suites: ONE list of scenarios (what a client of
//! a gateway sees), each written once against [`GatewayUnderTest`] and run
//! against the native gateway (`tokenctl gateway`, on SQLite and
//! PostgreSQL) and against the Cloudflare Worker under workerd (`wrangler
//! dev`, SQLite only), so a behaviour tested on one is tested on both.
//!
//! Tests are named `gateways::native::{sqlite,postgres}::<scenario>` and
//! `gateways::worker::<scenario>`. The Worker runs need
//! `TOKENCTL_TEST_WORKER=1` (set by `.ci/run` after
//! `gateway/worker/build.sh`); otherwise they print a note and skip.
//!
//! Where the two gateways differ by design (the client address, how fast
//! a change arrives, caches), a scenario asks the gateway under test
//! ([`GatewayUnderTest::kind`]) and says why in a comment.

pub mod native_gateway;
mod scenarios;
mod worker_gateway;
mod workerd;

use crate::common::{Cli, TestServer};
use crate::upstream::{Http, Reply, Upstream};
use serde_json::Value;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Native,
    Worker,
}

/// A running gateway with its server, the test upstream (route `echo` at
/// `/api/echo` → `<upstream>/base` with bearer auth from UPSTREAM_KEY) and
/// an HTTP client.
pub trait GatewayUnderTest {
    fn kind(&self) -> Kind;
    /// The gateway's base URL (`http://127.0.0.1:<port>`).
    fn base(&self) -> &str;
    fn srv(&self) -> &TestServer;
    fn cli(&self) -> &Cli;
    fn upstream(&self) -> &Upstream;
    fn http(&self) -> &Http;
    /// Makes a change on the server reach the gateway's store: nothing for
    /// the native gateway (it follows the server's feed by itself); for the
    /// Worker, the server's desired KV state written into the local KV
    /// (what the server's KV sync does against Cloudflare).
    fn sync(&mut self);
    /// How long a synced change may take to be served.
    fn follow_limit(&self) -> Duration;
    /// Peak resident memory of the gateway's processes, KiB.
    fn peak_rss_kib(&self) -> u64;
    /// How much that peak may grow while a 100 MB upload streams through.
    fn upload_rss_budget_kib(&self) -> u64;
    /// Stops the gateway the way its platform does (native: SIGTERM, which
    /// writes out open counts); `false` where there is no such thing.
    fn stop_graceful(&mut self) -> bool;

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    fn health(&self) -> (u16, Value) {
        let r = self.http().get(&self.url("/_gateway/health"), None);
        (r.status, r.json())
    }
}

/// Creates a token, returns its secret.
pub fn token(cli: &Cli, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--name", name];
    args.extend_from_slice(extra);
    cli.json(&args)["token"].as_str().unwrap().to_string()
}

/// Waits until `check` holds; returns how long that took.
pub fn eventually(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    started.elapsed()
}

pub fn body(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// The list, expanded into the tests: each `both` scenario once per
/// native backend and once on the Worker (with its Worker options); the
/// ones only one gateway can run, with the reason.
macro_rules! gateway_scenarios {
    (
        both: [ $( $both:ident $({ $($bo:ident : $bv:expr),* $(,)? })? ),* $(,)? ]
        native_only: [ $( $nat:ident => $nreason:literal ),* $(,)? ]
        worker_only: [ $( $wk:ident $({ $($wo:ident : $wv:expr),* $(,)? })? => $wreason:literal ),* $(,)? ]
    ) => {
        mod native {
            mod sqlite {
                $( #[test] fn $both() {
                    crate::gateways::native_gateway::run(crate::common::Backend::Sqlite, crate::gateways::scenarios::$both);
                } )*
            }
            mod postgres {
                $( #[test] fn $both() {
                    crate::gateways::native_gateway::run(crate::common::Backend::Postgres, crate::gateways::scenarios::$both);
                } )*
            }
            $( #[doc = $nreason] #[test] fn $nat() { crate::gateways::native_gateway::$nat(); } )*
        }
        mod worker {
            #[allow(unused_imports)]
            use crate::gateways::worker_gateway::Opts;
            $( #[test] fn $both() {
                crate::gateways::worker_gateway::run(
                    Opts { $($($bo: $bv,)*)? ..Opts::default() },
                    crate::gateways::scenarios::$both,
                );
            } )*
            $( #[doc = $wreason] #[test] fn $wk() {
                crate::gateways::worker_gateway::run_worker_only(
                    Opts { $($($wo: $wv,)*)? ..Opts::default() },
                    crate::gateways::worker_gateway::$wk,
                );
            } )*
        }
    };
}

gateway_scenarios! {
    both: [
        // Allowed calls: credential injection, the client's token never
        // forwarded, path and query mapping, X-Forwarded-*, hop-by-hop
        // headers dropped both ways, Server-Timing, segment boundaries,
        // paths that would leave their prefix.
        forwards_with_the_upstream_credential,
        // Every refusal code with its status, JSON body and Server-Timing:
        // not ready, missing/malformed/invalid/expired token, route not
        // found, scope denied, IP allow-list, rate limit, unusable
        // credential, upstream timeout and unreachable; the health report.
        error_codes { empty_kv: true },
        // A rotated token's grace, revocation and route changes reaching
        // the gateway.
        rotation_grace_and_revocation { token_cache_secs: 5 },
        // Route grants per team, secrets only for their hosts, upstream
        // addresses only as approved, all following the server.
        enforces_route_grants_secret_hosts_and_upstream_addresses,
        // SSE chunk by chunk, a 100 MB upload with flat memory, a chunked
        // upload, Location rewriting; usage has the streamed sizes.
        streams_bodies_and_rewrites_redirects,
        // Usage: every request recorded exactly once, refusals too.
        usage_is_recorded_exactly_once,
        // An 18-character method without a token costs nothing else; no
        // tokenctl secret in any header reaches the upstream.
        hostile_requests_cost_nothing_else,
        // LLM routes: token counts of JSON and streamed answers, priced;
        // streams byte-identical, the usage the gateway asked for removed.
        llm_usage_is_read_from_answers_and_priced,
        // Quotas: a token's passes exactly its quota (the Worker: at most
        // the quota per isolate), then 429 quota_exceeded with Retry-After
        // to midnight UTC; a team's counts its tokens together; removing
        // them follows the server.
        quotas_limit_tokens_and_teams_and_follow_the_server,
        // LLM-token quotas: the answer that crosses the limit completes,
        // the next request is refused.
        llm_token_quotas_count_the_answers,
        // Budgets: each answer's cost at the published prices counts as
        // soon as it streamed; the Worker, never sent a publication, stops
        // at the same call as one native gateway.
        budgets_count_each_answers_cost_at_the_published_prices,
    ]
    native_only: [
        ten_thousand_requests_survive_server_outage_and_gateway_restart =>
            "Native only: it kills the server and restarts the gateway process \
             (SIGTERM, SIGKILL) to prove the disk spool; the Worker has no \
             spool (its Queue retries are the platform's) and wrangler dev \
             cannot be killed mid-delivery meaningfully.",
    ]
    worker_only: [
        without_a_queue_posts_usage_directly { queue: false } =>
            "Worker only: a deployment without the USAGE Queue binding; the \
             native gateway has no Queue (it spools to disk).",
        unreadable_prices_count_no_cost_and_fail_nothing =>
            "Worker only: a bad `prices` value in KV; the native gateway gets \
             its prices on the config feed, never from KV.",
        a_burst_passes_at_most_the_quota_per_isolate =>
            "Worker only: the per-isolate bound with the published state \
             arriving through KV mid-burst; the native gateway's bounds are \
             measured in quotas.rs.",
    ]
}
