//! The systemd units in `deploy/systemd/` start the real binary as they are
//! written: `ExecStart=`, `Environment=`, `LoadCredential=` and
//! `StateDirectory=` applied the way systemd applies them (`%S`, `%d`, an
//! environment of the unit's variables only), with just the listen
//! addresses and the server URL changed to this test's. `.ci/run` checks
//! the same files with `systemd-analyze verify`.

use crate::common::{http_get, new_credential, temp_dir, Cli, BIN};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn unit_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/systemd")
        .join(name)
}

/// What a unit tells systemd to do, as far as this test needs it.
#[derive(Debug, Default)]
struct Unit {
    exec_start: Vec<String>,
    environment: Vec<(String, String)>,
    /// (name in the credentials directory, source file)
    credentials: Vec<(String, String)>,
    state_directories: Vec<String>,
}

impl Unit {
    fn parse(name: &str) -> Unit {
        let text = std::fs::read_to_string(unit_path(name)).unwrap();
        let mut unit = Unit::default();
        for line in text.lines().map(str::trim) {
            if line.starts_with('#') || line.starts_with('[') || line.is_empty() {
                continue;
            }
            let (key, value) = line.split_once('=').expect("key=value");
            match key {
                "ExecStart" => {
                    unit.exec_start = value.split_whitespace().map(str::to_string).collect()
                }
                "Environment" => {
                    let (k, v) = value.split_once('=').expect("Environment=NAME=VALUE");
                    unit.environment.push((k.to_string(), v.to_string()));
                }
                "LoadCredential" => {
                    let (n, src) = value.split_once(':').expect("LoadCredential=NAME:PATH");
                    unit.credentials.push((n.to_string(), src.to_string()));
                }
                "StateDirectory" => unit.state_directories.push(value.to_string()),
                _ => {}
            }
        }
        unit
    }

    /// Starts the unit's command in `root`: `%S` is `root/state`, `%d`
    /// `root/credentials-NAME`, credential sources are read from
    /// `root/etc/` by file name; `overrides` replace variables.
    fn start(&self, root: &Path, tag: &str, overrides: &[(&str, &str)]) -> Running {
        let state = root.join("state");
        let credentials = root.join(format!("credentials-{tag}"));
        std::fs::create_dir_all(&credentials).unwrap();
        for dir in &self.state_directories {
            std::fs::create_dir_all(state.join(dir)).unwrap();
        }
        for (name, source) in &self.credentials {
            let file = Path::new(source).file_name().unwrap();
            std::fs::copy(root.join("etc").join(file), credentials.join(name))
                .unwrap_or_else(|e| panic!("credential {name} from {source}: {e}"));
        }
        let expand = |v: &str| {
            v.replace("%S", &state.display().to_string())
                .replace("%d", &credentials.display().to_string())
        };
        assert_eq!(self.exec_start[0], "/usr/local/bin/tokenctl");
        let log_path = root.join(format!("{tag}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(BIN)
            .args(self.exec_start[1..].iter().map(|a| expand(a)))
            .env_clear()
            .envs(
                self.environment
                    .iter()
                    .map(|(k, v)| (k.clone(), expand(v)))
                    .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k)),
            )
            .envs(overrides.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Running { child, log_path }
    }
}

struct Running {
    child: Child,
    log_path: PathBuf,
}

impl Running {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The `fields` of the first JSON log line with this message.
    fn wait_for(&mut self, message: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.log().lines().find_map(|l| {
                let v: Value = serde_json::from_str(l).ok()?;
                (v["fields"]["message"] == message).then(|| v["fields"].clone())
            });
            if let Some(fields) = found {
                return fields;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("exited with {status}:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "no `{message}`:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- {} ---\n{}", self.log_path.display(), self.log());
        }
    }
}

#[test]
fn the_systemd_units_start_the_real_server_and_gateway() {
    let root = temp_dir();
    let etc = root.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    let admin = new_credential();
    std::fs::write(
        etc.join("master.key"),
        hex::encode(rand::random::<[u8; 32]>()),
    )
    .unwrap();
    std::fs::write(etc.join("bootstrap.credential"), format!("{admin}\n")).unwrap();

    let server_unit = Unit::parse("tokenctl-server.service");
    let mut server =
        server_unit.start(root.path(), "server", &[("TOKENCTL_LISTEN", "127.0.0.1:0")]);
    let listening = server.wait_for("tokenctl server listening");
    let url = format!("http://{}", listening["addr"].as_str().unwrap());
    let state = root.path().join("state");
    assert!(
        state.join("tokenctl/tokenctl.db").exists(),
        "SQLite in the state directory"
    );
    let log = server.log();
    assert!(
        !log.contains("no master key"),
        "the master key credential is read:\n{log}"
    );
    assert!(
        !log.contains(&admin),
        "the bootstrap credential is not logged"
    );
    // The first admin holds the credential from the bootstrap file.
    let cli = Cli::new(&url, Some(&admin));
    assert_eq!(cli.json(&["whoami"])["teams"][0]["team"], "system");

    let key = cli.json(&["gateway-key", "create", "systemd"])["secret"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(etc.join("gateway.key"), format!("{key}\n")).unwrap();
    let gateway_unit = Unit::parse("tokenctl-gateway.service");
    let mut gateway = gateway_unit.start(
        root.path(),
        "gateway",
        &[
            ("TOKENCTL_SERVER", url.as_str()),
            ("TOKENCTL_GATEWAY_LISTEN", "127.0.0.1:0"),
        ],
    );
    let listening = gateway.wait_for("tokenctl gateway listening");
    let gateway_url = format!("http://{}", listening["addr"].as_str().unwrap());
    // It follows the server with the key from its credential, keeping the
    // snapshot in its state directory.
    let deadline = Instant::now() + Duration::from_secs(20);
    while http_get(&format!("{gateway_url}/_gateway/health")).0 != 200 {
        assert!(Instant::now() < deadline, "no config:\n{}", gateway.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Written off the request path, just after the config is installed.
    while !state.join("tokenctl-gateway/snapshot.sealed").exists() {
        assert!(
            Instant::now() < deadline,
            "no snapshot on disk:\n{}",
            gateway.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !gateway.log().contains(&key),
        "the gateway key is not logged"
    );
}

#[test]
fn the_units_name_only_settings_the_binary_knows() {
    let variable = regex_lite::Regex::new(r"\b(?:TOKENCTL|CF)_[A-Z_]+").unwrap();
    for (unit, command) in [
        ("tokenctl-server.service", "server"),
        ("tokenctl-gateway.service", "gateway"),
    ] {
        let text = std::fs::read_to_string(unit_path(unit)).unwrap();
        let help = Command::new(BIN)
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        // Commented-out options count too: they are meant to be switched on.
        for name in variable.find_iter(&text).map(|m| m.as_str()) {
            assert!(
                help.contains(name) || name == "TOKENCTL_CONFIG_DIR",
                "{unit} sets {name}, which `tokenctl {command}` does not know"
            );
        }
        let exec = Unit::parse(unit).exec_start;
        assert_eq!(exec[..2], ["/usr/local/bin/tokenctl", command]);
    }
}

#[test]
fn a_bootstrap_token_file_must_hold_a_credential_and_excludes_the_variable() {
    let dir = temp_dir();
    let file = dir.path().join("bootstrap.credential");
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Cli::new("", None).command(&[
            "server",
            "--database-url",
            &db,
            "--listen",
            "127.0.0.1:0",
        ]);
        cmd.env_remove("TOKENCTL_BOOTSTRAP_TOKEN")
            .env_remove("TOKENCTL_BOOTSTRAP_TOKEN_FILE")
            .envs(env.iter().copied());
        crate::common::finish(cmd.output().unwrap())
    };
    let path = file.display().to_string();
    std::fs::write(&file, "not a credential\n").unwrap();
    let out = run(&[("TOKENCTL_BOOTSTRAP_TOKEN_FILE", &path)]);
    assert!(
        out.fails(2).contains("bootstrap.credential"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("not a credential"),
        "the file's content is not echoed"
    );
    let credential = new_credential();
    std::fs::write(&file, &credential).unwrap();
    let out = run(&[
        ("TOKENCTL_BOOTSTRAP_TOKEN_FILE", &path),
        ("TOKENCTL_BOOTSTRAP_TOKEN", &credential),
    ]);
    assert!(out.fails(2).contains("use one"), "{}", out.stderr);
    let out = run(&[("TOKENCTL_BOOTSTRAP_TOKEN_FILE", "/nonexistent/bootstrap")]);
    assert!(
        out.fails(2)
            .contains("cannot read the bootstrap credential file"),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path().join("t.db").exists(),
        "refused before opening the database"
    );
}
