//! The routes' side of a config: routes, upstream secrets and the hosts
//! each secret may be sent to, indexed for the decision.

use super::InjectHeaders;
use crate::address;
use crate::headers::HOP_BY_HOP;
use crate::host;
use crate::route::RouteTable;
use crate::snapshot::{
    remove_ids, upsert_by_id, RouteEntry, SecretHosts, SnapshotWarning, UpstreamAuth,
    UpstreamSecrets,
};
use base64::Engine as _;
use std::sync::Arc;
use uuid::Uuid;

/// Routes, upstream secrets and their hosts: small, so indexed anew on
/// every change that touches them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RouteConfig {
    /// Every route as sent, usable or not.
    pub routes: Vec<RouteEntry>,
    /// Upstream secret values by name.
    pub secrets: UpstreamSecrets,
    /// The host patterns each secret may be sent to.
    pub secret_hosts: SecretHosts,
}

/// The routes' index, shared between gateways whose routes did not change.
pub(super) struct RouteIndex {
    pub config: RouteConfig,
    pub table: RouteTable,
    /// Per route (same order as `table.routes()`): the headers to inject,
    /// or `None` when a secret is missing, unusable or not bound to the
    /// route's upstream host.
    pub auth: Vec<Option<InjectHeaders>>,
    /// Per route: whether its upstream is an IP address the route's
    /// access does not allow.
    pub forbidden: Vec<bool>,
    pub warnings: Vec<SnapshotWarning>,
}

impl RouteIndex {
    pub fn new(config: RouteConfig) -> RouteIndex {
        let table = RouteTable::new(config.routes.clone());
        let mut warnings = table.warnings().to_vec();
        let auth = table
            .routes()
            .iter()
            .map(|r| {
                auth_headers(r, &config.secrets, &config.secret_hosts, &mut warnings).map(Arc::from)
            })
            .collect();
        let forbidden = table
            .routes()
            .iter()
            .map(|r| ip_literal_forbidden(r, &mut warnings))
            .collect();
        RouteIndex {
            config,
            table,
            auth,
            forbidden,
            warnings,
        }
    }
}

impl RouteConfig {
    /// Applies an incremental update's route and secret changes, with the
    /// rules of [`Snapshot::apply`](crate::snapshot::Snapshot::apply).
    pub fn apply(
        &mut self,
        routes: Vec<RouteEntry>,
        removed_routes: &[Uuid],
        secrets: UpstreamSecrets,
        secret_hosts: SecretHosts,
        removed_secrets: &[String],
    ) {
        upsert_by_id(&mut self.routes, routes, |r| r.id);
        self.secrets.0.extend(secrets.0);
        self.secret_hosts.extend(secret_hosts);
        remove_ids(&mut self.routes, removed_routes, |r| r.id);
        for name in removed_secrets {
            self.secrets.0.remove(name);
            self.secret_hosts.remove(name);
        }
    }
}

/// Whether the route's upstream is an IP literal its access does not allow
/// (with a warning). A host that ends in a number but is no valid IPv4
/// address is refused too: it cannot be reached safely.
fn ip_literal_forbidden(route: &RouteEntry, warnings: &mut Vec<SnapshotWarning>) -> bool {
    let Some(host) = host::upstream_host(&route.upstream) else {
        return true;
    };
    let allowed = match address::upstream_ip(&host) {
        Ok(None) => return false,
        Ok(Some(ip)) => route.upstream_access.allows(address::classify(ip)),
        Err(()) => false,
    };
    if !allowed {
        warnings.push(SnapshotWarning::UpstreamAddressForbidden {
            route: route.name.clone(),
            host,
            access: route.upstream_access,
        });
    }
    !allowed
}

/// Builds the headers a route injects, or `None` (with a warning) when a
/// secret is missing, could not be sent in a header, or may not be sent to
/// the route's upstream host.
fn auth_headers(
    route: &RouteEntry,
    secrets: &UpstreamSecrets,
    secret_hosts: &SecretHosts,
    warnings: &mut Vec<SnapshotWarning>,
) -> Option<Vec<(String, String)>> {
    let upstream_host = host::upstream_host(&route.upstream).unwrap_or_default();
    let mut secret = |name: &str| {
        let value = usable_secret(route, secrets, name, warnings)?;
        let bound = secret_hosts
            .get(name)
            .is_some_and(|hosts| host::matches_any(hosts, &upstream_host));
        if !bound {
            warnings.push(SnapshotWarning::SecretHostNotAllowed {
                route: route.name.clone(),
                secret: name.to_string(),
                host: upstream_host.clone(),
            });
            return None;
        }
        Some(value)
    };
    let headers = match &route.auth {
        UpstreamAuth::None => vec![],
        UpstreamAuth::Bearer { secret: name } => {
            let value = secret(name)?;
            vec![("authorization".into(), format!("Bearer {value}"))]
        }
        UpstreamAuth::Header {
            header,
            secret: name,
        } => {
            let value = secret(name);
            if !is_injectable_header(header) {
                warnings.push(SnapshotWarning::InvalidAuthHeader {
                    route: route.name.clone(),
                    header: header.clone(),
                });
                return None;
            }
            vec![(header.to_ascii_lowercase(), value?.to_string())]
        }
        UpstreamAuth::Basic {
            username_secret,
            password_secret,
        } => {
            let user = secret(username_secret);
            let password = secret(password_secret);
            let (user, password) = (user?, password?);
            if user.contains(':') {
                // RFC 7617: the user-id cannot contain a colon; the upstream
                // would split it at the wrong place.
                warnings.push(SnapshotWarning::UpstreamSecretUnusable {
                    route: route.name.clone(),
                    secret: username_secret.clone(),
                    problem: "contains `:`, which a Basic auth user name cannot",
                });
                return None;
            }
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            vec![("authorization".into(), format!("Basic {encoded}"))]
        }
    };
    Some(headers)
}

/// The value of the secret `name` if it can be sent in a header; otherwise
/// records why not.
fn usable_secret<'s>(
    route: &RouteEntry,
    secrets: &'s UpstreamSecrets,
    name: &str,
    warnings: &mut Vec<SnapshotWarning>,
) -> Option<&'s str> {
    let problem = match secrets.get(name) {
        None => "is missing from the snapshot",
        Some("") => "is empty",
        Some(v) if v.bytes().any(|b| b.is_ascii_control()) => {
            "contains control characters, which cannot be sent in a header"
        }
        Some(v) => return Some(v),
    };
    warnings.push(SnapshotWarning::UpstreamSecretUnusable {
        route: route.name.clone(),
        secret: name.to_string(),
        problem,
    });
    None
}

/// An RFC 9110 token that a front-end will actually send: not a header the
/// HTTP stack owns (`host`, framing, hop-by-hop).
fn is_injectable_header(name: &str) -> bool {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    !name.is_empty()
        && name.bytes().all(is_tchar)
        && !["host", "content-length"]
            .iter()
            .chain(HOP_BY_HOP.iter())
            .any(|h| h.eq_ignore_ascii_case(name))
}
