//! `tokenctl search TEXT` and `GET /v1/search`: one search across tokens,
//! routes, teams and users, limited to what the caller may see, with `%`
//! and `_` taken literally on both backends.

use crate::common::{Cli, TestServer};
use crate::on_both_backends;
use serde_json::Value;

/// The names of one kind's hits, sorted (the order of names that differ
/// only in case follows each database's collation).
fn names(found: &Value, kind: &str) -> Vec<String> {
    let mut out: Vec<String> = found[kind]
        .as_array()
        .unwrap_or_else(|| panic!("no {kind}: {found}"))
        .iter()
        .map(|hit| hit["name"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// `GET path` with a credential: status and body.
fn get(srv: &TestServer, bearer: &str, path: &str) -> (u16, Value) {
    crate::common::runtime().block_on(async {
        let resp = reqwest::Client::new()
            .get(format!("{}{path}", srv.url))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    })
}

struct Fixture {
    cli: Cli,
    /// A token of billing: id and secret.
    token: (String, String),
    research_id: String,
    /// Of research, viewer only.
    rita: Cli,
    /// In no team.
    loner: Cli,
}

fn fixture(srv: &TestServer) -> Fixture {
    let cli = srv.cli();
    cli.json(&[
        "team",
        "create",
        "billing",
        "--description",
        "Invoices and payments",
    ]);
    let research = cli.json(&["team", "create", "research"]);
    let token = |name: &str, team: &str| -> Value {
        cli.json(&[
            "token", "create", "--name", name, "--scope", "*", "--team", team,
        ])
    };
    let prod = token("Billing-Prod", "billing");
    token("billing_ci", "billing");
    token("billingxci", "billing");
    token("research-bot", "research");
    for (name, path, upstream, tag) in [
        (
            "billing-api",
            "/billing",
            "https://api.example.com",
            "finance",
        ),
        ("openai", "/openai", "http://203.0.113.9/v1", "llm"),
    ] {
        cli.json(&[
            "route",
            "add",
            name,
            "--all-teams",
            "--path",
            path,
            "--upstream",
            upstream,
            "--tag",
            tag,
        ]);
    }
    cli.json(&[
        "user",
        "create",
        "bea",
        "--email",
        "bea@billing.example",
        "--role",
        "billing:developer",
    ]);
    cli.json(&["user", "create", "pct", "--email", "x%y@example.com"]);
    cli.json(&["user", "create", "plain", "--email", "xzzy@example.com"]);
    let rita = cli.json(&["user", "create", "rita", "--role", "research:viewer"]);
    let loner = cli.json(&["user", "create", "loner"]);
    Fixture {
        token: (
            prod["id"].as_str().unwrap().to_string(),
            prod["token"].as_str().unwrap().to_string(),
        ),
        research_id: research["id"].as_str().unwrap().to_string(),
        rita: Cli::new(&srv.url, rita["secret"].as_str()),
        loner: Cli::new(&srv.url, loner["secret"].as_str()),
        cli,
    }
}

on_both_backends! {
    fn search_finds_every_kind_by_its_fields(srv) {
        let f = fixture(&srv);
        let cli = &f.cli;

        let found = cli.json(&["search", "billing"]);
        assert_eq!(found["query"], "billing");
        assert_eq!(names(&found, "tokens"), ["Billing-Prod", "billing_ci", "billingxci"]);
        assert_eq!(names(&found, "routes"), ["billing-api"], "by name and path");
        assert_eq!(names(&found, "teams"), ["billing"]);
        assert_eq!(names(&found, "users"), ["bea"], "by e-mail");
        assert_eq!(found["truncated"], serde_json::json!([]));
        assert_eq!(found["tokens"][0]["team"], "billing", "hits carry their fields");

        // Case does not matter.
        assert_eq!(names(&cli.json(&["search", "BILLING-prod"]), "tokens"), ["Billing-Prod"]);
        assert_eq!(names(&cli.json(&["search", "INVOICES"]), "teams"), ["billing"], "by description");
        // `_` and `%` are not wildcards.
        let underscore = cli.json(&["search", "billing_ci"]);
        assert_eq!(names(&underscore, "tokens"), ["billing_ci"]);
        let percent = cli.json(&["search", "x%y"]);
        assert_eq!(names(&percent, "users"), ["pct"]);
        let only_percent = cli.json(&["search", "%"]);
        assert_eq!(names(&only_percent, "users"), ["pct"]);
        for kind in ["tokens", "routes", "teams"] {
            assert!(names(&only_percent, kind).is_empty(), "{only_percent}");
        }
        // Routes by upstream host, tag and path.
        assert_eq!(names(&cli.json(&["search", "api.example.COM"]), "routes"), ["billing-api"]);
        assert_eq!(names(&cli.json(&["search", "203.0.113"]), "routes"), ["openai"]);
        assert_eq!(names(&cli.json(&["search", "llm"]), "routes"), ["openai"]);
        assert_eq!(names(&cli.json(&["search", "/open"]), "routes"), ["openai"]);
        // Tokens by secret prefix and id; teams by id.
        let (id, secret) = &f.token;
        assert!(names(&cli.json(&["search", &secret[..8]]), "tokens").contains(&"Billing-Prod".to_string()));
        let by_id = cli.json(&["search", id]);
        assert_eq!(names(&by_id, "tokens"), ["Billing-Prod"]);
        assert_eq!(names(&cli.json(&["search", &f.research_id]), "teams"), ["research"]);

        // At most --limit per kind, and the truncated kinds say so.
        let limited = cli.json(&["search", "billing", "--limit", "2"]);
        assert_eq!(limited["tokens"].as_array().unwrap().len(), 2);
        assert_eq!(limited["limit"], 2);
        assert_eq!(limited["truncated"], serde_json::json!(["tokens"]));

        // The table: one section per kind with hits.
        let table = cli.run(&["search", "billing"]);
        let text = &table.ok().stdout;
        for section in ["Tokens (3)", "Routes (1)", "Teams (1)", "Users (1)"] {
            assert!(text.contains(section), "{section}: {text}");
        }
        assert!(text.contains("bea@billing.example"), "{text}");

        // Nothing found is an answer, not an error.
        let none = cli.json(&["search", "no-such-thing"]);
        for kind in ["tokens", "routes", "teams", "users"] {
            assert!(names(&none, kind).is_empty(), "{none}");
        }
        let table = cli.run(&["search", "no-such-thing"]);
        assert!(table.ok().stdout.contains("Nothing you may see matches"), "{}", table.stdout);
    }

    fn search_shows_only_what_the_caller_may_see(srv) {
        let f = fixture(&srv);
        // A viewer of research: routes (every team member reads them), but
        // no other team's tokens, the team itself, or its members.
        let found = f.rita.json(&["search", "billing"]);
        assert!(names(&found, "tokens").is_empty(), "{found}");
        assert!(names(&found, "teams").is_empty(), "{found}");
        assert!(names(&found, "users").is_empty(), "{found}");
        assert_eq!(names(&found, "routes"), ["billing-api"]);
        let (id, _) = &f.token;
        assert!(names(&f.rita.json(&["search", id]), "tokens").is_empty());
        let own = f.rita.json(&["search", "research"]);
        assert_eq!(names(&own, "tokens"), ["research-bot"]);
        assert_eq!(names(&own, "teams"), ["research"]);
        assert_eq!(names(&f.rita.json(&["search", "rita"]), "users"), ["rita"]);
        assert!(names(&f.rita.json(&["search", "x%y"]), "users").is_empty(), "pct shares no team");

        // In no team: no routes either; only themselves.
        let found = f.loner.json(&["search", "billing"]);
        for kind in ["tokens", "routes", "teams", "users"] {
            assert!(names(&found, kind).is_empty(), "{found}");
        }
        assert_eq!(names(&f.loner.json(&["search", "loner"]), "users"), ["loner"]);
    }

    fn search_input_limits(srv) {
        let admin = srv.admin.clone();
        let status = |path: &str| get(&srv, &admin, path).0;
        assert_eq!(status("/v1/search?q=billing"), 200);
        let (code, body) = get(&srv, &admin, "/v1/search?q=");
        assert_eq!(code, 422, "{body}");
        assert_eq!(status(&format!("/v1/search?q={}", "x".repeat(200))), 200);
        assert_eq!(status(&format!("/v1/search?q={}", "x".repeat(201))), 422);
        assert_eq!(status("/v1/search?q=x&limit=0"), 422);
        assert_eq!(status("/v1/search?q=x&limit=501"), 422);
        assert_eq!(status("/v1/search?q=x&limit=500"), 200);
        assert_eq!(status("/v1/search"), 400, "q is required");
        // The CLI checks the same limits before asking.
        let cli = srv.cli();
        cli.run(&["search", ""]).fails(2);
        cli.run(&["search", &"x".repeat(201)]).fails(2);
        cli.run(&["search", "x", "--limit", "0"]).fails(2);
    }
}
