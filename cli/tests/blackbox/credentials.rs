//! Least privilege for credentials, rotations and invitations: what one
//! credential hands out never outlives or outreaches it.

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

/// The `error.code` of a failed `-o json` run.
fn code(run: &crate::common::Run) -> String {
    let v: Value = serde_json::from_str(run.stderr.trim())
        .unwrap_or_else(|_| panic!("stderr is not JSON: {}", run.stderr));
    v["error"]["code"].as_str().unwrap_or_default().to_string()
}

fn audit(cli: &Cli, action: &str) -> Vec<Value> {
    cli.json(&["audit", "list", "--action", action, "--limit", "1000"])
        .as_array()
        .unwrap()
        .clone()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs one statement against the server's database, binding `at` to `$1`;
/// returns the rows affected.
fn execute_at(srv: &TestServer, sql: &str, at: chrono::DateTime<chrono::Utc>) -> u64 {
    use sqlx::Connection;
    let sql = sql.to_string();
    match &srv.pg {
        Some(pg) => {
            let url = pg.url.clone();
            runtime().block_on(async move {
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query(&sql)
                    .bind(at)
                    .execute(&mut c)
                    .await
                    .unwrap()
                    .rows_affected()
            })
        }
        None => {
            let path = srv.dir.path().join("tokenctl.db");
            runtime().block_on(async move {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .unwrap();
                sqlx::query(&sql)
                    .bind(at)
                    .execute(&mut c)
                    .await
                    .unwrap()
                    .rows_affected()
            })
        }
    }
}

fn rotation_rows(srv: &TestServer) -> u64 {
    // An update that changes nothing counts the rows.
    execute_at(
        srv,
        "UPDATE token_rotations SET created_at = created_at WHERE created_at <= $1",
        chrono::Utc::now() + chrono::Duration::days(1),
    )
}

fn expires_at(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    v["expires_at"].as_str().map(|t| t.parse().unwrap())
}

/// Seconds from now until `t`.
fn secs_until(t: chrono::DateTime<chrono::Utc>) -> i64 {
    (t - chrono::Utc::now()).num_seconds()
}

fn credential_named(cli: &Cli, name: &str) -> Value {
    cli.json(&["credential", "list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no credential {name}"))
        .clone()
}

on_both_backends! {
    fn rotation_replay_goes_only_to_the_credential_that_rotated(srv) {
        let admin = srv.cli();
        let created = admin.json(&["token", "create", "--name", "ci", "--scope", "*", "--team", "system"]);
        let id = created["id"].as_str().unwrap().to_string();
        let key = "3f1c9b2e-6d0a-4c59-9a57-0c1d2e3f4a5b";
        let first = admin.json(&["token", "rotate", "ci", "--grace", "1h", "--idempotency-key", key]);
        let new_token = first["token"].as_str().unwrap().to_string();
        assert_ne!(new_token, created["token"].as_str().unwrap());

        // The same credential retrying gets the stored result, audited as a replay.
        let retry = admin.json(&["token", "rotate", "ci", "--grace", "1h", "--idempotency-key", key]);
        assert_eq!(retry["token"], first["token"]);
        assert_eq!(retry["id"], first["id"]);
        let actions = crate::common::audit_actions(&admin, &id);
        assert_eq!(actions.iter().filter(|a| *a == "token.rotate").count(), 1, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| *a == "token.rotate.replay").count(), 1, "{actions:?}");
        let replay = &audit(&admin, "token.rotate.replay")[0];
        assert!(!replay.to_string().contains(&new_token), "an audit entry never holds the token");

        // Another credential of the same user, and another manager: 409, no token.
        let other = admin.json(&["credential", "create", "second"]);
        let second = Cli::new(&srv.url, other["secret"].as_str());
        let manager = user(&srv, "mia", &["system:manager"]);
        for (who, cli) in [("another credential", &second), ("another user", &manager)] {
            let run = cli.run(&["token", "rotate", "ci", "--grace", "1h", "--idempotency-key", key, "-o", "json"]);
            run.fails(5);
            assert_eq!(code(&run), "idempotency_key_reused", "{who}: {}", run.stderr);
            assert!(!run.stdout.contains(&new_token) && !run.stderr.contains(&new_token), "{who} saw the token");
        }
        // Nothing changed: the rotated secret is still the token's.
        assert_eq!(admin.json(&["token", "show", &new_token])["id"], id.as_str());
        // The same key with other parameters is still a mistake (422).
        let run = admin.run(&["token", "rotate", "ci", "--grace", "2h", "--idempotency-key", key, "-o", "json"]);
        run.fails(2);
        assert_eq!(code(&run), "idempotency_key_mismatch");

        // Stored sealed, never as plaintext.
        assert!(!srv.database_contents().contains(&new_token));

        // Kept for at most 24 hours: an expired result is deleted when met,
        // and the key then starts a fresh rotation.
        assert_eq!(rotation_rows(&srv), 1);
        let expired = chrono::Utc::now() - chrono::Duration::minutes(1);
        assert_eq!(execute_at(&srv, "UPDATE token_rotations SET expires_at = $1", expired), 1);
        let fresh = admin.json(&["token", "rotate", "ci", "--idempotency-key", key]);
        assert_ne!(fresh["token"], first["token"], "an expired result is never returned");
        assert_eq!(rotation_rows(&srv), 1, "the expired row is gone, the new one is there");

        // ... and by the periodic sweep (which runs at start).
        execute_at(&srv, "UPDATE token_rotations SET expires_at = $1", expired);
        let mut srv = srv;
        srv.spawn();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while rotation_rows(&srv) != 0 {
            assert!(std::time::Instant::now() < deadline, "the sweep did not delete the expired result");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    fn a_credential_expires_no_later_than_the_one_that_created_it(srv) {
        let admin = srv.cli();
        let short = admin.json(&["credential", "create", "short", "--expires", "1h"]);
        let short_expiry = expires_at(&short).unwrap();
        let short_cli = Cli::new(&srv.url, short["secret"].as_str());

        // Without --expires: the parent's expiry, not "never".
        let child = short_cli.json(&["credential", "create", "child"]);
        assert_eq!(expires_at(&child), Some(short_expiry));
        // A later expiry, or never, is refused; an earlier one is fine.
        for later in ["never", "2h", "30d"] {
            let run = short_cli.run(&["credential", "create", "late", "--expires", later, "-o", "json"]);
            run.fails(2);
            assert_eq!(code(&run), "expiry_too_late", "{later}: {}", run.stderr);
        }
        let earlier = short_cli.json(&["credential", "create", "earlier", "--expires", "30m"]);
        assert!(expires_at(&earlier).unwrap() < short_expiry);
        // Grandchildren are bound too.
        let grandchild = Cli::new(&srv.url, earlier["secret"].as_str());
        grandchild.run(&["credential", "create", "g", "--expires", "45m"]).fails(2);
        assert_eq!(expires_at(&credential_named(&admin, "child")), Some(short_expiry));
        assert!(admin.json(&["credential", "list"]).as_array().unwrap().iter().all(|c| c["name"] != "late"));
    }

    fn max_credential_ttl_bounds_every_new_credential(srv) {
        let limited = TestServer::start_with_env(srv.backend, &[("TOKENCTL_MAX_CREDENTIAL_TTL", "2h")]).unwrap();
        let admin = limited.cli();
        // The bootstrap credential too: min(24h, 2h).
        let boot = expires_at(&credential_named(&admin, "bootstrap")).expect("the bootstrap credential expires");
        assert!((7000..=7200).contains(&secs_until(boot)), "{boot}");
        let run = admin.run(&["credential", "create", "long", "--expires", "3h", "-o", "json"]);
        run.fails(2);
        assert_eq!(code(&run), "expiry_too_late");
        let c = admin.json(&["credential", "create", "ok", "--expires", "1h"]);
        assert!((3500..=3600).contains(&secs_until(expires_at(&c).unwrap())));
        // `user create` and enrolment issue credentials within the limit.
        let created = admin.json(&["user", "create", "uma"]);
        assert!((7000..=7200).contains(&secs_until(expires_at(&created["credential"]).unwrap())));
        let inv = admin.json(&["user", "invite", "ed@example.com", "--role", "system:viewer"]);
        let ed = Cli::new(&limited.url, None);
        ed.run(&["login", "--enrol", inv["code"].as_str().unwrap(), "--store", "file"]).ok();
        let mine = ed.json(&["whoami"]);
        assert!((7000..=7200).contains(&secs_until(expires_at(&mine["credential"]).unwrap())), "{mine}");

        // Contradictory settings are refused before anything starts.
        let dir = crate::common::temp_dir();
        let db = format!("sqlite://{}", dir.path().join("x.db").display());
        let run = Cli::new(&srv.url, None).run(&["server", "--database-url", &db, "--max-credential-ttl", "1h", "--bootstrap-ttl", "never"]);
        assert!(run.fails(2).contains("--bootstrap-ttl"), "{}", run.stderr);
        let run = Cli::new(&srv.url, None).run(&["server", "--database-url", &db, "--max-credential-ttl", "1h", "--bootstrap-ttl", "2h"]);
        run.fails(2);
        assert!(!dir.path().join("x.db").exists());
    }

    fn the_bootstrap_credential_expires_and_stays_out_of_logs(srv) {
        // The configured one (TOKENCTL_BOOTSTRAP_TOKEN) expires after 24h by default.
        let boot = expires_at(&credential_named(&srv.cli(), "bootstrap")).expect("expires");
        assert!((86_300..=86_400).contains(&secs_until(boot)), "{boot}");

        // A generated one, with stderr going to a file (not a terminal):
        // written to DATA_DIR/bootstrap-credential, 0600; only the path is logged.
        let data = crate::common::temp_dir();
        let data_dir = data.path().join("state");
        let generated = TestServer::start_with_env(srv.backend, &[
            ("TOKENCTL_BOOTSTRAP_TOKEN", ""),
            ("TOKENCTL_DATA_DIR", data_dir.to_str().unwrap()),
            ("TOKENCTL_BOOTSTRAP_TTL", "2h"),
        ]).unwrap();
        let file = data_dir.join("bootstrap-credential");
        let secret = std::fs::read_to_string(&file).expect("the credential file").trim().to_string();
        assert!(secret.starts_with("tkc_"), "{secret}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let log = generated.log();
        assert!(!log.contains(&secret), "the credential is in the server log");
        assert!(log.contains(file.to_str().unwrap()), "the log names the file:\n{log}");
        let admin = Cli::new(&generated.url, Some(&secret));
        assert_eq!(admin.json(&["whoami"])["user"]["name"], "admin");
        let exp = expires_at(&credential_named(&admin, "bootstrap")).expect("expires");
        assert!((7000..=7200).contains(&secs_until(exp)), "{exp}");
        // A restart does not bootstrap again, nor touch the file.
        let mut generated = generated;
        generated.spawn();
        assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), secret);
    }
}

/// With SQLite the data directory defaults to the database's; a credential
/// that cannot be written leaves the database unbootstrapped.
#[test]
fn bootstrap_file_defaults_to_the_database_directory_and_is_never_lost() {
    use std::process::{Command, Stdio};
    let dir = crate::common::temp_dir();
    let db = format!("sqlite://{}", dir.path().join("tokenctl.db").display());
    // A data directory that cannot be created: below a regular file.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let mut child = Command::new(crate::common::BIN)
        .args([
            "server",
            "--database-url",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(blocker.join("sub"))
        .env_remove("TOKENCTL_BOOTSTRAP_TOKEN")
        .env_remove("TOKENCTL_MASTER_KEY")
        .env_remove("TOKENCTL_MASTER_KEY_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started although it could not write the bootstrap credential");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bootstrap credential") && !stderr.contains("tkc_"),
        "{stderr}"
    );

    // Nothing was created: the credential cannot have been lost.
    let users: i64 = runtime().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&db).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut c)
            .await
            .unwrap()
    });
    assert_eq!(
        users, 0,
        "bootstrap must roll back when its credential cannot be written"
    );

    // The default data directory is the database's: the file lands beside it.
    let srv = TestServer::start_with_env(
        crate::common::Backend::Sqlite,
        &[("TOKENCTL_BOOTSTRAP_TOKEN", "")],
    )
    .unwrap();
    let file = srv.dir.path().join("bootstrap-credential");
    let secret = std::fs::read_to_string(&file)
        .expect("written beside the database")
        .trim()
        .to_string();
    assert_eq!(
        Cli::new(&srv.url, Some(&secret)).json(&["whoami"])["user"]["name"],
        "admin"
    );
}

/// Enrols with `code`; returns the run.
fn enrol(srv: &TestServer, code: &str) -> crate::common::Run {
    Cli::new(&srv.url, None).run(&["login", "--enrol", code, "--store", "file", "-o", "json"])
}

fn invitation_status(cli: &Cli, id: &str) -> String {
    cli.json(&["user", "invitations"])
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["status"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

mod invitations {
    use super::*;

    on_both_backends! {
        fn an_invitation_does_not_outlive_its_inviter(srv) {
            // The reproduction: a manager invites someone as ml:developer, is
            // removed from ml and disabled; the code must not enrol anyone.
            let admin = srv.cli();
            admin.json(&["team", "create", "ml"]);
            let manager = user(&srv, "mona", &["ml:manager"]);
            let inv = manager.json(&["user", "invite", "eve@example.com", "--role", "ml:developer"]);
            let id = inv["id"].as_str().unwrap().to_string();
            admin.json(&["team", "member", "remove", "ml", "mona", "--yes"]);
            assert_eq!(invitation_status(&admin, &id), "revoked", "removal from the team revokes it");
            admin.json(&["user", "disable", "mona", "--yes"]);
            let run = enrol(&srv, inv["code"].as_str().unwrap());
            run.fails(4);
            assert_eq!(code(&run), "invalid_enrolment_code");
            admin.run(&["user", "show", "eve"]).fails(3);
            let members = admin.json(&["team", "show", "ml"])["members"].to_string();
            assert!(!members.contains("eve"), "{members}");
            let revocations = audit(&admin, "invitation.revoke");
            assert!(revocations.iter().any(|e| e["target_id"] == id.as_str() && e["actor"] == "admin"
                && e["after"]["reason"].as_str().unwrap_or_default().contains("removed")), "{revocations:?}");

            // Checked again at enrolment, even if a revocation was missed
            // (here: undone behind the server's back).
            let expired = chrono::Utc::now() - chrono::Duration::days(1);
            assert_eq!(execute_at(&srv, "UPDATE invitations SET revoked_at = NULL WHERE revoked_at > $1", expired), 1);
            let run = enrol(&srv, inv["code"].as_str().unwrap());
            run.fails(4);
            assert!(run.stderr.contains("no longer valid"), "{}", run.stderr);
            assert_eq!(invitation_status(&admin, &id), "revoked");
            admin.run(&["user", "show", "eve"]).fails(3);
        }

        fn disabling_or_lowering_the_inviter_revokes_pending_invitations(srv) {
            let admin = srv.cli();
            admin.json(&["team", "create", "ml"]);
            admin.json(&["team", "create", "web"]);
            admin.json(&["team", "member", "add", "ml", "admin", "admin"]);
            let mgr = user(&srv, "max", &["ml:manager", "web:manager"]);
            let invite = |email: &str, role: &str| {
                let v = mgr.json(&["user", "invite", email, "--role", role]);
                (v["id"].as_str().unwrap().to_string(), v["code"].as_str().unwrap().to_string())
            };
            // Raising a role revokes nothing.
            let (kept, kept_code) = invite("a@example.com", "ml:developer");
            admin.json(&["team", "member", "set-role", "ml", "max", "admin"]);
            assert_eq!(invitation_status(&admin, &kept), "pending");
            // Lowering it (admin -> developer in ml) revokes every pending one.
            let (web, _) = invite("b@example.com", "web:viewer");
            admin.json(&["team", "member", "set-role", "ml", "max", "developer"]);
            assert_eq!(invitation_status(&admin, &kept), "revoked");
            assert_eq!(invitation_status(&admin, &web), "revoked");
            enrol(&srv, &kept_code).fails(4);
            // Disabling revokes too.
            let (later, later_code) = invite("c@example.com", "web:developer");
            admin.json(&["user", "disable", "max", "--yes"]);
            assert_eq!(invitation_status(&admin, &later), "revoked");
            enrol(&srv, &later_code).fails(4);
            // So does taking the global-admin flag away.
            let boss = admin.json(&["user", "create", "gina", "--global-admin"]);
            let gina = Cli::new(&srv.url, boss["secret"].as_str());
            let g = gina.json(&["user", "invite", "d@example.com", "--global-admin"]);
            admin.json(&["user", "update", "gina", "--global-admin", "false"]);
            let run = enrol(&srv, g["code"].as_str().unwrap());
            run.fails(4);
            admin.run(&["user", "show", "d"]).fails(3);
            // Every revocation is audited, by whoever made the change.
            let revoked: Vec<String> = audit(&admin, "invitation.revoke").iter()
                .map(|e| e["target_id"].as_str().unwrap().to_string()).collect();
            for id in [&kept, &web, &later] {
                assert!(revoked.contains(id), "{id} not audited: {revoked:?}");
            }
            // A still-valid invitation works.
            admin.json(&["user", "enable", "max"]);
            let fine = admin.json(&["user", "invite", "e@example.com", "--role", "web:viewer"]);
            enrol(&srv, fine["code"].as_str().unwrap()).ok();
        }

        fn deleting_a_team_revokes_the_invitations_into_it(srv) {
            let admin = srv.cli();
            admin.json(&["team", "create", "ml"]);
            admin.json(&["team", "create", "web"]);
            // From a global admin, whose authority survives the deletion,
            // and from a manager of both teams, naming both.
            let mgr = user(&srv, "max", &["ml:manager", "web:manager"]);
            let into_ml = admin.json(&["user", "invite", "eve@example.com", "--role", "ml:developer"]);
            let both = mgr.json(&["user", "invite", "fay@example.com", "--role", "ml:viewer", "--role", "web:viewer"]);
            let web_only = mgr.json(&["user", "invite", "gus@example.com", "--role", "web:developer"]);
            let id = |v: &Value| v["id"].as_str().unwrap().to_string();

            admin.json(&["team", "delete", "ml", "--yes"]);
            assert_eq!(invitation_status(&admin, &id(&into_ml)), "revoked");
            assert_eq!(invitation_status(&admin, &id(&both)), "revoked");
            assert_eq!(invitation_status(&admin, &id(&web_only)), "pending");
            let revocations = audit(&admin, "invitation.revoke");
            for inv in [&into_ml, &both] {
                assert!(revocations.iter().any(|e| e["target_id"] == id(inv).as_str() && e["actor"] == "admin"
                    && e["after"]["reason"].as_str().unwrap_or_default().contains("`ml`")), "{revocations:?}");
            }
            for (inv, name) in [(&into_ml, "eve"), (&both, "fay")] {
                let run = enrol(&srv, inv["code"].as_str().unwrap());
                run.fails(4);
                assert_eq!(code(&run), "invalid_enrolment_code");
                admin.run(&["user", "show", name]).fails(3);
            }

            // Enrolment refuses an invitation into a deleted team even if its
            // revocation was missed (here: undone behind the server's back).
            let since = chrono::Utc::now() - chrono::Duration::days(1);
            assert_eq!(execute_at(&srv, "UPDATE invitations SET revoked_at = NULL WHERE revoked_at > $1", since), 2);
            let run = enrol(&srv, into_ml["code"].as_str().unwrap());
            run.fails(4);
            assert!(run.stderr.contains("ml"), "{}", run.stderr);
            admin.run(&["user", "show", "eve"]).fails(3);
            enrol(&srv, both["code"].as_str().unwrap()).fails(4);
            admin.run(&["user", "show", "fay"]).fails(3);

            // The invitation into the remaining team still works.
            enrol(&srv, web_only["code"].as_str().unwrap()).ok();
            let gus = admin.json(&["user", "show", "gus"]);
            assert_eq!(gus["teams"][0]["team"], "web", "{gus}");
        }
    }
}
