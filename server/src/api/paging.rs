//! Paged lists: one page of rows and the opaque cursor to the next.
//!
//! Every list that can grow (`GET /v1/tokens`, `/v1/users`, `/v1/routes`,
//! `/v1/teams`, `/v1/audit`) takes `limit` (1 to [`MAX_PAGE`], default
//! [`DEFAULT_PAGE`]) and `cursor`, and answers a [`Page`]; the usage lists
//! (`/v1/usage/tokens`, `/v1/usage/routes`) take the same and answer their
//! report with a `next_cursor`. Pages are cut by
//! keyset (`WHERE (sort key, id) > (last row's) ORDER BY … LIMIT n + 1`),
//! never by offset, so a row created or deleted while a client pages
//! shifts no other row into or out of view.
//!
//! A cursor is base64url (no padding) of `JSON ‖ check`, where the JSON is
//! `{"v":1,"list":…,"filters":…,"after":…}` (the list it belongs to, a
//! digest of the filters of the first page, and the sort key of the last
//! row served) and `check` is the first 4 bytes of its SHA-256. It is
//! opaque to clients: they pass it back unchanged. The check refuses a
//! cursor that was cut, mangled or edited by accident. A deliberately
//! forged cursor that passes it only moves the starting point: every page
//! is still filtered by what the caller may see, and a cursor carries
//! nothing but the sort key of a row its holder was shown.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub use super::input::schema::{CURSOR_MAX, DEFAULT_PAGE, MAX_PAGE};

/// One page of a list, in the list's order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor`, with the same filters, for the next page; null on
    /// the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each row changed by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// The lists that page; a cursor of one is refused by the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    Tokens,
    Users,
    Routes,
    Teams,
    Audit,
    WebhookDeliveries,
    UsageTokens,
    UsageRoutes,
}

impl List {
    fn as_str(self) -> &'static str {
        match self {
            List::Tokens => "tokens",
            List::Users => "users",
            List::Routes => "routes",
            List::Teams => "teams",
            List::Audit => "audit",
            List::WebhookDeliveries => "webhook deliveries",
            List::UsageTokens => "usage tokens",
            List::UsageRoutes => "usage routes",
        }
    }
}

/// The filters a list was asked with, in a fixed order: a cursor is valid
/// only with the filters of the page it came from.
#[derive(Debug, Clone, Default)]
pub struct Filters(Vec<(&'static str, String)>);

impl Filters {
    pub fn new() -> Filters {
        Filters::default()
    }

    /// Adds a filter; `None` (not given) is recorded too, so that leaving
    /// out a filter counts as a different filter.
    pub fn with(mut self, name: &'static str, value: Option<impl ToString>) -> Filters {
        self.0.push((
            name,
            value.map_or_else(|| "\u{0}".to_string(), |v| v.to_string()),
        ));
        self
    }

    /// 16 hex digits of SHA-256 over the filters.
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (name, value) in &self.0 {
            h.update(name.as_bytes());
            h.update([0xff]);
            h.update(value.as_bytes());
            h.update([0xfe]);
        }
        hex::encode(&h.finalize()[..8])
    }
}

const VERSION: u8 = 1;
const CHECK_LEN: usize = 4;

#[derive(Serialize, Deserialize)]
struct Envelope<K> {
    v: u8,
    list: List,
    filters: String,
    after: K,
}

/// Why a cursor was refused (422 `invalid_cursor`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CursorError(pub String);

/// The cursor that continues `list`, asked with `filters`, after the row
/// whose sort key is `after`.
pub fn encode<K: Serialize>(list: List, filters: &Filters, after: &K) -> String {
    let envelope = Envelope {
        v: VERSION,
        list,
        filters: filters.digest(),
        after,
    };
    let mut bytes = serde_json::to_vec(&envelope).expect("sort keys serialise");
    let check = check(&bytes);
    bytes.extend_from_slice(&check);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The sort key a cursor continues after, if it is one this server issued
/// for `list` and these `filters`.
pub fn decode<K: DeserializeOwned>(
    list: List,
    filters: &Filters,
    cursor: &str,
) -> Result<K, CursorError> {
    let malformed = || {
        CursorError(
            "cursor is not one this server issued (cut, altered or from elsewhere); \
             pass `next_cursor` exactly as it came, or start again without a cursor"
                .into(),
        )
    };
    if cursor.is_empty() || cursor.len() > CURSOR_MAX {
        return Err(malformed());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| malformed())?;
    if bytes.len() <= CHECK_LEN {
        return Err(malformed());
    }
    let (json, sum) = bytes.split_at(bytes.len() - CHECK_LEN);
    if check(json) != sum {
        return Err(malformed());
    }
    let envelope: Envelope<serde_json::Value> =
        serde_json::from_slice(json).map_err(|_| malformed())?;
    if envelope.v != VERSION {
        return Err(CursorError(
            "cursor is from another version of this server; start again without a cursor".into(),
        ));
    }
    if envelope.list != list {
        return Err(CursorError(format!(
            "this cursor pages the {} list, not the {} list",
            envelope.list.as_str(),
            list.as_str()
        )));
    }
    if envelope.filters != filters.digest() {
        return Err(CursorError(format!(
            "this cursor was issued for other filters of the {} list; \
             pass the filters of the first page again, or start again without a cursor",
            list.as_str()
        )));
    }
    serde_json::from_value(envelope.after).map_err(|_| malformed())
}

fn check(json: &[u8]) -> [u8; CHECK_LEN] {
    let mut h = Sha256::new();
    h.update(b"tokenctl-cursor/");
    h.update(json);
    let digest = h.finalize();
    let mut out = [0u8; CHECK_LEN];
    out.copy_from_slice(&digest[..CHECK_LEN]);
    out
}

/// One request for a page: how many rows, and after which sort key.
#[derive(Debug, Clone)]
pub struct Pager<K> {
    list: List,
    filters: Filters,
    limit: u32,
    /// The sort key of the last row of the previous page.
    pub after: Option<K>,
}

impl<K: Serialize + DeserializeOwned> Pager<K> {
    /// Checks `limit` and `cursor` against the list and its filters.
    pub fn new(
        list: List,
        filters: Filters,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Pager<K>, PageError> {
        let limit = super::input::page_limit(limit.unwrap_or(DEFAULT_PAGE))
            .map_err(|e| PageError::Limit(e.0))?;
        let after = cursor
            .map(|c| decode(list, &filters, c))
            .transpose()
            .map_err(PageError::Cursor)?;
        Ok(Pager {
            list,
            filters,
            limit,
            after,
        })
    }

    /// Rows to fetch: one more than the page, to learn whether more exist.
    pub fn fetch(&self) -> u32 {
        self.limit + 1
    }

    /// The page of `rows` (fetched in order, at most [`Pager::fetch`]),
    /// with a cursor after its last row when a further row exists.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = match rows.last() {
            Some(last) if more => Some(encode(self.list, &self.filters, &key(last))),
            _ => None,
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// A refused `limit` or `cursor`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    Limit(String),
    #[error("{0}")]
    Cursor(CursorError),
}

#[cfg(test)]
mod tests;
