//! The token fields the decision reads, from either form a token comes in.

use crate::snapshot::{RateLimit, TokenEntry};
use crate::token_store::TokenRecord;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use uuid::Uuid;

/// What checks 3–11 read of a token, whichever form it is kept in: a
/// [`TokenRecord`] in the gateway's own store, or a [`TokenEntry`] a
/// front-end looked up itself.
pub(super) struct TokenFacts<'a> {
    pub id: Uuid,
    pub team_id: Uuid,
    pub scopes: &'a [String],
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub previous_expires_at: Option<DateTime<Utc>>,
    pub allow_ips: &'a [IpNet],
    pub rate_limit: Option<RateLimit>,
}

impl<'a> From<&'a TokenRecord> for TokenFacts<'a> {
    fn from(t: &'a TokenRecord) -> TokenFacts<'a> {
        TokenFacts {
            id: t.id,
            team_id: t.team_id,
            scopes: &t.scopes,
            expires_at: t.expires_at,
            revoked: t.revoked,
            previous_expires_at: t.previous_expires_at(),
            allow_ips: t.allow_ips(),
            rate_limit: t.rate_limit(),
        }
    }
}

impl<'a> From<&'a TokenEntry> for TokenFacts<'a> {
    fn from(t: &'a TokenEntry) -> TokenFacts<'a> {
        TokenFacts {
            id: t.id,
            team_id: t.team_id,
            scopes: &t.scopes,
            expires_at: t.expires_at,
            revoked: t.revoked,
            previous_expires_at: t.previous_expires_at,
            allow_ips: &t.allow_ips,
            rate_limit: t.rate_limit,
        }
    }
}
