//! Safe normalisation of request paths as received on the wire.
//!
//! A gateway forwards `upstream base + rest of the path`, so the rest must
//! not be able to climb out of the base path on *any* upstream, whatever
//! that upstream's own decoding rules are. [`normalize_path`] therefore
//! rejects, rather than repairs, everything that some server somewhere
//! treats as a path separator or a step up:
//!
//! | input                                   | result                     |
//! |-----------------------------------------|----------------------------|
//! | not starting with `/`                   | [`PathError::NotAbsolute`] |
//! | `.`/`..` segment, also as `%2e`, `%2E%2e`, `.%2e`, or `..;param` | [`PathError::DotSegment`] |
//! | `%2f` / `%2F` (encoded slash)           | [`PathError::EncodedSlash`] |
//! | `\` or `%5c` / `%5C`                    | [`PathError::Backslash`]   |
//! | control characters, raw or encoded (incl. NUL `%00`) | [`PathError::ControlCharacter`] |
//! | `%` not followed by two hex digits      | [`PathError::InvalidEscape`] |
//! | raw `?` or `#` (the query is passed separately) | [`PathError::ReservedCharacter`] |
//! | any of the above hidden under extra encoding layers (`%252e%252e`) | the same error |
//!
//! Everything else is brought to one canonical spelling, so that route
//! matching compares like with like:
//!
//! * empty segments collapse (`//` → `/`), a trailing `/` is kept;
//! * percent-encoded unreserved characters are decoded (`%61` → `a`,
//!   RFC 3986 §6.2.2.2) and the remaining escapes get upper-case hex;
//! * characters that may not appear raw in a path (space, `"`, `{`,
//!   non-ASCII, …) are percent-encoded.
//!
//! The canonical path is what the gateway matches *and* forwards, so the
//! upstream sees exactly the path the route decision was made on.

use std::borrow::Cow;

/// Why a request path was rejected. Reported to clients as `bad_path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The path does not start with `/`.
    #[error("the path must start with `/`")]
    NotAbsolute,
    /// A `.` or `..` segment, in any spelling.
    #[error("the path must not contain `.` or `..` segments")]
    DotSegment,
    /// `%2F`: an encoded `/` would be a separator to some upstreams.
    #[error("the path must not contain encoded slashes (%2F)")]
    EncodedSlash,
    /// `\` or `%5C`: a separator to some upstreams.
    #[error("the path must not contain backslashes")]
    Backslash,
    /// A control character such as NUL, CR or LF, raw or encoded.
    #[error("the path must not contain control characters")]
    ControlCharacter,
    /// A `%` not followed by two hex digits.
    #[error("the path contains an invalid percent-escape")]
    InvalidEscape,
    /// A raw `?` or `#` inside the path.
    #[error("the path must not contain `?` or `#`")]
    ReservedCharacter,
    /// The query contains `#`, a space or a control character.
    #[error("the query must not contain `#`, spaces or control characters")]
    InvalidQuery,
}

/// How many extra layers of percent-encoding are looked through for
/// hidden dot segments, slashes and control characters. Servers that
/// decode twice exist; three times is already exotic.
const EXTRA_DECODE_LAYERS: usize = 3;

/// Normalises a raw (still percent-encoded) request path, see the
/// [module docs](self) for the rules.
///
/// The result is `/`, or `/seg(/seg)*` optionally followed by one `/`. It
/// borrows `raw` when `raw` is already canonical, which is the common case,
/// so a typical request normalises without allocating.
pub fn normalize_path(raw: &str) -> Result<Cow<'_, str>, PathError> {
    if !raw.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    match spelling(raw.as_bytes()) {
        // No escape (so nothing hidden under one) and no empty segment to
        // collapse: only dot segments remain to refuse.
        Spelling::Canonical { dot_segment: false } => Ok(Cow::Borrowed(raw)),
        Spelling::Canonical { dot_segment: true } => Err(PathError::DotSegment),
        Spelling::Other => normalize_slow(raw).map(Cow::Owned),
    }
}

/// How a path is spelled, as [`spelling`] finds it.
enum Spelling {
    /// Every byte is `/` or [`is_plain`] and no `/` follows another; and
    /// whether a segment is a dot segment ([`is_dot_segment`]).
    Canonical { dot_segment: bool },
    /// Anything else: for [`normalize_slow`].
    Other,
}

/// One pass over a table, as every request's path takes it, looking at
/// the segments that start with `.` on the way.
fn spelling(path: &[u8]) -> Spelling {
    const RAW: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = b == b'/' as usize || is_plain(b as u8);
            b += 1;
        }
        table
    };
    let dot_segment_at = |start: usize, end: usize| {
        path.get(start) == Some(&b'.') && is_dot_segment(&path[start..end])
    };
    let (mut after_slash, mut segment, mut dot_segment) = (false, 0, false);
    for (i, &b) in path.iter().enumerate() {
        let slash = b == b'/';
        if !RAW[b as usize] || (slash && after_slash) {
            return Spelling::Other;
        }
        if slash {
            dot_segment |= dot_segment_at(segment, i);
            segment = i + 1;
        }
        after_slash = slash;
    }
    dot_segment |= dot_segment_at(segment, path.len());
    Spelling::Canonical { dot_segment }
}

/// Checks a query string (without the `?`) that will be forwarded
/// verbatim: it must not smuggle in a fragment or break the request line.
pub fn check_query(query: &str) -> Result<(), PathError> {
    if query
        .bytes()
        .any(|b| b == b'#' || b == b' ' || is_control(b))
    {
        return Err(PathError::InvalidQuery);
    }
    Ok(())
}

/// Whether `path` is a canonical route prefix: `/`, or `/seg(/seg)*`
/// without a trailing slash, that [`normalize_path`] leaves unchanged.
pub fn is_route_prefix(path: &str) -> bool {
    match normalize_path(path) {
        Ok(normal) => normal == path && (path == "/" || !path.ends_with('/')),
        Err(_) => false,
    }
}

fn normalize_slow(raw: &str) -> Result<String, PathError> {
    // Escapes can grow a byte to three; most paths need far less.
    let mut out = String::with_capacity(raw.len() + 8);
    for segment in raw.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        let start = out.len();
        canonicalize_segment(segment, &mut out)?;
        check_segment(&out[start..])?;
    }
    if out.is_empty() || raw.ends_with('/') {
        out.push('/');
    }
    Ok(out)
}

/// Appends the canonical spelling of one raw segment to `out`, rejecting
/// bytes that must never reach an upstream.
fn canonicalize_segment(segment: &str, out: &mut String) -> Result<(), PathError> {
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let v = bytes
                .get(i + 1..i + 3)
                .and_then(|h| Some(hex_value(h[0])? << 4 | hex_value(h[1])?))
                .ok_or(PathError::InvalidEscape)?;
            check_byte(v, true)?;
            if is_unreserved(v) {
                out.push(char::from(v));
            } else {
                push_escape(out, v);
            }
            i += 3;
            continue;
        }
        check_byte(b, false)?;
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            push_escape(out, b);
        }
        i += 1;
    }
    Ok(())
}

/// Rejects bytes that are dangerous in a segment, raw or decoded.
fn check_byte(b: u8, decoded: bool) -> Result<(), PathError> {
    match b {
        b'\\' => Err(PathError::Backslash),
        b'/' if decoded => Err(PathError::EncodedSlash),
        b'?' | b'#' if !decoded => Err(PathError::ReservedCharacter),
        _ if is_control(b) => Err(PathError::ControlCharacter),
        _ => Ok(()),
    }
}

/// Segment-level checks on a canonical segment.
fn check_segment(segment: &str) -> Result<(), PathError> {
    if is_dot_segment(segment.as_bytes()) {
        return Err(PathError::DotSegment);
    }
    if segment.contains("%25") {
        // `%25` is an encoded `%`: look through the extra layers in case
        // the upstream decodes again. Rare, so allocating here is fine.
        let mut layer = percent_decode_lenient(segment.as_bytes());
        for _ in 0..EXTRA_DECODE_LAYERS {
            if !layer.contains(&b'%') {
                break;
            }
            layer = percent_decode_lenient(&layer);
            if let Some(&b) = layer
                .iter()
                .find(|&&b| b == b'/' || b == b'\\' || is_control(b))
            {
                check_byte(b, true)?;
            }
            if is_dot_segment(&layer) {
                return Err(PathError::DotSegment);
            }
        }
    }
    Ok(())
}

/// `.` or `..`, also with a `;parameter` suffix, which Java servlet
/// containers strip before resolving dot segments (`..;/` is a classic
/// path-traversal bypass).
fn is_dot_segment(segment: &[u8]) -> bool {
    let name = segment.split(|&b| b == b';').next().unwrap_or_default();
    name == b"." || name == b".."
}

/// Decodes every valid `%XX`, leaving anything else as it is.
fn percent_decode_lenient(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            if let Some(v) = input
                .get(i + 1..i + 3)
                .and_then(|h| Some(hex_value(h[0])? << 4 | hex_value(h[1])?))
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0xf)]));
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// RFC 3986 `unreserved`.
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Bytes that appear raw in a canonical segment: RFC 3986 `pchar` minus
/// `%` (escapes are handled separately).
const fn is_plain(b: u8) -> bool {
    is_unreserved(b)
        || matches!(
            b,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(raw: &str) -> String {
        normalize_path(raw)
            .unwrap_or_else(|e| panic!("{raw:?}: {e}"))
            .into_owned()
    }

    #[test]
    fn canonical_paths_are_borrowed() {
        for p in ["/", "/a", "/a/b", "/a/b/", "/v1/chat:complete", "/a;b=c/@x"] {
            assert!(
                matches!(normalize_path(p), Ok(Cow::Borrowed(s)) if s == p),
                "{p}"
            );
        }
    }

    #[test]
    fn collapses_empty_segments_and_keeps_trailing_slash() {
        assert_eq!(ok("//"), "/");
        assert_eq!(ok("///a//b"), "/a/b");
        assert_eq!(ok("/a//b//"), "/a/b/");
        assert_eq!(ok("/a/"), "/a/");
    }

    #[test]
    fn canonicalises_escapes() {
        assert_eq!(ok("/%61%62c"), "/abc");
        assert_eq!(ok("/a%2db%7e"), "/a-b~");
        assert_eq!(ok("/x%3a%3F"), "/x%3A%3F");
        assert_eq!(ok("/a b"), "/a%20b");
        assert_eq!(ok("/{x}|[y]"), "/%7Bx%7D%7C%5By%5D");
        assert_eq!(ok("/caf\u{e9}"), "/caf%C3%A9");
        assert_eq!(ok("/100%25"), "/100%25");
        // A dot inside a name is fine, encoded or not.
        assert_eq!(
            ok("/a.b/.well-known/%2eenv/..."),
            "/a.b/.well-known/.env/..."
        );
        assert_eq!(ok("/.well-known/..x/;./"), "/.well-known/..x/;./");
    }

    #[test]
    fn rejects_what_could_escape() {
        use PathError::*;
        let cases: &[(&str, PathError)] = &[
            ("", NotAbsolute),
            ("a/b", NotAbsolute),
            ("http://evil/x", NotAbsolute),
            ("%2fa", NotAbsolute),
            ("/a/../b", DotSegment),
            ("/a/./b", DotSegment),
            ("/.", DotSegment),
            ("/./a", DotSegment),
            ("/a/.;x", DotSegment),
            ("/a/..;x/", DotSegment),
            ("/..", DotSegment),
            ("/a/..", DotSegment),
            ("/a/%2e%2e/b", DotSegment),
            ("/a/%2E%2e/b", DotSegment),
            ("/a/.%2e/b", DotSegment),
            ("/a/%2e./b", DotSegment),
            ("/a/%2e/b", DotSegment),
            ("/a/..;/b", DotSegment),
            ("/a/..;jsessionid=1/b", DotSegment),
            ("/a/%252e%252e/b", DotSegment),
            ("/a/%25252e%25252e/b", DotSegment),
            ("/a%2fb", EncodedSlash),
            ("/a%2Fb", EncodedSlash),
            ("/a%252fb", EncodedSlash),
            ("/a\\b", Backslash),
            ("/a%5cb", Backslash),
            ("/a%5Cb", Backslash),
            ("/a%255cb", Backslash),
            ("/a%00b", ControlCharacter),
            ("/a\0b", ControlCharacter),
            ("/a%0d%0aHost:x", ControlCharacter),
            ("/a\nb", ControlCharacter),
            ("/a%2500", ControlCharacter),
            ("/a%", InvalidEscape),
            ("/a%2", InvalidEscape),
            ("/a%zz", InvalidEscape),
            ("/a?b", ReservedCharacter),
            ("/a#b", ReservedCharacter),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_path(raw), Err(*want), "{raw:?}");
        }
    }

    #[test]
    fn route_prefixes() {
        for p in ["/", "/api", "/api/openai", "/a.b/c-d_e~"] {
            assert!(is_route_prefix(p), "{p}");
        }
        for p in [
            "", "api", "/api/", "//api", "/api//x", "/a/../b", "/%61", "/a%2fb",
        ] {
            assert!(!is_route_prefix(p), "{p}");
        }
    }

    #[test]
    fn queries() {
        assert!(check_query("").is_ok());
        assert!(check_query("a=1&b=%20x&c=?/").is_ok());
        for q in ["a#b", "a b", "a\r\nb", "a\0"] {
            assert_eq!(check_query(q), Err(PathError::InvalidQuery), "{q:?}");
        }
    }

    /// Path pieces that have bitten real proxies.
    fn tricky_piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "/",
            "//",
            "a",
            "b",
            ".",
            "..",
            "%2e",
            "%2E",
            "%2e%2e",
            "%2E%2e",
            ".%2e",
            "%2e.",
            "..;",
            ";",
            "\\",
            "%5c",
            "%5C",
            "%2f",
            "%2F",
            "%252e",
            "%252f",
            "%00",
            "%",
            "%2",
            "?",
            "#",
            "@",
            ":",
            "%41",
            "~",
            " ",
            "é",
            "\r\n",
            "..%2f",
            "%2e%2e%5c",
        ])
    }

    fn tricky_path() -> impl Strategy<Value = String> {
        prop::collection::vec(tricky_piece(), 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn never_panics(raw in any::<String>()) {
            let _ = normalize_path(&raw);
            let _ = check_query(&raw);
        }

        /// The result is canonical: normalising it again changes nothing,
        /// and it is made of safe segments only.
        #[test]
        fn result_is_canonical_and_safe(raw in prop_oneof![tricky_path(), "/\\PC{0,40}"]) {
            if let Ok(path) = normalize_path(&raw) {
                prop_assert!(path.starts_with('/'));
                prop_assert!(!path.contains("//"));
                prop_assert!(path.is_ascii());
                prop_assert_eq!(normalize_path(&path).unwrap(), Cow::Borrowed(&*path));
                for seg in path.split('/') {
                    prop_assert!(seg != "." && seg != "..");
                    let decoded = percent_decode_lenient(seg.as_bytes());
                    prop_assert!(!decoded.contains(&b'/') && !decoded.contains(&b'\\'));
                    prop_assert!(!decoded.iter().any(|&b| is_control(b)));
                    prop_assert!(!is_dot_segment(&decoded));
                }
            }
        }

        /// The allocation-free fast path agrees with the general one.
        #[test]
        fn fast_path_agrees_with_slow_path(raw in prop_oneof![tricky_path(), "/[a-z./;:@]{0,30}"]) {
            if raw.starts_with('/') {
                prop_assert_eq!(
                    normalize_path(&raw).map(Cow::into_owned),
                    normalize_slow(&raw)
                );
            }
        }
    }
}
