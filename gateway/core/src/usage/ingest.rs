//! The contract of `POST /v1/usage/events` between the control plane and
//! every sender (the native gateway's spool, the Worker's queue consumer and
//! its direct mode): what ingest answers, and what a sender does with the
//! answer.
//!
//! Ingest never refuses a whole batch for one bad event: it stores the
//! valid events and lists the others in [`IngestResult::refused`], with the
//! reason. A sender drops exactly those (into its dead-letter record) and
//! never sends them again. Only a payload that is not a batch at all is
//! refused whole ([`IngestAnswer::Rejected`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most events one ingest call may carry.
pub const MAX_BATCH: usize = 10_000;

/// The answer to a usage batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestResult {
    /// Events in the batch.
    pub received: usize,
    /// Events stored now.
    pub inserted: usize,
    /// Events already stored earlier (same id), ignored.
    pub duplicates: usize,
    /// Events refused, with the reason; sending them again cannot help.
    #[serde(default)]
    pub refused: Vec<RefusedEvent>,
}

/// One event ingest refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedEvent {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The event's id, when it had a readable one.
    pub id: Option<Uuid>,
    /// Why it was refused.
    pub reason: String,
}

impl IngestResult {
    /// The refused events of the batch `sent` (what was posted, in order),
    /// each with the server's reason. Positions outside the batch are
    /// skipped.
    pub fn refused_in<'a, T>(&'a self, sent: &'a [T]) -> impl Iterator<Item = (&'a T, &'a str)> {
        self.refused
            .iter()
            .filter_map(|r| Some((sent.get(r.index)?, r.reason.as_str())))
    }
}

/// What a sender does after an ingest call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestAnswer {
    /// The batch was taken: drop it, dead-lettering the refused events.
    Accepted(IngestResult),
    /// The payload as a whole was refused (malformed, too large, not
    /// JSON): sending it again cannot help. A sender that combined several
    /// pieces may send them one at a time; a single piece is dead-lettered.
    Rejected,
    /// Anything else (server down, overloaded, gateway key refused, network
    /// error): keep the batch and try again later.
    Retry,
}

impl IngestAnswer {
    /// Classifies an ingest response: its status (`None`: no response at
    /// all) and body. A success whose body does not say what was refused
    /// (a server before this contract) counts as everything taken.
    pub fn classify(status: Option<u16>, body: &[u8]) -> IngestAnswer {
        match status {
            Some(200..=299) => {
                IngestAnswer::Accepted(serde_json::from_slice(body).unwrap_or_default())
            }
            Some(400 | 413 | 415 | 422) => IngestAnswer::Rejected,
            _ => IngestAnswer::Retry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_answers() {
        let body = br#"{"received":3,"inserted":1,"duplicates":1,
            "refused":[{"index":2,"id":null,"reason":"status must be 100-599"}]}"#;
        let IngestAnswer::Accepted(result) = IngestAnswer::classify(Some(200), body) else {
            panic!("a 200 is accepted");
        };
        assert_eq!(result.refused.len(), 1);
        assert_eq!(result.refused[0].index, 2);
        let sent = ["a", "b", "c"];
        assert_eq!(
            result.refused_in(&sent).collect::<Vec<_>>(),
            [(&"c", "status must be 100-599")]
        );
        assert_eq!(result.refused_in(&sent[..2]).count(), 0, "out of range");
        assert_eq!(
            IngestAnswer::classify(
                Some(200),
                b"{\"received\":1,\"inserted\":1,\"duplicates\":0}"
            ),
            IngestAnswer::Accepted(IngestResult {
                received: 1,
                inserted: 1,
                ..Default::default()
            })
        );
        assert_eq!(
            IngestAnswer::classify(Some(204), b""),
            IngestAnswer::Accepted(IngestResult::default())
        );
        for s in [400, 413, 415, 422] {
            assert_eq!(
                IngestAnswer::classify(Some(s), b"{}"),
                IngestAnswer::Rejected
            );
        }
        for s in [Some(401), Some(403), Some(429), Some(500), Some(503), None] {
            assert_eq!(IngestAnswer::classify(s, b""), IngestAnswer::Retry, "{s:?}");
        }
    }
}
