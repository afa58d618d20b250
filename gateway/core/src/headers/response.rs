//! What the client gets back from the upstream: the response minus its
//! hop-by-hop headers, and a redirect into the upstream pointed back at
//! the route.

use super::hop_by_hop::HopByHop;
use super::rewrite_location;
use super::upstream::push_once;
use crate::{Allowed, Gateway};

/// The upstream response headers a front-end removes before passing the
/// response on: the hop-by-hop ones ([`HopByHop`], with whatever the
/// response's `Connection` names). `headers` yields every `(name, value)`
/// of the response, duplicates included; it is called once, or twice when
/// the response has a `Connection` header. The names come back as the
/// response spells them, each once, in the response's order.
pub fn response_headers_to_drop<'a, I>(headers: impl Fn() -> I) -> Vec<&'a str>
where
    I: Iterator<Item = (&'a str, &'a [u8])>,
{
    let mut drop: Vec<&'a str> = Vec::new();
    let mut connection = false;
    for (name, _) in headers() {
        connection |= name.eq_ignore_ascii_case("connection");
        if HopByHop::is_always(name) {
            push_once(&mut drop, name);
        }
    }
    if !connection {
        return drop;
    }
    let hop = HopByHop::from_connection(
        headers()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .filter_map(|(_, v)| std::str::from_utf8(v).ok()),
    );
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
            response_headers_to_drop(|| headers.iter().copied()),
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
            response_headers_to_drop(|| without_connection.iter().copied()),
            ["Transfer-Encoding", "Keep-Alive"]
        );
    }
}
