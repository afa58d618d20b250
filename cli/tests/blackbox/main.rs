//! Black-box tests: the real `tokenctl` binary against a real server on
//! 127.0.0.1, on SQLite and (when configured) PostgreSQL. One test binary
//! keeps link times down.

mod common;
mod fake_kv;
mod upstream;

mod concurrency;
mod errors;
mod gateway;
mod hostile_reports;
mod kvsync;
mod login;
mod meta;
mod permissions;
mod routes;
mod secrets;
mod security;
mod teams;
mod tokens;
mod usage;
mod worker;
