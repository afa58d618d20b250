//! The LLM usage scanner and request rewrite, through the public API: hand
//! written provider responses (see `llm_fixtures`), fed whole, byte by byte
//! and split at arbitrary points; arbitrary byte streams; arbitrary
//! request bodies.

mod llm_fixtures;

use llm_fixtures::Fixture;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map, Value};
use tokenctl_gateway::llm::{
    inspect_request, Feed, Finished, Inspection, LlmUsage, Provider, ResponseKind, UsageScanner,
    EVENT_HOLD_MAX,
};

/// What the client receives and the usage read when `chunks` pass.
fn run<'a>(
    kind: ResponseKind,
    strip: bool,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<u8>, Option<LlmUsage>) {
    let mut scanner = UsageScanner::new(kind, strip);
    let mut client = Vec::new();
    for chunk in chunks {
        let feed = scanner.feed(chunk);
        assert!(scanner.held() <= EVENT_HOLD_MAX, "held {}", scanner.held());
        if !strip {
            assert_eq!(feed, Feed::Chunk, "nothing changes unless stripping");
        }
        client.extend_from_slice(feed.bytes(chunk));
    }
    let Finished { rest, usage } = scanner.finish();
    client.extend_from_slice(&rest);
    (client, usage)
}

/// `bytes` cut at `cuts` (in any order, repeats allowed).
fn split<'a>(bytes: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.sort_unstable();
    let mut pieces = Vec::with_capacity(at.len() + 1);
    let mut from = 0;
    for to in at {
        pieces.push(&bytes[from..to]);
        from = to;
    }
    pieces.push(&bytes[from..]);
    pieces
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check(f: &Fixture, chunks: Vec<&[u8]>, how: &str) {
    let (client, usage) = run(f.kind, f.strip, chunks);
    assert_eq!(show(&client), f.client, "{}: {how}", f.name);
    assert_eq!(usage, f.usage, "{}: {how}", f.name);
}

#[test]
fn fixtures_fed_whole() {
    for f in llm_fixtures::all() {
        check(&f, vec![f.upstream.as_bytes()], "whole");
        if !f.strip {
            assert_eq!(f.client, f.upstream);
        }
    }
}

#[test]
fn fixtures_fed_byte_by_byte() {
    for f in llm_fixtures::all() {
        check(
            &f,
            f.upstream.as_bytes().chunks(1).collect(),
            "1-byte chunks",
        );
    }
}

#[test]
fn fixtures_split_once_anywhere() {
    for f in llm_fixtures::all() {
        let bytes = f.upstream.as_bytes();
        for at in 0..=bytes.len() {
            check(
                &f,
                vec![&bytes[..at], &bytes[at..]],
                &format!("split at {at}"),
            );
        }
    }
}

#[test]
fn fixtures_split_by_line_and_event() {
    for f in llm_fixtures::all() {
        let lines: Vec<&[u8]> = f
            .upstream
            .as_bytes()
            .split_inclusive(|&b| b == b'\n')
            .collect();
        check(&f, lines, "one line per chunk");
        let events: Vec<&str> = f.upstream.split_inclusive("\n\n").collect();
        check(
            &f,
            events.iter().map(|e| e.as_bytes()).collect(),
            "one event per chunk",
        );
    }
}

#[test]
fn empty_chunks_change_nothing() {
    for f in llm_fixtures::all() {
        let bytes = f.upstream.as_bytes();
        let mid = bytes.len() / 2;
        check(
            &f,
            vec![b"", &bytes[..mid], b"", b"", &bytes[mid..], b""],
            "with empty chunks",
        );
    }
}

/// The stripped stream is byte for byte what the client gets from the
/// provider without usage asked for; with usage asked for by the client
/// itself, nothing changes (the acceptance criteria of the spend issue).
#[test]
fn stripping_restores_the_stream_without_usage_and_only_then() {
    use llm_fixtures::{OPENAI_STREAM, OPENAI_STREAM_WITH_USAGE};
    let upstream = OPENAI_STREAM_WITH_USAGE.as_bytes();
    let (stripped, _) = run(ResponseKind::EventStream, true, [upstream]);
    assert_eq!(show(&stripped), OPENAI_STREAM);
    let (kept, _) = run(ResponseKind::EventStream, false, [upstream]);
    assert_eq!(kept, upstream);
    // A JSON answer (an error) is never changed, stripping or not.
    let err = llm_fixtures::OPENAI_ERROR_JSON.as_bytes();
    assert_eq!(run(ResponseKind::Json, true, [err]).0, err);
}

/// Whole events in whole chunks (what upstreams write) are forwarded
/// without a copy, also while stripping, except where something is
/// removed.
#[test]
fn whole_events_pass_without_copies() {
    let upstream = llm_fixtures::OPENAI_STREAM_WITH_USAGE;
    let mut s = UsageScanner::new(ResponseKind::EventStream, true);
    let events: Vec<&str> = upstream.split_inclusive("\n\n").collect();
    assert_eq!(s.feed(b": comment\n\n"), Feed::Chunk);
    for (i, event) in events.iter().enumerate() {
        let feed = s.feed(event.as_bytes());
        match i {
            0..=3 => assert!(
                matches!(&feed, Feed::Bytes(b) if !show(b).contains("usage")),
                "chunk {i}: usage:null cut out"
            ),
            4 => assert_eq!(feed, Feed::Bytes(Vec::new()), "the usage chunk"),
            _ => assert_eq!(feed, Feed::Chunk, "[DONE]"),
        }
    }
    let mut s = UsageScanner::new(ResponseKind::EventStream, true);
    for event in llm_fixtures::OPENAI_STREAM.split_inclusive("\n\n") {
        assert_eq!(s.feed(event.as_bytes()), Feed::Chunk);
    }
}

/// An event that ends with CR, and whose LF comes in the next chunk, is
/// only resolved then; the LF goes with it.
#[test]
fn a_crlf_split_between_chunks_stays_with_its_event() {
    let usage_chunk =
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\r\n\r";
    let mut s = UsageScanner::new(ResponseKind::EventStream, true);
    assert_eq!(s.feed(usage_chunk.as_bytes()), Feed::Bytes(Vec::new()));
    assert_eq!(s.held(), usage_chunk.len());
    assert_eq!(
        s.feed(b"\ndata: [DONE]\r\n\r\n"),
        Feed::Bytes(b"data: [DONE]\r\n\r\n".to_vec())
    );
    assert_eq!(s.held(), 0);
    let f = s.finish();
    assert!(f.rest.is_empty());
    assert_eq!(
        f.usage.map(|u| (u.input_tokens, u.output_tokens)),
        Some((1, 2))
    );

    // The stream ends right after the CR: the event is complete.
    let mut s = UsageScanner::new(ResponseKind::EventStream, true);
    assert_eq!(s.feed(usage_chunk.as_bytes()), Feed::Bytes(Vec::new()));
    assert_eq!(s.finish().rest, b"");
}

#[test]
fn an_unfinished_event_is_passed_on_at_the_end() {
    let tail = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n";
    let mut s = UsageScanner::new(ResponseKind::EventStream, true);
    assert_eq!(s.feed(tail.as_bytes()), Feed::Bytes(Vec::new()));
    let f = s.finish();
    assert_eq!(f.rest, tail.as_bytes(), "not dispatched, so not stripped");
    let u = f.usage.unwrap();
    assert_eq!((u.input_tokens, u.output_tokens, u.complete), (1, 2, true));
}

/// Events longer than the hold limit pass as they come and stay as they
/// are, whatever the chunking; their usage is still read.
#[test]
fn events_over_the_hold_limit_pass_unchanged() {
    let long = "x".repeat(EVENT_HOLD_MAX);
    let content = format!(
        "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{long}\"}}}}],\"usage\":null}}\n\n"
    );
    let usage = format!(
        "data: {{\"choices\":[],\"note\":\"{long}\",\"usage\":{{\"prompt_tokens\":7,\"completion_tokens\":8}}}}\n\n"
    );
    let upstream = format!("{content}{usage}data: [DONE]\n\n");
    let bytes = upstream.as_bytes();
    for chunks in [
        vec![bytes],
        bytes.chunks(1000).collect(),
        bytes.chunks(EVENT_HOLD_MAX - 1).collect(),
    ] {
        let (client, usage) = run(ResponseKind::EventStream, true, chunks);
        assert_eq!(client, bytes);
        let u = usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (7, 8));
    }
}

#[test]
fn megabytes_of_content_are_read_with_flat_memory() {
    let content = "Lorem ipsum \\\"dolor\\\" sit amet. ".repeat(64 * 1024); // 2 MiB
    let body = format!(
        r#"{{"id":"chatcmpl-1","model":"gpt-4o","choices":[{{"message":{{"role":"assistant","content":"{content}"}}}}],"usage":{{"prompt_tokens":5,"completion_tokens":500000}}}}"#
    );
    let (client, usage) = run(ResponseKind::Json, false, body.as_bytes().chunks(16 * 1024));
    assert_eq!(client.len(), body.len());
    assert_eq!(usage.unwrap().output_tokens, 500_000);
    // A million-character line in an event stream, 1 KiB at a time.
    let event = format!(
        "data: {{\"type\":\"content_block_delta\",\"delta\":{{\"text\":\"{}\"}}}}\n\n",
        "y".repeat(1 << 20)
    );
    let mut s = UsageScanner::new(ResponseKind::EventStream, false);
    for chunk in event.as_bytes().chunks(1024) {
        assert_eq!(s.feed(chunk), Feed::Chunk);
        assert_eq!(s.held(), 0);
    }
}

/// Bytes that look like an event stream, the more to go wrong.
fn sse_soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data: ".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"data".to_vec()),
        Just(b"event: x".to_vec()),
        Just(b": c".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(br#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#.to_vec()),
        Just(br#"{"choices":[{}],"usage":null}"#.to_vec()),
        Just(br#"{"usage":null,"model":"m"}"#.to_vec()),
        Just(br#"{"message":{"usage":{"input_tokens":3}}}"#.to_vec()),
        Just(br#""usage""#.to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"\\".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any fixture, split anywhere: the same bytes reach the client and
    /// the same usage is read as when fed whole.
    #[test]
    fn fixtures_split_anywhere(which in any::<Index>(), cuts in prop::collection::vec(any::<Index>(), 0..48)) {
        let fixtures = llm_fixtures::all();
        let f = which.get(&fixtures);
        let (client, usage) = run(f.kind, f.strip, split(f.upstream.as_bytes(), &cuts));
        prop_assert_eq!(show(&client), f.client.clone(), "{}", f.name);
        prop_assert_eq!(usage, f.usage.clone(), "{}", f.name);
    }

    /// Arbitrary event-stream-like bytes, split anywhere: no panic, bounded
    /// holding, unchanged when not stripping, and the same result whatever
    /// the split.
    #[test]
    fn arbitrary_streams(bytes in sse_soup(), cuts in prop::collection::vec(any::<Index>(), 0..24), strip in any::<bool>()) {
        let whole = run(ResponseKind::EventStream, strip, [&bytes[..]]);
        let pieces = run(ResponseKind::EventStream, strip, split(&bytes, &cuts));
        let ones = run(ResponseKind::EventStream, strip, bytes.chunks(1));
        if !strip {
            prop_assert_eq!(&whole.0, &bytes);
        }
        prop_assert!(whole.0.len() <= bytes.len());
        prop_assert_eq!(&whole, &pieces);
        prop_assert_eq!(&whole, &ones);
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048), cuts in prop::collection::vec(any::<Index>(), 0..8), strip in any::<bool>()) {
        for kind in [ResponseKind::Json, ResponseKind::EventStream] {
            let whole = run(kind, strip, [&bytes[..]]);
            let pieces = run(kind, strip, split(&bytes, &cuts));
            prop_assert_eq!(&whole, &pieces);
            if !strip {
                prop_assert_eq!(&whole.0, &bytes);
            }
        }
    }
}

// ------------------------------------------------------- request side

/// A JSON object's text, members in the given order, with the given
/// whitespace around punctuation.
fn object_text(members: &[(String, Value)], ws: &str, pretty_values: bool) -> String {
    let mut out = format!("{ws}{{{ws}");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push_str(&format!("{ws},{ws}"));
        }
        let value = if pretty_values {
            serde_json::to_string_pretty(v).unwrap()
        } else {
            v.to_string()
        };
        out.push_str(&format!("{}{ws}:{ws}{value}", Value::from(k.as_str())));
    }
    out.push_str(&format!("{ws}}}{ws}"));
    out
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What the client may have sent as `stream_options` (`None`: nothing).
fn stream_options() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        Just(Some(json!({}))),
        Just(Some(json!({"include_usage": false}))),
        Just(Some(json!({"include_usage": null}))),
        Just(Some(json!({"include_usage": true}))),
        Just(Some(json!({"include_obfuscation": false}))),
        Just(Some(
            json!({"include_obfuscation": true, "include_usage": false})
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The rewritten body is the client's JSON with
    /// `stream_options.include_usage: true`, and every byte outside that
    /// edit is the client's.
    #[test]
    fn request_rewrite_adds_include_usage_and_keeps_the_rest(
        others in prop::collection::btree_map("[a-z_]{1,12}", value(), 0..8),
        options in stream_options(),
        stream_at in any::<Index>(),
        options_at in any::<Index>(),
        ws in prop_oneof![Just(""), Just(" "), Just("\n  "), Just("\t")],
        pretty in any::<bool>(),
    ) {
        let mut members: Vec<(String, Value)> = others
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "stream" | "stream_options" | "model"))
            .collect();
        members.insert(0, ("model".into(), Value::from("gpt-4o")));
        members.insert(stream_at.index(members.len() + 1), ("stream".into(), Value::Bool(true)));
        if let Some(o) = &options {
            members.insert(options_at.index(members.len() + 1), ("stream_options".into(), o.clone()));
        }
        let body = object_text(&members, ws, pretty);
        let r = inspect_request(Provider::OpenAi, "/v1/chat/completions", body.as_bytes());
        prop_assert_eq!(r.inspection, Inspection::Inspected);
        prop_assert!(r.stream);
        prop_assert_eq!(r.model.as_deref(), Some("gpt-4o"));

        let client_asked = options
            .as_ref()
            .is_some_and(|o| o.get("include_usage") == Some(&Value::Bool(true)));
        if client_asked {
            prop_assert!(!r.usage_added && r.body.is_none());
            return Ok(());
        }
        prop_assert!(r.usage_added);
        let new = r.body.expect("a rewritten body");

        // Same members, plus include_usage.
        let mut expected: Map<String, Value> = serde_json::from_str(&body).unwrap();
        let mut opts = match expected.remove("stream_options") {
            Some(Value::Object(o)) => o,
            _ => Map::new(),
        };
        opts.insert("include_usage".into(), Value::Bool(true));
        expected.insert("stream_options".into(), Value::Object(opts));
        let got: Map<String, Value> = serde_json::from_slice(&new).unwrap();
        prop_assert_eq!(got, expected);

        // Byte for byte the same outside one edit, which replaced at most
        // a literal (`null` or `false`).
        let old = body.as_bytes();
        let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let max_suffix = old.len().min(new.len()) - prefix;
        let suffix = old.iter().rev().zip(new.iter().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
        let replaced = &old[prefix..old.len() - suffix];
        prop_assert!(replaced.len() <= 5 && replaced.iter().all(|b| b"nulfase".contains(b)), "replaced {:?}", show(replaced));
    }

    #[test]
    fn request_inspection_never_panics(body in prop::collection::vec(any::<u8>(), 0..512), path in "/[a-z/]{0,24}") {
        for provider in Provider::ALL {
            let r = inspect_request(provider, &path, &body);
            prop_assert_eq!(r.usage_added, r.body.is_some());
        }
    }
}

#[test]
fn request_then_response_round_trip() {
    let body =
        br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"stream":true}"#;
    let request = inspect_request(Provider::OpenAi, "/v1/chat/completions", body);
    assert!(request.usage_added);
    let mut scanner = request.scanner(ResponseKind::EventStream);
    let upstream = llm_fixtures::OPENAI_STREAM_WITH_USAGE.as_bytes();
    let mut client = Vec::new();
    for chunk in upstream.chunks(7) {
        client.extend_from_slice(scanner.feed(chunk).bytes(chunk));
    }
    let finished = scanner.finish();
    client.extend_from_slice(&finished.rest);
    assert_eq!(show(&client), llm_fixtures::OPENAI_STREAM);
    assert_eq!(
        finished.usage,
        llm_fixtures::usage("gpt-4o-mini-2024-07-18", 9, 3, 0, 0, 0, true)
    );
}
