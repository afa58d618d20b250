//! Runs of the real `tokenctl` binary, and plain HTTP for what it does not wrap.

use super::postgres::runtime;
use super::{temp_dir, BIN};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

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
        let out = assert_cmd::Command::from_std(self.command(args))
            .write_stdin(stdin)
            .output()
            .expect("run tokenctl");
        finish(out)
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
    let mut actions: Vec<String> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    actions.reverse();
    actions
}
