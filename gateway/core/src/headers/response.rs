//! What the client gets back from the upstream: the response minus its
//! hop-by-hop headers, and a redirect into the upstream pointed back at
//! the route.

use super::hop_by_hop::HopByHop;
use super::rewrite_location;
use crate::{Allowed, Gateway};

/// The upstream response headers a front-end removes before passing the
/// response on: the hop-by-hop ones ([`HopByHop`], with whatever the
/// response's `Connection` names). `headers` yields every `(name, value)`
/// of the response; it is called twice. The names come back as the
/// response spells them, each once.
pub fn response_headers_to_drop<'a, I>(headers: impl Fn() -> I) -> Vec<&'a str>
where
    I: Iterator<Item = (&'a str, &'a str)>,
{
    let hop = HopByHop::from_connection(
        headers()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .map(|(_, v)| v),
    );
    let mut drop: Vec<&'a str> = Vec::new();
    for (name, _) in headers() {
        if hop.is_hop_by_hop(name) && !drop.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            drop.push(name);
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
        let headers = [
            ("Content-Type", "text/plain"),
            ("Connection", "close, X-Upstream-Hop"),
            ("x-upstream-hop", "1"),
            ("X-Upstream-Hop", "2"),
            ("Transfer-Encoding", "chunked"),
            ("Location", "/x"),
        ];
        assert_eq!(
            response_headers_to_drop(|| headers.iter().copied()),
            ["Connection", "x-upstream-hop", "Transfer-Encoding"]
        );
    }
}
