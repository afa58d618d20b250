//! Route grants, secrets bound to hosts, upstream address policy.

use super::*;

/// A snapshot with one token (team 0xaa, scopes `*`) and `routes`.
fn single(routes: Vec<RouteEntry>, secrets: &[(&str, &str)], bound: SecretHosts) -> Gateway {
    Gateway::new(Snapshot {
        version: 1,
        generated_at: now(),
        tokens: vec![token(1, &["*"])],
        routes,
        secrets: secrets.iter().copied().collect(),
        secret_hosts: bound,
        quotas: Default::default(),
        prices: Default::default(),
    })
}

#[test]
fn scopes_reach_only_routes_granted_to_the_team() {
    let mut mine = route(1, "mine", "/mine", "https://m.example", UpstreamAuth::None);
    mine.all_teams = false;
    mine.teams = vec![Uuid::from_u128(0xaa)];
    let mut theirs = route(
        2,
        "theirs",
        "/theirs",
        "https://t.example",
        UpstreamAuth::None,
    );
    theirs.all_teams = false;
    theirs.teams = vec![Uuid::from_u128(0xbb)];
    let mut nobody = route(
        3,
        "nobody",
        "/nobody",
        "https://n.example",
        UpstreamAuth::None,
    );
    nobody.all_teams = false;
    let everyone = route(
        4,
        "everyone",
        "/everyone",
        "https://e.example",
        UpstreamAuth::None,
    );
    let mut tokens = vec![
        token(1, &["*"]),
        token(2, &["theirs"]),
        token(3, &["tag:llm"]),
    ];
    tokens.push(token(4, &["*"]));
    tokens[3].team_id = Uuid::from_u128(0xbb);
    let gw = Gateway::new(Snapshot {
        version: 1,
        generated_at: now(),
        tokens,
        routes: vec![mine, theirs, nobody, everyone],
        secrets: Default::default(),
        secret_hosts: Default::default(),
        quotas: Default::default(),
        prices: Default::default(),
    });
    for n in [1, 2, 3] {
        let s = secret(n);
        for (path, ok) in [
            ("/mine", n != 2),
            ("/theirs", false),
            ("/nobody", false),
            ("/everyone", n != 2),
        ] {
            let result = decide(&gw, &req(path, Some(&s)));
            if ok {
                assert!(result.is_ok(), "token {n} {path}");
            } else {
                let d = result.unwrap_err();
                assert_eq!(
                    (d.status, d.code),
                    (403, code::SCOPE_DENIED),
                    "token {n} {path}"
                );
                assert!(
                    !d.message.contains("team"),
                    "same answer as an unnamed route: {}",
                    d.message
                );
            }
        }
    }
    // Team 0xbb's `*` token reaches its own route and the shared one.
    let other = secret(4);
    assert!(decide(&gw, &req("/theirs", Some(&other))).is_ok());
    assert!(decide(&gw, &req("/everyone", Some(&other))).is_ok());
    assert_eq!(
        denied(decide(&gw, &req("/mine", Some(&other)))),
        (403, code::SCOPE_DENIED)
    );
}

#[test]
fn secrets_are_injected_only_into_their_hosts() {
    let bearer = |secret: &str| UpstreamAuth::Bearer {
        secret: secret.into(),
    };
    let gw = single(
        vec![
            route(
                1,
                "exact",
                "/exact",
                "https://api.openai.com/v1",
                bearer("K"),
            ),
            route(
                2,
                "elsewhere",
                "/elsewhere",
                "https://attacker.example/v1",
                bearer("K"),
            ),
            route(
                3,
                "wild",
                "/wild",
                "https://eu.api.example.com:8443",
                bearer("W"),
            ),
            route(4, "apex", "/apex", "https://example.com", bearer("W")),
            route(
                5,
                "unbound",
                "/unbound",
                "https://api.openai.com",
                bearer("U"),
            ),
            route(
                6,
                "basic",
                "/basic",
                "https://api.openai.com",
                UpstreamAuth::Basic {
                    username_secret: "K".into(),
                    password_secret: "W".into(),
                },
            ),
        ],
        &[("K", "sk-k"), ("W", "sk-w"), ("U", "sk-u")],
        hosts(&[("K", "api.openai.com"), ("W", "*.example.com")]),
    );
    let s = secret(1);
    let injected =
        |path: &str| decide(&gw, &req(path, Some(&s))).map(|a| a.inject_headers[0].1.clone());
    assert_eq!(injected("/exact").unwrap(), "Bearer sk-k");
    assert_eq!(injected("/wild").unwrap(), "Bearer sk-w");
    for path in ["/elsewhere", "/apex", "/unbound", "/basic"] {
        assert_eq!(
            denied(decide(&gw, &req(path, Some(&s)))),
            (502, code::UPSTREAM_AUTH_UNAVAILABLE),
            "{path}"
        );
    }
    let refused: Vec<(&str, &str, &str)> = gw
        .warnings()
        .iter()
        .filter_map(|w| match w {
            SnapshotWarning::SecretHostNotAllowed {
                route,
                secret,
                host,
            } => Some((route.as_str(), secret.as_str(), host.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("elsewhere", "K", "attacker.example"),
            ("apex", "W", "example.com"),
            ("unbound", "U", "api.openai.com"),
            ("basic", "W", "api.openai.com"),
        ]
    );
    assert!(gw.warnings().iter().all(|w| !w.to_string().contains("sk-")));
}

#[test]
fn ip_literal_upstreams_need_the_matching_access() {
    let cases = [
        ("http://127.0.0.1:7700", UpstreamAccess::Public, false),
        ("http://127.0.0.1:7700", UpstreamAccess::Private, true),
        ("http://2130706433", UpstreamAccess::Public, false),
        ("http://[::1]:80", UpstreamAccess::Public, false),
        ("http://[::ffff:10.0.0.1]", UpstreamAccess::Public, false),
        ("http://10.0.0.1", UpstreamAccess::Private, true),
        (
            "http://169.254.169.254/latest",
            UpstreamAccess::Private,
            false,
        ),
        (
            "http://169.254.169.254/latest",
            UpstreamAccess::Metadata,
            true,
        ),
        ("http://[fd00:ec2::254]", UpstreamAccess::Private, false),
        ("http://8.8.8.8", UpstreamAccess::Public, true),
        ("http://1.2.3.999", UpstreamAccess::Metadata, false),
        ("https://internal.example", UpstreamAccess::Public, true),
    ];
    for (upstream, access, ok) in cases {
        let mut r = route(1, "r", "/r", upstream, UpstreamAuth::None);
        r.upstream_access = access;
        let gw = single(vec![r], &[], SecretHosts::new());
        let s = secret(1);
        match decide(&gw, &req("/r", Some(&s))) {
            Ok(a) => {
                assert!(ok, "{upstream} allowed with {access}");
                assert_eq!(a.upstream_access, access);
            }
            Err(d) => {
                assert!(!ok, "{upstream} refused with {access}: {d}");
                assert_eq!((d.status, d.code), (502, code::UPSTREAM_FORBIDDEN));
                assert_eq!(d.route_id, Some(Uuid::from_u128(0x101)));
                assert!(matches!(
                    gw.warnings(),
                    [SnapshotWarning::UpstreamAddressForbidden { .. }]
                ));
            }
        }
    }
}
