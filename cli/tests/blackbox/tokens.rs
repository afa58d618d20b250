//! Token lifecycle: create → list → show → update → rotate → revoke.

use crate::common::{audit_actions, Cli};
use crate::on_both_backends;
use serde_json::Value;
use std::time::Duration;

fn add_route(cli: &Cli, name: &str, path: &str, tags: &[&str]) {
    let mut args = vec![
        "route",
        "add",
        name,
        "--all-teams",
        "--path",
        path,
        "--upstream",
        "http://127.0.0.1:9/up",
    ];
    for t in tags {
        args.extend(["--tag", t]);
    }
    cli.json(&args);
}

fn scopes(v: &Value) -> Vec<&str> {
    v["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

on_both_backends! {
    fn token_lifecycle(srv) {
        let cli = srv.cli();
        add_route(&cli, "openai", "/api/openai", &["llm"]);
        add_route(&cli, "internal", "/api/internal", &[]);

        // create
        let created = cli.json(&[
            "token", "create", "--name", "n8n-prod", "--scope", "openai", "--scope", "tag:llm",
            "--expires", "30d", "--description", "n8n production",
            "--allow-ip", "10.0.0.0/8", "--rate", "100/1m",
        ]);
        let id = created["id"].as_str().unwrap().to_string();
        let secret = created["token"].as_str().unwrap().to_string();
        assert!(secret.starts_with("ntk_") && secret.len() == 53, "{secret}");
        assert_eq!(created["name"], "n8n-prod");
        assert_eq!(created["team"], "system");
        assert_eq!(scopes(&created), ["openai", "tag:llm"]);
        assert_eq!(created["status"], "active");
        assert_eq!(created["rate_limit"]["requests"], 100);
        assert_eq!(created["allow_ips"][0], "10.0.0.0/8");
        let expires = created["expires_at"].as_str().unwrap();
        assert!(expires.ends_with('Z') || expires.contains('+'), "UTC with offset: {expires}");
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);

        // the table output says plainly that the token is shown only now
        let table = cli.run(&["token", "create", "--name", "second", "--scope", "*"]);
        table.ok();
        assert!(table.stdout.contains("shown only this once"), "{}", table.stdout);
        assert!(table.stdout.contains("ntk_"));

        // list
        let list = cli.json(&["token", "list"]);
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["n8n-prod", "second"]);
        assert!(list.to_string().find(&secret).is_none(), "list must not show the secret");
        assert!(cli.run(&["token", "list"]).ok().stdout.contains("n8n-prod"));

        // show by name, by id, by its own secret
        let by_name = cli.json(&["token", "show", "n8n-prod"]);
        let by_id = cli.json(&["token", "show", &id]);
        let by_secret = cli.json(&["token", "show", &secret]);
        assert_eq!(by_name["id"], by_id["id"]);
        assert_eq!(by_name["id"], by_secret["id"]);
        assert!(by_name.get("token").is_none());
        assert!(by_name["secret_hint"].as_str().unwrap().len() > 8);
        assert!(!by_name.to_string().contains(&secret));
        assert_eq!(by_name["last_used_at"], Value::Null);
        assert!(cli.run(&["token", "show", "n8n-prod"]).ok().stdout.contains("active"));

        // update
        let updated = cli.json(&[
            "token", "update", "n8n-prod", "--name", "n8n-production", "--add-scope", "internal",
            "--remove-scope", "tag:llm", "--expires", "never", "--description", "renamed", "--rate", "none",
        ]);
        assert_eq!(updated["name"], "n8n-production");
        assert_eq!(scopes(&updated), ["openai", "internal"]);
        assert_eq!(updated["expires_at"], Value::Null);
        assert_eq!(updated["rate_limit"], Value::Null);
        assert_eq!(updated["description"], "renamed");
        assert_eq!(updated["id"], created["id"]);
        let replaced = cli.json(&["token", "update", &id, "--scope", "*"]);
        assert_eq!(scopes(&replaced), ["*"]);

        // rotate with a grace period: both secrets listed until it ends
        let rotated = cli.json(&["token", "rotate", "n8n-production", "--grace", "3s"]);
        let new_secret = rotated["token"].as_str().unwrap().to_string();
        assert_ne!(new_secret, secret);
        assert_eq!(rotated["id"], created["id"], "rotation keeps the id");
        let shown = cli.json(&["token", "show", &id]);
        assert!(shown["previous_secret"]["hint"].is_string(), "{shown}");
        assert_eq!(shown["previous_secret"]["hint"], by_name["secret_hint"]);
        assert_eq!(cli.json(&["token", "show", &secret])["id"], created["id"], "old secret still resolves");
        assert_eq!(cli.json(&["token", "show", &new_secret])["id"], created["id"]);
        assert!(cli.run(&["token", "show", &id]).ok().stdout.contains("previous secret"));
        std::thread::sleep(Duration::from_millis(3500));
        let after_grace = cli.json(&["token", "show", &id]);
        assert_eq!(after_grace["previous_secret"], Value::Null, "{after_grace}");
        cli.run(&["token", "show", &secret]).fails(3);

        // rotate without grace: the old secret stops at once
        let again = cli.json(&["token", "rotate", &id]);
        assert_eq!(again["previous_secret"], Value::Null);
        cli.run(&["token", "show", &new_secret]).fails(3);

        // revoke: soft delete, kept for audit
        let revoked = cli.json(&["token", "revoke", &id]);
        assert_eq!(revoked["status"], "revoked");
        assert!(revoked["revoked_at"].is_string());
        cli.run(&["token", "revoke", &id]).fails(5);
        cli.run(&["token", "rotate", &id]).fails(5);
        cli.run(&["token", "update", &id, "--description", "x"]).fails(5);
        let active: Vec<Value> = cli.json(&["token", "list"]).as_array().unwrap().clone();
        assert!(active.iter().all(|t| t["id"] != created["id"]));
        let revoked_list = cli.json(&["token", "list", "--status", "revoked"]);
        assert_eq!(revoked_list[0]["id"], created["id"]);
        assert_eq!(cli.json(&["token", "list", "--status", "all"]).as_array().unwrap().len(), 2);

        // the name is free again once revoked
        cli.json(&["token", "create", "--name", "n8n-production", "--scope", "openai"]);

        assert_eq!(
            audit_actions(&cli, &id),
            ["token.create", "token.update", "token.update", "token.rotate", "token.rotate", "token.revoke"]
        );
    }

    fn idempotent_rotation_returns_the_same_secret(srv) {
        let cli = srv.cli();
        let created = cli.json(&["token", "create", "--name", "ci", "--scope", "*"]);
        let id = created["id"].as_str().unwrap();
        let first = cli.json(&["token", "rotate", "ci", "--idempotency-key", "pipeline-42", "--grace", "1h"]);
        let retry = cli.json(&["token", "rotate", "ci", "--idempotency-key", "pipeline-42", "--grace", "1h"]);
        assert_eq!(first["token"], retry["token"]);
        assert_ne!(first["token"], created["token"]);
        let rotations = audit_actions(&cli, id).iter().filter(|a| *a == "token.rotate").count();
        assert_eq!(rotations, 1, "a retry must not mint again");
        // The same key with other parameters is a mistake, not a retry.
        cli.run(&["token", "rotate", "ci", "--idempotency-key", "pipeline-42", "--grace", "2h"]).fails(2);
        let other = cli.json(&["token", "rotate", "ci", "--idempotency-key", "pipeline-43"]);
        assert_ne!(other["token"], first["token"]);
        // The first key's rotation is superseded now: say so rather than hand out a dead secret.
        cli.run(&["token", "rotate", "ci", "--idempotency-key", "pipeline-42", "--grace", "1h"]).fails(5);
    }

    fn expired_tokens_are_listed_as_expired(srv) {
        let cli = srv.cli();
        let t = cli.json(&["token", "create", "--name", "short", "--scope", "*", "--expires", "2s"]);
        assert_eq!(t["status"], "active");
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(cli.json(&["token", "show", "short"])["status"], "expired");
        assert_eq!(cli.json(&["token", "list", "--status", "expired"])[0]["name"], "short");
        assert!(cli.json(&["token", "list"]).as_array().unwrap().is_empty());
        assert!(cli.run(&["token", "list"]).ok().stderr.contains("No tokens"));
    }

    fn names_resolve_and_ambiguity_lists_candidates(srv) {
        let cli = srv.cli();
        let a = cli.json(&["token", "create", "--name", "dup", "--scope", "*"]);
        cli.json(&["token", "revoke", "dup"]);
        let b = cli.json(&["token", "create", "--name", "dup", "--scope", "*"]);
        // One live token and one revoked: the name means the live one.
        assert_eq!(cli.json(&["token", "show", "dup"])["id"], b["id"]);
        cli.json(&["token", "revoke", "dup"]);
        // Two revoked tokens of that name: ambiguous, with the candidates.
        let err = cli.run(&["token", "show", "dup"]);
        let stderr = err.fails(2);
        assert!(stderr.contains(a["id"].as_str().unwrap()) && stderr.contains(b["id"].as_str().unwrap()), "{stderr}");
        let json_err = cli.run(&["token", "show", "dup", "-o", "json"]);
        json_err.fails(2);
        let body: Value = serde_json::from_str(json_err.stderr.trim()).expect("-o json errors are JSON");
        assert_eq!(body["error"]["code"], "ambiguous_reference");
        assert_eq!(body["error"]["candidates"].as_array().unwrap().len(), 2);
        // --team narrows a lookup; ids always work.
        assert_eq!(cli.json(&["token", "show", a["id"].as_str().unwrap()])["id"], a["id"]);
        assert_eq!(cli.json(&["token", "list", "--team", "system", "--status", "all"]).as_array().unwrap().len(), 2);
    }
}
