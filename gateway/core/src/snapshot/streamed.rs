//! Decoding a [`ConfigUpdate`] as it streams in, without ever holding its
//! tokens in their wire form: each entry of `tokens` is turned into its
//! compact [`TokenRecord`](crate::token_store::TokenRecord) as soon as it
//! is decoded. Everything else in the update is small and decoded by
//! [`ConfigUpdate`]'s own rules (unknown fields ignored, missing
//! collections empty), so the wire contract stays in one place.

use super::{ConfigUpdate, TokenEntry};
use crate::token_store::TokenStoreBuilder;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A config update whose tokens were indexed while it was decoded.
pub struct StreamedUpdate {
    /// The update, with `tokens` empty.
    pub update: ConfigUpdate,
    /// Its tokens.
    pub tokens: TokenStoreBuilder,
}

impl fmt::Debug for StreamedUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamedUpdate")
            .field("update", &self.update)
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

impl StreamedUpdate {
    /// Decodes an update from a JSON byte stream, one token at a time.
    pub fn from_reader(reader: impl std::io::Read) -> serde_json::Result<StreamedUpdate> {
        let mut de = serde_json::Deserializer::from_reader(reader);
        let update = StreamedUpdate::deserialize(&mut de)?;
        de.end()?;
        Ok(update)
    }

    /// Whether it changes anything for a gateway at version `after`.
    pub fn changes_anything(&self, after: Option<u64>) -> bool {
        let u = &self.update;
        u.full
            || !self.tokens.is_empty()
            || !u.removed_tokens.is_empty()
            || !u.routes.is_empty()
            || !u.removed_routes.is_empty()
            || !u.secrets.0.is_empty()
            || !u.removed_secrets.is_empty()
            || !u.prices.is_empty()
            || after != Some(u.version)
    }
}

impl<'de> Deserialize<'de> for StreamedUpdate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StreamedUpdate, D::Error> {
        deserializer.deserialize_map(UpdateVisitor)
    }
}

struct UpdateVisitor;

impl<'de> Visitor<'de> for UpdateVisitor {
    type Value = StreamedUpdate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a config update object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StreamedUpdate, A::Error> {
        let mut tokens = None;
        let mut rest = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "tokens" {
                if tokens.is_some() {
                    return Err(de::Error::duplicate_field("tokens"));
                }
                tokens = Some(map.next_value_seed(TokensSeed)?);
            } else if rest.contains_key(&key) {
                map.next_value::<IgnoredAny>()?;
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        let update: ConfigUpdate =
            serde_json::from_value(serde_json::Value::Object(rest)).map_err(de::Error::custom)?;
        Ok(StreamedUpdate {
            update,
            tokens: tokens.unwrap_or_default(),
        })
    }
}

/// `tokens`: an array of [`TokenEntry`].
struct TokensSeed;

impl<'de> DeserializeSeed<'de> for TokensSeed {
    type Value = TokenStoreBuilder;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TokensSeed {
    type Value = TokenStoreBuilder;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of token entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TokenStoreBuilder, A::Error> {
        let mut builder = TokenStoreBuilder::default();
        while let Some(entry) = seq.next_element::<TokenEntry>()? {
            builder.push(entry);
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_config_update_and_indexes_the_tokens() {
        let json = r#"{
            "version": 9,
            "generated_at": "2026-11-26T12:00:00Z",
            "full": true,
            "tokens": [{
                "id": "0190f3f0-0000-7000-8000-000000000001",
                "team_id": "0190f3f0-0000-7000-8000-0000000000aa",
                "team": "ml", "name": "ci",
                "secret_hash": "0101010101010101010101010101010101010101010101010101010101010101",
                "scopes": ["*"], "some_future_field": {"nested": [1, 2]}
            }],
            "removed_tokens": [],
            "a_future_section": {"anything": true},
            "secrets": {"k": "v"}
        }"#;
        let streamed = StreamedUpdate::from_reader(json.as_bytes()).unwrap();
        let mut expected: ConfigUpdate = serde_json::from_str(json).unwrap();
        let entries = std::mem::take(&mut expected.tokens);
        assert_eq!(streamed.update, expected);
        let store = streamed.tokens.finish();
        assert_eq!(store.entries().collect::<Vec<_>>(), entries);
    }

    #[test]
    fn refuses_what_config_update_refuses() {
        for bad in [
            r#"{"generated_at": "2026-11-26T12:00:00Z"}"#,
            r#"{"version": 1, "generated_at": "2026-11-26T12:00:00Z", "tokens": [{"id": 1}]}"#,
            r#"{"version": 1, "generated_at": "2026-11-26T12:00:00Z", "tokens": {}}"#,
            r#"{"version": 1, "version": 2, "generated_at": "2026-11-26T12:00:00Z"}"#,
            r#"{"version": 1, "generated_at": "2026-11-26T12:00:00Z"} trailing"#,
            r#"[]"#,
        ] {
            assert!(
                StreamedUpdate::from_reader(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
        let empty = StreamedUpdate::from_reader(
            r#"{"version": 1, "generated_at": "2026-11-26T12:00:00Z"}"#.as_bytes(),
        )
        .unwrap();
        assert!(empty.tokens.is_empty() && !empty.update.full);
    }
}
