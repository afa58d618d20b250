//! Upstream secrets: set (stdin, env, file), list, replace, remove.

use crate::common::audit_actions;
use crate::on_both_backends;

on_both_backends! {
    fn secret_lifecycle(srv) {
        let cli = srv.cli();
        let set = cli.run_with_stdin(&["secret", "set", "OPENAI_KEY", "-o", "json"], "sk-live-abc\n").json();
        assert_eq!(set["name"], "OPENAI_KEY");
        assert_eq!(set["version"], 1);
        let fingerprint = set["fingerprint"].as_str().unwrap().to_string();
        assert!(!set.to_string().contains("sk-live-abc"));

        // same value → same fingerprint; new value → new fingerprint and version
        let mut env_cli = srv.cli();
        env_cli.env.push(("MY_UPSTREAM_KEY".into(), "sk-live-abc".into()));
        let again = env_cli.json(&["secret", "set", "OPENAI_KEY", "--from-env", "MY_UPSTREAM_KEY"]);
        assert_eq!(again["fingerprint"], fingerprint.as_str());
        assert_eq!(again["version"], 2);
        let file = srv.dir.path().join("value.txt");
        std::fs::write(&file, "sk-live-xyz\n").unwrap();
        let replaced = cli.json(&["secret", "set", "OPENAI_KEY", "--from-file", file.to_str().unwrap()]);
        assert_ne!(replaced["fingerprint"], fingerprint.as_str());
        assert_eq!(replaced["version"], 3);

        // list: names, fingerprints, who and when; never values
        cli.run_with_stdin(&["secret", "set", "BASIC_USER", "--host", "127.0.0.1"], "svc").ok();
        cli.run_with_stdin(&["secret", "set", "BASIC_PASS", "--host", "127.0.0.1"], "pa55").ok();
        let list = cli.json(&["secret", "list"]);
        assert_eq!(list.as_array().unwrap().len(), 3);
        assert_eq!(list[2]["name"], "OPENAI_KEY");
        assert_eq!(list[2]["set_by"], "admin");
        let text = cli.run(&["secret", "list"]).ok().stdout.clone();
        for value in ["sk-live", "svc\n", "pa55"] {
            assert!(!text.contains(value) && !list.to_string().contains(value));
        }

        // a secret in use cannot be removed
        cli.json(&["route", "add", "svc", "--all-teams", "--path", "/svc", "--upstream", "http://127.0.0.1:1", "--auth", "basic:BASIC_USER:BASIC_PASS"]);
        assert!(cli.run(&["secret", "remove", "BASIC_PASS"]).fails(5).contains("svc"));
        assert_eq!(cli.json(&["secret", "list"])[0]["used_by"], serde_json::json!(["svc"]));
        cli.json(&["route", "update", "svc", "--auth", "none"]);
        let removed = cli.json(&["secret", "remove", "BASIC_PASS", "--yes"]);
        assert_eq!(removed["name"], "BASIC_PASS");
        cli.run(&["secret", "remove", "BASIC_PASS"]).fails(3);

        // routes cannot reference a secret that does not exist
        let missing = cli.run(&["route", "add", "x", "--all-teams", "--path", "/x", "--upstream", "http://127.0.0.1:1", "--auth", "bearer:NOPE"]);
        assert!(missing.fails(2).contains("NOPE"));

        assert_eq!(audit_actions(&cli, "OPENAI_KEY"), ["secret.set", "secret.set", "secret.set"]);
        assert_eq!(audit_actions(&cli, "BASIC_PASS"), ["secret.set", "secret.remove"]);
    }

    fn secrets_survive_restart_and_need_the_same_master_key(srv) {
        let mut srv = srv;
        let cli = srv.cli();
        cli.run_with_stdin(&["secret", "set", "K"], "value-1").ok();
        srv.spawn();
        assert_eq!(srv.cli().json(&["secret", "list"])[0]["name"], "K");
        // A different key must not start: it could not decrypt what is stored.
        srv.stop();
        let wrong = hex::encode(rand::random::<[u8; 32]>());
        let out = std::process::Command::new(crate::common::BIN)
            .args(["server", "--database-url", &srv.database_url, "--listen", "127.0.0.1:0"])
            .env("TOKENCTL_MASTER_KEY", &wrong)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("master key does not match"));
        // No key at all, with secrets stored: refuse too.
        let out = std::process::Command::new(crate::common::BIN)
            .args(["server", "--database-url", &srv.database_url, "--listen", "127.0.0.1:0"])
            .env_remove("TOKENCTL_MASTER_KEY")
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no master key"), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
