//! The PostgreSQL backend.

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;

type Db = sqlx::Postgres;

/// Row locks keep read-modify-write updates from losing each other's changes.
const FOR_UPDATE: &str = " FOR UPDATE";

/// Claiming queued rows (webhook deliveries): rows another worker is
/// claiming are passed over rather than waited for.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

async fn begin_write(pool: &sqlx::Pool<Db>) -> sqlx::Result<Tx> {
    let pool = pool.clone();
    crate::db::begin::to_completion(async move { pool.begin().await }).await
}

async fn lock_bootstrap(tx: &mut Tx) -> sqlx::Result<()> {
    // Several servers may start on an empty database at once; only one bootstraps.
    sqlx::query("SELECT pg_advisory_xact_lock(7700001)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn serialize_changes(tx: &mut Tx) -> sqlx::Result<()> {
    // Change-log writers take turns, so `seq` order is commit order and a
    // reader never skips a change committed after a later `seq`.
    sqlx::query("SELECT pg_advisory_xact_lock(7700002)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn begin_consistent_read(pool: &sqlx::Pool<Db>) -> sqlx::Result<Tx> {
    // One snapshot for every statement, so the data matches the change-log position.
    let pool = pool.clone();
    crate::db::begin::to_completion(async move {
        pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
    })
    .await
}

/// One statement per batch: the columns travel as arrays and UNNEST turns
/// them back into rows.
async fn insert_usage_events(
    tx: &mut Tx,
    gateway_key_id: Uuid,
    events: &[UsageEvent],
    teams: &std::collections::BTreeMap<Uuid, Uuid>,
) -> sqlx::Result<Vec<Uuid>> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let team: Vec<Option<Uuid>> = events
        .iter()
        .map(|e| e.token_id.and_then(|t| teams.get(&t).copied()))
        .collect();
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| api::trunc_micros(e.at)).collect();
    let token: Vec<Option<Uuid>> = events.iter().map(|e| e.token_id).collect();
    let route: Vec<Option<Uuid>> = events.iter().map(|e| e.route_id).collect();
    let method: Vec<String> = events.iter().map(|e| e.method.clone()).collect();
    let status: Vec<i32> = events.iter().map(|e| i32::from(e.status)).collect();
    let latency: Vec<f64> = events.iter().map(|e| e.latency_ms).collect();
    let upstream: Vec<Option<f64>> = events.iter().map(|e| e.upstream_latency_ms).collect();
    let bytes_in: Vec<i64> = events.iter().map(|e| clamp_i64(e.bytes_in)).collect();
    let bytes_out: Vec<i64> = events.iter().map(|e| clamp_i64(e.bytes_out)).collect();
    let ip: Vec<Option<String>> = events.iter().map(|e| e.client_ip.clone()).collect();
    let ua: Vec<Option<String>> = events.iter().map(|e| e.user_agent.clone()).collect();
    let code: Vec<Option<String>> = events.iter().map(|e| e.error_code.clone()).collect();
    let requests: Vec<i32> = events
        .iter()
        .map(|e| i32::try_from(e.count).unwrap_or(i32::MAX))
        .collect();
    let model: Vec<Option<String>> = events.iter().map(|e| e.model.clone()).collect();
    let tokens = |f: fn(&UsageEvent) -> Option<u64>| -> Vec<Option<i64>> {
        events.iter().map(|e| f(e).map(clamp_i64)).collect()
    };
    sqlx::query_scalar(
        "INSERT INTO usage_events (id, at, received_at, gateway_key_id, token_id, route_id, method, \
         status, latency_ms, upstream_latency_ms, bytes_in, bytes_out, client_ip, user_agent, error_code, team_id, \
         requests, model, input_tokens, output_tokens, cached_input_tokens) \
         SELECT u.id, u.at, $14, $15, u.token_id, u.route_id, u.method, u.status, u.latency_ms, \
         u.upstream_latency_ms, u.bytes_in, u.bytes_out, u.client_ip, u.user_agent, u.error_code, u.team_id, \
         u.requests, u.model, u.input_tokens, u.output_tokens, u.cached_input_tokens \
         FROM UNNEST($1::uuid[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::text[], $6::int4[], \
         $7::float8[], $8::float8[], $9::int8[], $10::int8[], $11::text[], $12::text[], $13::text[], $16::uuid[], \
         $17::int4[], $18::text[], $19::int8[], $20::int8[], $21::int8[]) \
         AS u(id, at, token_id, route_id, method, status, latency_ms, upstream_latency_ms, bytes_in, \
         bytes_out, client_ip, user_agent, error_code, team_id, requests, model, input_tokens, \
         output_tokens, cached_input_tokens) \
         ON CONFLICT (id) DO NOTHING RETURNING id",
    )
    .bind(ids)
    .bind(at)
    .bind(token)
    .bind(route)
    .bind(method)
    .bind(status)
    .bind(latency)
    .bind(upstream)
    .bind(bytes_in)
    .bind(bytes_out)
    .bind(ip)
    .bind(ua)
    .bind(code)
    .bind(api::now())
    .bind(gateway_key_id)
    .bind(team)
    .bind(requests)
    .bind(model)
    .bind(tokens(|e| e.input_tokens))
    .bind(tokens(|e| e.output_tokens))
    .bind(tokens(|e| e.cached_input_tokens))
    .fetch_all(&mut **tx)
    .await
}

/// The stored rollup rows with these keys, in one statement: the keys
/// travel as arrays. The same text every time keeps one cached plan, an
/// index lookup per key (a list of literal rows can get a generic plan that
/// scans the table).
async fn fetch_rollups(tx: &mut Tx, table: &str, keys: &[Key]) -> sqlx::Result<Vec<RollupRow>> {
    if keys.is_empty() {
        return Ok(vec![]);
    }
    sqlx::query_as(&format!(
        "SELECT {ROLLUP_COLUMNS_M} FROM UNNEST($1::timestamptz[], $2::uuid[], $3::uuid[], \
         $4::uuid[], $5::int2[]) AS k(bucket, team_id, token_id, route_id, status) \
         JOIN {table} m ON m.bucket = k.bucket AND m.team_id = k.team_id \
         AND m.token_id = k.token_id AND m.route_id = k.route_id \
         AND m.status = k.status"
    ))
    .bind(keys.iter().map(|k| k.bucket).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.team_id).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.token_id).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.route_id).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.status).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await
}

/// Inserts or overwrites rollup rows in one statement.
async fn write_rollups(tx: &mut Tx, table: &str, rows: &[(Key, Agg)]) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "INSERT INTO {table} ({ROLLUP_COLUMNS}) SELECT * FROM UNNEST($1::timestamptz[], \
         $2::uuid[], $3::uuid[], $4::uuid[], $5::int2[], $6::int8[], $7::int8[], $8::int8[], \
         $9::int8[], $10::float8[], $11::bytea[], $12::timestamptz[]){ROLLUP_UPSERT}"
    ))
    .bind(rows.iter().map(|(k, _)| k.bucket).collect::<Vec<_>>())
    .bind(rows.iter().map(|(k, _)| k.team_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(k, _)| k.token_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(k, _)| k.route_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(k, _)| k.status).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, a)| a.requests).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, a)| a.errors).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, a)| a.bytes_in).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, a)| a.bytes_out).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, a)| a.latency_sum).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|(_, a)| a.hist.encode())
            .collect::<Vec<_>>(),
    )
    .bind(
        rows.iter()
            .map(|(k, a)| a.last_at.unwrap_or(k.bucket))
            .collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves `last_used_at` forward for many tokens in one statement.
async fn update_last_used(tx: &mut Tx, used: &[(Uuid, DateTime<Utc>)]) -> sqlx::Result<()> {
    if used.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = used.iter().map(|u| u.0).collect();
    let at: Vec<DateTime<Utc>> = used.iter().map(|u| u.1).collect();
    sqlx::query(
        "UPDATE tokens t SET last_used_at = v.at FROM UNNEST($1::uuid[], $2::timestamptz[]) AS v(id, at) \
         WHERE t.id = v.id AND (t.last_used_at IS NULL OR t.last_used_at < v.at)",
    )
    .bind(ids)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn serialize_ingest(tx: &mut Tx) -> sqlx::Result<()> {
    // Rollup rows are read, merged and written back: ingests take turns.
    sqlx::query("SELECT pg_advisory_xact_lock(7700003)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The column that orders usage events by insertion.
const EVENT_SEQ: &str = "seq";

async fn lock_rollup(tx: &mut Tx) -> sqlx::Result<bool> {
    // One roller at a time; a busy one means another process is rolling up.
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(7700004)")
        .fetch_one(&mut **tx)
        .await?;
    Ok(got)
}

impl Repo {
    pub async fn connect(url: &str) -> anyhow::Result<Repo> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .context("cannot connect to PostgreSQL")?;
        // sqlx holds a PostgreSQL advisory lock while migrating, so concurrent
        // start-ups apply each migration once.
        MIGRATOR
            .run(&pool)
            .await
            .context("cannot apply database migrations")?;
        Ok(Repo::new(pool))
    }
}

crate::db::queries!();
