//! Black-box test harness: starts the real `tokenctl server` on a
//! 127.0.0.1 port, on SQLite or on a fresh PostgreSQL database, and drives
//! it with the real `tokenctl` binary.
//!
//! PostgreSQL tests run when `TOKENCTL_TEST_POSTGRES_URL` points at a
//! server where the user may create databases; otherwise they say that
//! they skipped.
#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};
use tokenctl_gateway::token::{Secret, SecretKind};

pub const BIN: &str = env!("CARGO_BIN_EXE_tokenctl");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates each test twice: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($( $(#[$meta:meta])* fn $name:ident($srv:ident) $body:block )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[test] fn $name() {
                let $srv = $crate::common::TestServer::start($crate::common::Backend::Sqlite)
                    .expect("sqlite backend always available");
                $body
            } )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[test] fn $name() {
                let Some($srv) = $crate::common::TestServer::start($crate::common::Backend::Postgres) else {
                    return;
                };
                $body
            } )*
        }
    };
}

fn postgres_admin_url() -> Option<String> {
    static SKIP_NOTICE: Once = Once::new();
    let url = std::env::var("TOKENCTL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TOKENCTL_TEST_REQUIRE_POSTGRES").is_none(),
            "TOKENCTL_TEST_REQUIRE_POSTGRES is set but TOKENCTL_TEST_POSTGRES_URL is not"
        );
        SKIP_NOTICE.call_once(|| {
            // Written past the test harness's output capture on purpose, so
            // a run without PostgreSQL says so.
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: PostgreSQL tests SKIPPED: TOKENCTL_TEST_POSTGRES_URL is not set"
            );
        });
    }
    url
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A throwaway PostgreSQL database, dropped with the test.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> PgDatabase {
        let name = format!("tokenctl_test_{}", uuid::Uuid::now_v7().simple());
        let mut url = url::Url::parse(admin_url).expect("TOKENCTL_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        runtime().block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .expect("connect to TOKENCTL_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
        });
        PgDatabase {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        }
    }

    /// Drops the database while the server may still be connected.
    pub fn drop_now(&self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        runtime().block_on(async move {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    }

    /// Every row of every table, as text.
    pub fn dump(&self) -> String {
        let url = self.url.clone();
        runtime().block_on(async move {
            use sqlx::{Connection, Row};
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let mut out = String::new();
            for t in tables {
                let rows = sqlx::query(&format!("SELECT t::text FROM {t} t"))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                for r in rows {
                    out.push_str(&r.get::<String, _>(0));
                    out.push('\n');
                }
            }
            out
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        self.drop_now();
    }
}

/// The address to listen on again after a restart, from the URL served
/// before (none yet: any free port).
fn listen_addr(url: &str) -> String {
    url.strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or("127.0.0.1:0")
        .to_string()
}

/// The URL a server or gateway serves, from its `… listening addr=… tls=…` log line.
fn url_of(listening_line: &str) -> String {
    let field = |name: &str| {
        listening_line
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
    };
    let addr = field("addr=").expect("listening line names the address");
    let scheme = if field("tls=") == Some("true") {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{addr}")
}

/// A running `tokenctl server`, killed on drop.
pub struct TestServer {
    pub backend: Backend,
    child: Option<Child>,
    pub url: String,
    pub admin: String,
    pub master_key: String,
    pub dir: tempfile::TempDir,
    pub database_url: String,
    pub pg: Option<PgDatabase>,
    /// Extra environment of the server process (see `start_with_env`).
    pub env: Vec<(String, String)>,
    /// A CA file the CLI must trust for this server (`TOKENCTL_CA_CERT`),
    /// for a server with a TLS certificate of a private CA.
    pub ca_cert: Option<PathBuf>,
}

/// A temporary directory for one test, removed on drop unless
/// `TOKENCTL_TEST_KEEP` is set (to look at logs and databases afterwards).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tokenctl-test-")
        .disable_cleanup(std::env::var_os("TOKENCTL_TEST_KEEP").is_some())
        .tempdir()
        .expect("a temporary directory")
}

pub fn new_credential() -> String {
    Secret::generate(SecretKind::AdminCredential, &mut rand::rngs::OsRng).into_exposed()
}

impl TestServer {
    /// Starts a server on a fresh database; `None` when the backend is not
    /// available (PostgreSQL without `TOKENCTL_TEST_POSTGRES_URL`).
    pub fn start(backend: Backend) -> Option<TestServer> {
        TestServer::start_with_env(backend, &[])
    }

    /// Like `start`, with extra environment variables for the server process.
    pub fn start_with_env(backend: Backend, env: &[(&str, &str)]) -> Option<TestServer> {
        let mut server = TestServer::create(backend, env)?;
        server.spawn();
        Some(server)
    }

    /// A server on a fresh, empty database, not started yet: a test may
    /// prepare the database first (e.g. as an older version left it), then
    /// call [`TestServer::spawn`].
    pub fn create(backend: Backend, env: &[(&str, &str)]) -> Option<TestServer> {
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create(&postgres_admin_url()?)),
        };
        Some(TestServer::with_database(backend, pg, env))
    }

    /// A server on a fresh database of the PostgreSQL at `admin_url` (for
    /// tests with a PostgreSQL instance of their own).
    pub fn start_on_postgres(admin_url: &str) -> TestServer {
        let pg = PgDatabase::create(admin_url);
        let mut server = TestServer::with_database(Backend::Postgres, Some(pg), &[]);
        server.spawn();
        server
    }

    fn with_database(backend: Backend, pg: Option<PgDatabase>, env: &[(&str, &str)]) -> TestServer {
        let dir = temp_dir();
        let database_url = match &pg {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}", dir.path().join("tokenctl.db").display()),
        };
        TestServer {
            backend,
            child: None,
            url: String::new(),
            admin: new_credential(),
            master_key: hex::encode(rand::random::<[u8; 32]>()),
            dir,
            database_url,
            pg,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ca_cert: None,
        }
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// A second server process on the same database, with the same
    /// environment; it does not own the database.
    pub fn another_process(&self) -> TestServer {
        let mut other = TestServer {
            backend: self.backend,
            child: None,
            url: String::new(),
            admin: self.admin.clone(),
            master_key: self.master_key.clone(),
            dir: temp_dir(),
            database_url: self.database_url.clone(),
            pg: None,
            env: self.env.clone(),
            ca_cert: self.ca_cert.clone(),
        };
        other.spawn();
        other
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts (or restarts) the server process on the same database.
    pub fn spawn(&mut self) {
        self.stop();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let offset = log.metadata().unwrap().len() as usize;
        // A restart keeps the address, so gateways find the server again.
        let listen = listen_addr(&self.url);
        let child = Command::new(BIN)
            .args([
                "server",
                "--database-url",
                &self.database_url,
                "--listen",
                &listen,
            ])
            .env("TOKENCTL_BOOTSTRAP_TOKEN", &self.admin)
            .env("TOKENCTL_MASTER_KEY", &self.master_key)
            .env("TOKENCTL_LOG", "info")
            .env_remove("TOKENCTL_MASTER_KEY_FILE")
            .env_remove("CF_ACCOUNT_ID")
            .env_remove("CF_API_TOKEN")
            .env_remove("CF_KV_NAMESPACE_ID")
            .env_remove("TOKENCTL_EDGE_KEY")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tokenctl server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = self.log();
            let fresh = &text[offset.min(text.len())..];
            if let Some(line) = fresh
                .lines()
                .find(|l| l.contains("tokenctl server listening"))
            {
                self.url = url_of(line);
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("server exited with {status} before listening:\n{fresh}");
            }
            assert!(Instant::now() < deadline, "server did not start:\n{fresh}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Peak resident memory of the server process, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        peak_rss_kib(self.pid())
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Usage events stored on the server: (rows, distinct ids).
    pub fn usage_counts(&self) -> (i64, i64) {
        self.query_pair(
            "SELECT COUNT(*), COUNT(DISTINCT id) FROM usage_events",
            None,
        )
    }

    /// Stored usage events of one token (or, with `None`, of requests
    /// without an identified token): how many rows, and how many requests
    /// they stand for.
    pub fn usage_of(&self, token: Option<uuid::Uuid>) -> (i64, i64) {
        let sum = "COUNT(*), CAST(COALESCE(SUM(requests), 0) AS BIGINT)";
        match token {
            Some(t) => self.query_pair(
                &format!("SELECT {sum} FROM usage_events WHERE token_id = $1"),
                Some(t),
            ),
            None => self.query_pair(
                &format!("SELECT {sum} FROM usage_events WHERE token_id IS NULL"),
                None,
            ),
        }
    }

    /// All stored usage events: how many rows, and how many requests they
    /// stand for (refusals without a token are stored as counts).
    pub fn usage_total(&self) -> (i64, i64) {
        self.query_pair(
            "SELECT COUNT(*), CAST(COALESCE(SUM(requests), 0) AS BIGINT) FROM usage_events",
            None,
        )
    }

    /// Requests and errors summed over one rollup table (`usage_minute`,
    /// `usage_hour` or `usage_day`), of one token or of all.
    pub fn rollup_sums(&self, table: &str, token: Option<uuid::Uuid>) -> (i64, i64) {
        let sums = "CAST(COALESCE(SUM(requests), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(errors), 0) AS BIGINT)";
        match token {
            Some(t) => self.query_pair(
                &format!("SELECT {sums} FROM {table} WHERE token_id = $1"),
                Some(t),
            ),
            None => self.query_pair(&format!("SELECT {sums} FROM {table}"), None),
        }
    }

    /// Like [`TestServer::usage_of`] for one token, counting only events
    /// with this status.
    pub fn usage_of_status(&self, token: uuid::Uuid, status: u16) -> (i64, i64) {
        self.query_pair(
            &format!(
                "SELECT COUNT(*), CAST(COALESCE(SUM(requests), 0) AS BIGINT) FROM usage_events \
                 WHERE token_id = $1 AND status = {status}"
            ),
            Some(token),
        )
    }

    /// Runs SQL statements on the database behind the server's back (to
    /// simulate what the API cannot do, such as DNS changing under a route).
    pub fn sql(&self, statements: &[String]) {
        let statements = statements.to_vec();
        match &self.pg {
            Some(pg) => {
                let url = pg.url.clone();
                runtime().block_on(async move {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    for s in statements {
                        sqlx::query(&s).execute(&mut c).await.unwrap();
                    }
                })
            }
            None => {
                let path = self.dir.path().join("tokenctl.db");
                runtime().block_on(async move {
                    use sqlx::Connection;
                    let mut c =
                        sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                            .await
                            .unwrap();
                    for s in statements {
                        sqlx::query(&s).execute(&mut c).await.unwrap();
                    }
                })
            }
        }
    }

    /// Runs a query that yields two integers, with an optional id bound to `$1`.
    fn query_pair(&self, query: &str, id: Option<uuid::Uuid>) -> (i64, i64) {
        let query = query.to_string();
        match &self.pg {
            Some(pg) => {
                let url = pg.url.clone();
                runtime().block_on(async move {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    let q = sqlx::query_as(&query);
                    let q = match id {
                        Some(id) => q.bind(id),
                        None => q,
                    };
                    q.fetch_one(&mut c).await.unwrap()
                })
            }
            None => {
                let path = self.dir.path().join("tokenctl.db");
                runtime().block_on(async move {
                    use sqlx::Connection;
                    let mut c =
                        sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                            .await
                            .unwrap();
                    let q = sqlx::query_as(&query);
                    let q = match id {
                        Some(id) => q.bind(id),
                        None => q,
                    };
                    q.fetch_one(&mut c).await.unwrap()
                })
            }
        }
    }

    /// A CLI invocation context authenticated as the bootstrap admin.
    pub fn cli(&self) -> Cli {
        let mut cli = Cli::new(&self.url, Some(&self.admin));
        if let Some(ca) = &self.ca_cert {
            cli.env
                .push(("TOKENCTL_CA_CERT".into(), ca.display().to_string()));
        }
        cli
    }

    /// The raw bytes of the database (SQLite files, or a dump of every row).
    pub fn database_contents(&self) -> String {
        match &self.pg {
            Some(pg) => pg.dump(),
            None => {
                let mut out = String::new();
                for entry in std::fs::read_dir(self.dir.path()).unwrap() {
                    let path = entry.unwrap().path();
                    let name = path.file_name().unwrap().to_string_lossy().to_string();
                    if name.starts_with("tokenctl.db") {
                        out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
                    }
                }
                out
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("--- server log ({:?}) ---\n{}", self.backend, self.log());
        }
    }
}

/// Runs the real `tokenctl` binary with an isolated config directory.
pub struct Cli {
    pub server: String,
    pub credential: Option<String>,
    pub config: std::sync::Arc<tempfile::TempDir>,
    pub env: Vec<(String, String)>,
}

/// What one invocation did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "expected success, got {}:\nstdout: {}\nstderr: {}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        self.ok();
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts the exit code and returns stderr.
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}:\nstdout: {}\nstderr: {}",
            self.code, self.stdout, self.stderr
        );
        assert!(
            !self.stderr.trim().is_empty(),
            "a failure must explain itself on stderr"
        );
        &self.stderr
    }
}

impl Cli {
    pub fn new(server: &str, credential: Option<&str>) -> Cli {
        Cli {
            server: server.to_string(),
            credential: credential.map(str::to_string),
            config: std::sync::Arc::new(temp_dir()),
            env: vec![],
        }
    }

    /// Another invocation context with the same config directory. An empty
    /// `server` leaves TOKENCTL_SERVER unset, so the profile decides.
    pub fn sharing_config(&self, server: &str, credential: Option<&str>) -> Cli {
        Cli {
            server: server.to_string(),
            credential: credential.map(str::to_string),
            config: self.config.clone(),
            env: vec![],
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("TOKENCTL_CONFIG_DIR", self.config.path())
            .env_remove("TOKENCTL_SERVER")
            .env("NO_COLOR", "1")
            .env_remove("TOKENCTL_PROFILE")
            .env_remove("TOKENCTL_OUTPUT")
            .env_remove("TOKENCTL_TOKEN")
            .env_remove("TOKENCTL_CA_CERT")
            .env_remove("TOKENCTL_MASTER_KEY");
        if !self.server.is_empty() {
            cmd.env("TOKENCTL_SERVER", &self.server);
        }
        if let Some(c) = &self.credential {
            cmd.env("TOKENCTL_TOKEN", c);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tokenctl");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        finish(child.wait_with_output().unwrap())
    }

    /// `args` plus `-o json`, expecting success.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        self.run(&all).json()
    }

    pub fn config_dir(&self) -> &Path {
        self.config.path()
    }
}

pub fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A plain HTTP GET, for endpoints the CLI does not wrap.
pub fn http_get(url: &str) -> (u16, String) {
    runtime().block_on(async {
        let resp = reqwest::get(url).await.expect("GET");
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    })
}

/// Audit actions for a target, oldest first.
pub fn audit_actions(cli: &Cli, target: &str) -> Vec<String> {
    let page = cli.json(&["audit", "list", "--target", target, "--limit", "1000"]);
    let mut actions: Vec<String> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    actions.reverse();
    actions
}

/// A running `tokenctl gateway` following a [`TestServer`].
pub struct TestGateway {
    child: Option<Child>,
    pub url: String,
    pub key: String,
    server_url: String,
    pub dir: tempfile::TempDir,
    /// Extra arguments of `tokenctl gateway` (see `start_with`), kept
    /// across restarts.
    pub args: Vec<String>,
    /// Open-file limit (`ulimit -n`) of the gateway process, if set.
    fd_limit: Option<u32>,
}

impl TestGateway {
    /// Issues a gateway key and starts a gateway; returns once it listens.
    pub fn start(srv: &TestServer) -> TestGateway {
        TestGateway::start_with(srv, &[], None)
    }

    /// Like `start`, with extra arguments for `tokenctl gateway` and,
    /// optionally, a limit on its open files (through `sh -c 'ulimit -n …'`).
    pub fn start_with(srv: &TestServer, args: &[&str], fd_limit: Option<u32>) -> TestGateway {
        let name = format!("gw-{}", uuid::Uuid::now_v7().simple());
        let key = srv.cli().json(&["gateway-key", "create", &name]);
        TestGateway::launch(srv, key["secret"].as_str().unwrap(), args, fd_limit)
    }

    /// Starts a gateway with a gateway key issued earlier (e.g. by an
    /// older version); returns once it listens.
    pub fn start_with_key(srv: &TestServer, key: &str) -> TestGateway {
        TestGateway::launch(srv, key, &[], None)
    }

    fn launch(srv: &TestServer, key: &str, args: &[&str], fd_limit: Option<u32>) -> TestGateway {
        let mut gw = TestGateway {
            child: None,
            url: String::new(),
            key: key.to_string(),
            server_url: srv.url.clone(),
            dir: temp_dir(),
            args: args.iter().map(|a| a.to_string()).collect(),
            fd_limit,
        };
        gw.spawn();
        gw
    }

    /// The gateway's usage spool directory.
    pub fn spool_dir(&self) -> PathBuf {
        self.dir.path().join("state/spool")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("gateway.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Starts the process (again), on the same address after a restart.
    pub fn spawn(&mut self) {
        let log_path = self.dir.path().join("gateway.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let offset = log.metadata().unwrap().len() as usize;
        let listen = listen_addr(&self.url);
        let mut command = match self.fd_limit {
            None => Command::new(BIN),
            Some(n) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), BIN]);
                sh
            }
        };
        let child = command
            .args(["gateway", "--listen", &listen, "--state-dir"])
            .arg(self.dir.path().join("state"))
            .args(&self.args)
            .env("TOKENCTL_SERVER", &self.server_url)
            .env("TOKENCTL_GATEWAY_KEY", &self.key)
            .env("TOKENCTL_CONFIG_DIR", self.dir.path().join("config"))
            .env("TOKENCTL_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tokenctl gateway");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let fresh = &text[offset.min(text.len())..];
            if let Some(line) = fresh
                .lines()
                .find(|l| l.contains("tokenctl gateway listening"))
            {
                self.url = url_of(line);
                break;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("gateway exited with {status}:\n{fresh}");
            }
            assert!(Instant::now() < deadline, "gateway did not start:\n{fresh}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the gateway serves a config (health 200).
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_get(&format!("{}/_gateway/health", self.url)).0 != 200 {
            assert!(
                Instant::now() < deadline,
                "gateway never got its config:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn health(&self) -> Value {
        serde_json::from_str(&http_get(&format!("{}/_gateway/health", self.url)).1).unwrap()
    }

    /// SIGTERM: finish in-flight requests, write out the spool, exit.
    pub fn stop_graceful(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while child.try_wait().unwrap().is_none() {
                assert!(Instant::now() < deadline, "gateway did not stop on SIGTERM");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Peak resident memory of the gateway process, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        peak_rss_kib(self.pid())
    }
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- gateway log ---\n{}", self.log());
        }
    }
}

/// Peak resident memory of a process, in KiB (`VmHWM`).
pub fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}
