//! Header rules: hop-by-hop headers named by `Connection`,
//! `X-Forwarded-*`, and `Location` rewriting.
//!
//! Inputs are what a front-end can hand over: header values as HTTP allows
//! them (no CR, LF or NUL). Invariants: no panic; every header value out
//! has no CR, LF or NUL; a rewritten `Location` starts with the route's
//! gateway prefix and is path-absolute, never scheme-relative.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tokenctl_gateway::headers::{forwarded_headers, rewrite_location, HopByHop, HOP_BY_HOP};
use tokenctl_gateway::path::is_route_prefix;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    connection: Vec<&'a str>,
    name: &'a str,
    existing_for: Option<&'a str>,
    client: Option<&'a str>,
    https: bool,
    host: Option<&'a str>,
    location: &'a str,
    upstream_base: &'a str,
    gateway_prefix: &'a str,
}

/// What HTTP allows in a field value (hyper's `HeaderValue` refuses the rest).
fn header_value(v: &str) -> bool {
    !v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)
}

fn clean(v: &str) -> bool {
    !v.contains(['\r', '\n', '\0'])
}

fuzz_target!(|input: Input<'_>| {
    let all = [input.name, input.location, input.upstream_base]
        .into_iter()
        .chain(input.connection.iter().copied())
        .chain(input.existing_for)
        .chain(input.client)
        .chain(input.host);
    if !all.into_iter().all(header_value) {
        return;
    }

    let hop = HopByHop::from_connection(input.connection.iter().copied());
    for h in HOP_BY_HOP {
        assert!(hop.is_hop_by_hop(h) && hop.is_hop_by_hop(&h.to_ascii_uppercase()));
    }
    for named in input.connection.iter().flat_map(|v| v.split(',')) {
        let named = named.trim();
        if !named.is_empty() {
            assert!(hop.is_hop_by_hop(named), "{named:?}");
        }
    }
    let _ = hop.is_hop_by_hop(input.name);

    let proto = if input.https { "https" } else { "http" };
    for (name, value) in forwarded_headers(input.existing_for, input.client, proto, input.host) {
        assert!(name.starts_with("x-forwarded-"));
        assert!(clean(&value), "{name}: {value:?}");
    }

    let prefix = if is_route_prefix(input.gateway_prefix) {
        input.gateway_prefix
    } else {
        "/api/example"
    };
    for base in [input.upstream_base, "https://api.example/v1"] {
        if let Some(out) = rewrite_location(input.location, base, prefix) {
            assert!(clean(&out), "{out:?}");
            assert!(out.starts_with(prefix.trim_end_matches('/')), "{out:?}");
            assert!(out.starts_with('/'), "{out:?}");
            // Never scheme-relative (`//host`, `/\host`, also once tabs
            // and newlines are dropped as browsers do): a client would
            // follow it to another host.
            let mut kept = out.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
            assert!(
                !matches!(
                    (kept.next(), kept.next()),
                    (Some('/' | '\\'), Some('/' | '\\'))
                ),
                "{out:?}"
            );
        }
    }
});
