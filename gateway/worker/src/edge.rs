//! The Workers runtime glue: the `fetch` handler (the gateway), the
//! `queue` handler (usage to the control plane) and the per-isolate state.
//!
//! # Per-isolate caches
//!
//! | what | kept for | KV read with `cacheTtl` |
//! |---|---|---|
//! | a token (or its absence) by secret hash | `TOKEN_CACHE_SECS`, default 5 s | `KV_CACHE_TTL_SECS`, default 60 s |
//! | routes + opened secrets (+ `meta`) | `CONFIG_CACHE_SECS`, default 30 s | same |
//!
//! so a hot token costs no KV read, and a change reaches a request at most
//! KV propagation (≤ 60 s) + `cacheTtl` + the isolate TTL after the control
//! plane wrote it. Rate-limit state is per isolate too.
//!
//! Nothing in this state is held across an `.await` while borrowed: the
//! runtime interleaves the requests of one isolate at await points.

use crate::cache::TtlCache;
use crate::plain::{
    authority, batch_body, client_ip, event_id, ingest_url, scheme, secs_var, server_timing,
    split_url, HEALTH_PATH,
};
use chrono::{DateTime, Utc};
use futures_util::future::{self, Either};
use js_sys::{Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use tokenctl_gateway::headers::{
    client_headers_to_drop, client_ip_text, forwarded_headers, rewrite_location, HopByHop,
};
use tokenctl_gateway::kv::{
    open_secrets, routes_gateway, token_key, EdgeKey, MetaValue, RoutesValue, SecretsValue,
    TokenValue, META_KEY, ROUTES_KEY, SECRETS_KEY,
};
use tokenctl_gateway::usage::{DenialAggregator, IngestAnswer};
use tokenctl_gateway::{
    Allowed, Denied, Gateway, PresentedToken, RateLimiter, RequestInfo, TokenEntry, UsageEvent,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{console_error, console_warn, event, Context, Delay, Env, MessageBatch, MessageExt};

/// KV namespace with the control plane's `tok:*`, `routes`, `secrets`, `meta`.
const KV_BINDING: &str = "TOKENCTL_KV";
/// Queue producer for usage events (optional: without it, direct POSTs).
const QUEUE_BINDING: &str = "USAGE";
/// Queue producer for events the server refused (optional: without it,
/// they are logged).
const DEAD_LETTER_BINDING: &str = "USAGE_DEAD_LETTER";

const DEFAULT_TOKEN_CACHE_SECS: u64 = 5;
const DEFAULT_CONFIG_CACHE_SECS: u64 = 30;
/// KV's minimum `cacheTtl`.
const DEFAULT_KV_CACHE_TTL_SECS: u64 = 60;
/// Tokens remembered per isolate (a few hundred bytes each).
const TOKEN_CACHE_CAPACITY: usize = 10_000;

/// Without a Queue: events are posted from memory this long after the
/// first one of a batch, at most this many per call, and at most this many
/// wait (the oldest are dropped, with a log line, beyond that).
const DIRECT_FLUSH_AFTER: Duration = Duration::from_secs(1);
const DIRECT_BATCH: usize = 1000;
const DIRECT_BUFFER: usize = 10_000;
/// Ingest calls give up after this long.
const INGEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests refused without a valid token are counted per client address,
/// reason and window of this length (shorter than the native gateway's
/// minute: an isolate may be evicted at any time, taking its counts along),
/// for at most this many addresses per isolate.
const DENIAL_WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(10);
const DENIAL_ADDRESSES: usize = 1_000;

const DIRECT_NOTE: &str = "no USAGE queue binding: usage events are posted to the server \
    directly, in batches from isolate memory; events still buffered when an isolate is \
    evicted are lost. Bind a Queue for at-least-once delivery.";

// ---------------------------------------------------------------------------
// Settings and state

struct Settings {
    server_url: Option<String>,
    gateway_key: Option<String>,
    edge_key: Result<EdgeKey, String>,
    token_ttl_secs: u64,
    config_ttl_secs: u64,
    kv_cache_ttl_secs: u64,
}

/// A string binding: a secret (`wrangler secret put`) or a `[vars]` value.
fn string_binding(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|v| !v.trim().is_empty())
}

impl Settings {
    fn from_env(env: &Env) -> Settings {
        let edge_key = match string_binding(env, "TOKENCTL_EDGE_KEY") {
            Some(k) => EdgeKey::parse(&k).map_err(|e| e.to_string()),
            None => Err("TOKENCTL_EDGE_KEY is not set".to_string()),
        };
        Settings {
            server_url: string_binding(env, "SERVER_URL"),
            gateway_key: string_binding(env, "TOKENCTL_GATEWAY_KEY").map(|k| k.trim().to_string()),
            edge_key,
            token_ttl_secs: secs_var(
                string_binding(env, "TOKEN_CACHE_SECS"),
                DEFAULT_TOKEN_CACHE_SECS,
            ),
            config_ttl_secs: secs_var(
                string_binding(env, "CONFIG_CACHE_SECS"),
                DEFAULT_CONFIG_CACHE_SECS,
            ),
            // KV refuses a smaller cacheTtl.
            kv_cache_ttl_secs: secs_var(
                string_binding(env, "KV_CACHE_TTL_SECS"),
                DEFAULT_KV_CACHE_TTL_SECS,
            )
            .max(DEFAULT_KV_CACHE_TTL_SECS),
        }
    }
}

/// Routes and opened secrets, indexed by the core.
struct Config {
    gateway: Gateway,
    routes_raw: String,
    secrets_raw: Option<String>,
    secrets_version: Option<u64>,
    secrets: usize,
    problems: Vec<String>,
}

struct State {
    settings: Rc<Settings>,
    config: Option<Rc<Config>>,
    config_checked_ms: f64,
    config_error: Option<String>,
    meta: Option<MetaValue>,
    tokens: TtlCache<[u8; 32], Option<Rc<TokenEntry>>>,
    limiter: RateLimiter,
    direct: Vec<String>,
    direct_flushing: bool,
    direct_error: Option<String>,
    direct_dropped: u64,
    denials: DenialAggregator,
    denials_flushing: bool,
    dead_lettered: u64,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Runs `f` on the isolate's state (created on first use from `env`).
fn with_state<R>(env: &Env, f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let state = slot.get_or_insert_with(|| {
            let settings = Settings::from_env(env);
            if let Err(e) = &settings.edge_key {
                console_error!("tokenctl worker: {e}; routes with upstream credentials will fail");
            }
            State {
                tokens: TtlCache::new(
                    settings.token_ttl_secs as f64 * 1000.0,
                    TOKEN_CACHE_CAPACITY,
                ),
                settings: Rc::new(settings),
                config: None,
                config_checked_ms: f64::NEG_INFINITY,
                config_error: None,
                meta: None,
                limiter: RateLimiter::new(),
                direct: Vec::new(),
                direct_flushing: false,
                direct_error: None,
                direct_dropped: 0,
                denials: DenialAggregator::new(DENIAL_WINDOW, DENIAL_ADDRESSES),
                denials_flushing: false,
                dead_lettered: 0,
            }
        });
        f(state)
    })
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn datetime(ms: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// The message of a JavaScript error (or whatever was thrown).
fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

fn random10() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let filled = global
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .is_ok();
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

// ---------------------------------------------------------------------------
// KV reads

fn kv_error(e: impl std::fmt::Display) -> String {
    format!("KV ({KV_BINDING}): {e}")
}

/// The current routes and secrets: from the isolate cache while younger
/// than the config TTL, else from KV. `Ok(None)`: KV holds no `routes`
/// (never synced). A failed refresh keeps serving the last config.
async fn current_config(env: &Env) -> Result<Option<Rc<Config>>, String> {
    let now = now_ms();
    let (settings, cached, checked) = with_state(env, |s| {
        (s.settings.clone(), s.config.clone(), s.config_checked_ms)
    });
    if cached.is_some() && now - checked < settings.config_ttl_secs as f64 * 1000.0 {
        return Ok(cached);
    }
    match load_config(env, &settings, cached.as_ref(), now).await {
        Ok((config, meta)) => {
            with_state(env, |s| {
                s.config = config.clone();
                s.config_checked_ms = now;
                s.config_error = None;
                s.meta = meta;
            });
            Ok(config)
        }
        Err(e) => {
            console_error!("tokenctl worker: cannot refresh the configuration: {e}");
            with_state(env, |s| s.config_error = Some(e.clone()));
            match cached {
                Some(c) => Ok(Some(c)),
                None => Err(e),
            }
        }
    }
}

async fn load_config(
    env: &Env,
    settings: &Settings,
    cached: Option<&Rc<Config>>,
    now: f64,
) -> Result<(Option<Rc<Config>>, Option<MetaValue>), String> {
    let kv = env.kv(KV_BINDING).map_err(kv_error)?;
    let ttl = settings.kv_cache_ttl_secs;
    let (routes, secrets, meta) = future::join3(
        kv.get(ROUTES_KEY).cache_ttl(ttl).text(),
        kv.get(SECRETS_KEY).cache_ttl(ttl).text(),
        kv.get(META_KEY).cache_ttl(ttl).text(),
    )
    .await;
    let (routes, secrets) = (routes.map_err(kv_error)?, secrets.map_err(kv_error)?);
    let meta = meta
        .ok()
        .flatten()
        .and_then(|m| serde_json::from_str::<MetaValue>(&m).ok());
    let Some(routes_raw) = routes else {
        return Ok((None, meta));
    };
    if let Some(c) = cached {
        if c.routes_raw == routes_raw && c.secrets_raw == secrets {
            return Ok((Some(c.clone()), meta));
        }
    }
    let routes: RoutesValue = serde_json::from_str(&routes_raw)
        .map_err(|e| format!("the `{ROUTES_KEY}` value is unreadable: {e}"))?;
    let mut problems = Vec::new();
    let (opened, secret_hosts, secrets_version) = match &secrets {
        None => (Default::default(), Default::default(), None),
        Some(raw) => match serde_json::from_str::<SecretsValue>(raw) {
            Ok(value) => {
                let (opened, mut p) = open_secrets(&value, settings.edge_key.as_ref().ok());
                if let Err(e) = &settings.edge_key {
                    p.retain(|m| !m.starts_with("TOKENCTL_EDGE_KEY"));
                    p.insert(0, format!("{e}: upstream secrets cannot be opened"));
                }
                problems.extend(p);
                (opened, value.hosts, Some(value.v))
            }
            Err(e) => {
                problems.push(format!("the `{SECRETS_KEY}` value is unreadable: {e}"));
                (Default::default(), Default::default(), None)
            }
        },
    };
    let count = opened.0.len();
    let gateway = routes_gateway(&routes, opened, secret_hosts, datetime(now));
    problems.extend(gateway.warnings().iter().map(|w| w.to_string()));
    for p in &problems {
        console_warn!("tokenctl worker: {p}");
    }
    let config = Config {
        gateway,
        routes_raw,
        secrets_raw: secrets,
        secrets_version,
        secrets: count,
        problems,
    };
    Ok((Some(Rc::new(config)), meta))
}

/// What KV holds for the presented token: from the isolate cache while
/// younger than the token TTL (absence is cached too), else from KV.
async fn lookup_token(
    env: &Env,
    presented: &PresentedToken,
) -> Result<Option<Rc<TokenEntry>>, String> {
    let now = now_ms();
    let (settings, hit) = with_state(env, |s| {
        (s.settings.clone(), s.tokens.get(presented.hash(), now))
    });
    if let Some(hit) = hit {
        return Ok(hit);
    }
    let kv = env.kv(KV_BINDING).map_err(kv_error)?;
    let text = kv
        .get(&token_key(&presented.hash_hex()))
        .cache_ttl(settings.kv_cache_ttl_secs)
        .text()
        .await
        .map_err(kv_error)?;
    let entry = text.and_then(|t| match serde_json::from_str::<TokenValue>(&t) {
        Ok(v) => Some(Rc::new(v.token)),
        Err(e) => {
            console_error!(
                "tokenctl worker: unreadable token value in KV ({e}); treated as unknown"
            );
            None
        }
    });
    with_state(env, |s| {
        s.tokens.insert(*presented.hash(), entry.clone(), now)
    });
    Ok(entry)
}

// ---------------------------------------------------------------------------
// Responses

fn json_response(
    status: u16,
    body: &str,
    extra: &[(&str, &str)],
) -> Result<web_sys::Response, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("content-type", "application/json")?;
    for (name, value) in extra {
        headers.set(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_headers(&headers);
    web_sys::Response::new_with_opt_str_and_init(Some(body), &init)
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

/// An error the gateway answers after a request was allowed.
struct Failure {
    status: u16,
    code: &'static str,
    message: &'static str,
}

const UPSTREAM_TIMEOUT: Failure = Failure {
    status: 504,
    code: "upstream_timeout",
    message: "the upstream did not answer in time",
};
const UPSTREAM_UNREACHABLE: Failure = Failure {
    status: 502,
    code: "upstream_unreachable",
    message: "the upstream could not be reached",
};

fn not_ready(message: &str) -> Result<web_sys::Response, JsValue> {
    json_response(503, &error_body("gateway_not_ready", message), &[])
}

// ---------------------------------------------------------------------------
// The gateway

/// What every usage event of one request shares.
struct Facts {
    started: f64,
    at: DateTime<Utc>,
    method: String,
    /// The client address as reported upstream and in usage events.
    client_ip_text: Option<String>,
    user_agent: Option<String>,
    request_length: Option<u64>,
}

impl Facts {
    fn event(
        &self,
        status: u16,
        token: Option<uuid::Uuid>,
        route: Option<uuid::Uuid>,
        error: Option<&str>,
    ) -> UsageEvent {
        UsageEvent {
            id: event_id(self.started, &random10()),
            token_id: token,
            route_id: route,
            method: self.method.clone(),
            status,
            latency_ms: 0.0,
            upstream_latency_ms: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: self.client_ip_text.clone(),
            // Cut (with the rest) by the core's `normalise` when recorded.
            user_agent: self.user_agent.clone(),
            error_code: error.map(str::to_string),
            at: self.at,
            count: 1,
        }
    }
}

fn header(headers: &web_sys::Headers, name: &str) -> Option<String> {
    headers.get(name).ok().flatten()
}

fn header_entries(headers: &web_sys::Headers) -> Vec<(String, String)> {
    worker::Headers(headers.clone()).entries().collect()
}

#[event(fetch)]
pub async fn fetch(
    req: web_sys::Request,
    env: Env,
    ctx: Context,
) -> worker::Result<web_sys::Response> {
    let started = now_ms();
    let url = req.url();
    let (path, query) = split_url(&url);
    if path == HEALTH_PATH {
        return Ok(health(&env).await?);
    }
    let headers = req.headers();
    let api_key = header(&headers, "x-api-key");
    let authorization = header(&headers, "authorization");
    let ip = client_ip(header(&headers, "cf-connecting-ip").as_deref());
    let facts = Facts {
        started,
        at: datetime(started),
        method: req.method(),
        client_ip_text: ip.map(client_ip_text),
        user_agent: header(&headers, "user-agent"),
        request_length: header(&headers, "content-length").and_then(|v| v.trim().parse().ok()),
    };
    let info = RequestInfo {
        method: &facts.method,
        raw_path: path,
        query,
        api_key_header: api_key.as_deref(),
        authorization_header: authorization.as_deref(),
        client_ip: ip,
    };

    // Checks 1–2 need no lookup; the token and the config load together.
    let presented = PresentedToken::from_request(&info);
    let token = async {
        match &presented {
            Ok(p) => lookup_token(&env, p).await.map(Some),
            Err(_) => Ok(None),
        }
    };
    let (config, token) = future::join(current_config(&env), token).await;
    let config = match config {
        Ok(Some(c)) => c,
        Ok(None) => return Ok(not_ready("the gateway has no configuration yet")?),
        Err(_) => return Ok(not_ready("the gateway cannot read its configuration")?),
    };
    let decision = match (presented, token) {
        (Err(denied), _) => Err(denied),
        (Ok(_), Err(_)) => return Ok(not_ready("the gateway cannot read its configuration")?),
        (Ok(p), Ok(entry)) => with_state(&env, |s| {
            config.gateway.authorize_token(
                &mut s.limiter,
                &info,
                facts.at,
                &p,
                entry.flatten().as_deref(),
            )
        }),
    };
    let verify = now_ms() - started;
    match decision {
        Err(denied) => Ok(deny(&env, &ctx, &facts, &denied, verify)?),
        Ok(allowed) => Ok(forward(req, &env, &ctx, facts, &config, allowed, verify, &url).await?),
    }
}

fn deny(
    env: &Env,
    ctx: &Context,
    facts: &Facts,
    denied: &Denied,
    verify: f64,
) -> Result<web_sys::Response, JsValue> {
    let body = denied.json_body();
    let timing = server_timing(verify, None);
    let retry = denied.retry_after_secs.map(|s| s.to_string());
    let mut extra = vec![("server-timing", timing.as_str())];
    if let Some(r) = &retry {
        extra.push(("retry-after", r.as_str()));
    }
    let resp = json_response(denied.status, &body, &extra)?;
    let mut event = facts.event(
        denied.status,
        denied.token_id,
        denied.route_id,
        Some(denied.code),
    );
    event.bytes_out = body.len() as u64;
    event.latency_ms = now_ms() - facts.started;
    record(env, ctx, event);
    Ok(resp)
}

fn gateway_error(
    env: &Env,
    ctx: &Context,
    facts: &Facts,
    allowed: &Allowed,
    failure: &Failure,
    verify: f64,
    upstream: Option<f64>,
) -> Result<web_sys::Response, JsValue> {
    let body = error_body(failure.code, failure.message);
    let timing = server_timing(verify, upstream);
    let resp = json_response(failure.status, &body, &[("server-timing", &timing)])?;
    let mut event = facts.event(
        failure.status,
        Some(allowed.token_id),
        Some(allowed.route_id),
        Some(failure.code),
    );
    event.upstream_latency_ms = upstream;
    event.bytes_out = body.len() as u64;
    event.latency_ms = now_ms() - facts.started;
    record(env, ctx, event);
    Ok(resp)
}

/// A body piped through a JavaScript `TransformStream` that counts bytes
/// as they pass (nothing is buffered), and the promise of that pipe:
/// settled when the body has been read to the end (or failed).
struct Counted {
    readable: web_sys::ReadableStream,
    done: js_sys::Promise,
    bytes: Rc<Cell<f64>>,
    /// Called by the stream for every chunk: must live until `done`.
    _transform: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl Counted {
    fn pipe(source: &web_sys::ReadableStream) -> Result<Counted, JsValue> {
        let bytes = Rc::new(Cell::new(0.0));
        let counter = bytes.clone();
        let transform = Closure::<dyn FnMut(JsValue, JsValue)>::new(
            move |chunk: JsValue, controller: JsValue| {
                if let Some(a) = chunk.dyn_ref::<Uint8Array>() {
                    counter.set(counter.get() + f64::from(a.byte_length()));
                }
                let controller: web_sys::TransformStreamDefaultController =
                    controller.unchecked_into();
                let _ = controller.enqueue_with_chunk(&chunk);
            },
        );
        let transformer = js_sys::Object::new();
        Reflect::set(&transformer, &"transform".into(), transform.as_ref())?;
        let stream = web_sys::TransformStream::new_with_transformer(&transformer)?;
        let done = source.pipe_to(&stream.writable());
        Ok(Counted {
            readable: stream.readable(),
            done,
            bytes,
            _transform: transform,
        })
    }

    /// Waits for the end of the body; `false` if it did not end cleanly.
    async fn finished(&self) -> bool {
        JsFuture::from(self.done.clone()).await.is_ok()
    }

    fn bytes(&self) -> u64 {
        self.bytes.get() as u64
    }
}

#[allow(clippy::too_many_arguments)]
async fn forward(
    req: web_sys::Request,
    env: &Env,
    ctx: &Context,
    facts: Facts,
    config: &Config,
    allowed: Allowed,
    verify: f64,
    url: &str,
) -> Result<web_sys::Response, JsValue> {
    // The client's headers minus what the core drops (token headers,
    // anything carrying a tokenctl secret, hop-by-hop) and Cloudflare's own
    // `cf-*`, plus X-Forwarded-*, plus the route's credential (last, so
    // nothing the client sends can remove it).
    let incoming = header_entries(&req.headers());
    let drop = client_headers_to_drop(|| incoming.iter().map(|(n, v)| (n.as_str(), v.as_bytes())));
    let out = web_sys::Headers::new()?;
    let (mut existing_for, mut host) = (None, None);
    for (name, value) in &incoming {
        match name.as_str() {
            "x-forwarded-for" => existing_for = Some(value.as_str()),
            "host" => host = Some(value.as_str()),
            _ => {}
        }
        if name.starts_with("cf-") || drop.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            continue;
        }
        out.append(name, value)?;
    }
    let host = host.or_else(|| authority(url));
    for (name, value) in forwarded_headers(
        existing_for,
        facts.client_ip_text.as_deref(),
        &scheme(url),
        host,
    ) {
        out.set(name, &value)?;
    }
    for (name, value) in allowed.inject_headers.iter() {
        out.set(name, value)?;
    }

    let init = web_sys::RequestInit::new();
    init.set_method(&facts.method);
    init.set_headers(&out);
    init.set_redirect(web_sys::RequestRedirect::Manual);
    // The body streams through; only a body of unknown length is counted
    // on the way (a declared length is taken as the count).
    let mut upload = None;
    if let Some(body) = req.body() {
        if facts.request_length.is_some() {
            init.set_body(&body);
        } else {
            let counted = Counted::pipe(&body)?;
            init.set_body(&counted.readable);
            upload = Some(counted);
        }
    }
    let controller = web_sys::AbortController::new()?;
    init.set_signal(Some(&controller.signal()));
    let sent = now_ms();
    let outcome = match web_sys::Request::new_with_str_and_init(&allowed.upstream_url, &init) {
        Err(_) => Err((&UPSTREAM_UNREACHABLE, None)),
        Ok(upstream_req) => {
            let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
            let fetch = JsFuture::from(global.fetch_with_request(&upstream_req));
            // The timeout covers the wait for the response headers, as on
            // the native gateway; a long stream after them is not cut.
            let timeout = Delay::from(allowed.timeout);
            futures_util::pin_mut!(fetch, timeout);
            let result = future::select(fetch, timeout).await;
            let upstream_ms = now_ms() - sent;
            match result {
                Either::Left((Ok(resp), _)) => Ok((resp.unchecked_into(), upstream_ms)),
                Either::Left((Err(_), _)) => Err((&UPSTREAM_UNREACHABLE, Some(upstream_ms))),
                Either::Right(((), _)) => {
                    controller.abort();
                    Err((&UPSTREAM_TIMEOUT, Some(upstream_ms)))
                }
            }
        }
    };
    let (resp, upstream_ms): (web_sys::Response, f64) = match outcome {
        Ok(ok) => ok,
        Err((failure, upstream_ms)) => {
            if let Some(up) = upload {
                // The transform must outlive the (now cancelled) pipe.
                ctx.wait_until(async move {
                    up.finished().await;
                });
            }
            return gateway_error(env, ctx, &facts, &allowed, failure, verify, upstream_ms);
        }
    };

    let status = resp.status();
    let upstream_headers = header_entries(&resp.headers());
    let hop = HopByHop::from_connection(
        upstream_headers
            .iter()
            .filter(|(n, _)| n == "connection")
            .map(|(_, v)| v.as_str()),
    );
    let headers = web_sys::Headers::new()?;
    let mut response_length = None;
    for (name, value) in &upstream_headers {
        if hop.is_hop_by_hop(name) {
            continue;
        }
        if name == "content-length" {
            response_length = value.trim().parse::<u64>().ok();
        }
        headers.append(name, value)?;
    }
    if (300..400).contains(&status) {
        let route = &config.gateway.routes().routes()[allowed.route_index];
        if let Some(location) = header(&headers, "location") {
            if let Some(rewritten) = rewrite_location(&location, &route.upstream, &route.path) {
                headers.set("location", &rewritten)?;
            }
        }
    }
    headers.set("server-timing", &server_timing(verify, Some(upstream_ms)))?;
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_status_text(&resp.status_text());
    init.set_headers(&headers);

    let mut event = facts.event(status, Some(allowed.token_id), Some(allowed.route_id), None);
    event.upstream_latency_ms = Some(upstream_ms);
    let null_body = matches!(status, 101 | 204 | 205 | 304) || facts.method == "HEAD";
    let body = if null_body { None } else { resp.body() };
    // A body of known length passes through untouched (its length is the
    // count); one of unknown length (server-sent events, chunked) is
    // counted as it streams, and the usage event waits for its end.
    let (client_body, download) = match body {
        Some(b) if response_length.is_none() => {
            let counted = Counted::pipe(&b)?;
            (Some(counted.readable.clone()), Some(counted))
        }
        Some(b) => (Some(b), None),
        None => (None, None),
    };
    let response =
        web_sys::Response::new_with_opt_readable_stream_and_init(client_body.as_ref(), &init)?;
    let started = facts.started;
    let request_length = facts.request_length;
    let known_out = if client_body.is_some() {
        response_length.unwrap_or(0)
    } else {
        0
    };
    let env2 = env.clone();
    ctx.wait_until(async move {
        if let Some(up) = &upload {
            up.finished().await;
        }
        event.bytes_in = match &upload {
            Some(up) => up.bytes(),
            None => request_length.unwrap_or(0),
        };
        match &download {
            Some(down) => {
                if !down.finished().await {
                    event.error_code = Some("client_closed".into());
                }
                event.bytes_out = down.bytes();
                event.latency_ms = now_ms() - started;
            }
            None => {
                event.bytes_out = known_out;
                event.latency_ms = upstream_ms + (sent - started);
            }
        }
        event.normalise(datetime(now_ms()));
        send_usage(&env2, event).await;
    });
    Ok(response)
}

// ---------------------------------------------------------------------------
// Usage

/// Records one request's event: normalised by the core's rules, then
/// either counted (a refusal without a valid token, see
/// [`DenialAggregator`]) or sent.
fn record(env: &Env, ctx: &Context, mut event: UsageEvent) {
    event.normalise(datetime(now_ms()));
    let env = env.clone();
    if DenialAggregator::takes(&event) {
        let schedule = with_state(&env, |s| {
            s.denials.offer(event);
            !std::mem::replace(&mut s.denials_flushing, true)
        });
        if schedule {
            ctx.wait_until(async move { flush_denials(&env).await });
        }
        return;
    }
    ctx.wait_until(async move { send_usage(&env, event).await });
}

/// Waits for the open denial windows to end, then sends their counts,
/// until none are left open (a window still open when a flush runs gets
/// the next one).
async fn flush_denials(env: &Env) {
    loop {
        Delay::from(DENIAL_WINDOW.to_std().unwrap_or_default() + Duration::from_secs(1)).await;
        let (events, more) = with_state(env, |s| {
            let events = s.denials.flush_due(datetime(now_ms()), |at| {
                event_id(at.timestamp_millis() as f64, &random10())
            });
            let more = s.denials.pending() > 0;
            if !more {
                s.denials_flushing = false;
            }
            (events, more)
        });
        for event in events {
            send_usage(env, event).await;
        }
        if !more {
            return;
        }
    }
}

/// Hands one event to the Queue (or, without one, to the direct batcher).
async fn send_usage(env: &Env, event: UsageEvent) {
    let json = match serde_json::to_string(&event) {
        Ok(j) => j,
        Err(e) => {
            console_error!("tokenctl worker: usage event not serialisable: {e}");
            return;
        }
    };
    match env.queue(QUEUE_BINDING) {
        Ok(queue) => {
            if let Err(e) = queue.send(json.clone()).await {
                console_error!(
                    "tokenctl worker: queue send failed ({e}); posting the event directly"
                );
                let settings = with_state(env, |s| s.settings.clone());
                let events = [json];
                let (answer, detail) = post_events(&settings, &events).await;
                match answer {
                    IngestAnswer::Accepted(result) => {
                        dead_letter(env, &events, &result.refused, None).await;
                    }
                    _ => console_error!(
                        "tokenctl worker: usage event lost ({detail}): {}",
                        events[0]
                    ),
                }
            }
        }
        Err(_) => direct(env, json).await,
    }
}

/// Events the server refused (by position in `events`) go to the
/// dead-letter queue when one is bound, else to the log; either way they
/// are counted and never sent again. `whole`: the server refused the whole
/// payload, for this reason.
async fn dead_letter(
    env: &Env,
    events: &[String],
    refused: &[tokenctl_gateway::usage::RefusedEvent],
    whole: Option<&str>,
) {
    let entries: Vec<(&String, &str)> = match whole {
        Some(reason) => events.iter().map(|e| (e, reason)).collect(),
        None => refused
            .iter()
            .filter_map(|r| Some((events.get(r.index)?, r.reason.as_str())))
            .collect(),
    };
    if entries.is_empty() {
        return;
    }
    with_state(env, |s| s.dead_lettered += entries.len() as u64);
    let queue = env.queue(DEAD_LETTER_BINDING).ok();
    for (event, reason) in entries {
        let entry = serde_json::json!({"reason": reason, "event": event}).to_string();
        let sent = match &queue {
            Some(q) => q.send(entry.clone()).await.is_ok(),
            None => false,
        };
        if !sent {
            console_error!("tokenctl worker: the server refused a usage event: {entry}");
        }
    }
}

/// Without a Queue: buffer in isolate memory, and let the request that
/// starts a batch post it (in its `waitUntil`) a moment later.
async fn direct(env: &Env, json: String) {
    let (settings, flush) = with_state(env, |s| {
        if s.direct.len() >= DIRECT_BUFFER {
            let lost = s.direct.remove(0);
            s.direct_dropped += 1;
            console_error!("tokenctl worker: usage buffer full, event lost: {lost}");
        }
        s.direct.push(json);
        let flush = !s.direct_flushing;
        s.direct_flushing = true;
        (s.settings.clone(), flush)
    });
    if !flush {
        return;
    }
    Delay::from(DIRECT_FLUSH_AFTER).await;
    loop {
        let batch: Vec<String> = with_state(env, |s| {
            let n = s.direct.len().min(DIRECT_BATCH);
            s.direct.drain(..n).collect()
        });
        if batch.is_empty() {
            break;
        }
        let (answer, detail) = post_events(&settings, &batch).await;
        match answer {
            IngestAnswer::Accepted(result) => {
                with_state(env, |s| s.direct_error = None);
                dead_letter(env, &batch, &result.refused, None).await;
            }
            IngestAnswer::Rejected => {
                // Our own batches are well-formed; a refusal of the whole
                // is a server problem that resending will not fix.
                let reason = format!("the server refused the whole batch ({detail})");
                dead_letter(env, &batch, &[], Some(&reason)).await;
            }
            IngestAnswer::Retry => {
                console_error!("tokenctl worker: usage post failed ({detail}); will retry");
                with_state(env, |s| {
                    s.direct_error = Some(detail);
                    let mut back = batch;
                    back.append(&mut s.direct);
                    s.direct = back;
                });
                break;
            }
        }
    }
    with_state(env, |s| s.direct_flushing = false);
}

/// `POST {SERVER_URL}/v1/usage/events` with the gateway key, classified by
/// the core's ingest contract.
async fn post_events(settings: &Settings, events: &[String]) -> (IngestAnswer, String) {
    let (Some(server), Some(key)) = (&settings.server_url, &settings.gateway_key) else {
        return (
            IngestAnswer::Retry,
            "SERVER_URL or TOKENCTL_GATEWAY_KEY is not set".into(),
        );
    };
    let result: Result<(u16, String), JsValue> = async {
        let headers = web_sys::Headers::new()?;
        headers.set("authorization", &format!("Bearer {key}"))?;
        headers.set("content-type", "application/json")?;
        headers.set(
            "user-agent",
            concat!("tokenctl-worker/", env!("CARGO_PKG_VERSION")),
        )?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&batch_body(events)));
        let controller = web_sys::AbortController::new()?;
        init.set_signal(Some(&controller.signal()));
        let req = web_sys::Request::new_with_str_and_init(&ingest_url(server), &init)?;
        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let fetch = JsFuture::from(global.fetch_with_request(&req));
        let timeout = Delay::from(INGEST_TIMEOUT);
        futures_util::pin_mut!(fetch, timeout);
        match future::select(fetch, timeout).await {
            Either::Left((resp, _)) => {
                let resp: web_sys::Response = resp?.unchecked_into();
                // The (small) answer says which events were refused; reading
                // it also releases the connection.
                let body = match resp.text() {
                    Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
                    Err(_) => None,
                };
                Ok((resp.status(), body.unwrap_or_default()))
            }
            Either::Right(((), _)) => {
                controller.abort();
                Err(JsValue::from_str("timed out"))
            }
        }
    }
    .await;
    match result {
        Ok((status, body)) => (
            IngestAnswer::classify(Some(status), body.as_bytes()),
            format!("HTTP {status}"),
        ),
        Err(e) => (IngestAnswer::classify(None, b""), js_error_text(&e)),
    }
}

/// The Queue consumer: posts each batch to the server. Taken → ack (the
/// events the server refused go to the dead-letter queue); a payload
/// refused as a whole → find the refused events one by one (ack the rest,
/// dead-letter those); anything else → retry the batch (after the
/// consumer's `retry_delay`; after `max_retries` the dead-letter queue).
#[event(queue)]
pub async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> worker::Result<()> {
    let settings = with_state(&env, |s| s.settings.clone());
    let messages: Vec<_> = batch.raw_iter().collect();
    let bodies: Vec<String> = messages
        .iter()
        .map(|m| {
            let body = m.body();
            body.as_string().unwrap_or_else(|| {
                js_sys::JSON::stringify(&body)
                    .map(String::from)
                    .unwrap_or_default()
            })
        })
        .collect();
    let (answer, detail) = post_events(&settings, &bodies).await;
    match answer {
        IngestAnswer::Accepted(result) => {
            dead_letter(&env, &bodies, &result.refused, None).await;
            batch.ack_all();
        }
        IngestAnswer::Retry => {
            console_error!(
                "tokenctl worker: usage ingest failed ({detail}); {} events will be retried",
                bodies.len()
            );
            batch.retry_all();
        }
        IngestAnswer::Rejected => {
            for (message, body) in messages.iter().zip(&bodies) {
                let one = std::slice::from_ref(body);
                let (answer, detail) = post_events(&settings, one).await;
                match answer {
                    IngestAnswer::Accepted(result) => {
                        dead_letter(&env, one, &result.refused, None).await;
                        message.ack();
                    }
                    IngestAnswer::Rejected => {
                        let reason = format!("the server refused the event ({detail})");
                        dead_letter(&env, one, &[], Some(&reason)).await;
                        message.ack();
                    }
                    IngestAnswer::Retry => message.retry(),
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Health

async fn health(env: &Env) -> Result<web_sys::Response, JsValue> {
    let config = current_config(env).await;
    let now = now_ms();
    let has_queue = env.queue(QUEUE_BINDING).is_ok();
    let report = with_state(env, |s| {
        let (status, http) = match (&config, &s.config_error) {
            (Ok(Some(_)), None) => ("ok", 200),
            (Ok(Some(_)), Some(_)) => ("stale", 200),
            _ => ("no_config", 503),
        };
        let c = config.as_ref().ok().cloned().flatten();
        let settings = &s.settings;
        let mut last_error: Vec<String> = s.config_error.iter().cloned().collect();
        if let Err(e) = &config {
            if last_error.is_empty() {
                last_error.push(e.clone());
            }
        }
        if let Some(c) = &c {
            last_error.extend(c.problems.iter().cloned());
        }
        let mut usage = if has_queue {
            serde_json::json!({"mode": "queue"})
        } else {
            serde_json::json!({
                "mode": "direct",
                "buffered": s.direct.len(),
                "dropped": s.direct_dropped,
                "last_error": s.direct_error,
                "note": DIRECT_NOTE,
            })
        };
        // Per isolate, like everything here.
        usage["denials_pending"] = s.denials.pending().into();
        usage["dead_lettered"] = s.dead_lettered.into();
        let report = serde_json::json!({
            "status": status,
            "version": env!("CARGO_PKG_VERSION"),
            "runtime": "cloudflare-worker",
            "config": {
                "version": c.as_ref().map(|c| c.gateway.version()),
                "secrets_version": c.as_ref().and_then(|c| c.secrets_version),
                "synced_at": s.meta.as_ref().map(|m| m.synced_at),
                "age_secs": s.meta.as_ref().map(|m| {
                    ((now - m.synced_at.timestamp_millis() as f64) / 1000.0).max(0.0)
                }),
                "routes": c.as_ref().map_or(0, |c| c.gateway.routes().routes().len()),
                "secrets": c.as_ref().map_or(0, |c| c.secrets),
                "last_error": if last_error.is_empty() { None } else { Some(last_error.join("; ")) },
            },
            "cache": {
                "token_ttl_secs": settings.token_ttl_secs,
                "config_ttl_secs": settings.config_ttl_secs,
                "kv_cache_ttl_secs": settings.kv_cache_ttl_secs,
                "tokens_cached": s.tokens.len(),
            },
            "rate_limits": "per isolate",
            "usage": usage,
        });
        (report, http)
    });
    json_response(report.1, &report.0.to_string(), &[])
}
