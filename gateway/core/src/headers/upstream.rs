//! What the upstream request's headers become: which client headers are
//! dropped, the `X-Forwarded-*` headers, and the one ordered plan every
//! front-end applies.

use super::hop_by_hop::{is_name, HopByHop, HOP_BY_HOP};
use super::secrets::carries_tokenctl_secret;
use crate::Allowed;
use smallvec::SmallVec;
use std::borrow::Cow;

/// Header names, as a message spells them: inline up to eight, which is
/// more than a request or an answer usually loses, so finding them costs
/// no allocation.
pub type HeaderNames<'a> = SmallVec<[&'a str; 8]>;

/// The `X-Forwarded-*` headers of one request ([`forwarded_headers`]):
/// three at most, inline.
pub type ForwardedHeaders<'a> = SmallVec<[(&'static str, Cow<'a, str>); 3]>;

/// The client headers a front-end removes before forwarding a request,
/// each once, in the order the request has them:
///
/// 1. `host`: the upstream gets its own;
/// 2. `forwarded` and `x-forwarded-*`: set again by [`forwarded_headers`],
///    never passed on as the client wrote them;
/// 3. `x-api-key`: where clients send their tokenctl token;
/// 4. hop-by-hop headers ([`HOP_BY_HOP`](super::HOP_BY_HOP) and whatever
///    `Connection` names);
/// 5. every header with a value that [`carries_tokenctl_secret`] — all
///    values of it, duplicates included, `Authorization: bearer ntk_…` in
///    any case, whichever token the decision used.
///
/// `headers` yields every `(name, value)` of the request, duplicates
/// included; it is called once, or twice when the request has a
/// `Connection` header. The names come back as the request spells them.
pub fn client_headers_to_drop<'a, I>(headers: impl Fn() -> I) -> HeaderNames<'a>
where
    I: Iterator<Item = (&'a str, &'a [u8])>,
{
    let always = |name: &str, value: &[u8]| {
        // By length first, as `HopByHop::is_always`: every header of every
        // request passes here.
        let named = match name.len() {
            4 => is_name(name, "host"),
            9 => is_name(name, "forwarded") || is_name(name, "x-api-key"),
            12.. => name.as_bytes()[..12].eq_ignore_ascii_case(b"x-forwarded-"),
            _ => false,
        };
        named || HopByHop::is_always(name) || carries_tokenctl_secret(value)
    };
    let mut drop = HeaderNames::new();
    let mut connection = false;
    for (name, value) in headers() {
        connection |= is_name(name, "connection");
        if always(name, value) {
            push_once(&mut drop, name);
        }
    }
    if !connection {
        return drop;
    }
    // What `Connection` names is dropped too, in the request's order.
    let hop = HopByHop::from_connection(
        headers()
            .filter(|(n, _)| is_name(n, "connection"))
            .filter_map(|(_, v)| std::str::from_utf8(v).ok()),
    );
    drop.clear();
    for (name, value) in headers() {
        if always(name, value) || hop.is_hop_by_hop(name) {
            push_once(&mut drop, name);
        }
    }
    drop
}

/// Adds `name` unless it is there already, in any case.
pub(super) fn push_once<'a>(names: &mut HeaderNames<'a>, name: &'a str) {
    if !names.iter().any(|d| d.eq_ignore_ascii_case(name)) {
        names.push(name);
    }
}

/// `name` in lower case, without a copy for the names requests usually
/// lose (so a plan costs no allocation per dropped header).
fn lower_case_name(name: &str) -> Cow<'static, str> {
    const USUAL: [&str; 8] = [
        "host",
        "authorization",
        "x-api-key",
        "cookie",
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
    ];
    USUAL
        .iter()
        .chain(&HOP_BY_HOP)
        .find(|usual| usual.eq_ignore_ascii_case(name))
        .map_or_else(
            || Cow::Owned(name.to_ascii_lowercase()),
            |usual| Cow::Borrowed(*usual),
        )
}

/// The `X-Forwarded-*` headers to set (replacing any the client sent) on a
/// forwarded request, as lower-case `(name, value)` pairs.
///
/// * `x-forwarded-for`: the client's `existing_for` chain with `client`
///   (from [`client_ip_text`]) appended. The chain is client-supplied and
///   only the last entry is trustworthy; upstreams should read it from the
///   right. A chain with characters that cannot occur in a header value is
///   dropped.
/// * `x-forwarded-proto`: `proto` (`http` or `https`) as the client used.
/// * `x-forwarded-host`: the `Host` the client used, when known.
pub fn forwarded_headers<'a>(
    existing_for: Option<&'a str>,
    client: Option<&'a str>,
    proto: &'a str,
    host: Option<&'a str>,
) -> ForwardedHeaders<'a> {
    let existing = existing_for
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));
    // Borrowed where the value is one of the inputs as it is (the usual
    // case), so a request's plan allocates no value.
    let chain = match (existing, client) {
        (Some(e), Some(c)) => Some(Cow::Owned(format!("{e}, {c}"))),
        (e, c) => e.or(c).map(Cow::Borrowed),
    };
    let mut out = ForwardedHeaders::new();
    if let Some(chain) = chain {
        out.push(("x-forwarded-for", chain));
    }
    let proto = if proto.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(proto.to_ascii_lowercase())
    } else {
        Cow::Borrowed(proto)
    };
    out.push(("x-forwarded-proto", proto));
    if let Some(host) = host.filter(|h| !h.is_empty()) {
        out.push(("x-forwarded-host", Cow::Borrowed(host)));
    }
    out
}

/// How the client reached the gateway, for the `X-Forwarded-*` headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forwarding<'a> {
    /// The client's address as reported upstream (from
    /// [`client_ip_text`](super::client_ip_text)), when known.
    pub client_ip: Option<&'a str>,
    /// The `X-Forwarded-For` chain to extend: the client's own header, or,
    /// behind trusted proxies, the entries left of the client
    /// ([`ClientOrigin::forwarded_for_before`](super::ClientOrigin::forwarded_for_before)).
    pub forwarded_for: Option<&'a str>,
    /// `http` or `https`, as the client reached the gateway (or the trusted
    /// proxy in front of it).
    pub proto: &'a str,
    /// The `Host` the client used, when known.
    pub host: Option<&'a str>,
}

/// A front-end's outgoing request headers, as
/// [`UpstreamHeaderPlan::apply`] edits them. A value that cannot be a
/// header value in the front-end's HTTP stack is not set.
pub trait UpstreamHeaders {
    /// Removes every value of the header `name` (any case).
    fn remove(&mut self, name: &str);
    /// Sets the header `name` (lower-case) to `value`, replacing any value.
    fn set(&mut self, name: &'static str, value: &str);
    /// Sets `Host` to the upstream's. A front-end whose HTTP client derives
    /// it from the upstream URL leaves this empty.
    fn set_upstream_host(&mut self);
    /// Sets the route's credential: entry `index` of
    /// [`Allowed::inject_headers`], `name: value`, replacing any value (a
    /// front-end may set a typed copy it keeps per route instead).
    fn inject(&mut self, index: usize, name: &str, value: &str);
}

/// The edits that turn a client's request headers into the upstream
/// request's. Worked out from the client's headers first, then applied
/// ([`UpstreamHeaderPlan::apply`]), so a front-end may edit the client's
/// header map in place. Holds header names and forwarding facts, never a
/// header value of the client's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamHeaderPlan<'f> {
    /// [`client_headers_to_drop`], in lower case.
    drop: SmallVec<[Cow<'static, str>; 4]>,
    /// [`forwarded_headers`], borrowing from the [`Forwarding`] facts.
    forwarded: ForwardedHeaders<'f>,
}

impl<'f> UpstreamHeaderPlan<'f> {
    /// The plan for a request whose headers `headers` yields (every
    /// `(name, value)`, duplicates included, as for
    /// [`client_headers_to_drop`]), reached as `forwarding` says.
    pub fn new<'a, I>(headers: impl Fn() -> I, forwarding: Forwarding<'f>) -> UpstreamHeaderPlan<'f>
    where
        I: Iterator<Item = (&'a str, &'a [u8])>,
    {
        UpstreamHeaderPlan {
            drop: client_headers_to_drop(headers)
                .into_iter()
                .map(lower_case_name)
                .collect(),
            forwarded: forwarded_headers(
                forwarding.forwarded_for,
                forwarding.client_ip,
                forwarding.proto,
                forwarding.host,
            ),
        }
    }

    /// Edits `out` in the one order every front-end follows:
    ///
    /// 1. remove every header [`client_headers_to_drop`] names, by its
    ///    lower-case name (the token
    ///    headers, anything carrying a tokenctl secret, hop-by-hop headers,
    ///    `Host` and the client's own `Forwarded`/`X-Forwarded-*`);
    /// 2. set [`forwarded_headers`];
    /// 3. set the upstream's `Host`;
    /// 4. set the route's credential ([`Allowed::inject_headers`]),
    ///    replacing any client header of the same name.
    ///
    /// The credential comes last so that nothing the client sends can
    /// remove it: a client could otherwise name it in `Connection`.
    pub fn apply(&self, allowed: &Allowed, out: &mut impl UpstreamHeaders) {
        for name in &self.drop {
            out.remove(name);
        }
        for (name, value) in &self.forwarded {
            out.set(name, value);
        }
        out.set_upstream_host();
        for (index, (name, value)) in allowed.inject_headers.iter().enumerate() {
            out.inject(index, name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::client_ip_text;
    use crate::token::SecretKind;
    use proptest::prelude::*;

    #[test]
    fn drops_every_header_that_carries_a_tokenctl_secret() {
        let (a, b) = (secret(SecretKind::ApiToken), {
            crate::token::Secret::from_key_material(SecretKind::ApiToken, &[8; 32]).into_exposed()
        });
        let bearer_b = format!("Bearer {b}");
        let cookie = format!("id={}", secret(SecretKind::AdminCredential));
        let headers: Vec<(&str, &[u8])> = vec![
            ("Host", b"gw.example"),
            ("X-API-Key", a.as_bytes()),
            ("Authorization", b"Bearer foo"),
            ("authorization", bearer_b.as_bytes()),
            ("Cookie", cookie.as_bytes()),
            ("Connection", b"keep-alive, X-Hop"),
            ("x-hop", b"1"),
            ("X-Forwarded-For", b"10.0.0.1"),
            ("Forwarded", b"for=10.0.0.1"),
            ("Content-Type", b"application/json"),
            ("X-Request-Id", b"r-1"),
        ];
        assert_eq!(
            client_headers_to_drop(|| headers.iter().copied()).to_vec(),
            [
                "Host",
                "X-API-Key",
                "authorization",
                "Cookie",
                "Connection",
                "x-hop",
                "X-Forwarded-For",
                "Forwarded"
            ]
        );
        // A foreign credential passes when the token came in X-API-Key.
        let only_foreign: Vec<(&str, &[u8])> = vec![
            ("x-api-key", a.as_bytes()),
            ("authorization", b"Basic dXNlcjpwYXNz"),
        ];
        assert_eq!(
            client_headers_to_drop(|| only_foreign.iter().copied()).to_vec(),
            ["x-api-key"]
        );
    }
    #[test]
    fn without_a_connection_header_the_fixed_rules_still_drop() {
        let token = secret(SecretKind::ApiToken);
        let bearer = format!("Bearer {token}");
        let headers: Vec<(&str, &[u8])> = vec![
            ("host", b"gw.example"),
            ("TE", b"trailers"),
            ("authorization", bearer.as_bytes()),
            ("X-Forwarded-Proto", b"https"),
            ("Authorization", b"Basic dXNlcjpwYXNz"),
            ("Keep-Alive", b"timeout=5"),
            ("content-type", b"application/json"),
            ("HOST", b"again.example"),
        ];
        assert_eq!(
            client_headers_to_drop(|| headers.iter().copied()).to_vec(),
            [
                "host",
                "TE",
                "authorization",
                "X-Forwarded-Proto",
                "Keep-Alive"
            ]
        );
    }

    /// The rules of [`client_headers_to_drop`], written out one header at
    /// a time as its documentation states them.
    fn dropped_by_the_rules(headers: &[(String, Vec<u8>)]) -> Vec<String> {
        let named: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .filter_map(|(_, v)| std::str::from_utf8(v).ok())
            .flat_map(|v| v.split(','))
            .map(|n| n.trim().to_ascii_lowercase())
            .collect();
        let mut out: Vec<String> = Vec::new();
        for (name, value) in headers {
            let lower = name.to_ascii_lowercase();
            let dropped = lower == "host"
                || lower == "forwarded"
                || lower.starts_with("x-forwarded-")
                || lower == "x-api-key"
                || crate::headers::HOP_BY_HOP.contains(&lower.as_str())
                || named.contains(&lower)
                || carries_tokenctl_secret(value);
            if dropped && !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
                out.push(name.clone());
            }
        }
        out
    }

    proptest! {
        #[test]
        fn drops_exactly_what_the_rules_name(
            headers in proptest::collection::vec(
                (
                    prop_oneof![
                        "(host|Host|connection|Connection|te|x-forwarded-for|X-Api-Key|forwarded)",
                        // What the `Connection` values below name.
                        "(x-a|X-A|x-b|Content-Type|cookie)",
                        "[a-zA-Z-]{1,12}",
                    ],
                    prop_oneof![
                        "[ -~]{0,30}".prop_map(String::into_bytes),
                        "(keep-alive|close|x-a|X-B|te)(, ?(x-a|content-type|Cookie))?"
                            .prop_map(String::into_bytes),
                        Just(format!("Bearer {}", secret(SecretKind::ApiToken)).into_bytes()),
                    ],
                ),
                0..12,
            )
        ) {
            let pairs: Vec<(&str, &[u8])> =
                headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
            prop_assert_eq!(
                client_headers_to_drop(|| pairs.iter().copied()).to_vec(),
                dropped_by_the_rules(&headers)
            );
        }
    }

    #[test]
    fn forwarded_headers_append_the_client() {
        let v4 = client_ip_text("203.0.113.7".parse().unwrap());
        assert_eq!(
            forwarded_headers(None, Some(&v4), "HTTPS", Some("gw.example:8443")).to_vec(),
            [
                ("x-forwarded-for", Cow::from("203.0.113.7")),
                ("x-forwarded-proto", Cow::from("https")),
                ("x-forwarded-host", Cow::from("gw.example:8443")),
            ]
        );
        let mapped = client_ip_text("::ffff:198.51.100.1".parse().unwrap());
        assert_eq!(
            forwarded_headers(Some(" 10.0.0.1 "), Some(&mapped), "http", None).to_vec(),
            [
                ("x-forwarded-for", Cow::from("10.0.0.1, 198.51.100.1")),
                ("x-forwarded-proto", Cow::from("http")),
            ]
        );
        let v6 = client_ip_text("2001:db8::1".parse().unwrap());
        assert_eq!(
            forwarded_headers(Some("evil\r\nx: y"), Some(&v6), "http", Some(""))[0],
            ("x-forwarded-for", Cow::from("2001:db8::1"))
        );
        assert_eq!(
            forwarded_headers(Some("1.2.3.4"), None, "http", None)[0].1,
            "1.2.3.4"
        );
        assert_eq!(forwarded_headers(None, None, "http", None).len(), 1);
    }

    fn secret(kind: SecretKind) -> String {
        crate::token::Secret::from_key_material(kind, &[7; 32]).into_exposed()
    }

    /// Records every edit, in order, on a list of `(name, value)` pairs.
    #[derive(Default)]
    struct Recorded {
        headers: Vec<(String, String)>,
        edits: Vec<String>,
    }

    impl UpstreamHeaders for Recorded {
        fn remove(&mut self, name: &str) {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            self.edits.push(format!("remove {name}"));
        }
        fn set(&mut self, name: &'static str, value: &str) {
            self.remove(name);
            self.edits.pop();
            self.headers.push((name.to_string(), value.to_string()));
            self.edits.push(format!("set {name}"));
        }
        fn set_upstream_host(&mut self) {
            self.set("host", "upstream.example");
        }
        fn inject(&mut self, index: usize, name: &str, value: &str) {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            self.headers.push((name.to_string(), value.to_string()));
            self.edits.push(format!("inject {index} {name}"));
        }
    }

    fn allowed(inject: &[(&str, &str)]) -> crate::Allowed {
        crate::Allowed {
            token_id: uuid::Uuid::nil(),
            team_id: uuid::Uuid::nil(),
            route_id: uuid::Uuid::nil(),
            route_name: "r".into(),
            route_index: 0,
            upstream_url: "https://upstream.example/x".into(),
            inject_headers: inject
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            timeout: std::time::Duration::from_secs(1),
            upstream_access: crate::UpstreamAccess::Public,
            llm: None,
        }
    }

    #[test]
    fn the_plan_drops_then_forwards_then_injects_last() {
        let token = secret(SecretKind::ApiToken);
        let client: Vec<(&str, &[u8])> = vec![
            ("Host", b"gw.example"),
            ("X-API-Key", token.as_bytes()),
            // The client names the credential header hop-by-hop, and sends
            // one of its own: neither may survive the injection.
            ("Connection", b"authorization"),
            ("Authorization", b"Bearer client-own"),
            ("X-Forwarded-For", b"203.0.113.9"),
            ("Content-Type", b"application/json"),
        ];
        let plan = UpstreamHeaderPlan::new(
            || client.iter().copied(),
            Forwarding {
                client_ip: Some("198.51.100.7"),
                forwarded_for: Some("203.0.113.9"),
                proto: "https",
                host: Some("gw.example"),
            },
        );
        let mut out = Recorded {
            headers: client
                .iter()
                .map(|(n, v)| (n.to_string(), String::from_utf8(v.to_vec()).unwrap()))
                .collect(),
            edits: vec![],
        };
        plan.apply(&allowed(&[("authorization", "Bearer upstream")]), &mut out);
        assert_eq!(
            out.edits,
            [
                "remove host",
                "remove x-api-key",
                "remove connection",
                "remove authorization",
                "remove x-forwarded-for",
                "set x-forwarded-for",
                "set x-forwarded-proto",
                "set x-forwarded-host",
                "set host",
                "inject 0 authorization",
            ]
        );
        let get = |name: &str| {
            out.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("authorization"), ["Bearer upstream"]);
        assert_eq!(get("x-forwarded-for"), ["203.0.113.9, 198.51.100.7"]);
        assert_eq!(get("x-forwarded-proto"), ["https"]);
        assert_eq!(get("x-forwarded-host"), ["gw.example"]);
        assert_eq!(get("host"), ["upstream.example"]);
        assert_eq!(get("content-type"), ["application/json"]);
        assert!(get("x-api-key").is_empty());
        assert!(!format!("{plan:?}").contains(&token), "{plan:?}");
    }
}
