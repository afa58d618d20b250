//! Hop-by-hop headers: those that describe one connection, not the
//! message, and never pass a proxy in either direction.

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
/// plus whatever its `Connection` header names. Borrows the names from the
/// `Connection` values: a response's usual `Connection: keep-alive` costs
/// no allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HopByHop<'a> {
    /// Names `Connection` lists beyond the fixed list, as written.
    named: Vec<&'a str>,
}

impl<'a> HopByHop<'a> {
    /// Reads the values of every `Connection` header of a message
    /// (comma-separated header names; `close`/`keep-alive` are harmless
    /// extras).
    pub fn from_connection(values: impl IntoIterator<Item = &'a str>) -> HopByHop<'a> {
        // Duplicates are kept: removing them would cost a comparison of
        // each name with every other, and a client can send a `Connection`
        // header of many thousands of names.
        let named = values
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|name| !name.is_empty() && !HopByHop::is_always(name))
            .collect();
        HopByHop { named }
    }

    /// Whether the `Connection` headers named nothing beyond the fixed
    /// [`HOP_BY_HOP`] list.
    pub fn names_only_fixed(&self) -> bool {
        self.named.is_empty()
    }

    /// Whether the header `name` must be dropped when forwarding.
    pub fn is_hop_by_hop(&self, name: &str) -> bool {
        HopByHop::is_always(name) || self.named.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// Whether `name` is on the fixed [`HOP_BY_HOP`] list: hop-by-hop in
    /// every message, whatever its `Connection` header says.
    pub fn is_always(name: &str) -> bool {
        HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
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
}
