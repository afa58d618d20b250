//! The Worker's small pure helpers, kept apart from the runtime glue so
//! they are unit-tested on the host.

use std::net::IpAddr;
use std::time::Duration;

/// Health endpoint (no token needed), as on the native gateway.
pub const HEALTH_PATH: &str = "/_gateway/health";

/// Splits a request URL as the runtime hands it over (`https://host/p?q`)
/// into the raw path and query, **without** normalising anything: dot
/// segments and percent-encodings reach the core's path check as the
/// client sent them. A fragment, should one be present, is dropped.
pub fn split_url(url: &str) -> (&str, Option<&str>) {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let Some(slash) = after_scheme.find(['/', '?', '#']) else {
        return ("/", None);
    };
    let rest = &after_scheme[slash..];
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    (if path.is_empty() { "/" } else { path }, query)
}

/// The scheme of a request URL (`https` at the edge), lower-case.
pub fn scheme(url: &str) -> String {
    url.split_once("://")
        .map_or("https", |(s, _)| s)
        .to_ascii_lowercase()
}

/// The `host[:port]` of a request URL.
pub fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|a| !a.is_empty())
}

/// The client address Cloudflare puts in `CF-Connecting-IP` (it replaces
/// any value the client sent).
pub fn client_ip(cf_connecting_ip: Option<&str>) -> Option<IpAddr> {
    cf_connecting_ip.and_then(|v| v.trim().parse().ok())
}

/// A duration in milliseconds as the JavaScript clock measures it (a
/// float); a negative or non-finite one counts as zero.
pub fn duration_from_ms(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

/// A JSON array of already-serialised usage events (each one a JSON
/// object), as `POST /v1/usage/events` takes it. No re-parsing.
pub fn batch_body<S: AsRef<str>>(events: &[S]) -> String {
    let len = events.iter().map(|e| e.as_ref().len() + 1).sum::<usize>() + 2;
    let mut out = String::with_capacity(len);
    out.push('[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e.as_ref());
    }
    out.push(']');
    out
}

/// Reads a whole number of seconds from an optional `[vars]` value.
pub fn secs_var(value: Option<String>, default: u64) -> u64 {
    value.and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// `POST {server}/v1/usage/events`, keeping a base path of the server URL.
pub fn ingest_url(server: &str) -> String {
    format!("{}/v1/usage/events", server.trim().trim_end_matches('/'))
}

/// A header list as the runtime iterates it (lower-case names, repeated
/// headers joined except `set-cookie`), handed over as one text: each
/// name and value followed by a line feed, which neither can contain. One
/// text costs one crossing out of JavaScript, where reading the list entry
/// by entry costs several per header.
pub struct HeaderBlock(String);

impl HeaderBlock {
    pub fn new(text: String) -> Self {
        HeaderBlock(text)
    }

    /// The `(name, value)` pairs in the runtime's order. A text cut short
    /// (a name without its value) ends the list there.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let mut lines = self.0.split('\n');
        std::iter::from_fn(move || {
            let name = lines.next().filter(|n| !n.is_empty())?;
            Some((name, lines.next()?))
        })
    }

    /// The value of `name` (lower-case), as `Headers.get` gives it; of
    /// `set-cookie`, which the runtime lists once per value, the first.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_url_keeps_the_raw_path() {
        for (url, path, query) in [
            (
                "https://gw.example/api/x?a=1&b=%20",
                "/api/x",
                Some("a=1&b=%20"),
            ),
            (
                "https://gw.example/api/echo/../../etc",
                "/api/echo/../../etc",
                None,
            ),
            ("http://127.0.0.1:8787/a/%2e%2e/b", "/a/%2e%2e/b", None),
            ("https://gw.example", "/", None),
            ("https://gw.example?x", "/", Some("x")),
            ("https://gw.example/p?", "/p", Some("")),
            ("https://gw.example/p#frag", "/p", None),
            ("https://gw.example/p?q=1#f", "/p", Some("q=1")),
            ("https://gw.example/a\\b", "/a\\b", None),
        ] {
            assert_eq!(split_url(url), (path, query), "{url}");
        }
        assert_eq!(scheme("HTTPS://x/"), "https");
        assert_eq!(
            authority("http://127.0.0.1:8787/a?b"),
            Some("127.0.0.1:8787")
        );
        assert_eq!(authority("https://gw.example"), Some("gw.example"));
        assert_eq!(authority("/relative"), None);
        assert_eq!(scheme("http://x/"), "http");
    }

    #[test]
    fn client_ip_from_the_cloudflare_header() {
        assert_eq!(
            client_ip(Some("203.0.113.7")),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            client_ip(Some(" 2001:db8::1 ")),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(client_ip(Some("nonsense")), None);
        assert_eq!(client_ip(None), None);
    }

    #[test]
    fn durations_from_the_javascript_clock() {
        assert_eq!(duration_from_ms(1.5), Duration::from_micros(1500));
        assert_eq!(duration_from_ms(0.0), Duration::ZERO);
        assert_eq!(duration_from_ms(-3.0), Duration::ZERO);
        assert_eq!(duration_from_ms(f64::NAN), Duration::ZERO);
        assert_eq!(duration_from_ms(f64::INFINITY), Duration::ZERO);
    }

    #[test]
    fn batch_body_is_a_json_array() {
        let events = [r#"{"a":1}"#, r#"{"b":2}"#];
        let v: serde_json::Value = serde_json::from_str(&batch_body(&events)).unwrap();
        assert_eq!(v, serde_json::json!([{"a": 1}, {"b": 2}]));
        assert_eq!(batch_body::<&str>(&[]), "[]");
    }

    #[test]
    fn ingest_url_and_vars() {
        assert_eq!(
            ingest_url("https://cp.example/"),
            "https://cp.example/v1/usage/events"
        );
        assert_eq!(secs_var(Some(" 7 ".into()), 5), 7);
        assert_eq!(secs_var(Some("x".into()), 5), 5);
        assert_eq!(secs_var(None, 30), 30);
    }

    #[test]
    fn a_header_block_reads_back_its_pairs_in_order() {
        let block = HeaderBlock::new(
            "accept\n*/*\nset-cookie\na=1\nset-cookie\nb=2\nx-empty\n\n".to_owned(),
        );
        let pairs: Vec<_> = block.iter().collect();
        assert_eq!(
            pairs,
            [
                ("accept", "*/*"),
                ("set-cookie", "a=1"),
                ("set-cookie", "b=2"),
                ("x-empty", ""),
            ]
        );
        assert_eq!(block.get("set-cookie"), Some("a=1"));
        assert_eq!(block.get("x-empty"), Some(""));
        assert_eq!(block.get("missing"), None);
    }

    #[test]
    fn an_empty_or_cut_header_block_ends_cleanly() {
        assert_eq!(HeaderBlock::new(String::new()).iter().count(), 0);
        let cut = HeaderBlock::new("accept\n*/*\nhost".to_owned());
        assert_eq!(cut.iter().collect::<Vec<_>>(), [("accept", "*/*")]);
        assert_eq!(cut.get("host"), None);
    }

    proptest::proptest! {
        /// Whatever names and values the runtime can hold, the text the
        /// Worker's JavaScript builds (`runtime::header_block`: each name and
        /// value followed by a line feed) reads back as the same pairs.
        #[test]
        fn a_header_block_reads_back_what_the_runtime_joined(
            pairs in proptest::collection::vec(
                ("[!#$%&'*+.^_`|~0-9a-z-]{1,20}", "[^\\n\\r\\x00]{0,40}"),
                0..12,
            )
        ) {
            let mut text = String::new();
            for (name, value) in &pairs {
                text.push_str(name);
                text.push('\n');
                text.push_str(value);
                text.push('\n');
            }
            let block = HeaderBlock::new(text);
            let read: Vec<(String, String)> = block
                .iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            proptest::prop_assert_eq!(&read, &pairs);
            if let Some((name, value)) = pairs.first() {
                proptest::prop_assert_eq!(block.get(name), Some(value.as_str()));
            }
        }
    }
}
