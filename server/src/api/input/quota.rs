//! Quotas and budgets (`--quota`, `--quota-tokens`, `--budget`):
//! `N/PERIOD`, `USD/PERIOD`, or `none`, parsed by the gateway core's one
//! parser.

use super::{err, InputError};
use crate::api::Quota;
use tokenctl_gateway::quota::QuotaKind;

/// What removes a quota.
pub const QUOTA_NONE: &str = "none";

/// The field that sets a kind of quota, as named in messages.
pub fn quota_field(kind: QuotaKind) -> &'static str {
    match kind {
        QuotaKind::Requests => "quota",
        QuotaKind::LlmTokens => "quota_tokens",
        QuotaKind::Budget => "budget",
    }
}

/// A quota of `kind`, or `None` for `none` (remove it).
pub fn quota(kind: QuotaKind, value: &str) -> Result<Option<Quota>, InputError> {
    let v = value.trim();
    if v == QUOTA_NONE {
        return Ok(None);
    }
    // Echoed in messages, so never longer than a quota can be.
    let shown: String = v.chars().take(40).collect();
    match kind.parse(v) {
        Ok(limit) => Ok(Some(Quota {
            kind,
            amount: limit.amount,
            period: limit.period,
        })),
        Err(e) => err(format!(
            "{} `{}` is not valid: {e}; or `none` to remove it",
            quota_field(kind),
            shown.escape_debug()
        )),
    }
}
