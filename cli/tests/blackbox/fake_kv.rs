//! A fake of the Cloudflare KV REST API (`/client/v4`), as documented, for
//! the KV sync suite: the calls the sync makes, with the v4 envelope and
//! bearer auth, over an in-memory namespace.
//!
//! * `PUT    /accounts/{a}/storage/kv/namespaces/{ns}/bulk`         bulk write
//! * `POST   /accounts/{a}/storage/kv/namespaces/{ns}/bulk/delete`  bulk delete
//! * `GET    /accounts/{a}/storage/kv/namespaces/{ns}/keys`         list (cursor paging)
//! * `GET    /accounts/{a}/storage/kv/namespaces/{ns}/values/{key}` read (raw bytes)
//!
//! Errors use Cloudflare's codes: 10000 authentication, 10013 namespace not
//! found, 10009 key not found, 10001 bad request, 971 rate limited.
//!
//! Cloudflare's rate limit can be enforced (`enforce_rate_limit`: 1,200
//! requests per 5 minutes per API token, then 429 / 971 with
//! `Retry-After`; counted in `rate_limited`).
//!
//! Faults can be injected at a rate: 429 with `Retry-After`, 500, a
//! timeout (the answer comes later than the client waits; half of them
//! after applying the write), and for bulk calls a partial failure
//! (`unsuccessful_keys`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const ACCOUNT: &str = "acc0123456789";
pub const NAMESPACE: &str = "ns0123456789abcdef";

/// One stored key.
#[derive(Debug, Clone)]
pub struct Entry {
    pub value: Vec<u8>,
    pub metadata: Option<Value>,
    pub expiration: Option<i64>,
}

impl Entry {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.value).expect("stored values are JSON")
    }
}

/// What the fake saw and did.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub requests: u64,
    pub bulk_writes: u64,
    pub bulk_deletes: u64,
    pub lists: u64,
    pub reads: u64,
    pub keys_written: u64,
    pub keys_deleted: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub timeouts: u64,
    pub partial: u64,
}

impl Counts {
    pub fn faults(&self) -> u64 {
        self.rate_limited + self.server_errors + self.timeouts + self.partial
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Share of requests that fail, 0.0–1.0.
    pub rate: f64,
    /// How long a "timeout" keeps the client waiting.
    pub hang: Duration,
}

struct Inner {
    token: String,
    store: BTreeMap<String, Entry>,
    faults: Faults,
    counts: Counts,
    rng: rand::rngs::StdRng,
    /// When set, the documented limit: at most `.0` requests in any
    /// window of `.1`; the times of the requests inside the window.
    limit: Option<(usize, Duration)>,
    recent: std::collections::VecDeque<std::time::Instant>,
}

type Shared = Arc<Mutex<Inner>>;

pub struct FakeKv {
    pub base_url: String,
    inner: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn envelope(result: Value, info: Option<Value>) -> Value {
    let mut v = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(info) = info {
        v["result_info"] = info;
    }
    v
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (
        status,
        Json(json!({
            "success": false,
            "errors": [{"code": code, "message": message}],
            "messages": [],
            "result": null,
        })),
    )
        .into_response()
}

enum Fault {
    RateLimited,
    ServerError,
    /// Hang; `true`: apply the request first.
    Timeout(bool),
    Partial,
}

impl FakeKv {
    /// Starts the fake on a 127.0.0.1 port; API token `token`.
    pub fn start(token: &str) -> FakeKv {
        let inner: Shared = Arc::new(Mutex::new(Inner {
            token: token.to_string(),
            store: BTreeMap::new(),
            faults: Faults {
                rate: 0.0,
                hang: Duration::from_secs(3),
            },
            counts: Counts::default(),
            rng: rand::rngs::StdRng::seed_from_u64(7),
            limit: None,
            recent: std::collections::VecDeque::new(),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let ns = "/client/v4/accounts/{account}/storage/kv/namespaces/{namespace}";
        let app = Router::new()
            .route(&format!("{ns}/bulk"), put(bulk_write))
            .route(&format!("{ns}/bulk/delete"), post(bulk_delete))
            .route(&format!("{ns}/keys"), get(list_keys))
            .route(&format!("{ns}/values/{{key}}"), get(read_value))
            .fallback(|| async { error(StatusCode::NOT_FOUND, 7000, "No route for that URI") })
            .with_state(inner.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        FakeKv {
            base_url: format!("http://{addr}/client/v4"),
            inner,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The server environment that points KV sync here.
    pub fn server_env(&self, api_token: &str) -> Vec<(String, String)> {
        [
            ("CF_ACCOUNT_ID", ACCOUNT),
            ("CF_API_TOKEN", api_token),
            ("CF_KV_NAMESPACE_ID", NAMESPACE),
            ("CF_API_BASE_URL", self.base_url.as_str()),
            ("TOKENCTL_KV_TIMEOUT", "2s"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.inner.lock().unwrap().faults = faults;
    }

    /// Enforces Cloudflare's documented API rate limit: 1,200 requests per
    /// 5 minutes; a request over it is refused with 429 (code 971) and a
    /// `Retry-After` of the seconds until the window has room again.
    pub fn enforce_rate_limit(&self) {
        self.inner.lock().unwrap().limit = Some((1200, Duration::from_secs(300)));
    }

    pub fn counts(&self) -> Counts {
        self.inner.lock().unwrap().counts.clone()
    }

    /// Every key that has not expired.
    pub fn snapshot(&self) -> BTreeMap<String, Entry> {
        let now = now_secs();
        self.inner
            .lock()
            .unwrap()
            .store
            .iter()
            .filter(|(_, e)| e.expiration.is_none_or(|x| x > now))
            .map(|(k, e)| (k.clone(), e.clone()))
            .collect()
    }

    /// Writes a key directly, as someone else with access might.
    pub fn put_raw(&self, key: &str, value: &str, metadata: Option<Value>) {
        self.inner.lock().unwrap().store.insert(
            key.to_string(),
            Entry {
                value: value.as_bytes().to_vec(),
                metadata,
                expiration: None,
            },
        );
    }
}

impl Drop for FakeKv {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Deserialize)]
struct NsPath {
    account: String,
    namespace: String,
}

/// Auth, namespace, counting and fault choice: `Err` is the answer.
fn admit(
    inner: &Shared,
    headers: &HeaderMap,
    account: &str,
    namespace: &str,
    bulk: bool,
) -> Result<Option<Fault>, Box<Response>> {
    let mut s = inner.lock().unwrap();
    s.counts.requests += 1;
    let expected = format!("Bearer {}", s.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Err(Box::new(error(
            StatusCode::FORBIDDEN,
            10000,
            "Authentication error",
        )));
    }
    if let Some((most, window)) = s.limit {
        let now = std::time::Instant::now();
        while s
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            s.recent.pop_front();
        }
        if s.recent.len() >= most {
            s.counts.rate_limited += 1;
            let room = window.saturating_sub(now.duration_since(s.recent[0]));
            let mut answer = error(
                StatusCode::TOO_MANY_REQUESTS,
                971,
                "Please wait and consider throttling your request speed",
            );
            answer.headers_mut().insert(
                "retry-after",
                (room.as_secs() + 1).to_string().parse().unwrap(),
            );
            return Err(Box::new(answer));
        }
        s.recent.push_back(now);
    }
    if account != ACCOUNT || namespace != NAMESPACE {
        return Err(Box::new(error(
            StatusCode::NOT_FOUND,
            10013,
            "list keys: 'namespace not found'",
        )));
    }
    let rate = s.faults.rate;
    if rate <= 0.0 || !s.rng.gen_bool(rate.min(1.0)) {
        return Ok(None);
    }
    let pick = s.rng.gen_range(0..if bulk { 4 } else { 3 });
    Ok(Some(match pick {
        0 => {
            s.counts.rate_limited += 1;
            Fault::RateLimited
        }
        1 => {
            s.counts.server_errors += 1;
            Fault::ServerError
        }
        2 => {
            s.counts.timeouts += 1;
            Fault::Timeout(s.rng.gen_bool(0.5))
        }
        _ => {
            s.counts.partial += 1;
            Fault::Partial
        }
    }))
}

fn hang(inner: &Shared) -> Duration {
    inner.lock().unwrap().faults.hang
}

async fn fail(inner: &Shared, fault: &Fault) -> Option<Response> {
    match fault {
        Fault::RateLimited => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                971,
                "Please wait and consider throttling your request speed",
            );
            r.headers_mut().insert("retry-after", "1".parse().unwrap());
            Some(r)
        }
        Fault::ServerError => Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            10001,
            "internal error",
        )),
        Fault::Timeout(false) => {
            tokio::time::sleep(hang(inner)).await;
            Some(error(StatusCode::GATEWAY_TIMEOUT, 10001, "timeout"))
        }
        Fault::Timeout(true) | Fault::Partial => None,
    }
}

#[derive(Deserialize)]
struct WriteItem {
    key: String,
    value: String,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    expiration: Option<i64>,
    #[serde(default)]
    expiration_ttl: Option<i64>,
    #[serde(default)]
    base64: bool,
}

fn bad_key(key: &str) -> bool {
    key.is_empty() || key.len() > 512 || key == "." || key == ".."
}

async fn bulk_write(
    State(inner): State<Shared>,
    Path(p): Path<NsPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = match admit(&inner, &headers, &p.account, &p.namespace, true) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if let Some(r) = match &fault {
        Some(f) => fail(&inner, f).await,
        None => None,
    } {
        return r;
    }
    let Ok(items) = serde_json::from_slice::<Vec<WriteItem>>(&body) else {
        return error(StatusCode::BAD_REQUEST, 10001, "invalid request body");
    };
    if items.len() > 10_000 || body.len() > 100 << 20 {
        return error(StatusCode::PAYLOAD_TOO_LARGE, 10001, "too many keys");
    }
    let now = now_secs();
    for item in &items {
        if bad_key(&item.key) {
            return error(StatusCode::BAD_REQUEST, 10001, "invalid key name");
        }
        if item.expiration.is_some_and(|e| e < now + 60)
            || item.expiration_ttl.is_some_and(|t| t < 60)
        {
            return error(
                StatusCode::BAD_REQUEST,
                10001,
                "expiration must be at least 60 seconds in the future",
            );
        }
        if item
            .metadata
            .as_ref()
            .is_some_and(|m| m.to_string().len() > 1024)
        {
            return error(StatusCode::BAD_REQUEST, 10001, "metadata too large");
        }
        if item.base64 {
            return error(
                StatusCode::BAD_REQUEST,
                10001,
                "base64 not used by tokenctl",
            );
        }
    }
    let mut unsuccessful = vec![];
    let total = items.len();
    {
        let mut s = inner.lock().unwrap();
        s.counts.bulk_writes += 1;
        let partial = matches!(fault, Some(Fault::Partial));
        for item in items {
            if partial && s.rng.gen_bool(0.3) {
                unsuccessful.push(item.key);
                continue;
            }
            let expiration = item.expiration_ttl.map(|t| now + t).or(item.expiration);
            s.counts.keys_written += 1;
            s.store.insert(
                item.key,
                Entry {
                    value: item.value.into_bytes(),
                    metadata: item.metadata,
                    expiration,
                },
            );
        }
    }
    if matches!(fault, Some(Fault::Timeout(true))) {
        tokio::time::sleep(hang(&inner)).await;
    }
    let ok = total - unsuccessful.len();
    Json(envelope(
        json!({"successful_key_count": ok, "unsuccessful_keys": unsuccessful}),
        None,
    ))
    .into_response()
}

async fn bulk_delete(
    State(inner): State<Shared>,
    Path(p): Path<NsPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = match admit(&inner, &headers, &p.account, &p.namespace, true) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if let Some(r) = match &fault {
        Some(f) => fail(&inner, f).await,
        None => None,
    } {
        return r;
    }
    let Ok(keys) = serde_json::from_slice::<Vec<String>>(&body) else {
        return error(StatusCode::BAD_REQUEST, 10001, "invalid request body");
    };
    if keys.len() > 10_000 {
        return error(StatusCode::PAYLOAD_TOO_LARGE, 10001, "too many keys");
    }
    let mut unsuccessful = vec![];
    let total = keys.len();
    {
        let mut s = inner.lock().unwrap();
        s.counts.bulk_deletes += 1;
        let partial = matches!(fault, Some(Fault::Partial));
        for key in keys {
            if partial && s.rng.gen_bool(0.3) {
                unsuccessful.push(key);
                continue;
            }
            if s.store.remove(&key).is_some() {
                s.counts.keys_deleted += 1;
            }
        }
    }
    if matches!(fault, Some(Fault::Timeout(true))) {
        tokio::time::sleep(hang(&inner)).await;
    }
    let ok = total - unsuccessful.len();
    Json(envelope(
        json!({"successful_key_count": ok, "unsuccessful_keys": unsuccessful}),
        None,
    ))
    .into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    prefix: Option<String>,
}

async fn list_keys(
    State(inner): State<Shared>,
    Path(p): Path<NsPath>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let fault = match admit(&inner, &headers, &p.account, &p.namespace, false) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if let Some(r) = match &fault {
        Some(f) => fail(&inner, f).await,
        None => None,
    } {
        return r;
    }
    let limit = q.limit.unwrap_or(1000);
    if !(10..=1000).contains(&limit) {
        return error(StatusCode::BAD_REQUEST, 10001, "limit must be 10-1000");
    }
    // The cursor is opaque to clients: here, hex of the last key returned.
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match hex::decode(c).ok().and_then(|b| String::from_utf8(b).ok()) {
            Some(k) => Some(k),
            None => return error(StatusCode::BAD_REQUEST, 10001, "invalid cursor"),
        },
    };
    let now = now_secs();
    let mut s = inner.lock().unwrap();
    s.counts.lists += 1;
    let prefix = q.prefix.unwrap_or_default();
    let mut page: Vec<Value> = vec![];
    let mut last = None;
    let mut more = false;
    for (k, e) in s.store.iter() {
        if after.as_ref().is_some_and(|a| k <= a)
            || !k.starts_with(&prefix)
            || e.expiration.is_some_and(|x| x <= now)
        {
            continue;
        }
        if page.len() == limit {
            more = true;
            break;
        }
        let mut item = json!({"name": k});
        if let Some(x) = e.expiration {
            item["expiration"] = json!(x);
        }
        if let Some(m) = &e.metadata {
            item["metadata"] = m.clone();
        }
        page.push(item);
        last = Some(k.clone());
    }
    let cursor = if more {
        hex::encode(last.unwrap_or_default())
    } else {
        String::new()
    };
    let count = page.len();
    Json(envelope(
        Value::Array(page),
        Some(json!({"count": count, "cursor": cursor})),
    ))
    .into_response()
}

async fn read_value(
    State(inner): State<Shared>,
    Path((account, namespace, key)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let fault = match admit(&inner, &headers, &account, &namespace, false) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if let Some(r) = match &fault {
        Some(f) => fail(&inner, f).await,
        None => None,
    } {
        return r;
    }
    let entry = {
        let mut s = inner.lock().unwrap();
        s.counts.reads += 1;
        s.store.get(&key).cloned()
    };
    if matches!(fault, Some(Fault::Timeout(true))) {
        tokio::time::sleep(hang(&inner)).await;
    }
    match entry.filter(|e| e.expiration.is_none_or(|x| x > now_secs())) {
        None => error(StatusCode::NOT_FOUND, 10009, "get: 'key not found'"),
        Some(e) => {
            let mut r = (StatusCode::OK, e.value).into_response();
            if let Some(x) = e.expiration {
                r.headers_mut()
                    .insert("expiration", x.to_string().parse().unwrap());
            }
            r
        }
    }
}
