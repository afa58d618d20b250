//! The request path: authorize with the core, forward with the upstream's
//! credential, stream the answer back, record usage.

use crate::body::{CountingBody, PendingUsage, ProxyBody};
use crate::state::Shared;
use chrono::Utc;
use http::header::{HeaderName, HeaderValue, CONNECTION, HOST, LOCATION, RETRY_AFTER};
use http::{HeaderMap, Request, Response, StatusCode, Uri, Version};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenctl_gateway::headers::{forwarded_headers, rewrite_location, HopByHop};
use tokenctl_gateway::{Allowed, Denied, Gateway, RequestInfo, UsageEvent};

pub type HttpsClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    CountingBody,
>;

pub const HEALTH_PATH: &str = "/_gateway/health";

pub struct Proxy {
    pub shared: Arc<Shared>,
    pub client: HttpsClient,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `Server-Timing: verify;dur=0.021, upstream;dur=3.402` (milliseconds).
fn server_timing(verify: Duration, upstream: Option<Duration>) -> HeaderValue {
    let mut v = format!("verify;dur={:.3}", ms(verify));
    if let Some(u) = upstream {
        v.push_str(&format!(", upstream;dur={:.3}", ms(u)));
    }
    HeaderValue::from_str(&v).expect("ASCII")
}

/// An error the gateway itself answers with after a request was allowed.
struct Failure {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
}

const UPSTREAM_TIMEOUT: Failure = Failure {
    status: StatusCode::GATEWAY_TIMEOUT,
    code: "upstream_timeout",
    message: "the upstream did not answer in time",
};
const UPSTREAM_UNREACHABLE: Failure = Failure {
    status: StatusCode::BAD_GATEWAY,
    code: "upstream_unreachable",
    message: "the upstream could not be reached",
};

fn json_error(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

/// What every usage event of one request shares.
struct RequestFacts {
    started: Instant,
    at: chrono::DateTime<Utc>,
    method: String,
    client_ip: SocketAddr,
    user_agent: Option<String>,
}

impl RequestFacts {
    fn event(
        &self,
        status: u16,
        token: Option<uuid::Uuid>,
        route: Option<uuid::Uuid>,
        error: Option<&str>,
    ) -> UsageEvent {
        UsageEvent {
            id: uuid::Uuid::now_v7(),
            token_id: token,
            route_id: route,
            method: self.method.clone(),
            status,
            latency_ms: 0.0,
            upstream_latency_ms: None,
            bytes_in: 0,
            bytes_out: 0,
            client_ip: Some(self.client_ip.ip().to_canonical().to_string()),
            user_agent: self.user_agent.clone(),
            error_code: error.map(str::to_string),
            at: self.at,
        }
    }
}

impl Proxy {
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<ProxyBody>, Infallible> {
        let facts = RequestFacts {
            started: Instant::now(),
            at: Utc::now(),
            method: req.method().as_str().to_string(),
            client_ip: peer,
            user_agent: req
                .headers()
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect()),
        };
        if req.uri().path() == HEALTH_PATH {
            return Ok(self.health());
        }
        let Some(gateway) = self.shared.gateway.load_full() else {
            let mut resp = Response::new(ProxyBody::local(
                json_error("gateway_not_ready", "the gateway has no configuration yet"),
                None,
            ));
            *resp.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return Ok(resp);
        };
        let decision = {
            let headers = req.headers();
            let info = RequestInfo {
                method: req.method().as_str(),
                raw_path: req.uri().path(),
                query: req.uri().query(),
                api_key_header: headers.get("x-api-key").and_then(|v| v.to_str().ok()),
                authorization_header: headers
                    .get(http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok()),
                client_ip: Some(peer.ip()),
            };
            let mut limiter = self.shared.limiter.lock().expect("not poisoned");
            gateway.authorize(&mut limiter, &info, facts.at)
        };
        let verify = facts.started.elapsed();
        match decision {
            Err(denied) => Ok(self.deny(&facts, &denied, verify)),
            Ok(allowed) => Ok(self.forward(&facts, &gateway, allowed, req, verify).await),
        }
    }

    fn health(&self) -> Response<ProxyBody> {
        let report = self.shared.health_report();
        let status = if report.status == "no_config" {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        };
        let mut resp = Response::new(ProxyBody::local(
            serde_json::to_vec(&report).expect("serialises"),
            None,
        ));
        *resp.status_mut() = status;
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp
    }

    fn pending(
        &self,
        facts: &RequestFacts,
        event: UsageEvent,
        bytes_in: Arc<AtomicU64>,
    ) -> PendingUsage {
        PendingUsage {
            event,
            started: facts.started,
            bytes_in,
            sink: self.shared.usage.clone(),
        }
    }

    fn deny(&self, facts: &RequestFacts, denied: &Denied, verify: Duration) -> Response<ProxyBody> {
        let event = facts.event(
            denied.status,
            denied.token_id,
            denied.route_id,
            Some(denied.code),
        );
        let usage = self.pending(facts, event, Arc::default());
        let mut resp = Response::new(ProxyBody::local(denied.json_body(), Some(usage)));
        *resp.status_mut() = StatusCode::from_u16(denied.status).unwrap_or(StatusCode::FORBIDDEN);
        let h = resp.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert("server-timing", server_timing(verify, None));
        if let Some(secs) = denied.retry_after_secs {
            h.insert(RETRY_AFTER, HeaderValue::from(secs));
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
        let Failure {
            status,
            code,
            message,
        } = *failure;
        let mut event = facts.event(
            status.as_u16(),
            Some(allowed.token_id),
            Some(allowed.route_id),
            Some(code),
        );
        event.upstream_latency_ms = upstream.map(ms);
        let usage = self.pending(facts, event, Arc::default());
        let mut resp = Response::new(ProxyBody::local(json_error(code, message), Some(usage)));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert("server-timing", server_timing(verify, upstream));
        resp
    }

    async fn forward(
        &self,
        facts: &RequestFacts,
        gateway: &Gateway,
        allowed: Allowed,
        req: Request<Incoming>,
        verify: Duration,
    ) -> Response<ProxyBody> {
        let (parts, body) = req.into_parts();
        let client_version = parts.version;
        let uri: Uri = match allowed.upstream_url.parse() {
            Ok(u) => u,
            Err(_) => {
                return self.gateway_error(facts, &allowed, &UPSTREAM_UNREACHABLE, verify, None);
            }
        };
        let hop = HopByHop::from_connection(
            parts
                .headers
                .get_all(CONNECTION)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        let host = parts
            .headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()));
        let existing_for = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let forwarded = forwarded_headers(existing_for, Some(facts.client_ip.ip()), "http", host);
        let mut headers = HeaderMap::with_capacity(parts.headers.len() + 4);
        for (name, value) in &parts.headers {
            let n = name.as_str();
            if hop.is_hop_by_hop(n)
                || allowed
                    .strip_headers
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(n))
                || name == HOST
                || n.starts_with("x-forwarded-")
            {
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        for (name, value) in forwarded {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        }
        for (name, value) in &allowed.inject_headers {
            // Validated by the core when the snapshot was indexed.
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(n, v);
            }
        }
        let bytes_in = Arc::new(AtomicU64::new(0));
        let mut upstream_req = Request::new(CountingBody::new(body, bytes_in.clone()));
        *upstream_req.method_mut() = parts.method;
        *upstream_req.uri_mut() = uri;
        *upstream_req.version_mut() = Version::HTTP_11;
        *upstream_req.headers_mut() = headers;

        let sent = Instant::now();
        let result = tokio::time::timeout(allowed.timeout, self.client.request(upstream_req)).await;
        let upstream = sent.elapsed();
        let resp = match result {
            Err(_) => {
                return self.gateway_error(
                    facts,
                    &allowed,
                    &UPSTREAM_TIMEOUT,
                    verify,
                    Some(upstream),
                );
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, route = %allowed.route_name, "upstream request failed");
                return self.gateway_error(
                    facts,
                    &allowed,
                    &UPSTREAM_UNREACHABLE,
                    verify,
                    Some(upstream),
                );
            }
            Ok(Ok(resp)) => resp,
        };
        let (mut rparts, rbody) = resp.into_parts();
        // The client's connection has its own protocol version.
        rparts.version = client_version;
        let hop = HopByHop::from_connection(
            rparts
                .headers
                .get_all(CONNECTION)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        let drop: Vec<HeaderName> = rparts
            .headers
            .keys()
            .filter(|n| hop.is_hop_by_hop(n.as_str()))
            .cloned()
            .collect();
        for name in drop {
            rparts.headers.remove(name);
        }
        if rparts.status.is_redirection() {
            self.rewrite_redirect(gateway, &allowed, &mut rparts.headers);
        }
        rparts
            .headers
            .insert("server-timing", server_timing(verify, Some(upstream)));
        let mut event = facts.event(
            rparts.status.as_u16(),
            Some(allowed.token_id),
            Some(allowed.route_id),
            None,
        );
        event.upstream_latency_ms = Some(ms(upstream));
        let usage = self.pending(facts, event, bytes_in);
        Response::from_parts(rparts, ProxyBody::upstream(rbody, usage))
    }

    /// Points a redirect into the upstream back at this gateway's prefix.
    fn rewrite_redirect(&self, gateway: &Gateway, allowed: &Allowed, headers: &mut HeaderMap) {
        let Some(route) = gateway
            .routes()
            .routes()
            .iter()
            .find(|r| r.id == allowed.route_id)
        else {
            return;
        };
        let Some(location) = headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
            return;
        };
        if let Some(rewritten) = rewrite_location(location, &route.upstream, &route.path) {
            if let Ok(v) = HeaderValue::from_str(&rewritten) {
                headers.insert(LOCATION, v);
            }
        }
    }
}
