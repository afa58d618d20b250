//! A real `tokenctl server` on 127.0.0.1, on SQLite or PostgreSQL.

use super::postgres::{postgres_admin_url, runtime, PgDatabase};
use super::{listen_addr, new_credential, peak_rss_kib, temp_dir, url_of, Backend, Cli, BIN};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One stored usage event: (method, status, bytes_in, bytes_out, error_code).
pub type UsageRow = (String, i64, i64, i64, Option<String>);

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

    /// Stored usage events, oldest first: (method, status, bytes_in,
    /// bytes_out, error_code).
    pub fn usage_rows(&self) -> Vec<UsageRow> {
        let query =
            "SELECT CAST(method AS TEXT), CAST(status AS BIGINT), CAST(bytes_in AS BIGINT), \
                     CAST(bytes_out AS BIGINT), error_code FROM usage_events ORDER BY at";
        match &self.pg {
            Some(pg) => {
                let url = pg.url.clone();
                runtime().block_on(async move {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    sqlx::query_as(query).fetch_all(&mut c).await.unwrap()
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
                    sqlx::query_as(query).fetch_all(&mut c).await.unwrap()
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
