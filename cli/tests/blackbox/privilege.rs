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

    fn audit_entries_do_not_reveal_teams_the_caller_cannot_see(srv) {
        let admin = srv.cli();
        for t in ["alpha", "secret-project"] {
            admin.json(&["team", "create", t]);
        }
        let viewer = user(&srv, "vera", &["alpha:viewer"]);
        let max = user(&srv, "max", &["alpha:manager", "secret-project:manager"]);
        // Invitations naming both teams, and the enrolment that uses one,
        // are audited under alpha, whose audit the viewer reads.
        let used = max.json(&["user", "invite", "eve@example.com", "--role", "alpha:viewer", "--role", "secret-project:viewer"]);
        Cli::new(&srv.url, None)
            .run(&["login", "--enrol", used["code"].as_str().unwrap(), "--store", "file"])
            .ok();
        let revoked = max.json(&["user", "invite", "fay@example.com", "--role", "alpha:viewer", "--role", "secret-project:developer"]);
        max.json(&["user", "uninvite", revoked["id"].as_str().unwrap()]);

        let entry = |page: &Value, action: &str, target: &str| -> Value {
            page.as_array().unwrap().iter()
                .find(|e| e["action"] == action && e["target_name"] == target)
                .unwrap_or_else(|| panic!("no {action} of {target} in {page}"))
                .clone()
        };
        let roles = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|r| r["team"].as_str().unwrap().to_string()).collect()
        };
        let seen = viewer.json(&["audit", "list", "--limit", "1000"]);
        // The viewer reads the entries, with what concerns alpha…
        assert_eq!(roles(&entry(&seen, "user.invite", "eve@example.com")["after"]["roles"]), ["alpha"]);
        assert_eq!(roles(&entry(&seen, "invitation.revoke", "fay@example.com")["after"]["roles"]), ["alpha"]);
        assert_eq!(team_names(&entry(&seen, "user.enrol", "eve")["after"]["user"]), ["alpha"]);
        // …and nothing that names the other team, nor its id.
        let secret_id = admin.json(&["team", "show", "secret-project"])["id"].as_str().unwrap().to_string();
        for hidden in ["secret-project", secret_id.as_str()] {
            assert!(!seen.to_string().contains(hidden), "{hidden} in {seen}");
            let filtered = viewer.json(&["audit", "list", "--team", "alpha", "--limit", "1000"]);
            assert!(!filtered.to_string().contains(hidden), "{hidden} in {filtered}");
        }
        // Those who may see both teams see both.
        for cli in [&admin, &max] {
            let all = cli.json(&["audit", "list", "--limit", "1000"]);
            assert_eq!(roles(&entry(&all, "user.invite", "eve@example.com")["after"]["roles"]), ["alpha", "secret-project"]);
            assert_eq!(team_names(&entry(&all, "user.enrol", "eve")["after"]["user"]), ["alpha", "secret-project"]);
        }
    }
}

/// Creates a token through the API with extra headers; returns the
/// status and the `X-Request-Id` of the response.
fn create_with_headers(srv: &TestServer, name: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req = reqwest::Client::new()
            .post(format!("{}/v1/tokens", srv.url))
            .bearer_auth(&srv.admin)
            .json(&serde_json::json!({"name": name, "scopes": ["*"], "team": "system"}));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        let id = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (resp.status().as_u16(), id)
    })
}

fn audited_request_id(srv: &TestServer, target: &str) -> String {
    srv.cli()
        .json(&["audit", "list", "--target", target, "--limit", "1"])[0]["request_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

mod request_ids {
    use super::*;

    on_both_backends! {
        fn a_client_chosen_request_id_is_kept_only_when_short_and_plain(srv) {
            // A plain id from a proxy or a client is kept, end to end.
            let (status, echoed) = create_with_headers(&srv, "plain", &[("x-request-id", "lb:Root=1-6789/abc_DEF.1+2")]);
            assert_eq!(status, 201);
            assert_eq!(echoed, "lb:Root=1-6789/abc_DEF.1+2");
            assert_eq!(audited_request_id(&srv, "plain"), echoed);

            // Anything long or odd is replaced by the server's own UUID.
            let huge = "x".repeat(10_000);
            for (name, value) in [("huge", huge.as_str()), ("spaced", "DROP TABLE audit_log; --"), ("quoted", "\"}{\"")] {
                let (status, echoed) = create_with_headers(&srv, name, &[("x-request-id", value)]);
                assert_eq!(status, 201, "{name}");
                assert!(uuid::Uuid::parse_str(&echoed).is_ok(), "{name}: {echoed}");
                assert_eq!(audited_request_id(&srv, name), echoed, "{name}");
            }
            assert!(!srv.log().contains(&huge[..200]), "the long id must not reach the log either");
        }
    }
}

mod secrets {
    use super::*;

    on_both_backends! {
        fn a_developer_never_replaces_a_secret_even_in_a_race(srv) {
            let admin = srv.cli();
            let dev = user(&srv, "devi", &["system:developer"]);
            let mgr = user(&srv, "manu", &["system:manager"]);
            // Plainly: a developer stores new secrets, but cannot replace one.
            dev.run_with_stdin(&["secret", "set", "FRESH"], "v1").ok();
            dev.run_with_stdin(&["secret", "set", "FRESH"], "v2").fails(4);
            // Racing a manager who creates the same name: the developer's
            // write is a creation or nothing, never a replacement.
            let rounds = 16;
            std::thread::scope(|s| {
                for i in 0..rounds {
                    let name = format!("RACE{i}");
                    let (dev, mgr, name2) = (&dev, &mgr, name.clone());
                    let a = s.spawn(move || dev.run_with_stdin(&["secret", "set", &name], "from-dev"));
                    let b = s.spawn(move || mgr.run_with_stdin(&["secret", "set", &name2], "from-manager"));
                    let (a, b) = (a.join().unwrap(), b.join().unwrap());
                    assert!(b.code == 0 || b.code == 5, "manager: {b:?}");
                    assert!(a.code == 0 || a.code == 4 || a.code == 5, "developer: {a:?}");
                }
            });
            let page = admin.json(&["audit", "list", "--action", "secret.set", "--actor", "devi", "--limit", "1000"]);
            for e in page.as_array().unwrap() {
                assert!(e["before"].is_null(), "a developer replaced a secret: {e}");
                assert_eq!(e["after"]["version"], 1, "{e}");
            }
        }
    }
}

mod audit {
    use super::*;

    fn targets(cli: &Cli, extra: &[&str]) -> Vec<String> {
        let mut args = vec!["audit", "list", "--limit", "1000"];
        args.extend_from_slice(extra);
        cli.json(&args)
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["target_name"].as_str().map(str::to_string))
            .collect()
    }

    on_both_backends! {
        fn the_audit_log_is_read_by_the_audit_read_rule(srv) {
            let admin = srv.cli();
            admin.json(&["team", "create", "alpha"]);
            admin.json(&["team", "create", "beta"]);
            admin.json(&["token", "create", "--name", "alpha-token", "--scope", "*", "--team", "alpha"]);
            admin.json(&["token", "create", "--name", "beta-token", "--scope", "*", "--team", "beta"]);
            // AuditRead: viewer+ in the owning team; always your own actions.
            let viewer = user(&srv, "val", &["alpha:viewer"]);
            let seen = targets(&viewer, &[]);
            assert!(seen.contains(&"alpha-token".to_string()), "{seen:?}");
            assert!(!seen.contains(&"beta-token".to_string()), "{seen:?}");
            assert!(targets(&viewer, &["--team", "alpha"]).contains(&"alpha-token".to_string()));
            viewer.run(&["audit", "list", "--team", "beta"]).fails(3);
            let dev = user(&srv, "dana", &["beta:developer"]);
            dev.json(&["token", "create", "--name", "dana-token", "--scope", "*"]);
            let mine = targets(&dev, &[]);
            assert!(mine.contains(&"dana-token".to_string()) && mine.contains(&"beta-token".to_string()));
            assert!(!mine.contains(&"alpha-token".to_string()));
            let nobody = user(&srv, "nora", &[]);
            assert!(targets(&nobody, &[]).is_empty());
        }
    }
}

mod scopes {
    use super::*;

    on_both_backends! {
        fn removing_a_scope_the_token_lacks_is_refused(srv) {
            let admin = srv.cli();
            for r in ["a", "b"] {
                admin.json(&["route", "add", r, "--path", &format!("/{r}"), "--upstream", "http://127.0.0.1:9", "--all-teams"]);
            }
            admin.json(&["token", "create", "--name", "t", "--scope", "a", "--scope", "b"]);
            let run = admin.run(&["token", "update", "t", "--remove-scope", "typo", "--remove-scope", "b", "-o", "json"]);
            run.fails(2);
            let err: Value = serde_json::from_str(run.stderr.trim()).unwrap();
            assert_eq!(err["error"]["code"], "scope_not_present");
            assert!(err["error"]["message"].as_str().unwrap().contains("`typo`"));
            // Nothing changed, nothing audited.
            assert_eq!(admin.json(&["token", "show", "t"])["scopes"], serde_json::json!(["a", "b"]));
            let id = admin.json(&["token", "show", "t"])["id"].as_str().unwrap().to_string();
            assert_eq!(crate::common::audit_actions(&admin, &id), ["token.create"]);
            // A scope that is there goes.
            assert_eq!(admin.json(&["token", "update", "t", "--remove-scope", "b"])["scopes"], serde_json::json!(["a"]));
        }
    }
}

mod route_removal {
    use super::*;

    on_both_backends! {
        fn forced_route_removal_leaves_no_live_token_without_scopes(srv) {
            let admin = srv.cli();
            for r in ["intranet", "reports"] {
                admin.json(&["route", "add", r, "--path", &format!("/{r}"), "--upstream", "http://127.0.0.1:9", "--all-teams"]);
            }
            let only = admin.json(&["token", "create", "--name", "only-internal", "--scope", "intranet"]);
            admin.json(&["token", "create", "--name", "both", "--scope", "intranet", "--scope", "reports"]);
            admin.json(&["token", "create", "--name", "wild", "--scope", "*"]);
            let removed = admin.json(&["route", "remove", "intranet", "--force"]);
            let names = |key: &str| -> Vec<String> {
                removed[key].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
            };
            assert_eq!(names("affected_tokens"), ["only-internal", "both"]);
            assert_eq!(names("revoked_tokens"), ["only-internal"]);
            // No live token is left without a scope.
            for t in admin.json(&["token", "list"]).as_array().unwrap() {
                assert!(!t["scopes"].as_array().unwrap().is_empty(), "live token without scopes: {t}");
            }
            assert_eq!(admin.json(&["token", "show", "both"])["scopes"], serde_json::json!(["reports"]));
            assert_eq!(admin.json(&["token", "show", "wild"])["status"], "active");
            assert_eq!(
                crate::common::audit_actions(&admin, only["id"].as_str().unwrap()),
                ["token.create", "token.revoke"]
            );
            let text = {
                admin.json(&["route", "add", "tmp", "--path", "/tmp", "--upstream", "http://127.0.0.1:9", "--all-teams"]);
                admin.json(&["token", "create", "--name", "tmp-only", "--scope", "tmp"]);
                admin.run(&["route", "remove", "tmp", "--force", "--yes"])
            };
            assert!(text.ok().stdout.contains("revoked token system/tmp-only"), "{}", text.stdout);
        }
    }
}
