//! The gateway's client for the control plane: config feed and usage ingest,
//! authenticated with the gateway key.

use std::time::Duration;
use tokenctl_gateway::snapshot::StreamedUpdate;
use url::Url;

/// Body chunks in flight between the network and the config decoder.
const CONFIG_CHUNKS_IN_FLIGHT: usize = 16;
/// What the config decoder reads from the network side at a time.
const DECODE_BUFFER: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The server refused the gateway key: it was revoked or never existed.
    #[error("the server rejected this gateway key ({0})")]
    Unauthorized(String),
    #[error("the server answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("cannot reach the server at {url}: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("cannot read the config the server at {url} sent: {message}")]
    BadConfig { url: String, message: String },
}

#[derive(Clone)]
pub struct ControlPlane {
    http: reqwest::Client,
    base: Url,
    key: secrecy::SecretString,
}

impl ControlPlane {
    /// `extra_roots`: CAs trusted for the server besides the bundled ones.
    pub fn new(
        base: Url,
        key: secrecy::SecretString,
        extra_roots: &[reqwest::Certificate],
    ) -> ControlPlane {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("tokenctl-gateway/", env!("CARGO_PKG_VERSION")));
        for root in extra_roots {
            builder = builder.add_root_certificate(root.clone());
        }
        let http = builder.build().expect("HTTP client builds");
        ControlPlane { http, base, key }
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}{path}"));
        url
    }

    async fn check(resp: reqwest::Response) -> Result<reqwest::Response, ControlError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or("no details")
            .to_string();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(ControlError::Unauthorized(message));
        }
        Err(ControlError::Status {
            status: status.as_u16(),
            message,
        })
    }

    /// Everything (`after` = None) or the changes after a version, waiting
    /// up to `wait` for one.
    ///
    /// The answer is decoded as it arrives, on a blocking thread, each
    /// token indexed as soon as it is read: a full snapshot is never held
    /// whole, neither as bytes nor as decoded entries.
    pub async fn config(
        &self,
        after: Option<u64>,
        wait: Duration,
    ) -> Result<StreamedUpdate, ControlError> {
        let url = self.url("/v1/gateway/config");
        let mut req = self
            .http
            .get(url.clone())
            .bearer_auth(secrecy::ExposeSecret::expose_secret(&self.key))
            .timeout(wait + Duration::from_secs(30));
        if let Some(after) = after {
            req = req.query(&[("after", after), ("wait", wait.as_secs())]);
        }
        let unreachable = |source| ControlError::Unreachable {
            url: self.base.to_string(),
            source,
        };
        let mut resp = Self::check(req.send().await.map_err(unreachable)?).await?;
        let (chunks, received) = tokio::sync::mpsc::channel(CONFIG_CHUNKS_IN_FLIGHT);
        let decoder = tokio::task::spawn_blocking(move || {
            // The JSON decoder reads a byte at a time: buffered, that is a
            // copy from a buffer rather than a call into the reader.
            StreamedUpdate::from_reader(std::io::BufReader::with_capacity(
                DECODE_BUFFER,
                ChunkReader {
                    received,
                    current: bytes::Bytes::new(),
                },
            ))
        });
        let mut failed = None;
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if chunks.send(chunk).await.is_err() {
                        break; // the decoder stopped: it says why
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        drop(chunks);
        let decoded = decoder.await;
        if let Some(e) = failed {
            return Err(unreachable(e));
        }
        match decoded {
            Ok(Ok(update)) => Ok(update),
            Ok(Err(e)) => Err(ControlError::BadConfig {
                url: self.base.to_string(),
                message: e.to_string(),
            }),
            Err(e) => Err(ControlError::BadConfig {
                url: self.base.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// Posts a batch of usage events, already serialised as a JSON array,
    /// and returns the server's answer (status and body) for the caller to
    /// classify with the core's ingest contract. Only a failure to get any
    /// answer is an error.
    pub async fn post_usage(
        &self,
        body: bytes::Bytes,
    ) -> Result<(u16, bytes::Bytes), ControlError> {
        let unreachable = |source| ControlError::Unreachable {
            url: self.base.to_string(),
            source,
        };
        let resp = self
            .http
            .post(self.url("/v1/usage/events"))
            .bearer_auth(secrecy::ExposeSecret::expose_secret(&self.key))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(Duration::from_secs(30))
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(unreachable)?;
        Ok((status, body))
    }
}

/// Reads the body chunks the network side hands over, blocking.
struct ChunkReader {
    received: tokio::sync::mpsc::Receiver<bytes::Bytes>,
    current: bytes::Bytes,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.received.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        bytes::Buf::advance(&mut self.current, n);
        Ok(n)
    }
}
