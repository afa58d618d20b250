//! What a refusal and an allowance show, snapshot entries the core
//! refuses, and front-ends that look tokens up themselves.

use super::*;

#[test]
fn json_body_is_valid_json() {
    let d = Denied {
        message: "quote \" backslash \\ newline \n bell \u{7} é".into(),
        ..Denied::new(400, code::BAD_PATH, "")
    };
    let v: serde_json::Value = serde_json::from_str(&d.json_body()).unwrap();
    assert_eq!(v["error"]["code"], "bad_path");
    assert_eq!(v["error"]["message"], d.message.as_str());
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert_eq!(v["error"].as_object().unwrap().len(), 2);
}

#[test]
fn debug_output_hides_secrets() {
    let gw = gateway();
    let s = secret(1);
    let bearer = format!("Bearer {s}");
    let mut r = req("/legacy", Some(&s));
    r.authorization_header = Some(&bearer);
    let a = decide(&gw, &r).unwrap();
    let shown = format!("{a:?} {r:?} {gw:?}");
    for leak in [
        &s[4..40],
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ",
        "sk-openai",
        "Aladdin",
    ] {
        assert!(!shown.contains(leak), "{leak} leaked in {shown}");
    }
    assert!(shown.contains("authorization"));
}

#[test]
fn unusable_snapshot_entries_are_dropped_with_warnings() {
    let mut bad_hash = token(1, &["*"]);
    bad_hash.secret_hash = "not-hex".into();
    let mut dup = token(2, &["*"]);
    dup.secret_hash = token::hash_secret(&secret(3));
    let mut prev_dup = token(4, &["*"]);
    prev_dup.previous_hash = Some(token::hash_secret(&secret(3)));
    prev_dup.previous_expires_at = Some(now() + chrono::Duration::hours(1));
    let gw = Gateway::new(Snapshot {
        version: 1,
        generated_at: now(),
        tokens: vec![bad_hash, token(3, &["*"]), dup, prev_dup],
        routes: vec![
            route(
                1,
                "r",
                "/r",
                "https://r.example",
                UpstreamAuth::Header {
                    header: "Content-Length".into(),
                    secret: "s".into(),
                },
            ),
            route(
                2,
                "colon",
                "/c",
                "https://c.example",
                UpstreamAuth::Basic {
                    username_secret: "user".into(),
                    password_secret: "s".into(),
                },
            ),
            route(
                3,
                "newline",
                "/n",
                "https://n.example",
                UpstreamAuth::Bearer {
                    secret: "nl".into(),
                },
            ),
            route(
                4,
                "bad",
                "no-slash",
                "https://b.example",
                UpstreamAuth::None,
            ),
        ],
        secrets: [("s", "v"), ("user", "a:b"), ("nl", "v\n")]
            .into_iter()
            .collect(),
        secret_hosts: hosts(&[
            ("s", "r.example"),
            ("s", "c.example"),
            ("user", "c.example"),
            ("nl", "n.example"),
        ]),
        quotas: Default::default(),
        prices: Default::default(),
    });
    let w = gw.warnings();
    assert_eq!(w.len(), 7, "{w:#?}");
    // Token 3's secret belongs to token 3, not to the later duplicates.
    let s3 = secret(3);
    assert_eq!(
        decide(&gw, &req("/r", Some(&s3))).unwrap_err().token_id,
        Some(Uuid::from_u128(3))
    );
    for path in ["/r", "/c", "/n"] {
        assert_eq!(
            denied(decide(&gw, &req(path, Some(&s3)))),
            (502, code::UPSTREAM_AUTH_UNAVAILABLE),
            "{path}"
        );
    }
    for w in w {
        assert!(
            !w.to_string().contains("a:b"),
            "warnings must not show secret values"
        );
    }
}

/// What a KV store keyed by secret hash returns for `hash`: the entry
/// stored under its current hash and, while a grace runs, its previous
/// hash (as the control plane's KV sync writes them).
fn kv_lookup<'t>(tokens: &'t [TokenEntry], hash: &str) -> Option<&'t TokenEntry> {
    tokens.iter().find(|t| {
        t.secret_hash == hash
            || (t.previous_expires_at.is_some() && t.previous_hash.as_deref() == Some(hash))
    })
}

#[test]
fn authorize_token_decides_exactly_like_authorize() {
    let full = gateway();
    let tokens: Vec<TokenEntry> = full.tokens().entries().collect();
    let snapshot = Snapshot {
        version: 3,
        generated_at: now(),
        tokens: vec![],
        routes: full.routes().routes().to_vec(),
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
    let routes_only = Gateway::new(snapshot);
    let (mut l1, mut l2) = (RateLimiter::new(), RateLimiter::new());
    let secrets: Vec<String> = [1, 2, 3, 4, 5, 6, 7, 8, 50, 99].map(secret).to_vec();
    let paths = [
        "/api/openai/x",
        "/api/anthropic/v1",
        "/legacy",
        "/broken",
        "/open",
        "/nope",
        "/api/openai/../x",
    ];
    let times = [
        now() - chrono::Duration::seconds(1),
        now(),
        now() + chrono::Duration::hours(2),
    ];
    let mut compared = 0;
    for at in times {
        for s in &secrets {
            for path in paths {
                for ip in ["10.1.2.3", "203.0.113.7"] {
                    let bearer = format!("Bearer {s}");
                    let mut r = req(path, None);
                    r.client_ip = Some(ip.parse().unwrap());
                    if compared % 2 == 0 {
                        r.api_key_header = Some(s);
                    } else {
                        r.authorization_header = Some(&bearer);
                    }
                    let expected = full.authorize(&mut l1, &r, at);
                    let got = PresentedToken::from_request(&r).and_then(|p| {
                        let entry = kv_lookup(&tokens, &p.hash_hex());
                        routes_only.authorize_token(&mut l2, &r, at, &p, entry)
                    });
                    assert_eq!(got, expected, "{path} {ip} {at}");
                    compared += 1;
                }
            }
        }
    }
    // Checks 1 and 2 need no lookup either way.
    for r in [req("/open", None), req("/open", Some("ntk_short"))] {
        assert_eq!(
            PresentedToken::from_request(&r).unwrap_err(),
            full.authorize(&mut l1, &r, now()).unwrap_err()
        );
    }
    assert!(compared > 400);
}

#[test]
fn authorize_token_refuses_entries_that_do_not_match_the_secret() {
    let gw = gateway();
    let mut tokens: Vec<TokenEntry> = gw.tokens().entries().collect();
    tokens.sort_by_key(|t| t.id);
    let mut limiter = RateLimiter::new();
    let s = secret(1);
    let r = req("/open", Some(&s));
    let p = PresentedToken::from_request(&r).unwrap();
    assert_eq!(p.hash_hex(), token::hash_secret(&s));
    assert!(!format!("{p:?}").contains(&p.hash_hex()));
    let authorize = |limiter: &mut RateLimiter, entry: Option<&TokenEntry>| {
        gw.authorize_token(limiter, &r, now(), &p, entry)
            .map(|a| a.token_id)
            .map_err(|d| (d.code, d.token_id))
    };
    assert_eq!(
        authorize(&mut limiter, Some(&tokens[0])),
        Ok(Uuid::from_u128(1))
    );
    // Nothing stored under the hash: unknown.
    assert_eq!(
        authorize(&mut limiter, None),
        Err((code::INVALID_TOKEN, None))
    );
    // A store that returns another token's entry must not authenticate.
    assert_eq!(
        authorize(&mut limiter, Some(&tokens[1])),
        Err((code::INVALID_TOKEN, None))
    );
    // A previous hash counts only with a grace end, as in `Gateway::new`.
    let mut other = tokens[7].clone();
    other.previous_hash = Some(token::hash_secret(&s));
    assert_eq!(
        authorize(&mut limiter, Some(&other)),
        Err((code::INVALID_TOKEN, None))
    );
    other.previous_expires_at = Some(now() + chrono::Duration::minutes(1));
    assert_eq!(
        authorize(&mut limiter, Some(&other)),
        Ok(Uuid::from_u128(8))
    );
    other.previous_expires_at = Some(now());
    assert_eq!(
        authorize(&mut limiter, Some(&other)),
        Err((code::INVALID_TOKEN, Some(Uuid::from_u128(8))))
    );
}
