//! The per-request decision: may this request pass, and if so, where to and
//! with which credentials.
//!
//! [`Gateway`] is an immutable index over one config; a front-end derives
//! the next one from it with each update of the config feed
//! ([`Gateway::apply`], in proportion to the update's size: the tokens are
//! a persistent [`TokenStore`]) and swaps it in. Rate limit state lives in
//! a separate [`RateLimiter`] so it survives the swap.
//!
//! # Order of checks
//!
//! Each check only runs when all earlier ones passed, and the first failure
//! is returned:
//!
//! | # | check                                   | status | code |
//! |---|-----------------------------------------|--------|------|
//! | 1 | a token is presented                    | 401 | `missing_token` |
//! | 2 | it is well-formed (prefix, length, checksum; no lookup) | 401 | `malformed_token` |
//! | 3 | it is known and not revoked; a previous secret is within its grace | 401 | `invalid_token` |
//! | 4 | it has not expired                      | 401 | `token_expired` |
//! | 5 | the path is safe (see [`crate::path`])  | 400 | `bad_path` |
//! | 6 | a route matches the path                | 404 | `route_not_found` |
//! | 7 | the route is granted to the token's team and its scopes name it | 403 | `scope_denied` |
//! | 8 | the client IP is in the token's allow-list | 403 | `ip_denied` |
//! | 9 | an IP-literal upstream is an address the route may reach | 502 | `upstream_forbidden` |
//! | 10 | the route's upstream credentials are available (and bound to its host) | 502 | `upstream_auth_unavailable` |
//! | 11 | the token's rate limit allows it       | 429 | `rate_limited` |
//! | 12 | the token's and its team's quotas and budgets are not used up ([`Gateway::check_quotas`]) | 429 | `quota_exceeded` |
//!
//! Authentication comes first so that an unauthenticated client learns
//! nothing about routes or paths. Path problems are reported as their own
//! `bad_path` (rather than folded into `route_not_found`) because they are
//! the client's bug to fix, not a missing route. Unknown and revoked tokens
//! share one answer so a leaked-then-revoked token cannot be told apart
//! from a made-up one. A route not granted to the token's team answers
//! exactly like one its scopes do not name. The upstream checks precede
//! rate limiting so a misconfigured route does not eat the client's quota.
//! Check 12 is a separate call on the [`Allowed`] request because its
//! counters ([`QuotaCounter`](crate::quota::QuotaCounter)) are kept apart,
//! like the rate limiter's, and a front-end that looks tokens up itself
//! also looks their quota state up itself.
//!
//! Check 9 covers upstreams written as IP addresses; an upstream named by
//! a host name is checked by the front-end where it resolves the name (the
//! native gateway refuses to connect to an address the route's
//! [`UpstreamAccess`] does not allow, with the same `upstream_forbidden`).
//!
//! # Front-ends that look tokens up themselves
//!
//! A front-end that cannot hold every token in memory (the Cloudflare
//! Worker reads one token at a time from KV) splits the call in two:
//! [`PresentedToken::from_request`] runs checks 1 and 2 and yields the
//! secret's hash to look up, and [`Gateway::authorize_token`] runs checks
//! 3 to 11 on what the lookup found, on a `Gateway` built from routes and
//! secrets only. Both halves share [`Gateway::authorize`]'s code.
//!
//! # Cost
//!
//! One SHA-256 of the presented token, two binary searches in shards of
//! about a thousand entries at a million tokens, one trie step
//! per path segment, one GCRA update. The only allocations are the
//! returned [`Allowed`] (or [`Denied`]) and, for paths that are not already
//! canonical, the normalised path.

use crate::address::UpstreamAccess;
use crate::quota::{PriceEntry, PriceTable, QuotaState};
use crate::ratelimit::RateLimiter;
use crate::route::{RouteError, RouteTable};
use crate::scope;
use crate::snapshot::{
    ConfigUpdate, Redacted, RouteEntry, Snapshot, SnapshotWarning, StaleUpdate, StreamedUpdate,
    TokenEntry,
};
use crate::token::{self, SecretKind};
use crate::token_store::{decode_hash, TokenStore};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub use crate::code;

/// What the gateway needs to know about one incoming request.
///
/// Its `Debug` does not print the token headers.
#[derive(Clone, Copy, Default)]
pub struct RequestInfo<'a> {
    /// HTTP method. Not used by the decision today; carried so front-ends
    /// can pass one value around.
    pub method: &'a str,
    /// The path as received, still percent-encoded, without the query.
    pub raw_path: &'a str,
    /// The raw query string without `?`, if the URL had one.
    pub query: Option<&'a str>,
    /// The `X-API-Key` header.
    pub api_key_header: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization_header: Option<&'a str>,
    /// The client address as the front-end determined it (socket peer, or
    /// a trusted header such as `CF-Connecting-IP`).
    pub client_ip: Option<IpAddr>,
}

impl fmt::Debug for RequestInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestInfo")
            .field("method", &self.method)
            .field("raw_path", &self.raw_path)
            .field("query", &self.query)
            .field("api_key_header", &self.api_key_header.map(|_| Redacted))
            .field(
                "authorization_header",
                &self.authorization_header.map(|_| Redacted),
            )
            .field("client_ip", &self.client_ip)
            .finish()
    }
}

/// `(name, value)` pairs of upstream credential headers, shared.
pub type InjectHeaders = Arc<[(String, String)]>;

/// A request that may pass, and how to forward it.
///
/// Its `Debug` does not print the values of `inject_headers`.
#[derive(Clone, PartialEq, Eq)]
pub struct Allowed {
    /// The authenticated token.
    pub token_id: Uuid,
    /// The token's team.
    pub team_id: Uuid,
    /// The matched route.
    pub route_id: Uuid,
    /// The matched route's name.
    pub route_name: String,
    /// The matched route's position in [`Gateway::routes`], for front-ends
    /// that keep per-route data next to a `Gateway`.
    pub route_index: usize,
    /// Where to send the request: upstream base + rest of the path +
    /// `?query`.
    pub upstream_url: String,
    /// Headers to set on the upstream request (lower-case names), replacing
    /// any client header of the same name. They carry upstream secrets.
    /// Shared with the `Gateway`, so allowing a request does not copy them.
    /// Which client headers to drop is [`headers::client_headers_to_drop`](crate::headers::client_headers_to_drop)'s
    /// business: every header carrying a tokenctl secret, whichever token
    /// the decision used.
    pub inject_headers: InjectHeaders,
    /// The route's upstream timeout.
    pub timeout: Duration,
    /// Which addresses the front-end may connect to for this request.
    pub upstream_access: UpstreamAccess,
    /// The route's LLM API, if it is one: the front-end then reads the
    /// token counts of the exchange (see [`crate::llm`]).
    pub llm: Option<crate::llm::Provider>,
}

impl fmt::Debug for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let injected: Vec<_> = self
            .inject_headers
            .iter()
            .map(|(name, _)| (name, Redacted))
            .collect();
        f.debug_struct("Allowed")
            .field("token_id", &self.token_id)
            .field("team_id", &self.team_id)
            .field("route_id", &self.route_id)
            .field("route_name", &self.route_name)
            .field("upstream_url", &self.upstream_url)
            .field("inject_headers", &injected)
            .field("timeout", &self.timeout)
            .field("upstream_access", &self.upstream_access)
            .field("llm", &self.llm)
            .finish()
    }
}

/// A refused request: what to answer the client, plus ids for usage
/// reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code, one of [`code`].
    pub code: &'static str,
    /// Human-readable explanation; never contains secrets or the token's
    /// scopes.
    pub message: String,
    /// For `rate_limited`: whole seconds for the `Retry-After` header.
    pub retry_after_secs: Option<u64>,
    /// The identified token, for usage reporting only (never sent to the
    /// client). Set from `invalid_token` on when the token is known.
    pub token_id: Option<Uuid>,
    /// The matched route, for usage reporting only.
    pub route_id: Option<Uuid>,
}

impl Denied {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Denied {
        Denied {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
            token_id: None,
            route_id: None,
        }
    }

    fn token(mut self, token: &TokenFacts<'_>) -> Denied {
        self.token_id = Some(token.id);
        self
    }

    fn route(mut self, route: &RouteEntry) -> Denied {
        self.route_id = Some(route.id);
        self
    }

    /// The response body: `{"error":{"code":"…","message":"…"}}`.
    pub fn json_body(&self) -> String {
        crate::failure::error_body(self.code, &self.message)
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for Denied {}

/// An immutable, indexed config that decides requests.
///
/// Cheap to derive a successor from: [`Gateway::apply`] shares the tokens
/// a change does not touch (see [`crate::token_store`]).
#[derive(Clone)]
pub struct Gateway {
    version: u64,
    generated_at: DateTime<Utc>,
    tokens: TokenStore,
    routes: Arc<RouteIndex>,
    /// Published quota state by subject (token or team id); shared by
    /// the gateways of updates that do not change it.
    quotas: Arc<HashMap<Uuid, QuotaState>>,
    /// Published model prices, to count LLM calls' cost toward budgets.
    prices: Arc<PriceTable>,
    warnings: Vec<SnapshotWarning>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("version", &self.version)
            .field("generated_at", &self.generated_at)
            .field("tokens", &self.tokens.len())
            .field("routes", &self.routes.table.routes().len())
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl Default for Gateway {
    /// No tokens, no routes, version 0.
    fn default() -> Gateway {
        Gateway::from_parts(
            0,
            DateTime::UNIX_EPOCH,
            TokenStore::default(),
            RouteConfig::default(),
        )
    }
}

impl Gateway {
    /// Indexes a snapshot. Never fails: unusable entries are dropped (fail
    /// closed) and listed in [`Gateway::warnings`], because refusing the
    /// whole snapshot would also hold back its revocations.
    ///
    /// Tokens are indexed by `secret_hash`, and by `previous_hash` when a
    /// `previous_expires_at` is set (whether the grace still runs is
    /// decided per request, against `now`). A current secret wins over a
    /// previous one with the same hash, then the first entry wins (see
    /// [`crate::token_store`]). Of two entries with one id, the later one
    /// is kept, in the place of the first.
    pub fn new(snapshot: Snapshot) -> Gateway {
        let Snapshot {
            version,
            generated_at,
            tokens,
            routes,
            secrets,
            secret_hosts,
            quotas,
            prices,
        } = snapshot;
        Gateway::from_parts(
            version,
            generated_at,
            tokens.into_iter().collect(),
            RouteConfig {
                routes,
                secrets,
                secret_hosts,
            },
        )
        .with_quotas(quotas)
        .with_prices(prices)
    }

    /// This gateway with `prices` as the published model prices.
    pub fn with_prices(mut self, prices: Vec<PriceEntry>) -> Gateway {
        self.prices = Arc::new(PriceTable::new(prices));
        self
    }

    /// The published model prices (see [`PriceTable::llm_cost_pico`]),
    /// shared: a front-end may keep them until a request's answer ends.
    pub fn prices(&self) -> &Arc<PriceTable> {
        &self.prices
    }

    /// This gateway with `quotas` as the published quota state (e.g. as
    /// stored beside the tokens).
    pub fn with_quotas(mut self, quotas: Vec<QuotaState>) -> Gateway {
        self.quotas = Arc::new(quotas.into_iter().map(|q| (q.subject, q)).collect());
        self
    }

    /// A gateway from tokens already indexed (e.g. by a [`TokenStoreBuilder`]
    /// fed while a snapshot was decoded) and the routes.
    pub fn from_parts(
        version: u64,
        generated_at: DateTime<Utc>,
        tokens: TokenStore,
        routes: RouteConfig,
    ) -> Gateway {
        Gateway::assemble(
            version,
            generated_at,
            tokens,
            Arc::new(RouteIndex::new(routes)),
            Arc::default(),
            Arc::default(),
        )
    }

    fn assemble(
        version: u64,
        generated_at: DateTime<Utc>,
        tokens: TokenStore,
        routes: Arc<RouteIndex>,
        quotas: Arc<HashMap<Uuid, QuotaState>>,
        prices: Arc<PriceTable>,
    ) -> Gateway {
        let mut warnings = routes.warnings.clone();
        warnings.extend(tokens.warnings());
        Gateway {
            version,
            generated_at,
            tokens,
            routes,
            quotas,
            prices,
            warnings,
        }
    }

    /// The gateway after an update from the config feed, with the rules of
    /// [`Snapshot::apply`]: a `full` update replaces everything whatever its
    /// version; an incremental one older than this gateway is refused;
    /// otherwise upserts by id (secrets by name), then removals. An
    /// incremental update costs in proportion to what it changes; routes
    /// and secrets are re-indexed only when it changes them.
    pub fn apply(&self, mut update: ConfigUpdate) -> Result<Gateway, StaleUpdate> {
        let tokens = std::mem::take(&mut update.tokens).into_iter().collect();
        self.apply_streamed(StreamedUpdate { update, tokens })
    }

    /// [`Gateway::apply`] for an update whose tokens were indexed as it
    /// was decoded.
    pub fn apply_streamed(&self, streamed: StreamedUpdate) -> Result<Gateway, StaleUpdate> {
        let StreamedUpdate {
            update,
            tokens: upserts,
        } = streamed;
        if update.full {
            return Ok(Gateway::from_parts(
                update.version,
                update.generated_at,
                upserts.finish(),
                RouteConfig {
                    routes: update.routes,
                    secrets: update.secrets,
                    secret_hosts: update.secret_hosts,
                },
            )
            .with_quotas(update.quotas)
            .with_prices(update.prices));
        }
        if update.version < self.version {
            return Err(StaleUpdate {
                current: self.version,
                update: update.version,
            });
        }
        let routes_change = !update.routes.is_empty()
            || !update.removed_routes.is_empty()
            || !update.secrets.0.is_empty()
            || !update.secret_hosts.is_empty()
            || !update.removed_secrets.is_empty();
        let routes = if routes_change {
            let mut config = self.routes.config.clone();
            config.apply(
                update.routes,
                &update.removed_routes,
                update.secrets,
                update.secret_hosts,
                &update.removed_secrets,
            );
            Arc::new(RouteIndex::new(config))
        } else {
            self.routes.clone()
        };
        let tokens = self
            .tokens
            .apply_records(upserts.into_records(), &update.removed_tokens);
        let quotas = if update.quotas.is_empty() && update.removed_quotas.is_empty() {
            self.quotas.clone()
        } else {
            let mut quotas = (*self.quotas).clone();
            quotas.extend(update.quotas.into_iter().map(|q| (q.subject, q)));
            for subject in &update.removed_quotas {
                quotas.remove(subject);
            }
            Arc::new(quotas)
        };
        let prices = if update.prices.is_empty() {
            self.prices.clone()
        } else {
            let mut prices = (*self.prices).clone();
            prices.upsert(update.prices);
            Arc::new(prices)
        };
        Ok(Gateway::assemble(
            update.version,
            update.generated_at,
            tokens,
            routes,
            quotas,
            prices,
        ))
    }

    /// The snapshot's version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the control plane generated the snapshot.
    pub fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }

    /// All tokens of the config.
    pub fn tokens(&self) -> &TokenStore {
        &self.tokens
    }

    /// The usable routes.
    pub fn routes(&self) -> &RouteTable {
        &self.routes.table
    }

    /// Routes and secrets as received, usable or not.
    pub fn route_config(&self) -> &RouteConfig {
        &self.routes.config
    }

    /// Snapshot entries that were dropped or will fail, for logging.
    pub fn warnings(&self) -> &[SnapshotWarning] {
        &self.warnings
    }

    /// Decides one request at time `now`, counting it against the token's
    /// rate limit in `limiter` if it passes every other check. See the
    /// [module docs](self) for the order of checks.
    pub fn authorize(
        &self,
        limiter: &mut RateLimiter,
        req: &RequestInfo<'_>,
        now: DateTime<Utc>,
    ) -> Result<Allowed, Denied> {
        let presented = PresentedToken::from_request(req)?;
        let (token, previous) = self
            .tokens
            .find(&presented.hash)
            .ok_or_else(invalid_token)?;
        self.decide(limiter, req, now, &token.into(), previous)
    }

    /// Decides one request whose token the front-end looked up itself, by
    /// [`PresentedToken::hash_hex`], in a store keyed by secret hash (the
    /// Cloudflare Worker reads it from KV). `token` is what the store holds
    /// for that hash, `None` when nothing: the request is then `invalid_token`
    /// like an unknown token. This gateway supplies the routes and upstream
    /// secrets; its own tokens, if any, are not consulted.
    ///
    /// The same checks as [`Gateway::authorize`], on the same code path:
    /// whether the presented secret is the entry's current one or its
    /// previous one (accepted until `previous_expires_at`) is decided from
    /// the entry's hashes exactly as [`Gateway::new`] indexes them, and an
    /// entry that carries neither hash is treated as unknown.
    pub fn authorize_token(
        &self,
        limiter: &mut RateLimiter,
        req: &RequestInfo<'_>,
        now: DateTime<Utc>,
        presented: &PresentedToken,
        token: Option<&TokenEntry>,
    ) -> Result<Allowed, Denied> {
        let token = token.ok_or_else(invalid_token)?;
        let is = |hash: Option<&String>| hash.and_then(|h| decode_hash(h)) == Some(presented.hash);
        let previous = if is(Some(&token.secret_hash)) {
            false
        } else if token.previous_expires_at.is_some() && is(token.previous_hash.as_ref()) {
            true
        } else {
            return Err(invalid_token());
        };
        self.decide(limiter, req, now, &token.into(), previous)
    }

    /// Checks 3–11 for an identified token (`previous`: the presented secret
    /// is the token's previous one).
    fn decide(
        &self,
        limiter: &mut RateLimiter,
        req: &RequestInfo<'_>,
        now: DateTime<Utc>,
        token: &TokenFacts<'_>,
        previous: bool,
    ) -> Result<Allowed, Denied> {
        let grace_over = previous && token.previous_expires_at.is_none_or(|end| now >= end);
        if token.revoked || grace_over {
            return Err(invalid_token().token(token));
        }
        if token.expires_at.is_some_and(|end| end <= now) {
            return Err(
                Denied::new(401, code::TOKEN_EXPIRED, "the API token has expired").token(token),
            );
        }

        let matched = self
            .routes
            .table
            .resolve(req.raw_path, req.query)
            .map_err(|e| match e {
                RouteError::BadPath(e) => {
                    Denied::new(400, code::BAD_PATH, format!("bad request path: {e}"))
                }
                RouteError::NotFound => Denied::new(
                    404,
                    code::ROUTE_NOT_FOUND,
                    "no route matches the request path",
                ),
            })
            .map_err(|d| d.token(token))?;
        let route = matched.route;

        if !scope::grants(token.scopes, token.team_id, route) {
            return Err(Denied::new(
                403,
                code::SCOPE_DENIED,
                format!("the API token is not allowed to use route `{}`", route.name),
            )
            .token(token)
            .route(route));
        }

        if !ip_allowed(token.allow_ips, req.client_ip) {
            return Err(Denied::new(
                403,
                code::IP_DENIED,
                "the API token may not be used from this IP address",
            )
            .token(token)
            .route(route));
        }

        if self.routes.forbidden[matched.index] {
            return Err(Denied::new(
                502,
                code::UPSTREAM_FORBIDDEN,
                "the route's upstream is at an address the gateway may not connect to; contact the route's operators",
            )
            .token(token)
            .route(route));
        }

        let Some(inject_headers) = &self.routes.auth[matched.index] else {
            return Err(Denied::new(
                502,
                code::UPSTREAM_AUTH_UNAVAILABLE,
                "the gateway has no credentials for this route's upstream; contact the route's operators",
            )
            .token(token)
            .route(route));
        };

        if let Some(limit) = token.rate_limit {
            if let Err(wait) = limiter.check(token.id, limit, now) {
                let secs = wait.secs();
                let mut denied = Denied::new(
                    429,
                    code::RATE_LIMITED,
                    format!("rate limit exceeded; retry in {secs} s"),
                )
                .token(token)
                .route(route);
                denied.retry_after_secs = Some(secs);
                return Err(denied);
            }
        }

        Ok(Allowed {
            token_id: token.id,
            team_id: token.team_id,
            route_id: route.id,
            route_name: route.name.clone(),
            route_index: matched.index,
            timeout: Duration::from_millis(route.timeout_ms),
            inject_headers: inject_headers.clone(),
            upstream_access: route.upstream_access,
            llm: route.llm,
            upstream_url: matched.into_upstream_url(),
        })
    }
}

fn invalid_token() -> Denied {
    Denied::new(401, code::INVALID_TOKEN, "the API token is not valid")
}

/// A request's token after checks 1 and 2 (present, well-formed), before
/// any lookup: its SHA-256. The first step of [`Gateway::authorize_token`],
/// for front-ends that look tokens up in a store of their own.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedToken {
    hash: [u8; 32],
}

impl fmt::Debug for PresentedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hash identifies a live credential: not for logs.
        f.debug_struct("PresentedToken")
            .field("hash", &Redacted)
            .finish()
    }
}

impl PresentedToken {
    /// Checks 1 and 2: `missing_token`, `malformed_token`. No lookup.
    pub fn from_request(req: &RequestInfo<'_>) -> Result<PresentedToken, Denied> {
        let presented = presented_token(req)?;
        let secret = token::check_format(SecretKind::ApiToken, presented).map_err(|e| {
            Denied::new(
                401,
                code::MALFORMED_TOKEN,
                format!("malformed API token: {e}"),
            )
        })?;
        Ok(PresentedToken {
            hash: Sha256::digest(secret.as_bytes()).into(),
        })
    }

    /// Lowercase hex SHA-256 of the secret, as in
    /// [`TokenEntry::secret_hash`] (and [`token::hash_secret`]).
    pub fn hash_hex(&self) -> String {
        const_hex::encode(self.hash)
    }

    /// The raw SHA-256 of the secret.
    pub fn hash(&self) -> &[u8; 32] {
        &self.hash
    }
}

/// Picks the presented token: `X-API-Key` wins over `Authorization:
/// Bearer`. Whatever is picked, no tokenctl secret is forwarded upstream:
/// [`headers::client_headers_to_drop`](crate::headers::client_headers_to_drop)
/// removes every header that carries one.
fn presented_token<'a>(req: &RequestInfo<'a>) -> Result<&'a str, Denied> {
    let bearer = req.authorization_header.and_then(token::bearer);
    let api_key = req.api_key_header.map(str::trim).filter(|v| !v.is_empty());
    match api_key.or(bearer) {
        Some(presented) => Ok(presented),
        None => Err(Denied::new(
            401,
            code::MISSING_TOKEN,
            "no API token: send it in the X-API-Key header or as Authorization: Bearer <token>",
        )),
    }
}

/// An empty allow-list allows everywhere; otherwise the client IP must be
/// known and inside one of the networks. IPv4-mapped IPv6 addresses (as
/// seen on dual-stack sockets) are compared as IPv4.
fn ip_allowed(allow_ips: &[IpNet], client_ip: Option<IpAddr>) -> bool {
    if allow_ips.is_empty() {
        return true;
    }
    let Some(ip) = client_ip.map(|ip| ip.to_canonical()) else {
        return false;
    };
    allow_ips.iter().any(|net| net.contains(&ip))
}

mod facts;
mod quota_check;
mod routes;
pub use quota_check::check_quotas;
#[cfg(test)]
mod tests;

use facts::TokenFacts;
pub use routes::RouteConfig;
use routes::RouteIndex;
