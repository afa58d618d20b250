//! The key names of the KV namespace. The sync manages exactly these keys
//! and leaves any other key alone.

/// `tok:<sha256-hex-of-secret>`: one token, under its current secret's
/// hash and, while a rotation grace runs, its previous one. Absent means
/// unknown or revoked.
pub const TOKEN_PREFIX: &str = "tok:";
/// `quota:<uuid>`: the published quota state of one subject (a token or
/// a team, by id) with quotas. Absent means no quotas.
pub const QUOTA_PREFIX: &str = "quota:";
/// The whole route table.
pub const ROUTES_KEY: &str = "routes";
/// The model prices published to gateways, for counting budgets. Absent
/// means no model has a price.
pub const PRICES_KEY: &str = "prices";
/// Every upstream secret, sealed under the edge key.
pub const SECRETS_KEY: &str = "secrets";
/// When the control plane last completed a sync round; written last.
pub const META_KEY: &str = "meta";

/// The key of a token secret, from its hash
/// ([`hash_secret`](crate::token::hash_secret),
/// [`PresentedToken::hash_hex`](crate::PresentedToken::hash_hex)).
pub fn token_key(secret_hash: &str) -> String {
    format!("{TOKEN_PREFIX}{secret_hash}")
}

/// The key of a subject's quota state (a token's or a team's id).
pub fn quota_key(subject: uuid::Uuid) -> String {
    format!("{QUOTA_PREFIX}{subject}")
}

/// Whether `key` belongs to this layout: the sync deletes orphans only
/// among these.
pub fn is_ours(key: &str) -> bool {
    key.starts_with(TOKEN_PREFIX)
        || key.starts_with(QUOTA_PREFIX)
        || key == ROUTES_KEY
        || key == PRICES_KEY
        || key == SECRETS_KEY
        || key == META_KEY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_the_layout() {
        assert_eq!(token_key("ab"), "tok:ab");
        assert_eq!(
            quota_key(uuid::Uuid::from_u128(1)),
            "quota:00000000-0000-0000-0000-000000000001"
        );
        for ours in ["tok:ab", "quota:x", "routes", "prices", "secrets", "meta"] {
            assert!(is_ours(ours), "{ours}");
        }
        for other in [
            "tok",
            "TOK:ab",
            "quota",
            "quotas",
            "routes2",
            "prices:x",
            "metadata",
            "my-app:config",
        ] {
            assert!(!is_ours(other), "{other}");
        }
    }
}
