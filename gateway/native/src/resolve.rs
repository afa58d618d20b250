//! The upstream address policy at connect time: a resolver that never
//! hands the HTTP client an address the route's [`UpstreamAccess`] does not
//! allow. A public name that starts resolving to a private, loopback or
//! metadata address (DNS rebinding, a hijacked record, a changed internal
//! zone) is refused with `upstream_forbidden` instead of reached.
//!
//! Upstreams written as IP addresses never get here (hyper connects to them
//! directly); the core refuses those when it decides the request.

use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokenctl_gateway::address::{classify, UpstreamAccess};

/// Resolves with the system resolver and keeps only the addresses `access`
/// allows; fails with [`Forbidden`] when none is left.
#[derive(Clone)]
pub struct GuardedResolver {
    inner: GaiResolver,
    access: UpstreamAccess,
}

impl GuardedResolver {
    pub fn new(access: UpstreamAccess) -> GuardedResolver {
        GuardedResolver {
            inner: GaiResolver::new(),
            access,
        }
    }
}

/// Every address a name resolved to is one its route may not reach.
#[derive(Debug)]
pub struct Forbidden {
    pub name: String,
    pub addresses: Vec<std::net::IpAddr>,
}

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` resolves only to addresses the route may not reach: {:?}",
            self.name, self.addresses
        )
    }
}

impl std::error::Error for Forbidden {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        tower_service::Service::poll_ready(&mut self.inner, cx).map_err(Into::into)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let access = self.access;
        let host = name.as_str().to_string();
        let lookup = tower_service::Service::call(&mut self.inner, name);
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = lookup.await?.collect();
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
                .into_iter()
                .partition(|a| access.allows(classify(a.ip())));
            if allowed.is_empty() && !refused.is_empty() {
                return Err(Box::new(Forbidden {
                    name: host,
                    addresses: refused.iter().map(SocketAddr::ip).collect(),
                }) as BoxError);
            }
            Ok(allowed.into_iter())
        })
    }
}

/// Whether a client error comes from [`Forbidden`].
pub fn forbidden_in<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e Forbidden> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(f) = e.downcast_ref::<Forbidden>() {
            return Some(f);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use tower_service::Service;

    async fn resolve(access: UpstreamAccess, name: &str) -> Result<Vec<SocketAddr>, BoxError> {
        let mut r = GuardedResolver::new(access);
        r.call(Name::from_str(name).unwrap())
            .await
            .map(|a| a.collect())
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_needs_private_access() {
        let err = resolve(UpstreamAccess::Public, "localhost")
            .await
            .unwrap_err();
        let forbidden = forbidden_in(&*err).expect("a Forbidden error");
        assert_eq!(forbidden.name, "localhost");
        assert!(forbidden.addresses.iter().all(|a| a.is_loopback()));
        let ok = resolve(UpstreamAccess::Private, "localhost").await.unwrap();
        assert!(!ok.is_empty());
    }
}
