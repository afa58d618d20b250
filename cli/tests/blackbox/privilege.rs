//! Smaller least-privilege fixes, each with the reproduction it answers.

use crate::common::{Cli, TestServer};
use crate::on_both_backends;
use serde_json::Value;

/// Creates a user with roles and returns a CLI that uses their credential.
fn user(srv: &TestServer, name: &str, roles: &[&str]) -> Cli {
    let mut args = vec!["user", "create", name];
    for r in roles {
        args.extend(["--role", r]);
    }
    let created = srv.cli().json(&args);
    Cli::new(&srv.url, created["secret"].as_str())
}

fn team_names(user: &Value) -> Vec<String> {
    user["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["team"].as_str().unwrap().to_string())
        .collect()
}

on_both_backends! {
    fn user_records_do_not_reveal_teams_the_caller_cannot_see(srv) {
        let admin = srv.cli();
        for t in ["alpha", "secret-project"] {
            admin.json(&["team", "create", t]);
        }
        let viewer = user(&srv, "vera", &["alpha:viewer"]);
        user(&srv, "bob", &["alpha:developer", "secret-project:admin"]);

        let bob = viewer.json(&["user", "show", "bob"]);
        assert_eq!(team_names(&bob), ["alpha"]);
        let listed = viewer.json(&["user", "list"]);
        assert!(!listed.to_string().contains("secret-project"), "{listed}");
        assert!(!viewer.run(&["user", "show", "bob"]).ok().stdout.contains("secret-project"));
        // Global admins, and users looking at themselves, see everything.
        assert_eq!(team_names(&admin.json(&["user", "show", "bob"])), ["alpha", "secret-project"]);
        let me = viewer.json(&["user", "show", "vera"]);
        assert_eq!(team_names(&me), ["alpha"]);
    }
}
