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
//!
//! Authentication comes first so that an unauthenticated client learns
//! nothing about routes or paths. Path problems are reported as their own
//! `bad_path` (rather than folded into `route_not_found`) because they are
//! the client's bug to fix, not a missing route. Unknown and revoked tokens
//! share one answer so a leaked-then-revoked token cannot be told apart
//! from a made-up one. A route not granted to the token's team answers
//! exactly like one its scopes do not name. The upstream checks precede
//! rate limiting so a misconfigured route does not eat the client's quota.
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

/// The stable error codes of [`Denied::code`].
pub mod code {
    /// No token in `X-API-Key` or `Authorization: Bearer`.
    pub const MISSING_TOKEN: &str = "missing_token";
    /// The token fails the format or checksum check.
    pub const MALFORMED_TOKEN: &str = "malformed_token";
    /// Unknown, revoked, or a previous secret whose grace has ended.
    pub const INVALID_TOKEN: &str = "invalid_token";
    /// The token has expired.
    pub const TOKEN_EXPIRED: &str = "token_expired";
    /// The path (or query) is unsafe to forward.
    pub const BAD_PATH: &str = "bad_path";
    /// No route matches the path.
    pub const ROUTE_NOT_FOUND: &str = "route_not_found";
    /// The token's scopes do not name the route, or the route is not
    /// granted to the token's team.
    pub const SCOPE_DENIED: &str = "scope_denied";
    /// The client IP is not in the token's allow-list.
    pub const IP_DENIED: &str = "ip_denied";
    /// The route's upstream is at an address the route may not reach
    /// (loopback, private, link-local, unique-local or a metadata service,
    /// without the control plane's approval).
    pub const UPSTREAM_FORBIDDEN: &str = "upstream_forbidden";
    /// The route's upstream credentials are missing from the snapshot, or
    /// may not be sent to the route's upstream host.
    pub const UPSTREAM_AUTH_UNAVAILABLE: &str = "upstream_auth_unavailable";
    /// The token's rate limit is exhausted.
    pub const RATE_LIMITED: &str = "rate_limited";
}

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
        let mut out = String::with_capacity(40 + self.code.len() + self.message.len());
        out.push_str(r#"{"error":{"code":"#);
        push_json_string(&mut out, self.code);
        out.push_str(r#","message":"#);
        push_json_string(&mut out, &self.message);
        out.push_str("}}");
        out
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for Denied {}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::RateLimit;
    use crate::token::Secret;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
    }

    fn secret(n: u8) -> String {
        Secret::from_key_material(SecretKind::ApiToken, &[n; 32]).into_exposed()
    }

    fn token(n: u8, scopes: &[&str]) -> TokenEntry {
        TokenEntry {
            id: Uuid::from_u128(u128::from(n)),
            team_id: Uuid::from_u128(0xaa),
            team: "ml".into(),
            name: format!("t{n}"),
            secret_hash: token::hash_secret(&secret(n)),
            previous_hash: None,
            previous_expires_at: None,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_at: None,
            revoked: false,
            allow_ips: vec![],
            rate_limit: None,
        }
    }

    fn route(n: u128, name: &str, path: &str, upstream: &str, auth: UpstreamAuth) -> RouteEntry {
        RouteEntry {
            id: Uuid::from_u128(0x100 + n),
            name: name.into(),
            path: path.into(),
            upstream: upstream.into(),
            tags: vec!["llm".into()],
            auth,
            timeout_ms: 15_000,
            all_teams: true,
            teams: vec![],
            upstream_access: UpstreamAccess::Public,
        }
    }

    fn hosts(pairs: &[(&str, &str)]) -> SecretHosts {
        let mut out = SecretHosts::new();
        for (secret, host) in pairs {
            out.entry(secret.to_string())
                .or_default()
                .push(host.to_string());
        }
        out
    }

    /// Where the fixture's secrets may be sent: their routes' hosts.
    fn fixture_hosts() -> SecretHosts {
        hosts(&[
            ("openai-key", "api.openai.com"),
            ("anthropic-key", "*.anthropic.com"),
            ("legacy-user", "10.0.0.9"),
            ("legacy-pass", "10.0.0.9"),
        ])
    }

    /// Tokens: 1 `*`; 2 `openai` only; 3 revoked; 4 expires at `now()`;
    /// 5 rotated (previous = secret 50, grace until now + 1h);
    /// 6 IP-restricted; 7 rate-limited 2/min; 8 `tag:llm`.
    fn gateway() -> Gateway {
        let mut revoked = token(3, &["*"]);
        revoked.revoked = true;
        let mut expired = token(4, &["*"]);
        expired.expires_at = Some(now());
        let mut rotated = token(5, &["*"]);
        rotated.previous_hash = Some(token::hash_secret(&secret(50)));
        rotated.previous_expires_at = Some(now() + chrono::Duration::hours(1));
        let mut ip = token(6, &["*"]);
        ip.allow_ips = vec![
            "10.0.0.0/8".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ];
        let mut limited = token(7, &["*"]);
        limited.rate_limit = Some(RateLimit {
            requests: 2,
            period_secs: 60,
        });
        let mut snapshot = Snapshot {
            version: 3,
            generated_at: now(),
            tokens: vec![
                token(1, &["*"]),
                token(2, &["openai"]),
                revoked,
                expired,
                rotated,
                ip,
                limited,
                token(8, &["tag:llm"]),
            ],
            routes: vec![
                route(
                    1,
                    "openai",
                    "/api/openai",
                    "https://api.openai.com/v1",
                    UpstreamAuth::Bearer {
                        secret: "openai-key".into(),
                    },
                ),
                route(
                    2,
                    "anthropic",
                    "/api/anthropic",
                    "https://api.anthropic.com",
                    UpstreamAuth::Header {
                        header: "X-Api-Key".into(),
                        secret: "anthropic-key".into(),
                    },
                ),
                route(
                    3,
                    "legacy",
                    "/legacy",
                    "http://10.0.0.9:8080/",
                    UpstreamAuth::Basic {
                        username_secret: "legacy-user".into(),
                        password_secret: "legacy-pass".into(),
                    },
                ),
                route(
                    4,
                    "broken",
                    "/broken",
                    "https://broken.example",
                    UpstreamAuth::Bearer {
                        secret: "missing".into(),
                    },
                ),
                route(
                    5,
                    "open",
                    "/open",
                    "https://open.example",
                    UpstreamAuth::None,
                ),
            ],
            secrets: [
                ("openai-key", "sk-openai"),
                ("anthropic-key", "sk-ant"),
                ("legacy-user", "Aladdin"),
                ("legacy-pass", "open sesame"),
            ]
            .into_iter()
            .collect(),
            secret_hosts: fixture_hosts(),
        };
        // An internal service, approved as such.
        snapshot.routes[2].upstream_access = UpstreamAccess::Private;
        Gateway::new(snapshot)
    }

    fn req<'a>(path: &'a str, key: Option<&'a str>) -> RequestInfo<'a> {
        RequestInfo {
            method: "POST",
            raw_path: path,
            api_key_header: key,
            client_ip: Some("203.0.113.7".parse().unwrap()),
            ..Default::default()
        }
    }

    fn decide(gw: &Gateway, req: &RequestInfo<'_>) -> Result<Allowed, Denied> {
        gw.authorize(&mut RateLimiter::new(), req, now())
    }

    fn denied(result: Result<Allowed, Denied>) -> (u16, &'static str) {
        let d = result.expect_err("expected a denial");
        (d.status, d.code)
    }

    #[test]
    fn allows_and_describes_the_forward() {
        let gw = gateway();
        let s = secret(1);
        let mut r = req("/api/openai/chat/completions", Some(&s));
        r.query = Some("stream=true");
        let a = decide(&gw, &r).unwrap();
        assert_eq!(a.token_id, Uuid::from_u128(1));
        assert_eq!(a.team_id, Uuid::from_u128(0xaa));
        assert_eq!(a.route_id, Uuid::from_u128(0x101));
        assert_eq!(a.route_name, "openai");
        assert_eq!(
            a.upstream_url,
            "https://api.openai.com/v1/chat/completions?stream=true"
        );
        assert_eq!(
            *a.inject_headers,
            [("authorization".to_string(), "Bearer sk-openai".to_string())]
        );
        assert_eq!(a.timeout, Duration::from_secs(15));
    }

    #[test]
    fn injects_header_and_basic_auth() {
        let gw = gateway();
        let s = secret(1);
        let a = decide(&gw, &req("/api/anthropic/v1/messages", Some(&s))).unwrap();
        assert_eq!(
            *a.inject_headers,
            [("x-api-key".to_string(), "sk-ant".to_string())]
        );
        let a = decide(&gw, &req("/legacy", Some(&s))).unwrap();
        // RFC 7617's example credentials.
        assert_eq!(
            *a.inject_headers,
            [(
                "authorization".to_string(),
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".to_string()
            )]
        );
        assert_eq!(a.upstream_url, "http://10.0.0.9:8080");
        let a = decide(&gw, &req("/open/x", Some(&s))).unwrap();
        assert!(a.inject_headers.is_empty());
    }

    #[test]
    fn token_sources() {
        let gw = gateway();
        let (s1, s2) = (secret(1), secret(2));
        let bearer1 = format!("Bearer {s1}");
        let mut r = req("/open", None);

        r.authorization_header = Some(&bearer1);
        let a = decide(&gw, &r).unwrap();
        assert_eq!(a.token_id, Uuid::from_u128(1));

        let lower = format!("bearer \t {s1} ");
        r.authorization_header = Some(&lower);
        assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(1));

        // X-API-Key wins.
        r.authorization_header = Some(&bearer1);
        r.api_key_header = Some(&s2);
        let a = decide(&gw, &r);
        assert_eq!(denied(a), (403, code::SCOPE_DENIED), "token 2 was used");
        r.raw_path = "/api/openai";
        assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(2));

        // A foreign Authorization does not hide the X-API-Key token.
        r.authorization_header = Some("Basic dXNlcjpwYXNz");
        assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(2));

        // An empty X-API-Key does not hide the bearer token.
        r.api_key_header = Some("  ");
        r.authorization_header = Some(&bearer1);
        assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(1));
    }

    #[test]
    fn missing_and_malformed_tokens() {
        let gw = gateway();
        let mut r = req("/open", None);
        assert_eq!(denied(decide(&gw, &r)), (401, code::MISSING_TOKEN));
        for auth in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "ntk_abc", ""] {
            r.authorization_header = Some(auth);
            assert_eq!(
                denied(decide(&gw, &r)),
                (401, code::MISSING_TOKEN),
                "{auth:?}"
            );
        }
        let s = secret(1);
        let mut typo = s.clone();
        typo.replace_range(10..11, if &s[10..11] == "A" { "B" } else { "A" });
        for key in [
            "ntk_abc",
            "tkc_whatever",
            &typo,
            &s[..s.len() - 1],
            "Bearer x",
        ] {
            r.api_key_header = Some(key);
            let d = decide(&gw, &r).unwrap_err();
            assert_eq!(
                (d.status, d.code, d.token_id),
                (401, code::MALFORMED_TOKEN, None),
                "{key}"
            );
            assert!(!d.message.contains(key));
        }
        // X-API-Key wins even when the bearer token is fine.
        let bearer = format!("Bearer {s}");
        r.authorization_header = Some(&bearer);
        r.api_key_header = Some("sk-not-ours");
        assert_eq!(denied(decide(&gw, &r)), (401, code::MALFORMED_TOKEN));
    }

    #[test]
    fn unknown_and_revoked_tokens_look_the_same() {
        let gw = gateway();
        let unknown = secret(99);
        let revoked = secret(3);
        let a = decide(&gw, &req("/open", Some(&unknown))).unwrap_err();
        let b = decide(&gw, &req("/open", Some(&revoked))).unwrap_err();
        assert_eq!(
            (a.status, a.code, a.json_body()),
            (b.status, b.code, b.json_body())
        );
        assert_eq!(a.code, code::INVALID_TOKEN);
        assert_eq!((a.token_id, b.token_id), (None, Some(Uuid::from_u128(3))));
        // Authentication comes before the path: nothing leaks about routes.
        let c = decide(&gw, &req("/../nope", Some(&unknown))).unwrap_err();
        assert_eq!(c.json_body(), a.json_body());
        assert_eq!(
            denied(decide(&gw, &req("/../nope", None))),
            (401, code::MISSING_TOKEN)
        );
    }

    #[test]
    fn expiry_and_rotation_grace() {
        let gw = gateway();
        let mut limiter = RateLimiter::new();
        let expiring = secret(4);
        let r = req("/open", Some(&expiring));
        let before = now() - chrono::Duration::nanoseconds(1);
        assert!(gw.authorize(&mut limiter, &r, before).is_ok());
        assert_eq!(
            denied(gw.authorize(&mut limiter, &r, now())),
            (401, code::TOKEN_EXPIRED)
        );

        let (current, previous) = (secret(5), secret(50));
        let grace_end = now() + chrono::Duration::hours(1);
        let rp = req("/open", Some(&previous));
        let a = gw.authorize(&mut limiter, &rp, now()).unwrap();
        assert_eq!(a.token_id, Uuid::from_u128(5));
        assert_eq!(
            denied(gw.authorize(&mut limiter, &rp, grace_end)),
            (401, code::INVALID_TOKEN)
        );
        assert!(gw
            .authorize(&mut limiter, &req("/open", Some(&current)), grace_end)
            .is_ok());
    }

    #[test]
    fn previous_secret_without_grace_end_is_not_accepted() {
        let mut t = token(1, &["*"]);
        t.previous_hash = Some(token::hash_secret(&secret(2)));
        let gw = Gateway::new(Snapshot {
            version: 1,
            generated_at: now(),
            tokens: vec![t],
            routes: vec![route(
                1,
                "open",
                "/",
                "https://o.example",
                UpstreamAuth::None,
            )],
            secrets: Default::default(),
            secret_hosts: Default::default(),
        });
        let s = secret(2);
        assert_eq!(
            denied(decide(&gw, &req("/", Some(&s)))),
            (401, code::INVALID_TOKEN)
        );
    }

    #[test]
    fn paths_and_routes() {
        let gw = gateway();
        let s = secret(1);
        assert_eq!(
            denied(decide(&gw, &req("/nope", Some(&s)))),
            (404, code::ROUTE_NOT_FOUND)
        );
        assert_eq!(
            denied(decide(&gw, &req("/api/openaix", Some(&s)))),
            (404, code::ROUTE_NOT_FOUND)
        );
        for bad in [
            "/api/openai/../anthropic",
            "/api/openai/%2e%2e/x",
            "/api/openai%2fx",
            "api/openai",
            "/a\\b",
        ] {
            let d = decide(&gw, &req(bad, Some(&s))).unwrap_err();
            assert_eq!((d.status, d.code), (400, code::BAD_PATH), "{bad}");
            assert_eq!(d.token_id, Some(Uuid::from_u128(1)));
        }
        let mut r = req("/open", Some(&s));
        r.query = Some("a=1#frag");
        assert_eq!(denied(decide(&gw, &r)), (400, code::BAD_PATH));
    }

    #[test]
    fn scopes() {
        let gw = gateway();
        let only_openai = secret(2);
        assert!(decide(&gw, &req("/api/openai/x", Some(&only_openai))).is_ok());
        let d = decide(&gw, &req("/api/anthropic/x", Some(&only_openai))).unwrap_err();
        assert_eq!((d.status, d.code), (403, code::SCOPE_DENIED));
        assert_eq!(d.route_id, Some(Uuid::from_u128(0x102)));
        assert!(d.message.contains("anthropic"));
        assert!(
            !d.message.contains("openai"),
            "must not list the token's scopes: {}",
            d.message
        );

        let tagged = secret(8);
        assert!(decide(&gw, &req("/api/anthropic/x", Some(&tagged))).is_ok());
    }

    #[test]
    fn ip_allow_list() {
        let gw = gateway();
        let s = secret(6);
        let mut r = req("/open", Some(&s));
        for (ip, ok) in [
            (Some("10.1.2.3"), true),
            (Some("::ffff:10.1.2.3"), true),
            (Some("2001:db8::5"), true),
            (Some("11.0.0.1"), false),
            (Some("2001:db9::1"), false),
            (None, false),
        ] {
            r.client_ip = ip.map(|ip| ip.parse().unwrap());
            let result = decide(&gw, &r);
            if ok {
                assert!(result.is_ok(), "{ip:?}");
            } else {
                assert_eq!(denied(result), (403, code::IP_DENIED), "{ip:?}");
            }
        }
    }

    #[test]
    fn checks_run_in_the_documented_order() {
        // A token that fails everything after authentication.
        let mut t = token(1, &["openai", "broken"]);
        t.allow_ips = vec!["10.0.0.0/8".parse().unwrap()];
        t.rate_limit = Some(RateLimit {
            requests: 1,
            period_secs: 3600,
        });
        let mut expired = t.clone();
        expired.id = Uuid::from_u128(2);
        expired.secret_hash = token::hash_secret(&secret(2));
        expired.expires_at = Some(now());
        expired.revoked = true;
        let gw = Gateway::new(Snapshot {
            version: 1,
            generated_at: now(),
            tokens: vec![t, expired],
            routes: vec![
                route(
                    1,
                    "openai",
                    "/openai",
                    "https://o.example",
                    UpstreamAuth::None,
                ),
                route(
                    2,
                    "other",
                    "/other",
                    "https://x.example",
                    UpstreamAuth::Bearer {
                        secret: "missing".into(),
                    },
                ),
                route(
                    3,
                    "broken",
                    "/openai/broken",
                    "https://x.example",
                    UpstreamAuth::Bearer {
                        secret: "missing".into(),
                    },
                ),
            ],
            secrets: Default::default(),
            secret_hosts: Default::default(),
        });
        let mut limiter = RateLimiter::new();
        let (s, s2) = (secret(1), secret(2));
        let mut r = req("/nope", Some(&s2));
        r.client_ip = Some("192.0.2.1".parse().unwrap());
        let mut check = |r: &RequestInfo<'_>| {
            gw.authorize(&mut limiter, r, now())
                .map(|_| "allowed")
                .unwrap_or_else(|d| d.code)
        };
        assert_eq!(check(&r), code::INVALID_TOKEN, "revoked before expired");
        r.api_key_header = Some(&s);
        assert_eq!(check(&r), code::ROUTE_NOT_FOUND);
        r.raw_path = "/other";
        assert_eq!(
            check(&r),
            code::SCOPE_DENIED,
            "scope before IP and upstream auth"
        );
        r.raw_path = "/openai";
        assert_eq!(check(&r), code::IP_DENIED);
        r.client_ip = Some("10.0.0.1".parse().unwrap());
        let mut broken = r;
        broken.raw_path = "/openai/broken";
        for _ in 0..3 {
            assert_eq!(
                check(&broken),
                code::UPSTREAM_AUTH_UNAVAILABLE,
                "uses no quota"
            );
        }
        assert_eq!(check(&r), "allowed");
        assert_eq!(check(&r), code::RATE_LIMITED);
    }

    #[test]
    fn missing_upstream_secret_is_a_502_not_an_unauthenticated_forward() {
        let gw = gateway();
        let s = secret(1);
        let d = decide(&gw, &req("/broken/x", Some(&s))).unwrap_err();
        assert_eq!((d.status, d.code), (502, code::UPSTREAM_AUTH_UNAVAILABLE));
        assert!(
            !d.message.contains("missing"),
            "secret names are not for clients"
        );
        assert!(gw.warnings().iter().any(|w| matches!(
            w,
            SnapshotWarning::UpstreamSecretUnusable { route, secret, .. } if route == "broken" && secret == "missing"
        )));
    }

    #[test]
    fn rate_limit_applies_last_and_per_token() {
        let gw = gateway();
        let mut limiter = RateLimiter::new();
        let s = secret(7);
        // Denied requests do not consume the quota.
        let nope = req("/nope", Some(&s));
        for _ in 0..5 {
            assert_eq!(
                denied(gw.authorize(&mut limiter, &nope, now())),
                (404, code::ROUTE_NOT_FOUND)
            );
        }
        let r = req("/open", Some(&s));
        assert!(gw.authorize(&mut limiter, &r, now()).is_ok());
        assert!(gw.authorize(&mut limiter, &r, now()).is_ok());
        let d = gw.authorize(&mut limiter, &r, now()).unwrap_err();
        assert_eq!(
            (d.status, d.code, d.retry_after_secs),
            (429, code::RATE_LIMITED, Some(30))
        );
        assert_eq!(d.token_id, Some(Uuid::from_u128(7)));
        let later = now() + chrono::Duration::seconds(30);
        assert!(gw.authorize(&mut limiter, &r, later).is_ok());
        // Other tokens are unaffected, and unlimited ones are not tracked.
        let other = secret(1);
        for _ in 0..100 {
            assert!(gw
                .authorize(&mut limiter, &req("/open", Some(&other)), now())
                .is_ok());
        }
        assert_eq!(limiter.len(), 1);
    }

    /// A snapshot with one token (team 0xaa, scopes `*`) and `routes`.
    fn single(routes: Vec<RouteEntry>, secrets: &[(&str, &str)], bound: SecretHosts) -> Gateway {
        Gateway::new(Snapshot {
            version: 1,
            generated_at: now(),
            tokens: vec![token(1, &["*"])],
            routes,
            secrets: secrets.iter().copied().collect(),
            secret_hosts: bound,
        })
    }

    #[test]
    fn scopes_reach_only_routes_granted_to_the_team() {
        let mut mine = route(1, "mine", "/mine", "https://m.example", UpstreamAuth::None);
        mine.all_teams = false;
        mine.teams = vec![Uuid::from_u128(0xaa)];
        let mut theirs = route(
            2,
            "theirs",
            "/theirs",
            "https://t.example",
            UpstreamAuth::None,
        );
        theirs.all_teams = false;
        theirs.teams = vec![Uuid::from_u128(0xbb)];
        let mut nobody = route(
            3,
            "nobody",
            "/nobody",
            "https://n.example",
            UpstreamAuth::None,
        );
        nobody.all_teams = false;
        let everyone = route(
            4,
            "everyone",
            "/everyone",
            "https://e.example",
            UpstreamAuth::None,
        );
        let mut tokens = vec![
            token(1, &["*"]),
            token(2, &["theirs"]),
            token(3, &["tag:llm"]),
        ];
        tokens.push(token(4, &["*"]));
        tokens[3].team_id = Uuid::from_u128(0xbb);
        let gw = Gateway::new(Snapshot {
            version: 1,
            generated_at: now(),
            tokens,
            routes: vec![mine, theirs, nobody, everyone],
            secrets: Default::default(),
            secret_hosts: Default::default(),
        });
        for n in [1, 2, 3] {
            let s = secret(n);
            for (path, ok) in [
                ("/mine", n != 2),
                ("/theirs", false),
                ("/nobody", false),
                ("/everyone", n != 2),
            ] {
                let result = decide(&gw, &req(path, Some(&s)));
                if ok {
                    assert!(result.is_ok(), "token {n} {path}");
                } else {
                    let d = result.unwrap_err();
                    assert_eq!(
                        (d.status, d.code),
                        (403, code::SCOPE_DENIED),
                        "token {n} {path}"
                    );
                    assert!(
                        !d.message.contains("team"),
                        "same answer as an unnamed route: {}",
                        d.message
                    );
                }
            }
        }
        // Team 0xbb's `*` token reaches its own route and the shared one.
        let other = secret(4);
        assert!(decide(&gw, &req("/theirs", Some(&other))).is_ok());
        assert!(decide(&gw, &req("/everyone", Some(&other))).is_ok());
        assert_eq!(
            denied(decide(&gw, &req("/mine", Some(&other)))),
            (403, code::SCOPE_DENIED)
        );
    }

    #[test]
    fn secrets_are_injected_only_into_their_hosts() {
        let bearer = |secret: &str| UpstreamAuth::Bearer {
            secret: secret.into(),
        };
        let gw = single(
            vec![
                route(
                    1,
                    "exact",
                    "/exact",
                    "https://api.openai.com/v1",
                    bearer("K"),
                ),
                route(
                    2,
                    "elsewhere",
                    "/elsewhere",
                    "https://attacker.example/v1",
                    bearer("K"),
                ),
                route(
                    3,
                    "wild",
                    "/wild",
                    "https://eu.api.example.com:8443",
                    bearer("W"),
                ),
                route(4, "apex", "/apex", "https://example.com", bearer("W")),
                route(
                    5,
                    "unbound",
                    "/unbound",
                    "https://api.openai.com",
                    bearer("U"),
                ),
                route(
                    6,
                    "basic",
                    "/basic",
                    "https://api.openai.com",
                    UpstreamAuth::Basic {
                        username_secret: "K".into(),
                        password_secret: "W".into(),
                    },
                ),
            ],
            &[("K", "sk-k"), ("W", "sk-w"), ("U", "sk-u")],
            hosts(&[("K", "api.openai.com"), ("W", "*.example.com")]),
        );
        let s = secret(1);
        let injected =
            |path: &str| decide(&gw, &req(path, Some(&s))).map(|a| a.inject_headers[0].1.clone());
        assert_eq!(injected("/exact").unwrap(), "Bearer sk-k");
        assert_eq!(injected("/wild").unwrap(), "Bearer sk-w");
        for path in ["/elsewhere", "/apex", "/unbound", "/basic"] {
            assert_eq!(
                denied(decide(&gw, &req(path, Some(&s)))),
                (502, code::UPSTREAM_AUTH_UNAVAILABLE),
                "{path}"
            );
        }
        let refused: Vec<(&str, &str, &str)> = gw
            .warnings()
            .iter()
            .filter_map(|w| match w {
                SnapshotWarning::SecretHostNotAllowed {
                    route,
                    secret,
                    host,
                } => Some((route.as_str(), secret.as_str(), host.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            refused,
            [
                ("elsewhere", "K", "attacker.example"),
                ("apex", "W", "example.com"),
                ("unbound", "U", "api.openai.com"),
                ("basic", "W", "api.openai.com"),
            ]
        );
        assert!(gw.warnings().iter().all(|w| !w.to_string().contains("sk-")));
    }

    #[test]
    fn ip_literal_upstreams_need_the_matching_access() {
        let cases = [
            ("http://127.0.0.1:7700", UpstreamAccess::Public, false),
            ("http://127.0.0.1:7700", UpstreamAccess::Private, true),
            ("http://2130706433", UpstreamAccess::Public, false),
            ("http://[::1]:80", UpstreamAccess::Public, false),
            ("http://[::ffff:10.0.0.1]", UpstreamAccess::Public, false),
            ("http://10.0.0.1", UpstreamAccess::Private, true),
            (
                "http://169.254.169.254/latest",
                UpstreamAccess::Private,
                false,
            ),
            (
                "http://169.254.169.254/latest",
                UpstreamAccess::Metadata,
                true,
            ),
            ("http://[fd00:ec2::254]", UpstreamAccess::Private, false),
            ("http://8.8.8.8", UpstreamAccess::Public, true),
            ("http://1.2.3.999", UpstreamAccess::Metadata, false),
            ("https://internal.example", UpstreamAccess::Public, true),
        ];
        for (upstream, access, ok) in cases {
            let mut r = route(1, "r", "/r", upstream, UpstreamAuth::None);
            r.upstream_access = access;
            let gw = single(vec![r], &[], SecretHosts::new());
            let s = secret(1);
            match decide(&gw, &req("/r", Some(&s))) {
                Ok(a) => {
                    assert!(ok, "{upstream} allowed with {access}");
                    assert_eq!(a.upstream_access, access);
                }
                Err(d) => {
                    assert!(!ok, "{upstream} refused with {access}: {d}");
                    assert_eq!((d.status, d.code), (502, code::UPSTREAM_FORBIDDEN));
                    assert_eq!(d.route_id, Some(Uuid::from_u128(0x101)));
                    assert!(matches!(
                        gw.warnings(),
                        [SnapshotWarning::UpstreamAddressForbidden { .. }]
                    ));
                }
            }
        }
    }

    #[test]
    fn json_body_is_valid_json() {
        let d = Denied {
            message: "quote \" backslash \\ newline \n bell \u{7} é".into(),
            ..Denied::new(400, code::BAD_PATH, "")
        };
        let v: serde_json::Value = serde_json::from_str(&d.json_body()).unwrap();
        assert_eq!(v["error"]["code"], "bad_path");
        assert_eq!(v["error"]["message"], d.message.as_str());
        assert_eq!(v.as_object().unwrap().len(), 1);
        assert_eq!(v["error"].as_object().unwrap().len(), 2);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let gw = gateway();
        let s = secret(1);
        let bearer = format!("Bearer {s}");
        let mut r = req("/legacy", Some(&s));
        r.authorization_header = Some(&bearer);
        let a = decide(&gw, &r).unwrap();
        let shown = format!("{a:?} {r:?} {gw:?}");
        for leak in [
            &s[4..40],
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ",
            "sk-openai",
            "Aladdin",
        ] {
            assert!(!shown.contains(leak), "{leak} leaked in {shown}");
        }
        assert!(shown.contains("authorization"));
    }

    #[test]
    fn unusable_snapshot_entries_are_dropped_with_warnings() {
        let mut bad_hash = token(1, &["*"]);
        bad_hash.secret_hash = "not-hex".into();
        let mut dup = token(2, &["*"]);
        dup.secret_hash = token::hash_secret(&secret(3));
        let mut prev_dup = token(4, &["*"]);
        prev_dup.previous_hash = Some(token::hash_secret(&secret(3)));
        prev_dup.previous_expires_at = Some(now() + chrono::Duration::hours(1));
        let gw = Gateway::new(Snapshot {
            version: 1,
            generated_at: now(),
            tokens: vec![bad_hash, token(3, &["*"]), dup, prev_dup],
            routes: vec![
                route(
                    1,
                    "r",
                    "/r",
                    "https://r.example",
                    UpstreamAuth::Header {
                        header: "Content-Length".into(),
                        secret: "s".into(),
                    },
                ),
                route(
                    2,
                    "colon",
                    "/c",
                    "https://c.example",
                    UpstreamAuth::Basic {
                        username_secret: "user".into(),
                        password_secret: "s".into(),
                    },
                ),
                route(
                    3,
                    "newline",
                    "/n",
                    "https://n.example",
                    UpstreamAuth::Bearer {
                        secret: "nl".into(),
                    },
                ),
                route(
                    4,
                    "bad",
                    "no-slash",
                    "https://b.example",
                    UpstreamAuth::None,
                ),
            ],
            secrets: [("s", "v"), ("user", "a:b"), ("nl", "v\n")]
                .into_iter()
                .collect(),
            secret_hosts: hosts(&[
                ("s", "r.example"),
                ("s", "c.example"),
                ("user", "c.example"),
                ("nl", "n.example"),
            ]),
        });
        let w = gw.warnings();
        assert_eq!(w.len(), 7, "{w:#?}");
        // Token 3's secret belongs to token 3, not to the later duplicates.
        let s3 = secret(3);
        assert_eq!(
            decide(&gw, &req("/r", Some(&s3))).unwrap_err().token_id,
            Some(Uuid::from_u128(3))
        );
        for path in ["/r", "/c", "/n"] {
            assert_eq!(
                denied(decide(&gw, &req(path, Some(&s3)))),
                (502, code::UPSTREAM_AUTH_UNAVAILABLE),
                "{path}"
            );
        }
        for w in w {
            assert!(
                !w.to_string().contains("a:b"),
                "warnings must not show secret values"
            );
        }
    }

    /// What a KV store keyed by secret hash returns for `hash`: the entry
    /// stored under its current hash and, while a grace runs, its previous
    /// hash (as the control plane's KV sync writes them).
    fn kv_lookup<'t>(tokens: &'t [TokenEntry], hash: &str) -> Option<&'t TokenEntry> {
        tokens.iter().find(|t| {
            t.secret_hash == hash
                || (t.previous_expires_at.is_some() && t.previous_hash.as_deref() == Some(hash))
        })
    }

    #[test]
    fn authorize_token_decides_exactly_like_authorize() {
        let full = gateway();
        let tokens = full.tokens().to_vec();
        let snapshot = Snapshot {
            version: 3,
            generated_at: now(),
            tokens: vec![],
            routes: full.routes().routes().to_vec(),
            secrets: [
                ("openai-key", "sk-openai"),
                ("anthropic-key", "sk-ant"),
                ("legacy-user", "Aladdin"),
                ("legacy-pass", "open sesame"),
            ]
            .into_iter()
            .collect(),
            secret_hosts: fixture_hosts(),
        };
        let routes_only = Gateway::new(snapshot);
        let (mut l1, mut l2) = (RateLimiter::new(), RateLimiter::new());
        let secrets: Vec<String> = [1, 2, 3, 4, 5, 6, 7, 8, 50, 99].map(secret).to_vec();
        let paths = [
            "/api/openai/x",
            "/api/anthropic/v1",
            "/legacy",
            "/broken",
            "/open",
            "/nope",
            "/api/openai/../x",
        ];
        let times = [
            now() - chrono::Duration::seconds(1),
            now(),
            now() + chrono::Duration::hours(2),
        ];
        let mut compared = 0;
        for at in times {
            for s in &secrets {
                for path in paths {
                    for ip in ["10.1.2.3", "203.0.113.7"] {
                        let bearer = format!("Bearer {s}");
                        let mut r = req(path, None);
                        r.client_ip = Some(ip.parse().unwrap());
                        if compared % 2 == 0 {
                            r.api_key_header = Some(s);
                        } else {
                            r.authorization_header = Some(&bearer);
                        }
                        let expected = full.authorize(&mut l1, &r, at);
                        let got = PresentedToken::from_request(&r).and_then(|p| {
                            let entry = kv_lookup(&tokens, &p.hash_hex());
                            routes_only.authorize_token(&mut l2, &r, at, &p, entry)
                        });
                        assert_eq!(got, expected, "{path} {ip} {at}");
                        compared += 1;
                    }
                }
            }
        }
        // Checks 1 and 2 need no lookup either way.
        for r in [req("/open", None), req("/open", Some("ntk_short"))] {
            assert_eq!(
                PresentedToken::from_request(&r).unwrap_err(),
                full.authorize(&mut l1, &r, now()).unwrap_err()
            );
        }
        assert!(compared > 400);
    }

    #[test]
    fn authorize_token_refuses_entries_that_do_not_match_the_secret() {
        let gw = gateway();
        let tokens = gw.tokens();
        let mut limiter = RateLimiter::new();
        let s = secret(1);
        let r = req("/open", Some(&s));
        let p = PresentedToken::from_request(&r).unwrap();
        assert_eq!(p.hash_hex(), token::hash_secret(&s));
        assert!(!format!("{p:?}").contains(&p.hash_hex()));
        let authorize = |limiter: &mut RateLimiter, entry: Option<&TokenEntry>| {
            gw.authorize_token(limiter, &r, now(), &p, entry)
                .map(|a| a.token_id)
                .map_err(|d| (d.code, d.token_id))
        };
        assert_eq!(
            authorize(&mut limiter, Some(&tokens[0])),
            Ok(Uuid::from_u128(1))
        );
        // Nothing stored under the hash: unknown.
        assert_eq!(
            authorize(&mut limiter, None),
            Err((code::INVALID_TOKEN, None))
        );
        // A store that returns another token's entry must not authenticate.
        assert_eq!(
            authorize(&mut limiter, Some(&tokens[1])),
            Err((code::INVALID_TOKEN, None))
        );
        // A previous hash counts only with a grace end, as in `Gateway::new`.
        let mut other = tokens[7].clone();
        other.previous_hash = Some(token::hash_secret(&s));
        assert_eq!(
            authorize(&mut limiter, Some(&other)),
            Err((code::INVALID_TOKEN, None))
        );
        other.previous_expires_at = Some(now() + chrono::Duration::minutes(1));
        assert_eq!(
            authorize(&mut limiter, Some(&other)),
            Ok(Uuid::from_u128(8))
        );
        other.previous_expires_at = Some(now());
        assert_eq!(
            authorize(&mut limiter, Some(&other)),
            Err((code::INVALID_TOKEN, Some(Uuid::from_u128(8))))
        );
    }
}
