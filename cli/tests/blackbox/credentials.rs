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
    cli.json(&["audit", "list", "--action", action, "--limit", "1000"])["entries"]
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
}
