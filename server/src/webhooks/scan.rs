//! The periodic scan that finds events and queues them. Each event has a
//! dedup key, so however often (and in however many server processes) the
//! scan runs, an event is delivered once per webhook:
//!
//! | event | fires | key |
//! |---|---|---|
//! | `token.expiring` | a token expires within a warning (the nearest one only) | token, its expiry, the warning |
//! | `kvsync.failing` | the KV sync has failed for longer than the setting | the start of the failing run |
//! | `usage.rollup_lagging` | the oldest event waiting for the roll-up is older than the setting | the second it was found; not again within the hour |
//! | `route.error_rate` | a route's 5xx share of the last window is above its threshold | route and the second it was found; not again for that route within the window |
//!
//! The last two have no natural start to key on: they fire at most once
//! in a while, checked against the outbox itself, so that also holds
//! across restarts.

use super::Webhooks;
use crate::api::{self, WebhookEvent};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// `route.error_rate` needs at least this many requests in the window, so
/// that one failed call of a quiet route is not an alert.
pub const MIN_REQUESTS: i64 = 5;

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// A duration as the settings write it (`7d`, `12h`, `90s`).
fn label(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        _ if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// `usage.rollup_lagging` fires at most once in this long.
const LAG_REPEAT: Duration = Duration::from_secs(3600);

impl Webhooks {
    pub(super) async fn scan_loop(self: Arc<Self>) {
        let mut tick = tokio::time::interval(self.config.scan_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.scan(api::now()).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(deliveries = n, "webhook events queued");
                    self.notify();
                }
                Err(e) => tracing::warn!(error = %e, "webhook event scan failed"),
            }
        }
    }

    /// Queues every event that holds now; how many deliveries were new.
    async fn scan(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let mut queued = 0;
        for (event, key, data) in self.find_events(now).await? {
            queued += self.db.queue_webhook_event(event, key, data).await?;
        }
        Ok(queued)
    }

    async fn find_events(
        &self,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(WebhookEvent, String, serde_json::Value)>> {
        let mut events = Vec::new();
        self.expiring_tokens(now, &mut events).await?;
        self.kv_sync_failing(now, &mut events).await?;
        self.rollup_lagging(now, &mut events).await?;
        self.route_error_rates(now, &mut events).await?;
        Ok(events)
    }

    /// `token.expiring`: for each active token expiring within the longest
    /// warning, the nearest warning it is within. A token created inside a
    /// warning gets that one only, not the longer ones it never crossed.
    async fn expiring_tokens(
        &self,
        now: DateTime<Utc>,
        out: &mut Vec<(WebhookEvent, String, serde_json::Value)>,
    ) -> anyhow::Result<()> {
        let warnings = &self.config.token_expiry_warnings;
        let Some(longest) = warnings.first() else {
            return Ok(());
        };
        for (id, name, team, expires_at) in
            self.db.tokens_expiring(now, now + chrono(*longest)).await?
        {
            let left = expires_at - now;
            let Some(warning) = warnings.iter().rev().find(|w| left <= chrono(**w)) else {
                continue;
            };
            out.push((
                WebhookEvent::TokenExpiring,
                format!(
                    "token.expiring:{id}:{}:{}",
                    expires_at.timestamp(),
                    warning.as_secs()
                ),
                json!({
                    "token_id": id,
                    "token": name,
                    "team": team,
                    "expires_at": expires_at,
                    "warning": label(*warning),
                    "expires_in_seconds": left.num_seconds(),
                }),
            ));
        }
        Ok(())
    }

    /// `kvsync.failing`: once per run of failures longer than the setting.
    async fn kv_sync_failing(
        &self,
        now: DateTime<Utc>,
        out: &mut Vec<(WebhookEvent, String, serde_json::Value)>,
    ) -> anyhow::Result<()> {
        let state = self.db.kv_state().await?;
        let Some(since) = state.failing_since else {
            return Ok(());
        };
        if now - since < chrono(self.config.kv_failing_after) {
            return Ok(());
        }
        out.push((
            WebhookEvent::KvsyncFailing,
            format!("kvsync.failing:{}", since.timestamp_micros()),
            json!({
                "failing_since": since,
                "failing_for_seconds": (now - since).num_seconds(),
                "last_error": state.last_error,
                "last_error_kind": state.last_error_kind,
                "last_error_at": state.last_error_at,
            }),
        ));
        Ok(())
    }

    /// `usage.rollup_lagging`: at most once an hour while the lag lasts.
    async fn rollup_lagging(
        &self,
        now: DateTime<Utc>,
        out: &mut Vec<(WebhookEvent, String, serde_json::Value)>,
    ) -> anyhow::Result<()> {
        let Some(oldest) = self.db.rollup_oldest_pending().await? else {
            return Ok(());
        };
        let lag = now - oldest;
        if lag < chrono(self.config.rollup_lag_after) {
            return Ok(());
        }
        let prefix = "usage.rollup_lagging:".to_string();
        if self
            .db
            .webhook_event_since(prefix.clone(), now - chrono(LAG_REPEAT))
            .await?
        {
            return Ok(());
        }
        let pending = self.db.rollup_pending().await?;
        out.push((
            WebhookEvent::UsageRollupLagging,
            format!("{prefix}{}", now.timestamp()),
            json!({
                "oldest_pending_received_at": oldest,
                "lag_seconds": lag.num_seconds(),
                "pending_events": pending,
                "pending_capped_at": crate::db::PENDING_COUNT_CAP,
            }),
        ));
        Ok(())
    }

    /// `route.error_rate`: at most once per window while a route's 5xx
    /// share is above its threshold.
    async fn route_error_rates(
        &self,
        now: DateTime<Utc>,
        out: &mut Vec<(WebhookEvent, String, serde_json::Value)>,
    ) -> anyhow::Result<()> {
        let window = self.config.error_rate_window;
        let since = now - chrono(window);
        for (id, name, threshold, requests, errors) in self.db.route_error_rates(since).await? {
            if requests < MIN_REQUESTS {
                continue;
            }
            let rate = errors as f64 / requests as f64;
            if rate <= threshold {
                continue;
            }
            let prefix = format!("route.error_rate:{id}:");
            if self.db.webhook_event_since(prefix.clone(), since).await? {
                continue;
            }
            out.push((
                WebhookEvent::RouteErrorRate,
                format!("{prefix}{}", now.timestamp()),
                json!({
                    "route_id": id,
                    "route": name,
                    "threshold": threshold,
                    "error_rate": rate,
                    "requests": requests,
                    "errors": errors,
                    "window_seconds": window.as_secs(),
                    "since": since,
                }),
            ));
        }
        Ok(())
    }
}
