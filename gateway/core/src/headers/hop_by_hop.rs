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
            // The usual value is one name of the fixed list
            // (`keep-alive`), which adds nothing: settled without
            // splitting it.
            .filter(|v| !HopByHop::is_always(v))
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
        // By length first: most headers of a message have a length no name
        // on the list has, and are then settled without a comparison (this
        // runs for every header of every request and answer).
        let same_length: &[&str] = match name.len() {
            2 => &["te"],
            7 => &["trailer", "upgrade"],
            10 => &["connection", "keep-alive"],
            16 => &["proxy-connection"],
            17 => &["transfer-encoding"],
            18 => &["proxy-authenticate"],
            19 => &["proxy-authorization"],
            _ => return false,
        };
        same_length.iter().any(|h| is_name(name, h))
    }
}

/// Whether the header name `name` (any case) is `lower`, a lower-case
/// name. Front-ends usually hand names in lower case already: an equal
/// name is then found by one comparison of whole strings, not a
/// byte-by-byte one ignoring case.
pub(super) fn is_name(name: &str, lower: &str) -> bool {
    name == lower || name.eq_ignore_ascii_case(lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        /// The lookup by length says what the list says, for names of the
        /// list in any case and for any other name.
        #[test]
        fn is_always_is_the_fixed_list(
            name in prop_oneof![
                proptest::sample::select(HOP_BY_HOP.to_vec()).prop_map(String::from),
                "[a-zA-Z-]{0,20}",
            ],
            upper in proptest::collection::vec(any::<bool>(), 20),
        ) {
            let name: String = name
                .chars()
                .zip(upper.iter().chain(std::iter::repeat(&false)))
                .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            let on_list = HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(&name));
            prop_assert_eq!(HopByHop::is_always(&name), on_list);
        }
    }
}
