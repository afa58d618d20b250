//! login / logout / status / profiles.

use crate::common::{new_credential, Cli};
use crate::on_both_backends;

on_both_backends! {
    fn login_status_logout_with_file_store(srv) {
        let cli = Cli::new(&srv.url, None);
        let out = cli.run_with_stdin(&["login", "--store", "file"], &format!("{}\n", srv.admin));
        assert!(out.ok().stdout.contains("as admin"), "{}", out.stdout);
        let file = cli.config_dir().join("credentials").join("default");
        let stored = std::fs::read_to_string(&file).unwrap();
        assert_eq!(stored.trim(), srv.admin);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let config = std::fs::read_to_string(cli.config_dir().join("config.toml")).unwrap();
        assert!(!config.contains(&srv.admin), "the config file never holds the credential");

        let status = cli.json(&["status"]);
        assert_eq!(status["user"]["name"], "admin");
        assert!(status["credential_source"].as_str().unwrap().contains("0600"));
        assert!(cli.run(&["status"]).ok().stdout.contains(&srv.url));
        assert_eq!(cli.json(&["whoami"])["teams"][0]["team"], "system");
        cli.json(&["token", "list"]);

        // the environment variable overrides the stored credential
        let wrong = new_credential();
        cli.sharing_config(&srv.url, Some(&wrong)).run(&["token", "list"]).fails(4);

        cli.run(&["logout"]).ok();
        assert!(!file.exists());
        cli.run(&["token", "list"]).fails(4);
    }

    fn login_rejects_bad_credentials_and_names_keyring_alternatives(srv) {
        let cli = Cli::new(&srv.url, None);
        cli.run_with_stdin(&["login", "--store", "file"], &new_credential()).fails(4);
        cli.run_with_stdin(&["login", "--store", "file"], "not-a-credential").fails(4);
        assert!(!cli.config_dir().join("config.toml").exists(), "a failed login stores nothing");
        // Without an OS keyring (this machine, CI) the default store fails
        // loudly and names the alternatives; it never falls back to a file.
        let mut headless = Cli::new(&srv.url, None);
        headless.env.push(("DBUS_SESSION_BUS_ADDRESS".into(), "unix:path=/nonexistent".into()));
        let run = headless.run_with_stdin(&["login"], &srv.admin);
        if run.code != 0 {
            let msg = run.fails(1);
            assert!(msg.contains("TOKENCTL_TOKEN") && msg.contains("--store file"), "{msg}");
            assert!(!headless.config_dir().join("credentials").exists());
        }
    }

    fn profiles_keep_several_servers_apart(srv) {
        let cli = Cli::new(&srv.url, None);
        cli.run_with_stdin(&["login", "--store", "file", "--profile", "prod"], &srv.admin).ok();
        let other = cli.sharing_config("http://127.0.0.1:9", None);
        other.run_with_stdin(&["login", "--store", "file", "--profile", "staging"], &srv.admin).fails(1);
        // The first profile became the default and keeps working, from its own server URL.
        let plain = cli.sharing_config("", None);
        let status = plain.json(&["status"]);
        assert_eq!(status["profile"], "prod");
        assert_eq!(status["server"].as_str().unwrap().trim_end_matches('/'), srv.url);
        assert_eq!(plain.json(&["status", "--profile", "prod"])["user"]["name"], "admin");
        plain.run(&["status", "--profile", "staging"]).fails(4);
    }
}

/// `tokenctl dev`: one command gives a running, bootstrapped server and a
/// logged-in `dev` profile; a second run reuses the same data.
#[test]
fn dev_starts_a_logged_in_stack_and_restarts_on_the_same_data() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let data = crate::common::temp_dir();
    let cli = Cli::new("", None);
    let start = || {
        let mut child = cli
            .command(&[
                "dev",
                "--data-dir",
                data.path().to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--gateway-listen",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (mut server, mut gateway) = (None, None);
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(url) = line.trim().strip_prefix("server") {
                server = Some(url.trim().to_string());
            }
            if let Some(url) = line.trim().strip_prefix("gateway") {
                gateway = Some(url.trim().to_string());
            }
            if line.contains("Press Ctrl-C to stop") {
                break;
            }
        }
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        (
            child,
            server.expect("dev prints the server URL"),
            gateway.expect("dev prints the gateway URL"),
        )
    };
    let (mut child, url, gateway) = start();
    let status = cli.json(&["status", "--profile", "dev"]);
    assert_eq!(status["user"]["name"], "admin");
    assert_eq!(
        status["server"].as_str().unwrap().trim_end_matches('/'),
        url
    );
    // The dev profile became the default, and secrets work (a master key was generated).
    cli.run_with_stdin(&["secret", "set", "K", "--host", "127.0.0.1"], "v")
        .ok();
    let upstream = crate::upstream::Upstream::start();
    cli.json(&[
        "route",
        "add",
        "echo",
        "--all-teams",
        "--path",
        "/echo",
        "--upstream",
        &upstream.url,
        "--auth",
        "bearer:K",
    ]);
    // The dev gateway is wired to the dev server: a token works at once.
    let token = cli.json(&["token", "create", "--name", "dev-token", "--scope", "echo"]);
    let http = crate::upstream::Http::new();
    let url_echo = format!("{gateway}/echo/hello");
    let started = std::time::Instant::now();
    let reply = loop {
        let r = http.get(&url_echo, token["token"].as_str());
        if r.status == 200 || started.elapsed() > std::time::Duration::from_secs(5) {
            break r;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["headers"]["authorization"], "Bearer v");
    child.kill().unwrap();
    child.wait().unwrap();
    #[cfg(unix)]
    for file in ["master.key", "admin.credential"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    let (mut child, _, _) = start();
    assert_eq!(cli.json(&["route", "list"])[0]["name"], "echo");
    child.kill().unwrap();
    child.wait().unwrap();
}
