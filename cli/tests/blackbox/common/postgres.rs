//! Throwaway PostgreSQL databases for the black-box tests.

use std::io::Write;
use std::sync::Once;

pub(super) fn postgres_admin_url() -> Option<String> {
    static SKIP_NOTICE: Once = Once::new();
    let url = std::env::var("TOKENCTL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TOKENCTL_TEST_REQUIRE_POSTGRES").is_none(),
            "TOKENCTL_TEST_REQUIRE_POSTGRES is set but TOKENCTL_TEST_POSTGRES_URL is not"
        );
        SKIP_NOTICE.call_once(|| {
            // Written past the test harness's output capture on purpose, so
            // a run without PostgreSQL says so.
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: PostgreSQL tests SKIPPED: TOKENCTL_TEST_POSTGRES_URL is not set"
            );
        });
    }
    url
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A throwaway PostgreSQL database, dropped with the test.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub(super) fn create(admin_url: &str) -> PgDatabase {
        let name = format!("tokenctl_test_{}", uuid::Uuid::now_v7().simple());
        let mut url = url::Url::parse(admin_url).expect("TOKENCTL_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        runtime().block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .expect("connect to TOKENCTL_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
        });
        PgDatabase {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        }
    }

    /// Drops the database while the server may still be connected.
    pub fn drop_now(&self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        runtime().block_on(async move {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    }

    /// Every row of every table, as text.
    pub fn dump(&self) -> String {
        let url = self.url.clone();
        runtime().block_on(async move {
            use sqlx::{Connection, Row};
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let mut out = String::new();
            for t in tables {
                let rows = sqlx::query(&format!("SELECT t::text FROM {t} t"))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                for r in rows {
                    out.push_str(&r.get::<String, _>(0));
                    out.push('\n');
                }
            }
            out
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        self.drop_now();
    }
}
