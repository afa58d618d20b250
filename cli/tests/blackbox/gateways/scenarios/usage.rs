//! Usage as the server records it, and hostile traffic that must not cost
//! more than itself.

use crate::gateways::{body, eventually, token, GatewayUnderTest, Kind};
use std::io::{Read, Write};
use std::time::Duration;

pub fn usage_is_recorded_exactly_once(s: &mut dyn GatewayUnderTest) {
    let t = token(s.cli(), "counted", &["--scope", "echo"]);
    s.sync();
    if s.kind() == Kind::Worker {
        assert_eq!(s.health().1["usage"]["mode"], "queue");
    }
    let url = s.url("/api/echo/x");
    let mut sent = 0;
    if s.kind() == Kind::Native {
        // The first success of the wait is one of the 50.
        eventually("token", s.follow_limit(), || {
            s.http().get(&url, Some(&t)).status == 200
        });
        sent = 1;
    }
    for _ in sent..50 {
        assert_eq!(s.http().get(&url, Some(&t)).status, 200);
    }
    assert_eq!(s.http().get(&url, None).status, 401);
    assert_eq!(
        s.http().get(&s.url("/nowhere"), Some(&t)).code(),
        "route_not_found"
    );
    let id: uuid::Uuid = s.cli().json(&["token", "show", "counted"])["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The Worker's refusals (the 401 and the 404) arrive with the rest.
    let waited = eventually("usage delivered", Duration::from_secs(30), || {
        s.srv().usage_of_status(id, 200).1 >= 50
            && (s.kind() == Kind::Native || s.srv().usage_counts().0 >= 52)
    });
    eprintln!(
        "usage through the {:?} gateway: the events at the server {} ms after the last request",
        s.kind(),
        waited.as_millis()
    );
    // Give a duplicate delivery time to show up (the Worker's Queue
    // consumer batches for up to 5 s).
    std::thread::sleep(match s.kind() {
        Kind::Native => Duration::from_secs(1),
        Kind::Worker => Duration::from_secs(6),
    });
    // Every request is there exactly once.
    let (rows, distinct) = s.srv().usage_counts();
    assert_eq!(rows, distinct);
    assert_eq!(s.srv().usage_of_status(id, 200), (50, 50));
    assert!(s.cli().json(&["token", "show", "counted"])["last_used_at"].is_string());
    match s.kind() {
        Kind::Native => {
            // The wait above is for the 50; the 404's event may still be
            // on its way on a loaded machine.
            eventually("the spool emptied", Duration::from_secs(10), || {
                s.health().1["usage"]["spool_depth"] == 0
            });
            // Requests refused without a token (the 401 above, and any sent
            // before the config arrived) are counted per client address,
            // reason and minute; stopping the gateway writes the open count
            // out.
            assert!(s.stop_graceful());
            eventually("the refusal counted", Duration::from_secs(5), || {
                s.srv().usage_of(None).1 >= 1
            });
        }
        Kind::Worker => {
            // Nothing but the 52 requests (no wait for the config here).
            assert_eq!((rows, distinct), (52, 52), "every request exactly once");
            let rows = s.srv().usage_rows();
            assert!(rows
                .iter()
                .any(|r| r.1 == 401 && r.4.as_deref() == Some("missing_token")));
            // The isolate's gathering for the Queue is empty again, and
            // lost nothing.
            let usage = s.health().1["usage"].clone();
            assert_eq!(
                (&usage["buffered"], &usage["dropped"]),
                (&0.into(), &0.into())
            );
        }
    }
    eventually("the 404 counted", Duration::from_secs(10), || {
        s.srv()
            .usage_rows()
            .iter()
            .any(|r| r.1 == 404 && r.4.as_deref() == Some("route_not_found"))
    });
    let rows = s.srv().usage_rows();
    assert_eq!(rows.iter().filter(|r| r.1 == 200).count(), 50);
}

/// A raw request with an 18-character method and no token; the status, if any.
fn hostile_method(base: &str) -> Option<u16> {
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "AAAAAAAAAAAAAAAAAA /anything HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = stream.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
}

/// The hostile-traffic reproductions: no tokenctl secret in any header
/// reaches the upstream (reproduction 5), and a request with an
/// 18-character method and no token costs no other event (reproduction 1).
pub fn hostile_requests_cost_nothing_else(s: &mut dyn GatewayUnderTest) {
    let upstream = s.upstream().url.clone();
    s.cli().json(&[
        "route",
        "add",
        "open",
        "--all-teams",
        "--path",
        "/api/open",
        "--upstream",
        &upstream,
    ]);
    let t = token(s.cli(), "good", &["--scope", "echo", "--scope", "open"]);
    let other = token(s.cli(), "other", &["--scope", "open"]);
    s.sync();
    let url = s.url("/api/echo/x");
    eventually("token known at the gateway", s.follow_limit(), || {
        s.http().get(&url, Some(&t)).status == 200
    });

    // Reproduction 5.
    let open = s.url("/api/open/echo");
    let bearer_other = format!("Bearer {other}");
    let cookie = format!("session={other}");
    for headers in [
        vec![
            ("x-api-key", t.as_str()),
            ("authorization", "Bearer foo"),
            ("authorization", bearer_other.as_str()),
        ],
        vec![
            ("x-api-key", t.as_str()),
            ("cookie", cookie.as_str()),
            ("x-custom", other.as_str()),
        ],
    ] {
        let r = s.http().send("GET", &open, &headers, "");
        assert_eq!(r.status, 200, "{headers:?}: {}", body(&r));
        let raw = r.json()["raw_headers"].to_string();
        assert!(
            !raw.contains(&t) && !raw.contains(&other),
            "a token reached the upstream: {raw}"
        );
    }

    // Reproduction 1.
    let status = hostile_method(s.base());
    for _ in 0..200 {
        assert_eq!(s.http().get(&url, Some(&t)).status, 200);
    }
    eventually("all good requests counted", Duration::from_secs(40), || {
        s.srv().usage_rows().iter().filter(|r| r.1 == 200).count() >= 203
    });
    eprintln!(
        "the {:?} gateway answered the 18-character method with {status:?}",
        s.kind()
    );
    if s.kind() == Kind::Native {
        // hyper passes any method to the gateway.
        assert_eq!(status, Some(401), "refused without a token");
    }
    assert_eq!(s.health().1["usage"]["dead_lettered"], 0);
    if status == Some(401) {
        // The gateway saw it: it is counted as a refusal (method OTHER),
        // not refused by ingest. The native gateway writes refusals without
        // a token when their minute ends or when it stops.
        s.stop_graceful();
        eventually("the refusal counted", Duration::from_secs(40), || {
            s.srv()
                .usage_rows()
                .iter()
                .any(|r| r.0 == "OTHER" && r.1 == 401)
        });
    }
}
