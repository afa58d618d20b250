// Quotas and budgets: what each subject (token or team) with a quota
// consumed per period, counted as usage is ingested; the quota state the
// config feed publishes; and what `token show` reports.
//
// Publication is throttled so a busy token does not add a change-log entry
// per usage batch: a subject's state is announced when one of its quotas
// becomes exhausted (or whole again), and otherwise at most once per
// `QUOTA_PUBLISH_EVERY`. Gateways count locally in between.

/// The longest a changed `used` waits before the config feed announces it
/// (unless the quota became exhausted, which is announced at once).
const QUOTA_PUBLISH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// A counter of `quota_usage`: subject, kind, period and its start.
type CountKey = (Uuid, api::QuotaKind, api::Period, DateTime<Utc>);

/// A token's quotas as stored (`tokens.quotas`, `teams.quotas`).
type QuotaList = Option<Json<Vec<api::Quota>>>;

/// Sets (or with `None` removes) quotas by kind; the rest stay. Sorted by
/// kind; `None` when none remain (stored as NULL).
fn merge_quotas(
    before: &[api::Quota],
    changes: &[(api::QuotaKind, Option<api::Quota>)],
) -> Option<Vec<api::Quota>> {
    let mut by_kind: std::collections::BTreeMap<api::QuotaKind, api::Quota> =
        before.iter().map(|q| (q.kind, *q)).collect();
    for (kind, quota) in changes {
        match quota {
            Some(q) => by_kind.insert(*kind, *q),
            None => by_kind.remove(kind),
        };
    }
    (!by_kind.is_empty()).then(|| by_kind.into_values().collect())
}

/// Current-period `used` per (subject, kind, period), for subjects in
/// `subjects` (all: `None`), as of `now`.
async fn current_quota_usage(
    tx: &mut Tx,
    subjects: Option<&[Uuid]>,
    now: DateTime<Utc>,
) -> sqlx::Result<HashMap<(Uuid, String, String), u64>> {
    // Every current period starts at or after the current month's start.
    let since = api::Period::Month.start(now);
    let mut q = QueryBuilder::<Db>::new(
        "SELECT subject_id, kind, period, period_start, used FROM quota_usage WHERE period_start >= ",
    );
    q.push_bind(since);
    if let Some(ids) = subjects {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        push_ids(&mut q, "subject_id", ids);
    }
    let rows = q
        .build_query_as::<(Uuid, String, String, DateTime<Utc>, i64)>()
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, period, start, _)| {
            period
                .parse::<api::Period>()
                .is_ok_and(|p| p.start(now) == *start)
        })
        .map(|(subject, kind, period, _, used)| {
            ((subject, kind, period), u64::try_from(used).unwrap_or(0))
        })
        .collect())
}

fn quota_state(
    subject: Uuid,
    quotas: &[api::Quota],
    used: &HashMap<(Uuid, String, String), u64>,
    now: DateTime<Utc>,
) -> QuotaState {
    QuotaState {
        subject,
        limits: quotas
            .iter()
            .map(|q| QuotaUsage {
                kind: q.kind,
                limit: q.amount,
                period: q.period,
                period_start: q.period.start(now),
                used: used
                    .get(&(subject, q.kind.to_string(), q.period.to_string()))
                    .copied()
                    .unwrap_or(0),
            })
            .collect(),
    }
}

/// The quota state of every live token and team with quotas.
async fn all_quota_states(tx: &mut Tx, now: DateTime<Utc>) -> sqlx::Result<Vec<QuotaState>> {
    let mut subjects: Vec<(Uuid, QuotaList)> = sqlx::query_as(
        "SELECT id, quotas FROM tokens WHERE quotas IS NOT NULL AND revoked_at IS NULL",
    )
    .fetch_all(&mut **tx)
    .await?;
    subjects.extend(
        sqlx::query_as::<_, (Uuid, QuotaList)>(
            "SELECT id, quotas FROM teams WHERE quotas IS NOT NULL AND deleted_at IS NULL",
        )
        .fetch_all(&mut **tx)
        .await?,
    );
    let used = current_quota_usage(tx, None, now).await?;
    Ok(subjects
        .into_iter()
        .filter_map(|(id, quotas)| Some((id, quotas?.0)))
        .filter(|(_, quotas)| !quotas.is_empty())
        .map(|(id, quotas)| quota_state(id, &quotas, &used, now))
        .collect())
}

/// The quota state of one subject (token or team id), `None` when it has
/// no quotas (any more).
async fn subject_quota_state(
    tx: &mut Tx,
    subject: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<QuotaState>> {
    let quotas = subject_quotas(tx, subject).await?;
    if quotas.is_empty() {
        return Ok(None);
    }
    let used = current_quota_usage(tx, Some(&[subject]), now).await?;
    Ok(Some(quota_state(subject, &quotas, &used, now)))
}

/// The quotas of a live token or team.
async fn subject_quotas(tx: &mut Tx, subject: Uuid) -> sqlx::Result<Vec<api::Quota>> {
    let token: Option<QuotaList> =
        sqlx::query_scalar("SELECT quotas FROM tokens WHERE id = $1 AND revoked_at IS NULL")
            .bind(subject)
            .fetch_optional(&mut **tx)
            .await?;
    let quotas = match token {
        Some(q) => q,
        None => sqlx::query_scalar("SELECT quotas FROM teams WHERE id = $1 AND deleted_at IS NULL")
            .bind(subject)
            .fetch_optional(&mut **tx)
            .await?
            .flatten(),
    };
    Ok(quotas.map(|q| q.0).unwrap_or_default())
}

/// A quota that crossed a threshold with an ingested batch.
#[derive(Debug, Clone)]
pub struct QuotaCrossing {
    pub subject: Uuid,
    pub quota: api::Quota,
    pub period_start: DateTime<Utc>,
    pub used: u64,
    /// Crossed 80 % (`false`) or 100 % (`true`).
    pub exhausted: bool,
}

/// Counts ingested events against the quotas of their tokens and teams,
/// and announces changed quota states on the config feed (throttled, see
/// the top of this file). Returns whether anything was announced, and the
/// thresholds crossed.
async fn count_quota_usage(
    tx: &mut Tx,
    events: &[&UsageEvent],
    now: DateTime<Utc>,
) -> sqlx::Result<(bool, Vec<QuotaCrossing>)> {
    let token_ids: BTreeSet<Uuid> = events.iter().filter_map(|e| e.token_id).collect();
    let token_ids: Vec<Uuid> = token_ids.into_iter().collect();
    // token → (its quotas, its team, the team's quotas), for tokens whose
    // token or team has any.
    let mut quotas_of: HashMap<Uuid, (Vec<api::Quota>, Uuid, Vec<api::Quota>)> = HashMap::new();
    for chunk in token_ids.chunks(IN_LIST_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT t.id, t.quotas, tm.id, tm.quotas FROM tokens t JOIN teams tm ON tm.id = t.team_id \
             WHERE (t.quotas IS NOT NULL OR tm.quotas IS NOT NULL)",
        );
        push_ids(&mut q, "t.id", chunk);
        let rows = q
            .build_query_as::<(Uuid, QuotaList, Uuid, QuotaList)>()
            .fetch_all(&mut **tx)
            .await?;
        for (token, quotas, team, team_quotas) in rows {
            let list = |q: QuotaList| q.map(|q| q.0).unwrap_or_default();
            quotas_of.insert(token, (list(quotas), team, list(team_quotas)));
        }
    }
    if quotas_of.is_empty() {
        return Ok((false, vec![]));
    }
    let mut increments: std::collections::BTreeMap<CountKey, (api::Quota, u64)> =
        Default::default();
    for e in events {
        let Some((quotas, team, team_quotas)) = e.token_id.and_then(|t| quotas_of.get(&t)) else {
            continue;
        };
        let subjects = [
            (e.token_id.unwrap_or_default(), quotas),
            (*team, team_quotas),
        ];
        for (subject, quotas) in subjects {
            for quota in quotas {
                let amount = match quota.kind {
                    api::QuotaKind::Requests => {
                        if tokenctl_gateway::quota::counts_as_request(e.error_code.as_deref()) {
                            u64::from(e.count)
                        } else {
                            0
                        }
                    }
                    api::QuotaKind::LlmTokens => e
                        .input_tokens
                        .unwrap_or(0)
                        .saturating_add(e.output_tokens.unwrap_or(0)),
                    // Budgets are not counted by the control plane yet.
                    api::QuotaKind::Budget => 0,
                };
                if amount == 0 {
                    continue;
                }
                let key = (subject, quota.kind, quota.period, quota.period.start(e.at));
                let entry = increments.entry(key).or_insert((*quota, 0));
                entry.1 = entry.1.saturating_add(amount);
            }
        }
    }
    let mut announce = BTreeSet::new();
    let mut crossings = Vec::new();
    for ((subject, kind, period, start), (quota, amount)) in increments {
        let (used, published_used, published_at): (i64, i64, Option<DateTime<Utc>>) =
            sqlx::query_as(
                "INSERT INTO quota_usage (subject_id, kind, period, period_start, used) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (subject_id, kind, period, period_start) \
                 DO UPDATE SET used = quota_usage.used + excluded.used \
                 RETURNING used, published_used, published_at",
            )
            .bind(subject)
            .bind(kind.as_str())
            .bind(period.as_str())
            .bind(start)
            .bind(clamp_i64(amount))
            .fetch_one(&mut **tx)
            .await?;
        if start != period.start(now) {
            // A late event of an ended period: counted, never announced.
            continue;
        }
        let used = u64::try_from(used).unwrap_or(0);
        let before = used.saturating_sub(amount);
        let limit = quota.amount;
        // 80 %, rounded up: the first count at or above four fifths.
        let warn_at = u64::try_from((u128::from(limit) * 4).div_ceil(5)).unwrap_or(limit);
        for (threshold, exhausted) in [(warn_at, false), (limit, true)] {
            if before < threshold && used >= threshold {
                crossings.push(QuotaCrossing {
                    subject,
                    quota,
                    period_start: start,
                    used,
                    exhausted,
                });
            }
        }
        let published = u64::try_from(published_used).unwrap_or(0);
        let flipped = (published >= limit) != (used >= limit);
        let due = published_at.is_none_or(|at| now - at >= QUOTA_PUBLISH_EVERY);
        if flipped || due {
            sqlx::query(
                "UPDATE quota_usage SET published_used = $1, published_at = $2 \
                 WHERE subject_id = $3 AND kind = $4 AND period = $5 AND period_start = $6",
            )
            .bind(clamp_i64(used))
            .bind(now)
            .bind(subject)
            .bind(kind.as_str())
            .bind(period.as_str())
            .bind(start)
            .execute(&mut **tx)
            .await?;
            announce.insert(subject);
        }
    }
    for subject in &announce {
        record_change(tx, "quota", subject.to_string()).await?;
    }
    Ok((!announce.is_empty(), crossings))
}

impl Repo {
    /// A token's and its team's quotas with what they counted in the
    /// current period.
    pub async fn quota_status(&self, token: Uuid, team: Uuid) -> ApiResult<Vec<api::QuotaStatus>> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let now = api::now();
        let token_quotas = subject_quotas(&mut tx, token).await?;
        let team_quotas = subject_quotas(&mut tx, team).await?;
        let used = current_quota_usage(&mut tx, Some(&[token, team]), now).await?;
        tx.commit().await?;
        let status = |subject: Uuid, whose: &str, q: &api::Quota| {
            let used = used
                .get(&(subject, q.kind.to_string(), q.period.to_string()))
                .copied()
                .unwrap_or(0);
            api::QuotaStatus {
                quota: *q,
                used,
                remaining: q.amount.saturating_sub(used),
                subject: whose.to_string(),
                period_start: q.period.start(now),
                period_end: q.period.end(now),
            }
        };
        Ok(token_quotas
            .iter()
            .map(|q| status(token, "token", q))
            .chain(team_quotas.iter().map(|q| status(team, "team", q)))
            .collect())
    }
}
