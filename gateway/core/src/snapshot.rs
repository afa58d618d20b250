//! What the control plane sends to gateways: a versioned, self-contained
//! [`Snapshot`] of every token, route and upstream secret a gateway needs to
//! decide requests on its own.
//!
//! The types are plain serde structs. Unknown fields are ignored so an older
//! gateway keeps working when the control plane adds fields; collection
//! fields default to empty so a newer gateway can read an older snapshot.

use crate::address::UpstreamAccess;
use crate::llm::Provider;
use crate::quota::{PriceEntry, QuotaState};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use uuid::Uuid;

mod streamed;
pub use streamed::StreamedUpdate;

/// Everything a gateway needs, as of `generated_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Monotonically increasing; a gateway ignores a snapshot older than the
    /// one it runs.
    pub version: u64,
    /// When the control plane built this snapshot.
    pub generated_at: DateTime<Utc>,
    /// Every token the gateway should know about, including revoked ones
    /// (they are rejected with the same error as unknown ones).
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    /// Every route.
    #[serde(default)]
    pub routes: Vec<RouteEntry>,
    /// Upstream secret values by name, as referenced by [`UpstreamAuth`].
    #[serde(default)]
    pub secrets: UpstreamSecrets,
    /// The host patterns each secret may be sent to (see [`crate::host`]).
    /// A secret without an entry may be sent nowhere.
    #[serde(default)]
    pub secret_hosts: SecretHosts,
    /// Quota state per subject (token or team) that has quotas, kept apart
    /// from the tokens (see [`crate::quota`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<QuotaState>,
    /// Model prices, so a gateway can count what LLM calls cost toward
    /// budgets between publications: per model, the price in force and
    /// any later ones (see [`crate::quota::PriceTable`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<PriceEntry>,
}

/// Secret name → the host patterns the secret may be sent to.
pub type SecretHosts = BTreeMap<String, Vec<String>>;

impl Snapshot {
    /// Applies an update from the config feed.
    ///
    /// A `full` update replaces everything, whatever its version: it is
    /// authoritative (after a control-plane restore versions may even go
    /// back). An incremental update older than this snapshot is refused
    /// with [`StaleUpdate`] and changes nothing. Otherwise entries are
    /// upserted by id (secrets by name), keeping the order of existing
    /// ones, and then the removals are applied, so an entry that is both
    /// upserted and removed ends up removed.
    pub fn apply(&mut self, update: ConfigUpdate) -> Result<(), StaleUpdate> {
        if update.full {
            *self = Snapshot {
                version: update.version,
                generated_at: update.generated_at,
                tokens: update.tokens,
                routes: update.routes,
                secrets: update.secrets,
                secret_hosts: update.secret_hosts,
                quotas: update.quotas,
                prices: update.prices,
            };
            return Ok(());
        }
        if update.version < self.version {
            return Err(StaleUpdate {
                current: self.version,
                update: update.version,
            });
        }
        self.version = update.version;
        self.generated_at = update.generated_at;
        upsert_by_id(&mut self.tokens, update.tokens, |t| t.id);
        upsert_by_id(&mut self.routes, update.routes, |r| r.id);
        self.secrets.0.extend(update.secrets.0);
        self.secret_hosts.extend(update.secret_hosts);
        remove_ids(&mut self.tokens, &update.removed_tokens, |t| t.id);
        remove_ids(&mut self.routes, &update.removed_routes, |r| r.id);
        upsert_by_id(&mut self.quotas, update.quotas, |q| q.subject);
        remove_ids(&mut self.quotas, &update.removed_quotas, |q| q.subject);
        if !update.prices.is_empty() {
            // A model listed replaces its whole list.
            let models: HashSet<&str> = update.prices.iter().map(|p| p.model.as_str()).collect();
            self.prices.retain(|p| !models.contains(p.model.as_str()));
            self.prices.extend(update.prices);
        }
        for name in &update.removed_secrets {
            self.secrets.0.remove(name);
            self.secret_hosts.remove(name);
        }
        Ok(())
    }
}

pub(crate) fn upsert_by_id<T>(items: &mut Vec<T>, updates: Vec<T>, id: impl Fn(&T) -> Uuid) {
    let mut position: HashMap<Uuid, usize> =
        items.iter().enumerate().map(|(i, t)| (id(t), i)).collect();
    for item in updates {
        match position.get(&id(&item)) {
            Some(&i) => items[i] = item,
            None => {
                position.insert(id(&item), items.len());
                items.push(item);
            }
        }
    }
}

pub(crate) fn remove_ids<T>(items: &mut Vec<T>, removed: &[Uuid], id: impl Fn(&T) -> Uuid) {
    if !removed.is_empty() {
        let removed: HashSet<Uuid> = removed.iter().copied().collect();
        items.retain(|t| !removed.contains(&id(t)));
    }
}

/// What the config feed returns: a full snapshot (`full`), or the changes
/// since the version the gateway asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigUpdate {
    /// The version the gateway has after applying this update.
    pub version: u64,
    /// When the control plane built this update.
    pub generated_at: DateTime<Utc>,
    /// Whether this replaces everything rather than listing changes.
    #[serde(default)]
    pub full: bool,
    /// Tokens added or changed (all tokens when `full`).
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    /// Ids of tokens to forget.
    #[serde(default)]
    pub removed_tokens: Vec<Uuid>,
    /// Routes added or changed (all routes when `full`).
    #[serde(default)]
    pub routes: Vec<RouteEntry>,
    /// Ids of routes to forget.
    #[serde(default)]
    pub removed_routes: Vec<Uuid>,
    /// Secrets added or changed (all secrets when `full`): values by name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub secrets: UpstreamSecrets,
    /// The host patterns of the secrets in `secrets`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Vec<String>>))]
    pub secret_hosts: SecretHosts,
    /// Names of secrets to forget.
    #[serde(default)]
    pub removed_secrets: Vec<String>,
    /// Quota state of subjects added or changed (all subjects with quotas
    /// when `full`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<QuotaState>,
    /// Subjects (token or team ids) that no longer have quotas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_quotas: Vec<Uuid>,
    /// Model prices (every published one when `full`): per model listed,
    /// the price in force and any later ones, replacing what the gateway
    /// had for that model. Prices are never removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<PriceEntry>,
}

/// An incremental update older than the snapshot it was applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("config update {update} is older than the current version {current}; ignored")]
pub struct StaleUpdate {
    /// The snapshot's version.
    pub current: u64,
    /// The update's version.
    pub update: u64,
}

/// One API token, identified by the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenEntry {
    /// The token's id.
    pub id: Uuid,
    /// The owning team's id.
    pub team_id: Uuid,
    /// The owning team's name.
    pub team: String,
    /// The token's name.
    pub name: String,
    /// Lowercase hex SHA-256 of the current secret (see
    /// [`hash_secret`](crate::token::hash_secret)).
    pub secret_hash: String,
    /// Lowercase hex SHA-256 of the secret replaced by the last rotation,
    /// accepted until `previous_expires_at`.
    #[serde(default)]
    pub previous_hash: Option<String>,
    /// End of the rotation grace. Without it the previous secret is not
    /// accepted at all.
    #[serde(default)]
    pub previous_expires_at: Option<DateTime<Utc>>,
    /// `*`, route names and `tag:TAG` (see [`crate::scope`]).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// When the token stops working; `None` means never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// A revoked token is rejected exactly like an unknown one.
    #[serde(default)]
    pub revoked: bool,
    /// Networks the token may be used from; empty means anywhere.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub allow_ips: Vec<IpNet>,
    /// Per-token request rate; `None` means unlimited.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
}

/// `requests` per `period_secs`, enforced as a token bucket (see
/// [`crate::ratelimit`]). Written `N/PERIOD`, e.g. `100/1m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateLimit {
    /// Bucket size and number of requests refilled per period.
    pub requests: u32,
    /// Length of the period in seconds.
    pub period_secs: u64,
}

/// A path prefix forwarded to an upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteEntry {
    /// The route's id.
    pub id: Uuid,
    /// The route's name, as used in token scopes.
    pub name: String,
    /// Normalised path prefix: `/` or `/seg/seg` (no trailing slash),
    /// matched on segment boundaries.
    pub path: String,
    /// Absolute `http(s)` base URL without a trailing slash, possibly with a
    /// base path, e.g. `https://api.openai.com/v1`.
    pub upstream: String,
    /// Tags, matched by `tag:TAG` scopes.
    #[serde(default)]
    pub tags: Vec<String>,
    /// How the gateway authenticates to the upstream.
    #[serde(default)]
    pub auth: UpstreamAuth,
    /// Upstream request timeout in milliseconds.
    pub timeout_ms: u64,
    /// Whether every team may use the route; otherwise only `teams`.
    /// Absent (an older control plane) means no team: fail closed.
    #[serde(default)]
    pub all_teams: bool,
    /// Ids of the teams granted the route (see [`crate::scope`]).
    #[serde(default)]
    pub teams: Vec<Uuid>,
    /// Which addresses the gateway may connect to for this route (see
    /// [`crate::address`]).
    #[serde(default)]
    pub upstream_access: UpstreamAccess,
    /// The LLM API the upstream speaks, if the route is one: gateways then
    /// read the token counts of its responses (see [`crate::llm`]). Absent
    /// (an older control plane, or not an LLM route): none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<Provider>,
}

impl fmt::Display for RateLimit {
    /// `100/1m`, `10/1s`, `5000/1d`, or `7/90s` when no larger unit divides.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.period_secs;
        let (n, unit) = match p {
            _ if p > 0 && p.is_multiple_of(86_400) => (p / 86_400, "d"),
            _ if p > 0 && p.is_multiple_of(3_600) => (p / 3_600, "h"),
            _ if p > 0 && p.is_multiple_of(60) => (p / 60, "m"),
            _ => (p, "s"),
        };
        write!(f, "{}/{n}{unit}", self.requests)
    }
}

/// How the gateway authenticates to an upstream. The strings are secret
/// *names*; values are looked up in [`Snapshot::secrets`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum UpstreamAuth {
    /// Forward without credentials.
    #[default]
    None,
    /// `Authorization: Bearer <secret>`.
    Bearer {
        /// Name of the secret holding the bearer token.
        secret: String,
    },
    /// `<header>: <secret>`.
    Header {
        /// The header name, e.g. `x-api-key`.
        header: String,
        /// Name of the secret holding the header value.
        secret: String,
    },
    /// `Authorization: Basic base64(<username>:<password>)`.
    Basic {
        /// Name of the secret holding the user name.
        username_secret: String,
        /// Name of the secret holding the password.
        password_secret: String,
    },
}

impl UpstreamAuth {
    /// The secret names this auth refers to.
    pub fn secret_names(&self) -> Vec<&str> {
        match self {
            UpstreamAuth::None => Vec::new(),
            UpstreamAuth::Bearer { secret } | UpstreamAuth::Header { secret, .. } => {
                vec![secret]
            }
            UpstreamAuth::Basic {
                username_secret,
                password_secret,
            } => vec![username_secret, password_secret],
        }
    }
}

impl fmt::Display for UpstreamAuth {
    /// The command-line form: `none`, `bearer:SECRET`,
    /// `header:HEADER-NAME:SECRET`, `basic:USER-SECRET:PASS-SECRET`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpstreamAuth::None => write!(f, "none"),
            UpstreamAuth::Bearer { secret } => write!(f, "bearer:{secret}"),
            UpstreamAuth::Header { header, secret } => write!(f, "header:{header}:{secret}"),
            UpstreamAuth::Basic {
                username_secret,
                password_secret,
            } => write!(f, "basic:{username_secret}:{password_secret}"),
        }
    }
}

/// Upstream secret values by name. Its `Debug` shows the names only, so a
/// snapshot can be logged without leaking credentials.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UpstreamSecrets(pub BTreeMap<String, String>);

impl UpstreamSecrets {
    /// The value of the secret `name`, if the snapshot carries it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl fmt::Debug for UpstreamSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, Redacted)))
            .finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for UpstreamSecrets {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        UpstreamSecrets(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// Prints `<redacted>` in place of a secret value.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An entry of a snapshot that the gateway could not use.
///
/// Snapshots are always applied: refusing a whole snapshot because of one
/// bad entry would also hold back revocations. Unusable entries are dropped
/// instead, which fails closed (the token or route simply does not work),
/// and reported so the front-end can log them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotWarning {
    /// The route's path is not a normalised prefix; the route is ignored.
    #[error("route `{route}`: path `{path}` is not a normalised prefix; route ignored")]
    InvalidRoutePath {
        /// Route name.
        route: String,
        /// The offending path.
        path: String,
    },
    /// The route's upstream is not an absolute http(s) base URL; the route
    /// is ignored.
    #[error("route `{route}`: upstream `{upstream}` is not an absolute http(s) URL without query, fragment or credentials; route ignored")]
    InvalidUpstream {
        /// Route name.
        route: String,
        /// The offending upstream.
        upstream: String,
    },
    /// Two routes share a path; the one listed first wins.
    #[error("route `{route}`: path `{path}` is already used by route `{kept}`; route ignored")]
    DuplicateRoutePath {
        /// The ignored route.
        route: String,
        /// The shared path.
        path: String,
        /// The route that keeps the path.
        kept: String,
    },
    /// A secret the route's upstream auth needs is missing or unusable;
    /// requests to the route are denied with `upstream_auth_unavailable`.
    #[error("route `{route}`: upstream secret `{secret}` {problem}; requests to it will fail")]
    UpstreamSecretUnusable {
        /// Route name.
        route: String,
        /// Secret name.
        secret: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The route's upstream is an IP address its `upstream_access` does not
    /// allow; requests to it are denied with `upstream_forbidden`.
    #[error("route `{route}`: upstream address `{host}` is not allowed for a route with {access} upstream access; requests to it will fail")]
    UpstreamAddressForbidden {
        /// Route name.
        route: String,
        /// The upstream's host.
        host: String,
        /// The route's approved access.
        access: UpstreamAccess,
    },
    /// The route's upstream host is not one the secret may be sent to;
    /// requests to the route are denied with `upstream_auth_unavailable`.
    #[error("route `{route}`: upstream secret `{secret}` may not be sent to host `{host}`; requests to it will fail")]
    SecretHostNotAllowed {
        /// Route name.
        route: String,
        /// Secret name.
        secret: String,
        /// The route's upstream host.
        host: String,
    },
    /// The route's `header` auth names a header that is not a valid HTTP
    /// header name; requests to the route are denied with
    /// `upstream_auth_unavailable`.
    #[error("route `{route}`: `{header}` is not a valid header name for upstream auth; requests to it will fail")]
    InvalidAuthHeader {
        /// Route name.
        route: String,
        /// The offending header name.
        header: String,
    },
    /// A token hash is not 64 hex digits; that secret will never match.
    #[error("token {token}: `{field}` is not a hex SHA-256; that secret is ignored")]
    InvalidSecretHash {
        /// Token id.
        token: Uuid,
        /// `secret_hash` or `previous_hash`.
        field: &'static str,
    },
    /// Two token entries claim the same secret hash; the current secret of
    /// a token wins over a previous one, then the entry listed first.
    #[error("token {token}: its {field} is already used by token {kept}; ignored")]
    DuplicateSecretHash {
        /// The token whose hash is ignored.
        token: Uuid,
        /// `secret_hash` or `previous_hash`.
        field: &'static str,
        /// The token that keeps the hash.
        kept: Uuid,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
        "version": 7,
        "generated_at": "2026-11-26T12:00:00Z",
        "tokens": [{
            "id": "0190f3f0-0000-7000-8000-000000000001",
            "team_id": "0190f3f0-0000-7000-8000-0000000000aa",
            "team": "ml",
            "name": "ci",
            "secret_hash": "00",
            "scopes": ["openai", "tag:llm"],
            "expires_at": null,
            "revoked": false,
            "allow_ips": ["10.0.0.0/8", "2001:db8::/32"],
            "rate_limit": {"requests": 100, "period_secs": 60},
            "some_future_field": true
        }],
        "routes": [{
            "id": "0190f3f0-0000-7000-8000-0000000000b1",
            "name": "openai",
            "path": "/api/openai",
            "upstream": "https://api.openai.com/v1",
            "tags": ["llm"],
            "auth": {"type": "bearer", "secret": "openai-key"},
            "timeout_ms": 30000,
            "all_teams": false,
            "teams": ["0190f3f0-0000-7000-8000-0000000000aa"],
            "upstream_access": "public"
        }, {
            "id": "0190f3f0-0000-7000-8000-0000000000b2",
            "name": "from-an-older-server",
            "path": "/old",
            "upstream": "http://10.0.0.1",
            "timeout_ms": 1000
        }],
        "secrets": {"openai-key": "sk-live-very-secret"},
        "secret_hosts": {"openai-key": ["api.openai.com"]}
    }"#;

    #[test]
    fn deserialises_the_wire_format() {
        let s: Snapshot = serde_json::from_str(JSON).unwrap();
        assert_eq!(s.version, 7);
        assert_eq!(s.tokens[0].allow_ips.len(), 2);
        assert_eq!(s.tokens[0].previous_hash, None);
        assert_eq!(
            s.tokens[0].rate_limit,
            Some(RateLimit {
                requests: 100,
                period_secs: 60
            })
        );
        assert_eq!(
            s.routes[0].auth,
            UpstreamAuth::Bearer {
                secret: "openai-key".into()
            }
        );
        assert_eq!(s.secrets.get("openai-key"), Some("sk-live-very-secret"));
        assert_eq!(s.secret_hosts["openai-key"], ["api.openai.com"]);
        assert_eq!(
            s.routes[0].teams,
            [Uuid::from_u128(0x0190f3f0_0000_7000_8000_0000000000aa)]
        );
        // Fields an older control plane does not send fail closed: no team,
        // public addresses only.
        let old = &s.routes[1];
        assert!(!old.all_teams && old.teams.is_empty());
        assert_eq!(old.upstream_access, UpstreamAccess::Public);
        // And it round-trips.
        let again: Snapshot = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn upstream_auth_is_tagged_by_type() {
        let cases = [
            (UpstreamAuth::None, r#"{"type":"none"}"#),
            (
                UpstreamAuth::Header {
                    header: "x-key".into(),
                    secret: "s".into(),
                },
                r#"{"type":"header","header":"x-key","secret":"s"}"#,
            ),
            (
                UpstreamAuth::Basic {
                    username_secret: "u".into(),
                    password_secret: "p".into(),
                },
                r#"{"type":"basic","username_secret":"u","password_secret":"p"}"#,
            ),
        ];
        for (auth, json) in cases {
            assert_eq!(serde_json::to_string(&auth).unwrap(), json);
            assert_eq!(serde_json::from_str::<UpstreamAuth>(json).unwrap(), auth);
        }
        assert_eq!(
            UpstreamAuth::Basic {
                username_secret: "u".into(),
                password_secret: "p".into()
            }
            .secret_names(),
            ["u", "p"]
        );
    }

    fn entry(n: u128, name: &str) -> TokenEntry {
        TokenEntry {
            id: Uuid::from_u128(n),
            team_id: Uuid::nil(),
            team: "t".into(),
            name: name.into(),
            secret_hash: String::new(),
            previous_hash: None,
            previous_expires_at: None,
            scopes: vec![],
            expires_at: None,
            revoked: false,
            allow_ips: vec![],
            rate_limit: None,
        }
    }

    fn update(version: u64, full: bool) -> ConfigUpdate {
        ConfigUpdate {
            version,
            generated_at: "2026-11-26T12:00:00Z".parse().unwrap(),
            full,
            tokens: vec![],
            removed_tokens: vec![],
            routes: vec![],
            removed_routes: vec![],
            secrets: UpstreamSecrets::default(),
            secret_hosts: SecretHosts::default(),
            removed_secrets: vec![],
            quotas: vec![],
            removed_quotas: vec![],
            prices: vec![],
        }
    }

    #[test]
    fn applies_full_and_incremental_updates() {
        let mut s: Snapshot = serde_json::from_str(JSON).unwrap();
        let route_id = s.routes[0].id;

        let mut u = update(8, false);
        u.tokens = vec![entry(1, "renamed"), entry(2, "new")];
        u.tokens[0].id = s.tokens[0].id;
        u.removed_routes = vec![route_id];
        u.secrets = [("other", "x"), ("openai-key", "rotated")]
            .into_iter()
            .collect();
        u.secret_hosts = [
            ("other".to_string(), vec!["x.example".to_string()]),
            ("openai-key".to_string(), vec!["*.openai.com".to_string()]),
        ]
        .into();
        u.removed_secrets = vec!["other".into()];
        s.apply(u).unwrap();
        assert_eq!(s.secret_hosts.len(), 1, "removed with the secret");
        assert_eq!(s.secret_hosts["openai-key"], ["*.openai.com"]);
        assert_eq!(s.version, 8);
        let names: Vec<_> = s.tokens.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["renamed", "new"]);
        assert_eq!(s.routes.len(), 1);
        assert_eq!(s.secrets.get("openai-key"), Some("rotated"));
        assert_eq!(s.secrets.get("other"), None);

        // Removal wins over an upsert in the same update.
        let mut u = update(9, false);
        u.tokens = vec![entry(2, "again")];
        u.removed_tokens = vec![Uuid::from_u128(2)];
        s.apply(u).unwrap();
        assert_eq!(s.tokens.len(), 1);

        // Stale incremental updates change nothing.
        let before = s.clone();
        assert_eq!(
            s.apply(update(3, false)),
            Err(StaleUpdate {
                current: 9,
                update: 3
            })
        );
        assert_eq!(s, before);

        // A full update replaces everything, even with a lower version.
        let mut u = update(2, true);
        u.tokens = vec![entry(5, "only")];
        s.apply(u).unwrap();
        assert_eq!((s.version, s.tokens.len(), s.secrets.0.len()), (2, 1, 0));
    }

    #[test]
    fn config_update_wire_format() {
        let u: ConfigUpdate =
            serde_json::from_str(r#"{"version":4,"generated_at":"2026-11-26T12:00:00Z","removed_tokens":["00000000-0000-0000-0000-000000000001"]}"#)
                .unwrap();
        assert!(!u.full);
        assert_eq!(u.removed_tokens, [Uuid::from_u128(1)]);
        assert!(!format!("{:?}", update(1, true)).is_empty());
    }

    #[test]
    fn debug_redacts_secret_values() {
        let s: Snapshot = serde_json::from_str(JSON).unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("openai-key"));
        assert!(!shown.contains("sk-live-very-secret"));
        assert!(shown.contains("<redacted>"));
    }
}
