//! Usage: the event a gateway reports for every request it handled, the
//! rules every event must meet, and the contract of the ingest endpoint
//! that receives them.
//!
//! Both gateways (native and Worker) and the control plane use this module,
//! so what a gateway records is exactly what ingest accepts:
//!
//! * [`event`] — [`UsageEvent`], its limits and [`UsageEvent::check`]
//!   (ingest);
//! * [`view`] — [`EventView`], an event with borrowed text, and the
//!   normalisation rules ([`EventView::normalise`], which
//!   [`UsageEvent::normalise`] applies to an owned event) gateways apply
//!   when recording;
//! * [`encode`] — [`EventView::write_json`], the event's JSON written
//!   directly, as gateways do once per request;
//! * [`denials`] — [`DenialAggregator`]: requests refused without a valid
//!   token are counted per client IP, reason and window instead of stored
//!   one by one, so anonymous traffic cannot fill disks and tables;
//! * [`request`] — building a request's event from how it was answered
//!   ([`Answered`]) and what the front-end measured ([`RequestUsage`]),
//!   and its id ([`event_id`]);
//! * [`ingest`] — the ingest answer ([`IngestResult`], which events were
//!   refused and why) and how a sender reads it ([`IngestAnswer`]).

pub mod denials;
pub mod encode;
pub mod event;
pub mod ingest;
pub mod request;
pub mod view;

pub use denials::DenialAggregator;
pub use event::{EventProblem, UsageEvent};
pub use ingest::{IngestAnswer, IngestResult, RefusedEvent};
pub use request::{event_id, Answered, LlmOutcome, RequestUsage};
pub use view::EventView;
