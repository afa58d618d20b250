//! A usage event as the JSON text ingest reads, written straight into a
//! buffer: the bytes `serde_json` writes for [`UsageEvent`], without its
//! per-field machinery.
//!
//! Gateways encode one event per request, and the generic path escaped
//! every key and every id character by character (about half of an
//! event's cost). Here the keys are literals, ids and numbers are written
//! by `uuid`, `itoa` and `zmij` (the writers `serde_json` itself uses for
//! numbers), and only text that may need escaping goes through
//! `serde_json`. The property test below holds the two to the same bytes,
//! so the contract stays the derived `Serialize`.

use super::{EventView, UsageEvent};
use chrono::{DateTime, Datelike, Timelike, Utc};
use uuid::Uuid;

impl UsageEvent {
    /// Appends the event's compact JSON object to `out`: byte for byte what
    /// `serde_json::to_writer(out, self)` writes.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        self.view().write_json(out);
    }
}

impl EventView<'_> {
    /// Appends the event's compact JSON object to `out`: what
    /// [`UsageEvent::write_json`] writes for [`to_event`](Self::to_event),
    /// without the copy.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        uuid(out, &self.id);
        if let Some(id) = &self.token_id {
            out.extend_from_slice(b",\"token_id\":");
            uuid(out, id);
        }
        if let Some(id) = &self.route_id {
            out.extend_from_slice(b",\"route_id\":");
            uuid(out, id);
        }
        out.extend_from_slice(b",\"method\":");
        text(out, self.method);
        out.extend_from_slice(b",\"status\":");
        integer(out, self.status);
        out.extend_from_slice(b",\"latency_ms\":");
        float(out, self.latency_ms);
        if let Some(ms) = self.upstream_latency_ms {
            out.extend_from_slice(b",\"upstream_latency_ms\":");
            float(out, ms);
        }
        out.extend_from_slice(b",\"bytes_in\":");
        integer(out, self.bytes_in);
        out.extend_from_slice(b",\"bytes_out\":");
        integer(out, self.bytes_out);
        if let Some(ip) = &self.client_ip {
            out.extend_from_slice(b",\"client_ip\":");
            text(out, ip);
        }
        if let Some(agent) = &self.user_agent {
            out.extend_from_slice(b",\"user_agent\":");
            text(out, agent);
        }
        if let Some(code) = &self.error_code {
            out.extend_from_slice(b",\"error_code\":");
            text(out, code);
        }
        out.extend_from_slice(b",\"at\":\"");
        // RFC 3339 text is digits, `-`, `:`, `.`, `T` and `Z`: nothing to
        // escape.
        rfc3339(out, &self.at);
        out.push(b'"');
        if self.count != 1 {
            out.extend_from_slice(b",\"count\":");
            integer(out, self.count);
        }
        if let Some(model) = &self.model {
            out.extend_from_slice(b",\"model\":");
            text(out, model);
        }
        for (key, n) in [
            (&b",\"input_tokens\":"[..], self.input_tokens),
            (b",\"output_tokens\":", self.output_tokens),
            (b",\"cached_input_tokens\":", self.cached_input_tokens),
        ] {
            if let Some(n) = n {
                out.extend_from_slice(key);
                integer(out, n);
            }
        }
        out.push(b'}');
    }
}

/// `at` as chrono writes it for the event (`rfc3339_text`: RFC 3339 in
/// UTC with `Z`, the fraction in 0, 3, 6 or 9 digits, the fewest that hold
/// it), without the formatting machinery and the allocation, for years
/// 0–9999 without a leap second: every event's, after normalisation. The
/// rest goes through chrono.
fn rfc3339(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    let (date, time) = (at.date_naive(), at.time());
    let nanos = time.nanosecond();
    let year = match u32::try_from(date.year()) {
        Ok(year @ 0..=9999) if nanos < 1_000_000_000 => year,
        _ => {
            out.extend_from_slice(super::event::rfc3339_text(at).as_bytes());
            return;
        }
    };
    let mut text = *b"0000-00-00T00:00:00.000000000Z";
    digits(&mut text[0..4], year);
    digits(&mut text[5..7], date.month());
    digits(&mut text[8..10], date.day());
    digits(&mut text[11..13], time.hour());
    digits(&mut text[14..16], time.minute());
    digits(&mut text[17..19], time.second());
    let end = match nanos {
        0 => 19,
        n if n % 1_000_000 == 0 => {
            digits(&mut text[20..23], n / 1_000_000);
            23
        }
        n if n % 1_000 == 0 => {
            digits(&mut text[20..26], n / 1_000);
            26
        }
        n => {
            digits(&mut text[20..29], n);
            29
        }
    };
    out.extend_from_slice(&text[..end]);
    out.push(b'Z');
}

/// `n` in decimal, right-aligned in `place` (which holds enough digits).
fn digits(place: &mut [u8], mut n: u32) {
    for digit in place.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// An id as a JSON string, hyphenated and lower-case as `uuid` writes it:
/// the 16 bytes into hex in one call (a vector at a time where the CPU
/// has them), where `uuid`'s formatter converts a nibble at a time (about
/// 300 instructions more for an event's three ids).
fn uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut hex = [0u8; 32];
    const_hex::encode_to_slice(id.as_bytes(), &mut hex).expect("32 bytes hold 16 in hex");
    let mut text = [b'"'; 38];
    text[1..9].copy_from_slice(&hex[..8]);
    text[9] = b'-';
    text[10..14].copy_from_slice(&hex[8..12]);
    text[14] = b'-';
    text[15..19].copy_from_slice(&hex[12..16]);
    text[19] = b'-';
    text[20..24].copy_from_slice(&hex[16..20]);
    text[24] = b'-';
    text[25..37].copy_from_slice(&hex[20..]);
    out.extend_from_slice(&text);
}

fn integer(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// As `serde_json` writes an `f64`: the shortest round-trip text, `null`
/// for what JSON cannot hold.
fn float(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// A JSON string: copied as it is when nothing in it needs escaping (the
/// usual case: methods, addresses, codes), else escaped by `serde_json`.
fn text(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(out, s).expect("a string serialises");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encoded(event: &UsageEvent) -> String {
        let mut out = Vec::new();
        event.write_json(&mut out);
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn a_forwarded_request_reads_as_ingest_expects() {
        let event = UsageEvent {
            id: Uuid::from_u128(1),
            token_id: Some(Uuid::from_u128(0xab)),
            route_id: None,
            method: "POST".into(),
            status: 200,
            latency_ms: 1.0,
            upstream_latency_ms: Some(0.25),
            bytes_in: 113,
            bytes_out: 337,
            client_ip: Some("203.0.113.7".into()),
            user_agent: Some("n8n \"workflow\"\t\\".into()),
            error_code: None,
            at: "2026-12-04T12:00:00.123456Z".parse().unwrap(),
            count: 1,
            model: None,
            input_tokens: Some(12),
            output_tokens: None,
            cached_input_tokens: None,
        };
        assert_eq!(
            encoded(&event),
            concat!(
                r#"{"id":"00000000-0000-0000-0000-000000000001","#,
                r#""token_id":"00000000-0000-0000-0000-0000000000ab","#,
                r#""method":"POST","status":200,"latency_ms":1.0,"#,
                r#""upstream_latency_ms":0.25,"bytes_in":113,"bytes_out":337,"#,
                r#""client_ip":"203.0.113.7","user_agent":"n8n \"workflow\"\t\\","#,
                r#""at":"2026-12-04T12:00:00.123456Z","input_tokens":12}"#
            )
        );
    }

    #[test]
    fn ids_read_as_rfc_9562_text() {
        let mut out = Vec::new();
        uuid(
            &mut out,
            &Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
        );
        assert_eq!(out, br#""01234567-89ab-cdef-fedc-ba9876543210""#);
        out.clear();
        uuid(&mut out, &Uuid::max());
        assert_eq!(out, br#""ffffffff-ffff-ffff-ffff-ffffffffffff""#);
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![".{0,60}", "[ -~]{0,60}", "[\\x00-\\x7f]{0,20}"]
    }

    fn arb_float() -> impl Strategy<Value = f64> {
        prop_oneof![any::<f64>(), 0.0..100.0f64, Just(f64::NAN), Just(-0.0)]
    }

    fn arb_event() -> impl Strategy<Value = UsageEvent> {
        (
            (
                any::<u128>(),
                proptest::option::of(any::<u128>()),
                proptest::option::of(any::<u128>()),
                arb_text(),
                any::<u16>(),
                arb_float(),
                proptest::option::of(arb_float()),
                any::<u64>(),
                any::<u64>(),
            ),
            (
                proptest::option::of(arb_text()),
                proptest::option::of(arb_text()),
                proptest::option::of(arb_text()),
                -200_000_000_000i64..200_000_000_000,
                0u32..1_000_000_000,
                prop_oneof![Just(1u32), any::<u32>()],
            ),
            (
                proptest::option::of(arb_text()),
                proptest::option::of(any::<u64>()),
                proptest::option::of(any::<u64>()),
                proptest::option::of(any::<u64>()),
            ),
        )
            .prop_map(
                |(
                    (id, token, route, method, status, lat, up, bytes_in, bytes_out),
                    (ip, agent, code, secs, nanos, count),
                    (model, input, output, cached),
                )| UsageEvent {
                    id: Uuid::from_u128(id),
                    token_id: token.map(Uuid::from_u128),
                    route_id: route.map(Uuid::from_u128),
                    method,
                    status,
                    latency_ms: lat,
                    upstream_latency_ms: up,
                    bytes_in,
                    bytes_out,
                    client_ip: ip,
                    user_agent: agent,
                    error_code: code,
                    at: DateTime::from_timestamp(secs, nanos).unwrap_or_default(),
                    count,
                    model,
                    input_tokens: input,
                    output_tokens: output,
                    cached_input_tokens: cached,
                },
            )
    }

    proptest! {
        /// Times as chrono writes them, with fractions of every length
        /// (whole seconds, milli-, micro- and nanoseconds), years from
        /// before 0 to after 9999, and leap seconds.
        #[test]
        fn times_read_as_chrono_writes_them(
            secs in prop_oneof![
                -100_000_000_000i64..300_000_000_000,
                1_700_000_000i64..1_900_000_000,
            ],
            nanos in prop_oneof![
                0u32..2_000_000_000,
                (0u32..1_000).prop_map(|n| n * 1_000_000),
                (0u32..1_000_000).prop_map(|n| n * 1_000),
                Just(0u32),
            ],
        ) {
            // A leap second only at :59 (chrono refuses it elsewhere).
            let at = DateTime::from_timestamp(secs, nanos)
                .or_else(|| DateTime::from_timestamp(secs - secs.rem_euclid(60) + 59, nanos))
                .unwrap_or_default();
            let mut ours = Vec::new();
            rfc3339(&mut ours, &at);
            prop_assert_eq!(
                String::from_utf8(ours).unwrap(),
                super::super::event::rfc3339_text(&at)
            );
        }

        /// The contract is the derived `Serialize`: the same bytes for
        /// every event, whatever its text holds.
        #[test]
        fn writes_exactly_what_serde_json_writes(event in arb_event()) {
            let mut ours = Vec::new();
            event.write_json(&mut ours);
            prop_assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&event).unwrap()
            );
        }
    }
}
