//! The Workers KV contract: what the control plane's KV sync writes and
//! the Cloudflare Worker reads, defined once for both
//! (`docs/kv-layout.md` describes it for people).
//!
//! * [`layout`] — the key names (`tok:<hash>`, `quota:<uuid>`, `routes`,
//!   `prices`, `secrets`, `meta`);
//! * [`values`] — the JSON value under each key, and the core
//!   [`Gateway`](crate::Gateway) a Worker builds from them;
//! * [`quotas`] — the `quota:<uuid>` value: a subject's published quota
//!   state;
//! * [`prices`] — the `prices` value: the model prices published to
//!   gateways, which budgets are counted with;
//! * [`edge_key`] — the edge key (`TOKENCTL_EDGE_KEY`) and its `key_id`;
//! * [`secrets`] — sealing upstream secrets into the `secrets` value under
//!   that key, and opening them again.
//!
//! Plain data and pure functions like the rest of the core: nonces and the
//! time are passed in, nothing here talks to KV.
//!
//! ```
//! use std::collections::BTreeMap;
//! use tokenctl_gateway::kv::{open_secrets, EdgeKey, SecretsValue};
//!
//! // The control plane seals (its nonces come from the OS RNG)…
//! let key = EdgeKey::parse(&"07".repeat(32)).unwrap();
//! let plain = BTreeMap::from([("OPENAI".to_string(), b"sk-1".to_vec())]);
//! let hosts = BTreeMap::from([("OPENAI".to_string(), vec!["api.openai.com".to_string()])]);
//! let written = SecretsValue::seal(3, &key, &plain, &hosts, || [1; 12]);
//! let json = serde_json::to_string(&written).unwrap();
//!
//! // …and the Worker opens what it reads.
//! let read: SecretsValue = serde_json::from_str(&json).unwrap();
//! let (opened, problems) = open_secrets(&read, Some(&key));
//! assert_eq!(opened.get("OPENAI"), Some("sk-1"));
//! assert!(problems.is_empty());
//! ```

pub mod edge_key;
pub mod layout;
pub mod prices;
pub mod quotas;
pub mod secrets;
pub mod values;

pub use edge_key::{EdgeKey, MalformedEdgeKey};
pub use layout::{
    is_ours, quota_key, token_key, META_KEY, PRICES_KEY, QUOTA_PREFIX, ROUTES_KEY, SECRETS_KEY,
    TOKEN_PREFIX,
};
pub use prices::{PricesValue, PricesValueError};
pub use quotas::{QuotaValue, QuotaValueError};
pub use secrets::{open_secrets, SecretsValue};
pub use values::{routes_gateway, MetaValue, RoutesValue, TokenValue};
