// Webhooks and their delivery outbox: adding and removing webhooks,
// queueing an event once per webhook (deduplicated by key), claiming due
// deliveries with a lease, and recording how an attempt went. What the
// periodic scan reads to find events is at the end.

#[derive(FromRow)]
struct WebhookRow {
    id: Uuid,
    url: String,
    events: String,
    private_receiver: bool,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
}

const WEBHOOK_SELECT: &str = "SELECT w.id, w.url, w.events, w.private_receiver, \
     u.name AS created_by_name, w.created_at FROM webhooks w LEFT JOIN users u ON u.id = w.created_by";

/// Stored event names; a name this version does not know (written by a
/// newer one) is left out.
fn stored_events(text: &str) -> Vec<api::WebhookEvent> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| api::WebhookEvent::parse(e))
        .collect()
}

impl From<WebhookRow> for api::Webhook {
    fn from(r: WebhookRow) -> Self {
        api::Webhook {
            id: r.id,
            events: stored_events(&r.events),
            url: r.url,
            private_receiver: r.private_receiver,
            created_by: r.created_by_name,
            created_at: r.created_at,
        }
    }
}

#[derive(FromRow)]
struct DeliveryRow {
    id: Uuid,
    webhook_id: Uuid,
    event: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event, status, attempts, next_attempt_at, \
     last_status, last_error, created_at, delivered_at";

impl From<DeliveryRow> for api::WebhookDelivery {
    fn from(r: DeliveryRow) -> Self {
        let status = api::DeliveryStatus::parse(&r.status);
        api::WebhookDelivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event: r.event,
            status,
            attempts: r.attempts,
            next_attempt_at: (status == api::DeliveryStatus::Pending).then_some(r.next_attempt_at),
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        }
    }
}

/// The JSON body of a delivery: `{id, event, created_at, data}`.
fn delivery_payload(
    id: Uuid,
    event: api::WebhookEvent,
    at: DateTime<Utc>,
    data: &serde_json::Value,
) -> String {
    serde_json::json!({
        "id": id,
        "event": event.as_str(),
        "created_at": at,
        "data": data,
    })
    .to_string()
}

/// Inserts one delivery unless the webhook already has one with this key;
/// whether it did.
async fn insert_delivery(
    tx: &mut Tx,
    webhook_id: Uuid,
    event: api::WebhookEvent,
    dedup_key: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, event, dedup_key, payload, status, \
         attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) \
         ON CONFLICT (webhook_id, dedup_key) DO NOTHING",
    )
    .bind(id)
    .bind(webhook_id)
    .bind(event.as_str())
    .bind(dedup_key)
    .bind(delivery_payload(id, event, now, data))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((inserted > 0).then_some(id))
}

impl Repo {
    pub async fn create_webhook(
        &self,
        actor: &Actor,
        new: crate::db::NewWebhook,
    ) -> ApiResult<api::Webhook> {
        let mut tx = begin_write(&self.pool).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks")
            .fetch_one(&mut *tx)
            .await?;
        if count >= api::input::webhooks::MAX_WEBHOOKS {
            return Err(ApiError::Conflict {
                code: "limit_reached",
                message: format!(
                    "this server already has {count} webhooks, the most it holds; remove one first"
                ),
            });
        }
        let events: Vec<&str> = new.events.iter().map(|e| e.as_str()).collect();
        sqlx::query(
            "INSERT INTO webhooks (id, url, events, secret, private_receiver, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new.id)
        .bind(&new.url)
        .bind(serde_json::to_string(&events).expect("names serialise"))
        .bind(&new.sealed_secret)
        .bind(new.private_receiver)
        .bind(actor.user_id)
        .bind(api::now())
        .execute(&mut *tx)
        .await?;
        let webhook = webhook_in(&mut tx, new.id).await?.expect("inserted above");
        audited(
            &mut tx,
            actor,
            Audit::new(
                "webhook.create",
                Target::new("webhook", webhook.id, &webhook.url, None),
            )
            .after(&webhook),
        )
        .await?;
        tx.commit().await?;
        Ok(webhook)
    }

    pub async fn list_webhooks(&self) -> ApiResult<Vec<api::Webhook>> {
        Ok(
            sqlx::query_as::<_, WebhookRow>(&format!("{WEBHOOK_SELECT} ORDER BY w.id"))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }

    pub async fn find_webhook(&self, id: Uuid) -> ApiResult<Option<api::Webhook>> {
        let mut tx = self.read().await?;
        let found = webhook_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    pub async fn remove_webhook(&self, actor: &Actor, id: Uuid) -> ApiResult<api::Webhook> {
        let mut tx = begin_write(&self.pool).await?;
        let webhook = webhook_in(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found("webhook", &id.to_string()))?;
        sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audited(
            &mut tx,
            actor,
            Audit::new(
                "webhook.remove",
                Target::new("webhook", webhook.id, &webhook.url, None),
            )
            .before(&webhook),
        )
        .await?;
        tx.commit().await?;
        Ok(webhook)
    }

    /// Queues a `webhook.test` delivery to one webhook.
    pub async fn test_webhook(&self, actor: &Actor, id: Uuid) -> ApiResult<api::WebhookDelivery> {
        let mut tx = begin_write(&self.pool).await?;
        let webhook = webhook_in(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found("webhook", &id.to_string()))?;
        let now = api::now();
        let data = serde_json::json!({
            "webhook_id": webhook.id,
            "requested_by": actor.user_name,
        });
        let key = format!("webhook.test:{}", Uuid::now_v7());
        let delivery = insert_delivery(
            &mut tx,
            id,
            api::WebhookEvent::WebhookTest,
            &key,
            &data,
            now,
        )
        .await?
        .expect("a fresh key");
        let row = sqlx::query_as::<_, DeliveryRow>(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1"
        ))
        .bind(delivery)
        .fetch_one(&mut *tx)
        .await?;
        audited(
            &mut tx,
            actor,
            Audit::new(
                "webhook.test",
                Target::new("webhook", webhook.id, &webhook.url, None),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// A page of a webhook's deliveries, newest first, before `before`.
    pub async fn webhook_deliveries_page(
        &self,
        webhook: Uuid,
        before: Option<Uuid>,
        fetch: u32,
    ) -> ApiResult<Vec<api::WebhookDelivery>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = "
        ));
        q.push_bind(webhook);
        if let Some(before) = before {
            q.push(" AND id < ").push_bind(before);
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(fetch));
        Ok(q.build_query_as::<DeliveryRow>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Queues `event` for every webhook subscribed to it, once per webhook
    /// and `dedup_key`; how many deliveries were new.
    pub async fn queue_webhook_event(
        &self,
        event: api::WebhookEvent,
        dedup_key: String,
        data: serde_json::Value,
    ) -> anyhow::Result<usize> {
        let hooks: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, events FROM webhooks")
            .fetch_all(&self.pool)
            .await?;
        let subscribed: Vec<Uuid> = hooks
            .into_iter()
            .filter(|(_, events)| stored_events(events).contains(&event))
            .map(|(id, _)| id)
            .collect();
        if subscribed.is_empty() {
            return Ok(0);
        }
        let mut tx = begin_write(&self.pool).await?;
        let now = api::now();
        let mut queued = 0;
        for id in subscribed {
            if insert_delivery(&mut tx, id, event, &dedup_key, &data, now)
                .await?
                .is_some()
            {
                queued += 1;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Whether a delivery whose dedup key starts with `prefix` was queued
    /// since `since` (for events sent at most once in a while).
    pub async fn webhook_event_since(
        &self,
        prefix: String,
        since: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let pattern = format!(
            "{}%",
            prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries WHERE dedup_key LIKE $1 \
             ESCAPE '\\' AND created_at >= $2 LIMIT 1) AS recent",
        )
        .bind(pattern)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(found > 0)
    }

    /// Webhooks with deliveries due now (pending, not leased).
    pub async fn webhooks_with_due(&self, now: DateTime<Utc>) -> anyhow::Result<Vec<Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE status = 'pending' \
             AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Claims up to `limit` due deliveries of one webhook until
    /// `lease_until`, counting the attempt: another worker (or this one
    /// after a restart) takes a delivery again only once its lease ran out.
    pub async fn claim_webhook_deliveries(
        &self,
        webhook: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> anyhow::Result<Vec<crate::db::DeliveryJob>> {
        #[derive(FromRow)]
        struct Claimed {
            id: Uuid,
            event: String,
            payload: String,
            attempts: i64,
            created_at: DateTime<Utc>,
        }
        let mut tx = begin_write(&self.pool).await?;
        let claimed = sqlx::query_as::<_, Claimed>(&format!(
            "UPDATE webhook_deliveries SET lease_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $2 \
             AND status = 'pending' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $3) \
             ORDER BY next_attempt_at LIMIT $4{SKIP_LOCKED}) \
             RETURNING id, event, payload, attempts, created_at"
        ))
        .bind(lease_until)
        .bind(webhook)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let target: Option<(String, Vec<u8>, bool)> = if claimed.is_empty() {
            None
        } else {
            sqlx::query_as("SELECT url, secret, private_receiver FROM webhooks WHERE id = $1")
                .bind(webhook)
                .fetch_optional(&mut *tx)
                .await?
        };
        tx.commit().await?;
        let Some((url, sealed_secret, private_receiver)) = target else {
            return Ok(vec![]);
        };
        Ok(claimed
            .into_iter()
            .map(|c| crate::db::DeliveryJob {
                id: c.id,
                webhook_id: webhook,
                url: url.clone(),
                sealed_secret: sealed_secret.clone(),
                private_receiver,
                event: c.event,
                payload: c.payload,
                attempts: c.attempts,
                created_at: c.created_at,
                lease_until,
            })
            .collect())
    }

    /// Records how an attempt went, if the attempt still holds its lease.
    pub async fn finish_webhook_delivery(
        &self,
        id: Uuid,
        lease_until: DateTime<Utc>,
        outcome: crate::db::DeliveryOutcome,
    ) -> anyhow::Result<()> {
        let now = api::now();
        let (status, next, delivered_at) = match outcome.next_attempt_at {
            _ if outcome.delivered => ("delivered", now, Some(now)),
            Some(next) => ("pending", next, None),
            None => ("failed", now, None),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, delivered_at = $3, \
             last_status = $4, last_error = $5, lease_until = NULL \
             WHERE id = $6 AND lease_until = $7 AND status = 'pending'",
        )
        .bind(status)
        .bind(next)
        .bind(delivered_at)
        .bind(outcome.status.map(i64::from))
        .bind(outcome.error)
        .bind(id)
        .bind(lease_until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Active tokens that expire after `now` and up to `until`:
    /// (id, name, team name, expiry).
    pub async fn tokens_expiring(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(Uuid, String, String, DateTime<Utc>)>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.name, m.name, t.expires_at FROM tokens t JOIN teams m ON m.id = t.team_id \
             WHERE t.revoked_at IS NULL AND t.expires_at > $1 AND t.expires_at <= $2",
        )
        .bind(now)
        .bind(until)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Routes with an `alert_error_rate`, with their requests and 5xx
    /// answers since `since`: (id, name, threshold, requests, errors).
    pub async fn route_error_rates(
        &self,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(Uuid, String, f64, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.name, r.alert_error_rate, \
             CAST(COALESCE(SUM(e.requests), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN e.status >= 500 THEN e.requests ELSE 0 END), 0) AS BIGINT) \
             FROM routes r LEFT JOIN usage_events e ON e.route_id = r.id AND e.at >= $1 \
             WHERE r.alert_error_rate IS NOT NULL GROUP BY r.id, r.name, r.alert_error_rate",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }
}

async fn webhook_in(tx: &mut Tx, id: Uuid) -> sqlx::Result<Option<api::Webhook>> {
    Ok(
        sqlx::query_as::<_, WebhookRow>(&format!("{WEBHOOK_SELECT} WHERE w.id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(Into::into),
    )
}
