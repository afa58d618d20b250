//! The `fetch` handler: the gateway itself. The core decides, plans the
//! upstream request's headers, and defines every answer and usage event;
//! this file moves bytes between the runtime and the upstream.

use super::counted::Counted;
use super::kv::{current_config, current_prices, lookup_quotas, lookup_token};
use super::runtime::{datetime, header, header_block, json_response, now_ms, random10};
use super::scanned::{self, Scanned};
use super::state::{with_state, Config};
use super::usage::{json_of, record, send_usage};
use crate::plain::{
    authority, client_ip, duration_from_ms, scheme, split_url, HeaderBlock, HEALTH_PATH,
};
use chrono::{DateTime, Utc};
use futures_util::future::{self, Either};
use std::rc::Rc;
use std::time::Duration;
use tokenctl_gateway::decision::check_quotas;
use tokenctl_gateway::headers::{
    client_ip_text, redirect_location, response_headers_to_drop, Forwarding, UpstreamHeaderPlan,
    UpstreamHeaders,
};
use tokenctl_gateway::llm::{Inspection, LlmRequest, ResponseKind};
use tokenctl_gateway::quota::{LlmTokenCharge, PriceTable};
use tokenctl_gateway::timing::{server_timing, SERVER_TIMING};
use tokenctl_gateway::usage::{event_id, Answered, EventView, LlmOutcome, RequestUsage};
use tokenctl_gateway::{code, Allowed, Denied, Failure, PresentedToken, RequestInfo};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{Context, Delay, Env};

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
    /// The request's usage, answered as `answered`; the caller fills in
    /// what it measured.
    fn usage(&self, answered: Answered) -> RequestUsage<'_> {
        RequestUsage {
            at: self.at,
            method: &self.method,
            client_ip: self.client_ip_text.as_deref(),
            user_agent: self.user_agent.as_deref(),
            answered,
            latency: Duration::ZERO,
            upstream_latency: None,
            bytes_in: 0,
            bytes_out: 0,
            llm: None,
        }
    }

    /// The event of `usage`, built and normalised by the core.
    fn event<'u>(&self, usage: &'u RequestUsage<'_>) -> EventView<'u> {
        usage.view(event_id(self.at, &random10()), datetime(now_ms()))
    }

    fn since_started(&self) -> Duration {
        duration_from_ms(now_ms() - self.started)
    }
}

/// An answer the gateway gives itself before deciding (no usage event).
fn failure_response(failure: &Failure) -> Result<web_sys::Response, JsValue> {
    json_response(failure.status, &failure.json_body(), &[])
}

pub async fn fetch(
    req: web_sys::Request,
    env: Env,
    ctx: Context,
) -> worker::Result<web_sys::Response> {
    let started = now_ms();
    let url = req.url();
    let (path, query) = split_url(&url);
    if path == HEALTH_PATH {
        return Ok(super::health::health(&env).await?);
    }
    // Read once, for the decision and for the upstream request's plan.
    let incoming = header_block(&req.headers());
    let ip = client_ip(incoming.get("cf-connecting-ip"));
    let facts = Facts {
        started,
        at: datetime(started),
        method: req.method(),
        client_ip_text: ip.map(client_ip_text),
        user_agent: incoming.get("user-agent").map(str::to_owned),
        request_length: incoming
            .get("content-length")
            .and_then(|v| v.trim().parse().ok()),
    };
    let info = RequestInfo {
        method: &facts.method,
        raw_path: path,
        query,
        api_key_header: incoming.get("x-api-key"),
        authorization_header: incoming.get("authorization"),
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
        Ok(None) => return Ok(failure_response(&Failure::NO_CONFIG)?),
        Err(_) => return Ok(failure_response(&Failure::CONFIG_UNREADABLE)?),
    };
    let decision = match (presented, token) {
        (Err(denied), _) => Err(denied),
        (Ok(_), Err(_)) => return Ok(failure_response(&Failure::CONFIG_UNREADABLE)?),
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
    // Check 12, after the rate limit as on the native gateway: the
    // quotas of the token and its team, read from KV now that their ids
    // are known, against this isolate's own count.
    let (decision, charge) = match decision {
        Err(denied) => (Err(denied), None),
        Ok(allowed) => match lookup_quotas(&env, &allowed).await {
            Err(_) => return Ok(failure_response(&Failure::CONFIG_UNREADABLE)?),
            Ok([token_quotas, team_quotas]) => {
                let states = [token_quotas.as_deref(), team_quotas.as_deref()];
                let checked = with_state(&env, |s| {
                    check_quotas(&mut s.quotas, &allowed, states, facts.at)
                });
                (checked.map(|()| allowed), LlmTokenCharge::of(states))
            }
        },
    };
    // The prices its answer's cost counts with, when it counts toward a
    // budget: read now (cached per isolate), so the count is made as soon
    // as the answer has streamed.
    let prices = match (&decision, &charge) {
        (Ok(_), Some(c)) if c.counts_cost() => Some(current_prices(&env).await),
        _ => None,
    };
    let verify = duration_from_ms(now_ms() - started);
    match decision {
        Err(denied) => Ok(deny(&env, &ctx, &facts, &denied, verify)?),
        Ok(allowed) => {
            let allowed = Forwarded {
                allowed,
                charge,
                prices,
                verify,
            };
            let request = Incoming {
                req,
                headers: &incoming,
                url: &url,
            };
            Ok(forward(request, &env, &ctx, facts, &config, allowed).await?)
        }
    }
}

/// The client's request, with its headers as read for the decision.
struct Incoming<'a> {
    req: web_sys::Request,
    headers: &'a HeaderBlock,
    url: &'a str,
}

/// An allowed request on its way upstream.
struct Forwarded {
    allowed: Allowed,
    /// Where its answer's LLM tokens and cost count, when the token or its
    /// team has an LLM-token quota or a budget.
    charge: Option<LlmTokenCharge>,
    /// The published prices, when the charge counts a cost.
    prices: Option<Rc<PriceTable>>,
    /// The time the decision took.
    verify: Duration,
}

fn deny(
    env: &Env,
    ctx: &Context,
    facts: &Facts,
    denied: &Denied,
    verify: Duration,
) -> Result<web_sys::Response, JsValue> {
    let body = denied.json_body();
    let timing = server_timing(verify, None);
    let retry = denied.retry_after_secs.map(|s| s.to_string());
    let mut extra = vec![(SERVER_TIMING, timing.as_str())];
    if let Some(r) = &retry {
        extra.push(("retry-after", r.as_str()));
    }
    let resp = json_response(denied.status, &body, &extra)?;
    let mut usage = facts.usage(Answered::denied(denied));
    usage.bytes_out = body.len() as u64;
    usage.latency = facts.since_started();
    record(env, ctx, facts.event(&usage));
    Ok(resp)
}

fn gateway_error(
    env: &Env,
    ctx: &Context,
    facts: &Facts,
    allowed: &Allowed,
    failure: &Failure,
    verify: Duration,
    upstream: Option<Duration>,
) -> Result<web_sys::Response, JsValue> {
    let body = failure.json_body();
    let timing = server_timing(verify, upstream);
    let resp = json_response(failure.status, &body, &[(SERVER_TIMING, &timing)])?;
    let mut usage = facts.usage(Answered::failed(allowed, failure));
    usage.upstream_latency = upstream;
    usage.bytes_out = body.len() as u64;
    usage.latency = facts.since_started();
    record(env, ctx, facts.event(&usage));
    Ok(resp)
}

/// The upstream request's headers, as the core's plan edits them.
struct FetchHeaders<'a>(&'a web_sys::Headers);

/// The runtime refuses only names and values that are not HTTP tokens or
/// header values; the core's plan sets neither.
impl UpstreamHeaders for FetchHeaders<'_> {
    fn remove(&mut self, name: &str) {
        let _ = self.0.delete(name);
    }

    fn set(&mut self, name: &'static str, value: &str) {
        let _ = self.0.set(name, value);
    }

    /// `fetch` sets `Host` from the upstream URL.
    fn set_upstream_host(&mut self) {}

    fn inject(&mut self, _index: usize, name: &str, value: &str) {
        let _ = self.0.set(name, value);
    }
}

/// The upstream request's headers: the client's minus Cloudflare's own
/// `cf-*`, edited by the core's plan (drop the token headers, anything
/// carrying a tokenctl secret and hop-by-hop headers; set X-Forwarded-*;
/// inject the route's credential last).
fn upstream_headers(
    request: &Incoming<'_>,
    facts: &Facts,
    allowed: &Allowed,
) -> Result<web_sys::Headers, JsValue> {
    let incoming = request.headers;
    // A copy in one call, then the few removals, rather than a call per
    // header kept.
    let out = web_sys::Headers::new_with_headers(&request.req.headers())?;
    for (name, _) in incoming.iter().filter(|(n, _)| n.starts_with("cf-")) {
        out.delete(name)?;
    }
    let proto = scheme(request.url);
    let forwarding = Forwarding {
        client_ip: facts.client_ip_text.as_deref(),
        // The runtime joins repeated headers into one entry.
        forwarded_for: incoming.get("x-forwarded-for"),
        proto: &proto,
        host: incoming.get("host").or_else(|| authority(request.url)),
    };
    let plan = UpstreamHeaderPlan::new(
        || incoming.iter().map(|(n, v)| (n, v.as_bytes())),
        forwarding,
    );
    plan.apply(allowed, &mut FetchHeaders(&out));
    Ok(out)
}

async fn forward(
    request: Incoming<'_>,
    env: &Env,
    ctx: &Context,
    facts: Facts,
    config: &Config,
    forwarded: Forwarded,
) -> Result<web_sys::Response, JsValue> {
    let Forwarded {
        allowed,
        charge,
        prices,
        verify,
    } = forwarded;
    let request_headers = upstream_headers(&request, &facts, &allowed)?;
    let req = request.req;
    let init = web_sys::RequestInit::new();
    init.set_method(&facts.method);
    init.set_headers(&request_headers);
    init.set_redirect(web_sys::RequestRedirect::Manual);
    // On an LLM route, a short JSON body is read whole for the core (see
    // `scanned`), and the answer is asked for uncompressed, to be read.
    let mut llm_request: Option<LlmRequest> = None;
    if let Some(provider) = allowed.llm {
        request_headers.set("accept-encoding", "identity")?;
        let readable = scanned::readable(
            header(&request_headers, "content-type").as_deref(),
            header(&request_headers, "content-encoding").as_deref(),
            facts.request_length,
        );
        if readable && req.body().is_some() {
            let (path, _) = split_url(&allowed.upstream_url);
            match scanned::read_request(&req, provider, path).await {
                Ok((request, send)) => {
                    // `fetch` sets the length of the body it is given.
                    request_headers.delete("content-length")?;
                    init.set_body(&js_sys::Uint8Array::from(send.as_slice()));
                    llm_request = Some(request);
                }
                Err(_) => {
                    let failure = &Failure::CLIENT_BODY_INCOMPLETE;
                    return gateway_error(env, ctx, &facts, &allowed, failure, verify, None);
                }
            }
        } else {
            llm_request = Some(LlmRequest::default());
        }
        init.set_headers(&request_headers);
    }
    // The body streams through (unless it was read above); only a body of
    // unknown length is counted on the way (a declared length is taken as
    // the count).
    let body_read = llm_request
        .as_ref()
        .is_some_and(|r| r.inspection != Inspection::NotInspected);
    let mut upload = None;
    if let Some(body) = req.body().filter(|_| !body_read) {
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
        Err(_) => Err((&Failure::UPSTREAM_UNREACHABLE, None)),
        Ok(upstream_req) => {
            let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
            let fetch = JsFuture::from(global.fetch_with_request(&upstream_req));
            // The timeout covers the wait for the response headers, as on
            // the native gateway; a long stream after them is not cut.
            let timeout = Delay::from(allowed.timeout);
            futures_util::pin_mut!(fetch, timeout);
            let result = future::select(fetch, timeout).await;
            let upstream = duration_from_ms(now_ms() - sent);
            match result {
                Either::Left((Ok(resp), _)) => Ok((resp.unchecked_into(), upstream)),
                Either::Left((Err(_), _)) => Err((&Failure::UPSTREAM_UNREACHABLE, Some(upstream))),
                Either::Right(((), _)) => {
                    controller.abort();
                    Err((&Failure::UPSTREAM_TIMEOUT, Some(upstream)))
                }
            }
        }
    };
    let (resp, upstream): (web_sys::Response, Duration) = match outcome {
        Ok(ok) => ok,
        Err((failure, upstream)) => {
            if let Some(up) = upload {
                // The transform must outlive the (now cancelled) pipe.
                ctx.wait_until(async move {
                    up.finished().await;
                });
            }
            return gateway_error(env, ctx, &facts, &allowed, failure, verify, upstream);
        }
    };

    let status = resp.status();
    let upstream_headers = header_block(&resp.headers());
    let hop_by_hop =
        response_headers_to_drop(|| upstream_headers.iter().map(|(n, v)| (n, v.as_bytes())));
    // A copy in one call, then the removals, as for the request.
    let headers = web_sys::Headers::new_with_headers(&resp.headers())?;
    for name in &hop_by_hop {
        headers.delete(name)?;
    }
    let kept = |name: &str| {
        upstream_headers
            .get(name)
            .filter(|_| !hop_by_hop.contains(&name))
    };
    let mut response_length = kept("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if (300..400).contains(&status) {
        if let Some(location) = kept("location") {
            if let Some(rewritten) = redirect_location(&config.gateway, &allowed, location) {
                headers.set("location", &rewritten)?;
            }
        }
    }
    let scanner = llm_request.as_ref().and_then(|request| {
        let kind = ResponseKind::from_headers(kept("content-type"), kept("content-encoding"))?;
        Some(request.scanner(kind))
    });
    if scanner.is_some() && llm_request.as_ref().is_some_and(|r| r.usage_added) {
        // What the gateway asked for is removed: the answer gets shorter.
        headers.delete("content-length")?;
        response_length = None;
    }
    headers.set(SERVER_TIMING, &server_timing(verify, Some(upstream)))?;
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_status_text(&resp.status_text());
    init.set_headers(&headers);

    let mut answered = Answered::forwarded(&allowed, status);
    let null_body = matches!(status, 101 | 204 | 205 | 304) || facts.method == "HEAD";
    let body = if null_body { None } else { resp.body() };
    // A body of known length passes through untouched (its length is the
    // count); one of unknown length (server-sent events, chunked) is
    // counted as it streams, and the usage event waits for its end.
    // An LLM answer that can be read streams through the usage scan.
    let requested_model = llm_request.as_ref().and_then(|r| r.model.clone());
    let (client_body, download, scan) = match (body, scanner) {
        (Some(b), Some(scanner)) => {
            let scan = Scanned::pipe(&b, scanner, requested_model.clone())?;
            (Some(scan.readable.clone()), None, Some(scan))
        }
        (Some(b), None) if response_length.is_none() => {
            let counted = Counted::pipe(&b)?;
            (Some(counted.readable.clone()), Some(counted), None)
        }
        (Some(b), None) => (Some(b), None, None),
        (None, _) => (None, None, None),
    };
    let is_llm = llm_request.is_some();
    let response =
        web_sys::Response::new_with_opt_readable_stream_and_init(client_body.as_ref(), &init)?;
    let known_out = if client_body.is_some() {
        response_length.unwrap_or(0)
    } else {
        0
    };
    let env = env.clone();
    ctx.wait_until(async move {
        if let Some(up) = &upload {
            up.finished().await;
        }
        let bytes_in = match &upload {
            Some(up) => up.bytes(),
            None => facts.request_length.unwrap_or(0),
        };
        let (bytes_out, latency) = match (&download, &scan) {
            (Some(down), _) => {
                if !down.finished().await {
                    answered.cut_short(code::CLIENT_CLOSED);
                }
                (down.bytes(), facts.since_started())
            }
            (None, Some(scan)) => {
                if !scan.finished().await {
                    answered.cut_short(code::CLIENT_CLOSED);
                }
                (scan.bytes(), facts.since_started())
            }
            (None, None) => (known_out, upstream + duration_from_ms(sent - facts.started)),
        };
        let llm = match &scan {
            Some(scan) => Some(scan.outcome()),
            None if is_llm => Some(LlmOutcome {
                requested_model,
                usage: None,
            }),
            None => None,
        };
        let mut usage = facts.usage(answered);
        usage.llm = llm.as_ref();
        if let (Some(charge), Some(llm)) = (&charge, &usage.llm) {
            let none = PriceTable::default();
            let prices = prices.as_deref().unwrap_or(&none);
            with_state(&env, |s| {
                charge.record(&mut s.quotas, prices, llm, facts.at)
            });
        }
        usage.upstream_latency = Some(upstream);
        usage.bytes_in = bytes_in;
        usage.bytes_out = bytes_out;
        usage.latency = latency;
        let event = json_of(&facts.event(&usage));
        send_usage(&env, event).await;
    });
    Ok(response)
}
