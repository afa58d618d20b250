// The `Repo` of one backend: its pool, transactions and change
// notifications, the imports every query file shares, and small helpers.
// Like every file under `queries/`, it is compiled once per backend
// (see `db::queries!`), after the backend defined:
//   type Db                 the sqlx database type
//   const FOR_UPDATE: &str  row lock suffix for SELECTs in write transactions
//   async fn begin_write    a transaction that may write
//   async fn lock_bootstrap serialises bootstrap across server processes
//   async fn serialize_changes      makes change-log writers take turns
//   async fn begin_consistent_read  one snapshot for several statements
//   async fn insert_usage_events    bulk insert of usage events (and the
//                                   other usage helpers `usage.rs` uses)
// and `Repo::connect`. All query files share one module, so helpers are
// visible across them. SQL uses `$n` placeholders, which both backends read.

use crate::api::{self, Candidate, TokenStatus};
use crate::db::constraints::{
    OnConstraint, CREDENTIAL_NAME, GATEWAY_KEY_NAME, GRANT_TEAM, ROUTE_NAME, ROUTE_PATH,
    ROUTE_SECRET, SECRET_NAME, TEAM_NAME, TOKEN_NAME, USER_NAME,
};
use crate::db::{
    Actor, AuditFilter, GatewayConfig, KeyState, NewCredential, NewInvitation, NewPrice, NewRoute,
    NewToken, Principal, Rotation, RouteAuthority, RouteChange, SealedSecret, SecretChange,
    TokenChange, UsageIngest, UsageScope,
};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, QueryBuilder};
use std::collections::{BTreeSet, HashMap};
use tokenctl_gateway::address::UpstreamAccess;
use tokenctl_gateway::host;
use tokenctl_gateway::llm::Provider;
use tokenctl_gateway::quota::{
    cost_pico, PriceEntry, PriceTable, QuotaState, QuotaUsage, PICO_PER_MICRO,
};
use tokenctl_gateway::snapshot::{RouteEntry, TokenEntry};
use tokenctl_gateway::token::{hash_secret, Secret, SecretKind};
use tokenctl_gateway::usage::UsageEvent;
use uuid::Uuid;

type Tx = sqlx::Transaction<'static, Db>;

#[derive(Clone)]
pub struct Repo {
    pool: sqlx::Pool<Db>,
    /// Bumped after every committed change that gateways must see, so
    /// change-feed long polls wake at once.
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// Signalled after usage events were stored, to wake the roll-up job.
    ingested: std::sync::Arc<tokio::sync::Notify>,
}

/// A count as the signed 64-bit integer both backends store.
fn clamp_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn dedup(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

impl Repo {
    /// The connection pool at this moment.
    pub fn pool_usage(&self) -> crate::db::PoolUsage {
        crate::db::PoolUsage {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    fn new(pool: sqlx::Pool<Db>) -> Repo {
        Repo {
            pool,
            changed: std::sync::Arc::new(tokio::sync::watch::channel(0).0),
            ingested: std::sync::Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Commits a transaction that recorded config changes and wakes the
    /// change-feed waiters.
    async fn commit_config(&self, tx: Tx) -> sqlx::Result<()> {
        tx.commit().await?;
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
        Ok(())
    }

    pub fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    async fn read(&self) -> sqlx::Result<Tx> {
        let pool = self.pool.clone();
        crate::db::begin::to_completion(async move { pool.begin().await }).await
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
