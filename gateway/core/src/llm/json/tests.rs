//! The JSON scanner's tests: what it reads, in pieces of any size, and
//! its bounds.

use super::*;
use proptest::prelude::*;

fn scan_pieces(pieces: &[&[u8]]) -> JsonScanner {
    let mut s = JsonScanner::default();
    for p in pieces {
        s.feed(p);
    }
    s
}

fn scan(doc: &str) -> JsonScanner {
    scan_pieces(&[doc.as_bytes()])
}

#[test]
fn finds_openai_chat_usage_and_model() {
    let mut s = scan(
        r#"{"id":"chatcmpl-1","model":"gpt-4o-2024-08-06",
            "choices":[{"message":{"content":"{\"usage\":{\"prompt_tokens\":999}}","model":"x"}}],
            "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
                     "prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},
                     "completion_tokens_details":{"reasoning_tokens":2}}}"#,
    );
    assert!(s.is_done());
    let r = s.take_report();
    assert_eq!(r.get(Counter::Input), Some(19));
    assert_eq!(r.get(Counter::Output), Some(10));
    assert_eq!(r.get(Counter::CachedDetail), Some(4));
    assert_eq!(r.get(Counter::ReasoningDetail), Some(2));
    assert_eq!(r.model(), Some("gpt-4o-2024-08-06"));
    assert!(r.closing);
}

#[test]
fn looks_under_response_and_message() {
    let mut s = scan(
        r#"{"type":"response.completed","response":{"model":"gpt-4.1",
            "usage":{"input_tokens":37,"output_tokens":11,
                     "input_tokens_details":{"cached_tokens":0},
                     "output_tokens_details":{"reasoning_tokens":0}}}}"#,
    );
    let r = s.take_report();
    assert_eq!(
        (r.get(Counter::Input), r.get(Counter::Output)),
        (Some(37), Some(11))
    );
    assert_eq!(r.model(), Some("gpt-4.1"));
    assert!(r.closing);

    let mut s = scan(
        r#"{"type":"message_start","message":{"model":"claude-x","content":[],
            "usage":{"input_tokens":25,"output_tokens":1,"cache_read_input_tokens":7}}}"#,
    );
    let r = s.take_report();
    assert_eq!(r.get(Counter::CacheRead), Some(7));
    assert_eq!(r.model(), Some("claude-x"));
    assert!(!r.closing, "message_start is not the closing report");
}

#[test]
fn ignores_lookalikes_at_other_places() {
    let mut s = scan(
        r#"{"data":{"usage":{"prompt_tokens":5},"model":"inner"},
            "choices":[{"usage":{"output_tokens":6}}],
            "usage":{"details":{"prompt_tokens":7},"prompt_tokens":"8","output_tokens":1.5,
                     "input_tokens":-3,"completion_tokens":18446744073709551616},
            "model":42}"#,
    );
    assert!(s.is_done());
    let r = s.take_report();
    let mut expected = Report::default();
    expected.closing = true;
    assert_eq!(r, expected);
}

#[test]
fn unescapes_member_names_and_the_model() {
    let mut s = scan(r#"{"us\u0061ge":{"output_tokens":3},"model":"a\/b \u00e9"}"#);
    let r = s.take_report();
    assert_eq!(r.get(Counter::Output), Some(3));
    assert_eq!(r.model(), Some("a/b é"));
}

#[test]
fn over_long_names_and_models_are_not_kept() {
    let long = "k".repeat(KEY_MAX + 1);
    let model = "m".repeat(MODEL_MAX + 1);
    let mut s = scan(&format!(
        r#"{{"{long}":1,"model":"{model}","usage":{{"input_tokens":2}}}}"#
    ));
    assert!(s.is_done());
    let r = s.take_report();
    assert_eq!(r.model(), None);
    assert_eq!(r.get(Counter::Input), Some(2));
    let exact = "m".repeat(MODEL_MAX);
    let mut s = scan(&format!(r#"{{"model":"{exact}"}}"#));
    assert_eq!(s.take_report().model(), Some(&*exact));
}

#[test]
fn malformed_or_too_deep_documents_fail() {
    for doc in [
        r#"{"a":}"#,
        r#"{"a" 1}"#,
        r#"{"a":1,}"#,
        r#"{"a":[1}"#,
        r#"{"a":tru}"#,
        r#"{"a":1} x"#,
        "]",
        "@",
    ] {
        assert!(scan(doc).is_failed(), "{doc}");
    }
    let deep = "[".repeat(MAX_DEPTH + 1);
    assert!(scan(&deep).is_failed());
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(scan(&ok).is_done());
    // Done, then garbage: complete but not clean.
    let s = scan(r#"{"usage":{"input_tokens":1}} junk"#);
    assert!(s.completed() && !s.is_done());
}

#[test]
fn notes_empty_choices_and_usage_object() {
    let s = scan(r#"{"choices":[],"usage":{"prompt_tokens":1}}"#);
    assert!(s.top().choices_empty && s.top().usage_object);
    let s = scan(r#"{"choices":[ ],"usage":null}"#);
    assert!(s.top().choices_empty && !s.top().usage_object);
    let s = scan(r#"{"choices":[{}],"x":{"choices":[]}}"#);
    assert!(!s.top().choices_empty);
    let s = scan(r#"{"x":[],"choices":[1]}"#);
    assert!(!s.top().choices_empty);
}

fn cut(doc: &str) -> Option<String> {
    let s = scan(doc);
    assert!(s.is_done(), "{doc}");
    assert_eq!(s.top().usage_members, 1);
    let r = s.top().usage_null.clone()?;
    Some(format!("{}{}", &doc[..r.start], &doc[r.end..]))
}

#[test]
fn finds_the_usage_null_member_to_cut() {
    assert_eq!(
        cut(r#"{"id":"c","choices":[{"index":0}],"usage":null}"#).as_deref(),
        Some(r#"{"id":"c","choices":[{"index":0}]}"#)
    );
    assert_eq!(
        cut(r#"{"usage":null,"id":"c"}"#).as_deref(),
        Some(r#"{"id":"c"}"#)
    );
    assert_eq!(
        cut(r#"{"id":"c", "usage" : null , "x":1}"#).as_deref(),
        Some(r#"{"id":"c" , "x":1}"#)
    );
    assert_eq!(cut(r#"{ "usage":null }"#).as_deref(), Some("{  }"));
    assert_eq!(cut(r#"{"usage":{"prompt_tokens":1}}"#), None);
    assert_eq!(cut(r#"{"a":{"usage":null},"usage":1}"#), None);
}

proptest! {
    /// Any bytes, in any pieces: no panic, and the buffer stays small.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600),
                                   cut in any::<prop::sample::Index>()) {
        let at = cut.index(bytes.len() + 1);
        let mut s = JsonScanner::default();
        s.feed(&bytes[..at]);
        prop_assert!(s.buffered() <= MODEL_MAX);
        s.feed(&bytes[at..]);
        prop_assert!(s.buffered() <= MODEL_MAX);
    }

    /// Scanning in pieces finds the same as scanning whole.
    #[test]
    fn pieces_do_not_matter(value in json_value(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let doc = serde_json::json!({"model": "m", "usage": {"prompt_tokens": 3, "x": value.clone()}, "v": value}).to_string();
        let bytes = doc.as_bytes();
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        at.sort_unstable();
        let mut pieces = Vec::new();
        let mut from = 0;
        for to in at {
            pieces.push(&bytes[from..to]);
            from = to;
        }
        pieces.push(&bytes[from..]);
        let mut whole = scan_pieces(&[bytes]);
        let mut split = scan_pieces(&pieces);
        prop_assert!(whole.is_done() && split.is_done());
        let (w, s) = (whole.take_report(), split.take_report());
        prop_assert_eq!(w.get(Counter::Input), Some(3));
        prop_assert_eq!(w.model(), Some("m"));
        prop_assert_eq!(w, s);
        prop_assert_eq!(whole.top(), split.top());
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("usage".to_string()),
                    Just("model".to_string()),
                    "[a-z_]{0,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
