//! Usage: each request's event is counted (refusals without a valid
//! token, per client address and reason) or handed to the Queue, several
//! events to a message ([`crate::queue_message`]), whose consumer (this
//! same Worker) posts batches to the control plane; without a Queue,
//! batches are posted from isolate memory. What the server refuses goes to
//! the dead-letter queue, by the core's ingest contract.

use super::runtime::{datetime, js_error_text, now_ms, random10};
use super::state::{with_state, Settings};
use crate::plain::{batch_body, ingest_url};
use crate::queue_message::{events_of, message_body, take_message};
use futures_util::future::{self, Either};
use std::time::Duration;
use tokenctl_gateway::usage::{event_id, DenialAggregator, EventView, IngestAnswer, IngestResult};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{console_error, Context, Delay, Env, MessageBatch, MessageExt, Queue};

/// Queue producer for usage events (optional: without it, direct POSTs).
pub(super) const QUEUE_BINDING: &str = "USAGE";
/// Queue producer for events the server refused (optional: without it,
/// they are logged).
const DEAD_LETTER_BINDING: &str = "USAGE_DEAD_LETTER";

/// With a Queue: an isolate's events are gathered this long after the
/// first one, then sent several to a message; at most this many wait (the
/// oldest are dropped, with a log line, beyond that: only when sending
/// stalls).
const QUEUE_GATHER: Duration = Duration::from_millis(100);
const QUEUE_BUFFER: usize = 10_000;
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
pub(super) const DENIAL_WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(10);
pub(super) const DENIAL_ADDRESSES: usize = 1_000;

pub(super) const DIRECT_NOTE: &str =
    "no USAGE queue binding: usage events are posted to the server \
    directly, in batches from isolate memory; events still buffered when an isolate is \
    evicted are lost. Bind a Queue for at-least-once delivery.";

/// Records one request's event (built and normalised by the core, see
/// `RequestUsage`): either counted (a refusal without a valid token, see
/// [`DenialAggregator`]) or sent.
pub(super) fn record(env: &Env, ctx: &Context, event: EventView<'_>) {
    let env = env.clone();
    if DenialAggregator::takes(&event) {
        let event = event.to_event();
        let schedule = with_state(&env, |s| {
            s.denials.offer(event);
            !std::mem::replace(&mut s.denials_flushing, true)
        });
        if schedule {
            ctx.wait_until(async move { flush_denials(&env).await });
        }
        return;
    }
    let json = json_of(&event);
    ctx.wait_until(async move { send_usage(&env, json).await });
}

/// The event's JSON, as ingest reads it (the core's encoder).
pub(super) fn json_of(event: &EventView<'_>) -> String {
    let mut encoded = Vec::with_capacity(320);
    event.write_json(&mut encoded);
    String::from_utf8(encoded).expect("JSON is UTF-8")
}

/// Waits for the open denial windows to end, then sends their counts,
/// until none are left open (a window still open when a flush runs gets
/// the next one).
async fn flush_denials(env: &Env) {
    loop {
        Delay::from(DENIAL_WINDOW.to_std().unwrap_or_default() + Duration::from_secs(1)).await;
        let (events, more) = with_state(env, |s| {
            let events = s
                .denials
                .flush_due(datetime(now_ms()), |at| event_id(at, &random10()));
            let more = s.denials.pending() > 0;
            if !more {
                s.denials_flushing = false;
            }
            (events, more)
        });
        for event in events {
            send_usage(env, json_of(&event.view())).await;
        }
        if !more {
            return;
        }
    }
}

/// Hands one event's JSON to the Queue (or, without one, to the direct
/// batcher).
pub(super) async fn send_usage(env: &Env, json: String) {
    match env.queue(QUEUE_BINDING) {
        Ok(queue) => to_queue(env, &queue, json).await,
        Err(_) => direct(env, json).await,
    }
}

/// With a Queue: the event waits in isolate memory with the others of the
/// moment, and the request that starts a gathering sends them, several to
/// a message, in its `waitUntil` (which keeps the isolate until they are
/// sent). A message the Queue does not take is posted directly.
async fn to_queue(env: &Env, queue: &Queue, json: String) {
    let gather = with_state(env, |s| {
        wait_in(&mut s.queued, &mut s.queue_dropped, QUEUE_BUFFER, json);
        !std::mem::replace(&mut s.queue_gathering, true)
    });
    if !gather {
        return;
    }
    Delay::from(QUEUE_GATHER).await;
    loop {
        let events = with_state(env, |s| {
            let events = take_message(&mut s.queued);
            if events.is_empty() {
                s.queue_gathering = false;
            }
            events
        });
        if events.is_empty() {
            return;
        }
        if let Err(e) = queue.send(message_body(&events)).await {
            console_error!(
                "tokenctl worker: queue send failed ({e}); posting {} events directly",
                events.len()
            );
            let settings = with_state(env, |s| s.settings.clone());
            let (answer, detail) = post_events(&settings, &events).await;
            match answer {
                IngestAnswer::Accepted(result) => dead_letter(env, &events, &result, None).await,
                _ => {
                    for event in &events {
                        console_error!("tokenctl worker: usage event lost ({detail}): {event}");
                    }
                }
            }
        }
    }
}

/// Events the server refused (by position in `events`) go to the
/// dead-letter queue when one is bound, else to the log; either way they
/// are counted and never sent again. `whole`: the server refused the whole
/// payload, for this reason.
async fn dead_letter(env: &Env, events: &[String], refused: &IngestResult, whole: Option<&str>) {
    let entries: Vec<(&String, &str)> = match whole {
        Some(reason) => events.iter().map(|e| (e, reason)).collect(),
        None => refused.refused_in(events).collect(),
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

/// Adds an event to those waiting in isolate memory, at most `most` of
/// them: beyond that the oldest is dropped, counted and logged.
fn wait_in(waiting: &mut Vec<String>, dropped: &mut u64, most: usize, json: String) {
    if waiting.len() >= most {
        let lost = waiting.remove(0);
        *dropped += 1;
        console_error!("tokenctl worker: usage buffer full, event lost: {lost}");
    }
    waiting.push(json);
}

/// Without a Queue: buffer in isolate memory, and let the request that
/// starts a batch post it (in its `waitUntil`) a moment later.
async fn direct(env: &Env, json: String) {
    let (settings, flush) = with_state(env, |s| {
        wait_in(&mut s.direct, &mut s.direct_dropped, DIRECT_BUFFER, json);
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
                dead_letter(env, &batch, &result, None).await;
            }
            IngestAnswer::Rejected => {
                // Our own batches are well-formed; a refusal of the whole
                // is a server problem that resending will not fix.
                let reason = format!("the server refused the whole batch ({detail})");
                dead_letter(env, &batch, &IngestResult::default(), Some(&reason)).await;
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

/// The Queue consumer: posts each batch's events to the server. Taken →
/// ack (the events the server refused go to the dead-letter queue); a
/// payload refused as a whole → each message alone, and a message refused
/// as a whole event by event, to find the refused ones (dead-lettered; the
/// rest acked); anything else → retry (after the consumer's
/// `retry_delay`; after `max_retries` the dead-letter queue).
pub async fn consume(batch: MessageBatch<String>, env: Env) -> worker::Result<()> {
    let settings = with_state(&env, |s| s.settings.clone());
    let messages: Vec<_> = batch.raw_iter().collect();
    let per_message: Vec<Vec<String>> = messages
        .iter()
        .map(|m| {
            let body = m.body();
            let body = body.as_string().unwrap_or_else(|| {
                js_sys::JSON::stringify(&body)
                    .map(String::from)
                    .unwrap_or_default()
            });
            events_of(&body).map(String::from).collect()
        })
        .collect();
    let events = per_message.concat();
    let (answer, detail) = post_events(&settings, &events).await;
    match answer {
        IngestAnswer::Accepted(result) => {
            dead_letter(&env, &events, &result, None).await;
            batch.ack_all();
        }
        IngestAnswer::Retry => {
            console_error!(
                "tokenctl worker: usage ingest failed ({detail}); {} events will be retried",
                events.len()
            );
            batch.retry_all();
        }
        IngestAnswer::Rejected => {
            for (message, events) in messages.iter().zip(&per_message) {
                if post_alone(&env, &settings, events).await {
                    message.ack();
                } else {
                    message.retry();
                }
            }
        }
    }
    Ok(())
}

/// Posts one message's events after their batch was refused as a whole:
/// `true` once each is taken or dead-lettered, `false` to retry the
/// message.
async fn post_alone(env: &Env, settings: &Settings, events: &[String]) -> bool {
    // A message of several events first as a whole; refused as a whole (or
    // of one event), event by event.
    if events.len() > 1 {
        let (answer, _) = post_events(settings, events).await;
        match answer {
            IngestAnswer::Accepted(result) => {
                dead_letter(env, events, &result, None).await;
                return true;
            }
            IngestAnswer::Retry => return false,
            IngestAnswer::Rejected => {}
        }
    }
    let mut done = true;
    for event in events {
        let one = std::slice::from_ref(event);
        let (answer, detail) = post_events(settings, one).await;
        match answer {
            IngestAnswer::Accepted(result) => dead_letter(env, one, &result, None).await,
            IngestAnswer::Rejected => {
                let reason = format!("the server refused the event ({detail})");
                dead_letter(env, one, &IngestResult::default(), Some(&reason)).await;
            }
            IngestAnswer::Retry => done = false,
        }
    }
    done
}
