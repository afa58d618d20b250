//! Header rules for forwarding, one concern per file:
//!
//! * [`upstream`] — what the upstream request's headers become: which
//!   client headers never reach the upstream ([`client_headers_to_drop`]),
//!   `X-Forwarded-*` ([`forwarded_headers`]), and the one ordered plan
//!   every front-end applies ([`UpstreamHeaderPlan`]);
//! * [`response`] — what the client gets back: the upstream response's
//!   hop-by-hop headers dropped, a redirect into the upstream pointed back
//!   at the route ([`redirect_location`]);
//! * [`hop_by_hop`] — [`HopByHop`], for both directions;
//! * [`secrets`] — [`carries_tokenctl_secret`];
//! * [`origin`] — who the client is, behind trusted proxies
//!   ([`client_origin`]), and how its address is written
//!   ([`client_ip_text`]);
//! * [`crate::location`] — [`rewrite_location`], the `Location` rule below
//!   [`redirect_location`].
//!
//! Header names are compared ASCII case-insensitively throughout, as HTTP
//! requires.

pub mod hop_by_hop;
pub mod origin;
pub mod response;
pub mod secrets;
pub mod upstream;

pub use hop_by_hop::{HopByHop, HOP_BY_HOP};
pub use origin::{client_ip_text, client_origin, ClientOrigin};
pub use response::{redirect_location, response_headers_to_drop};
pub use secrets::carries_tokenctl_secret;
pub use upstream::{
    client_headers_to_drop, forwarded_headers, ForwardedHeaders, Forwarding, HeaderNames,
    UpstreamHeaderPlan, UpstreamHeaders,
};

/// Upstream redirects into the gateway's paths live in their own module.
pub use crate::location::rewrite_location;
