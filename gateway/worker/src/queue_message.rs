//! How usage events travel through the Queue: several to a message.
//!
//! A Queue bills and simulates per message, and each `send` is a call out
//! of the isolate; one message per request made the Queue the largest part
//! of a proxied request's cost under workerd. An isolate now gathers the
//! events of the requests it serves for a moment and sends them as one
//! message: the events' JSON (the core's encoder, one object per event,
//! never a raw newline inside) joined with `\n`. A message of one event,
//! as earlier versions sent, reads the same way, so messages already queued
//! when a new version is deployed are still consumed.

/// Most events in one message.
pub const MAX_EVENTS: usize = 100;

/// Most bytes in one message: a Queue message holds at most 128 KB.
pub const MAX_BYTES: usize = 96 * 1024;

/// One message's body: `events` joined with `\n`.
pub fn message_body<S: AsRef<str>>(events: &[S]) -> String {
    let len = events.iter().map(|e| e.as_ref().len() + 1).sum::<usize>();
    let mut out = String::with_capacity(len);
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(e.as_ref());
    }
    out
}

/// The events of one message's body (empty lines skipped).
pub fn events_of(body: &str) -> impl Iterator<Item = &str> {
    body.split('\n').map(str::trim).filter(|e| !e.is_empty())
}

/// Takes the next message's events from the front of `waiting`: as many as
/// fit [`MAX_EVENTS`] and [`MAX_BYTES`], and always at least one (an event
/// is far smaller than a message, so the bound can only be passed by one
/// that a message could not hold anyway, and the Queue says so).
pub fn take_message(waiting: &mut Vec<String>) -> Vec<String> {
    let mut bytes = 0;
    let mut n = 0;
    for e in waiting.iter().take(MAX_EVENTS) {
        let len = e.len() + usize::from(n > 0);
        if n > 0 && bytes + len > MAX_BYTES {
            break;
        }
        bytes += len;
        n += 1;
    }
    waiting.drain(..n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(i: usize, len: usize) -> String {
        let prefix = format!(r#"{{"id":"{i}","pad":""#);
        let pad = len.saturating_sub(prefix.len() + 2);
        format!("{prefix}{}\"}}", "x".repeat(pad))
    }

    #[test]
    fn a_message_reads_back_as_its_events() {
        let events = vec![event(1, 300), event(2, 40), event(3, 1000)];
        let body = message_body(&events);
        assert_eq!(body.matches('\n').count(), 2);
        assert_eq!(events_of(&body).collect::<Vec<_>>(), events);
        for e in events_of(&body) {
            serde_json::from_str::<serde_json::Value>(e).expect("each is one JSON object");
        }
    }

    #[test]
    fn a_message_of_one_event_as_earlier_versions_sent_reads_as_that_event() {
        let one = event(7, 250);
        assert_eq!(events_of(&one).collect::<Vec<_>>(), [one.as_str()]);
        assert_eq!(message_body(&[&one]), one);
        assert_eq!(events_of("").count(), 0);
        assert_eq!(events_of("\n\n").count(), 0);
    }

    #[test]
    fn messages_hold_at_most_max_events_in_order() {
        let mut waiting: Vec<String> = (0..250).map(|i| event(i, 300)).collect();
        let all = waiting.clone();
        let mut sent = Vec::new();
        let mut sizes = Vec::new();
        while !waiting.is_empty() {
            let m = take_message(&mut waiting);
            sizes.push(m.len());
            sent.extend(m);
        }
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(sent, all, "every event once, in order");
    }

    #[test]
    fn messages_stay_under_max_bytes() {
        // 2,000-byte events: 49 of them and their newlines fit 96 KiB.
        let mut waiting: Vec<String> = (0..120).map(|i| event(i, 2000)).collect();
        let mut sizes = Vec::new();
        while !waiting.is_empty() {
            let m = take_message(&mut waiting);
            assert!(message_body(&m).len() <= MAX_BYTES);
            sizes.push(m.len());
        }
        assert_eq!(sizes, [49, 49, 22]);
    }

    #[test]
    fn an_event_larger_than_a_message_goes_alone() {
        let mut waiting = vec![event(1, MAX_BYTES + 10), event(2, 100)];
        assert_eq!(take_message(&mut waiting).len(), 1);
        assert_eq!(take_message(&mut waiting).len(), 1);
        assert!(take_message(&mut waiting).is_empty());
    }
}
