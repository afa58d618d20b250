//! Signed webhooks: the events they carry, the webhooks and their
//! deliveries (see docs/webhooks.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a webhook can be told about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum WebhookEvent {
    /// A token expires within one of the configured warnings (7 days and
    /// 1 day by default).
    #[serde(rename = "token.expiring")]
    TokenExpiring,
    /// The Cloudflare KV sync has been failing for longer than
    /// `--webhook-kv-failing-after`.
    #[serde(rename = "kvsync.failing")]
    KvsyncFailing,
    /// Usage roll-ups are behind by more than `--webhook-rollup-lag-after`.
    #[serde(rename = "usage.rollup_lagging")]
    UsageRollupLagging,
    /// A route's share of 5xx answers over the last window is above its
    /// `alert_error_rate`.
    #[serde(rename = "route.error_rate")]
    RouteErrorRate,
    /// A token's or team's request or LLM-token quota reached 80 % of its
    /// period's amount (once per subject and period).
    #[serde(rename = "quota.80_percent")]
    Quota80Percent,
    /// A token's or team's quota is used up for its period (once per
    /// subject and period).
    #[serde(rename = "quota.exhausted")]
    QuotaExhausted,
    /// A token's or team's budget reached 80 % of its period's amount
    /// (once per subject and period).
    #[serde(rename = "budget.80_percent")]
    Budget80Percent,
    /// A token's or team's budget is used up for its period (once per
    /// subject and period).
    #[serde(rename = "budget.exhausted")]
    BudgetExhausted,
    /// Sent by `tokenctl webhook test`, whatever the webhook subscribes to.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 9] = [
        WebhookEvent::TokenExpiring,
        WebhookEvent::KvsyncFailing,
        WebhookEvent::UsageRollupLagging,
        WebhookEvent::RouteErrorRate,
        WebhookEvent::Quota80Percent,
        WebhookEvent::QuotaExhausted,
        WebhookEvent::Budget80Percent,
        WebhookEvent::BudgetExhausted,
        WebhookEvent::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::TokenExpiring => "token.expiring",
            WebhookEvent::KvsyncFailing => "kvsync.failing",
            WebhookEvent::UsageRollupLagging => "usage.rollup_lagging",
            WebhookEvent::RouteErrorRate => "route.error_rate",
            WebhookEvent::Quota80Percent => "quota.80_percent",
            WebhookEvent::QuotaExhausted => "quota.exhausted",
            WebhookEvent::Budget80Percent => "budget.80_percent",
            WebhookEvent::BudgetExhausted => "budget.exhausted",
            WebhookEvent::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(name: &str) -> Option<WebhookEvent> {
        WebhookEvent::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

impl fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A webhook: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    /// Approved for receivers at private, loopback or link-local addresses.
    pub private_receiver: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateWebhook {
    /// The receiver: `http` or `https`, at most 2048 characters, no
    /// credentials or fragment.
    #[schema(schema_with = super::input::webhooks::schema::url)]
    pub url: String,
    /// Event names, each once (`webhook.test` is always sent).
    #[schema(schema_with = super::input::webhooks::schema::events)]
    pub events: Vec<String>,
    /// Allow a receiver at a private, loopback or link-local address.
    #[serde(default)]
    pub private_receiver: bool,
}

/// A new webhook; `secret` (the signing key) is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; attempts go on until 24 hours after it was created.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Still not delivered 24 hours after it was created: given up.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> DeliveryStatus {
        match value {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event for one webhook, and how delivering it went. Its `id` is the
/// payload's `id` and the `Tokenctl-Delivery` header: receivers dedupe by it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The event name (`token.expiring`, …).
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status at the last attempt, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}
