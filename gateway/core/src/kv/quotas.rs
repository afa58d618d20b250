//! The `quota:<uuid>` value: one subject's published quota state, which
//! the Worker reads after the token (its id and its team's) and feeds to
//! [`check_quotas`](crate::decision::check_quotas). The control plane
//! writes it each time it publishes the subject's state (at most once a
//! second per subject, at once when a quota is used up).

use crate::quota::{QuotaKind, QuotaState};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `quota:*` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaValue {
    /// Config version the value was written at.
    pub v: u64,
    /// The subject's quotas and what the control plane counted of them.
    pub quota: QuotaState,
}

/// Why a `quota:*` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaValueError {
    /// Not the layout's JSON (also a quota kind or period this Worker does
    /// not know).
    #[error("the quota value is unreadable: {0}")]
    Unreadable(String),
    /// Stored under another subject's key.
    #[error("the quota value under the key of {key} is for {value}")]
    WrongSubject {
        /// The subject the key names.
        key: Uuid,
        /// The subject the value names.
        value: Uuid,
    },
    /// Two quotas of one kind.
    #[error("the quota value has two `{0}` quotas")]
    DuplicateKind(QuotaKind),
}

impl QuotaValue {
    /// The JSON text the layout stores.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("quota values serialise")
    }

    /// Reads the value stored under `subject`'s key. Anything that is not
    /// exactly the layout (garbage, an unknown kind or period, another
    /// subject's state, a kind twice) is refused, never guessed at.
    pub fn decode(subject: Uuid, text: &str) -> Result<QuotaValue, QuotaValueError> {
        let value: QuotaValue =
            serde_json::from_str(text).map_err(|e| QuotaValueError::Unreadable(e.to_string()))?;
        if value.quota.subject != subject {
            return Err(QuotaValueError::WrongSubject {
                key: subject,
                value: value.quota.subject,
            });
        }
        for (i, usage) in value.quota.limits.iter().enumerate() {
            if value.quota.limits[..i].iter().any(|u| u.kind == usage.kind) {
                return Err(QuotaValueError::DuplicateKind(usage.kind));
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quota::{Period, QuotaUsage};

    fn value() -> QuotaValue {
        QuotaValue {
            v: 12,
            quota: QuotaState {
                subject: Uuid::from_u128(7),
                limits: vec![
                    QuotaUsage {
                        kind: QuotaKind::Requests,
                        limit: 100,
                        period: Period::Day,
                        period_start: "2026-12-03T00:00:00Z".parse().unwrap(),
                        used: 42,
                    },
                    QuotaUsage {
                        kind: QuotaKind::LlmTokens,
                        limit: 2_000_000,
                        period: Period::Month,
                        period_start: "2026-12-01T00:00:00Z".parse().unwrap(),
                        used: 0,
                    },
                ],
            },
        }
    }

    #[test]
    fn round_trip() {
        let v = value();
        let text = v.encode();
        assert_eq!(QuotaValue::decode(Uuid::from_u128(7), &text), Ok(v));
        // The documented shape (docs/kv-layout.md).
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(raw["v"], 12);
        assert_eq!(raw["quota"]["limits"][0]["kind"], "requests");
        assert_eq!(raw["quota"]["limits"][0]["period"], "day");
        assert_eq!(raw["quota"]["limits"][1]["kind"], "llm_tokens");
        // A budget published like the others reads the same way.
        let budget = text.replace("llm_tokens", "budget");
        let read = QuotaValue::decode(Uuid::from_u128(7), &budget).unwrap();
        assert_eq!(read.quota.limits[1].kind, QuotaKind::Budget);
    }

    #[test]
    fn refuses_what_is_not_the_layout() {
        let s = Uuid::from_u128(7);
        let good = value().encode();
        for bad in [
            "",
            "null",
            "[]",
            "{}",
            "not json",
            r#"{"v":1}"#,
            r#"{"v":-1,"quota":{"subject":"00000000-0000-0000-0000-000000000007"}}"#,
            &good.replace("\"requests\"", "\"gigawatts\""),
            &good.replace("\"day\"", "\"week\""),
            &good.replace("100", "-100"),
            &good.replace("100", "1e3"),
            &good.replace("2026-12-03T00:00:00Z", "yesterday"),
            &good[..good.len() / 2],
        ] {
            assert!(
                matches!(
                    QuotaValue::decode(s, bad),
                    Err(QuotaValueError::Unreadable(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            QuotaValue::decode(Uuid::from_u128(8), &good),
            Err(QuotaValueError::WrongSubject {
                key: Uuid::from_u128(8),
                value: s
            })
        );
        let twice = good.replace("llm_tokens", "requests");
        assert_eq!(
            QuotaValue::decode(s, &twice),
            Err(QuotaValueError::DuplicateKind(QuotaKind::Requests))
        );
        // A subject without limits is valid: it has no quota left to check.
        let none =
            r#"{"v":1,"quota":{"subject":"00000000-0000-0000-0000-000000000007","limits":[]}}"#;
        assert!(QuotaValue::decode(s, none).unwrap().quota.limits.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = QuotaValue::decode(Uuid::from_u128(7), &text);
        }
    }
}
