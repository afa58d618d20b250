//! The answers a front-end gives itself, outside the decision (which
//! answers with [`Denied`](crate::Denied)), and the one JSON error body
//! both use.

use crate::code;

/// An answer a gateway gives itself: before deciding (no configuration,
/// or one too old to decide on) or after allowing a request (the upstream
/// failed). Its messages never name the upstream or any internal detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code, one of [`code`].
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: &'static str,
    /// Whole seconds for a `Retry-After` header, when set.
    pub retry_after_secs: Option<u64>,
}

impl Failure {
    /// The upstream did not answer within the route's timeout.
    pub const UPSTREAM_TIMEOUT: Failure = Failure {
        status: 504,
        code: code::UPSTREAM_TIMEOUT,
        message: "the upstream did not answer in time",
        retry_after_secs: None,
    };
    /// The upstream could not be reached.
    pub const UPSTREAM_UNREACHABLE: Failure = Failure {
        status: 502,
        code: code::UPSTREAM_UNREACHABLE,
        message: "the upstream could not be reached",
        retry_after_secs: None,
    };
    /// The upstream's host name resolved to an address the route may not
    /// reach (the decision refuses IP-literal upstreams itself).
    pub const UPSTREAM_FORBIDDEN: Failure = Failure {
        status: 502,
        code: code::UPSTREAM_FORBIDDEN,
        message: "the route's upstream resolves to an address the gateway may not connect to; \
                  contact the route's operators",
        retry_after_secs: None,
    };
    /// The client's request body broke off (or stalled past the route's
    /// timeout) while the gateway read it, before anything was forwarded:
    /// on an LLM route the gateway reads a small JSON body whole (see
    /// [`crate::llm`]).
    pub const CLIENT_BODY_INCOMPLETE: Failure = Failure {
        status: 400,
        code: code::CLIENT_CLOSED,
        message: "the request body ended before it was complete",
        retry_after_secs: None,
    };
    /// Nothing is decided on a configuration the server has not confirmed
    /// for longer than `--max-stale`, not even a revoked token.
    pub const CONFIG_STALE: Failure = Failure {
        status: 503,
        code: code::CONFIG_STALE,
        message: "the gateway cannot reach its server and its configuration is older than \
                  --max-stale; requests are refused until the server answers",
        retry_after_secs: Some(10),
    };
    /// No configuration has arrived yet.
    pub const NO_CONFIG: Failure = Failure {
        status: 503,
        code: code::GATEWAY_NOT_READY,
        message: "the gateway has no configuration yet",
        retry_after_secs: None,
    };
    /// The configuration store cannot be read (and none is cached).
    pub const CONFIG_UNREADABLE: Failure = Failure {
        status: 503,
        code: code::GATEWAY_NOT_READY,
        message: "the gateway cannot read its configuration",
        retry_after_secs: None,
    };

    /// The response body: `{"error":{"code":"…","message":"…"}}`.
    pub fn json_body(&self) -> String {
        error_body(self.code, self.message)
    }
}

/// The JSON error body of every answer a gateway gives itself:
/// `{"error":{"code":"…","message":"…"}}`, the shape of the control
/// plane's errors.
pub fn error_body(code: &str, message: &str) -> String {
    let mut out = String::with_capacity(40 + code.len() + message.len());
    out.push_str(r#"{"error":{"code":"#);
    push_json_string(&mut out, code);
    out.push_str(r#","message":"#);
    push_json_string(&mut out, message);
    out.push_str("}}");
    out
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_the_error_shape_and_valid_json() {
        for failure in [
            Failure::UPSTREAM_TIMEOUT,
            Failure::UPSTREAM_UNREACHABLE,
            Failure::UPSTREAM_FORBIDDEN,
            Failure::CONFIG_STALE,
            Failure::NO_CONFIG,
            Failure::CONFIG_UNREADABLE,
        ] {
            let body: serde_json::Value = serde_json::from_str(&failure.json_body()).unwrap();
            assert_eq!(
                body,
                serde_json::json!({"error": {"code": failure.code, "message": failure.message}})
            );
        }
        let odd = error_body("c", "quote \" backslash \\ newline \n bell \u{7}");
        let body: serde_json::Value = serde_json::from_str(&odd).unwrap();
        assert_eq!(
            body["error"]["message"],
            "quote \" backslash \\ newline \n bell \u{7}"
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(Failure::UPSTREAM_TIMEOUT.status, 504);
        assert_eq!(Failure::UPSTREAM_UNREACHABLE.status, 502);
        assert_eq!(Failure::UPSTREAM_FORBIDDEN.status, 502);
        assert_eq!(
            (
                Failure::CONFIG_STALE.status,
                Failure::CONFIG_STALE.retry_after_secs
            ),
            (503, Some(10))
        );
        assert_eq!(Failure::NO_CONFIG.status, 503);
    }
}
