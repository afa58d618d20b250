// Usage: ingest, the roll-up job, rollup and raw-event reads, retention.
// Compiled once per backend with the other query files.

use crate::usage::tokens::{self as token_rollup, TokenAgg, TokenKey};
use crate::usage::{self as rollup, Agg, Histogram, Key, Level};

/// Ids per `IN (…)` list, well under both backends' parameter limits.
const IN_LIST_CHUNK: usize = 1000;

#[derive(FromRow)]
struct RollupRow {
    bucket: DateTime<Utc>,
    team_id: Uuid,
    token_id: Uuid,
    route_id: Uuid,
    status: i16,
    requests: i64,
    errors: i64,
    bytes_in: i64,
    bytes_out: i64,
    latency_sum: f64,
    latency_hist: Vec<u8>,
    last_at: DateTime<Utc>,
}

impl RollupRow {
    fn split(self) -> (Key, Agg) {
        (
            Key {
                bucket: self.bucket,
                team_id: self.team_id,
                token_id: self.token_id,
                route_id: self.route_id,
                status: self.status,
            },
            Agg {
                requests: self.requests,
                errors: self.errors,
                bytes_in: self.bytes_in,
                bytes_out: self.bytes_out,
                latency_sum: self.latency_sum,
                hist: Histogram::decode(&self.latency_hist),
                last_at: Some(self.last_at),
            },
        )
    }
}

const ROLLUP_COLUMNS: &str = "bucket, team_id, token_id, route_id, status, requests, errors, \
     bytes_in, bytes_out, latency_sum, latency_hist, last_at";

/// `ROLLUP_COLUMNS` of a table aliased `m`.
const ROLLUP_COLUMNS_M: &str =
    "m.bucket, m.team_id, m.token_id, m.route_id, m.status, m.requests, m.errors, \
     m.bytes_in, m.bytes_out, m.latency_sum, m.latency_hist, m.last_at";

/// Overwrites a stored rollup row's sums with the merged ones.
const ROLLUP_UPSERT: &str =
    " ON CONFLICT (bucket, team_id, token_id, route_id, status) DO UPDATE SET \
     requests = excluded.requests, errors = excluded.errors, bytes_in = excluded.bytes_in, \
     bytes_out = excluded.bytes_out, latency_sum = excluded.latency_sum, \
     latency_hist = excluded.latency_hist, last_at = excluded.last_at";

/// Adds aggregated events to one rollup level: reads the rows they touch,
/// merges, writes back. Callers hold the roll-up lock.
async fn add_rollups(
    tx: &mut Tx,
    level: Level,
    groups: std::collections::BTreeMap<Key, Agg>,
) -> sqlx::Result<()> {
    let table = level.table();
    let mut groups = groups;
    let keys: Vec<Key> = groups.keys().copied().collect();
    for row in fetch_rollups(tx, table, &keys).await? {
        let (key, existing) = row.split();
        if let Some(agg) = groups.get_mut(&key) {
            agg.merge(&existing);
        }
    }
    let rows: Vec<(Key, Agg)> = groups.into_iter().collect();
    write_rollups(tx, table, &rows).await
}

/// Adds aggregated token counts to one token rollup level, in place: the
/// upsert adds to a stored row's sums. Callers hold the roll-up lock.
async fn add_token_rollups(
    tx: &mut Tx,
    level: Level,
    groups: std::collections::BTreeMap<TokenKey, TokenAgg>,
) -> sqlx::Result<()> {
    let table = level.tokens_table();
    let rows: Vec<(TokenKey, TokenAgg)> = groups.into_iter().collect();
    // 9 parameters per row, under both backends' limits.
    for chunk in rows.chunks(500) {
        let mut q = QueryBuilder::<Db>::new(format!(
            "INSERT INTO {table} (bucket, team_id, token_id, route_id, model, calls, \
             input_tokens, output_tokens, cached_input_tokens) "
        ));
        q.push_values(chunk, |mut row, (k, a)| {
            row.push_bind(k.bucket)
                .push_bind(k.team_id)
                .push_bind(k.token_id)
                .push_bind(k.route_id)
                .push_bind(k.model.clone())
                .push_bind(a.calls)
                .push_bind(a.input_tokens)
                .push_bind(a.output_tokens)
                .push_bind(a.cached_input_tokens);
        });
        q.push(format!(
            " ON CONFLICT (bucket, team_id, token_id, route_id, model) DO UPDATE SET \
             calls = {table}.calls + excluded.calls, \
             input_tokens = {table}.input_tokens + excluded.input_tokens, \
             output_tokens = {table}.output_tokens + excluded.output_tokens, \
             cached_input_tokens = {table}.cached_input_tokens + excluded.cached_input_tokens"
        ));
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// `select` (a rollup table's) limited to buckets in `[since, until)` and
/// to the scope's teams, token and route; `None` when the scope allows no
/// team at all.
fn rollups_in(
    select: String,
    scope: &UsageScope,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Option<QueryBuilder<'static, Db>> {
    let mut q = QueryBuilder::<Db>::new(select);
    q.push(" WHERE bucket >= ")
        .push_bind(since)
        .push(" AND bucket < ")
        .push_bind(until);
    if let Some(teams) = &scope.teams {
        if teams.is_empty() {
            return None;
        }
        push_ids(&mut q, "team_id", teams);
    }
    if let Some(token) = scope.token {
        q.push(" AND token_id = ").push_bind(token);
    }
    if let Some(route) = scope.route {
        q.push(" AND route_id = ").push_bind(route);
    }
    Some(q)
}

fn push_ids(q: &mut QueryBuilder<'_, Db>, column: &str, ids: &[Uuid]) {
    q.push(format!(" AND {column} IN ("));
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    q.push(")");
}

#[derive(FromRow)]
struct CallRow {
    id: Uuid,
    at: DateTime<Utc>,
    token_id: Option<Uuid>,
    token_name: Option<String>,
    route_id: Option<Uuid>,
    route_name: Option<String>,
    method: String,
    status: i32,
    latency_ms: f64,
    upstream_latency_ms: Option<f64>,
    client_ip: Option<String>,
    user_agent: Option<String>,
    error_code: Option<String>,
    requests: i32,
}

impl Repo {
    /// Stores usage events, ignoring ids already stored, and moves the
    /// tokens' `last_used_at` forward, in one transaction. The roll-up job
    /// then adds the stored events to the rollups, each exactly once.
    pub async fn ingest_usage(
        &self,
        gateway_key_id: Uuid,
        events: Vec<UsageEvent>,
    ) -> ApiResult<UsageIngest> {
        let received = events.len();
        let mut tx = begin_write(&self.pool).await?;
        serialize_ingest(&mut tx).await?;
        let token_ids: BTreeSet<Uuid> = events.iter().filter_map(|e| e.token_id).collect();
        let mut teams = std::collections::BTreeMap::new();
        let token_ids: Vec<Uuid> = token_ids.into_iter().collect();
        for chunk in token_ids.chunks(IN_LIST_CHUNK) {
            let mut q = QueryBuilder::<Db>::new("SELECT id, team_id FROM tokens WHERE 1 = 1");
            push_ids(&mut q, "id", chunk);
            for (id, team) in q
                .build_query_as::<(Uuid, Uuid)>()
                .fetch_all(&mut *tx)
                .await?
            {
                teams.insert(id, team);
            }
        }
        let inserted: std::collections::HashSet<Uuid> =
            insert_usage_events(&mut tx, gateway_key_id, &events, &teams)
                .await?
                .into_iter()
                .collect();
        let mut last_used: std::collections::BTreeMap<Uuid, DateTime<Utc>> = Default::default();
        for e in events.iter().filter(|e| inserted.contains(&e.id)) {
            if let Some(t) = e.token_id.filter(|t| teams.contains_key(t)) {
                let at = last_used.entry(t).or_insert(e.at);
                *at = (*at).max(e.at);
            }
        }
        let last_used: Vec<(Uuid, DateTime<Utc>)> = last_used
            .into_iter()
            .map(|(t, at)| (t, api::trunc_micros(at)))
            .collect();
        update_last_used(&mut tx, &last_used).await?;
        let counted: Vec<&UsageEvent> =
            events.iter().filter(|e| inserted.contains(&e.id)).collect();
        let (announced, crossings) = count_quota_usage(&mut tx, &counted, api::now()).await?;
        queue_quota_events(&mut tx, &crossings).await?;
        if announced {
            self.commit_config(tx).await?;
        } else {
            tx.commit().await?;
        }
        self.ingested.notify_one();
        Ok(UsageIngest {
            received,
            inserted: inserted.len(),
            duplicates: received - inserted.len(),
        })
    }

    /// Waits until events were ingested (or a while passed).
    pub async fn ingested(&self, timeout: std::time::Duration) {
        let _ = tokio::time::timeout(timeout, self.ingested.notified()).await;
    }

    /// Adds up to `limit` stored events that are not rolled up yet to every
    /// rollup level and moves the cursor past them, in one transaction.
    /// Returns how many it added (0 when none wait, or another process is
    /// rolling up).
    pub async fn roll_up(&self, limit: u32) -> anyhow::Result<usize> {
        let mut tx = begin_write(&self.pool).await?;
        if !lock_rollup(&mut tx).await? {
            return Ok(0);
        }
        let mut cursor: i64 = sqlx::query_scalar::<_, String>(
            "SELECT value FROM settings WHERE key = 'usage_rollup_seq'",
        )
        .fetch_optional(&mut *tx)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
        let newest: Option<i64> =
            sqlx::query_scalar(&format!("SELECT MAX({EVENT_SEQ}) FROM usage_events"))
                .fetch_one(&mut *tx)
                .await?;
        if newest.is_some_and(|n| n < cursor) {
            // The table was emptied (retention) and insertion order restarted.
            cursor = 0;
        }
        #[derive(FromRow)]
        struct Pending {
            seq: i64,
            token_id: Option<Uuid>,
            team_id: Option<Uuid>,
            route_id: Option<Uuid>,
            status: i32,
            latency_ms: f64,
            bytes_in: i64,
            bytes_out: i64,
            at: DateTime<Utc>,
            requests: i32,
            model: Option<String>,
            input_tokens: Option<i64>,
            output_tokens: Option<i64>,
            cached_input_tokens: Option<i64>,
        }
        let rows = sqlx::query_as::<_, Pending>(&format!(
            "SELECT {EVENT_SEQ} AS seq, token_id, team_id, route_id, status, latency_ms, bytes_in, \
             bytes_out, at, requests, model, input_tokens, output_tokens, cached_input_tokens \
             FROM usage_events WHERE {EVENT_SEQ} > $1 ORDER BY {EVENT_SEQ} LIMIT $2"
        ))
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            tx.commit().await?;
            return Ok(0);
        };
        let mut teams = std::collections::BTreeMap::new();
        let events: Vec<UsageEvent> = rows
            .iter()
            .map(|r| {
                if let (Some(token), Some(team)) = (r.token_id, r.team_id) {
                    teams.insert(token, team);
                }
                UsageEvent {
                    id: Uuid::nil(),
                    token_id: r.token_id,
                    route_id: r.route_id,
                    method: String::new(),
                    status: u16::try_from(r.status).unwrap_or(0),
                    latency_ms: r.latency_ms,
                    upstream_latency_ms: None,
                    bytes_in: u64::try_from(r.bytes_in).unwrap_or(0),
                    bytes_out: u64::try_from(r.bytes_out).unwrap_or(0),
                    client_ip: None,
                    user_agent: None,
                    error_code: None,
                    at: r.at,
                    count: u32::try_from(r.requests).unwrap_or(1),
                    model: r.model.clone(),
                    input_tokens: r.input_tokens.and_then(|n| u64::try_from(n).ok()),
                    output_tokens: r.output_tokens.and_then(|n| u64::try_from(n).ok()),
                    cached_input_tokens: r.cached_input_tokens.and_then(|n| u64::try_from(n).ok()),
                }
            })
            .collect();
        let refs: Vec<&UsageEvent> = events.iter().collect();
        for level in Level::ALL {
            add_rollups(&mut tx, level, rollup::aggregate(&refs, level, &teams)).await?;
            add_token_rollups(
                &mut tx,
                level,
                token_rollup::aggregate(&refs, level, &teams),
            )
            .await?;
        }
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('usage_rollup_seq', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(last.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Stored events not yet added to the rollups, counted up to
    /// [`super::PENDING_COUNT_CAP`].
    pub async fn rollup_pending(&self) -> anyhow::Result<i64> {
        let cursor: i64 = sqlx::query_scalar::<_, String>(
            "SELECT value FROM settings WHERE key = 'usage_rollup_seq'",
        )
        .fetch_optional(&self.pool)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM usage_events WHERE {EVENT_SEQ} > $1 \
             ORDER BY {EVENT_SEQ} LIMIT $2) AS pending"
        ))
        .bind(cursor)
        .bind(super::PENDING_COUNT_CAP)
        .fetch_one(&self.pool)
        .await?)
    }

    /// When the oldest stored event past the roll-up cursor was received
    /// (`None`: nothing waits).
    pub async fn rollup_oldest_pending(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        let cursor: i64 = sqlx::query_scalar::<_, String>(
            "SELECT value FROM settings WHERE key = 'usage_rollup_seq'",
        )
        .fetch_optional(&self.pool)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
        Ok(sqlx::query_scalar(&format!(
            "SELECT received_at FROM usage_events WHERE {EVENT_SEQ} > $1 ORDER BY {EVENT_SEQ} LIMIT 1"
        ))
        .bind(cursor)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Rollup rows of one level in `[since, until)`, limited to teams (and
    /// optionally one token or route).
    pub async fn usage_rollups(
        &self,
        scope: UsageScope,
        level: Level,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> ApiResult<Vec<(Key, Agg)>> {
        let select = format!("SELECT {ROLLUP_COLUMNS} FROM {}", level.table());
        let Some(mut q) = rollups_in(select, &scope, since, until) else {
            return Ok(vec![]);
        };
        Ok(q.build_query_as::<RollupRow>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(RollupRow::split)
            .collect())
    }

    /// Token rollup rows of one level in `[since, until)`, limited as
    /// [`Repo::usage_rollups`] is.
    pub async fn usage_token_rollups(
        &self,
        scope: UsageScope,
        level: Level,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> ApiResult<Vec<(TokenKey, TokenAgg)>> {
        #[derive(FromRow)]
        struct Row {
            bucket: DateTime<Utc>,
            team_id: Uuid,
            token_id: Uuid,
            route_id: Uuid,
            model: String,
            calls: i64,
            input_tokens: i64,
            output_tokens: i64,
            cached_input_tokens: i64,
        }
        let select = format!(
            "SELECT bucket, team_id, token_id, route_id, model, calls, input_tokens, \
             output_tokens, cached_input_tokens FROM {}",
            level.tokens_table()
        );
        let Some(mut q) = rollups_in(select, &scope, since, until) else {
            return Ok(vec![]);
        };
        Ok(q.build_query_as::<Row>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| {
                (
                    TokenKey {
                        bucket: r.bucket,
                        team_id: r.team_id,
                        token_id: r.token_id,
                        route_id: r.route_id,
                        model: r.model,
                    },
                    TokenAgg {
                        calls: r.calls,
                        input_tokens: r.input_tokens,
                        output_tokens: r.output_tokens,
                        cached_input_tokens: r.cached_input_tokens,
                    },
                )
            })
            .collect())
    }

    /// The most recent calls, newest first.
    pub async fn usage_recent(
        &self,
        scope: UsageScope,
        status: Option<u16>,
        limit: u32,
    ) -> ApiResult<Vec<api::UsageCall>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT e.id, e.at, e.token_id, t.name AS token_name, e.route_id, r.name AS route_name, \
             e.method, e.status, e.latency_ms, e.upstream_latency_ms, e.client_ip, e.user_agent, e.error_code, \
             e.requests \
             FROM usage_events e LEFT JOIN tokens t ON t.id = e.token_id \
             LEFT JOIN routes r ON r.id = e.route_id WHERE 1 = 1",
        );
        if let Some(teams) = &scope.teams {
            if teams.is_empty() {
                return Ok(vec![]);
            }
            push_ids(&mut q, "e.team_id", teams);
        }
        if let Some(token) = scope.token {
            q.push(" AND e.token_id = ").push_bind(token);
        }
        if let Some(route) = scope.route {
            q.push(" AND e.route_id = ").push_bind(route);
        }
        if let Some(status) = status {
            q.push(" AND e.status = ").push_bind(i32::from(status));
        }
        q.push(" ORDER BY e.at DESC, e.id DESC LIMIT ")
            .push_bind(i64::from(limit.clamp(1, 1000)));
        Ok(q.build_query_as::<CallRow>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| api::UsageCall {
                id: r.id,
                at: r.at,
                token_id: r.token_id,
                token: r.token_name,
                route_id: r.route_id,
                route: r.route_name,
                method: r.method,
                status: u16::try_from(r.status).unwrap_or(0),
                latency_ms: r.latency_ms,
                upstream_latency_ms: r.upstream_latency_ms,
                client_ip: r.client_ip,
                user_agent: r.user_agent,
                error_code: r.error_code,
                requests: u32::try_from(r.requests).unwrap_or(1),
            })
            .collect())
    }

    /// Deletes raw events and rollup rows older than their retention.
    pub async fn usage_retention(
        &self,
        raw: DateTime<Utc>,
        minute: DateTime<Utc>,
        hour: DateTime<Utc>,
        day: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let mut deleted = 0;
        for (sql, before) in [
            ("DELETE FROM usage_events WHERE at < $1", raw),
            ("DELETE FROM usage_minute WHERE bucket < $1", minute),
            ("DELETE FROM usage_hour WHERE bucket < $1", hour),
            ("DELETE FROM usage_day WHERE bucket < $1", day),
            ("DELETE FROM usage_tokens_minute WHERE bucket < $1", minute),
            ("DELETE FROM usage_tokens_hour WHERE bucket < $1", hour),
            ("DELETE FROM usage_tokens_day WHERE bucket < $1", day),
        ] {
            deleted += sqlx::query(sql)
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    /// The dashboard's counts.
    pub async fn overview_counts(
        &self,
        readable: Option<Vec<Uuid>>,
        now: DateTime<Utc>,
    ) -> ApiResult<api::OverviewCounts> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT \
             COALESCE(SUM(CASE WHEN revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ",
        );
        q.push_bind(now)
            .push(") THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN revoked_at IS NULL AND expires_at <= ")
            .push_bind(now)
            .push(" THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM tokens WHERE 1 = 1");
        if let Some(teams) = &readable {
            if teams.is_empty() {
                return Ok(api::OverviewCounts::default());
            }
            push_ids(&mut q, "team_id", teams);
        }
        let (active, expired, revoked): (i64, i64, i64) =
            q.build_query_as().fetch_one(&self.pool).await?;
        let routes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM routes")
            .fetch_one(&self.pool)
            .await?;
        let teams: i64 = match &readable {
            None => {
                sqlx::query_scalar("SELECT COUNT(*) FROM teams WHERE deleted_at IS NULL")
                    .fetch_one(&self.pool)
                    .await?
            }
            Some(t) => t.len() as i64,
        };
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE disabled_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(api::OverviewCounts {
            active_tokens: active,
            expired_tokens: expired,
            revoked_tokens: revoked,
            routes,
            teams,
            users,
        })
    }
}
