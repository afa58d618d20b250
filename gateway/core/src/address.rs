//! Which network addresses an upstream may be reached at.
//!
//! A route's upstream is usually a public service. One that points (or
//! resolves) into the gateway's own network — loopback, private ranges,
//! link-local, unique-local, or a cloud provider's metadata service — can
//! reach things no client should: the control plane's health endpoint,
//! internal admin APIs, instance credentials. So every route carries an
//! [`UpstreamAccess`] the control plane approved, and the gateways connect
//! only to addresses that access allows ([`UpstreamAccess::allows`]).
//!
//! [`classify`] is pure: the control plane uses it on what the upstream
//! host resolves to when a route is added or changed, the native gateway on
//! the addresses it is about to connect to, and the core on IP literals in
//! upstream URLs (see [`upstream_ip`]).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address an IP is, for the upstream address policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AddressClass {
    /// Anything else: a globally reachable address (documentation ranges
    /// such as 192.0.2.0/24 count as public too).
    Public,
    /// Loopback, private (RFC 1918), shared (100.64.0.0/10), link-local,
    /// unique-local, unspecified, multicast, reserved, or an IPv6 address
    /// that embeds one of these (IPv4-mapped, NAT64, 6to4).
    Private,
    /// A cloud metadata service (see [`METADATA_ADDRESSES`]).
    Metadata,
}

/// Which addresses the gateway may connect to for a route. Set by the
/// control plane; only an admin of the `system` team (or a global admin)
/// can approve more than `public`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UpstreamAccess {
    /// Public addresses only (the default).
    #[default]
    Public,
    /// Public and private addresses, but no metadata service.
    Private,
    /// Any address, cloud metadata services included (only when the control
    /// plane runs with `--allow-metadata-upstreams`).
    Metadata,
}

impl UpstreamAccess {
    /// Whether a route with this access may connect to an address of `class`.
    pub fn allows(self, class: AddressClass) -> bool {
        match class {
            AddressClass::Public => true,
            AddressClass::Private => self >= UpstreamAccess::Private,
            AddressClass::Metadata => self == UpstreamAccess::Metadata,
        }
    }

    /// The access an address of `class` needs.
    pub fn needed_for(class: AddressClass) -> UpstreamAccess {
        match class {
            AddressClass::Public => UpstreamAccess::Public,
            AddressClass::Private => UpstreamAccess::Private,
            AddressClass::Metadata => UpstreamAccess::Metadata,
        }
    }

    /// `public`, `private` or `metadata`.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamAccess::Public => "public",
            UpstreamAccess::Private => "private",
            UpstreamAccess::Metadata => "metadata",
        }
    }

    /// The inverse of [`UpstreamAccess::as_str`].
    pub fn parse(s: &str) -> Option<UpstreamAccess> {
        [
            UpstreamAccess::Public,
            UpstreamAccess::Private,
            UpstreamAccess::Metadata,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

impl fmt::Display for UpstreamAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cloud metadata services: AWS, GCP, Azure, Oracle and others
/// (169.254.169.254 and its IPv6 form fd00:ec2::254), the AWS ECS task
/// endpoint (169.254.170.2), Alibaba Cloud (100.100.100.200) and Azure's
/// WireServer (168.63.129.16).
pub const METADATA_ADDRESSES: [IpAddr; 5] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// Whether `ip` (or the IPv4 address it embeds) is a cloud metadata service.
pub fn is_metadata(ip: IpAddr) -> bool {
    METADATA_ADDRESSES.contains(&ip)
        || embedded_v4(ip).is_some_and(|v4| METADATA_ADDRESSES.contains(&IpAddr::V4(v4)))
}

/// Whether `ip` is anything but a public address: loopback, private,
/// shared, link-local, unique-local, unspecified, multicast, reserved, a
/// metadata service, or an IPv6 address embedding such an IPv4 address.
pub fn is_private_or_local(ip: IpAddr) -> bool {
    classify(ip) != AddressClass::Public
}

/// The class of `ip` (see [`AddressClass`]).
pub fn classify(ip: IpAddr) -> AddressClass {
    if is_metadata(ip) {
        return AddressClass::Metadata;
    }
    let private = match ip {
        IpAddr::V4(v4) => v4_private(v4),
        IpAddr::V6(v6) => match embedded_v4(ip) {
            Some(v4) => v4_private(v4) || v6_local_translation(v6),
            None => v6_private(v6),
        },
    };
    if private {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn v4_private(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    a == 0                                   // "this network"; 0.0.0.0 reaches the host itself
        || a == 10                           // RFC 1918
        || a == 127                          // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 169 && b == 254)            // link-local
        || (a == 172 && (16..32).contains(&b)) // RFC 1918
        || (a == 192 && b == 168)            // RFC 1918
        || (a == 192 && b == 0 && c == 0)    // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 224 // multicast, reserved, broadcast
}

fn v6_private(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] & 0xfe00) == 0xfc00 // unique-local
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard-only
        || v6_local_translation(ip)
}

/// 64:ff9b:1::/48, NAT64 for local use only.
fn v6_local_translation(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1
}

/// The IPv4 address an IPv6 address stands for: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64
/// (64:ff9b::/96 and 64:ff9b:1::/48) and 6to4 (2002::/16).
fn embedded_v4(ip: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else { return None };
    let s = v6.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    match s {
        // IPv4-compatible, but not :: and ::1.
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x64, 0xff9b, 1, _, _, _, _, _] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

/// The upstream's host as an IP address, when it is an IP literal:
/// `[v6]`, or IPv4 in any form a WHATWG URL parser (and so a Worker's
/// `fetch`) reads as one: `127.0.0.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`.
///
/// `Err(())` when the host ends in a number but is not a valid IPv4
/// address (such a URL cannot be fetched; callers treat it as forbidden).
#[allow(clippy::result_unit_err)]
pub fn upstream_ip(host: &str) -> Result<Option<IpAddr>, ()> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .map(|ip| Some(IpAddr::V6(ip)))
            .map_err(|_| ());
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or_default();
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .or_else(|| last.strip_prefix("0X"))
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if !numeric {
        return Ok(None);
    }
    whatwg_ipv4(host).map(|ip| Some(IpAddr::V4(ip))).ok_or(())
}

/// The WHATWG URL standard's IPv4 parser: one to four parts, each decimal,
/// octal (leading `0`) or hex (`0x`); the last part fills the remaining
/// bytes.
fn whatwg_ipv4(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        let (digits, radix) =
            if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                (h, 16)
            } else if part.len() > 1 && part.starts_with('0') {
                (&part[1..], 8)
            } else {
                (*part, 10)
            };
        if part.is_empty() {
            return None;
        }
        let n = if digits.is_empty() {
            0
        } else {
            u64::from_str_radix(digits, radix).ok()?
        };
        numbers.push(n);
    }
    let (last, rest) = numbers.split_last()?;
    if rest.iter().any(|n| *n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let mut value = *last;
    for (i, n) in rest.iter().enumerate() {
        value += n << (8 * (3 - i));
    }
    Some(Ipv4Addr::from(u32::try_from(value).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classes() {
        for private in [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd12:3456::1",
            "fec0::1",
            "ff02::1",
            "100::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
        ] {
            assert_eq!(classify(ip(private)), AddressClass::Private, "{private}");
            assert!(is_private_or_local(ip(private)), "{private}");
        }
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.255.0.1",
            "192.0.2.1",
            "203.0.113.9",
            "198.20.0.1",
            "2606:4700::1111",
            "2001:db8::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(classify(ip(public)), AddressClass::Public, "{public}");
            assert!(!is_private_or_local(ip(public)), "{public}");
        }
        for metadata in [
            "169.254.169.254",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
            "169.254.170.2",
            "100.100.100.200",
            "168.63.129.16",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert_eq!(classify(ip(metadata)), AddressClass::Metadata, "{metadata}");
            assert!(is_metadata(ip(metadata)));
            assert!(is_private_or_local(ip(metadata)));
        }
    }

    #[test]
    fn access_levels() {
        use AddressClass as C;
        use UpstreamAccess as A;
        assert!(A::Public.allows(C::Public));
        assert!(!A::Public.allows(C::Private));
        assert!(!A::Public.allows(C::Metadata));
        assert!(A::Private.allows(C::Private));
        assert!(!A::Private.allows(C::Metadata));
        assert!(A::Metadata.allows(C::Metadata));
        for a in [A::Public, A::Private, A::Metadata] {
            assert_eq!(A::parse(a.as_str()), Some(a));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        assert_eq!(A::default(), A::Public);
        for c in [C::Public, C::Private, C::Metadata] {
            assert!(A::needed_for(c).allows(c));
        }
    }

    #[test]
    fn ip_literals_in_every_spelling() {
        let v4 = |s: &str| upstream_ip(s).unwrap().unwrap();
        assert_eq!(v4("127.0.0.1"), ip("127.0.0.1"));
        assert_eq!(v4("2130706433"), ip("127.0.0.1"));
        assert_eq!(v4("0x7f.1"), ip("127.0.0.1"));
        assert_eq!(v4("0177.0.0.1"), ip("127.0.0.1"));
        assert_eq!(v4("127.1"), ip("127.0.0.1"));
        assert_eq!(v4("169.254.43518"), ip("169.254.169.254"));
        assert_eq!(v4("10.0.0.1."), ip("10.0.0.1"));
        assert_eq!(v4("0"), ip("0.0.0.0"));
        assert_eq!(upstream_ip("[::1]").unwrap(), Some(ip("::1")));
        assert_eq!(
            upstream_ip("[::ffff:7f00:1]").unwrap(),
            Some(ip("::ffff:127.0.0.1"))
        );
        for name in [
            "api.openai.com",
            "localhost",
            "1.2.3.example",
            "x1",
            "0x1.example",
        ] {
            assert_eq!(upstream_ip(name), Ok(None), "{name}");
        }
        for bad in [
            "256.0.0.1",
            "1.2.3.4.5",
            "a.0x",
            "[::g]",
            "[1.2.3.4]",
            "1.2.3.4294967296",
            "09",
        ] {
            assert_eq!(upstream_ip(bad), Err(()), "{bad}");
        }
    }

    proptest! {
        /// Every IPv4 address, written any way, reads back as itself and
        /// keeps its class through the IPv6 forms that embed it.
        #[test]
        fn ipv4_spellings_agree(n in any::<u32>(), form in 0..4u8) {
            let addr = Ipv4Addr::from(n);
            let [a, b, c, d] = addr.octets();
            let text = match form {
                0 => addr.to_string(),
                1 => n.to_string(),
                2 => format!("0x{a:x}.0x{b:x}.0x{c:x}.0x{d:x}"),
                _ => format!("0{a:o}.{b}.{}", u32::from(c) << 8 | u32::from(d)),
            };
            prop_assert_eq!(upstream_ip(&text), Ok(Some(IpAddr::V4(addr))), "{}", text);
            let class = classify(IpAddr::V4(addr));
            prop_assert_eq!(classify(IpAddr::V6(addr.to_ipv6_mapped())), class);
            let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, (n >> 16) as u16, n as u16);
            prop_assert_eq!(classify(IpAddr::V6(nat64)), class);
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = upstream_ip(&s);
        }
    }
}
