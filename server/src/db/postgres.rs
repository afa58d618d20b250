//! The PostgreSQL backend.

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;

type Db = sqlx::Postgres;

/// Row locks keep read-modify-write updates from losing each other's changes.
const FOR_UPDATE: &str = " FOR UPDATE";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

async fn begin_write(pool: &sqlx::Pool<Db>) -> sqlx::Result<Tx> {
    pool.begin().await
}

async fn lock_bootstrap(tx: &mut Tx) -> sqlx::Result<()> {
    // Several servers may start on an empty database at once; only one bootstraps.
    sqlx::query("SELECT pg_advisory_xact_lock(7700001)")
        .execute(&mut **tx)
        .await?;
    Ok(())
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
        Ok(Repo { pool })
    }
}

include!("repo.rs");
