//! The secret formats tokenctl issues.
//!
//! Every secret is `PREFIX` + 43 base62 characters of randomness (256 bits)
//! + a 6-character base62 CRC32 of everything before it, GitHub style:
//!
//! ```text
//! ntk_4Qe9...(43 chars)...xYz0aB
//! ^^^^ prefix              ^^^^^^ checksum
//! ```
//!
//! The prefix makes a leaked secret recognisable (secret scanners, log
//! greps); the checksum rejects a mistyped or truncated secret without a
//! database or KV lookup. Only the SHA-256 of the whole string is stored.

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Number of random base62 characters after the prefix.
///
/// 62^43 > 2^256, so 43 uniform base62 characters carry at least 256 bits.
pub const RANDOM_LEN: usize = 43;
/// Number of base62 checksum characters at the end of a secret.
pub const CHECKSUM_LEN: usize = 6;

/// What a secret is for; each kind has its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// An API token that clients present to the gateway.
    ApiToken,
    /// An operator's credential for the admin API.
    AdminCredential,
    /// A gateway's credential for the config feed and usage ingest.
    GatewayKey,
    /// A one-time enrolment code exchanged for an admin credential.
    EnrolmentCode,
}

impl SecretKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SecretKind; 4] = [
        SecretKind::ApiToken,
        SecretKind::AdminCredential,
        SecretKind::GatewayKey,
        SecretKind::EnrolmentCode,
    ];

    /// The prefix every secret of this kind starts with, e.g. `ntk_`.
    pub const fn prefix(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "ntk_",
            SecretKind::AdminCredential => "tkc_",
            SecretKind::GatewayKey => "tkg_",
            SecretKind::EnrolmentCode => "tke_",
        }
    }

    /// A human-readable name for messages, e.g. `API token`.
    pub const fn describe(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "API token",
            SecretKind::AdminCredential => "admin credential",
            SecretKind::GatewayKey => "gateway key",
            SecretKind::EnrolmentCode => "enrolment code",
        }
    }

    /// [`describe`](Self::describe) with its indefinite article.
    pub const fn with_article(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "an API token",
            SecretKind::AdminCredential => "an admin credential",
            SecretKind::GatewayKey => "a gateway key",
            SecretKind::EnrolmentCode => "an enrolment code",
        }
    }

    /// Total length in bytes of a secret of this kind.
    pub const fn encoded_len(self) -> usize {
        self.prefix().len() + RANDOM_LEN + CHECKSUM_LEN
    }
}

/// Why a string is not a well-formed secret of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The input does not start with the kind's prefix.
    #[error("not {expected}: it must start with `{prefix}`", expected = .0.with_article(), prefix = .0.prefix())]
    WrongPrefix(SecretKind),
    /// The input has the wrong length (the count is in characters).
    #[error("not {expected}: it must be {len} characters long, got {got}", expected = .0.with_article(), len = .0.encoded_len(), got = .1)]
    WrongLength(SecretKind, usize),
    /// The input contains a character outside the base62 alphabet.
    #[error("not {expected}: it contains characters outside A-Z, a-z, 0-9", expected = .0.with_article())]
    BadCharacter(SecretKind),
    /// The checksum does not match the rest of the input.
    #[error("not a valid {expected}: the checksum does not match (mistyped or truncated?)", expected = .0.describe())]
    BadChecksum(SecretKind),
}

/// A secret in plaintext. Its `Debug` never prints the value, and its
/// memory is zeroed when it is dropped.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    #[zeroize(skip)]
    kind: SecretKind,
    value: String,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}, {})", self.kind.describe(), self.hint())
    }
}

impl Secret {
    /// Mints a fresh secret from a cryptographic RNG.
    pub fn generate<R: RngCore + CryptoRng>(kind: SecretKind, rng: &mut R) -> Secret {
        let mut body = String::with_capacity(kind.encoded_len());
        body.push_str(kind.prefix());
        while body.len() < kind.prefix().len() + RANDOM_LEN {
            // Rejection sampling keeps every character uniform: 248 = 4 * 62.
            let byte = (rng.next_u32() & 0xff) as u8;
            if byte < 248 {
                body.push(ALPHABET[(byte % 62) as usize] as char);
            }
        }
        Secret::seal(kind, body)
    }

    /// Builds a secret from 32 bytes of key material (for example an HMAC
    /// output), so the same material always yields the same secret.
    pub fn from_key_material(kind: SecretKind, material: &[u8; 32]) -> Secret {
        let mut body = String::with_capacity(kind.encoded_len());
        body.push_str(kind.prefix());
        // Interpret the 256 bits as a big number and write it in base62.
        let mut digits = material.to_vec();
        let mut chars = Vec::with_capacity(RANDOM_LEN);
        for _ in 0..RANDOM_LEN {
            let mut remainder: u32 = 0;
            for d in digits.iter_mut() {
                let acc = (remainder << 8) | u32::from(*d);
                *d = (acc / 62) as u8;
                remainder = acc % 62;
            }
            chars.push(ALPHABET[remainder as usize] as char);
        }
        body.extend(chars.into_iter().rev());
        Secret::seal(kind, body)
    }

    fn seal(kind: SecretKind, mut body: String) -> Secret {
        let checksum = checksum(&body);
        body.push_str(&checksum);
        Secret { kind, value: body }
    }

    /// Parses and verifies a secret of the expected kind without any lookup.
    pub fn parse(kind: SecretKind, input: &str) -> Result<Secret, FormatError> {
        check_format(kind, input).map(|value| Secret {
            kind,
            value: value.to_string(),
        })
    }

    /// Which kind a string claims to be, judged by its prefix alone.
    pub fn kind_of(input: &str) -> Option<SecretKind> {
        let input = input.trim();
        SecretKind::ALL
            .into_iter()
            .find(|k| input.starts_with(k.prefix()))
    }

    /// What this secret is for.
    pub fn kind(&self) -> SecretKind {
        self.kind
    }

    /// The plaintext. Handle with care: show it once, never log it.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Consumes the secret and returns the plaintext.
    pub fn into_exposed(mut self) -> String {
        std::mem::take(&mut self.value)
    }

    /// Lowercase hex SHA-256 of the whole string: the only form stored.
    pub fn hash(&self) -> String {
        hash_secret(&self.value)
    }

    /// A masked form safe to show and store: prefix, 4 characters, checksum.
    pub fn hint(&self) -> String {
        let p = self.kind.prefix().len();
        format!(
            "{}…{}",
            &self.value[..p + 4],
            &self.value[self.value.len() - CHECKSUM_LEN..]
        )
    }
}

/// Verifies `input` (trimmed) is a well-formed secret of `kind` and returns
/// the trimmed slice. This is [`Secret::parse`] without the copy, so the
/// gateway's per-request path can check a presented token without
/// allocating.
pub(crate) fn check_format(kind: SecretKind, input: &str) -> Result<&str, FormatError> {
    let input = input.trim();
    if !input.starts_with(kind.prefix()) {
        return Err(FormatError::WrongPrefix(kind));
    }
    if input.len() != kind.encoded_len() {
        return Err(FormatError::WrongLength(kind, input.chars().count()));
    }
    let rest = &input[kind.prefix().len()..];
    // Every byte, without stopping at the first bad one: a loop without a
    // branch, which the compiler runs a vector at a time.
    if !rest
        .bytes()
        .fold(true, |ok, b| ok & b.is_ascii_alphanumeric())
    {
        return Err(FormatError::BadCharacter(kind));
    }
    let (body, sum) = input.split_at(input.len() - CHECKSUM_LEN);
    if checksum_bytes(body) != sum.as_bytes() {
        return Err(FormatError::BadChecksum(kind));
    }
    Ok(input)
}

/// The credential of an `Authorization` header value that uses the
/// `Bearer` scheme (RFC 6750): the scheme in any case, whitespace, then a
/// non-empty credential. The one parser for every place that reads bearer
/// credentials (the gateways, the admin API, the gateway-key endpoints).
pub fn bearer(authorization: &str) -> Option<&str> {
    let (scheme, rest) = authorization.trim().split_once([' ', '\t'])?;
    let rest = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty()).then_some(rest)
}

/// SHA-256 (lowercase hex) of a secret string, as stored and looked up.
pub fn hash_secret(value: &str) -> String {
    const_hex::encode(Sha256::digest(value.as_bytes()))
}

/// CRC32 of `body` in 6 fixed-width base62 characters.
fn checksum(body: &str) -> String {
    String::from_utf8(checksum_bytes(body).to_vec()).expect("alphabet is ASCII")
}

/// [`checksum`] as a stack array (no allocation).
fn checksum_bytes(body: &str) -> [u8; CHECKSUM_LEN] {
    let mut n = crc32fast::hash(body.as_bytes());
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn bearer_credentials() {
        for (value, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER\tabc ", Some("abc")),
            ("  Bearer   abc", Some("abc")),
            ("Bearer", None),
            ("Bearer   ", None),
            ("Basic abc", None),
            ("Bearerabc", None),
            ("", None),
        ] {
            assert_eq!(bearer(value), want, "{value:?}");
        }
    }

    use super::*;
    use proptest::prelude::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn rng() -> StdRng {
        StdRng::seed_from_u64(7)
    }

    #[test]
    fn generated_secrets_parse_and_have_expected_shape() {
        let mut rng = rng();
        for kind in SecretKind::ALL {
            let s = Secret::generate(kind, &mut rng);
            assert_eq!(s.expose().len(), kind.encoded_len());
            assert!(s.expose().starts_with(kind.prefix()));
            assert_eq!(Secret::parse(kind, s.expose()).unwrap(), s);
            assert_eq!(Secret::kind_of(s.expose()), Some(kind));
        }
    }

    #[test]
    fn hash_is_sha256_hex_of_whole_string() {
        let s = Secret::generate(SecretKind::ApiToken, &mut rng());
        assert_eq!(s.hash().len(), 64);
        assert_eq!(s.hash(), hash_secret(s.expose()));
        assert_ne!(s.hash(), hash_secret(&s.expose()[4..]));
    }

    #[test]
    fn debug_and_hint_do_not_reveal_the_secret() {
        let s = Secret::generate(SecretKind::ApiToken, &mut rng());
        let shown = format!("{s:?} {}", s.hint());
        assert!(!shown.contains(&s.expose()[8..40]));
        assert!(s.hint().starts_with("ntk_"));
    }

    #[test]
    fn rejects_wrong_prefix_length_charset() {
        let s = Secret::generate(SecretKind::ApiToken, &mut rng());
        let v = s.expose();
        assert_eq!(
            Secret::parse(SecretKind::AdminCredential, v),
            Err(FormatError::WrongPrefix(SecretKind::AdminCredential))
        );
        assert!(matches!(
            Secret::parse(SecretKind::ApiToken, &v[..v.len() - 1]),
            Err(FormatError::WrongLength(..))
        ));
        let mut bad = v.to_string();
        bad.replace_range(10..11, "-");
        assert_eq!(
            Secret::parse(SecretKind::ApiToken, &bad),
            Err(FormatError::BadCharacter(SecretKind::ApiToken))
        );
    }

    #[test]
    fn key_material_is_deterministic_and_distinct() {
        let a = Secret::from_key_material(SecretKind::ApiToken, &[1; 32]);
        let b = Secret::from_key_material(SecretKind::ApiToken, &[1; 32]);
        let c = Secret::from_key_material(SecretKind::ApiToken, &[2; 32]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(Secret::parse(SecretKind::ApiToken, a.expose()).is_ok());
        let max = Secret::from_key_material(SecretKind::ApiToken, &[0xff; 32]);
        assert!(Secret::parse(SecretKind::ApiToken, max.expose()).is_ok());
    }

    proptest! {
        /// Any single-character substitution is caught by the checksum or the
        /// charset check: a mistyped token never reaches a lookup.
        #[test]
        fn any_single_substitution_is_rejected(seed: u64, pos in 4usize..53, replacement in 0usize..62) {
            let s = Secret::generate(SecretKind::ApiToken, &mut StdRng::seed_from_u64(seed));
            let mut bytes = s.expose().as_bytes().to_vec();
            let new = ALPHABET[replacement];
            prop_assume!(bytes[pos] != new);
            bytes[pos] = new;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(Secret::parse(SecretKind::ApiToken, &typo).is_err());
        }

        /// Adjacent transpositions (the commonest typo) are rejected too.
        #[test]
        fn adjacent_transpositions_are_rejected(seed: u64, pos in 4usize..52) {
            let s = Secret::generate(SecretKind::ApiToken, &mut StdRng::seed_from_u64(seed));
            let mut bytes = s.expose().as_bytes().to_vec();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(Secret::parse(SecretKind::ApiToken, &typo).is_err());
        }

        /// The parser never panics, whatever it is fed.
        #[test]
        fn parser_never_panics(input in ".{0,80}") {
            for kind in SecretKind::ALL {
                let _ = Secret::parse(kind, &input);
            }
            let _ = Secret::kind_of(&input);
        }
    }
}
