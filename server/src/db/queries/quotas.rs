// Quotas and budgets: what each subject (token or team) with a quota
// consumed per period, counted as usage is ingested; the quota state the
// config feed publishes; and what `token show` reports.
//
// Publication is throttled so a busy token does not add a change-log entry
// per usage batch: a subject's state is announced when one of its quotas
// becomes exhausted (or whole again), and otherwise at most once per
// `QUOTA_PUBLISH_EVERY`. Gateways count locally in between. What the
// throttle held back is published by `publish_held_quotas`, which the
// roll-up loop runs every second: otherwise a subject's last batch would
// wait for its next one, however long that takes.
//
// Budgets count what LLM calls cost at the price in force at each event's
// time, exactly: whole micro-dollars in `used`, the sub-micro rest in
// `used_pico_rest` (so `used` is the exact sum rounded down, however small
// the calls). Calls of unpriced models count nothing but are counted in
// `unpriced_calls`.

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

/// What a quota counted in a period.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    /// Requests, LLM tokens or whole micro-dollars.
    used: u64,
    /// For a budget, the rest below a micro-dollar, in pico-dollars.
    pico_rest: u64,
    /// For a budget, calls with token counts of models without a price.
    unpriced_calls: u64,
}

/// Current-period counts per (subject, kind, period), for subjects in
/// `subjects` (all: `None`), as of `now`.
async fn current_quota_usage(
    tx: &mut Tx,
    subjects: Option<&[Uuid]>,
    now: DateTime<Utc>,
) -> sqlx::Result<HashMap<(Uuid, String, String), Counted>> {
    // Every current period starts at or after the current month's start.
    let since = api::Period::Month.start(now);
    let mut q = QueryBuilder::<Db>::new(
        "SELECT subject_id, kind, period, period_start, used, used_pico_rest, unpriced_calls \
         FROM quota_usage WHERE period_start >= ",
    );
    q.push_bind(since);
    if let Some(ids) = subjects {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        push_ids(&mut q, "subject_id", ids);
    }
    let rows = q
        .build_query_as::<(Uuid, String, String, DateTime<Utc>, i64, i64, i64)>()
        .fetch_all(&mut **tx)
        .await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(rows
        .into_iter()
        .filter(|(_, _, period, start, ..)| {
            period
                .parse::<api::Period>()
                .is_ok_and(|p| p.start(now) == *start)
        })
        .map(|(subject, kind, period, _, used, rest, unpriced)| {
            let counted = Counted {
                used: n(used),
                pico_rest: n(rest),
                unpriced_calls: n(unpriced),
            };
            ((subject, kind, period), counted)
        })
        .collect())
}

fn quota_state(
    subject: Uuid,
    quotas: &[api::Quota],
    used: &HashMap<(Uuid, String, String), Counted>,
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
                    .map_or(0, |c| c.used),
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
    /// For a budget, the rest below a micro-dollar, in pico-dollars.
    pub used_pico_rest: u64,
    /// Crossed 80 % (`false`) or 100 % (`true`).
    pub exhausted: bool,
}

/// What one event adds to a quota: requests, LLM tokens or, for a
/// budget, pico-dollars.
#[derive(Debug, Clone, Copy, Default)]
struct Increment {
    amount: u128,
    /// For a budget: calls with token counts whose model had no price.
    unpriced_calls: u64,
}

/// What `e` adds to a quota of `kind`. A budget counts what its tokens cost
/// at the price of its model in force at its time (the same arithmetic as
/// the gateways', [`PriceTable::llm_cost_pico`]); an unpriced call costs
/// nothing and is counted as unpriced.
fn event_increment(e: &UsageEvent, kind: api::QuotaKind, prices: &PriceTable) -> Increment {
    let amount = match kind {
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
        api::QuotaKind::Budget => {
            if e.input_tokens.is_none() && e.output_tokens.is_none() {
                return Increment::default();
            }
            let price = e.model.as_deref().and_then(|m| prices.at(m, e.at));
            return match price {
                Some(p) => Increment {
                    amount: cost_pico(
                        e.input_tokens.unwrap_or(0),
                        e.output_tokens.unwrap_or(0),
                        p.input_micros_per_1m,
                        p.output_micros_per_1m,
                    ),
                    unpriced_calls: 0,
                },
                None => Increment {
                    amount: 0,
                    unpriced_calls: u64::from(e.count),
                },
            };
        }
    };
    Increment {
        amount: u128::from(amount),
        unpriced_calls: 0,
    }
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
    let budgeted = quotas_of.values().any(|(quotas, _, team_quotas)| {
        quotas
            .iter()
            .chain(team_quotas)
            .any(|q| q.kind == api::QuotaKind::Budget)
    });
    let prices = if budgeted {
        let models = dedup(events.iter().filter_map(|e| e.model.clone()));
        PriceTable::new(price_entries(tx, Some(&models)).await?)
    } else {
        PriceTable::default()
    };
    let mut increments: std::collections::BTreeMap<CountKey, (api::Quota, Increment)> =
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
                let add = event_increment(e, quota.kind, &prices);
                if add.amount == 0 && add.unpriced_calls == 0 {
                    continue;
                }
                let key = (subject, quota.kind, quota.period, quota.period.start(e.at));
                let entry = increments
                    .entry(key)
                    .or_insert((*quota, Increment::default()));
                entry.1.amount = entry.1.amount.saturating_add(add.amount);
                entry.1.unpriced_calls += add.unpriced_calls;
            }
        }
    }
    let mut announce = BTreeSet::new();
    let mut crossings = Vec::new();
    for ((subject, kind, period, start), (quota, add)) in increments {
        // A budget's amount is pico-dollars: whole micro-dollars go to
        // `used`, the rest to `used_pico_rest`, carried over in the update.
        let (whole, rest) = match kind {
            api::QuotaKind::Budget => (
                add.amount / PICO_PER_MICRO,
                u64::try_from(add.amount % PICO_PER_MICRO).unwrap_or(0),
            ),
            _ => (add.amount, 0),
        };
        let (used, used_rest, published_used, published_at): (
            i64,
            i64,
            i64,
            Option<DateTime<Utc>>,
        ) = sqlx::query_as(
            "INSERT INTO quota_usage (subject_id, kind, period, period_start, used, \
             used_pico_rest, unpriced_calls) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (subject_id, kind, period, period_start) \
             DO UPDATE SET used = quota_usage.used + excluded.used \
               + (quota_usage.used_pico_rest + excluded.used_pico_rest) / 1000000, \
             used_pico_rest = (quota_usage.used_pico_rest + excluded.used_pico_rest) % 1000000, \
             unpriced_calls = quota_usage.unpriced_calls + excluded.unpriced_calls \
             RETURNING used, used_pico_rest, published_used, published_at",
        )
        .bind(subject)
        .bind(kind.as_str())
        .bind(period.as_str())
        .bind(start)
        .bind(clamp_i64(u64::try_from(whole).unwrap_or(u64::MAX)))
        .bind(clamp_i64(rest))
        .bind(clamp_i64(add.unpriced_calls))
        .fetch_one(&mut **tx)
        .await?;
        if start != period.start(now) {
            // A late event of an ended period: counted, never announced.
            continue;
        }
        let used = u64::try_from(used).unwrap_or(0);
        // What was counted before this batch, in the quota's unit.
        let before = match kind {
            api::QuotaKind::Budget => {
                let total = u128::from(used) * PICO_PER_MICRO
                    + u128::from(u64::try_from(used_rest).unwrap_or(0));
                u64::try_from(total.saturating_sub(add.amount) / PICO_PER_MICRO).unwrap_or(0)
            }
            _ => used.saturating_sub(u64::try_from(add.amount).unwrap_or(u64::MAX)),
        };
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
                    used_pico_rest: u64::try_from(used_rest).unwrap_or(0),
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
    /// Publishes the counts the throttle held back: rows whose `used`
    /// moved since their last publication, which is at least
    /// `QUOTA_PUBLISH_EVERY` old. Returns how many subjects were announced.
    pub async fn publish_held_quotas(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        // Few rows differ at any time: the partial index
        // `quota_usage_unpublished` holds only those.
        #[derive(FromRow)]
        struct Held {
            subject_id: Uuid,
            kind: String,
            period: String,
            period_start: DateTime<Utc>,
            used: i64,
            published_at: Option<DateTime<Utc>>,
        }
        let held: Vec<Held> = sqlx::query_as(
            "SELECT subject_id, kind, period, period_start, used, published_at \
             FROM quota_usage WHERE used <> published_used",
        )
        .fetch_all(&self.pool)
        .await?;
        let due: Vec<Held> = held
            .into_iter()
            .filter(|h| {
                h.published_at
                    .is_none_or(|at| now - at >= QUOTA_PUBLISH_EVERY)
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = begin_write(&self.pool).await?;
        let mut announce = BTreeSet::new();
        for h in due {
            // Only what was read: a batch counted since is published by
            // its own ingest or the next sweep.
            let updated = sqlx::query(
                "UPDATE quota_usage SET published_used = $1, published_at = $2 \
                 WHERE subject_id = $3 AND kind = $4 AND period = $5 AND period_start = $6 \
                 AND used = $1",
            )
            .bind(h.used)
            .bind(now)
            .bind(h.subject_id)
            .bind(&h.kind)
            .bind(&h.period)
            .bind(h.period_start)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() > 0 {
                announce.insert(h.subject_id);
            }
        }
        for subject in &announce {
            record_change(&mut tx, "quota", subject.to_string()).await?;
        }
        self.commit_config(tx).await?;
        Ok(announce.len())
    }

    /// A token's and its team's quotas with what they counted in the
    /// current period.
    pub async fn quota_status(&self, token: Uuid, team: Uuid) -> ApiResult<Vec<api::QuotaStatus>> {
        self.subjects_quota_status(&[(token, "token"), (team, "team")])
            .await
    }

    /// A team's quotas with what they counted in the current period.
    pub async fn team_quota_status(&self, team: Uuid) -> ApiResult<Vec<api::QuotaStatus>> {
        self.subjects_quota_status(&[(team, "team")]).await
    }

    /// The quotas of `subjects` (id, `token` or `team`), in that order,
    /// with what they counted in the current period.
    async fn subjects_quota_status(
        &self,
        subjects: &[(Uuid, &str)],
    ) -> ApiResult<Vec<api::QuotaStatus>> {
        let mut tx = begin_consistent_read(&self.pool).await?;
        let now = api::now();
        let mut quotas = Vec::new();
        for (subject, whose) in subjects {
            for q in subject_quotas(&mut tx, *subject).await? {
                quotas.push((*subject, *whose, q));
            }
        }
        let ids: Vec<Uuid> = subjects.iter().map(|(id, _)| *id).collect();
        let used = current_quota_usage(&mut tx, Some(&ids), now).await?;
        tx.commit().await?;
        Ok(quotas
            .into_iter()
            .map(|(subject, whose, q)| {
                let counted = used
                    .get(&(subject, q.kind.to_string(), q.period.to_string()))
                    .copied()
                    .unwrap_or_default();
                quota_status(whose, &q, counted, now)
            })
            .collect())
    }
}

/// A quota's status: for budgets also the exact dollars and the unpriced
/// calls.
fn quota_status(
    whose: &str,
    q: &api::Quota,
    counted: Counted,
    now: DateTime<Utc>,
) -> api::QuotaStatus {
    let mut status = api::QuotaStatus {
        quota: *q,
        used: counted.used,
        remaining: q.amount.saturating_sub(counted.used),
        subject: whose.to_string(),
        period_start: q.period.start(now),
        period_end: q.period.end(now),
        limit_usd: None,
        used_usd: None,
        remaining_usd: None,
        unpriced_calls: None,
    };
    if q.kind == api::QuotaKind::Budget {
        let pico = |micros: u64| i128::from(micros) * 1_000_000;
        let used_pico = pico(counted.used) + i128::from(counted.pico_rest);
        let limit_pico = pico(q.amount);
        status.limit_usd = Some(crate::usage::cost::usd(limit_pico));
        status.used_usd = Some(crate::usage::cost::usd(used_pico));
        status.remaining_usd = Some(crate::usage::cost::usd((limit_pico - used_pico).max(0)));
        status.unpriced_calls = Some(counted.unpriced_calls);
    }
    status
}
