//! Routes: add → list → show → update → remove, and their guards.

use crate::common::audit_actions;
use crate::on_both_backends;
use serde_json::Value;

on_both_backends! {
    fn route_lifecycle(srv) {
        let cli = srv.cli();
        cli.run_with_stdin(&["secret", "set", "OPENAI_KEY", "--host", "api.openai.com"], "sk-test-1\n").ok();
        let route = cli.json(&[
            "route", "add", "openai", "--all-teams", "--path", "/api//openai/", "--upstream", "https://api.openai.com/v1/",
            "--auth", "bearer:OPENAI_KEY", "--tag", "LLM", "--timeout", "45s", "--description", "OpenAI",
        ]);
        let id = route["id"].as_str().unwrap().to_string();
        assert_eq!(route["path"], "/api/openai", "paths are normalised");
        assert_eq!(route["upstream"], "https://api.openai.com/v1");
        assert_eq!(route["auth"], serde_json::json!({"type": "bearer", "secret": "OPENAI_KEY"}));
        assert_eq!(route["tags"], serde_json::json!(["llm"]));
        assert_eq!(route["timeout_ms"], 45000);

        // list and show (by name, id and path)
        let list = cli.json(&["route", "list"]);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert!(cli.run(&["route", "list"]).ok().stdout.contains("/api/openai"));
        for reference in ["openai", id.as_str(), "/api/openai"] {
            assert_eq!(cli.json(&["route", "show", reference])["id"], route["id"]);
        }

        // a route the token scopes by name
        cli.json(&["token", "create", "--name", "uses-openai", "--scope", "openai"]);

        // update; a rename follows into the token's scopes
        let updated = cli.json(&[
            "route", "update", "openai", "--name", "oai", "--upstream", "https://api.openai.com/v2",
            "--add-tag", "chat", "--auth", "header:X-Api-Key:OPENAI_KEY", "--timeout", "5s",
        ]);
        assert_eq!(updated["name"], "oai");
        assert_eq!(updated["tags"], serde_json::json!(["llm", "chat"]));
        assert_eq!(updated["auth"]["type"], "header");
        assert_eq!(cli.json(&["token", "show", "uses-openai"])["scopes"], serde_json::json!(["oai"]));

        // duplicates
        cli.run(&["route", "add", "oai", "--all-teams", "--path", "/x", "--upstream", "http://a.example"]).fails(5);
        let dup_path = cli.run(&["route", "add", "other", "--all-teams", "--path", "/api/openai", "--upstream", "http://a.example"]);
        assert!(dup_path.fails(5).contains("/api/openai"));

        // segment boundaries: a longer sibling prefix is a different route
        cli.json(&["route", "add", "openaix", "--all-teams", "--path", "/api/openaix", "--upstream", "http://b.example"]);

        // removal is refused while a token scopes it, and --force says what it affects
        let refused = cli.run(&["route", "remove", "oai"]);
        assert!(refused.fails(5).contains("uses-openai"), "{}", refused.stderr);
        let removed = cli.json(&["route", "remove", "oai", "--force"]);
        assert_eq!(removed["affected_tokens"][0]["name"], "uses-openai");
        // It was the token's only scope: the token is revoked, not left live with none.
        assert_eq!(removed["revoked_tokens"][0]["name"], "uses-openai");
        assert_eq!(cli.json(&["token", "show", "uses-openai"])["status"], "revoked");
        cli.run(&["route", "show", "oai"]).fails(3);
        let text = cli.run(&["route", "remove", "openaix", "--yes"]);
        assert!(text.ok().stdout.contains("Removed route `openaix`"));

        assert_eq!(audit_actions(&cli, &id), ["route.create", "route.update", "route.remove"]);
        let update = &cli.json(&["audit", "list", "--action", "route.update"])[0];
        assert_eq!(update["before"]["name"], "openai");
        assert_eq!(update["after"]["name"], "oai");
        assert_eq!(update["after"]["scopes_renamed_in_tokens"][0]["name"], "uses-openai");
    }

    fn scopes_must_name_routes_or_tags(srv) {
        let cli = srv.cli();
        cli.json(&["route", "add", "billing", "--all-teams", "--path", "/billing", "--upstream", "http://127.0.0.1:1", "--tag", "finance"]);
        cli.json(&["token", "create", "--name", "a", "--scope", "billing"]);
        cli.json(&["token", "create", "--name", "b", "--scope", "tag:finance"]);
        cli.json(&["token", "create", "--name", "c", "--scope", "*"]);
        let unknown = cli.run(&["token", "create", "--name", "d", "--scope", "biling"]);
        assert!(unknown.fails(2).contains("biling"));
        cli.run(&["token", "create", "--name", "d", "--scope", "tag:nope"]).fails(2);
        let kept = cli.json(&["token", "create", "--name", "d", "--scope", "future-route", "--allow-unknown-scope"]);
        assert_eq!(kept["scopes"][0], "future-route");
        cli.run(&["token", "update", "a", "--add-scope", "nope"]).fails(2);
        assert_eq!(cli.json(&["token", "show", "a"])["scopes"], serde_json::json!(["billing"]));
        let _: Value = cli.json(&["token", "update", "a", "--add-scope", "nope", "--allow-unknown-scope"]);
    }
}
