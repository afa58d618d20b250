//! What a stored config is made of, item by item (the current format):
//! each item is encoded with `postcard`, a compact binary serde format, and
//! items follow each other inside the sealed chunks.
//!
//! A plain token (no rotation, IP allow-list, rate limit, nor an oddly
//! spelled hash) is stored in the gateway's compact form: raw id and hash
//! bytes, its team and its scope list by number. A team name or a scope
//! list is written once, the first time a token uses it, and numbered in
//! that order, so reading a token costs no JSON, no hex and no lookup of
//! its team or scopes. Other tokens, and the rest of the config (small, and
//! made of types written for JSON), are stored as JSON.

use chrono::DateTime;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use tokenctl_gateway::{Snapshot, TokenEntry, TokenRecord, TokenStoreBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) enum Item<'a> {
    /// The config without its tokens: a [`Snapshot`] with none, as JSON.
    /// Always the first item.
    Head(&'a str),
    /// A team name: the first is team 0, the next team 1, and so on.
    Team(&'a str),
    /// A scope list, numbered the same way.
    Scopes(Vec<&'a str>),
    /// A token in compact form.
    Token(CompactToken<'a>),
    /// Any other token, in its wire form (JSON).
    Entry(&'a str),
}

/// A plain token: nothing in [`tokenctl_gateway::token_store::RareFields`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CompactToken<'a> {
    id: [u8; 16],
    team_id: [u8; 16],
    team: u32,
    name: &'a str,
    secret_hash: [u8; 32],
    scopes: u32,
    /// Seconds and nanoseconds since the Unix epoch.
    expires_at: Option<(i64, u32)>,
    revoked: bool,
}

/// Turns tokens into items, numbering team names and scope lists as they
/// first appear. Tokens of one store share one allocation per team and per
/// scope list, so the allocation's address identifies it.
#[derive(Default)]
pub(super) struct ItemWriter {
    teams: HashMap<*const u8, u32>,
    scopes: HashMap<*const String, u32>,
}

impl ItemWriter {
    /// Gives `emit` the items that store `record`: its team and scopes
    /// when they are new, then the token.
    pub fn token<E>(
        &mut self,
        record: &TokenRecord,
        mut emit: impl FnMut(Item<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let (Some(secret_hash), None) = (record.secret_hash, &record.rare) else {
            let entry = serde_json::to_string(&record.to_entry()).expect("a token entry is JSON");
            return emit(Item::Entry(&entry));
        };
        let next = self.teams.len() as u32;
        let team = *self
            .teams
            .entry(Arc::as_ptr(&record.team).cast())
            .or_insert(next);
        if team == next {
            emit(Item::Team(&record.team))?;
        }
        let next = self.scopes.len() as u32;
        let scopes = *self
            .scopes
            .entry(Arc::as_ptr(&record.scopes).cast())
            .or_insert(next);
        if scopes == next {
            emit(Item::Scopes(
                record.scopes.iter().map(String::as_str).collect(),
            ))?;
        }
        emit(Item::Token(CompactToken {
            id: record.id.into_bytes(),
            team_id: record.team_id.into_bytes(),
            team,
            name: &record.name,
            secret_hash,
            scopes,
            expires_at: record
                .expires_at
                .map(|at| (at.timestamp(), at.timestamp_subsec_nanos())),
            revoked: record.revoked,
        }))
    }
}

/// Rebuilds a config from its items, in the order they were written.
#[derive(Default)]
pub(super) struct ItemReader {
    pub head: Option<Snapshot>,
    pub tokens: TokenStoreBuilder,
    teams: Vec<Arc<str>>,
    scopes: Vec<Arc<[String]>>,
}

impl ItemReader {
    /// Takes in one item; `None` when it does not fit (a token before the
    /// head, a team or scope list never written, a bad time, bad JSON).
    pub fn read(&mut self, item: Item<'_>) -> Option<()> {
        match item {
            Item::Head(json) if self.head.is_none() => {
                self.head = Some(serde_json::from_str(json).ok()?);
            }
            Item::Head(_) => return None,
            _ if self.head.is_none() => return None,
            Item::Team(name) => {
                let team = self.tokens.interner().team(name.to_owned());
                self.teams.push(team);
            }
            Item::Scopes(list) => {
                let scopes = self
                    .tokens
                    .interner()
                    .scopes(list.into_iter().map(str::to_owned).collect());
                self.scopes.push(scopes);
            }
            Item::Token(token) => {
                let mut record = TokenRecord::new(
                    Uuid::from_bytes(token.id),
                    Uuid::from_bytes(token.team_id),
                    self.teams.get(token.team as usize)?.clone(),
                    token.name.into(),
                    self.scopes.get(token.scopes as usize)?.clone(),
                );
                record.secret_hash = Some(token.secret_hash);
                record.expires_at = match token.expires_at {
                    Some((secs, nanos)) => Some(DateTime::from_timestamp(secs, nanos)?),
                    None => None,
                };
                record.revoked = token.revoked;
                self.tokens.push_record(record);
            }
            Item::Entry(json) => {
                self.tokens
                    .push(serde_json::from_str::<TokenEntry>(json).ok()?);
            }
        }
        Some(())
    }
}
