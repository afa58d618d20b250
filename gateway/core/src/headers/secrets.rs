//! Recognising tokenctl secrets in header values, so none reaches an
//! upstream whatever header a client puts it in.

use crate::token::SecretKind;

/// Whether a header value carries something shaped like a tokenctl
/// secret: `ntk_`, `tkc_`, `tkg_` or `tke_` at the start of a word,
/// followed by at least 16 base62 characters (checksums are not checked
/// there on purpose: a mistyped or cut token is still most of a secret), or
/// a whole well-formed secret anywhere, even glued to other text.
pub fn carries_tokenctl_secret(value: &[u8]) -> bool {
    const MIN_BODY: usize = 16;
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    // Every prefix ends in `_`: look at each `_` and the three bytes before.
    memchr::memchr_iter(b'_', value).any(|i| {
        if i < 3 {
            return false;
        }
        let start = i - 3;
        let Some(kind) = SecretKind::ALL
            .into_iter()
            .find(|k| k.prefix().as_bytes() == &value[start..=i])
        else {
            return false;
        };
        if start == 0 || !is_word(value[start - 1]) {
            return value[i + 1..]
                .iter()
                .take(MIN_BODY)
                .filter(|b| b.is_ascii_alphanumeric())
                .count()
                == MIN_BODY;
        }
        value
            .get(start..start + kind.encoded_len())
            .and_then(|s| std::str::from_utf8(s).ok())
            .is_some_and(|s| crate::token::check_format(kind, s).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(kind: SecretKind) -> String {
        crate::token::Secret::from_key_material(kind, &[7; 32]).into_exposed()
    }

    #[test]
    fn recognises_tokenctl_secrets_in_header_values() {
        for kind in SecretKind::ALL {
            let s = secret(kind);
            for value in [
                s.clone(),
                format!("Bearer {s}"),
                format!("bearer\t{s}"),
                format!("Basic x, Bearer {s}"),
                format!("session={s}; theme=dark"),
                format!("glued{s}"),
                s[..30].to_string(),
            ] {
                assert!(carries_tokenctl_secret(value.as_bytes()), "{value}");
            }
        }
        for value in [
            "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz",
            "ntk_",
            "ntk_short",
            "xntk_AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            // Glued to a word, only a whole well-formed secret counts.
            "xntk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "eyJhbGciOi.abc_ntk_AAAAAAAAAAAAAAAAAAAAAAAA",
            "NTK_AAAAAAAAAAAAAAAAAAAAAAAA",
            "",
        ] {
            assert!(!carries_tokenctl_secret(value.as_bytes()), "{value}");
        }
    }
}
