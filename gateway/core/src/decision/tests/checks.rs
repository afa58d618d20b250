//! Every check of the decision, and their order.

use super::*;

#[test]
fn allows_and_describes_the_forward() {
    let gw = gateway();
    let s = secret(1);
    let mut r = req("/api/openai/chat/completions", Some(&s));
    r.query = Some("stream=true");
    let a = decide(&gw, &r).unwrap();
    assert_eq!(a.token_id, Uuid::from_u128(1));
    assert_eq!(a.team_id, Uuid::from_u128(0xaa));
    assert_eq!(a.route_id, Uuid::from_u128(0x101));
    assert_eq!(a.route_name, "openai");
    assert_eq!(
        a.upstream_url,
        "https://api.openai.com/v1/chat/completions?stream=true"
    );
    assert_eq!(
        *a.inject_headers,
        [("authorization".to_string(), "Bearer sk-openai".to_string())]
    );
    assert_eq!(a.timeout, Duration::from_secs(15));
}

#[test]
fn injects_header_and_basic_auth() {
    let gw = gateway();
    let s = secret(1);
    let a = decide(&gw, &req("/api/anthropic/v1/messages", Some(&s))).unwrap();
    assert_eq!(
        *a.inject_headers,
        [("x-api-key".to_string(), "sk-ant".to_string())]
    );
    let a = decide(&gw, &req("/legacy", Some(&s))).unwrap();
    // RFC 7617's example credentials.
    assert_eq!(
        *a.inject_headers,
        [(
            "authorization".to_string(),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".to_string()
        )]
    );
    assert_eq!(a.upstream_url, "http://10.0.0.9:8080");
    let a = decide(&gw, &req("/open/x", Some(&s))).unwrap();
    assert!(a.inject_headers.is_empty());
}

#[test]
fn token_sources() {
    let gw = gateway();
    let (s1, s2) = (secret(1), secret(2));
    let bearer1 = format!("Bearer {s1}");
    let mut r = req("/open", None);

    r.authorization_header = Some(&bearer1);
    let a = decide(&gw, &r).unwrap();
    assert_eq!(a.token_id, Uuid::from_u128(1));

    let lower = format!("bearer \t {s1} ");
    r.authorization_header = Some(&lower);
    assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(1));

    // X-API-Key wins.
    r.authorization_header = Some(&bearer1);
    r.api_key_header = Some(&s2);
    let a = decide(&gw, &r);
    assert_eq!(denied(a), (403, code::SCOPE_DENIED), "token 2 was used");
    r.raw_path = "/api/openai";
    assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(2));

    // A foreign Authorization does not hide the X-API-Key token.
    r.authorization_header = Some("Basic dXNlcjpwYXNz");
    assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(2));

    // An empty X-API-Key does not hide the bearer token.
    r.api_key_header = Some("  ");
    r.authorization_header = Some(&bearer1);
    assert_eq!(decide(&gw, &r).unwrap().token_id, Uuid::from_u128(1));
}

#[test]
fn missing_and_malformed_tokens() {
    let gw = gateway();
    let mut r = req("/open", None);
    assert_eq!(denied(decide(&gw, &r)), (401, code::MISSING_TOKEN));
    for auth in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "ntk_abc", ""] {
        r.authorization_header = Some(auth);
        assert_eq!(
            denied(decide(&gw, &r)),
            (401, code::MISSING_TOKEN),
            "{auth:?}"
        );
    }
    let s = secret(1);
    let mut typo = s.clone();
    typo.replace_range(10..11, if &s[10..11] == "A" { "B" } else { "A" });
    for key in [
        "ntk_abc",
        "tkc_whatever",
        &typo,
        &s[..s.len() - 1],
        "Bearer x",
    ] {
        r.api_key_header = Some(key);
        let d = decide(&gw, &r).unwrap_err();
        assert_eq!(
            (d.status, d.code, d.token_id),
            (401, code::MALFORMED_TOKEN, None),
            "{key}"
        );
        assert!(!d.message.contains(key));
    }
    // X-API-Key wins even when the bearer token is fine.
    let bearer = format!("Bearer {s}");
    r.authorization_header = Some(&bearer);
    r.api_key_header = Some("sk-not-ours");
    assert_eq!(denied(decide(&gw, &r)), (401, code::MALFORMED_TOKEN));
}

#[test]
fn unknown_and_revoked_tokens_look_the_same() {
    let gw = gateway();
    let unknown = secret(99);
    let revoked = secret(3);
    let a = decide(&gw, &req("/open", Some(&unknown))).unwrap_err();
    let b = decide(&gw, &req("/open", Some(&revoked))).unwrap_err();
    assert_eq!(
        (a.status, a.code, a.json_body()),
        (b.status, b.code, b.json_body())
    );
    assert_eq!(a.code, code::INVALID_TOKEN);
    assert_eq!((a.token_id, b.token_id), (None, Some(Uuid::from_u128(3))));
    // Authentication comes before the path: nothing leaks about routes.
    let c = decide(&gw, &req("/../nope", Some(&unknown))).unwrap_err();
    assert_eq!(c.json_body(), a.json_body());
    assert_eq!(
        denied(decide(&gw, &req("/../nope", None))),
        (401, code::MISSING_TOKEN)
    );
}

#[test]
fn expiry_and_rotation_grace() {
    let gw = gateway();
    let mut limiter = RateLimiter::new();
    let expiring = secret(4);
    let r = req("/open", Some(&expiring));
    let before = now() - chrono::Duration::nanoseconds(1);
    assert!(gw.authorize(&mut limiter, &r, before).is_ok());
    assert_eq!(
        denied(gw.authorize(&mut limiter, &r, now())),
        (401, code::TOKEN_EXPIRED)
    );

    let (current, previous) = (secret(5), secret(50));
    let grace_end = now() + chrono::Duration::hours(1);
    let rp = req("/open", Some(&previous));
    let a = gw.authorize(&mut limiter, &rp, now()).unwrap();
    assert_eq!(a.token_id, Uuid::from_u128(5));
    assert_eq!(
        denied(gw.authorize(&mut limiter, &rp, grace_end)),
        (401, code::INVALID_TOKEN)
    );
    assert!(gw
        .authorize(&mut limiter, &req("/open", Some(&current)), grace_end)
        .is_ok());
}

#[test]
fn previous_secret_without_grace_end_is_not_accepted() {
    let mut t = token(1, &["*"]);
    t.previous_hash = Some(token::hash_secret(&secret(2)));
    let gw = Gateway::new(Snapshot {
        version: 1,
        generated_at: now(),
        tokens: vec![t],
        routes: vec![route(
            1,
            "open",
            "/",
            "https://o.example",
            UpstreamAuth::None,
        )],
        secrets: Default::default(),
        secret_hosts: Default::default(),
        quotas: Default::default(),
        prices: Default::default(),
    });
    let s = secret(2);
    assert_eq!(
        denied(decide(&gw, &req("/", Some(&s)))),
        (401, code::INVALID_TOKEN)
    );
}

#[test]
fn paths_and_routes() {
    let gw = gateway();
    let s = secret(1);
    assert_eq!(
        denied(decide(&gw, &req("/nope", Some(&s)))),
        (404, code::ROUTE_NOT_FOUND)
    );
    assert_eq!(
        denied(decide(&gw, &req("/api/openaix", Some(&s)))),
        (404, code::ROUTE_NOT_FOUND)
    );
    for bad in [
        "/api/openai/../anthropic",
        "/api/openai/%2e%2e/x",
        "/api/openai%2fx",
        "api/openai",
        "/a\\b",
    ] {
        let d = decide(&gw, &req(bad, Some(&s))).unwrap_err();
        assert_eq!((d.status, d.code), (400, code::BAD_PATH), "{bad}");
        assert_eq!(d.token_id, Some(Uuid::from_u128(1)));
    }
    let mut r = req("/open", Some(&s));
    r.query = Some("a=1#frag");
    assert_eq!(denied(decide(&gw, &r)), (400, code::BAD_PATH));
}

#[test]
fn scopes() {
    let gw = gateway();
    let only_openai = secret(2);
    assert!(decide(&gw, &req("/api/openai/x", Some(&only_openai))).is_ok());
    let d = decide(&gw, &req("/api/anthropic/x", Some(&only_openai))).unwrap_err();
    assert_eq!((d.status, d.code), (403, code::SCOPE_DENIED));
    assert_eq!(d.route_id, Some(Uuid::from_u128(0x102)));
    assert!(d.message.contains("anthropic"));
    assert!(
        !d.message.contains("openai"),
        "must not list the token's scopes: {}",
        d.message
    );

    let tagged = secret(8);
    assert!(decide(&gw, &req("/api/anthropic/x", Some(&tagged))).is_ok());
}

#[test]
fn ip_allow_list() {
    let gw = gateway();
    let s = secret(6);
    let mut r = req("/open", Some(&s));
    for (ip, ok) in [
        (Some("10.1.2.3"), true),
        (Some("::ffff:10.1.2.3"), true),
        (Some("2001:db8::5"), true),
        (Some("11.0.0.1"), false),
        (Some("2001:db9::1"), false),
        (None, false),
    ] {
        r.client_ip = ip.map(|ip| ip.parse().unwrap());
        let result = decide(&gw, &r);
        if ok {
            assert!(result.is_ok(), "{ip:?}");
        } else {
            assert_eq!(denied(result), (403, code::IP_DENIED), "{ip:?}");
        }
    }
}

#[test]
fn checks_run_in_the_documented_order() {
    // A token that fails everything after authentication.
    let mut t = token(1, &["openai", "broken"]);
    t.allow_ips = vec!["10.0.0.0/8".parse().unwrap()];
    t.rate_limit = Some(RateLimit {
        requests: 1,
        period_secs: 3600,
    });
    let mut expired = t.clone();
    expired.id = Uuid::from_u128(2);
    expired.secret_hash = token::hash_secret(&secret(2));
    expired.expires_at = Some(now());
    expired.revoked = true;
    let gw = Gateway::new(Snapshot {
        version: 1,
        generated_at: now(),
        tokens: vec![t, expired],
        routes: vec![
            route(
                1,
                "openai",
                "/openai",
                "https://o.example",
                UpstreamAuth::None,
            ),
            route(
                2,
                "other",
                "/other",
                "https://x.example",
                UpstreamAuth::Bearer {
                    secret: "missing".into(),
                },
            ),
            route(
                3,
                "broken",
                "/openai/broken",
                "https://x.example",
                UpstreamAuth::Bearer {
                    secret: "missing".into(),
                },
            ),
        ],
        secrets: Default::default(),
        secret_hosts: Default::default(),
        quotas: Default::default(),
        prices: Default::default(),
    });
    let mut limiter = RateLimiter::new();
    let (s, s2) = (secret(1), secret(2));
    let mut r = req("/nope", Some(&s2));
    r.client_ip = Some("192.0.2.1".parse().unwrap());
    let mut check = |r: &RequestInfo<'_>| {
        gw.authorize(&mut limiter, r, now())
            .map(|_| "allowed")
            .unwrap_or_else(|d| d.code)
    };
    assert_eq!(check(&r), code::INVALID_TOKEN, "revoked before expired");
    r.api_key_header = Some(&s);
    assert_eq!(check(&r), code::ROUTE_NOT_FOUND);
    r.raw_path = "/other";
    assert_eq!(
        check(&r),
        code::SCOPE_DENIED,
        "scope before IP and upstream auth"
    );
    r.raw_path = "/openai";
    assert_eq!(check(&r), code::IP_DENIED);
    r.client_ip = Some("10.0.0.1".parse().unwrap());
    let mut broken = r;
    broken.raw_path = "/openai/broken";
    for _ in 0..3 {
        assert_eq!(
            check(&broken),
            code::UPSTREAM_AUTH_UNAVAILABLE,
            "uses no quota"
        );
    }
    assert_eq!(check(&r), "allowed");
    assert_eq!(check(&r), code::RATE_LIMITED);
}

#[test]
fn missing_upstream_secret_is_a_502_not_an_unauthenticated_forward() {
    let gw = gateway();
    let s = secret(1);
    let d = decide(&gw, &req("/broken/x", Some(&s))).unwrap_err();
    assert_eq!((d.status, d.code), (502, code::UPSTREAM_AUTH_UNAVAILABLE));
    assert!(
        !d.message.contains("missing"),
        "secret names are not for clients"
    );
    assert!(gw.warnings().iter().any(|w| matches!(
        w,
        SnapshotWarning::UpstreamSecretUnusable { route, secret, .. } if route == "broken" && secret == "missing"
    )));
}

#[test]
fn rate_limit_applies_last_and_per_token() {
    let gw = gateway();
    let mut limiter = RateLimiter::new();
    let s = secret(7);
    // Denied requests do not consume the quota.
    let nope = req("/nope", Some(&s));
    for _ in 0..5 {
        assert_eq!(
            denied(gw.authorize(&mut limiter, &nope, now())),
            (404, code::ROUTE_NOT_FOUND)
        );
    }
    let r = req("/open", Some(&s));
    assert!(gw.authorize(&mut limiter, &r, now()).is_ok());
    assert!(gw.authorize(&mut limiter, &r, now()).is_ok());
    let d = gw.authorize(&mut limiter, &r, now()).unwrap_err();
    assert_eq!(
        (d.status, d.code, d.retry_after_secs),
        (429, code::RATE_LIMITED, Some(30))
    );
    assert_eq!(d.token_id, Some(Uuid::from_u128(7)));
    let later = now() + chrono::Duration::seconds(30);
    assert!(gw.authorize(&mut limiter, &r, later).is_ok());
    // Other tokens are unaffected, and unlimited ones are not tracked.
    let other = secret(1);
    for _ in 0..100 {
        assert!(gw
            .authorize(&mut limiter, &req("/open", Some(&other)), now())
            .is_ok());
    }
    assert_eq!(limiter.len(), 1);
}
