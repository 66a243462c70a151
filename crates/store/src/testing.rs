//! Fresh databases for tests: a temporary SQLite file, or — when `TEST_DATABASE_URL` names a
//! PostgreSQL server — a new database on it. `REQUIRE_POSTGRES=1` turns an unreachable server
//! into a failure instead of a fallback to SQLite.

use crate::db::Db;
use rand::Rng;
use sqlx::Connection;
use std::path::PathBuf;

/// A migrated database that removes its SQLite file when dropped.
pub struct TestDb {
    pub db: Db,
    /// Where it is, so a test can open a second pool on it (a second app instance).
    pub url: String,
    file: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
    }
}

fn random_name() -> String {
    let n: u64 = rand::rng().random();
    format!("jiceng_test_{n:016x}")
}

pub async fn test_db() -> TestDb {
    let required = std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => match fresh_postgres(&url).await {
            Ok((db, url)) => {
                return TestDb {
                    db,
                    url,
                    file: None,
                };
            }
            Err(e) if required => panic!("REQUIRE_POSTGRES=1 but PostgreSQL is unusable: {e}"),
            Err(e) => eprintln!("PostgreSQL unavailable ({e}); falling back to SQLite"),
        },
        _ if required => panic!("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not a postgres URL"),
        _ => {}
    }
    sqlite_test_db().await
}

/// A migrated SQLite database whatever `TEST_DATABASE_URL` says: for tests of SQLite's own
/// behaviour (its query plans).
pub async fn sqlite_test_db() -> TestDb {
    let file = std::env::temp_dir().join(format!("{}.db", random_name()));
    let url = format!("sqlite://{}", file.display());
    let db = Db::connect(&url).await.expect("open SQLite test database");
    TestDb {
        db,
        url,
        file: Some(file),
    }
}

async fn fresh_postgres(admin_url: &str) -> Result<(Db, String), String> {
    let name = random_name();
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    let url = format!("{base}/{name}");
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    Ok((db, url))
}
