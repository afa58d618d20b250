//! The SQLite backend: the embedded default.

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Sqlite;

/// SQLite has no row locks; `BEGIN IMMEDIATE` serialises writers instead.
const FOR_UPDATE: &str = "";

/// Claiming rows needs no lock clause either: the claim is one `UPDATE`
/// under `BEGIN IMMEDIATE`.
const SKIP_LOCKED: &str = "";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

async fn begin_write(pool: &sqlx::Pool<Db>) -> sqlx::Result<Tx> {
    // Taking the write lock up front avoids SQLITE_BUSY on lock upgrade,
    // which the busy timeout cannot wait out.
    let pool = pool.clone();
    crate::db::begin::to_completion(async move { pool.begin_with("BEGIN IMMEDIATE").await }).await
}

async fn lock_bootstrap(_tx: &mut Tx) -> sqlx::Result<()> {
    // BEGIN IMMEDIATE already excludes every other writer.
    Ok(())
}

async fn serialize_changes(_tx: &mut Tx) -> sqlx::Result<()> {
    // BEGIN IMMEDIATE already makes writers take turns.
    Ok(())
}

async fn begin_consistent_read(pool: &sqlx::Pool<Db>) -> sqlx::Result<Tx> {
    // A SQLite read transaction in WAL mode sees one snapshot throughout.
    let pool = pool.clone();
    crate::db::begin::to_completion(async move { pool.begin().await }).await
}

/// Multi-row `INSERT OR IGNORE`, in chunks that stay under SQLite's
/// bound-parameter limit, inside the caller's transaction.
async fn insert_usage_events(
    tx: &mut Tx,
    gateway_key_id: Uuid,
    events: &[UsageEvent],
    teams: &std::collections::BTreeMap<Uuid, Uuid>,
) -> sqlx::Result<Vec<Uuid>> {
    let received_at = api::now();
    let mut inserted = Vec::with_capacity(events.len());
    for chunk in events.chunks(400) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT OR IGNORE INTO usage_events (id, at, received_at, gateway_key_id, token_id, \
             route_id, method, status, latency_ms, upstream_latency_ms, bytes_in, bytes_out, \
             client_ip, user_agent, error_code, team_id, requests, model, input_tokens, \
             output_tokens, cached_input_tokens) ",
        );
        q.push_values(chunk, |mut row, e| {
            row.push_bind(e.id)
                .push_bind(api::trunc_micros(e.at))
                .push_bind(received_at)
                .push_bind(gateway_key_id)
                .push_bind(e.token_id)
                .push_bind(e.route_id)
                .push_bind(e.method.clone())
                .push_bind(i64::from(e.status))
                .push_bind(e.latency_ms)
                .push_bind(e.upstream_latency_ms)
                .push_bind(clamp_i64(e.bytes_in))
                .push_bind(clamp_i64(e.bytes_out))
                .push_bind(e.client_ip.clone())
                .push_bind(e.user_agent.clone())
                .push_bind(e.error_code.clone())
                .push_bind(e.token_id.and_then(|t| teams.get(&t).copied()))
                .push_bind(i64::from(e.count))
                .push_bind(e.model.clone())
                .push_bind(e.input_tokens.map(clamp_i64))
                .push_bind(e.output_tokens.map(clamp_i64))
                .push_bind(e.cached_input_tokens.map(clamp_i64));
        });
        q.push(" RETURNING id");
        inserted.extend(q.build_query_scalar::<Uuid>().fetch_all(&mut **tx).await?);
    }
    Ok(inserted)
}

/// The stored rollup rows with these keys. A join rather than `(…) IN
/// (VALUES …)`: SQLite answers the latter with a full table scan, the join
/// with one index lookup per key.
async fn fetch_rollups(tx: &mut Tx, table: &str, keys: &[Key]) -> sqlx::Result<Vec<RollupRow>> {
    let mut out = Vec::new();
    // 5 parameters per key, under SQLite's limit of 32,766.
    for chunk in keys.chunks(1000) {
        let mut q =
            QueryBuilder::<Db>::new("WITH k (bucket, team_id, token_id, route_id, status) AS (");
        q.push_values(chunk, |mut row, k| {
            row.push_bind(k.bucket)
                .push_bind(k.team_id)
                .push_bind(k.token_id)
                .push_bind(k.route_id)
                .push_bind(k.status);
        });
        q.push(format!(
            ") SELECT {ROLLUP_COLUMNS_M} FROM k JOIN {table} m ON m.bucket = k.bucket \
             AND m.team_id = k.team_id AND m.token_id = k.token_id \
             AND m.route_id = k.route_id AND m.status = k.status"
        ));
        out.extend(q.build_query_as::<RollupRow>().fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Inserts or overwrites rollup rows, in chunks under the parameter limit.
async fn write_rollups(tx: &mut Tx, table: &str, rows: &[(Key, Agg)]) -> sqlx::Result<()> {
    for chunk in rows.chunks(1000) {
        let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO {table} ({ROLLUP_COLUMNS}) "));
        q.push_values(chunk, |mut row, (k, a)| {
            row.push_bind(k.bucket)
                .push_bind(k.team_id)
                .push_bind(k.token_id)
                .push_bind(k.route_id)
                .push_bind(k.status)
                .push_bind(a.requests)
                .push_bind(a.errors)
                .push_bind(a.bytes_in)
                .push_bind(a.bytes_out)
                .push_bind(a.latency_sum)
                .push_bind(a.hist.encode())
                .push_bind(a.last_at.unwrap_or(k.bucket));
        });
        q.push(ROLLUP_UPSERT);
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Moves `last_used_at` forward; row by row is cheap in-process.
async fn update_last_used(tx: &mut Tx, used: &[(Uuid, DateTime<Utc>)]) -> sqlx::Result<()> {
    for (token, at) in used {
        sqlx::query(
            "UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
        )
        .bind(at)
        .bind(token)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn serialize_ingest(_tx: &mut Tx) -> sqlx::Result<()> {
    // BEGIN IMMEDIATE already makes writers take turns.
    Ok(())
}

/// The column that orders usage events by insertion.
const EVENT_SEQ: &str = "rowid";

async fn lock_rollup(tx: &mut Tx) -> sqlx::Result<bool> {
    // BEGIN IMMEDIATE already excludes other writers.
    let _ = tx;
    Ok(true)
}

impl Repo {
    pub async fn connect(path: &Path) -> anyhow::Result<Repo> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create directory {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open SQLite database {}", path.display()))?;
        migrate(&pool, path).await?;
        restrict_permissions(path);
        Ok(Repo::new(pool))
    }
}

/// The database holds hashes, ciphertexts and the audit log: owner only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
        let shm = std::path::PathBuf::from(format!("{}-shm", path.display()));
        for file in [path, wal.as_path(), shm.as_path()] {
            if file.exists() {
                if let Err(e) =
                    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                {
                    tracing::warn!(file = %file.display(), error = %e, "cannot restrict permissions");
                }
            }
        }
    }
}

/// Applies migrations while holding an exclusive lock file next to the
/// database, so several processes starting at once migrate one at a time.
async fn migrate(pool: &sqlx::Pool<Db>, path: &Path) -> anyhow::Result<()> {
    let lock_path = path.with_extension("migrate.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock)).await??;
    let result = MIGRATOR.run(pool).await;
    drop(lock);
    result.context("cannot apply database migrations")
}

crate::db::queries!();
