//! Every stable error code a gateway answers with or records, in one
//! place: the decision's refusals ([`Denied::code`](crate::Denied::code)),
//! the answers a front-end gives itself
//! ([`Failure`](crate::failure::Failure)), and the codes usage events
//! carry for responses that did not reach their end.

// The decision's refusals, in the order of its checks.

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
/// A quota or budget of the token or of its team is used up for the
/// current period.
pub const QUOTA_EXCEEDED: &str = "quota_exceeded";

// Answers a front-end gives itself (see `crate::failure`).

/// The upstream did not answer within the route's timeout.
pub const UPSTREAM_TIMEOUT: &str = "upstream_timeout";
/// The upstream could not be reached (connection refused, DNS, TLS).
pub const UPSTREAM_UNREACHABLE: &str = "upstream_unreachable";
/// The gateway's configuration is older than it may decide on.
pub const CONFIG_STALE: &str = "config_stale";
/// The gateway has no configuration (yet), or cannot read it.
pub const GATEWAY_NOT_READY: &str = "gateway_not_ready";

// Recorded in usage events only: how a response ended early.

/// The client went away before the response ended.
pub const CLIENT_CLOSED: &str = "client_closed";
/// The upstream's body failed while streaming.
pub const UPSTREAM_BODY_ERROR: &str = "upstream_body_error";
