//! No plaintext token, credential or secret value is stored or logged.

use crate::common::Cli;
use crate::on_both_backends;

on_both_backends! {
    fn no_plaintext_secret_is_stored_or_logged(srv) {
        let cli = srv.cli();
        let mut plaintexts: Vec<String> = vec![srv.admin.clone(), srv.master_key.clone()];
        let upstream_secret = "sk-upstream-0123456789abcdefXYZ";
        cli.run_with_stdin(&["secret", "set", "OPENAI_KEY", "--host", "127.0.0.1"], upstream_secret).ok();
        plaintexts.push(upstream_secret.into());
        cli.json(&["route", "add", "openai", "--all-teams", "--path", "/openai", "--upstream", "http://127.0.0.1:1", "--auth", "bearer:OPENAI_KEY"]);
        for i in 0..5 {
            let t = cli.json(&["token", "create", "--name", &format!("t{i}"), "--scope", "openai"]);
            plaintexts.push(t["token"].as_str().unwrap().into());
            let r = cli.json(&["token", "rotate", &format!("t{i}"), "--grace", "1h", "--idempotency-key", &format!("k{i}")]);
            plaintexts.push(r["token"].as_str().unwrap().into());
            // A lookup by plaintext must not leak it into logs either.
            cli.json(&["token", "show", r["token"].as_str().unwrap()]);
        }
        let c = cli.json(&["credential", "create", "ci"]);
        plaintexts.push(c["secret"].as_str().unwrap().into());
        let ci = Cli::new(&srv.url, Some(c["secret"].as_str().unwrap()));
        ci.json(&["token", "list"]);
        // Someone pastes a token into a URL by hand: still never logged.
        let (status, _) = crate::common::http_get(&format!("{}/v1/tokens/{}", srv.url, plaintexts[3]));
        assert_eq!(status, 401);
        cli.json(&["token", "revoke", "t0"]);

        let db = srv.database_contents();
        let log = srv.log();
        assert!(db.len() > 1000, "the database dump should not be empty");
        assert!(log.contains("tokens"), "the server log should show requests");
        for p in &plaintexts {
            assert!(!db.contains(p.as_str()), "plaintext found in the database: {}…", &p[..8]);
            assert!(!log.contains(p.as_str()), "plaintext found in the server log: {}…", &p[..8]);
        }
        // The audit log keeps hints, never secrets.
        let audit = cli.json(&["audit", "list", "--limit", "1000"]).to_string();
        for p in &plaintexts {
            assert!(!audit.contains(p.as_str()));
        }
    }

    fn audit_log_is_append_only_in_the_database(srv) {
        let cli = srv.cli();
        cli.json(&["token", "create", "--name", "a", "--scope", "*"]);
        let sql_fails = match &srv.pg {
            Some(pg) => {
                let url = pg.url.clone();
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    let u = sqlx::query("UPDATE audit_log SET actor_name = 'x'").execute(&mut c).await;
                    let d = sqlx::query("DELETE FROM audit_log").execute(&mut c).await;
                    u.is_err() && d.is_err()
                })
            }
            None => {
                let path = srv.dir.path().join("tokenctl.db");
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
                    use sqlx::Connection;
                    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                    let u = sqlx::query("UPDATE audit_log SET actor_name = 'x'").execute(&mut c).await;
                    let d = sqlx::query("DELETE FROM audit_log").execute(&mut c).await;
                    u.is_err() && d.is_err()
                })
            }
        };
        assert!(sql_fails, "UPDATE and DELETE on audit_log must fail");
        assert!(cli.json(&["audit", "list"]).as_array().unwrap().len() >= 2);
    }
}
