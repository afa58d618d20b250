use super::*;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

#[test]
fn expiry_forms() {
    assert_eq!(expiry("never", now()).unwrap(), None);
    assert_eq!(
        expiry("30d", now()).unwrap().unwrap(),
        "2026-12-26T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        expiry("12h", now()).unwrap().unwrap(),
        "2026-11-27T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        expiry("2027-01-31", now()).unwrap().unwrap(),
        "2027-01-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        expiry("2027-01-31T10:00:00+02:00", now()).unwrap().unwrap(),
        "2027-01-31T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    for bad in [
        "",
        "30x",
        "2027-02-30",
        "yesterday",
        "2020-01-01",
        "-5d",
        "0s",
        "2200-01-01",
        "9999-12-31T23:59:59Z",
        "+200000-01-01",
        "36501d",
    ] {
        assert!(expiry(bad, now()).is_err(), "{bad} accepted");
    }
    assert!(expiry("2127-01-01", now())
        .unwrap_err()
        .0
        .contains("100 years"));
    assert!(expiry("36500d", now()).is_ok());
    // Found by fuzzing: less than a microsecond ahead was accepted and
    // stored (truncated to microseconds) as exactly now.
    assert!(expiry("91ns", now()).is_err());
    assert!(expiry("2026-11-26T12:00:00.000000500Z", now()).is_err());
    assert!(expiry("1us", now()).is_ok());
    // Whatever the clock says, no panic.
    for t in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
        for v in ["30d", "2027-01-31", "never", "2027-01-31T10:00:00+02:00"] {
            let _ = expiry(v, t);
        }
    }
}

#[test]
fn moments_are_four_digit_years() {
    assert_eq!(
        moment("since", "24h", now()).unwrap(),
        "2026-11-25T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        moment("since", "1600-01-01T00:00:00Z", now()).unwrap(),
        "1600-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert!(moment("since", "0001-01-01", now()).is_ok());
    assert!(moment("until", "9999-12-31T23:59:59Z", now()).is_ok());
    for bad in [
        "0000-12-31",
        "0001-01-01T00:00:00+01:00",
        "+10000-01-01",
        "-0001-01-01",
        "+200000-01-01",
        "36501d",
        "",
        "soon",
    ] {
        let e = moment("since", bad, now()).unwrap_err();
        assert!(e.0.starts_with("since `"), "{bad}: {e}");
    }
    // Durations reaching back past chrono's range are refused, not a panic.
    let early = "0001-06-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
    assert!(moment("since", "365d", early).is_err());
    assert!(moment("since", "1d", DateTime::<Utc>::MIN_UTC).is_err());
}

#[test]
fn paths_are_normalised_and_safe() {
    assert_eq!(route_path("/api/openai/").unwrap(), "/api/openai");
    assert_eq!(route_path("//api//openai").unwrap(), "/api/openai");
    assert_eq!(route_path("/").unwrap(), "/");
    for bad in [
        "api",
        "/api/../x",
        "/a/./b",
        "/a b",
        "/a%2e",
        "/a\\b",
        "/a?x=1",
    ] {
        assert!(route_path(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn upstreams() {
    assert_eq!(
        upstream_url("https://api.openai.com/v1/").unwrap(),
        "https://api.openai.com/v1"
    );
    assert_eq!(
        upstream_url("http://127.0.0.1:9000").unwrap(),
        "http://127.0.0.1:9000"
    );
    for bad in [
        "api.openai.com",
        "ftp://x.example",
        "https://user:pw@x.example",
        "https://x.example/?q=1",
        "/relative",
    ] {
        assert!(upstream_url(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn auth_specs() {
    assert_eq!(upstream_auth("none").unwrap(), UpstreamAuth::None);
    assert_eq!(
        upstream_auth("bearer:OPENAI_KEY").unwrap(),
        UpstreamAuth::Bearer {
            secret: "OPENAI_KEY".into()
        }
    );
    assert_eq!(
        upstream_auth("header:X-Api-Key:K").unwrap(),
        UpstreamAuth::Header {
            header: "X-Api-Key".into(),
            secret: "K".into()
        }
    );
    assert!(upstream_auth("basic:U:P").is_ok());
    for bad in [
        "bearer",
        "bearer:",
        "header:Host:K",
        "basic:U",
        "token:X",
        "bearer:a b",
    ] {
        assert!(upstream_auth(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn rates_and_cidrs() {
    assert_eq!(
        rate_limit("100/1m").unwrap(),
        RateLimit {
            requests: 100,
            period_secs: 60
        }
    );
    assert_eq!(rate_limit("10/s").unwrap().period_secs, 1);
    for bad in ["100", "0/1m", "x/1m", "10/0s", "10/fortnightly"] {
        assert!(rate_limit(bad).is_err(), "{bad} accepted");
    }
    assert_eq!(cidr("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
    assert_eq!(cidr("203.0.113.7").unwrap().to_string(), "203.0.113.7/32");
    for bad in ["10.0.0.1/8", "10.0.0.0/33", "example.com", "300.1.1.1"] {
        assert!(cidr(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn names_and_scopes() {
    assert!(name("token", "n8n-prod_1.x").is_ok());
    for bad in [
        "",
        "-x",
        "a b",
        "a:b",
        "0190b3d4-1111-7abc-8def-0123456789ab",
    ] {
        assert!(name("token", bad).is_err(), "{bad} accepted");
    }
    assert_eq!(scope("*").unwrap(), "*");
    assert_eq!(scope("tag:LLM").unwrap(), "tag:llm");
    assert_eq!(scope("openai").unwrap(), "openai");
    assert!(scope("tag:").is_err());
    assert!(scope("a/b").is_err());
}

#[test]
fn host_patterns_are_canonical() {
    assert_eq!(
        host_patterns(&[
            "API.openai.com".into(),
            "*.Example.com".into(),
            "api.openai.com.".into()
        ])
        .unwrap(),
        ["*.example.com", "api.openai.com"]
    );
    for bad in ["api.openai.com:443", "https://api.openai.com", "*.com", "*"] {
        assert!(host_pattern(bad).is_err(), "{bad} accepted");
    }
}

proptest! {
    #[test]
    fn route_path_output_is_a_fixed_point(input in "[/a-z.~_-]{0,40}") {
        if let Ok(p) = route_path(&input) {
            prop_assert_eq!(route_path(&p).unwrap(), p.clone());
            prop_assert!(p.starts_with('/'));
            prop_assert!(!p.contains("//"));
            prop_assert!(p == "/" || !p.ends_with('/'));
            prop_assert!(!p.split('/').any(|s| s == ".."));
        }
    }
}

/// Text that looks like what the parsers expect, and text that does not.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9+-]{0,7}-[0-9]{1,2}-[0-9]{1,2}",
        "[0-9+-]{0,7}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
        "[0-9]{1,25} ?(ns|us|ms|s|m|h|d|w|M|y|years|fortnight)( [0-9]{1,20}[a-z]{1,2}){0,3}",
        "[0-9]{0,12}/[0-9]{0,6}[smhdw]?",
        "/[ -~]{0,40}",
        "(none|bearer|header|basic)(:[ -~]{0,12}){0,3}",
        Just("never".to_string()),
        Just("1678-01-01T00:00:00Z".to_string()),
        Just("2261-12-31T00:00:00Z".to_string()),
        Just("1600-01-01T00:00:00Z".to_string()),
    ]
}

/// Any time chrono can represent, extremes included.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    let min = DateTime::<Utc>::MIN_UTC.timestamp();
    let max = DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
        Just(now()),
        (min..=max, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap_or(DateTime::<Utc>::MAX_UTC)),
    ]
}

proptest! {
    /// No parser panics on any input at any time, and a report window
    /// built from what they accept is either refused or within the caps.
    #[test]
    fn parsers_and_windows_never_panic(a in typed(), b in typed(), at in any_time()) {
        let _ = name("token", &a);
        let _ = team_name(&a);
        let _ = team_role(&a);
        let _ = email(&a);
        let _ = description(&a);
        let _ = duration("grace", &a);
        let _ = cidr(&a);
        let _ = rate_limit(&a);
        let _ = route_path(&a);
        let _ = upstream_url(&a);
        let _ = upstream_auth(&a);
        let _ = scope(&a);
        let _ = tag(&a);
        if let Ok(d) = duration("grace", &a) {
            let _ = format_duration(d);
        }
        if let Ok(Some(e)) = expiry(&a, at) {
            prop_assert!(e > at);
        }
        let limits = crate::usage::Retention::default().window_limits();
        for now in [at, now()] {
            let since = moment("since", &a, now);
            let until = moment("until", &b, now);
            if let (Ok(since), Ok(until)) = (since, until) {
                if let Ok(p) = crate::usage::Plan::for_window(since, until, now, &limits) {
                    prop_assert!(until - since <= limits.longest);
                    prop_assert!(p.buckets() >= 1 && p.buckets() <= limits.max_buckets);
                    prop_assert!(p.since <= since && p.until >= until);
                }
            }
        }
    }
}

/// The document's patterns say exactly what the parsers accept, for
/// input in canonical form (no surrounding white space, which the
/// parsers trim).
mod schema_patterns {
    use super::super::schema::{
        DESCRIPTION, DESCRIPTION_MAX, EMAIL, EMAIL_MAX, NAME, NOT_A_SECRET, SCOPE, TAG, TEAM_NAME,
        TEAM_REFERENCE, TEAM_ROLE,
    };
    use super::super::{
        description, email, name, scope, tag, team_name, team_reference, team_role,
    };
    use proptest::prelude::*;
    use proptest::string::string_regex;

    fn matches(pattern: &str, value: &str) -> bool {
        regex_lite::Regex::new(pattern)
            .expect("a pattern regex-lite reads")
            .is_match(value)
    }

    /// Strings matching `pattern` (without its anchors).
    fn matching(pattern: &'static str) -> impl Strategy<Value = String> {
        let body = pattern
            .strip_prefix('^')
            .and_then(|p| p.strip_suffix('$'))
            .expect("an anchored pattern");
        string_regex(body).expect("a pattern proptest reads")
    }

    /// Text near what the parsers take: their alphabets, separators,
    /// white space and control characters.
    fn near() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9._:*@/{} -]{0,70}",
            "[a-z0-9.@\u{85}\u{a0}\t\n\u{1f}\u{7f}\u{2028}é-]{0,16}",
            "(tag:)?[a-zA-Z0-9._-]{0,66}",
            "[a-z0-9-]{0,64}:(viewer|developer|manager|admin|owner)",
            // Around the length limits.
            "[a-z0-9][a-z0-9._-]{60,66}",
            "tag:[a-z0-9]{62,66}",
            "[a-z]{1,3}@[a-z]{240,252}\\.[a-z]{1,3}",
            any::<String>(),
        ]
    }

    fn canonical(v: &str) -> bool {
        v == v.trim()
    }

    #[test]
    fn every_pattern_compiles_in_both_dialects() {
        for p in [
            NAME,
            TEAM_NAME,
            TEAM_REFERENCE,
            TAG,
            SCOPE,
            TEAM_ROLE,
            DESCRIPTION,
            EMAIL,
        ] {
            assert!(regex_lite::Regex::new(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn token_references_that_look_like_secrets() {
        // regex-lite has no look-ahead: the pattern's body is checked.
        let prefix = NOT_A_SECRET
            .strip_prefix("^(?!")
            .and_then(|p| p.strip_suffix(')'))
            .expect("a negative look-ahead");
        let looks_secret = |v: &str| matches(&format!("^{prefix}"), v);
        for v in ["ntk_abc", " tkc_x", "\u{2003}tkg_", "tke_"] {
            assert!(looks_secret(v), "{v:?}");
            assert!(tokenctl_gateway::token::Secret::kind_of(v).is_some());
        }
        for v in [
            "n8n-prod",
            "ntk",
            "xntk_",
            "0190b3d4-1111-7abc-8def-0123456789ab",
        ] {
            assert!(!looks_secret(v), "{v:?}");
            assert!(tokenctl_gateway::token::Secret::kind_of(v).is_none());
        }
    }

    proptest! {
        #[test]
        fn what_a_pattern_matches_is_accepted(
            n in matching(NAME),
            t in matching(TEAM_NAME),
            r in matching(TEAM_REFERENCE),
            g in matching(TAG),
            s in matching(SCOPE),
            role in matching(TEAM_ROLE),
            e in matching(EMAIL),
        ) {
            if uuid::Uuid::parse_str(&n).is_err() {
                prop_assert!(name("token", &n).is_ok(), "{:?}", n);
            }
            prop_assert!(team_name(&t).is_ok(), "{:?}", t);
            prop_assert!(team_reference(&r).is_ok(), "{:?}", r);
            prop_assert!(tag(&g).is_ok(), "{:?}", g);
            prop_assert!(scope(&s).is_ok(), "{:?}", s);
            prop_assert!(team_role(&role).is_ok(), "{:?}", role);
            prop_assert_eq!(email(&e).is_ok(), e.chars().count() <= EMAIL_MAX, "{:?}", e);
        }

        #[test]
        fn what_a_parser_accepts_matches(v in near()) {
            prop_assume!(canonical(&v));
            prop_assert_eq!(
                name("token", &v).is_ok(),
                matches(NAME, &v) && uuid::Uuid::parse_str(&v).is_err(),
                "{:?}", v
            );
            prop_assert_eq!(team_name(&v).is_ok(), matches(TEAM_NAME, &v), "{:?}", v);
            prop_assert_eq!(team_reference(&v).is_ok(), matches(TEAM_REFERENCE, &v), "{:?}", v);
            prop_assert_eq!(tag(&v).is_ok(), matches(TAG, &v), "{:?}", v);
            prop_assert_eq!(
                scope(&v).is_ok(),
                matches(SCOPE, &v) && uuid::Uuid::parse_str(&v).is_err(),
                "{:?}", v
            );
            prop_assert_eq!(team_role(&v).is_ok(), matches(TEAM_ROLE, &v), "{:?}", v);
            prop_assert_eq!(
                email(&v).is_ok(),
                matches(EMAIL, &v) && v.chars().count() <= EMAIL_MAX,
                "{:?}", v
            );
            // Descriptions are taken as sent, white space included.
            prop_assert_eq!(
                description(&v).is_ok(),
                matches(DESCRIPTION, &v) && v.chars().count() <= DESCRIPTION_MAX,
                "{:?}", v
            );
        }

        #[test]
        fn descriptions_match_as_sent(v in any::<String>()) {
            prop_assert_eq!(
                description(&v).is_ok(),
                matches(DESCRIPTION, &v) && v.chars().count() <= DESCRIPTION_MAX,
                "{:?}", v
            );
        }
    }
}
