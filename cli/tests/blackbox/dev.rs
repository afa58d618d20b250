//! `tokenctl dev`: a quiet local stack unless asked to be verbose.

use crate::common::{http_get, temp_dir, BIN};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `tokenctl dev` on free ports, its output going to a file.
struct Dev {
    child: Child,
    dir: tempfile::TempDir,
}

impl Dev {
    fn start(extra: &[&str]) -> Dev {
        let dir = temp_dir();
        let log = std::fs::File::create(dir.path().join("dev.log")).unwrap();
        let child = Command::new(BIN)
            .args(["dev", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--listen", "127.0.0.1:0", "--gateway-listen", "127.0.0.1:0"])
            .args(extra)
            .env("TOKENCTL_CONFIG_DIR", dir.path().join("config"))
            .env("NO_COLOR", "1")
            .env_remove("TOKENCTL_LOG")
            .env_remove("TOKENCTL_PROFILE")
            .env_remove("TOKENCTL_SERVER")
            .env_remove("CF_ACCOUNT_ID")
            .env_remove("CF_API_TOKEN")
            .env_remove("CF_KV_NAMESPACE_ID")
            .env_remove("TOKENCTL_EDGE_KEY")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tokenctl dev");
        Dev { child, dir }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dev.log")).unwrap_or_default()
    }

    /// The URL after `label` in the banner, once it is printed.
    fn url(&mut self, label: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let out = self.output();
            if out.contains("Press Ctrl-C to stop.") {
                return out
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(label))
                    .map(|rest| rest.trim().to_string())
                    .unwrap_or_else(|| panic!("no {label} in the banner:\n{out}"));
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("tokenctl dev exited with {status}:\n{out}");
            }
            assert!(
                Instant::now() < deadline,
                "tokenctl dev did not start:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then everything it printed.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "tokenctl dev did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.output()
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn dev_logs_only_warnings_unless_verbose() {
    // Both at once: each runs for a few seconds.
    let mut quiet = Dev::start(&[]);
    let mut verbose = Dev::start(&["--verbose"]);
    for dev in [&mut quiet, &mut verbose] {
        let server = dev.url("server");
        let gateway = dev.url("gateway");
        assert_eq!(http_get(&format!("{server}/health")).0, 200);
        // The gateway's first config fetch happens at start; its health
        // answers once it has one.
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_get(&format!("{gateway}/_gateway/health")).0 != 200 {
            assert!(Instant::now() < deadline, "no config:\n{}", dev.output());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    std::thread::sleep(Duration::from_secs(2));
    let quiet = quiet.stop();
    let verbose = verbose.stop();

    assert!(quiet.contains("tokenctl dev is running."), "{quiet}");
    let info: Vec<&str> = quiet.lines().filter(|l| l.contains(" INFO ")).collect();
    assert!(info.is_empty(), "INFO lines without --verbose:\n{quiet}");
    assert!(!quiet.contains("finished processing request"), "{quiet}");

    assert!(verbose.contains("tokenctl dev is running."), "{verbose}");
    let requests: Vec<&str> = verbose
        .lines()
        .filter(|l| l.contains(" INFO ") && l.contains("finished processing request"))
        .collect();
    assert!(
        requests.iter().any(|l| l.contains("path=/health")),
        "no request line for /health with --verbose:\n{verbose}"
    );
    assert!(
        requests
            .iter()
            .any(|l| l.contains("path=/v1/gateway/config")),
        "no request line for the gateway's config feed with --verbose:\n{verbose}"
    );
}
