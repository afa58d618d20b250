//! The per-request decision: may this request pass, and if so, where to and
//! with which credentials.
//!
//! [`Gateway`] is an immutable index over one [`Snapshot`]; a front-end
//! builds a new one whenever a new snapshot arrives and swaps it in. Rate
//! limit state lives in a separate [`RateLimiter`] so it survives the swap.
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
//! One SHA-256 of the presented token, one hash-map lookup, one trie step
//! per path segment, one GCRA update. The only allocations are the
//! returned [`Allowed`] (or [`Denied`]) and, for paths that are not already
//! canonical, the normalised path.

use crate::address::{self, UpstreamAccess};
use crate::headers::HOP_BY_HOP;
use crate::host;
use crate::quota::QuotaState;
use crate::ratelimit::RateLimiter;
use crate::route::{RouteError, RouteTable};
use crate::scope;
use crate::snapshot::{
    Redacted, RouteEntry, SecretHosts, Snapshot, SnapshotWarning, TokenEntry, UpstreamAuth,
    UpstreamSecrets,
};
use crate::token::{self, SecretKind};
use base64::Engine as _;
use chrono::{DateTime, Utc};
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

    fn token(mut self, token: &TokenEntry) -> Denied {
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

/// Which secret of a token a hash belongs to.
#[derive(Debug, Clone, Copy)]
struct Credential {
    token: usize,
    previous: bool,
}

/// An immutable, indexed snapshot that decides requests.
pub struct Gateway {
    version: u64,
    generated_at: DateTime<Utc>,
    tokens: Vec<TokenEntry>,
    /// SHA-256 of a secret (raw bytes, so the presented token never needs
    /// hex-encoding) → token.
    by_hash: HashMap<[u8; 32], Credential>,
    routes: RouteTable,
    /// Per route (same order as `routes.routes()`): the headers to inject,
    /// or `None` when a secret is missing, unusable or not bound to the
    /// route's upstream host.
    route_auth: Vec<Option<InjectHeaders>>,
    /// Per route: whether its upstream is an IP address the route's
    /// access does not allow.
    route_forbidden: Vec<bool>,
    /// Published quota state by subject (token or team id).
    quotas: HashMap<Uuid, QuotaState>,
    warnings: Vec<SnapshotWarning>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("version", &self.version)
            .field("generated_at", &self.generated_at)
            .field("tokens", &self.tokens.len())
            .field("routes", &self.routes.routes().len())
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
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
    /// previous one with the same hash, then the first entry wins.
    pub fn new(snapshot: Snapshot) -> Gateway {
        let Snapshot {
            version,
            generated_at,
            tokens,
            routes,
            secrets,
            secret_hosts,
            quotas,
        } = snapshot;
        let mut warnings = Vec::new();

        let mut by_hash = HashMap::with_capacity(tokens.len());
        let current = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (i, Some(&t.secret_hash), false, "secret_hash"));
        let previous = tokens.iter().enumerate().map(|(i, t)| {
            let hash = t
                .previous_hash
                .as_ref()
                .filter(|_| t.previous_expires_at.is_some());
            (i, hash, true, "previous_hash")
        });
        for (i, hash, previous, field) in current.chain(previous) {
            let Some(hash) = hash else { continue };
            let mut key = [0u8; 32];
            if hex::decode_to_slice(hash, &mut key).is_err() {
                warnings.push(SnapshotWarning::InvalidSecretHash {
                    token: tokens[i].id,
                    field,
                });
                continue;
            }
            match by_hash.get(&key) {
                Some(&Credential { token: kept, .. }) => {
                    warnings.push(SnapshotWarning::DuplicateSecretHash {
                        token: tokens[i].id,
                        field,
                        kept: tokens[kept].id,
                    });
                }
                None => {
                    by_hash.insert(key, Credential { token: i, previous });
                }
            }
        }

        let routes = RouteTable::new(routes);
        warnings.extend_from_slice(routes.warnings());
        let route_auth = routes
            .routes()
            .iter()
            .map(|r| auth_headers(r, &secrets, &secret_hosts, &mut warnings).map(Arc::from))
            .collect();
        let route_forbidden = routes
            .routes()
            .iter()
            .map(|r| ip_literal_forbidden(r, &mut warnings))
            .collect();

        Gateway {
            version,
            generated_at,
            tokens,
            by_hash,
            routes,
            route_auth,
            route_forbidden,
            quotas: quotas.into_iter().map(|q| (q.subject, q)).collect(),
            warnings,
        }
    }

    /// The snapshot's version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the control plane generated the snapshot.
    pub fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }

    /// All tokens of the snapshot.
    pub fn tokens(&self) -> &[TokenEntry] {
        &self.tokens
    }

    /// The usable routes.
    pub fn routes(&self) -> &RouteTable {
        &self.routes
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
        let credential = *self
            .by_hash
            .get(&presented.hash)
            .ok_or_else(invalid_token)?;
        let token = &self.tokens[credential.token];
        self.decide(limiter, req, now, token, credential.previous)
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
        let is = |hash: Option<&String>| {
            let mut key = [0u8; 32];
            hash.is_some_and(|h| hex::decode_to_slice(h, &mut key).is_ok() && key == presented.hash)
        };
        let previous = if is(Some(&token.secret_hash)) {
            false
        } else if token.previous_expires_at.is_some() && is(token.previous_hash.as_ref()) {
            true
        } else {
            return Err(invalid_token());
        };
        self.decide(limiter, req, now, token, previous)
    }

    /// Checks 3–11 for an identified token (`previous`: the presented secret
    /// is the token's previous one).
    fn decide(
        &self,
        limiter: &mut RateLimiter,
        req: &RequestInfo<'_>,
        now: DateTime<Utc>,
        token: &TokenEntry,
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

        if !scope::grants(&token.scopes, token.team_id, route) {
            return Err(Denied::new(
                403,
                code::SCOPE_DENIED,
                format!("the API token is not allowed to use route `{}`", route.name),
            )
            .token(token)
            .route(route));
        }

        if !ip_allowed(token, req.client_ip) {
            return Err(Denied::new(
                403,
                code::IP_DENIED,
                "the API token may not be used from this IP address",
            )
            .token(token)
            .route(route));
        }

        if self.route_forbidden[matched.index] {
            return Err(Denied::new(
                502,
                code::UPSTREAM_FORBIDDEN,
                "the route's upstream is at an address the gateway may not connect to; contact the route's operators",
            )
            .token(token)
            .route(route));
        }

        let Some(inject_headers) = &self.route_auth[matched.index] else {
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
        hex::encode(self.hash)
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
fn ip_allowed(token: &TokenEntry, client_ip: Option<IpAddr>) -> bool {
    if token.allow_ips.is_empty() {
        return true;
    }
    let Some(ip) = client_ip.map(|ip| ip.to_canonical()) else {
        return false;
    };
    token.allow_ips.iter().any(|net| net.contains(&ip))
}

/// Whether the route's upstream is an IP literal its access does not allow
/// (with a warning). A host that ends in a number but is no valid IPv4
/// address is refused too: it cannot be reached safely.
fn ip_literal_forbidden(route: &RouteEntry, warnings: &mut Vec<SnapshotWarning>) -> bool {
    let Some(host) = host::upstream_host(&route.upstream) else {
        return true;
    };
    let allowed = match address::upstream_ip(&host) {
        Ok(None) => return false,
        Ok(Some(ip)) => route.upstream_access.allows(address::classify(ip)),
        Err(()) => false,
    };
    if !allowed {
        warnings.push(SnapshotWarning::UpstreamAddressForbidden {
            route: route.name.clone(),
            host,
            access: route.upstream_access,
        });
    }
    !allowed
}

/// Builds the headers a route injects, or `None` (with a warning) when a
/// secret is missing, could not be sent in a header, or may not be sent to
/// the route's upstream host.
fn auth_headers(
    route: &RouteEntry,
    secrets: &UpstreamSecrets,
    secret_hosts: &SecretHosts,
    warnings: &mut Vec<SnapshotWarning>,
) -> Option<Vec<(String, String)>> {
    let upstream_host = host::upstream_host(&route.upstream).unwrap_or_default();
    let mut secret = |name: &str| {
        let value = usable_secret(route, secrets, name, warnings)?;
        let bound = secret_hosts
            .get(name)
            .is_some_and(|hosts| host::matches_any(hosts, &upstream_host));
        if !bound {
            warnings.push(SnapshotWarning::SecretHostNotAllowed {
                route: route.name.clone(),
                secret: name.to_string(),
                host: upstream_host.clone(),
            });
            return None;
        }
        Some(value)
    };
    let headers = match &route.auth {
        UpstreamAuth::None => vec![],
        UpstreamAuth::Bearer { secret: name } => {
            let value = secret(name)?;
            vec![("authorization".into(), format!("Bearer {value}"))]
        }
        UpstreamAuth::Header {
            header,
            secret: name,
        } => {
            let value = secret(name);
            if !is_injectable_header(header) {
                warnings.push(SnapshotWarning::InvalidAuthHeader {
                    route: route.name.clone(),
                    header: header.clone(),
                });
                return None;
            }
            vec![(header.to_ascii_lowercase(), value?.to_string())]
        }
        UpstreamAuth::Basic {
            username_secret,
            password_secret,
        } => {
            let user = secret(username_secret);
            let password = secret(password_secret);
            let (user, password) = (user?, password?);
            if user.contains(':') {
                // RFC 7617: the user-id cannot contain a colon; the upstream
                // would split it at the wrong place.
                warnings.push(SnapshotWarning::UpstreamSecretUnusable {
                    route: route.name.clone(),
                    secret: username_secret.clone(),
                    problem: "contains `:`, which a Basic auth user name cannot",
                });
                return None;
            }
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            vec![("authorization".into(), format!("Basic {encoded}"))]
        }
    };
    Some(headers)
}

/// The value of the secret `name` if it can be sent in a header; otherwise
/// records why not.
fn usable_secret<'s>(
    route: &RouteEntry,
    secrets: &'s UpstreamSecrets,
    name: &str,
    warnings: &mut Vec<SnapshotWarning>,
) -> Option<&'s str> {
    let problem = match secrets.get(name) {
        None => "is missing from the snapshot",
        Some("") => "is empty",
        Some(v) if v.bytes().any(|b| b.is_ascii_control()) => {
            "contains control characters, which cannot be sent in a header"
        }
        Some(v) => return Some(v),
    };
    warnings.push(SnapshotWarning::UpstreamSecretUnusable {
        route: route.name.clone(),
        secret: name.to_string(),
        problem,
    });
    None
}

/// An RFC 9110 token that a front-end will actually send: not a header the
/// HTTP stack owns (`host`, framing, hop-by-hop).
fn is_injectable_header(name: &str) -> bool {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    !name.is_empty()
        && name.bytes().all(is_tchar)
        && !["host", "content-length"]
            .iter()
            .chain(HOP_BY_HOP.iter())
            .any(|h| h.eq_ignore_ascii_case(name))
}

mod quota_check;
pub use quota_check::check_quotas;
#[cfg(test)]
mod tests;
