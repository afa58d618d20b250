//! The upstream address policy, control-plane side: what a route's
//! upstream resolves to when it is added or changed, and so who may add it.
//!
//! An upstream that is (or resolves to) a loopback, private, link-local or
//! unique-local address, or this server's own address, needs an admin of
//! the `system` team (or a global admin), who thereby approves the route
//! for private addresses. Cloud metadata services are refused unless the
//! server runs with `--allow-metadata-upstreams`. The classifier itself is
//! the gateway core's ([`tokenctl_gateway::address`]), so the native
//! gateway applies the same classes when it connects.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokenctl_gateway::address::{classify, AddressClass, UpstreamAccess};
use url::{Host, Url};

/// How long resolving an upstream host may take before the route is
/// judged on what is known (the gateway checks again when it connects).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy)]
pub struct UpstreamPolicy {
    /// The address this server listens on.
    pub listen: SocketAddr,
    /// `--allow-metadata-upstreams`.
    pub allow_metadata: bool,
}

/// What an upstream resolved to.
#[derive(Debug, Clone)]
pub struct Classified {
    /// The most sensitive class among the addresses.
    pub class: AddressClass,
    /// The address that decided `class` (for messages), if not public.
    pub decisive: Option<IpAddr>,
    /// Whether that address is this server's own.
    pub own: bool,
    /// Whether the host could be resolved (IP literals always are).
    pub resolved: bool,
}

impl Classified {
    /// The access a route to this upstream needs.
    pub fn access(&self) -> UpstreamAccess {
        UpstreamAccess::needed_for(self.class)
    }

    /// Why the upstream is not public, for messages.
    pub fn reason(&self) -> String {
        let Some(ip) = self.decisive else {
            return "a public address".into();
        };
        let what = if self.own {
            "this server's own address"
        } else {
            match self.class {
                AddressClass::Metadata => "a cloud metadata service",
                _ if ip.is_loopback() || ip.to_canonical().is_loopback() => "a loopback address",
                _ => "a private, link-local, unique-local or reserved address",
            }
        };
        format!("{ip}, {what}")
    }
}

impl UpstreamPolicy {
    /// Resolves the upstream's host (an IP literal needs no lookup) and
    /// classifies every address it yields. A host that does not resolve
    /// (or not in time) counts as public: the native gateway checks the
    /// address again each time it connects.
    pub async fn classify(&self, upstream: &str) -> Classified {
        let mut out = Classified {
            class: AddressClass::Public,
            decisive: None,
            own: false,
            resolved: true,
        };
        let Ok(url) = Url::parse(upstream) else {
            out.resolved = false;
            return out;
        };
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = match url.host() {
            Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.');
                match tokio::time::timeout(
                    RESOLVE_TIMEOUT,
                    tokio::net::lookup_host((name.to_string(), port)),
                )
                .await
                {
                    Ok(Ok(addrs)) => addrs.collect(),
                    _ => {
                        out.resolved = false;
                        vec![]
                    }
                }
            }
            None => {
                out.resolved = false;
                vec![]
            }
        };
        for addr in addrs {
            let own = self.is_own(addr);
            let class = if own {
                classify(addr.ip()).max(AddressClass::Private)
            } else {
                classify(addr.ip())
            };
            if class > out.class || (out.decisive.is_none() && class != AddressClass::Public) {
                out.class = class;
                out.decisive = Some(addr.ip());
                out.own = own;
            }
        }
        out
    }

    /// The class of one address, this server's own counting as private.
    pub fn class_of(&self, addr: SocketAddr) -> AddressClass {
        if self.is_own(addr) {
            classify(addr.ip()).max(AddressClass::Private)
        } else {
            classify(addr.ip())
        }
    }

    /// Whether `addr` reaches this server: its listen address (any port),
    /// or, when it listens on every interface, its port on any address of
    /// this machine.
    fn is_own(&self, addr: SocketAddr) -> bool {
        let ip = addr.ip().to_canonical();
        let listen = self.listen.ip().to_canonical();
        if !listen.is_unspecified() {
            return ip == listen;
        }
        addr.port() == self.listen.port() && is_local(ip)
    }
}

/// Whether `ip` belongs to this machine: it can be bound to.
fn is_local(ip: IpAddr) -> bool {
    ip.is_unspecified() || std::net::UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(listen: &str) -> UpstreamPolicy {
        UpstreamPolicy {
            listen: listen.parse().unwrap(),
            allow_metadata: false,
        }
    }

    #[tokio::test]
    async fn classifies_literals_names_and_this_server() {
        let p = policy("127.0.0.1:7700");
        let c = p.classify("http://127.0.0.1:7700/health").await;
        assert_eq!(
            (c.class, c.own, c.resolved),
            (AddressClass::Private, true, true)
        );
        assert!(c.reason().contains("own address"), "{}", c.reason());
        let c = p.classify("http://169.254.169.254/latest").await;
        assert_eq!(c.class, AddressClass::Metadata);
        assert_eq!(c.access(), UpstreamAccess::Metadata);
        let c = p.classify("http://[fd00:ec2::254]").await;
        assert_eq!(c.class, AddressClass::Metadata);
        let c = p.classify("http://10.1.2.3:8080").await;
        assert_eq!((c.class, c.own), (AddressClass::Private, false));
        let c = p.classify("https://203.0.113.7").await;
        assert_eq!(
            (c.class, c.access()),
            (AddressClass::Public, UpstreamAccess::Public)
        );
        let c = p.classify("http://localhost:9").await;
        assert_eq!(c.class, AddressClass::Private, "names are resolved");
        let c = p
            .classify("https://name-that-does-not-resolve.invalid")
            .await;
        assert_eq!((c.class, c.resolved), (AddressClass::Public, false));
    }

    #[tokio::test]
    async fn a_public_listen_address_is_this_server() {
        let p = policy("203.0.113.5:7700");
        let c = p.classify("http://203.0.113.5:22").await;
        assert_eq!((c.class, c.own), (AddressClass::Private, true));
        let c = p.classify("http://203.0.113.6:7700").await;
        assert_eq!(c.class, AddressClass::Public);
        // Listening everywhere: this machine's addresses on the server's port.
        let p = policy("0.0.0.0:7700");
        assert!(p.is_own("127.0.0.1:7700".parse().unwrap()));
        assert!(!p.is_own("127.0.0.1:7701".parse().unwrap()));
        assert!(!p.is_own("203.0.113.6:7700".parse().unwrap()));
    }
}
