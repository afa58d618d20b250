//! A real native gateway (`tokenctl gateway`) following a test server.

use super::{http_get, listen_addr, temp_dir, url_of, TestServer, BIN};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
