//! Least privilege at the gateway: a route serves only the teams granted
//! to it (grants and withdrawals follow the server), a secret is injected
//! only into its hosts, and an upstream address the route is not approved
//! for is refused, all decided by the same core on both gateways.

use super::refusals::touch;
use crate::gateways::{body, eventually, token, GatewayUnderTest, Kind};
use crate::upstream::UPSTREAM_SECRET;
use serde_json::Value;

fn call(s: &dyn GatewayUnderTest, url: &str, t: &str) -> (u16, String) {
    let r = s.http().get(url, Some(t));
    (
        r.status,
        if r.status < 300 {
            String::new()
        } else {
            r.code()
        },
    )
}

pub fn enforces_route_grants_secret_hosts_and_upstream_addresses(s: &mut dyn GatewayUnderTest) {
    let cli = s.cli();
    cli.json(&["team", "create", "ml"]);
    cli.json(&["team", "create", "web"]);
    cli.json(&[
        "route",
        "add",
        "ml-echo",
        "--path",
        "/api/ml",
        "--upstream",
        &format!("{}/base", s.upstream().url),
        "--auth",
        "bearer:UPSTREAM_KEY",
        "--team",
        "ml",
    ]);
    let ml = token(cli, "ml-star", &["--scope", "*", "--team", "ml"]);
    let web = token(cli, "web-star", &["--scope", "*", "--team", "web"]);
    let web_tag = token(cli, "web-test", &["--scope", "tag:test", "--team", "web"]);
    // The KV values carry what the Worker needs to decide (only its server
    // has the edge key that KV sync needs).
    if s.kind() == Kind::Worker {
        let export = cli.json(&["sync", "export"]);
        let value = |key: &str| -> Value {
            let entry = export
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["key"] == key)
                .unwrap();
            serde_json::from_str(entry["value"].as_str().unwrap()).unwrap()
        };
        let routes = value("routes");
        let ml_route = routes["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "ml-echo")
            .unwrap();
        assert_eq!(ml_route["all_teams"], false);
        assert_eq!(ml_route["teams"].as_array().unwrap().len(), 1);
        assert_eq!(ml_route["upstream_access"], "private");
        assert_eq!(
            value("secrets")["hosts"]["UPSTREAM_KEY"],
            serde_json::json!(["127.0.0.1"])
        );
    }
    s.sync();

    let ml_url = s.url("/api/ml/x");
    let echo_url = s.url("/api/echo/x");
    let limit = s.follow_limit();
    // Each token may arrive with its own change: wait for the last one.
    eventually("config at the gateway", limit, || {
        call(s, &ml_url, &ml).0 == 200 && call(s, &ml_url, &web_tag).0 != 401
    });
    assert_eq!(
        s.http().get(&ml_url, Some(&ml)).json()["headers"]["authorization"],
        format!("Bearer {UPSTREAM_SECRET}")
    );
    for t in [&web, &web_tag] {
        assert_eq!(call(s, &ml_url, t), (403, "scope_denied".into()));
    }
    assert_eq!(call(s, &echo_url, &web).0, 200, "a route for all teams");

    // A grant reaches the gateway with the next sync; so does its withdrawal.
    s.cli().json(&["route", "grant", "ml-echo", "web"]);
    s.sync();
    eventually("the grant at the gateway", limit, || {
        call(s, &ml_url, &web).0 == 200
    });
    s.cli().json(&["route", "ungrant", "ml-echo", "web"]);
    s.sync();
    eventually("the withdrawal at the gateway", limit, || {
        call(s, &ml_url, &web) == (403, "scope_denied".into())
    });
    assert_eq!(call(s, &ml_url, &ml).0, 200);

    // A secret is injected only into its hosts, whatever the config says
    // about the route (here: hosts changed behind the server's back).
    s.srv().sql(&[
        "UPDATE secrets SET hosts = '[\"api.openai.com\"]' WHERE name = 'UPSTREAM_KEY'".to_string(),
        touch("secret", "UPSTREAM_KEY"),
    ]);
    s.sync();
    eventually("the key withheld at the gateway", limit, || {
        call(s, &ml_url, &ml) == (502, "upstream_auth_unavailable".into())
    });
    let r = s.http().get(&ml_url, Some(&ml));
    assert!(!body(&r).contains(UPSTREAM_SECRET));

    // An upstream at an address its route is not approved for is refused.
    let echo_id = s.cli().json(&["route", "show", "echo"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.srv().sql(&[
        "UPDATE routes SET upstream_access = 'public' WHERE name = 'echo'".to_string(),
        touch("route", &echo_id),
    ]);
    s.sync();
    eventually("the address refused at the gateway", limit, || {
        call(s, &echo_url, &ml) == (502, "upstream_forbidden".into())
    });
    let (status, health) = s.health();
    assert_eq!(status, 200);
    let problems = health.to_string();
    assert!(
        problems.contains("may not be sent to host") && problems.contains("upstream address"),
        "{problems}"
    );
}
