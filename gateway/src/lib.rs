//! The gateway core shared by every front-end (the native proxy and the
//! Cloudflare Worker) and by the control plane that mints tokens.
//!
//! Everything here is plain Rust with no I/O, so it is tested natively and
//! builds unchanged for `wasm32-unknown-unknown`.

pub mod token;
