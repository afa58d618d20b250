//! One token as a gateway keeps it in memory: [`TokenRecord`], the compact
//! form of a [`TokenEntry`].
//!
//! Most tokens share their team and their scope list with many others, so
//! both are interned ([`Interner`]): one allocation per distinct team name
//! and per distinct scope list. Hashes are raw bytes, not hex. The fields
//! few tokens use (a rotation's previous secret, an IP allow-list, a rate
//! limit) live behind one optional box, so a plain token pays one pointer
//! for them.

use crate::snapshot::{RateLimit, TokenEntry};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

/// A token, compact. Converts losslessly to and from a [`TokenEntry`]
/// whose hashes are lowercase hex (other spellings of a valid hash come
/// back lowercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's id.
    pub id: Uuid,
    /// The owning team's id.
    pub team_id: Uuid,
    /// The owning team's name. Interned: shared by every token of the team.
    pub team: Arc<str>,
    /// The token's name.
    pub name: Box<str>,
    /// The current secret's SHA-256; `None` when the entry's hash was not
    /// 64 lowercase hex digits (its text is then kept in [`RareFields`]).
    pub secret_hash: Option<[u8; 32]>,
    /// Interned: shared by every token with the same list.
    pub scopes: Arc<[String]>,
    /// When the token stops working; `None` means never.
    pub expires_at: Option<DateTime<Utc>>,
    /// A revoked token is rejected exactly like an unknown one.
    pub revoked: bool,
    /// The fields few tokens use.
    pub rare: Option<Box<RareFields>>,
    /// Where the token stands in the snapshot's list (a new token goes
    /// last, a changed one keeps its place): of two tokens claiming one
    /// secret hash, the one listed first wins.
    pub(crate) position: u64,
}

/// The fields most tokens leave empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RareFields {
    /// The entry's `secret_hash` when it was not lowercase hex (kept so the
    /// token round-trips; an uppercase hash still matches, anything else
    /// keeps its warning).
    pub secret_hash_text: Option<String>,
    /// Hex SHA-256 of the secret replaced by the last rotation.
    pub previous_hash: Option<String>,
    /// End of the rotation grace.
    pub previous_expires_at: Option<DateTime<Utc>>,
    /// Networks the token may be used from; empty means anywhere.
    pub allow_ips: Vec<IpNet>,
    /// Per-token request rate; `None` means unlimited.
    pub rate_limit: Option<RateLimit>,
}

impl TokenRecord {
    /// A token with these fields, and no secret hash, no expiry, not
    /// revoked, none of the rare fields: set those through the fields.
    pub fn new(
        id: Uuid,
        team_id: Uuid,
        team: Arc<str>,
        name: Box<str>,
        scopes: Arc<[String]>,
    ) -> TokenRecord {
        TokenRecord {
            id,
            team_id,
            team,
            name,
            secret_hash: None,
            scopes,
            expires_at: None,
            revoked: false,
            rare: None,
            position: 0,
        }
    }

    /// The current secret's SHA-256, whichever way its hex was spelled;
    /// `None` when it is not a hex SHA-256.
    pub fn current_hash(&self) -> Option<[u8; 32]> {
        self.secret_hash.or_else(|| {
            let text = self.rare.as_ref()?.secret_hash_text.as_deref()?;
            decode_hash(text)
        })
    }

    /// The previous secret's hash text, if any.
    pub fn previous_hash(&self) -> Option<&str> {
        self.rare.as_ref()?.previous_hash.as_deref()
    }

    /// End of the rotation grace, if any.
    pub fn previous_expires_at(&self) -> Option<DateTime<Utc>> {
        self.rare.as_ref()?.previous_expires_at
    }

    /// Networks the token may be used from; empty means anywhere.
    pub fn allow_ips(&self) -> &[IpNet] {
        self.rare.as_ref().map_or(&[], |r| &r.allow_ips)
    }

    /// The token's rate limit, if any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.rare.as_ref()?.rate_limit
    }

    /// The wire form.
    pub fn to_entry(&self) -> TokenEntry {
        let rare = self.rare.as_deref().cloned().unwrap_or_default();
        TokenEntry {
            id: self.id,
            team_id: self.team_id,
            team: self.team.to_string(),
            name: self.name.to_string(),
            secret_hash: match (&self.secret_hash, rare.secret_hash_text) {
                (Some(hash), _) => const_hex::encode(hash),
                (None, text) => text.unwrap_or_default(),
            },
            previous_hash: rare.previous_hash,
            previous_expires_at: rare.previous_expires_at,
            scopes: self.scopes.to_vec(),
            expires_at: self.expires_at,
            revoked: self.revoked,
            allow_ips: rare.allow_ips,
            rate_limit: rare.rate_limit,
        }
    }
}

/// Decodes a lowercase or uppercase hex SHA-256.
pub fn decode_hash(text: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    const_hex::decode_to_slice(text, &mut key).ok()?;
    Some(key)
}

/// Shares team names and scope lists between tokens. It only grows while a
/// config is followed; a full snapshot starts a new one.
#[derive(Debug, Default)]
pub struct Interner {
    teams: HashSet<Arc<str>>,
    scopes: HashSet<Arc<[String]>>,
}

impl Interner {
    /// The shared copy of this team name.
    pub fn team(&mut self, name: String) -> Arc<str> {
        if let Some(shared) = self.teams.get(name.as_str()) {
            return shared.clone();
        }
        let shared: Arc<str> = name.into();
        self.teams.insert(shared.clone());
        shared
    }

    /// The shared copy of this scope list.
    pub fn scopes(&mut self, scopes: Vec<String>) -> Arc<[String]> {
        if let Some(shared) = self.scopes.get(scopes.as_slice()) {
            return shared.clone();
        }
        let shared: Arc<[String]> = scopes.into();
        self.scopes.insert(shared.clone());
        shared
    }

    /// `record` with this interner's team name and scope list.
    pub fn share(&mut self, mut record: TokenRecord) -> TokenRecord {
        if !self
            .teams
            .get(&record.team)
            .is_some_and(|t| Arc::ptr_eq(t, &record.team))
        {
            record.team = self.team(record.team.to_string());
        }
        if !self
            .scopes
            .get(&record.scopes)
            .is_some_and(|s| Arc::ptr_eq(s, &record.scopes))
        {
            record.scopes = self.scopes(record.scopes.to_vec());
        }
        record
    }

    /// The compact form of `entry`.
    pub fn record(&mut self, entry: TokenEntry) -> TokenRecord {
        let TokenEntry {
            id,
            team_id,
            team,
            name,
            secret_hash,
            previous_hash,
            previous_expires_at,
            scopes,
            expires_at,
            revoked,
            allow_ips,
            rate_limit,
        } = entry;
        let decoded = decode_hash(&secret_hash).filter(|_| {
            // Only lowercase hex round-trips through the raw bytes.
            !secret_hash.bytes().any(|b| b.is_ascii_uppercase())
        });
        let rare = RareFields {
            secret_hash_text: decoded.is_none().then_some(secret_hash),
            previous_hash,
            previous_expires_at,
            allow_ips,
            rate_limit,
        };
        TokenRecord {
            id,
            team_id,
            team: self.team(team),
            name: name.into_boxed_str(),
            secret_hash: decoded,
            scopes: self.scopes(scopes),
            expires_at,
            revoked,
            rare: (rare != RareFields::default()).then(|| Box::new(rare)),
            position: 0,
        }
    }
}
