//! Teams, users, roles and invitations through the CLI, and named
//! regression tests for the access, audit and team-deletion flaws of the
//! system tokenctl replaces.

use crate::common::{Cli, TestGateway, TestServer};
use crate::on_both_backends;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Creates a user with roles and returns a CLI logged in as them.
fn user(srv: &TestServer, name: &str, roles: &[&str]) -> Cli {
    let mut args = vec!["user", "create", name];
    for r in roles {
        args.extend(["--role", r]);
    }
    let created = srv.cli().json(&args);
    Cli::new(&srv.url, created["secret"].as_str())
}

fn actions(cli: &Cli, filter: &[&str]) -> Vec<String> {
    let mut args = vec!["audit", "list", "--limit", "1000"];
    args.extend_from_slice(filter);
    cli.json(&args)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

on_both_backends! {
    fn team_and_user_lifecycle(srv) {
        let admin = srv.cli();
        let created = admin.json(&["team", "create", "platform", "--description", "Platform engineering"]);
        assert_eq!(created["name"], "platform");
        admin.run(&["team", "create", "platform"]).fails(5);
        admin.run(&["team", "create", "Bad Name"]).fails(2);

        let alice = user(&srv, "alice", &["platform:admin"]);
        let bob = admin.json(&["user", "create", "bob", "--email", "bob@example.com"]);
        assert!(bob["secret"].as_str().unwrap().starts_with("tkc_"));
        assert_eq!(bob["user"]["email"], "bob@example.com");
        admin.run(&["user", "create", "bob"]).fails(5);

        // members
        assert_eq!(alice.json(&["team", "member", "add", "platform", "bob", "developer"])["role"], "developer");
        assert_eq!(alice.json(&["team", "member", "set-role", "platform", "bob", "manager"])["role"], "manager");
        let team = alice.json(&["team", "show", "platform"]);
        let members: Vec<(&str, &str)> = team["members"].as_array().unwrap().iter()
            .map(|m| (m["user"].as_str().unwrap(), m["role"].as_str().unwrap())).collect();
        assert_eq!(members, [("alice", "admin"), ("bob", "manager")]);
        assert!(alice.run(&["team", "show", "platform"]).ok().stdout.contains("bob"));
        alice.json(&["team", "update", "platform", "--description", "Platform team"]);
        assert_eq!(alice.json(&["team", "list"]).as_array().unwrap().len(), 1, "alice sees only her team");

        // users
        let listed = alice.json(&["user", "list"]);
        let names: Vec<&str> = listed.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["alice", "bob"], "members of alice's teams, not everyone");
        assert_eq!(admin.json(&["user", "show", "bob"])["teams"][0]["role"], "manager");
        admin.json(&["user", "update", "bob", "--email", "robert@example.com"]);
        alice.run(&["user", "update", "bob", "--email", "x@example.com"]).fails(4);

        // whoami
        assert_eq!(alice.json(&["whoami"])["teams"][0]["team"], "platform");

        // disable / enable
        let bob_cli = Cli::new(&srv.url, bob["secret"].as_str());
        bob_cli.json(&["whoami"]);
        admin.json(&["user", "disable", "bob", "--yes"]);
        assert!(bob_cli.run(&["whoami"]).fails(4).contains("disabled"));
        admin.json(&["user", "enable", "bob"]);
        bob_cli.json(&["whoami"]);

        // remove member, delete team
        alice.json(&["team", "member", "remove", "platform", "bob", "--yes"]);
        alice.json(&["token", "create", "--name", "t", "--scope", "*", "--team", "platform"]);
        assert!(alice.run(&["team", "delete", "platform"]).fails(5).contains("--revoke-tokens"));
        let deleted = alice.json(&["team", "delete", "platform", "--revoke-tokens", "--yes"]);
        assert_eq!(deleted["revoked_tokens"].as_array().unwrap().len(), 1);
        admin.run(&["team", "show", "platform"]).fails(3);
        assert_eq!(admin.json(&["token", "list", "--status", "revoked"]).as_array().unwrap().len(), 1);
        admin.run(&["team", "delete", "system", "--yes"]).fails(5);

        let audited = actions(&admin, &[]);
        for a in ["team.create", "user.create", "team.member.add", "team.member.set_role", "team.update",
                  "user.update", "user.disable", "user.enable", "team.member.remove", "team.delete", "token.revoke"] {
            assert!(audited.iter().any(|x| x == a), "{a} missing from the audit log: {audited:?}");
        }
        let csv = admin.run(&["audit", "list", "--action", "team.*", "-o", "csv"]);
        assert!(csv.ok().stdout.starts_with("id,at,actor,action,"), "{}", csv.stdout);
        assert!(csv.stdout.contains("team.delete"));
        admin.run(&["token", "list", "-o", "csv"]).fails(2);
    }

    fn invitations_enrol_once_and_grant_no_more_than_the_inviter(srv) {
        let admin = srv.cli();
        admin.json(&["team", "create", "ops"]);
        let manager = user(&srv, "maria", &["ops:manager"]);
        manager.run(&["user", "invite", "eve@example.com", "--role", "ops:admin"]).fails(4);
        manager.run(&["user", "invite", "eve@example.com", "--role", "ops:developer", "--global-admin"]).fails(4);
        manager.run(&["user", "invite", "not-an-email", "--role", "ops:viewer"]).fails(2);
        let inv = manager.json(&["user", "invite", "eve@example.com", "--role", "ops:developer", "--expires", "1h"]);
        let code = inv["code"].as_str().unwrap().to_string();
        assert!(code.starts_with("tke_"));
        assert_eq!(inv["user"], "eve");
        assert_eq!(inv["status"], "pending");
        assert!(!admin.json(&["user", "invitations"]).to_string().contains(&code));

        // The invitee joins with the code, once.
        let eve = Cli::new(&srv.url, None);
        let joined = eve.run(&["login", "--enrol", &code, "--store", "file"]);
        assert!(joined.ok().stdout.contains("as eve"), "{}", joined.stdout);
        let me = eve.json(&["whoami"]);
        assert_eq!(me["teams"][0]["role"], "developer");
        assert_eq!(me["user"]["email"], "eve@example.com");
        let again = Cli::new(&srv.url, None);
        again.run(&["login", "--enrol", &code, "--store", "file"]).fails(4);
        again.run(&["login", "--enrol", "tke_typo", "--store", "file"]).fails(2);
        assert_eq!(manager.json(&["user", "invitations"])[0]["status"], "used");

        // Revoked invitations do not work.
        let second = manager.json(&["user", "invite", "frank@example.com", "--role", "ops:viewer"]);
        manager.json(&["user", "uninvite", second["id"].as_str().unwrap()]);
        Cli::new(&srv.url, None).run(&["login", "--enrol", second["code"].as_str().unwrap(), "--store", "file"]).fails(4);

        let audited = actions(&admin, &[]);
        for a in ["user.invite", "user.enrol", "invitation.revoke"] {
            assert!(audited.iter().any(|x| x == a), "{a} not audited");
        }
    }

    fn regression_viewer_cannot_reveal_tokens_or_secrets(srv) {
        // Original flaw: any team member, viewers included, could reveal a token's plaintext.
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        let viewer = user(&srv, "vic", &["alpha:viewer", "system:viewer"]);
        let secret = admin.json(&["token", "create", "--name", "t", "--scope", "*", "--team", "alpha"])["token"].as_str().unwrap().to_string();
        let seen = viewer.json(&["token", "show", "t"]);
        assert!(seen.get("token").is_none() && !seen.to_string().contains(&secret));
        assert!(!viewer.json(&["token", "list"]).to_string().contains(&secret));
        viewer.run(&["token", "rotate", "t"]).fails(4);
        viewer.run(&["token", "revoke", "t", "--yes"]).fails(4);
        viewer.run(&["token", "create", "--name", "x", "--scope", "*", "--team", "alpha"]).fails(4);
        // Secret values are never returned to anyone; viewers cannot set them either.
        admin.run_with_stdin(&["secret", "set", "K"], "super-secret-value").ok();
        assert!(!viewer.json(&["secret", "list"]).to_string().contains("super-secret-value"));
        viewer.run_with_stdin(&["secret", "set", "K2"], "v").fails(4);
        let (status, _) = crate::common::http_get(&format!("{}/v1/tokens/t/reveal", srv.url));
        assert_eq!(status, 404, "there is no reveal endpoint");
    }

    fn regression_team_admin_cannot_act_outside_their_team(srv) {
        // Original flaw: "admin of any team" acted globally (create/delete any team, invite anyone).
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        admin.json(&["team", "create", "beta"]);
        admin.json(&["token", "create", "--name", "beta-token", "--scope", "*", "--team", "beta"]);
        let alpha_admin = user(&srv, "amy", &["alpha:admin"]);
        alpha_admin.run(&["team", "create", "gamma"]).fails(4);
        alpha_admin.run(&["team", "delete", "beta", "--yes"]).fails(3);
        alpha_admin.run(&["team", "show", "beta"]).fails(3);
        alpha_admin.run(&["team", "member", "add", "beta", "amy", "admin"]).fails(3);
        alpha_admin.run(&["token", "show", "beta-token"]).fails(3);
        alpha_admin.run(&["token", "revoke", "beta-token", "--yes"]).fails(3);
        alpha_admin.run(&["user", "create", "mallory"]).fails(4);
        alpha_admin.run(&["user", "invite", "m@example.com", "--role", "beta:admin"]).fails(3);
        alpha_admin.run(&["route", "add", "r", "--all-teams", "--path", "/r", "--upstream", "http://127.0.0.1:1"]).fails(4);
        alpha_admin.run(&["gateway-key", "create", "g"]).fails(4);
        assert!(alpha_admin.json(&["audit", "list"]).as_array().unwrap().iter()
            .all(|e| e["target_name"] != "beta-token"), "no audit of other teams");
    }

    fn regression_signed_in_user_without_a_team_sees_nothing(srv) {
        // Original flaw: global dashboards, usage, audit and routes visible to anyone signed in.
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        admin.json(&["route", "add", "r", "--all-teams", "--path", "/r", "--upstream", "http://127.0.0.1:1"]);
        admin.json(&["token", "create", "--name", "t", "--scope", "r", "--team", "alpha"]);
        let nobody = user(&srv, "nobody", &[]);
        assert!(nobody.json(&["token", "list", "--status", "all"]).as_array().unwrap().is_empty());
        assert!(nobody.json(&["team", "list"]).as_array().unwrap().is_empty());
        let users: Vec<Value> = nobody.json(&["user", "list"]).as_array().unwrap().clone();
        assert_eq!(users.len(), 1, "only themselves");
        nobody.run(&["route", "list"]).fails(4);
        nobody.run(&["secret", "list"]).fails(4);
        assert!(nobody.json(&["audit", "list"]).as_array().unwrap().is_empty());
        // Unauthenticated: no data anywhere.
        for path in ["/api/stats", "/api/usage/test-data", "/v1/tokens", "/v1/audit", "/v1/teams"] {
            let (status, body) = crate::common::http_get(&format!("{}{path}", srv.url));
            assert!(status == 401 || status == 404, "{path}: {status} {body}");
        }
    }

    fn regression_developers_manage_only_their_own_tokens(srv) {
        // Original: developers could not even edit their own tokens; managers any.
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        let dev = user(&srv, "dev", &["alpha:developer"]);
        let mgr = user(&srv, "mgr", &["alpha:manager"]);
        dev.json(&["token", "create", "--name", "mine", "--scope", "*"]);
        mgr.json(&["token", "create", "--name", "theirs", "--scope", "*"]);
        dev.json(&["token", "update", "mine", "--description", "ok"]);
        dev.json(&["token", "rotate", "mine"]);
        dev.run(&["token", "update", "theirs", "--description", "no"]).fails(4);
        dev.run(&["token", "revoke", "theirs", "--yes"]).fails(4);
        dev.json(&["token", "revoke", "mine", "--yes"]);
        mgr.json(&["token", "create", "--name", "mine2", "--scope", "*"]);
        mgr.json(&["token", "revoke", "mine2", "--yes"]);
        let dev2 = dev.json(&["token", "create", "--name", "dev2", "--scope", "*"]);
        mgr.json(&["token", "revoke", dev2["id"].as_str().unwrap(), "--yes"]);
    }

    fn regression_roles_cannot_be_raised_and_the_last_admin_stays(srv) {
        let admin = srv.cli();
        admin.json(&["team", "create", "alpha"]);
        let owner = user(&srv, "owner", &["alpha:admin"]);
        let mgr = user(&srv, "mgr", &["alpha:manager"]);
        user(&srv, "u1", &[]);
        user(&srv, "u2", &["alpha:manager"]);
        mgr.json(&["team", "member", "add", "alpha", "u1", "developer"]);
        mgr.run(&["team", "member", "set-role", "alpha", "u1", "manager"]).fails(4);
        mgr.run(&["team", "member", "set-role", "alpha", "u1", "admin"]).fails(4);
        mgr.run(&["team", "member", "remove", "alpha", "u2", "--yes"]).fails(4);
        mgr.run(&["team", "member", "set-role", "alpha", "owner", "viewer"]).fails(4);
        mgr.run(&["team", "member", "set-role", "alpha", "mgr", "admin"]).fails(4);
        // The last admin cannot leave or be demoted, not even by a global admin.
        assert!(owner.run(&["team", "member", "remove", "alpha", "owner", "--yes"]).fails(5).contains("last admin"));
        admin.run(&["team", "member", "set-role", "alpha", "owner", "manager"]).fails(5);
        owner.json(&["team", "member", "set-role", "alpha", "u1", "admin"]);
        owner.json(&["team", "member", "set-role", "alpha", "owner", "manager"]);
        // The last global admin cannot be disabled or demoted.
        admin.run(&["user", "update", "admin", "--global-admin", "false"]).fails(5);
        admin.run(&["user", "disable", "admin", "--yes"]).fails(5);
    }

    fn regression_concurrent_role_changes_never_lose_an_update(srv) {
        // Original flaw: read-modify-write of one metadata blob lost concurrent role edits.
        let admin = srv.cli();
        let teams: Vec<String> = (0..8).map(|i| format!("t{i}")).collect();
        for t in &teams {
            admin.json(&["team", "create", t]);
        }
        user(&srv, "target", &[]);
        let children: Vec<_> = teams
            .iter()
            .map(|t| {
                admin
                    .command(&["team", "member", "add", t, "target", "developer"])
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            crate::common::finish(c.wait_with_output().unwrap()).ok();
        }
        let me = admin.json(&["user", "show", "target"]);
        assert_eq!(me["teams"].as_array().unwrap().len(), 8, "every concurrent grant survives: {me}");
        // Racing changes of one membership: each either applies or reports a conflict.
        let children: Vec<_> = ["viewer", "manager", "admin", "viewer", "manager"]
            .iter()
            .map(|role| {
                admin
                    .command(&["team", "member", "set-role", "t0", "target", role])
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let run = crate::common::finish(c.wait_with_output().unwrap());
            assert!(run.code == 0 || run.code == 5, "{run:?}");
        }
    }
}

/// Original flaw: deleting a team hard-deleted its tokens in the database
/// but left them live at the gateway. Here the tokens are revoked in the
/// same transaction and the gateway refuses them within a second.
#[test]
fn regression_team_deletion_revokes_tokens_at_the_gateway() {
    let srv = TestServer::start(crate::common::Backend::Sqlite).unwrap();
    let admin = srv.cli();
    let upstream = crate::upstream::Upstream::start();
    admin.json(&["team", "create", "doomed"]);
    admin.json(&[
        "route",
        "add",
        "echo",
        "--all-teams",
        "--path",
        "/echo",
        "--upstream",
        &upstream.url,
    ]);
    let token = admin.json(&[
        "token", "create", "--name", "t", "--scope", "echo", "--team", "doomed",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let gw = TestGateway::start(&srv);
    gw.wait_ready();
    let http = crate::upstream::Http::new();
    let url = format!("{}/echo/x", gw.url);
    let started = Instant::now();
    while http.get(&url, Some(&token)).status != 200 {
        assert!(started.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(20));
    }
    admin.run(&["team", "delete", "doomed", "--yes"]).fails(5);
    assert_eq!(
        http.get(&url, Some(&token)).status,
        200,
        "a refused delete changes nothing"
    );
    admin.json(&["team", "delete", "doomed", "--revoke-tokens", "--yes"]);
    let started = Instant::now();
    while http.get(&url, Some(&token)).status != 401 {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "token still accepted after the team was deleted"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(http.get(&url, Some(&token)).code(), "invalid_token");
}
