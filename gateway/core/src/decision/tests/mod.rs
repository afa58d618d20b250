//! The decision's unit tests, one concern per file, on the fixtures below.

mod checks;
mod incremental;
mod least_privilege;
mod lookups_and_warnings;

use super::*;
use crate::snapshot::{RateLimit, SecretHosts, UpstreamAuth, UpstreamSecrets};
use crate::token::Secret;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn secret(n: u8) -> String {
    Secret::from_key_material(SecretKind::ApiToken, &[n; 32]).into_exposed()
}

fn token(n: u8, scopes: &[&str]) -> TokenEntry {
    TokenEntry {
        id: Uuid::from_u128(u128::from(n)),
        team_id: Uuid::from_u128(0xaa),
        team: "ml".into(),
        name: format!("t{n}"),
        secret_hash: token::hash_secret(&secret(n)),
        previous_hash: None,
        previous_expires_at: None,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires_at: None,
        revoked: false,
        allow_ips: vec![],
        rate_limit: None,
    }
}

fn route(n: u128, name: &str, path: &str, upstream: &str, auth: UpstreamAuth) -> RouteEntry {
    RouteEntry {
        id: Uuid::from_u128(0x100 + n),
        name: name.into(),
        path: path.into(),
        upstream: upstream.into(),
        tags: vec!["llm".into()],
        auth,
        timeout_ms: 15_000,
        all_teams: true,
        teams: vec![],
        upstream_access: UpstreamAccess::Public,
        llm: None,
    }
}

fn hosts(pairs: &[(&str, &str)]) -> SecretHosts {
    let mut out = SecretHosts::new();
    for (secret, host) in pairs {
        out.entry(secret.to_string())
            .or_default()
            .push(host.to_string());
    }
    out
}

/// Where the fixture's secrets may be sent: their routes' hosts.
fn fixture_hosts() -> SecretHosts {
    hosts(&[
        ("openai-key", "api.openai.com"),
        ("anthropic-key", "*.anthropic.com"),
        ("legacy-user", "10.0.0.9"),
        ("legacy-pass", "10.0.0.9"),
    ])
}

/// Tokens: 1 `*`; 2 `openai` only; 3 revoked; 4 expires at `now()`;
/// 5 rotated (previous = secret 50, grace until now + 1h);
/// 6 IP-restricted; 7 rate-limited 2/min; 8 `tag:llm`.
fn gateway() -> Gateway {
    let mut revoked = token(3, &["*"]);
    revoked.revoked = true;
    let mut expired = token(4, &["*"]);
    expired.expires_at = Some(now());
    let mut rotated = token(5, &["*"]);
    rotated.previous_hash = Some(token::hash_secret(&secret(50)));
    rotated.previous_expires_at = Some(now() + chrono::Duration::hours(1));
    let mut ip = token(6, &["*"]);
    ip.allow_ips = vec![
        "10.0.0.0/8".parse().unwrap(),
        "2001:db8::/32".parse().unwrap(),
    ];
    let mut limited = token(7, &["*"]);
    limited.rate_limit = Some(RateLimit {
        requests: 2,
        period_secs: 60,
    });
    let mut snapshot = Snapshot {
        version: 3,
        generated_at: now(),
        tokens: vec![
            token(1, &["*"]),
            token(2, &["openai"]),
            revoked,
            expired,
            rotated,
            ip,
            limited,
            token(8, &["tag:llm"]),
        ],
        routes: vec![
            route(
                1,
                "openai",
                "/api/openai",
                "https://api.openai.com/v1",
                UpstreamAuth::Bearer {
                    secret: "openai-key".into(),
                },
            ),
            route(
                2,
                "anthropic",
                "/api/anthropic",
                "https://api.anthropic.com",
                UpstreamAuth::Header {
                    header: "X-Api-Key".into(),
                    secret: "anthropic-key".into(),
                },
            ),
            route(
                3,
                "legacy",
                "/legacy",
                "http://10.0.0.9:8080/",
                UpstreamAuth::Basic {
                    username_secret: "legacy-user".into(),
                    password_secret: "legacy-pass".into(),
                },
            ),
            route(
                4,
                "broken",
                "/broken",
                "https://broken.example",
                UpstreamAuth::Bearer {
                    secret: "missing".into(),
                },
            ),
            route(
                5,
                "open",
                "/open",
                "https://open.example",
                UpstreamAuth::None,
            ),
        ],
        secrets: [
            ("openai-key", "sk-openai"),
            ("anthropic-key", "sk-ant"),
            ("legacy-user", "Aladdin"),
            ("legacy-pass", "open sesame"),
        ]
        .into_iter()
        .collect(),
        secret_hosts: fixture_hosts(),
        quotas: Default::default(),
        prices: Default::default(),
    };
    // An internal service, approved as such.
    snapshot.routes[2].upstream_access = UpstreamAccess::Private;
    Gateway::new(snapshot)
}

fn req<'a>(path: &'a str, key: Option<&'a str>) -> RequestInfo<'a> {
    RequestInfo {
        method: "POST",
        raw_path: path,
        api_key_header: key,
        client_ip: Some("203.0.113.7".parse().unwrap()),
        ..Default::default()
    }
}

fn decide(gw: &Gateway, req: &RequestInfo<'_>) -> Result<Allowed, Denied> {
    gw.authorize(&mut RateLimiter::new(), req, now())
}

fn denied(result: Result<Allowed, Denied>) -> (u16, &'static str) {
    let d = result.expect_err("expected a denial");
    (d.status, d.code)
}
