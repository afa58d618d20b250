//! A thin client of the Cloudflare KV REST API (`/client/v4`): the four
//! calls the sync makes, the v4 envelope, and what each failure means.
//! One method = one HTTP request; retries, the rate budget and the lease
//! are the caller's business (`super::calls`).

use super::KvConfig;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Most keys one bulk write or delete carries. Cloudflare accepts 10,000,
/// but wrangler lowered its own batches to 1,000 after larger ones timed out.
pub const BULK_MAX: usize = 1_000;

/// Used when a 429 carries no `Retry-After`: Cloudflare blocks every call
/// of the token for five minutes once its budget is exceeded.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Why a call failed, and so what to do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KvError {
    /// HTTP 429 / code 971: stop all calls until `retry_after` has passed.
    #[error("rate limited by Cloudflare (retry after {}s)", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// No connection (DNS, refused, TLS).
    #[error("cannot reach Cloudflare: {0}")]
    Unreachable(String),
    /// Timeouts, 5xx, 524, unreadable answers: retry with backoff.
    #[error("{0}")]
    Transient(String),
    /// Authentication, permission, unknown namespace, a refused request:
    /// retrying the same call cannot help.
    #[error("{0}")]
    Fatal(String),
}

impl KvError {
    /// The stored kind of [`KvError::RateLimited`]: the word the gateways
    /// use for the same thing.
    pub const RATE_LIMITED: &'static str = tokenctl_gateway::code::RATE_LIMITED;

    /// `rate_limited`, `unreachable`, `transient` or `fatal`, as stored in
    /// the sync state.
    pub fn kind(&self) -> &'static str {
        match self {
            KvError::RateLimited { .. } => Self::RATE_LIMITED,
            KvError::Unreachable(_) => "unreachable",
            KvError::Transient(_) => "transient",
            KvError::Fatal(_) => "fatal",
        }
    }
}

/// One pair of a bulk write, as the API takes it.
#[derive(Debug, Clone, Serialize)]
pub struct BulkItem {
    pub key: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<i64>,
}

/// One key of a listing.
#[derive(Debug, Clone, Deserialize)]
pub struct ListedKey {
    pub name: String,
    #[serde(default)]
    pub expiration: Option<i64>,
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<ApiMessage>,
    result: Option<T>,
    #[serde(default)]
    result_info: Option<ResultInfo>,
}

#[derive(Debug, Deserialize)]
struct ApiMessage {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct ResultInfo {
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct BulkResult {
    #[serde(default)]
    unsuccessful_keys: Vec<String>,
}

/// What this process did against Cloudflare since it started.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
    pub failures: AtomicU64,
    pub keys_written: AtomicU64,
    pub keys_deleted: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A token bucket over all calls to Cloudflare, plus the "blocked until"
/// a 429 imposes. Cloudflare allows 1,200 requests per 5 minutes per API
/// token for *all* API use; with a burst of `capacity` and `rate` per second
/// no 5-minute window sees more than `capacity + 300 × rate` requests.
pub struct Budget {
    capacity: f64,
    rate: f64,
    state: Mutex<BudgetState>,
}

struct BudgetState {
    tokens: f64,
    refilled: Instant,
    blocked_until: Option<Instant>,
}

impl Budget {
    /// The default leaves 200 of the 1,200 for deploys and other API use:
    /// 100 + 300 × 3 = 1,000 requests per 5 minutes at most.
    pub fn cloudflare_default() -> Budget {
        Budget::new(100.0, 3.0)
    }

    pub fn new(capacity: f64, rate: f64) -> Budget {
        Budget {
            capacity,
            rate,
            state: Mutex::new(BudgetState {
                tokens: capacity,
                refilled: Instant::now(),
                blocked_until: None,
            }),
        }
    }

    /// Waits until a request may go out, and takes its token.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                let elapsed = now.duration_since(s.refilled).as_secs_f64();
                s.tokens = (s.tokens + elapsed * self.rate).min(self.capacity);
                s.refilled = now;
                match s.blocked_until {
                    Some(until) if until > now => until - now,
                    _ if s.tokens >= 1.0 => {
                        s.tokens -= 1.0;
                        return;
                    }
                    _ => Duration::from_secs_f64((1.0 - s.tokens) / self.rate),
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// After a 429: no request at all before `d` has passed.
    pub async fn block_for(&self, d: Duration) {
        let mut s = self.state.lock().await;
        let until = Instant::now() + d;
        s.blocked_until = Some(s.blocked_until.map_or(until, |u| u.max(until)));
    }

    /// When calls may go out again, if a 429 blocked them.
    pub async fn blocked_for(&self) -> Option<Duration> {
        let s = self.state.lock().await;
        s.blocked_until
            .and_then(|u| u.checked_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }
}

/// The KV namespace's endpoints.
pub struct KvClient {
    http: reqwest::Client,
    /// `{base}/accounts/{account}/storage/kv/namespaces/{namespace}`
    namespace_url: url::Url,
    api_token: secrecy::SecretString,
    pub counters: Counters,
}

impl KvClient {
    pub fn new(config: &KvConfig) -> anyhow::Result<KvClient> {
        let mut namespace_url = url::Url::parse(config.base_url.trim_end_matches('/'))
            .map_err(|e| anyhow::anyhow!("CF_API_BASE_URL is not a URL: {e}"))?;
        namespace_url
            .path_segments_mut()
            .map_err(|()| anyhow::anyhow!("CF_API_BASE_URL cannot be a base URL"))?
            .pop_if_empty()
            .extend([
                "accounts",
                &config.account_id,
                "storage",
                "kv",
                "namespaces",
                &config.namespace_id,
            ]);
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("tokenctl/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(KvClient {
            http,
            namespace_url,
            api_token: config.api_token.clone(),
            counters: Counters::default(),
        })
    }

    fn url(&self, segments: &[&str]) -> url::Url {
        let mut url = self.namespace_url.clone();
        url.path_segments_mut()
            .expect("checked in new")
            .extend(segments);
        url
    }

    async fn send(&self, op: &str, req: reqwest::RequestBuilder) -> Result<Answer, KvError> {
        Counters::add(&self.counters.requests, 1);
        let resp = req
            .bearer_auth(secrecy::ExposeSecret::expose_secret(&self.api_token))
            .send()
            .await
            .map_err(|e| network_error(op, &e))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = resp
            .bytes()
            .await
            .map_err(|e| network_error(op, &e))?
            .to_vec();
        Ok(Answer {
            status: status.as_u16(),
            retry_after,
            body,
        })
    }

    /// Writes up to [`BULK_MAX`] pairs; returns the keys Cloudflare did not
    /// write (to be retried).
    pub async fn bulk_put(&self, items: &[BulkItem]) -> Result<Vec<String>, KvError> {
        let req = self.http.put(self.url(&["bulk"])).json(items);
        let answer = self.send("bulk write", req).await?;
        let result: Option<BulkResult> = answer.envelope("bulk write")?;
        Ok(result.unwrap_or_default().unsuccessful_keys)
    }

    /// Deletes up to [`BULK_MAX`] keys (`POST …/bulk/delete`); returns the
    /// keys Cloudflare did not delete. Deleting a missing key succeeds.
    pub async fn bulk_delete(&self, keys: &[String]) -> Result<Vec<String>, KvError> {
        let req = self.http.post(self.url(&["bulk", "delete"])).json(keys);
        let answer = self.send("bulk delete", req).await?;
        let result: Option<BulkResult> = answer.envelope("bulk delete")?;
        Ok(result.unwrap_or_default().unsuccessful_keys)
    }

    /// One page of keys (up to 1,000) and the cursor of the next, if any.
    pub async fn list_page(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<ListedKey>, Option<String>), KvError> {
        let mut url = self.url(&["keys"]);
        url.query_pairs_mut().append_pair("limit", "1000");
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let answer = self.send("list keys", self.http.get(url)).await?;
        let (keys, info) = answer.envelope_with_info::<Vec<ListedKey>>("list keys")?;
        let next = info
            .and_then(|i| i.cursor)
            .filter(|c| !c.is_empty())
            .filter(|_| keys.as_ref().is_some_and(|k| !k.is_empty()));
        Ok((keys.unwrap_or_default(), next))
    }

    /// A value's raw bytes; `None` when the key does not exist.
    pub async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        let answer = self
            .send("read value", self.http.get(self.url(&["values", key])))
            .await?;
        if (200..300).contains(&answer.status) {
            return Ok(Some(answer.body));
        }
        if answer.status == 404 {
            let codes = answer.error_codes();
            // 10009 = key not found; anything else (10013: no such
            // namespace) is a real error.
            if codes.is_empty() || codes.contains(&10009) {
                return Ok(None);
            }
        }
        Err(answer.error("read value"))
    }
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Answer {
    fn error_codes(&self) -> Vec<i64> {
        serde_json::from_slice::<Envelope<serde_json::Value>>(&self.body)
            .map(|e| e.errors.iter().map(|m| m.code).collect())
            .unwrap_or_default()
    }

    fn envelope<T: serde::de::DeserializeOwned>(&self, op: &str) -> Result<Option<T>, KvError> {
        self.envelope_with_info(op).map(|(r, _)| r)
    }

    fn envelope_with_info<T: serde::de::DeserializeOwned>(
        &self,
        op: &str,
    ) -> Result<(Option<T>, Option<ResultInfo>), KvError> {
        if !(200..300).contains(&self.status) {
            return Err(self.error(op));
        }
        let envelope: Envelope<T> = serde_json::from_slice(&self.body).map_err(|e| {
            KvError::Transient(format!(
                "{op}: Cloudflare's answer is not the expected JSON ({e})"
            ))
        })?;
        if !envelope.success {
            return Err(self.error(op));
        }
        Ok((envelope.result, envelope.result_info))
    }

    fn error(&self, op: &str) -> KvError {
        let envelope = serde_json::from_slice::<Envelope<serde_json::Value>>(&self.body).ok();
        let errors = envelope
            .as_ref()
            .map(|e| {
                e.errors
                    .iter()
                    .map(|m| format!("code {} {}", m.code, m.message.trim()))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "no error details".into());
        let codes: Vec<i64> = envelope
            .map(|e| e.errors.iter().map(|m| m.code).collect())
            .unwrap_or_default();
        let message = format!("{op}: Cloudflare answered HTTP {} ({errors})", self.status);
        if self.status == 429 || codes.contains(&971) {
            return KvError::RateLimited {
                retry_after: self.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            };
        }
        match self.status {
            500..=599 | 408 => KvError::Transient(message),
            400..=499 => KvError::Fatal(message),
            // A 2xx with `success: false`, or something unexpected.
            _ => KvError::Transient(message),
        }
    }
}

fn network_error(op: &str, e: &reqwest::Error) -> KvError {
    if e.is_timeout() {
        KvError::Transient(format!("{op}: no answer from Cloudflare in time"))
    } else if e.is_connect() {
        KvError::Unreachable(format!("{op}: connection failed"))
    } else {
        KvError::Transient(format!("{op}: {}", without_url(e)))
    }
}

/// reqwest errors name the URL; ours holds only ids, but keep messages short.
fn without_url(e: &reqwest::Error) -> String {
    let mut e = e.to_string();
    if let Some(i) = e.find(" for url (") {
        e.truncate(i);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str, retry_after: Option<u64>) -> Answer {
        Answer {
            status,
            retry_after: retry_after.map(Duration::from_secs),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn classifies_failures() {
        let limited = answer(
            429,
            r#"{"success":false,"errors":[{"code":971,"message":"Please wait"}],"result":null}"#,
            Some(7),
        )
        .error("x");
        assert!(
            matches!(limited, KvError::RateLimited { retry_after } if retry_after.as_secs() == 7)
        );
        assert!(matches!(
            answer(429, "", None).error("x"),
            KvError::RateLimited { retry_after } if retry_after == DEFAULT_RETRY_AFTER
        ));
        let auth = answer(
            403,
            r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#,
            None,
        )
        .error("bulk write");
        assert!(matches!(&auth, KvError::Fatal(m) if m.contains("10000") && m.contains("403")));
        assert_eq!(auth.kind(), "fatal");
        assert!(matches!(
            answer(502, "<html>", None).error("x"),
            KvError::Transient(_)
        ));
        assert!(matches!(
            answer(524, "", None).error("x"),
            KvError::Transient(_)
        ));
    }

    #[test]
    fn reads_envelopes() {
        let ok = answer(
            200,
            r#"{"success":true,"errors":[],"messages":[],"result":{"successful_key_count":2,"unsuccessful_keys":["b"]}}"#,
            None,
        );
        let r: Option<BulkResult> = ok.envelope("x").unwrap();
        assert_eq!(r.unwrap().unsuccessful_keys, ["b"]);
        let old_api = answer(200, r#"{"success":true,"errors":[],"result":null}"#, None);
        assert!(old_api.envelope::<BulkResult>("x").unwrap().is_none());
        let refused = answer(
            200,
            r#"{"success":false,"errors":[{"code":10001,"message":"bad"}],"result":null}"#,
            None,
        );
        assert!(refused.envelope::<BulkResult>("x").is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn budget_limits_and_blocks() {
        let budget = Budget::new(2.0, 1.0);
        let start = Instant::now();
        budget.acquire().await;
        budget.acquire().await;
        assert!(start.elapsed() < Duration::from_millis(10), "burst");
        budget.acquire().await;
        assert!(
            start.elapsed() >= Duration::from_millis(990),
            "then the rate"
        );
        budget.block_for(Duration::from_secs(30)).await;
        assert!(budget.blocked_for().await.is_some());
        let blocked = Instant::now();
        budget.acquire().await;
        assert!(blocked.elapsed() >= Duration::from_secs(30), "a 429 blocks");
    }
}
