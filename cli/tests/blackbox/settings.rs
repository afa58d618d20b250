//! One settings story: every setting of `tokenctl server` and `tokenctl
//! gateway` is a flag with a variable in `--help`, matching the table in
//! docs/settings.md; a `--config` TOML file fills in what neither the
//! command line nor the environment gives; secrets come from files.

use crate::common::{finish, http_get, new_credential, temp_dir, Backend, Cli, TestServer, BIN};
use crate::on_both_backends;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One option of a `--help` text.
#[derive(Debug)]
#[allow(dead_code)] // `section` is shown by failures
struct HelpOption {
    section: String,
    variable: Option<String>,
    default: Option<String>,
}

/// The options of `tokenctl [COMMAND] --help`, by long flag (`--listen`).
fn help_options(command: Option<&str>) -> BTreeMap<String, HelpOption> {
    let out = Command::new(BIN)
        .args(command)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let heading = regex_lite::Regex::new(r"^([A-Z][^:]*):$").unwrap();
    let option = regex_lite::Regex::new(r"^ {2,6}(?:-\w, )?(--[a-z0-9-]+)").unwrap();
    // Clap's own lines, not "[default: …]" in a description.
    let env = regex_lite::Regex::new(r"^\s+\[env: ([A-Z0-9_]+)(?:=[^\]]*)?\]$").unwrap();
    let default = regex_lite::Regex::new(r"^\s+\[default: ([^\]]*)\]$").unwrap();
    let mut options = BTreeMap::new();
    let mut section: Option<String> = None;
    let mut current: Option<String> = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(h) = heading.captures(line) {
            // An options section starts with an option; any other heading
            // (Examples:) is the free text after them.
            let next = lines.peek().copied().unwrap_or_default();
            section = option.is_match(next).then(|| h[1].to_string());
            current = None;
            continue;
        }
        if !line.is_empty() && !line.starts_with(' ') {
            section = None;
            current = None;
            continue;
        }
        let Some(section) = &section else { continue };
        if let Some(o) = option.captures(line) {
            let flag = o[1].to_string();
            options.insert(
                flag.clone(),
                HelpOption {
                    section: section.clone(),
                    variable: None,
                    default: None,
                },
            );
            current = Some(flag);
            continue;
        }
        let Some(flag) = &current else { continue };
        let entry = options.get_mut(flag).unwrap();
        if let Some(e) = env.captures(line) {
            entry.variable = Some(e[1].to_string());
        }
        if let Some(d) = default.captures(line) {
            entry.default = Some(d[1].to_string());
        }
    }
    options.remove("--help");
    options
}

/// One row of a settings table: TOML key, flag, variable, default.
#[derive(Debug)]
struct Row {
    key: String,
    variable: String,
    default: String,
}

/// The table under `## \`tokenctl COMMAND\`` in docs/settings.md, by flag.
fn doc_table(command: &str) -> BTreeMap<String, Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/settings.md");
    let text = std::fs::read_to_string(path).unwrap();
    let title = format!("## `tokenctl {command}`");
    let start = text
        .find(&title)
        .unwrap_or_else(|| panic!("no section {title}"));
    let section = &text[start + title.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let code = |cell: &str| cell.trim().trim_matches('`').to_string();
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        if cells[0].trim() == "TOML key" {
            continue;
        }
        assert_eq!(cells.len(), 5, "a row has 5 cells: {line}");
        let flag = code(cells[1]);
        let row = Row {
            key: code(cells[0]),
            variable: code(cells[2]),
            default: cells[3].to_string(),
        };
        assert!(rows.insert(flag.clone(), row).is_none(), "{flag} twice");
    }
    assert!(!rows.is_empty(), "no table under {title}");
    rows
}

#[test]
fn the_settings_table_matches_help_in_both_directions() {
    // Options of every command (--output, --server), listed by `tokenctl
    // --help`: not settings, unless a command's table claims one.
    let global = help_options(None);
    assert!(global.contains_key("--server"), "{global:?}");
    for command in ["server", "gateway"] {
        let help = help_options(Some(command));
        let table = doc_table(command);
        for (flag, option) in &help {
            let Some(variable) = &option.variable else {
                panic!("tokenctl {command} --help: {flag} has no environment variable");
            };
            if global.contains_key(flag) && !table.contains_key(flag) {
                // An option of every command (--output), not a setting.
                continue;
            }
            let row = table.get(flag).unwrap_or_else(|| {
                panic!("docs/settings.md: `tokenctl {command}` has no row for {flag} ({variable})")
            });
            assert_eq!(
                &row.variable, variable,
                "docs/settings.md: {command} {flag} has the variable {}, --help says {variable}",
                row.variable
            );
            if let Some(default) = &option.default {
                assert!(
                    row.default.contains(&format!("`{default}`")),
                    "docs/settings.md: {command} {flag} defaults to `{default}` in --help, not {}",
                    row.default
                );
            }
            let key = if flag == "--config" {
                "—"
            } else {
                &flag[2..]
            };
            assert_eq!(
                row.key, key,
                "docs/settings.md: the TOML key of {command} {flag}"
            );
        }
        for (flag, row) in &table {
            assert!(
                help.contains_key(flag),
                "docs/settings.md lists {flag} ({}) for `tokenctl {command}`, which its --help does not know",
                row.variable
            );
        }
    }
}

/// A `tokenctl` process with nothing of the caller's environment but what
/// it is given, its output going to a file.
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    fn start(dir: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Process {
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(BIN)
            .args(args)
            .env_clear()
            .env("TOKENCTL_CONFIG_DIR", dir.join("cli-config"))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        Process { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The address of the `… listening addr=…` line.
    fn listening(&mut self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let log = self.log();
            if let Some(line) = log
                .lines()
                .find(|l| l.contains(&format!("tokenctl {what} listening")))
            {
                return line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("addr="))
                    .unwrap()
                    .to_string();
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("{what} exited with {status}:\n{log}");
            }
            assert!(Instant::now() < deadline, "{what} did not start:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the process to exit on its own.
    fn exits(mut self) -> crate::common::Run {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "still running:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        crate::common::Run {
            code,
            stdout: String::new(),
            stderr: self.log(),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a file readable by its owner only, as a secret should be.
fn write_secret(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// A TOML string (paths and URLs in these tests need no escapes).
fn quoted(value: impl std::fmt::Display) -> String {
    let value = value.to_string();
    assert!(!value.contains(['"', '\\']));
    format!("\"{value}\"")
}

fn server_settings_from_a_file(backend: Backend) {
    // The database only; the test starts the server itself.
    let Some(db) = TestServer::create(backend, &[]) else {
        return;
    };
    let dir = temp_dir();
    let key_file = dir.path().join("master.key");
    write_secret(&key_file, &format!("{}\n", db.master_key));
    let admin = new_credential();
    let credential_file = dir.path().join("bootstrap.credential");
    write_secret(&credential_file, &format!("{admin}\n"));
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "# settings of the test server\n\
             database-url = {}\n\
             listen = \"127.0.0.2:0\"\n\
             master-key-file = {}\n\
             bootstrap-token-file = {}\n\
             usage-retention = \"9d\"\n\
             trusted-proxy = [\"10.0.0.0/8\"]\n",
            quoted(&db.database_url),
            quoted(key_file.display()),
            quoted(credential_file.display()),
        ),
    )
    .unwrap();
    let config = config.display().to_string();

    // The file alone: its address, its database, its secrets.
    let mut server = Process::start(dir.path(), "file", &["server", "--config", &config], &[]);
    let addr = server.listening("server");
    assert!(addr.starts_with("127.0.0.2:"), "{addr}");
    let cli = Cli::new(&format!("http://{addr}"), Some(&admin));
    let set = cli
        .run_with_stdin(&["secret", "set", "FROM_FILE_KEY", "-o", "json"], "sk-1")
        .json();
    assert_eq!(
        set["name"], "FROM_FILE_KEY",
        "the master key came from its file"
    );
    assert!(!server.log().contains(&db.master_key));
    drop(server);

    // The variable beats the file (the file named by its variable too).
    let mut server = Process::start(
        dir.path(),
        "env",
        &["server"],
        &[
            ("TOKENCTL_SERVER_CONFIG", &config),
            ("TOKENCTL_LISTEN", "127.0.0.3:0"),
        ],
    );
    let addr = server.listening("server");
    assert!(addr.starts_with("127.0.0.3:"), "{addr}");
    let cli = Cli::new(&format!("http://{addr}"), Some(&admin));
    assert_eq!(cli.json(&["secret", "list"])[0]["name"], "FROM_FILE_KEY");
    drop(server);

    // The flag beats the variable.
    let mut server = Process::start(
        dir.path(),
        "flag",
        &["server", "--config", &config, "--listen", "127.0.0.4:0"],
        &[("TOKENCTL_LISTEN", "127.0.0.3:0")],
    );
    let addr = server.listening("server");
    assert!(addr.starts_with("127.0.0.4:"), "{addr}");
    drop(server);

    // A master key given twice, by the file and by a variable: refused,
    // naming both.
    let twice = Process::start(
        dir.path(),
        "twice",
        &["server", "--config", &config],
        &[("TOKENCTL_MASTER_KEY", &db.master_key)],
    )
    .exits();
    let stderr = twice.fails(2);
    assert!(
        stderr.contains("TOKENCTL_MASTER_KEY")
            && stderr.contains(&format!("`master-key-file` in {config}")),
        "{stderr}"
    );
    assert!(!stderr.contains(&db.master_key), "{stderr}");
}

#[test]
fn server_settings_from_a_file_lose_to_variables_and_flags_sqlite() {
    server_settings_from_a_file(Backend::Sqlite);
}

#[test]
fn server_settings_from_a_file_lose_to_variables_and_flags_postgres() {
    server_settings_from_a_file(Backend::Postgres);
}

#[test]
fn a_bad_config_file_is_refused_naming_the_file_and_the_key() {
    let dir = temp_dir();
    let db = dir.path().join("never.db");
    let db_url = format!("sqlite://{}", db.display());
    let run = |name: &str, text: &str, env: &[(&str, &str)]| {
        let config = dir.path().join(format!("{name}.toml"));
        std::fs::write(&config, text).unwrap();
        let config = config.display().to_string();
        let out = Process::start(
            dir.path(),
            name,
            &["server", "--config", &config, "--database-url", &db_url],
            env,
        )
        .exits();
        (config, out)
    };
    for (name, text, expected) in [
        (
            "typo",
            "lisen = \"127.0.0.1:0\"\n",
            "unknown setting `lisen`",
        ),
        ("type", "listen = 7700\n", "`listen`: `7700` is invalid"),
        (
            "switch",
            "allow-metadata-upstreams = \"yes\"\n",
            "`allow-metadata-upstreams`: expected true or false",
        ),
        (
            "value",
            "usage-retention = \"forever\"\n",
            "`usage-retention`: `forever` is invalid",
        ),
        ("toml", "listen = \n", "is not a valid TOML file"),
        (
            "global",
            "server = \"http://127.0.0.1:1\"\n",
            "unknown setting `server`",
        ),
    ] {
        let (config, out) = run(name, text, &[]);
        let stderr = out.fails(2);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(stderr.contains(&config), "{name} names the file: {stderr}");
    }
    // A secret file that is empty; one that is missing.
    let empty = dir.path().join("empty.key");
    write_secret(&empty, "\n");
    let (_, out) = run(
        "empty",
        &format!("master-key-file = {}\n", quoted(empty.display())),
        &[],
    );
    assert!(
        out.fails(2).contains("the master key file"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("is empty"), "{}", out.stderr);
    let out = Process::start(
        dir.path(),
        "missing",
        &["server", "--config", "/nonexistent/server.toml"],
        &[],
    )
    .exits();
    assert!(
        out.fails(2)
            .contains("cannot read the config file /nonexistent/server.toml"),
        "{}",
        out.stderr
    );
    // With -o json, the error is JSON like every other usage error.
    let config = dir.path().join("typo.toml").display().to_string();
    let out = finish(
        Command::new(BIN)
            .args(["server", "--config", &config, "-o", "json"])
            .env_clear()
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, 2);
    let body: serde_json::Value = serde_json::from_str(out.stderr.trim())
        .or_else(|_| serde_json::from_str(out.stdout.trim()))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", out.stdout, out.stderr));
    assert!(body.to_string().contains("lisen"), "{body}");
    assert!(!db.exists(), "refused before opening the database");
}

on_both_backends! {
    fn the_gateway_reads_its_server_and_key_file_from_its_config_file(srv) {
        let key = srv.cli().json(&["gateway-key", "create", "from-config"])["secret"]
            .as_str()
            .unwrap()
            .to_string();
        let dir = temp_dir();
        let key_file = dir.path().join("gateway.key");
        write_secret(&key_file, &format!("{key}\n"));
        let config = dir.path().join("gateway.toml");
        std::fs::write(
            &config,
            format!(
                "server = {}\nkey-file = {}\nlisten = \"127.0.0.2:0\"\nstate-dir = {}\nmax-stale = \"10m\"\n",
                quoted(&srv.url),
                quoted(key_file.display()),
                quoted(dir.path().join("state").display()),
            ),
        )
        .unwrap();
        let config = config.display().to_string();
        let mut gateway = Process::start(dir.path(), "gateway", &["gateway", "--config", &config], &[]);
        let addr = gateway.listening("gateway");
        assert!(addr.starts_with("127.0.0.2:"), "{addr}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_get(&format!("http://{addr}/_gateway/health")).0 != 200 {
            assert!(Instant::now() < deadline, "no config with the key file:\n{}", gateway.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        // Written off the request path, just after the config is installed.
        while !dir.path().join("state/snapshot.sealed").exists() {
            assert!(Instant::now() < deadline, "no snapshot in the state directory of the file");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!gateway.log().contains(&key), "the gateway key is not logged");
        drop(gateway);

        // The variable beats the file.
        let mut gateway = Process::start(
            dir.path(),
            "gateway-env",
            &["gateway", "--config", &config],
            &[("TOKENCTL_GATEWAY_LISTEN", "127.0.0.3:0")],
        );
        let addr = gateway.listening("gateway");
        assert!(addr.starts_with("127.0.0.3:"), "{addr}");
        drop(gateway);

        // A key as well as the file's key file: refused, naming both.
        let out = Process::start(
            dir.path(),
            "gateway-twice",
            &["gateway", "--config", &config],
            &[("TOKENCTL_GATEWAY_KEY", &key)],
        )
        .exits();
        let stderr = out.fails(2);
        assert!(
            stderr.contains("TOKENCTL_GATEWAY_KEY") && stderr.contains("`key-file` in"),
            "{stderr}"
        );
        assert!(!stderr.contains(&key), "{stderr}");
    }
}

/// KV sync set up by the config file alone, its API token and edge key in
/// files of their own: the sealed secrets reach KV.
fn kv_sync_from_a_config_file(backend: Backend) {
    let kv = crate::fake_kv::FakeKv::start("cf-token-from-a-file");
    let dir = temp_dir();
    let token_file = dir.path().join("cf-api-token");
    write_secret(&token_file, "cf-token-from-a-file\n");
    let edge_key_file = dir.path().join("edge.key");
    write_secret(&edge_key_file, &format!("{}\n", "7a".repeat(32)));
    let mut toml = format!(
        "cf-api-token-file = {}\nedge-key-file = {}\n",
        quoted(token_file.display()),
        quoted(edge_key_file.display())
    );
    // The fake's account, namespace, URL and timeout, under their keys.
    for (variable, value) in kv.server_env("unused") {
        let key = match variable.as_str() {
            "CF_API_TOKEN" => continue,
            "TOKENCTL_KV_TIMEOUT" => "kv-timeout".to_string(),
            other => other.to_lowercase().replace('_', "-"),
        };
        toml.push_str(&format!("{key} = {}\n", quoted(value)));
    }
    let config = dir.path().join("server.toml");
    std::fs::write(&config, toml).unwrap();
    let config = config.display().to_string();
    let Some(srv) = TestServer::start_with_env(backend, &[("TOKENCTL_SERVER_CONFIG", &config)])
    else {
        return;
    };
    let cli = srv.cli();
    cli.run_with_stdin(&["secret", "set", "UPSTREAM"], "sealed-upstream-value")
        .ok();
    cli.json(&["sync", "push"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = cli.json(&["sync", "status"]);
        if status["secrets"]["enabled"] == true && kv.snapshot().contains_key("secrets") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the secrets never reached KV: {status:#}\n{}",
            srv.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let store = format!("{:?}", kv.snapshot());
    assert!(
        !store.contains("sealed-upstream-value"),
        "sealed, not in plain"
    );
    assert!(!srv.log().contains("cf-token-from-a-file"));
}

#[test]
fn kv_sync_from_a_config_file_sqlite() {
    kv_sync_from_a_config_file(Backend::Sqlite);
}

#[test]
fn kv_sync_from_a_config_file_postgres() {
    kv_sync_from_a_config_file(Backend::Postgres);
}
