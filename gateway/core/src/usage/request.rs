//! Building a request's usage event from what a front-end knows about it:
//! how it was answered (decided by the core's types, the same in every
//! front-end) and what the front-end measured.

use super::{EventView, UsageEvent};
use crate::failure::Failure;
use crate::llm::LlmUsage;
use crate::{Allowed, Denied};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::time::Duration;
use uuid::Uuid;

/// How a request was answered: the part of its usage event the answer
/// decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    /// The status sent to the client.
    pub status: u16,
    /// The identified token, if any.
    pub token_id: Option<Uuid>,
    /// The matched route, if any.
    pub route_id: Option<Uuid>,
    /// The gateway's code when it answered itself (or the response ended
    /// early), `None` when the upstream answered.
    pub error_code: Option<&'static str>,
    /// Refused before forwarding: such events are the first a front-end
    /// sheds when it must drop some.
    pub refused: bool,
}

impl Answered {
    /// Refused by the decision.
    pub fn denied(denied: &Denied) -> Answered {
        Answered {
            status: denied.status,
            token_id: denied.token_id,
            route_id: denied.route_id,
            error_code: Some(denied.code),
            refused: true,
        }
    }

    /// Refused before any decision (e.g. [`Failure::CONFIG_STALE`]).
    pub fn refused(failure: &Failure) -> Answered {
        Answered {
            status: failure.status,
            token_id: None,
            route_id: None,
            error_code: Some(failure.code),
            refused: true,
        }
    }

    /// Allowed, then answered by the gateway because the upstream failed.
    pub fn failed(allowed: &Allowed, failure: &Failure) -> Answered {
        Answered {
            status: failure.status,
            token_id: Some(allowed.token_id),
            route_id: Some(allowed.route_id),
            error_code: Some(failure.code),
            refused: false,
        }
    }

    /// Allowed and answered by the upstream with `status`.
    pub fn forwarded(allowed: &Allowed, status: u16) -> Answered {
        Answered {
            status,
            token_id: Some(allowed.token_id),
            route_id: Some(allowed.route_id),
            error_code: None,
            refused: false,
        }
    }

    /// The response did not reach its end, for the reason `code` (one of
    /// [`code::CLIENT_CLOSED`](crate::code::CLIENT_CLOSED),
    /// [`code::UPSTREAM_BODY_ERROR`](crate::code::UPSTREAM_BODY_ERROR)); a
    /// code the gateway answered with already stays.
    pub fn cut_short(&mut self, code: &'static str) {
        self.error_code.get_or_insert(code);
    }
}

/// What a request to an LLM route used, as far as the gateway could read
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LlmOutcome {
    /// The model the request asked for (see
    /// [`LlmRequest::model`](crate::llm::LlmRequest::model)).
    pub requested_model: Option<String>,
    /// What the response reported (see
    /// [`Finished::usage`](crate::llm::Finished::usage)); `None` when it
    /// reported nothing readable.
    pub usage: Option<LlmUsage>,
}

/// Everything one request's usage event says, as the front-end knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestUsage<'a> {
    /// When the request was received.
    pub at: DateTime<Utc>,
    /// Its method, as received.
    pub method: &'a str,
    /// The client address (from
    /// [`client_ip_text`](crate::headers::client_ip_text)), when known.
    pub client_ip: Option<&'a str>,
    /// The client's `User-Agent`, as received.
    pub user_agent: Option<&'a str>,
    /// How it was answered.
    pub answered: Answered,
    /// From receiving the request to the end of the response.
    pub latency: Duration,
    /// Waiting for the upstream's response headers, when forwarded.
    pub upstream_latency: Option<Duration>,
    /// Request body bytes received from the client.
    pub bytes_in: u64,
    /// Response body bytes sent to the client.
    pub bytes_out: u64,
    /// On an LLM route: the model and token counts; `None` elsewhere.
    pub llm: Option<&'a LlmOutcome>,
}

impl RequestUsage<'_> {
    /// The event to report, with the id `id` (see [`event_id`]),
    /// normalised by the core's rules at the front-end's time `now`, its
    /// text borrowed from `self`: what a front-end writes
    /// ([`EventView::write_json`]) without an owned event in between.
    pub fn view(&self, id: Uuid, now: DateTime<Utc>) -> EventView<'_> {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut view = EventView {
            id,
            token_id: self.answered.token_id,
            route_id: self.answered.route_id,
            method: self.method,
            status: self.answered.status,
            latency_ms: ms(self.latency),
            upstream_latency_ms: self.upstream_latency.map(ms),
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            client_ip: self.client_ip,
            user_agent: self.user_agent.map(Cow::Borrowed),
            error_code: self.answered.error_code,
            at: self.at,
            count: 1,
            model: None,
            input_tokens: None,
            output_tokens: None,
            cached_input_tokens: None,
        };
        if let Some(llm) = self.llm {
            let usage = llm.usage.as_ref();
            // The response names the model precisely (`gpt-4o-2024-08-06`
            // for `gpt-4o`); the request's is the fallback.
            view.model = usage
                .and_then(|u| u.model.as_deref())
                .or(llm.requested_model.as_deref());
            if let Some(u) = usage {
                view.input_tokens = Some(u.input_tokens);
                view.output_tokens = Some(u.output_tokens);
                view.cached_input_tokens = Some(u.cache_read_tokens);
            }
        }
        view.normalise(now);
        view
    }

    /// [`view`](Self::view), owned.
    pub fn event(&self, id: Uuid, now: DateTime<Utc>) -> UsageEvent {
        self.view(id, now).to_event()
    }
}

/// A time-ordered id (UUIDv7) for an event at `at`, from 10 random bytes
/// the front-end supplies (the core has no random source).
pub fn event_id(at: DateTime<Utc>, random: &[u8; 10]) -> Uuid {
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, random).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code;

    fn allowed() -> Allowed {
        Allowed {
            token_id: Uuid::from_u128(1),
            team_id: Uuid::from_u128(2),
            route_id: Uuid::from_u128(3),
            route_name: "r".into(),
            route_index: 0,
            upstream_url: "https://upstream.example/".into(),
            inject_headers: Vec::new().into(),
            timeout: Duration::from_secs(1),
            upstream_access: crate::UpstreamAccess::Public,
            llm: None,
        }
    }

    #[test]
    fn answers_decide_ids_status_and_code() {
        let a = allowed();
        assert_eq!(
            Answered::forwarded(&a, 201),
            Answered {
                status: 201,
                token_id: Some(a.token_id),
                route_id: Some(a.route_id),
                error_code: None,
                refused: false,
            }
        );
        let failed = Answered::failed(&a, &Failure::UPSTREAM_TIMEOUT);
        assert_eq!(
            (failed.status, failed.error_code, failed.refused),
            (504, Some(code::UPSTREAM_TIMEOUT), false)
        );
        let stale = Answered::refused(&Failure::CONFIG_STALE);
        assert_eq!(
            (
                stale.status,
                stale.token_id,
                stale.error_code,
                stale.refused
            ),
            (503, None, Some(code::CONFIG_STALE), true)
        );
        let mut cut = Answered::forwarded(&a, 200);
        cut.cut_short(code::CLIENT_CLOSED);
        cut.cut_short(code::UPSTREAM_BODY_ERROR);
        assert_eq!(
            cut.error_code,
            Some(code::CLIENT_CLOSED),
            "the first reason stays"
        );
        let mut timed_out = failed;
        timed_out.cut_short(code::CLIENT_CLOSED);
        assert_eq!(timed_out.error_code, Some(code::UPSTREAM_TIMEOUT));
    }

    #[test]
    fn the_event_is_normalised() {
        let at: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
        let long_agent = "a".repeat(10_000);
        let usage = RequestUsage {
            at,
            method: "AAAAAAAAAAAAAAAAAA",
            client_ip: Some("203.0.113.7"),
            user_agent: Some(&long_agent),
            answered: Answered::forwarded(&allowed(), 200),
            latency: Duration::from_millis(1500),
            upstream_latency: Some(Duration::from_micros(1250)),
            bytes_in: 3,
            bytes_out: 4,
            llm: None,
        };
        let id = event_id(at, &[7; 10]);
        let event = usage.event(id, at);
        assert_eq!(event.id, id);
        assert_eq!(event.method, crate::usage::event::OTHER_METHOD);
        assert_eq!(
            event.user_agent.as_deref().map(str::len),
            Some(crate::usage::event::USER_AGENT_MAX)
        );
        assert_eq!(
            (event.latency_ms, event.upstream_latency_ms),
            (1500.0, Some(1.25))
        );
        assert_eq!((event.bytes_in, event.bytes_out, event.count), (3, 4, 1));
        assert_eq!(event.client_ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(event.check(at), Ok(()));
    }

    #[test]
    fn llm_usage_fills_model_and_tokens() {
        let at: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
        let read = LlmOutcome {
            requested_model: Some("gpt-4o".into()),
            usage: Some(LlmUsage {
                model: Some("gpt-4o-2024-08-06".into()),
                input_tokens: 120,
                output_tokens: 7,
                cache_read_tokens: 100,
                complete: true,
                ..LlmUsage::default()
            }),
        };
        let mut usage = RequestUsage {
            at,
            method: "POST",
            client_ip: None,
            user_agent: None,
            answered: Answered::forwarded(&allowed(), 200),
            latency: Duration::from_millis(10),
            upstream_latency: None,
            bytes_in: 3,
            bytes_out: 4,
            llm: Some(&read),
        };
        let event = usage.event(event_id(at, &[1; 10]), at);
        assert_eq!(event.model.as_deref(), Some("gpt-4o-2024-08-06"));
        assert_eq!(
            (
                event.input_tokens,
                event.output_tokens,
                event.cached_input_tokens
            ),
            (Some(120), Some(7), Some(100))
        );
        // No usage read: the requested model, no counts.
        let unread = LlmOutcome {
            requested_model: Some("gpt-4o".into()),
            usage: None,
        };
        usage.llm = Some(&unread);
        let event = usage.event(event_id(at, &[1; 10]), at);
        assert_eq!(event.model.as_deref(), Some("gpt-4o"));
        assert_eq!((event.input_tokens, event.output_tokens), (None, None));
        // Not an LLM route.
        usage.llm = None;
        let event = usage.event(event_id(at, &[1; 10]), at);
        assert_eq!((event.model, event.input_tokens), (None, None));
    }

    proptest::proptest! {
        /// What a front-end writes from the view is the owned event's JSON
        /// as `serde_json` writes it, and ingest takes it: whatever the
        /// client sent (method, `User-Agent`), and whatever the upstream
        /// and the clock said.
        #[test]
        fn the_view_writes_the_event_ingest_takes(
            method in ".{0,24}",
            agent in proptest::option::of(".{0,300}"),
            ip in proptest::option::of(".{0,70}"),
            status in proptest::prelude::any::<u16>(),
            latency_us in proptest::prelude::any::<u64>(),
            upstream_us in proptest::option::of(proptest::prelude::any::<u64>()),
            bytes in proptest::prelude::any::<(u64, u64)>(),
            secs in -10_000_000_000i64..10_000_000_000,
            model in proptest::option::of(".{0,300}"),
            tokens in proptest::option::of(proptest::prelude::any::<(u64, u64, u64)>()),
            anonymous in proptest::prelude::any::<bool>(),
        ) {
            let now: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
            let at = DateTime::from_timestamp(secs, 0).unwrap_or(now);
            let mut answered = Answered::forwarded(&allowed(), status);
            if anonymous {
                answered = Answered {
                    status,
                    token_id: None,
                    route_id: None,
                    error_code: Some(code::INVALID_TOKEN),
                    refused: true,
                };
            }
            let llm = model.map(|model| LlmOutcome {
                requested_model: Some(model),
                usage: tokens.map(|(input, output, cached)| LlmUsage {
                    input_tokens: input,
                    output_tokens: output,
                    cache_read_tokens: cached,
                    ..LlmUsage::default()
                }),
            });
            let usage = RequestUsage {
                at,
                method: &method,
                client_ip: ip.as_deref(),
                user_agent: agent.as_deref(),
                answered,
                latency: Duration::from_micros(latency_us),
                upstream_latency: upstream_us.map(Duration::from_micros),
                bytes_in: bytes.0,
                bytes_out: bytes.1,
                llm: llm.as_ref(),
            };
            let id = event_id(at, &[3; 10]);
            let mut written = Vec::new();
            usage.view(id, now).write_json(&mut written);
            let event = usage.event(id, now);
            proptest::prop_assert_eq!(
                String::from_utf8(written.clone()).unwrap(),
                serde_json::to_string(&event).unwrap()
            );
            let read: UsageEvent = serde_json::from_slice(&written).unwrap();
            proptest::prop_assert_eq!(read.check(now), Ok(()));
        }
    }

    #[test]
    fn event_ids_are_v7_and_ordered_by_time() {
        let at: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
        let a = event_id(at, &[0xff; 10]);
        let b = event_id(at + chrono::TimeDelta::milliseconds(1), &[0; 10]);
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b);
        assert_ne!(event_id(at, &[1; 10]), event_id(at, &[2; 10]));
    }
}
