//! The full gateway config as a streamed answer: the tokens are written as
//! the database yields them, so the server never holds a whole snapshot
//! (a million tokens are some 350 MB of JSON).
//!
//! The body is the same `ConfigUpdate` object as an incremental answer,
//! with `tokens` first: `{"tokens":[…],"version":…,…}`. Everything but the
//! tokens is small and serialised by `ConfigUpdate` itself once the tokens
//! are out, from the same consistent read.

use super::gateway::to_update;
use super::AppState;
use crate::error::{ApiError, ApiResult};
use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tokenctl_gateway::snapshot::TokenEntry;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Bytes of JSON gathered before they are handed to the connection.
const CHUNK_BYTES: usize = 64 * 1024;
/// Tokens read ahead of the writer.
const TOKENS_AHEAD: usize = 1024;
/// Chunks written ahead of the connection.
const CHUNKS_AHEAD: usize = 4;

type ReadConfig = JoinHandle<ApiResult<crate::db::GatewayConfig>>;

/// Answers a gateway's request for everything.
pub(super) async fn full_config(state: AppState) -> ApiResult<Response> {
    let (tokens, mut read_tokens) = mpsc::channel(TOKENS_AHEAD);
    let db = state.db.clone();
    let read: ReadConfig = tokio::spawn(async move { db.stream_gateway_config(tokens).await });
    // A database that fails before the first token gets the usual error
    // answer; a config without tokens the usual whole one.
    let Some(first) = read_tokens.recv().await else {
        let config = finished(read).await?;
        return Ok(Json(to_update(&state, config)).into_response());
    };
    let (chunks, body) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHUNKS_AHEAD);
    tokio::spawn(write_body(state, first, read_tokens, read, chunks));
    let body = futures_util::stream::unfold(body, |mut body| async move {
        body.recv().await.map(|chunk| (chunk, body))
    });
    Ok((
        [(CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response())
}

async fn finished(read: ReadConfig) -> ApiResult<crate::db::GatewayConfig> {
    read.await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("reading the gateway config: {e}")))?
}

async fn write_body(
    state: AppState,
    first: TokenEntry,
    mut read_tokens: mpsc::Receiver<TokenEntry>,
    read: ReadConfig,
    chunks: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 1024);
    chunk.extend_from_slice(b"{\"tokens\":[");
    let mut next = Some(first);
    let mut written = 0u64;
    while let Some(token) = next {
        if written > 0 {
            chunk.push(b',');
        }
        serde_json::to_writer(&mut chunk, &token).expect("token entries serialise");
        written += 1;
        if chunk.len() >= CHUNK_BYTES {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 1024));
            if chunks.send(Ok(full.into())).await.is_err() {
                // The gateway went away: closing the token channel stops
                // the read.
                return;
            }
        }
        next = read_tokens.recv().await;
    }
    let config = match finished(read).await {
        Ok(config) => config,
        Err(e) => {
            tracing::error!(error = %e, tokens = written, "the gateway config failed while streaming; the answer is cut short");
            let _ = chunks.send(Err(std::io::Error::other(e.to_string()))).await;
            return;
        }
    };
    let serde_json::Value::Object(rest) =
        serde_json::to_value(to_update(&state, config)).expect("config updates serialise")
    else {
        unreachable!("a config update serialises as an object");
    };
    chunk.push(b']');
    for (key, value) in rest.iter().filter(|(key, _)| *key != "tokens") {
        chunk.push(b',');
        serde_json::to_writer(&mut chunk, key).expect("strings serialise");
        chunk.push(b':');
        serde_json::to_writer(&mut chunk, value).expect("values serialise");
    }
    chunk.push(b'}');
    let _ = chunks.send(Ok(chunk.into())).await;
}
