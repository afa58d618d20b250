//! A PostgreSQL instance of the test's own (initdb + pg_ctl from the
//! installed PostgreSQL, on a free port), so a test can stop and start it
//! without disturbing the shared server other tests use. Removed on drop.

use crate::common::temp_dir;
use std::path::PathBuf;
use std::process::Command;

pub struct OwnPostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    /// initdb and postgres refuse to run as root: run them as `postgres`.
    as_postgres: bool,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The newest installed PostgreSQL's `bin` directory.
fn installed_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|p| p.join("pg_ctl").exists() && p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

impl OwnPostgres {
    /// Creates and starts an instance; `None` (with a note) when PostgreSQL
    /// is not installed, which is a failure when
    /// `TOKENCTL_TEST_REQUIRE_POSTGRES` is set.
    pub fn start() -> Option<OwnPostgres> {
        let Some(bin) = installed_bin() else {
            assert!(
                std::env::var_os("TOKENCTL_TEST_REQUIRE_POSTGRES").is_none(),
                "TOKENCTL_TEST_REQUIRE_POSTGRES is set but no PostgreSQL is installed under /usr/lib/postgresql"
            );
            eprintln!("NOTE: no PostgreSQL installed; test SKIPPED");
            return None;
        };
        let pg = OwnPostgres {
            bin,
            dir: temp_dir(),
            port: free_port(),
            as_postgres: std::env::var("USER").as_deref() == Ok("root")
                || Command::new("id")
                    .arg("-u")
                    .output()
                    .is_ok_and(|o| o.stdout.starts_with(b"0\n")),
        };
        std::fs::create_dir_all(pg.data()).unwrap();
        if pg.as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pg.dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown to postgres");
        }
        pg.run(
            "initdb",
            &[
                "-D",
                pg.data().to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
        );
        pg.pg_ctl_start();
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let out = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        }
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    /// The admin URL, for `TestServer::start_on_postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the instance the quick way (`-m fast`: sessions are cut).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    pub fn start_again(&self) {
        self.pg_ctl_start();
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.to_str().unwrap(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}
