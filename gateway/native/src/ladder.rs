//! Benchmark only: the cost ladder of `LADDER=1 gateway/bench/run`.
//!
//! The ladder climbs from a proxy that does only what a minimal hyper proxy
//! does (SHA-256 of the key, a lookup, forward) to the full gateway, one
//! feature per rung, so the cost of each feature is measured rather than
//! guessed. `TOKENCTL_BENCH_RUNG=N` switches off every feature above rung N.
//!
//! The knob exists only in a build with the `bench-ladder` feature
//! (`cargo build --release -p tokenctl --features bench-ladder`), which the
//! benchmark makes for itself. In every other build [`has`] is a constant
//! `true` and the checks compile away: the product has no such knob.

/// The features of the request path, in the order the ladder adds them.
/// Below [`Rung::Decision`] (rung 0) is the minimal proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rung {
    /// The core's full decision: checksum, SHA-256 lookup, expiry, route
    /// match, scope, IP allow-list, rate limit.
    Decision = 1,
    /// The core's header plan without the forwarding headers: drop the
    /// client's secrets and hop-by-hop headers, set `Host`, inject the
    /// upstream credential.
    Credential = 2,
    /// `X-Forwarded-For`, `-Proto`, `-Host`.
    Forwarded = 3,
    /// `Server-Timing` on every answer.
    ServerTiming = 4,
    /// A usage record per request, pushed onto the spool's buffer (the
    /// writer thread collects and discards it).
    UsageEvent = 5,
    /// The writer turns records into events and appends them to the spool.
    SpoolWrite = 6,
    /// The sender posts the spool to the server.
    Sender = 7,
    /// The config follower keeps long-polling after the first snapshot.
    Follower = 8,
}

/// Whether `rung`'s feature is on.
#[cfg(not(feature = "bench-ladder"))]
#[inline(always)]
pub fn has(_rung: Rung) -> bool {
    true
}

/// Whether `rung`'s feature is on: at or below `TOKENCTL_BENCH_RUNG`
/// (default: every rung).
#[cfg(feature = "bench-ladder")]
pub fn has(rung: Rung) -> bool {
    static TOP: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    rung as u8
        <= *TOP.get_or_init(|| {
            std::env::var("TOKENCTL_BENCH_RUNG")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(u8::MAX)
        })
}

/// Rung 0's decision: what the minimal proxy does. A well-formed key whose
/// SHA-256 is a token's current hash passes, to the first route, with no
/// expiry, route, scope or rate-limit check; `None` otherwise (the caller
/// then lets the core refuse it).
#[cfg(feature = "bench-ladder")]
pub fn minimal_decision(
    gateway: &tokenctl_gateway::Gateway,
    req: &tokenctl_gateway::RequestInfo<'_>,
) -> Option<tokenctl_gateway::Allowed> {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    // The benchmark's config does not change while it runs.
    static KEYS: OnceLock<HashSet<[u8; 32]>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        gateway
            .tokens()
            .iter()
            .filter_map(|t| t.secret_hash)
            .collect()
    });
    let presented = tokenctl_gateway::PresentedToken::from_request(req).ok()?;
    if !keys.contains(presented.hash()) {
        return None;
    }
    let route = gateway.routes().routes().first()?;
    let rest = req.raw_path.strip_prefix(route.path.as_str()).unwrap_or("");
    Some(tokenctl_gateway::Allowed {
        token_id: uuid::Uuid::nil(),
        team_id: uuid::Uuid::nil(),
        route_id: route.id,
        route_name: route.name.clone(),
        route_index: 0,
        upstream_url: format!("{}{rest}", route.upstream),
        inject_headers: Default::default(),
        timeout: std::time::Duration::from_millis(route.timeout_ms),
        upstream_access: route.upstream_access,
        llm: None,
    })
}

/// Below [`Rung::Decision`]: [`minimal_decision`] instead of the core's.
#[cfg(not(feature = "bench-ladder"))]
#[inline(always)]
pub fn minimal_decision(
    _gateway: &tokenctl_gateway::Gateway,
    _req: &tokenctl_gateway::RequestInfo<'_>,
) -> Option<tokenctl_gateway::Allowed> {
    None
}
