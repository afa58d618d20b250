//! Black-box test harness: starts the real `tokenctl server` on a
//! 127.0.0.1 port, on SQLite or on a fresh PostgreSQL database, and drives
//! it with the real `tokenctl` binary.
//!
//! PostgreSQL tests run when `TOKENCTL_TEST_POSTGRES_URL` points at a
//! server where the user may create databases; otherwise they say that
//! they skipped.
//!
//! By concern: `server` (the control plane), `gateway` (the native
//! gateway), `cli` (runs of the binary), `postgres` (throwaway databases),
//! and here the shared pieces (backends, temp dirs, addresses).
#![allow(dead_code)]

mod cli;
mod gateway;
mod postgres;
mod server;

pub use cli::{audit_actions, finish, http_get, Cli, Run};
pub use gateway::{peak_rss_kib, TestGateway};
pub use postgres::runtime;
pub use server::TestServer;

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

/// The address to listen on again after a restart, from the URL served
/// before (none yet: any free port).
pub(crate) fn listen_addr(url: &str) -> String {
    url.strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or("127.0.0.1:0")
        .to_string()
}

/// The URL a server or gateway serves, from its `… listening addr=… tls=…` log line.
pub(crate) fn url_of(listening_line: &str) -> String {
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
