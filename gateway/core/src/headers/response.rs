//! What the client gets back from the upstream: the response minus its
//! hop-by-hop headers, and a redirect into the upstream pointed back at
//! the route.

use super::hop_by_hop::{is_name, HopByHop};
use super::rewrite_location;
use super::upstream::{push_once, HeaderNames};
use crate::{Allowed, Gateway};

/// The upstream response headers a front-end removes before passing the
/// response on: the hop-by-hop ones ([`HopByHop`], with whatever the
/// response's `Connection` names). `headers` yields every `(name, value)`
/// of the response, duplicates included; it is called once, unless a
/// `Connection` header names more than the fixed list (or there are
/// several). The names come back as the
/// response spells them, each once, in the response's order.
pub fn response_headers_to_drop<'a, I>(headers: impl Fn() -> I) -> HeaderNames<'a>
where
    I: Iterator<Item = (&'a str, &'a [u8])>,
{
    let mut drop = HeaderNames::new();
    // The usual response has one `Connection` header, kept from this pass
    // so that finding its names needs no second one.
    let mut connection: Option<&'a [u8]> = None;
    let mut connections = 0;
    for (name, value) in headers() {
        if is_name(name, "connection") {
            connection = Some(value);
            connections += 1;
        }
        if HopByHop::is_always(name) {
            push_once(&mut drop, name);
        }
    }
    let hop = match connections {
        0 => return drop,
        1 => {
            let value = connection.and_then(|v| std::str::from_utf8(v).ok());
            // The usual answer's `Connection: keep-alive` names one header
            // of the fixed list, dropped by this pass already.
            if value.is_some_and(HopByHop::is_always) {
                return drop;
            }
            HopByHop::from_connection(value)
        }
        _ => HopByHop::from_connection(
            headers()
                .filter(|(n, _)| is_name(n, "connection"))
                .filter_map(|(_, v)| std::str::from_utf8(v).ok()),
        ),
    };
    // `Connection: keep-alive` (or `close`) names nothing beyond the fixed
    // list, which this pass has dropped already.
    if hop.names_only_fixed() {
        return drop;
    }
    drop.clear();
    for (name, _) in headers() {
        if hop.is_hop_by_hop(name) {
            push_once(&mut drop, name);
        }
    }
    drop
}

/// The `Location` to send for a redirect (3xx) from the allowed request's
/// upstream: rewritten by [`rewrite_location`] against the route's
/// upstream and path, or `None` to pass `location` on unchanged.
pub fn redirect_location(gateway: &Gateway, allowed: &Allowed, location: &str) -> Option<String> {
    let route = gateway.routes().routes().get(allowed.route_index)?;
    rewrite_location(location, &route.upstream, &route.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_hop_by_hop_headers_are_dropped_once() {
        let headers: [(&str, &[u8]); 6] = [
            ("Content-Type", b"text/plain"),
            ("Connection", b"close, X-Upstream-Hop"),
            ("x-upstream-hop", b"1"),
            ("X-Upstream-Hop", b"2"),
            ("Transfer-Encoding", b"\xffchunked"),
            ("Location", b"/x"),
        ];
        assert_eq!(
            response_headers_to_drop(|| headers.iter().copied()).to_vec(),
            ["Connection", "x-upstream-hop", "Transfer-Encoding"]
        );
        let without_connection: [(&str, &[u8]); 5] = [
            ("Transfer-Encoding", b"chunked"),
            ("content-type", b"application/json"),
            ("Keep-Alive", b"timeout=5"),
            ("x-upstream-hop", b"1"),
            ("TRANSFER-ENCODING", b"gzip"),
        ];
        assert_eq!(
            response_headers_to_drop(|| without_connection.iter().copied()).to_vec(),
            ["Transfer-Encoding", "Keep-Alive"]
        );
    }

    /// What RFC 9110 §7.6.1 asks, written plainly: every header on the
    /// fixed list or named by a `Connection` header, each name once (as
    /// first spelt), in the response's order.
    fn plainly(headers: &[(String, String)]) -> Vec<String> {
        let named: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_ascii_lowercase()))
            .collect();
        let mut out: Vec<String> = Vec::new();
        for (name, _) in headers {
            let lower = name.to_ascii_lowercase();
            let hop = super::super::hop_by_hop::HOP_BY_HOP.contains(&lower.as_str())
                || named.contains(&lower);
            if hop && !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
                out.push(name.clone());
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn drops_what_the_rfc_says(
            headers in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "Connection", "connection", "Keep-Alive", "transfer-encoding",
                        "TE", "Content-Type", "x-a", "X-A", "x-b", "upgrade",
                    ]),
                    proptest::sample::select(vec![
                        "keep-alive", "close", "x-a", " X-B , close", "", ",,te", "text/plain",
                    ]),
                ),
                0..8,
            )
        ) {
            let headers: Vec<(String, String)> = headers
                .into_iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            let ours = response_headers_to_drop(|| {
                headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes()))
            });
            proptest::prop_assert_eq!(ours.to_vec(), plainly(&headers));
        }
    }
}
