//! Each named constraint against the real schema of both backends: a
//! statement that breaks it is recognised as breaking it, and as breaking
//! no other. PostgreSQL runs when `TOKENCTL_TEST_POSTGRES_URL` is set.

use super::*;
use sqlx::Connection;

const ALL: [Constraint; 10] = [
    TEAM_NAME,
    USER_NAME,
    TOKEN_NAME,
    ROUTE_NAME,
    ROUTE_PATH,
    SECRET_NAME,
    CREDENTIAL_NAME,
    GATEWAY_KEY_NAME,
    GRANT_TEAM,
    ROUTE_SECRET,
];

/// Rows the statements below collide with. Literals only, which both
/// backends read the same way.
const SETUP: &[&str] = &[
    "INSERT INTO teams (id, name, created_at) \
     VALUES ('00000000-0000-7000-8000-000000000001', 'team', '2026-01-01T00:00:00Z')",
    "INSERT INTO users (id, name, created_at) \
     VALUES ('00000000-0000-7000-8000-000000000002', 'user', '2026-01-01T00:00:00Z')",
    "INSERT INTO tokens (id, team_id, name, scopes, allow_ips, secret_hash, secret_hint, \
     created_at, updated_at) VALUES ('00000000-0000-7000-8000-000000000003', \
     '00000000-0000-7000-8000-000000000001', 'token', '[]', '[]', 'hash-1', 'hint', \
     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    "INSERT INTO routes (id, name, path, upstream, tags, auth, timeout_ms, created_at, updated_at) \
     VALUES ('00000000-0000-7000-8000-000000000004', 'route', '/route', 'https://example.com', \
     '[]', '{}', 1000, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    "INSERT INTO secrets (id, name, ciphertext, fingerprint, version, set_at, created_at) \
     VALUES ('00000000-0000-7000-8000-000000000005', 'secret', '', 'fp', 1, \
     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    "INSERT INTO route_secrets (route_id, secret_id) \
     VALUES ('00000000-0000-7000-8000-000000000004', '00000000-0000-7000-8000-000000000005')",
    "INSERT INTO credentials (id, user_id, name, secret_hash, hint, created_at) \
     VALUES ('00000000-0000-7000-8000-000000000006', '00000000-0000-7000-8000-000000000002', \
     'credential', 'hash-2', 'hint', '2026-01-01T00:00:00Z')",
    "INSERT INTO gateway_keys (id, name, secret_hash, hint, created_at) \
     VALUES ('00000000-0000-7000-8000-000000000007', 'gateway', 'hash-3', 'hint', \
     '2026-01-01T00:00:00Z')",
];

/// A statement that breaks exactly the named constraint, or (`None`) one
/// that breaks a unique constraint no call site maps.
const CASES: &[(Option<Constraint>, &str)] = &[
    (
        Some(TEAM_NAME),
        "INSERT INTO teams (id, name, created_at) \
         VALUES ('00000000-0000-7000-8000-000000000011', 'team', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(USER_NAME),
        "INSERT INTO users (id, name, created_at) \
         VALUES ('00000000-0000-7000-8000-000000000012', 'user', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(TOKEN_NAME),
        "INSERT INTO tokens (id, team_id, name, scopes, allow_ips, secret_hash, secret_hint, \
         created_at, updated_at) VALUES ('00000000-0000-7000-8000-000000000013', \
         '00000000-0000-7000-8000-000000000001', 'token', '[]', '[]', 'hash-4', 'hint', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ),
    (
        // Another token's secret hash: unique too, but not a name.
        None,
        "INSERT INTO tokens (id, team_id, name, scopes, allow_ips, secret_hash, secret_hint, \
         created_at, updated_at) VALUES ('00000000-0000-7000-8000-000000000023', \
         '00000000-0000-7000-8000-000000000001', 'other', '[]', '[]', 'hash-1', 'hint', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(ROUTE_NAME),
        "INSERT INTO routes (id, name, path, upstream, tags, auth, timeout_ms, created_at, \
         updated_at) VALUES ('00000000-0000-7000-8000-000000000014', 'route', '/other', \
         'https://example.com', '[]', '{}', 1000, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(ROUTE_PATH),
        "INSERT INTO routes (id, name, path, upstream, tags, auth, timeout_ms, created_at, \
         updated_at) VALUES ('00000000-0000-7000-8000-000000000015', 'other', '/route', \
         'https://example.com', '[]', '{}', 1000, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(SECRET_NAME),
        "INSERT INTO secrets (id, name, ciphertext, fingerprint, version, set_at, created_at) \
         VALUES ('00000000-0000-7000-8000-000000000016', 'secret', '', 'fp', 1, \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(CREDENTIAL_NAME),
        "INSERT INTO credentials (id, user_id, name, secret_hash, hint, created_at) \
         VALUES ('00000000-0000-7000-8000-000000000017', '00000000-0000-7000-8000-000000000002', \
         'credential', 'hash-5', 'hint', '2026-01-01T00:00:00Z')",
    ),
    (
        Some(GATEWAY_KEY_NAME),
        "INSERT INTO gateway_keys (id, name, secret_hash, hint, created_at) \
         VALUES ('00000000-0000-7000-8000-000000000018', 'gateway', 'hash-6', 'hint', \
         '2026-01-01T00:00:00Z')",
    ),
    (
        Some(GRANT_TEAM),
        "INSERT INTO route_grants (route_id, team_id, granted_at) \
         VALUES ('00000000-0000-7000-8000-000000000004', '00000000-0000-7000-8000-000000000099', \
         '2026-01-01T00:00:00Z')",
    ),
    (
        Some(ROUTE_SECRET),
        "DELETE FROM secrets WHERE id = '00000000-0000-7000-8000-000000000005'",
    ),
];

/// Runs every case through `execute` (one backend's connection) and checks
/// which constraints each error is taken to break.
async fn check(
    backend: &str,
    mut execute: impl AsyncFnMut(&'static str) -> Result<(), sqlx::Error>,
) {
    for sql in SETUP {
        execute(sql).await.expect("setup rows insert");
    }
    for (broken, sql) in CASES {
        let error = execute(sql)
            .await
            .expect_err("the statement breaks a constraint");
        let db_error = error
            .as_database_error()
            .unwrap_or_else(|| panic!("{backend}: not a database error: {error}"));
        for constraint in ALL {
            let expected = match broken {
                Some(b) if b.name == constraint.name => true,
                // SQLite does not say which foreign key failed.
                Some(b) if backend == "sqlite" => !b.is_unique() && !constraint.is_unique(),
                _ => false,
            };
            assert_eq!(
                constraint.broken_by(db_error),
                expected,
                "{backend}: `{sql}` (error: {db_error}) against {}",
                constraint.name
            );
        }
        let mapped = Err::<(), _>(error).on_constraint(broken.unwrap_or(TOKEN_NAME), || {
            "the message of this constraint".into()
        });
        match (broken, mapped) {
            (Some(b), Err(ApiError::Conflict { code, message })) => {
                assert_eq!(code, b.code());
                assert_eq!(message, "the message of this constraint");
            }
            (None, Err(ApiError::Internal(_))) => {}
            (_, other) => panic!("{backend}: `{sql}` mapped to {other:?}"),
        }
    }
}

#[tokio::test]
async fn constraints_are_recognised_on_sqlite() {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .in_memory(true)
        .foreign_keys(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    sqlx::migrate!("../migrations/sqlite")
        .run(&mut conn)
        .await
        .unwrap();
    check("sqlite", async |sql| {
        sqlx::query(sql).execute(&mut conn).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn constraints_are_recognised_on_postgres() {
    let Some(admin_url) = std::env::var("TOKENCTL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var_os("TOKENCTL_TEST_REQUIRE_POSTGRES").is_none(),
            "TOKENCTL_TEST_REQUIRE_POSTGRES is set but TOKENCTL_TEST_POSTGRES_URL is not"
        );
        eprintln!("NOTE: PostgreSQL test SKIPPED: TOKENCTL_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("tokenctl_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&name);
    let mut conn = sqlx::PgConnection::connect(url.as_str()).await.unwrap();
    sqlx::migrate!("../migrations/postgres")
        .run(&mut conn)
        .await
        .unwrap();
    check("postgres", async |sql| {
        sqlx::query(sql).execute(&mut conn).await.map(drop)
    })
    .await;
    conn.close().await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
}
