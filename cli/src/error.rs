//! CLI errors and the documented exit codes.

use std::fmt;
use tokenctl_server::api::Candidate;

/// Exit codes are part of the interface: scripts rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 1: anything else, including an unreachable server.
    Failure = 1,
    /// 2: bad usage or input.
    Usage = 2,
    /// 3: not found.
    NotFound = 3,
    /// 4: unauthenticated or forbidden.
    Auth = 4,
    /// 5: conflict with stored state.
    Conflict = 5,
}

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  failure, including an unreachable server (the URL tried is shown)
  2  bad usage or input
  3  not found
  4  not authenticated, or not allowed
  5  conflict (name taken, already revoked, in use)";

#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    /// Stable code, e.g. `not_found`, `server_unreachable`.
    pub code: String,
    pub message: String,
    pub candidates: Vec<Candidate>,
}

impl CliError {
    pub fn new(exit: Exit, code: &str, message: impl Into<String>) -> CliError {
        CliError {
            exit,
            code: code.into(),
            message: message.into(),
            candidates: vec![],
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Usage, "invalid_input", message)
    }

    pub fn failure(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Failure, "failure", message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<tokenctl_server::api::input::InputError> for CliError {
    fn from(e: tokenctl_server::api::input::InputError) -> Self {
        CliError::usage(e.0)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failure(e.to_string())
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::failure(format!("{e:#}"))
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
