//! Header rules for forwarding: which client headers never reach the
//! upstream, who the client is behind trusted proxies, `X-Forwarded-*`,
//! and rewriting upstream redirects back into the gateway's path space.
//!
//! Header names are compared ASCII case-insensitively throughout, as HTTP
//! requires.
//!
//! The order a front-end follows when forwarding a request:
//!
//! 1. drop every header [`client_headers_to_drop`] names (the token
//!    headers, anything carrying a tokenctl secret, hop-by-hop headers,
//!    `Host` and the client's own `Forwarded`/`X-Forwarded-*`);
//! 2. set [`forwarded_headers`] and the upstream's `Host`;
//! 3. set the route's [`Allowed::inject_headers`](crate::Allowed::inject_headers),
//!    replacing any client header of the same name.
//!
//! Injecting last matters: a client could otherwise name the injected
//! header in its `Connection` header and have it stripped.
//!
//! Responses get the same hop-by-hop treatment, and their `Location` goes
//! through [`rewrite_location`].

use crate::token::SecretKind;
use std::net::IpAddr;

pub use crate::location::rewrite_location;

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1,
/// plus `keep-alive` and `proxy-connection` from older practice). A proxy
/// must not forward them.
pub const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The hop-by-hop headers of one message: the fixed [`HOP_BY_HOP`] list
/// plus whatever its `Connection` header names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HopByHop {
    named: Vec<String>,
}

impl HopByHop {
    /// Reads the values of every `Connection` header of a message
    /// (comma-separated header names; `close`/`keep-alive` are harmless
    /// extras).
    pub fn from_connection<'a>(values: impl IntoIterator<Item = &'a str>) -> HopByHop {
        let mut named: Vec<String> = values
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        named.sort_unstable();
        named.dedup();
        HopByHop { named }
    }

    /// Whether the header `name` must be dropped when forwarding.
    pub fn is_hop_by_hop(&self, name: &str) -> bool {
        HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
            || self.named.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// Whether a header value carries something shaped like a tokenctl
/// secret: `ntk_`, `tkc_`, `tkg_` or `tke_` at the start of a word,
/// followed by at least 16 base62 characters (checksums are not checked
/// there on purpose: a mistyped or cut token is still most of a secret), or
/// a whole well-formed secret anywhere, even glued to other text.
pub fn carries_tokenctl_secret(value: &[u8]) -> bool {
    const MIN_BODY: usize = 16;
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    // Every prefix ends in `_`: look at each `_` and the three bytes before.
    memchr::memchr_iter(b'_', value).any(|i| {
        if i < 3 {
            return false;
        }
        let start = i - 3;
        let Some(kind) = SecretKind::ALL
            .into_iter()
            .find(|k| k.prefix().as_bytes() == &value[start..=i])
        else {
            return false;
        };
        if start == 0 || !is_word(value[start - 1]) {
            return value[i + 1..]
                .iter()
                .take(MIN_BODY)
                .filter(|b| b.is_ascii_alphanumeric())
                .count()
                == MIN_BODY;
        }
        value
            .get(start..start + kind.encoded_len())
            .and_then(|s| std::str::from_utf8(s).ok())
            .is_some_and(|s| crate::token::check_format(kind, s).is_ok())
    })
}

/// The client headers a front-end removes before forwarding a request, as
/// lower-case names, each once, in the order of the rules that catch them:
///
/// 1. `host`: the upstream gets its own;
/// 2. `forwarded` and `x-forwarded-*`: set again by [`forwarded_headers`],
///    never passed on as the client wrote them;
/// 3. `x-api-key`: where clients send their tokenctl token;
/// 4. hop-by-hop headers ([`HOP_BY_HOP`] and whatever `Connection` names);
/// 5. every header with a value that [`carries_tokenctl_secret`] — all
///    values of it, duplicates included, `Authorization: bearer ntk_…` in
///    any case, whichever token the decision used.
///
/// `headers` yields every `(name, value)` of the request, duplicates
/// included; it is called twice (once for `Connection`). The names come
/// back as the request spells them.
pub fn client_headers_to_drop<'a, I>(headers: impl Fn() -> I) -> Vec<&'a str>
where
    I: Iterator<Item = (&'a str, &'a [u8])>,
{
    let hop = HopByHop::from_connection(
        headers()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .filter_map(|(_, v)| std::str::from_utf8(v).ok()),
    );
    let mut drop: Vec<&'a str> = Vec::new();
    for (name, value) in headers() {
        let gone = name.eq_ignore_ascii_case("host")
            || name.eq_ignore_ascii_case("forwarded")
            || name
                .get(..12)
                .is_some_and(|p| p.eq_ignore_ascii_case("x-forwarded-"))
            || name.eq_ignore_ascii_case("x-api-key")
            || hop.is_hop_by_hop(name)
            || carries_tokenctl_secret(value);
        if gone && !drop.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            drop.push(name);
        }
    }
    drop
}

/// A client address as gateways report it, in `X-Forwarded-For` and in
/// usage events: an IPv4-mapped IPv6 address as plain IPv4. Front-ends
/// format it once (the native gateway per connection) and use the text
/// for both.
pub fn client_ip_text(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

/// Where a request came from, as [`client_origin`] works it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOrigin<'a> {
    /// The client's address: the TCP peer, or, behind trusted proxies, the
    /// first hop that is not a trusted proxy, reading the chain from the
    /// right.
    pub ip: IpAddr,
    /// The scheme the client used: `"https"` only when a trusted proxy says
    /// so, otherwise `"http"` (what the gateway and the server speak).
    pub proto: &'static str,
    /// The part of `X-Forwarded-For` left of the client, as received
    /// (unverified; for an upstream's information only), to pass on in
    /// front of the client's own address. With an untrusted peer this is
    /// the whole header, as before.
    pub forwarded_for_before: Option<&'a str>,
}

/// Works out the client of a request that may have passed trusted reverse
/// proxies (a TLS terminator, a load balancer).
///
/// Only when the TCP `peer` lies in `trusted` are the forwarding headers
/// believed at all. The chain is then read from the right, hop by hop,
/// and the walk stops at the first address that is not a trusted proxy:
/// that is the client. Everything left of it was written by the client
/// (or by hops it controls) and is never used. A hop that cannot be read
/// (`unknown`, an obfuscated identifier, garbage) stops the walk too; the
/// client is then the trusted proxy that reported it.
///
/// * RFC 7239 `Forwarded` (`for=` and `proto=` of each element) is used
///   when present; otherwise `X-Forwarded-For`.
/// * With `X-Forwarded-For`, the scheme comes from `X-Forwarded-Proto`:
///   the entry at the client's position when both lists have the same
///   length, else its last entry. Only `http` and `https` are believed.
///
/// With `trusted` empty (the default), or an untrusted peer, the result is
/// the peer, `http`, and the client's whole `X-Forwarded-For` — exactly
/// what a front-end did before trusted proxies existed. Several instances
/// of a header are passed joined with `,`.
pub fn client_origin<'a>(
    peer: IpAddr,
    forwarded: Option<&str>,
    x_forwarded_for: Option<&'a str>,
    x_forwarded_proto: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> ClientOrigin<'a> {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(&ip.to_canonical()));
    if trusted.is_empty() || !is_trusted(peer) {
        return ClientOrigin {
            ip: peer,
            proto: "http",
            forwarded_for_before: x_forwarded_for,
        };
    }
    let mut current = peer.to_canonical();
    if let Some(forwarded) = forwarded.filter(|f| !f.trim().is_empty()) {
        let mut proto = None;
        for element in split_unquoted(forwarded, b',').rev() {
            let mut node = None;
            proto = None;
            for pair in split_unquoted(element, b';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let key = key.trim();
                let value = unquote(value.trim());
                if key.eq_ignore_ascii_case("for") {
                    node = parse_node(&value);
                } else if key.eq_ignore_ascii_case("proto") {
                    proto = scheme(&value);
                }
            }
            match node {
                Some(ip) if is_trusted(ip) => current = ip,
                Some(ip) => {
                    current = ip;
                    break;
                }
                None => break,
            }
        }
        return ClientOrigin {
            ip: current,
            proto: proto.unwrap_or("http"),
            forwarded_for_before: None,
        };
    }
    let protos: Vec<&str> = x_forwarded_proto
        .map(|p| p.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let last_proto = protos.last().and_then(|p| scheme(p));
    let Some(xff) = x_forwarded_for else {
        return ClientOrigin {
            ip: current,
            proto: last_proto.unwrap_or("http"),
            forwarded_for_before: None,
        };
    };
    let count = xff.split(',').count();
    let proto_at = |i: usize| {
        if protos.len() == count {
            scheme(protos[i])
        } else {
            last_proto
        }
        .unwrap_or("http")
    };
    // Walk from the right; `end` is where the entry just examined starts.
    let mut end = xff.len();
    let mut examined = None;
    for (i, entry) in xff.rsplit(',').enumerate() {
        let index = count - 1 - i;
        let start = end - entry.len();
        examined = Some(index);
        // The text left of this entry, without the comma that ends it.
        let before = xff[..start]
            .strip_suffix(',')
            .filter(|b| !b.trim().is_empty());
        match parse_node(entry.trim()) {
            Some(ip) if is_trusted(ip) => current = ip,
            Some(ip) => {
                return ClientOrigin {
                    ip,
                    proto: proto_at(index),
                    forwarded_for_before: before,
                };
            }
            None => {
                return ClientOrigin {
                    ip: current,
                    proto: proto_at(index),
                    forwarded_for_before: Some(&xff[..end]).filter(|b| !b.trim().is_empty()),
                };
            }
        }
        end = start.saturating_sub(1);
    }
    ClientOrigin {
        ip: current,
        proto: examined.map_or(last_proto.unwrap_or("http"), proto_at),
        forwarded_for_before: None,
    }
}

/// `http` or `https`, in any case; anything else is not believed.
fn scheme(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("https") {
        Some("https")
    } else if v.eq_ignore_ascii_case("http") {
        Some("http")
    } else {
        None
    }
}

/// Splits on `sep` outside double-quoted strings (RFC 7230 quoted-string,
/// with backslash escapes).
fn split_unquoted(s: &str, sep: u8) -> impl DoubleEndedIterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, b) in s.bytes().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts.into_iter()
}

/// A quoted-string's content (escapes resolved), or the token as is.
fn unquote(value: &str) -> std::borrow::Cow<'_, str> {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if inner.contains('\\') => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(c);
                }
            }
            out.into()
        }
        Some(inner) => inner.into(),
        None => value.into(),
    }
}

/// One hop's address: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`. `unknown`, obfuscated
/// identifiers (`_hidden`) and anything else give `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || port(after.strip_prefix(':')?)) {
            return None;
        }
        return inside
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|ip| IpAddr::V6(ip).to_canonical());
    }
    let (host, p) = node.rsplit_once(':')?;
    if !port(p) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// A port: 1 to 5 digits, or an RFC 7239 obfuscated port (`_abc`).
fn port(p: &str) -> bool {
    (!p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        || (p.len() > 1
            && p.starts_with('_')
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'))
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
pub fn forwarded_headers(
    existing_for: Option<&str>,
    client: Option<&str>,
    proto: &str,
    host: Option<&str>,
) -> Vec<(&'static str, String)> {
    let existing = existing_for
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));
    let chain = match (existing, client) {
        (Some(e), Some(c)) => Some(format!("{e}, {c}")),
        (Some(e), None) => Some(e.to_string()),
        (None, c) => c.map(str::to_string),
    };
    let mut out = Vec::with_capacity(3);
    if let Some(chain) = chain {
        out.push(("x-forwarded-for", chain));
    }
    out.push(("x-forwarded-proto", proto.to_ascii_lowercase()));
    if let Some(host) = host.filter(|h| !h.is_empty()) {
        out.push(("x-forwarded-host", host.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_includes_fixed_list_and_connection_names() {
        let h = HopByHop::from_connection(["keep-alive, X-Internal", " close ,,Foo"]);
        for name in [
            "Connection",
            "keep-alive",
            "TE",
            "Transfer-Encoding",
            "upgrade",
            "Proxy-Authorization",
            "proxy-authenticate",
            "trailer",
            "x-internal",
            "FOO",
            "close",
        ] {
            assert!(h.is_hop_by_hop(name), "{name}");
        }
        for name in [
            "content-type",
            "authorization",
            "x-api-key",
            "host",
            "trailers",
        ] {
            assert!(!h.is_hop_by_hop(name), "{name}");
        }
        assert!(!HopByHop::default().is_hop_by_hop("x-internal"));
    }

    fn secret(kind: SecretKind) -> String {
        crate::token::Secret::from_key_material(kind, &[7; 32]).into_exposed()
    }

    #[test]
    fn recognises_tokenctl_secrets_in_header_values() {
        for kind in SecretKind::ALL {
            let s = secret(kind);
            for value in [
                s.clone(),
                format!("Bearer {s}"),
                format!("bearer\t{s}"),
                format!("Basic x, Bearer {s}"),
                format!("session={s}; theme=dark"),
                format!("glued{s}"),
                s[..30].to_string(),
            ] {
                assert!(carries_tokenctl_secret(value.as_bytes()), "{value}");
            }
        }
        for value in [
            "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz",
            "ntk_",
            "ntk_short",
            "xntk_AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            // Glued to a word, only a whole well-formed secret counts.
            "xntk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "eyJhbGciOi.abc_ntk_AAAAAAAAAAAAAAAAAAAAAAAA",
            "NTK_AAAAAAAAAAAAAAAAAAAAAAAA",
            "",
        ] {
            assert!(!carries_tokenctl_secret(value.as_bytes()), "{value}");
        }
    }

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
            client_headers_to_drop(|| headers.iter().copied()),
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
            client_headers_to_drop(|| only_foreign.iter().copied()),
            ["x-api-key"]
        );
    }

    #[test]
    fn forwarded_headers_append_the_client() {
        let v4 = client_ip_text("203.0.113.7".parse().unwrap());
        assert_eq!(
            forwarded_headers(None, Some(&v4), "HTTPS", Some("gw.example:8443")),
            [
                ("x-forwarded-for", "203.0.113.7".to_string()),
                ("x-forwarded-proto", "https".to_string()),
                ("x-forwarded-host", "gw.example:8443".to_string()),
            ]
        );
        let mapped = client_ip_text("::ffff:198.51.100.1".parse().unwrap());
        assert_eq!(
            forwarded_headers(Some(" 10.0.0.1 "), Some(&mapped), "http", None),
            [
                ("x-forwarded-for", "10.0.0.1, 198.51.100.1".to_string()),
                ("x-forwarded-proto", "http".to_string()),
            ]
        );
        let v6 = client_ip_text("2001:db8::1".parse().unwrap());
        assert_eq!(
            forwarded_headers(Some("evil\r\nx: y"), Some(&v6), "http", Some(""))[0],
            ("x-forwarded-for", "2001:db8::1".to_string())
        );
        assert_eq!(
            forwarded_headers(Some("1.2.3.4"), None, "http", None)[0].1,
            "1.2.3.4"
        );
        assert_eq!(forwarded_headers(None, None, "http", None).len(), 1);
    }

    fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn client_origin_believes_headers_only_from_trusted_peers() {
        let lb = nets(&["10.0.0.0/8"]);
        // No trusted proxies, or an untrusted peer: the peer, as before.
        for (peer, trusted) in [("10.1.2.3", &[][..]), ("203.0.113.9", &lb[..])] {
            let o = client_origin(
                ip(peer),
                Some("for=198.51.100.1;proto=https"),
                Some("198.51.100.1"),
                Some("https"),
                trusted,
            );
            assert_eq!(o.ip, ip(peer));
            assert_eq!(o.proto, "http");
            assert_eq!(o.forwarded_for_before, Some("198.51.100.1"));
        }
        // Behind the balancer: the rightmost untrusted hop.
        let o = client_origin(
            ip("10.1.2.3"),
            None,
            Some("6.6.6.6, 198.51.100.1, 10.9.9.9"),
            Some("https"),
            &lb,
        );
        assert_eq!(o.ip, ip("198.51.100.1"));
        assert_eq!(o.proto, "https");
        assert_eq!(o.forwarded_for_before, Some("6.6.6.6"));
        // The client's own `X-Forwarded-Proto` entry when the lists line up.
        let o = client_origin(
            ip("10.1.2.3"),
            None,
            Some("198.51.100.1,10.9.9.9"),
            Some("https, http"),
            &lb,
        );
        assert_eq!((o.ip, o.proto), (ip("198.51.100.1"), "https"));
        // Only trusted hops: the leftmost; no header: the peer itself.
        let o = client_origin(ip("10.1.2.3"), None, Some("10.5.5.5"), None, &lb);
        assert_eq!(
            (o.ip, o.proto, o.forwarded_for_before),
            (ip("10.5.5.5"), "http", None)
        );
        let o = client_origin(ip("10.1.2.3"), None, None, Some("HTTPS"), &lb);
        assert_eq!((o.ip, o.proto), (ip("10.1.2.3"), "https"));
        // Garbage stops the walk at the proxy that reported it.
        let o = client_origin(ip("10.1.2.3"), None, Some("1.2.3.4, nonsense"), None, &lb);
        assert_eq!(o.ip, ip("10.1.2.3"));
        assert_eq!(o.forwarded_for_before, Some("1.2.3.4, nonsense"));
        // Ports, brackets, mapped addresses.
        let o = client_origin(
            ip("::ffff:10.1.2.3"),
            None,
            Some("[2001:db8::7]:4711, 198.51.100.2:80"),
            Some("ftp"),
            &lb,
        );
        assert_eq!((o.ip, o.proto), (ip("198.51.100.2"), "http"));
    }

    #[test]
    fn client_origin_prefers_rfc_7239_forwarded() {
        let trusted = nets(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        let o = client_origin(
            ip("10.0.0.1"),
            Some(
                r#"for=6.6.6.6;proto=http, For="[2001:db8::1]:4711";Proto=HTTPS;by=_lb, for=10.0.0.2;proto=http"#,
            ),
            Some("7.7.7.7"),
            Some("http"),
            &trusted,
        );
        assert_eq!((o.ip, o.proto), (ip("2001:db8::1"), "https"));
        assert_eq!(o.forwarded_for_before, None);
        // `unknown` and obfuscated identifiers end the walk at the reporter.
        for hidden in ["unknown", "_gazonk", "\"_x\"", ""] {
            let f = format!("for=1.2.3.4, for={hidden};proto=https");
            let o = client_origin(ip("10.0.0.1"), Some(&f), None, None, &trusted);
            assert_eq!((o.ip, o.proto), (ip("10.0.0.1"), "https"), "{f}");
        }
        // Quoted commas and semicolons do not split.
        let o = client_origin(
            ip("10.0.0.1"),
            Some(r#"for="198.51.100.9";host="a,b;c";proto=https"#),
            None,
            None,
            &trusted,
        );
        assert_eq!((o.ip, o.proto), (ip("198.51.100.9"), "https"));
    }

    mod client_origin_props {
        use super::*;
        use proptest::prelude::*;

        /// A small pool, so trusted and untrusted addresses mix often.
        const POOL: [&str; 8] = [
            "10.0.0.1",
            "10.0.0.2",
            "192.0.2.7",
            "198.51.100.3",
            "2001:db8::1",
            "2001:db8::2",
            "::ffff:10.0.0.3",
            "203.0.113.5",
        ];

        fn entry() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => (0..POOL.len()).prop_map(|i| POOL[i].to_string()),
                1 => (0..POOL.len(), 1u16..).prop_map(|(i, p)| {
                    let a = ip(POOL[i]);
                    if a.is_ipv6() { format!("[{a}]:{p}") } else { format!("{a}:{p}") }
                }),
                1 => "[ -~]{0,12}",
            ]
        }

        fn chain() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(entry(), 0..6)
        }

        fn trusted_set() -> impl Strategy<Value = Vec<ipnet::IpNet>> {
            prop::collection::vec(0..POOL.len(), 0..5).prop_map(|ix| {
                ix.into_iter()
                    .map(|i| ipnet::IpNet::from(ip(POOL[i]).to_canonical()))
                    .collect()
            })
        }

        proptest! {
            #[test]
            fn never_panics(
                peer in any::<IpAddr>(),
                f in proptest::option::of(any::<String>()),
                x in proptest::option::of(any::<String>()),
                p in proptest::option::of(any::<String>()),
                trusted in trusted_set(),
            ) {
                let _ = client_origin(peer, f.as_deref(), x.as_deref(), p.as_deref(), &trusted);
            }

            #[test]
            fn unchanged_without_trusted_proxies(
                peer in any::<IpAddr>(),
                f in proptest::option::of(any::<String>()),
                x in proptest::option::of(any::<String>()),
                p in proptest::option::of(any::<String>()),
            ) {
                let o = client_origin(peer, f.as_deref(), x.as_deref(), p.as_deref(), &[]);
                prop_assert_eq!(o, ClientOrigin { ip: peer, proto: "http", forwarded_for_before: x.as_deref() });
            }

            /// The answer is the peer or a hop with only readable, trusted
            /// hops right of it: never one left of an untrusted or unreadable hop.
            #[test]
            fn never_left_of_an_untrusted_hop(
                peer_i in 0..POOL.len(),
                hops in chain(),
                trusted in trusted_set(),
                as_forwarded in any::<bool>(),
            ) {
                let peer = ip(POOL[peer_i]);
                let is_trusted = |a: IpAddr| trusted.iter().any(|n| n.contains(&a.to_canonical()));
                let sanitized: Vec<String> = hops.iter().map(|h| h.replace(['"', '\\'], "")).collect();
                let xff = hops.join(", ");
                let fwd = sanitized.iter().map(|h| format!("for=\"{h}\"")).collect::<Vec<_>>().join(", ");
                let o = if as_forwarded {
                    client_origin(peer, Some(fwd.as_str()).filter(|_| !hops.is_empty()), None, None, &trusted)
                } else {
                    client_origin(peer, None, Some(xff.as_str()).filter(|_| !hops.is_empty()), None, &trusted)
                };
                if !is_trusted(peer) {
                    prop_assert_eq!(o.ip, peer);
                    return Ok(());
                }
                let parsed: Vec<Option<IpAddr>> = match (as_forwarded, hops.is_empty()) {
                    (_, true) => vec![],
                    (true, false) => sanitized.iter().map(|h| parse_node(h)).collect(),
                    (false, false) => xff.split(',').map(parse_node).collect(),
                };
                let ok_from = |j: usize| parsed[j + 1..].iter().all(|p| p.is_some_and(is_trusted));
                let from_chain = (0..parsed.len()).any(|j| parsed[j] == Some(o.ip) && ok_from(j));
                prop_assert!(o.ip == peer.to_canonical() || from_chain, "{:?} from {:?}", o, hops);
                // And it is exactly the rightmost untrusted hop, when all are readable.
                if parsed.iter().all(Option::is_some) {
                    let want = parsed
                        .iter()
                        .rev()
                        .map(|p| p.unwrap())
                        .find(|a| !is_trusted(*a))
                        .or_else(|| parsed.first().map(|p| p.unwrap()))
                        .unwrap_or(peer.to_canonical());
                    prop_assert_eq!(o.ip, want);
                }
            }
        }
    }
}
