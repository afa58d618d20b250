//! The request path: authorize with the core, forward with the upstream's
//! credential, stream the answer back, record usage.
//!
//! Kept lean on purpose: per request there is one core decision, a header
//! copy, and a usage record pushed onto a buffer. Formatting, id generation
//! and disk writes for usage happen on the spool's writer thread.

use crate::body::{CountingBody, PendingUsage, ProxyBody};
use crate::ladder::{self, Rung};
use crate::spool::UsageRecord;
use crate::state::{Installed, RouteUpstream, Shared};
use crate::upstream::UpstreamError;
use chrono::Utc;
use http::header::{
    HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST, LOCATION, RETRY_AFTER, USER_AGENT,
};
use http::{HeaderMap, Request, Response, StatusCode, Uri, Version};
use hyper::body::Incoming;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenctl_gateway::headers::{
    client_ip_text, client_origin, redirect_location, response_headers_to_drop, Forwarding,
    UpstreamHeaderPlan, UpstreamHeaders,
};
use tokenctl_gateway::timing::{server_timing, SERVER_TIMING};
use tokenctl_gateway::usage::{Answered, LlmOutcome};
use tokenctl_gateway::{code, Allowed, Denied, Failure, RequestInfo};

pub const HEALTH_PATH: &str = "/_gateway/health";

const JSON: HeaderValue = HeaderValue::from_static("application/json");
static SERVER_TIMING_HEADER: HeaderName = HeaderName::from_static(SERVER_TIMING);
/// The forwarding headers the core's plan sets, made once: a name built at
/// run time is parsed and checked on every request.
static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

pub struct Proxy {
    pub shared: Arc<Shared>,
    pub upstreams: crate::upstream::Pools,
    /// Peers whose forwarding headers are believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// `Server-Timing`, formatted by the core.
fn server_timing_value(verify: Duration, upstream: Option<Duration>) -> HeaderValue {
    HeaderValue::from_maybe_shared(bytes::Bytes::from(server_timing(verify, upstream)))
        .expect("ASCII")
}

fn local(
    status: StatusCode,
    body: impl Into<bytes::Bytes>,
    usage: Option<PendingUsage>,
) -> Response<ProxyBody> {
    let mut resp = Response::new(ProxyBody::local(body, usage));
    *resp.status_mut() = status;
    resp.headers_mut().insert(CONTENT_TYPE, JSON);
    resp
}

/// The client end of one connection, worked out once per connection.
pub struct Peer {
    pub ip: IpAddr,
    /// `ip` as reported upstream (`X-Forwarded-For`) and in usage events.
    pub ip_text: Arc<str>,
    /// `ip_text` as a header value, for a client that sends no
    /// `X-Forwarded-For` of its own.
    ip_header: HeaderValue,
    /// `X-Forwarded-Proto`: how the client reached the gateway.
    pub scheme: &'static str,
}

impl Peer {
    pub fn new(addr: SocketAddr, https: bool) -> Peer {
        let ip_text = client_ip_text(addr.ip());
        Peer {
            ip: addr.ip(),
            ip_header: HeaderValue::from_str(&ip_text).expect("an address is a header value"),
            ip_text: ip_text.into(),
            scheme: if https { "https" } else { "http" },
        }
    }
}

/// The client behind a trusted proxy, worked out per request.
struct Origin {
    ip: IpAddr,
    ip_text: Arc<str>,
    proto: &'static str,
    /// The `X-Forwarded-For` entries left of the client, passed on in
    /// front of its address.
    forwarded_for_before: Option<Box<str>>,
}

/// All values of a header, joined with `,` as HTTP allows.
fn joined<'h>(headers: &'h HeaderMap, name: &str) -> Option<std::borrow::Cow<'h, str>> {
    let mut values = headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
    let first = values.next()?;
    match values.next() {
        None => Some(first.into()),
        Some(second) => {
            let mut all = format!("{first},{second}");
            for v in values {
                all.push(',');
                all.push_str(v);
            }
            Some(all.into())
        }
    }
}

/// The client's headers the request path reads, found in one pass over
/// the map: comparing a handful of names costs less than a hashed lookup
/// for each. The first value of each, as `HeaderMap::get` gives it.
#[derive(Default)]
struct ClientHeaders<'h> {
    api_key: Option<&'h HeaderValue>,
    authorization: Option<&'h HeaderValue>,
    user_agent: Option<&'h HeaderValue>,
    host: Option<&'h HeaderValue>,
    forwarded_for: Option<&'h HeaderValue>,
}

impl<'h> ClientHeaders<'h> {
    fn of(headers: &'h HeaderMap) -> ClientHeaders<'h> {
        let mut found = ClientHeaders::default();
        for (name, value) in headers {
            let slot = if name == AUTHORIZATION {
                &mut found.authorization
            } else if name == HOST {
                &mut found.host
            } else if name == USER_AGENT {
                &mut found.user_agent
            } else if name == X_API_KEY {
                &mut found.api_key
            } else if name == X_FORWARDED_FOR {
                &mut found.forwarded_for
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// What the upstream request's headers are made from besides the client's
/// map, read before it is edited.
struct ForwardingInputs {
    host: Option<HeaderValue>,
    forwarded_for: Option<HeaderValue>,
}

/// What every usage record of one request shares.
struct RequestFacts {
    started: Instant,
    at: chrono::DateTime<Utc>,
    method: http::Method,
    peer: Arc<Peer>,
    /// Set when the peer is a trusted proxy.
    origin: Option<Origin>,
    user_agent: Option<Box<str>>,
}

impl RequestFacts {
    /// The client's address: the peer, or the one a trusted proxy reports.
    fn client_ip(&self) -> IpAddr {
        self.origin.as_ref().map_or(self.peer.ip, |o| o.ip)
    }

    fn client_ip_text(&self) -> &Arc<str> {
        self.origin
            .as_ref()
            .map_or(&self.peer.ip_text, |o| &o.ip_text)
    }

    fn record(&self, answered: Answered) -> UsageRecord {
        UsageRecord {
            at: self.at,
            method: self.method.clone(),
            answered,
            latency: Duration::ZERO,
            upstream_latency: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: self.client_ip_text().clone(),
            user_agent: self.user_agent.clone(),
            llm: None,
        }
    }
}

impl Proxy {
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: Arc<Peer>,
    ) -> Result<Response<ProxyBody>, Infallible> {
        let client = ClientHeaders::of(req.headers());
        let facts = RequestFacts {
            started: Instant::now(),
            at: Utc::now(),
            method: req.method().clone(),
            origin: self.origin(req.headers(), &peer),
            peer,
            user_agent: UsageRecord::user_agent(client.user_agent),
        };
        if req.uri().path() == HEALTH_PATH {
            return Ok(self.health());
        }
        let Some(installed) = self.shared.gateway.load_full() else {
            let failure = Failure::NO_CONFIG;
            self.count_unrouted(failure.code);
            return Ok(local(status(failure.status), failure.json_body(), None));
        };
        if self.shared.health.too_stale(facts.at) {
            return Ok(self.refuse_stale(&facts));
        }
        let decision = {
            let info = RequestInfo {
                method: req.method().as_str(),
                raw_path: req.uri().path(),
                query: req.uri().query(),
                api_key_header: client.api_key.and_then(|v| v.to_str().ok()),
                authorization_header: client.authorization.and_then(|v| v.to_str().ok()),
                client_ip: Some(facts.client_ip()),
            };
            // Benchmark only (`crate::ladder`): the minimal proxy's decision.
            let minimal = (!ladder::has(Rung::Decision))
                .then(|| ladder::minimal_decision(&installed.gateway, &info))
                .flatten();
            match minimal {
                Some(allowed) => Ok(allowed),
                None => {
                    let mut limiter = self.shared.limiter.lock().expect("not poisoned");
                    installed
                        .gateway
                        .authorize(&mut limiter, &info, facts.at)
                        .and_then(|allowed| {
                            let mut quotas = self.shared.quotas.lock().expect("not poisoned");
                            installed
                                .gateway
                                .check_quotas(&mut quotas, &allowed, facts.at)
                                .map(|()| allowed)
                        })
                }
            }
        };
        let verify = facts.started.elapsed();
        match decision {
            Err(denied) => Ok(self.deny(&facts, &denied, verify)),
            Ok(allowed) => {
                let forwarded = ForwardingInputs {
                    host: client.host.cloned(),
                    forwarded_for: client.forwarded_for.cloned(),
                };
                Ok(self
                    .forward(&facts, &installed, allowed, req, forwarded, verify)
                    .await)
            }
        }
    }

    /// Behind a trusted proxy: the client it reports (`None` otherwise,
    /// which keeps the common case free of header parsing).
    fn origin(&self, headers: &HeaderMap, peer: &Peer) -> Option<Origin> {
        if self.trusted_proxies.is_empty()
            || !self
                .trusted_proxies
                .iter()
                .any(|n| n.contains(&peer.ip.to_canonical()))
        {
            return None;
        }
        let forwarded = joined(headers, "forwarded");
        let xff = joined(headers, "x-forwarded-for");
        let proto = joined(headers, "x-forwarded-proto");
        let o = client_origin(
            peer.ip,
            forwarded.as_deref(),
            xff.as_deref(),
            proto.as_deref(),
            &self.trusted_proxies,
        );
        Some(Origin {
            ip: o.ip,
            ip_text: client_ip_text(o.ip).into(),
            proto: o.proto,
            forwarded_for_before: o.forwarded_for_before.map(Into::into),
        })
    }

    fn count_unrouted(&self, outcome: &'static str) {
        if let Some(metrics) = &self.shared.metrics {
            metrics.answered_without_route(outcome);
        }
    }

    fn health(&self) -> Response<ProxyBody> {
        let report = self.shared.health_report();
        // A balancer should send no traffic to a gateway that refuses it.
        let status = if report.status == "no_config" || report.status == code::CONFIG_STALE {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        };
        local(
            status,
            serde_json::to_vec(&report).expect("serialises"),
            None,
        )
    }

    fn pending(
        &self,
        facts: &RequestFacts,
        record: UsageRecord,
        bytes_in: Arc<AtomicU64>,
    ) -> PendingUsage {
        if let Some(metrics) = &self.shared.metrics {
            metrics.answered(&record);
        }
        PendingUsage {
            record,
            started: facts.started,
            bytes_in,
            sink: self.shared.usage.clone(),
            quota: None,
        }
    }

    fn deny(&self, facts: &RequestFacts, denied: &Denied, verify: Duration) -> Response<ProxyBody> {
        let record = facts.record(Answered::denied(denied));
        let usage = self.pending(facts, record, Arc::default());
        let mut resp = local(status(denied.status), denied.json_body(), Some(usage));
        let h = resp.headers_mut();
        h.insert(
            SERVER_TIMING_HEADER.clone(),
            server_timing_value(verify, None),
        );
        if let Some(secs) = denied.retry_after_secs {
            h.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }

    /// `config_stale`: nothing is decided on a config the server has not
    /// confirmed for longer than `--max-stale`, not even a revoked token.
    fn refuse_stale(&self, facts: &RequestFacts) -> Response<ProxyBody> {
        let failure = Failure::CONFIG_STALE;
        let record = facts.record(Answered::refused(&failure));
        let usage = self.pending(facts, record, Arc::default());
        let mut resp = local(status(failure.status), failure.json_body(), Some(usage));
        if let Some(secs) = failure.retry_after_secs {
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }

    fn gateway_error(
        &self,
        facts: &RequestFacts,
        allowed: &Allowed,
        failure: &Failure,
        verify: Duration,
        upstream: Option<Duration>,
    ) -> Response<ProxyBody> {
        let mut record = facts.record(Answered::failed(allowed, failure));
        record.upstream_latency = upstream;
        let usage = self.pending(facts, record, Arc::default());
        let mut resp = local(status(failure.status), failure.json_body(), Some(usage));
        resp.headers_mut().insert(
            SERVER_TIMING_HEADER.clone(),
            server_timing_value(verify, upstream),
        );
        resp
    }

    /// Turns the client's headers into the upstream request's, in place,
    /// by the core's plan (`tokenctl_gateway::headers::UpstreamHeaderPlan`:
    /// drop, forward, `Host`, credential last).
    fn upstream_headers(
        &self,
        facts: &RequestFacts,
        route: &RouteUpstream,
        allowed: &Allowed,
        headers: &mut HeaderMap,
        uri: &Uri,
        forwarded: ForwardingInputs,
    ) {
        let client_host = forwarded.host;
        let plan = {
            let host = client_host
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .or_else(|| uri.authority().map(|a| a.as_str()));
            let (forwarded_for, proto) = match &facts.origin {
                Some(o) => (o.forwarded_for_before.as_deref(), o.proto),
                None => (
                    forwarded
                        .forwarded_for
                        .as_ref()
                        .and_then(|v| v.to_str().ok()),
                    facts.peer.scheme,
                ),
            };
            let forwarding = Forwarding {
                client_ip: Some(facts.client_ip_text()),
                forwarded_for,
                proto,
                host,
            };
            UpstreamHeaderPlan::new(
                || headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
                forwarding,
            )
        };
        // Values the plan usually sets, as header values already made: the
        // client's own `Host` (for `X-Forwarded-Host`) and, without a
        // trusted proxy, its address (for `X-Forwarded-For`).
        let mut known: [Option<(&str, HeaderValue)>; 2] = [None, None];
        if facts.origin.is_none() {
            known[0] = Some((&facts.peer.ip_text, facts.peer.ip_header.clone()));
        }
        if let Some(host) = &client_host {
            known[1] = host.to_str().ok().map(|text| (text, host.clone()));
        }
        let mut out = UpstreamHeaderMap {
            headers,
            route,
            known,
        };
        plan.apply(allowed, &mut out);
    }

    async fn forward(
        &self,
        facts: &RequestFacts,
        installed: &Installed,
        mut allowed: Allowed,
        req: Request<Incoming>,
        forwarded: ForwardingInputs,
        verify: Duration,
    ) -> Response<ProxyBody> {
        // Taken apart at once: what is kept across the waits below is part
        // of this future, which is moved whole between the layers above.
        let (parts, body) = req.into_parts();
        let http::request::Parts {
            method,
            uri,
            version,
            mut headers,
            ..
        } = parts;
        let route = installed.route_upstream(&allowed);
        // Taken, not copied: nothing below reads the URL again.
        let Some((origin, target)) = route.target(std::mem::take(&mut allowed.upstream_url)) else {
            return self.gateway_error(
                facts,
                &allowed,
                &Failure::UPSTREAM_UNREACHABLE,
                verify,
                None,
            );
        };
        if ladder::has(Rung::Credential) {
            self.upstream_headers(facts, route, &allowed, &mut headers, &uri, forwarded);
        }
        drop(uri);
        let bytes_in = Arc::new(AtomicU64::new(0));
        let (body, llm_request) = match allowed.llm {
            None => (CountingBody::new(body, bytes_in.clone()), None),
            Some(provider) => {
                // Boxed, like connecting upstream: only LLM routes read a
                // body first, and every request's future would carry it.
                let prepared = Box::pin(crate::llm::prepare(
                    provider,
                    target.path(),
                    &mut headers,
                    body,
                    &bytes_in,
                    allowed.timeout,
                ))
                .await;
                match prepared {
                    Ok((body, request)) => (body, Some(request)),
                    Err(crate::llm::BodyIncomplete) => {
                        return self.gateway_error(
                            facts,
                            &allowed,
                            &Failure::CLIENT_BODY_INCOMPLETE,
                            verify,
                            None,
                        )
                    }
                }
            }
        };
        let mut upstream_req = Request::new(body);
        *upstream_req.method_mut() = method;
        *upstream_req.uri_mut() = target;
        *upstream_req.version_mut() = Version::HTTP_11;
        *upstream_req.headers_mut() = headers;

        // The upstream write waits once for the other requests ready on
        // this worker (`crate::upstream`, `WriteAfterOthers`).
        let sent = Instant::now();
        let result = self
            .upstreams
            .send(
                allowed.upstream_access,
                origin,
                upstream_req,
                deadline(sent, allowed.timeout),
            )
            .await;
        let upstream = sent.elapsed();
        let resp = match result {
            Err(UpstreamError::TimedOut) => {
                return self.gateway_error(
                    facts,
                    &allowed,
                    &Failure::UPSTREAM_TIMEOUT,
                    verify,
                    Some(upstream),
                )
            }
            Err(e) => {
                if let Some(forbidden) = crate::resolve::forbidden_in(&e) {
                    tracing::warn!(route = %allowed.route_name, reason = %forbidden, "upstream refused by the address policy");
                    return self.gateway_error(
                        facts,
                        &allowed,
                        &Failure::UPSTREAM_FORBIDDEN,
                        verify,
                        Some(upstream),
                    );
                }
                tracing::debug!(error = %e, route = %allowed.route_name, "upstream request failed");
                return self.gateway_error(
                    facts,
                    &allowed,
                    &Failure::UPSTREAM_UNREACHABLE,
                    verify,
                    Some(upstream),
                );
            }
            Ok(resp) => resp,
        };
        let (mut rparts, rbody) = resp.into_parts();
        // The client's connection has its own protocol version.
        rparts.version = version;
        strip_hop_by_hop(&mut rparts.headers);
        if rparts.status.is_redirection() {
            rewrite_redirect(installed, &allowed, &mut rparts.headers);
        }
        if ladder::has(Rung::ServerTiming) {
            rparts.headers.insert(
                SERVER_TIMING_HEADER.clone(),
                server_timing_value(verify, Some(upstream)),
            );
        }
        if !ladder::has(Rung::UsageEvent) {
            let body = ProxyBody::Upstream {
                body: rbody,
                usage: None,
                bytes: 0,
                llm: None,
                rest: None,
            };
            return Response::from_parts(rparts, body);
        }
        let mut record = facts.record(Answered::forwarded(&allowed, rparts.status.as_u16()));
        record.upstream_latency = Some(upstream);
        let scan = llm_request.as_ref().and_then(|request| {
            let scan = crate::llm::scan(request, &mut rparts.headers);
            if scan.is_none() {
                // Unreadable (compressed, not JSON): the model asked for,
                // no counts.
                record.llm = Some(Box::new(LlmOutcome {
                    requested_model: request.model.clone(),
                    usage: None,
                }));
            }
            scan
        });
        let mut usage = self.pending(facts, record, bytes_in);
        if scan.is_some() {
            usage.quota = crate::quota::LlmCharge::of(&self.shared, installed, &allowed);
        }
        Response::from_parts(rparts, ProxyBody::upstream(rbody, usage, scan))
    }
}

/// When a request sent at `sent` with `timeout` must have its answer's
/// head (a timeout too long to add is as good as none).
fn deadline(sent: Instant, timeout: Duration) -> tokio::time::Instant {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    let sent = tokio::time::Instant::from_std(sent);
    sent.checked_add(timeout).unwrap_or(sent + YEAR)
}

/// `status` as a status code (every status the core answers with is one).
fn status(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY)
}

/// The upstream request's headers, as the core's plan edits them: the
/// client's header map, and this route's typed `Host` and credential.
struct UpstreamHeaderMap<'a> {
    headers: &'a mut HeaderMap,
    route: &'a RouteUpstream,
    /// Texts whose header value exists already (see `upstream_headers`).
    known: [Option<(&'a str, HeaderValue)>; 2],
}

impl UpstreamHeaderMap<'_> {
    /// `value` as a header value: one made already, a static one, or a
    /// new one (`None`: not a valid header value).
    fn value(&self, value: &str) -> Option<HeaderValue> {
        match value {
            "http" => return Some(HeaderValue::from_static("http")),
            "https" => return Some(HeaderValue::from_static("https")),
            _ => {}
        }
        self.known
            .iter()
            .flatten()
            .find(|(text, _)| *text == value)
            .map(|(_, made)| made.clone())
            .or_else(|| HeaderValue::from_str(value).ok())
    }
}

impl UpstreamHeaders for UpstreamHeaderMap<'_> {
    fn remove(&mut self, name: &str) {
        // `set_upstream_host` replaces every `Host` with the route's, which
        // is known here: removing it first would be one more lookup.
        if name == "host" && self.route.host.is_some() {
            return;
        }
        match usual_name(name) {
            Some(name) => self.headers.remove(name),
            None => self.headers.remove(name),
        };
    }

    fn set(&mut self, name: &'static str, value: &str) {
        if !ladder::has(Rung::Forwarded) {
            return;
        }
        let name = match name {
            "x-forwarded-for" => X_FORWARDED_FOR.clone(),
            "x-forwarded-proto" => X_FORWARDED_PROTO.clone(),
            "x-forwarded-host" => X_FORWARDED_HOST.clone(),
            other => HeaderName::from_static(other),
        };
        if let Some(v) = self.value(value) {
            self.headers.insert(name, v);
        }
    }

    // Set here rather than left to the client pool, which would format it
    // on every request.
    fn set_upstream_host(&mut self) {
        if let Some(host) = &self.route.host {
            self.headers.insert(HOST, host.clone());
        }
    }

    fn inject(&mut self, index: usize, _name: &str, _value: &str) {
        if let Some(Some((name, value))) = self.route.inject.get(index) {
            self.headers.insert(name.clone(), value.clone());
        }
    }
}

/// The header names a request or an answer usually loses, typed already,
/// for a lower-case name (as a `HeaderMap` spells them): found by
/// comparing, where parsing the name again would look it up among every
/// standard name.
fn usual_name(name: &str) -> Option<HeaderName> {
    use http::header::{
        CONNECTION, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER, TRANSFER_ENCODING,
        UPGRADE,
    };
    static KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
    static PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");
    let usual = match name {
        "host" => &HOST,
        "authorization" => &AUTHORIZATION,
        "x-api-key" => &X_API_KEY,
        "x-forwarded-for" => &X_FORWARDED_FOR,
        "connection" => &CONNECTION,
        "keep-alive" => &KEEP_ALIVE,
        "te" => &TE,
        "trailer" => &TRAILER,
        "transfer-encoding" => &TRANSFER_ENCODING,
        "upgrade" => &UPGRADE,
        "proxy-authenticate" => &PROXY_AUTHENTICATE,
        "proxy-authorization" => &PROXY_AUTHORIZATION,
        "proxy-connection" => &PROXY_CONNECTION,
        _ => return None,
    };
    Some(usual.clone())
}

/// Drops the upstream response's hop-by-hop headers (the core's list).
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Typed names, so that the map can be edited once the core's list no
    // longer borrows it: the usual ones as constants, others made from the
    // map's own lower-case text.
    let names: smallvec::SmallVec<[HeaderName; 4]> = {
        let hop_by_hop =
            response_headers_to_drop(|| headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())));
        hop_by_hop
            .iter()
            .filter_map(|name| {
                usual_name(name).or_else(|| HeaderName::from_bytes(name.as_bytes()).ok())
            })
            .collect()
    };
    for name in names {
        headers.remove(name);
    }
}

/// Points a redirect into the upstream back at this gateway's prefix.
fn rewrite_redirect(installed: &Installed, allowed: &Allowed, headers: &mut HeaderMap) {
    let Some(location) = headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
        return;
    };
    if let Some(rewritten) = redirect_location(&installed.gateway, allowed, location) {
        if let Ok(v) = HeaderValue::from_str(&rewritten) {
            headers.insert(LOCATION, v);
        }
    }
}
