//! The KV sync's settings (flags and variables of `tokenctl server`).

use secrecy::SecretString;
use std::time::Duration;

/// Default Cloudflare API base URL.
pub const DEFAULT_API_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// Cloudflare KV settings; without them KV sync is off.
#[derive(Debug, Clone)]
pub struct KvConfig {
    pub account_id: String,
    pub api_token: SecretString,
    pub namespace_id: String,
    pub base_url: String,
    /// Per request, including the body.
    pub request_timeout: Duration,
}

impl KvConfig {
    /// The settings of `tokenctl server` (`--cf-account-id` etc.), checked:
    /// the base URL must be an http(s) URL.
    pub fn new(
        account_id: String,
        api_token: SecretString,
        namespace_id: String,
        base_url: String,
        request_timeout: Duration,
    ) -> Result<KvConfig, String> {
        match url::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base() => {}
            _ => {
                return Err(format!(
                    "CF_API_BASE_URL `{base_url}` is not an http(s) URL"
                ))
            }
        }
        Ok(KvConfig {
            account_id,
            api_token,
            namespace_id,
            base_url,
            request_timeout,
        })
    }

    /// A request timeout towards Cloudflare (`TOKENCTL_KV_TIMEOUT`): a
    /// duration from 100ms to 5m.
    pub fn parse_request_timeout(value: &str) -> Result<Duration, String> {
        humantime::parse_duration(value.trim())
            .ok()
            .filter(|d| *d >= Duration::from_millis(100) && *d <= Duration::from_secs(300))
            .ok_or_else(|| format!("`{value}` must be a duration from 100ms to 5m, e.g. 30s"))
    }

    /// From settings looked up by their variable names: `CF_ACCOUNT_ID`,
    /// `CF_API_TOKEN`, `CF_KV_NAMESPACE_ID` (all or none), `CF_API_BASE_URL`
    /// and `TOKENCTL_KV_TIMEOUT`. Empty values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<KvConfig>, String> {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let names = ["CF_ACCOUNT_ID", "CF_API_TOKEN", "CF_KV_NAMESPACE_ID"];
        let values: Vec<Option<String>> = names.iter().map(|n| get(n)).collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "KV sync needs CF_ACCOUNT_ID, CF_API_TOKEN and CF_KV_NAMESPACE_ID together; missing: {}",
                missing.join(", ")
            ));
        }
        let base_url = get("CF_API_BASE_URL").unwrap_or_else(|| DEFAULT_API_BASE_URL.into());
        let request_timeout = match get("TOKENCTL_KV_TIMEOUT") {
            None => Duration::from_secs(30),
            Some(t) => KvConfig::parse_request_timeout(&t)
                .map_err(|e| format!("TOKENCTL_KV_TIMEOUT {e}"))?,
        };
        let mut values = values.into_iter().map(Option::unwrap);
        KvConfig::new(
            values.next().unwrap(),
            values.next().unwrap().into(),
            values.next().unwrap(),
            base_url,
            request_timeout,
        )
        .map(Some)
    }

    /// The lease outlives any request by a wide margin (see the module docs).
    pub(super) fn lease(&self) -> Duration {
        (self.request_timeout * 3).max(Duration::from_secs(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(KvConfig::from_lookup(env(&[])).unwrap().is_none());
        let err = KvConfig::from_lookup(env(&[("CF_ACCOUNT_ID", "a")])).unwrap_err();
        assert!(err.contains("CF_API_TOKEN") && err.contains("CF_KV_NAMESPACE_ID"));
        let c = KvConfig::from_lookup(env(&[
            ("CF_ACCOUNT_ID", "acc"),
            ("CF_API_TOKEN", "secret-token"),
            ("CF_KV_NAMESPACE_ID", "ns"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.base_url, DEFAULT_API_BASE_URL);
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert!(c.lease() >= c.request_timeout * 2);
        assert!(!format!("{c:?}").contains("secret-token"));
        let c = KvConfig::from_lookup(env(&[
            ("CF_ACCOUNT_ID", "acc"),
            ("CF_API_TOKEN", "t"),
            ("CF_KV_NAMESPACE_ID", "ns"),
            ("CF_API_BASE_URL", "http://127.0.0.1:9/client/v4"),
            ("TOKENCTL_KV_TIMEOUT", "2s"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.request_timeout, Duration::from_secs(2));
        assert_eq!(c.lease(), Duration::from_secs(60));
        assert!(KvConfig::from_lookup(env(&[
            ("CF_ACCOUNT_ID", "acc"),
            ("CF_API_TOKEN", "t"),
            ("CF_KV_NAMESPACE_ID", "ns"),
            ("CF_API_BASE_URL", "not a url"),
        ]))
        .is_err());
    }
}
