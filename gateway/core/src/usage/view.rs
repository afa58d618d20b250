//! An event whose text is borrowed: what a front-end writes for a request
//! straight from what it kept of the request, without first copying the
//! method, the client's address and `User-Agent` into an owned
//! [`UsageEvent`] (see [`RequestUsage::view`](super::RequestUsage::view)).
//!
//! The normalisation rules live here, once: [`UsageEvent::normalise`] is
//! this view's, applied to an owned event.

use super::event::{
    clamp_latency, clean_text, error_code_ok, method_ok, model_ok, text_ok, CLIENT_IP_MAX,
    COUNT_MAX, MAX_AGE, MAX_FUTURE, OTHER_METHOD, TOKENS_MAX, USER_AGENT_MAX,
};
use super::UsageEvent;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use uuid::Uuid;

/// A [`UsageEvent`] with borrowed text; its fields mean what the event's
/// do.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct EventView<'a> {
    pub id: Uuid,
    pub token_id: Option<Uuid>,
    pub route_id: Option<Uuid>,
    pub method: &'a str,
    pub status: u16,
    pub latency_ms: f64,
    pub upstream_latency_ms: Option<f64>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub client_ip: Option<&'a str>,
    /// Owned only when normalising had to clean it.
    pub user_agent: Option<Cow<'a, str>>,
    pub error_code: Option<&'a str>,
    pub at: DateTime<Utc>,
    pub count: u32,
    pub model: Option<&'a str>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cached_input_tokens: Option<u64>,
}

impl UsageEvent {
    /// This event, its text borrowed.
    pub fn view(&self) -> EventView<'_> {
        EventView {
            id: self.id,
            token_id: self.token_id,
            route_id: self.route_id,
            method: &self.method,
            status: self.status,
            latency_ms: self.latency_ms,
            upstream_latency_ms: self.upstream_latency_ms,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            client_ip: self.client_ip.as_deref(),
            user_agent: self.user_agent.as_deref().map(Cow::Borrowed),
            error_code: self.error_code.as_deref(),
            at: self.at,
            count: self.count,
            model: self.model.as_deref(),
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            cached_input_tokens: self.cached_input_tokens,
        }
    }

    /// Brings an event a front-end is recording within the limits of
    /// [`check`](Self::check) (at the front-end's time `now`), so a client
    /// cannot make its own request's event one that ingest refuses (the
    /// rules: [`EventView::normalise`]).
    pub fn normalise(&mut self, now: DateTime<Utc>) {
        let mut view = self.view();
        view.normalise(now);
        *self = view.to_event();
    }
}

impl EventView<'_> {
    /// The owned event.
    pub fn to_event(&self) -> UsageEvent {
        UsageEvent {
            id: self.id,
            token_id: self.token_id,
            route_id: self.route_id,
            method: self.method.to_string(),
            status: self.status,
            latency_ms: self.latency_ms,
            upstream_latency_ms: self.upstream_latency_ms,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            client_ip: self.client_ip.map(str::to_string),
            user_agent: self.user_agent.as_deref().map(str::to_string),
            error_code: self.error_code.map(str::to_string),
            at: self.at,
            count: self.count,
            model: self.model.map(str::to_string),
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            cached_input_tokens: self.cached_input_tokens,
        }
    }

    /// Brings the event within the limits of
    /// [`UsageEvent::check`] at the front-end's time `now`:
    ///
    /// * a method that is not a token of at most
    ///   [`METHOD_MAX`](super::event::METHOD_MAX) characters becomes
    ///   [`OTHER_METHOD`];
    /// * a status outside 100–599 becomes 599 (an upstream's nonsense
    ///   status is a server-side failure);
    /// * latencies are clamped to 0–[`LATENCY_MAX_MS`](super::event::LATENCY_MAX_MS)
    ///   (not-a-number: 0);
    /// * byte counts are clamped to `i64::MAX`, `count` to 1–[`COUNT_MAX`];
    /// * `User-Agent` loses control characters and is cut to
    ///   [`USER_AGENT_MAX`] bytes; an over-long client address or a
    ///   malformed error code is dropped;
    /// * an empty, over-long or control-character model name is dropped,
    ///   token counts are clamped to [`TOKENS_MAX`];
    /// * `at` is pulled into the accepted window around `now`.
    ///
    /// Only the id cannot be repaired here (the core generates none): a
    /// nil id stays refused. Text is copied only where it changes (a
    /// `User-Agent` that must be cleaned).
    pub fn normalise(&mut self, now: DateTime<Utc>) {
        if !method_ok(self.method) {
            self.method = OTHER_METHOD;
        }
        if !(100..=599).contains(&self.status) {
            self.status = 599;
        }
        self.latency_ms = clamp_latency(self.latency_ms);
        self.upstream_latency_ms = self.upstream_latency_ms.map(clamp_latency);
        let max = i64::MAX as u64;
        self.bytes_in = self.bytes_in.min(max);
        self.bytes_out = self.bytes_out.min(max);
        self.count = self.count.clamp(1, COUNT_MAX);
        if let Some(agent) = &mut self.user_agent {
            if !text_ok(Some(agent), USER_AGENT_MAX) {
                *agent = Cow::Owned(clean_text(agent, USER_AGENT_MAX));
            }
        }
        if !text_ok(self.client_ip, CLIENT_IP_MAX) {
            self.client_ip = None;
        }
        if !error_code_ok(self.error_code) {
            self.error_code = None;
        }
        if !model_ok(self.model) {
            self.model = None;
        }
        for n in [
            &mut self.input_tokens,
            &mut self.output_tokens,
            &mut self.cached_input_tokens,
        ] {
            *n = n.map(|n| n.min(TOKENS_MAX));
        }
        if self.at > now + MAX_FUTURE || self.at < now - MAX_AGE {
            self.at = now;
        }
    }
}
