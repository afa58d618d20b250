//! What a gateway refuses, and how fast it follows changes that refuse.

use crate::gateways::{body, eventually, token, GatewayUnderTest, Kind};
use std::time::{Duration, Instant};

/// The statements that make a change written behind the server's back
/// visible in its config feed (as an API change would).
pub(super) fn touch(kind: &str, id: &str) -> String {
    format!(
        "INSERT INTO config_changes (at, entity_type, entity_id) \
         SELECT at, '{kind}', '{id}' FROM config_changes ORDER BY seq DESC LIMIT 1"
    )
}

pub fn error_codes(s: &mut dyn GatewayUnderTest) {
    // Nothing synced yet (the Worker starts on an empty KV). The native
    // gateway gets its config before it is ready; its not-ready answers
    // are tested with the server down in faults.rs and hostile.rs.
    let all = token(s.cli(), "all", &["--scope", "*"]);
    if s.kind() == Kind::Worker {
        let (status, health) = s.health();
        assert_eq!(
            (status, health["status"].as_str()),
            (503, Some("no_config"))
        );
        let r = s.http().get(&s.url("/api/echo"), Some(&all));
        assert_eq!((r.status, r.code()), (503, "gateway_not_ready".into()));
    }

    let upstream = s.upstream().url.clone();
    let cli = s.cli();
    cli.json(&[
        "route",
        "add",
        "other",
        "--all-teams",
        "--path",
        "/api/other",
        "--upstream",
        &upstream,
        "--tag",
        "misc",
    ]);
    cli.json(&[
        "route",
        "add",
        "dead",
        "--all-teams",
        "--path",
        "/api/dead",
        "--upstream",
        "http://127.0.0.1:9",
    ]);
    // A secret no header can carry: the core refuses the route's credential.
    cli.run_with_stdin(
        &["secret", "set", "BROKEN_KEY", "--host", "127.0.0.1"],
        "line1\nline2",
    )
    .ok();
    cli.json(&[
        "route",
        "add",
        "broken",
        "--all-teams",
        "--path",
        "/api/broken",
        "--upstream",
        &upstream,
        "--auth",
        "bearer:BROKEN_KEY",
    ]);
    let scoped = token(cli, "scoped", &["--scope", "echo"]);
    let tagged = token(cli, "tagged", &["--scope", "tag:misc"]);
    let office = token(cli, "office", &["--scope", "*", "--allow-ip", "10.0.0.0/8"]);
    let limited = token(cli, "limited", &["--scope", "*", "--rate", "2/1m"]);
    // Long enough to be used once right after the sync even on a loaded
    // machine (the Worker's sync takes a few seconds), short enough to
    // watch it expire.
    let lifetime = match s.kind() {
        Kind::Native => Duration::from_secs(4),
        Kind::Worker => Duration::from_secs(10),
    };
    let expiring = token(
        cli,
        "expiring",
        &[
            "--scope",
            "*",
            "--expires",
            &format!("{}s", lifetime.as_secs()),
        ],
    );
    let created = Instant::now();
    s.sync();
    // Waiting for the last token created (and the first route added).
    eventually("config at the gateway", s.follow_limit(), || {
        s.http().get(&s.url("/api/dead"), Some(&all)).status == 502
            && s.http().get(&s.url("/api/echo"), Some(&expiring)).status == 200
    });
    eventually("config at the gateway", s.follow_limit(), || {
        s.health().1["status"] == "ok"
    });

    let check = |path: &str, headers: &[(&str, &str)], status: u16, code: &str| {
        let r = s.http().send("GET", &s.url(path), headers, "");
        assert_eq!(
            (r.status, r.code()),
            (status, code.to_string()),
            "{path}: {}",
            body(&r)
        );
        assert!(r.header("server-timing").is_some());
        assert_eq!(r.header("content-type"), Some("application/json"));
        r
    };
    check("/api/echo", &[("x-api-key", expiring.as_str())], 200, "");
    check("/api/echo", &[], 401, "missing_token");
    let mut typo = all.clone().into_bytes();
    typo[12] = if typo[12] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();
    check(
        "/api/echo",
        &[("x-api-key", typo.as_str())],
        401,
        "malformed_token",
    );
    check(
        "/api/echo",
        &[("x-api-key", "ntk_short")],
        401,
        "malformed_token",
    );
    let unknown = tokenctl_gateway::token::Secret::generate(
        tokenctl_gateway::token::SecretKind::ApiToken,
        &mut rand::rngs::OsRng,
    );
    check(
        "/api/echo",
        &[("x-api-key", unknown.expose())],
        401,
        "invalid_token",
    );
    check(
        "/nowhere",
        &[("x-api-key", all.as_str())],
        404,
        "route_not_found",
    );
    let denied = check(
        "/api/other",
        &[("x-api-key", scoped.as_str())],
        403,
        "scope_denied",
    );
    assert!(
        !body(&denied).contains("echo"),
        "scope errors do not list the token's scopes"
    );
    check("/api/other/x", &[("x-api-key", tagged.as_str())], 200, "");
    check(
        "/api/echo",
        &[("x-api-key", tagged.as_str())],
        403,
        "scope_denied",
    );
    check(
        "/api/echo",
        &[("x-api-key", office.as_str())],
        403,
        "ip_denied",
    );
    // The Worker takes the client address from CF-Connecting-IP (workerd
    // sets it to the peer locally; Cloudflare sets it at the edge); the
    // native gateway does not believe it from a client.
    let from_the_office = match s.kind() {
        Kind::Native => (403, "ip_denied"),
        Kind::Worker => (200, ""),
    };
    check(
        "/api/echo",
        &[("x-api-key", &office), ("cf-connecting-ip", "10.1.2.3")],
        from_the_office.0,
        from_the_office.1,
    );
    check(
        "/api/echo",
        &[("x-api-key", &office), ("cf-connecting-ip", "192.0.2.1")],
        403,
        "ip_denied",
    );
    check("/api/echo", &[("x-api-key", limited.as_str())], 200, "");
    check("/api/echo", &[("x-api-key", limited.as_str())], 200, "");
    let r = check(
        "/api/echo",
        &[("x-api-key", limited.as_str())],
        429,
        "rate_limited",
    );
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let r = check(
        "/api/broken",
        &[("x-api-key", all.as_str())],
        502,
        "upstream_auth_unavailable",
    );
    assert!(!body(&r).contains("BROKEN_KEY") && !body(&r).contains("line1"));
    check(
        "/api/echo/slow",
        &[("x-api-key", all.as_str())],
        504,
        "upstream_timeout",
    );
    let r = check(
        "/api/dead",
        &[("x-api-key", all.as_str())],
        502,
        "upstream_unreachable",
    );
    // Never a stack trace or internal detail.
    let text = body(&r);
    assert!(
        !text.contains("127.0.0.1:9") && !text.contains("refused"),
        "no internal detail: {text}"
    );
    std::thread::sleep(lifetime.saturating_sub(created.elapsed()) + Duration::from_millis(200));
    check(
        "/api/echo",
        &[("x-api-key", expiring.as_str())],
        401,
        "token_expired",
    );

    // The unusable secret shows up in the health report, by name only.
    let (status, health) = s.health();
    assert_eq!(status, 200);
    let problems = health["config"]["last_error"].as_str().unwrap_or_default();
    assert!(
        problems.contains("BROKEN_KEY") && !problems.contains("line1"),
        "{health}"
    );
}

pub fn rotation_grace_and_revocation(s: &mut dyn GatewayUnderTest) {
    // The Worker runs with the production token cache (5 s, see the list):
    // an isolate honours what KV said about a token for that long.
    let token_ttl = match s.kind() {
        Kind::Native => Duration::ZERO,
        Kind::Worker => Duration::from_secs(5),
    };
    let old = token(s.cli(), "rotating", &["--scope", "echo"]);
    // Revoked at the end, and used for the first time just before: its
    // cache entry in a Worker isolate starts at that use.
    let victim = token(s.cli(), "victim", &["--scope", "echo"]);
    s.sync();
    let url = s.url("/api/echo/ping");
    eventually("token at the gateway", s.follow_limit(), || {
        s.http().get(&url, Some(&old)).status == 200
    });
    // The Worker's isolate caches what KV said for the old secret from here on.
    let old_looked_up = Instant::now();

    let rotated = Instant::now();
    let new = s
        .cli()
        .json(&["token", "rotate", "rotating", "--grace", "3s"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    s.sync();
    match s.kind() {
        Kind::Native => {
            eventually("new secret at the gateway", s.follow_limit(), || {
                s.http().get(&url, Some(&new)).status == 200
            });
        }
        // Written to KV: a secret never looked up costs one KV read.
        Kind::Worker => assert_eq!(s.http().get(&url, Some(&new)).status, 200, "new secret"),
    }
    assert_eq!(
        s.http().get(&url, Some(&old)).status,
        200,
        "the old secret works during the grace"
    );
    // The grace ends 3 s after the rotation; a Worker isolate that still
    // holds the pre-rotation entry for the old secret honours it until that
    // entry is TOKEN_CACHE_SECS old (like any change, see the revocation
    // bound).
    let until = (rotated + Duration::from_secs(3)).max(old_looked_up + token_ttl)
        + Duration::from_millis(300);
    std::thread::sleep(until.saturating_duration_since(Instant::now()));
    assert_eq!(
        s.http().get(&url, Some(&old)).code(),
        "invalid_token",
        "after the grace only the new secret works"
    );
    assert_eq!(s.http().get(&url, Some(&new)).status, 200);

    // Revocation of a token looked up for the first time just before.
    let looked_up = Instant::now();
    assert_eq!(s.http().get(&url, Some(&victim)).status, 200);
    s.cli().json(&["token", "revoke", "victim"]);
    let revoked = Instant::now();
    s.sync();
    match s.kind() {
        // The native gateway follows the server's feed: it refuses the
        // token within a second of the revoke.
        Kind::Native => {
            let delay = eventually("revocation at the gateway", s.follow_limit(), || {
                s.http().get(&url, Some(&victim)).status == 401
            });
            eprintln!(
                "revocation: gateway refused the token {} ms after the revoke returned",
                delay.as_millis()
            );
            assert!(
                delay < Duration::from_secs(1),
                "revoke took {delay:?} to reach the gateway"
            );
        }
        // The KV key goes away. The isolate that looked the token up serves
        // it from its token cache for at most TOKEN_CACHE_SECS more; locally
        // there is no KV propagation delay and no KV edge cache, the other
        // two terms of the production bound.
        Kind::Worker => {
            let kv_written = looked_up.elapsed();
            let served_from_cache = s.http().get(&url, Some(&victim)).status == 200;
            eventually(
                "revocation at the Worker",
                token_ttl + Duration::from_secs(3),
                || s.http().get(&url, Some(&victim)).status == 401,
            );
            let refused = looked_up.elapsed();
            eprintln!(
                "revocation: KV written {} ms after the lookup ({} ms after the revoke); the Worker {} right after, and refused the token {} ms after the lookup (token cache {token_ttl:?})",
                kv_written.as_millis(),
                revoked.elapsed().as_millis(),
                if served_from_cache { "still served it from its cache" } else { "already refused it" },
                refused.as_millis()
            );
            if kv_written < token_ttl.saturating_sub(Duration::from_secs(1)) {
                assert!(served_from_cache, "a hot token costs no KV read");
            }
            // Within TOKEN_CACHE_SECS of the lookup, or of the KV write if
            // that came later (wrangler's local KV write takes seconds on a
            // loaded machine; Cloudflare's KV sync is not measured here).
            assert!(
                refused <= kv_written.max(token_ttl) + Duration::from_secs(1),
                "{refused:?}"
            );
        }
    }
    assert_eq!(s.http().get(&url, Some(&victim)).code(), "invalid_token");

    // Route changes follow (the Worker: after its config cache, 1 s here).
    let fresh = token(s.cli(), "fresh", &["--scope", "echo"]);
    s.sync();
    eventually("fresh token", s.follow_limit(), || {
        s.http().get(&url, Some(&fresh)).status == 200
    });
    s.cli()
        .json(&["route", "update", "echo", "--path", "/api/moved"]);
    s.sync();
    eventually("route move", Duration::from_secs(5), || {
        s.http().get(&s.url("/api/moved/ping"), Some(&fresh)).status == 200
    });
    assert_eq!(s.http().get(&url, Some(&fresh)).code(), "route_not_found");
}
