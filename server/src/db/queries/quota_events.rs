// The webhook events of quotas and budgets: `quota.80_percent`,
// `quota.exhausted`, `budget.80_percent`, `budget.exhausted`, queued in
// the usage ingest's transaction when a batch carries a quota across the
// threshold. The dedup key holds the subject, the kind, the period and its
// start, so each fires once per subject and period however the events
// arrive.

fn quota_event(crossing: &QuotaCrossing) -> api::WebhookEvent {
    match (crossing.quota.kind, crossing.exhausted) {
        (api::QuotaKind::Budget, false) => api::WebhookEvent::Budget80Percent,
        (api::QuotaKind::Budget, true) => api::WebhookEvent::BudgetExhausted,
        (_, false) => api::WebhookEvent::Quota80Percent,
        (_, true) => api::WebhookEvent::QuotaExhausted,
    }
}

/// Queues the crossings' events for every subscribed webhook.
async fn queue_quota_events(tx: &mut Tx, crossings: &[QuotaCrossing]) -> sqlx::Result<()> {
    if crossings.is_empty() {
        return Ok(());
    }
    let hooks: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, events FROM webhooks")
        .fetch_all(&mut **tx)
        .await?;
    let now = api::now();
    for crossing in crossings {
        let event = quota_event(crossing);
        let subscribed: Vec<Uuid> = hooks
            .iter()
            .filter(|(_, events)| stored_events(events).contains(&event))
            .map(|(id, _)| *id)
            .collect();
        if subscribed.is_empty() {
            continue;
        }
        let q = &crossing.quota;
        let (subject, name) = subject_name(tx, crossing.subject).await?;
        let dedup_key = format!(
            "{}:{}:{}:{}:{}",
            event.as_str(),
            crossing.subject,
            q.kind,
            q.period,
            crossing.period_start.timestamp()
        );
        let mut data = serde_json::json!({
            "subject": subject,
            "subject_id": crossing.subject,
            "name": name,
            "kind": q.kind,
            "amount": q.amount,
            "limit": q.written(),
            "period": q.period,
            "period_start": crossing.period_start,
            "period_end": q.period.end(crossing.period_start),
            "used": crossing.used,
        });
        if q.kind == api::QuotaKind::Budget {
            // Exact dollars beside the micro-dollars.
            let used = i128::from(crossing.used) * 1_000_000 + i128::from(crossing.used_pico_rest);
            data["limit_usd"] = crate::usage::cost::usd(i128::from(q.amount) * 1_000_000).into();
            data["used_usd"] = crate::usage::cost::usd(used).into();
        }
        for id in subscribed {
            insert_delivery(tx, id, event, &dedup_key, &data, now).await?;
        }
    }
    Ok(())
}

/// `("token", its name)` or `("team", its name)`.
async fn subject_name(tx: &mut Tx, subject: Uuid) -> sqlx::Result<(&'static str, String)> {
    let token: Option<String> = sqlx::query_scalar("SELECT name FROM tokens WHERE id = $1")
        .bind(subject)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(name) = token {
        return Ok(("token", name));
    }
    let team: Option<String> = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
        .bind(subject)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(("team", team.unwrap_or_default()))
}
