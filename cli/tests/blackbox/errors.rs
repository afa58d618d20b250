//! Bad input gets a clear error and the documented exit code, and leaves
//! stored data unchanged.

use crate::common::{new_credential, Cli, TestServer};
use crate::on_both_backends;
use serde_json::Value;
use std::time::Duration;

/// Everything a bad command could have changed.
fn state(cli: &Cli) -> Value {
    serde_json::json!({
        "tokens": cli.json(&["token", "list", "--status", "all"]),
        "routes": cli.json(&["route", "list"]),
        "secrets": cli.json(&["secret", "list"]),
        "audit": cli.json(&["audit", "list", "--limit", "1000"]).as_array().unwrap().len(),
    })
}

fn seed(srv: &TestServer) -> (Cli, String) {
    let cli = srv.cli();
    cli.run_with_stdin(&["secret", "set", "KEY", "--host", "127.0.0.1"], "v")
        .ok();
    cli.json(&[
        "route",
        "add",
        "api",
        "--all-teams",
        "--path",
        "/api",
        "--upstream",
        "http://127.0.0.1:1",
        "--auth",
        "bearer:KEY",
    ]);
    let t = cli.json(&["token", "create", "--name", "existing", "--scope", "api"]);
    (cli, t["token"].as_str().unwrap().to_string())
}

on_both_backends! {
    fn bad_input_is_rejected_and_changes_nothing(srv) {
        let (cli, secret) = seed(&srv);
        let before = state(&cli);
        let mistyped = {
            let mut s = secret.clone().into_bytes();
            s[10] = if s[10] == b'a' { b'b' } else { b'a' };
            String::from_utf8(s).unwrap()
        };
        let cases: Vec<(Vec<&str>, i32, &str)> = vec![
            // tokens
            (vec!["token", "show", &mistyped], 2, "checksum"),
            (vec!["token", "show", "ntk_short"], 2, "characters long"),
            (vec!["token", "show", "01a2184b-b370-77f5-b318-1b18ce214e8d"], 3, "no token"),
            (vec!["token", "show", "no-such-token"], 3, "no token"),
            (vec!["token", "revoke", "no-such-token"], 3, "no token"),
            (vec!["token", "create", "--name", "existing", "--scope", "api"], 5, "already exists"),
            (vec!["token", "create", "--name", "x", "--scope", "nope"], 2, "nope"),
            (vec!["token", "create", "--name", "x", "--scope", "tag:"], 2, "tag"),
            (vec!["token", "create", "--name", "bad name", "--scope", "api"], 2, "may only contain"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--expires", "30x"], 2, "expiry"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--expires", "2027-02-30"], 2, "expiry"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--expires", "2020-01-01"], 2, "not in the future"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--allow-ip", "10.0.0.1/8"], 2, "host bits"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--allow-ip", "example.com"], 2, "CIDR"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--rate", "fast"], 2, "N/PERIOD"),
            (vec!["token", "create", "--name", "x", "--scope", "api", "--team", "nope"], 3, "team"),
            (vec!["token", "rotate", "existing", "--grace", "soon"], 2, "grace"),
            (vec!["token", "update", "existing", "--expires", "yesterday"], 2, "expiry"),
            (vec!["token", "update", "existing", "--add-scope", "nope"], 2, "nope"),
            // routes
            (vec!["route", "add", "r", "--all-teams", "--path", "api/x", "--upstream", "http://a.example"], 2, "start with `/`"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/a/../b", "--upstream", "http://a.example"], 2, ".."),
            (vec!["route", "add", "r", "--all-teams", "--path", "/x", "--upstream", "api.openai.com"], 2, "absolute URL"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/x", "--upstream", "ftp://a.example"], 2, "http or https"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/x", "--upstream", "https://u:p@a.example"], 2, "credentials"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/x", "--upstream", "http://a.example", "--auth", "bearer"], 2, "auth"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/x", "--upstream", "http://a.example", "--auth", "bearer:MISSING"], 2, "MISSING"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/x", "--upstream", "http://a.example", "--timeout", "1h"], 2, "timeout"),
            (vec!["route", "add", "api", "--all-teams", "--path", "/y", "--upstream", "http://a.example"], 5, "already exists"),
            (vec!["route", "add", "r", "--all-teams", "--path", "/api", "--upstream", "http://a.example"], 5, "/api"),
            (vec!["route", "update", "nope", "--upstream", "http://a.example"], 3, "no route"),
            (vec!["route", "remove", "api"], 5, "existing"),
            // secrets
            (vec!["secret", "set", "bad name"], 2, "may only contain"),
            (vec!["secret", "set", "EMPTY"], 2, "empty"),
            (vec!["secret", "set", "X", "--from-env", "TOKENCTL_TEST_UNSET_VAR"], 2, "not set"),
            (vec!["secret", "set", "X", "--from-file", "/nonexistent/file"], 2, "cannot read"),
            (vec!["secret", "remove", "KEY"], 5, "used by"),
            (vec!["secret", "remove", "NOPE"], 3, "no secret"),
            // audit
            (vec!["audit", "list", "--since", "last tuesday"], 2, "since"),
        ];
        for (args, code, needle) in &cases {
            let run = cli.run(args);
            let stderr = run.fails(*code);
            assert!(
                stderr.to_lowercase().contains(&needle.to_lowercase()),
                "`tokenctl {}`: stderr should mention `{needle}`: {stderr}",
                args.join(" ")
            );
            assert_eq!(stderr.trim().lines().count(), 1, "one readable line: {stderr}");
            // -o json: the same failure as JSON on stderr
            let mut json_args = args.clone();
            json_args.extend(["-o", "json"]);
            let run = cli.run(&json_args);
            run.fails(*code);
            let body: Value = serde_json::from_str(run.stderr.trim())
                .unwrap_or_else(|e| panic!("`{}` -o json: stderr is not JSON ({e}): {}", args.join(" "), run.stderr));
            assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string());
            assert_eq!(body["error"]["exit_code"], *code);
            assert!(run.stdout.is_empty(), "nothing on stdout on failure: {}", run.stdout);
        }
        assert_eq!(state(&cli), before, "bad input must not change stored data");
    }

    fn credentials_server_and_stdin_failures(srv) {
        let (cli, _) = seed(&srv);
        let before = state(&cli);

        // wrong, malformed, missing credential → 4
        let wrong = Cli::new(&srv.url, Some(&new_credential()));
        assert!(wrong.run(&["token", "list"]).fails(4).contains("unknown credential"));
        let malformed = Cli::new(&srv.url, Some("tkc_nope"));
        malformed.run(&["token", "list"]).fails(4);
        let anonymous = Cli::new(&srv.url, None);
        assert!(anonymous.run(&["token", "list"]).fails(4).contains("not logged in"));

        // expired and revoked credentials → 4
        let short = cli.json(&["credential", "create", "short-lived", "--expires", "2s"]);
        let short_cli = Cli::new(&srv.url, Some(short["secret"].as_str().unwrap()));
        short_cli.json(&["token", "list"]);
        std::thread::sleep(Duration::from_millis(2500));
        assert!(short_cli.run(&["token", "list"]).fails(4).contains("expired"));
        let revocable = cli.json(&["credential", "create", "to-revoke"]);
        let revocable_cli = Cli::new(&srv.url, Some(revocable["secret"].as_str().unwrap()));
        cli.json(&["credential", "revoke", "to-revoke"]);
        assert!(revocable_cli.run(&["token", "list"]).fails(4).contains("revoked"));
        // Revoking your last usable credential would lock you out: refused.
        assert!(cli.run(&["credential", "revoke", "bootstrap"]).fails(5).contains("last usable"));
        let creds = cli.json(&["credential", "list"]);
        assert_eq!(creds.as_array().unwrap().len(), 3);
        assert!(!creds.to_string().contains(short["secret"].as_str().unwrap()));

        // empty stdin where a value is needed → 2
        assert!(cli.run_with_stdin(&["secret", "set", "S"], "").fails(2).contains("empty"));
        assert!(cli.run_with_stdin(&["secret", "set", "S"], "\n").fails(2).contains("empty"));
        let login = Cli::new(&srv.url, None);
        assert!(login.run_with_stdin(&["login", "--store", "file"], "").fails(2).contains("empty"));

        // server down → 1, naming the URL tried
        let down = Cli::new("http://127.0.0.1:9", Some(&srv.admin));
        let msg = down.run(&["token", "list"]).fails(1).to_string();
        assert!(msg.contains("http://127.0.0.1:9"), "{msg}");
        assert!(down.run(&["token", "list", "-o", "json"]).fails(1).contains("server_unreachable"));
        let bad_url = Cli::new("not a url", Some(&srv.admin));
        bad_url.run(&["token", "list"]).fails(2);

        // unknown endpoints and bad bodies get JSON errors, not HTML or stack traces
        let (status, body) = crate::common::http_get(&format!("{}/v1/nope", srv.url));
        assert_eq!(status, 404);
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"] == "not_found");

        // only credential.* changed; tokens, routes and secrets are as before
        let after = state(&cli);
        assert_eq!(after["tokens"], before["tokens"]);
        assert_eq!(after["routes"], before["routes"]);
        assert_eq!(after["secrets"], before["secrets"]);
    }

    fn usage_errors_exit_2(srv) {
        let cli = srv.cli();
        cli.run(&["token", "create", "--scope", "*"]).fails(2);
        cli.run(&["token", "frobnicate"]).fails(2);
        cli.run(&["token", "list", "-o", "yaml"]).fails(2);
        assert!(cli.run(&["token", "list", "--status", "weird"]).fails(2).contains("weird"));
        // Usage errors honour -o json too.
        let run = cli.run(&["token", "list", "--status", "weird", "-o", "json"]);
        run.fails(2);
        let body: Value = serde_json::from_str(run.stderr.trim()).expect("JSON usage error");
        assert_eq!(body["error"]["code"], "usage");
        assert!(body["error"]["message"].as_str().unwrap().contains("weird"));
        cli.run(&["route", "update", "x", "--tag", "a", "--add-tag", "b"]).fails(2);
    }
}
