//! The two storage engines behind one type. Shared SQL is built with sea-query and rendered per
//! dialect here; nothing outside `store` knows which engine runs.

use crate::error::{StoreError, StoreResult};
use crate::group::Group;
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Database, Executor, FromRow, IntoArguments, Postgres, Sqlite};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A row type readable from either engine.
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// A connection pool on one of the two engines.
///
/// SQLite gets a separate single-connection pool for writes: SQLite admits one writer at a time
/// anyway, and queueing writers in-process avoids `SQLITE_BUSY` when a read transaction would
/// have to be upgraded. Readers run concurrently in WAL mode.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// The group writer (`crate::group`), started on first use.
        group: Arc<OnceLock<Group>>,
    },
    Postgres(PgPool),
}

/// A write transaction. Every write and its audit entry go through one of these.
pub enum Tx {
    /// With a statement to send ahead of the next one (the group writer's savepoints), so it
    /// costs no round trip of its own.
    Sqlite(sqlx::Transaction<'static, Sqlite>, Option<&'static str>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

async fn all_on<'e, DB, E, T>(e: E, sql: String, v: SqlxValues) -> Result<Vec<T>, sqlx::Error>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    SqlxValues: IntoArguments<DB>,
    T: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
{
    sqlx::query_as_with(AssertSqlSafe(sql), v)
        .fetch_all(e)
        .await
}

async fn optional_on<'e, DB, E, T>(
    e: E,
    sql: String,
    v: SqlxValues,
) -> Result<Option<T>, sqlx::Error>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    SqlxValues: IntoArguments<DB>,
    T: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
{
    sqlx::query_as_with(AssertSqlSafe(sql), v)
        .fetch_optional(e)
        .await
}

async fn scalar_on<'e, DB, E>(e: E, sql: String, v: SqlxValues) -> Result<i64, sqlx::Error>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    SqlxValues: IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
{
    sqlx::query_scalar_with(AssertSqlSafe(sql), v)
        .fetch_one(e)
        .await
}

async fn execute_on<'e, DB, E>(e: E, sql: String, v: SqlxValues) -> Result<u64, sqlx::Error>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    SqlxValues: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query_with(AssertSqlSafe(sql), v).execute(e).await?;
    Ok(done.rows())
}

/// Bridges the two engines' query results, which share no trait for `rows_affected`.
pub(crate) trait RowsAffected {
    fn rows(&self) -> u64;
}
impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}
impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// Runs `$body` with `$sql`/`$v` rendered for the engine of `$self` and `$ex` its executor.
macro_rules! on_db {
    ($self:expr, $q:expr, |$ex:ident, $sql:ident, $v:ident| $body:expr) => {
        match $self {
            Db::Sqlite { read, .. } => {
                let ($sql, $v) = $q.build_sqlx(SqliteQueryBuilder);
                let $ex = read;
                $body
            }
            Db::Postgres(pool) => {
                let ($sql, $v) = $q.build_sqlx(PostgresQueryBuilder);
                let $ex = pool;
                $body
            }
        }
    };
}

macro_rules! on_tx {
    ($self:expr, $q:expr, |$ex:ident, $sql:ident, $v:ident| $body:expr) => {
        match $self {
            Tx::Sqlite(t, ahead) => {
                let ($sql, $v) = $q.build_sqlx(SqliteQueryBuilder);
                let $sql = match ahead.take() {
                    Some(a) => format!("{a};\n{}", $sql),
                    None => $sql,
                };
                let $ex = &mut **t;
                $body
            }
            Tx::Postgres(t) => {
                let ($sql, $v) = $q.build_sqlx(PostgresQueryBuilder);
                let $ex = &mut **t;
                $body
            }
        }
    };
}

impl Db {
    /// Opens (and for SQLite creates) the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let db = Self::open(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens without migrating.
    pub async fn open(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Config(format!(
                "不支持的数据库地址 {url}：应以 sqlite:// 或 postgres:// 开头"
            )));
        }
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL in WAL mode fsyncs the log on every commit: an acknowledged write survives
            // power loss, not just a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = sqlite_parent_dir(url) {
            std::fs::create_dir_all(&dir)
                .map_err(|e| StoreError::Config(format!("无法创建数据目录 {dir}: {e}")))?;
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(false))
            .await?;
        Ok(Db::Sqlite {
            read,
            write,
            group: Arc::default(),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            // sqlx takes an advisory lock, so instances starting together migrate once.
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub(crate) fn group_slot(&self) -> Option<&OnceLock<Group>> {
        match self {
            Db::Sqlite { group, .. } => Some(group),
            Db::Postgres(_) => None,
        }
    }

    /// The same pools with a slot of their own: what the group writer holds.
    pub(crate) fn without_group(&self) -> Db {
        match self {
            Db::Sqlite { read, write, .. } => Db::Sqlite {
                read: read.clone(),
                write: write.clone(),
                group: Arc::default(),
            },
            Db::Postgres(p) => Db::Postgres(p.clone()),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?, None),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn all<T: Record>(&self, q: &impl SqlxBinder) -> StoreResult<Vec<T>> {
        Ok(on_db!(self, q, |ex, sql, v| all_on(ex, sql, v).await)?)
    }

    pub async fn optional<T: Record>(&self, q: &impl SqlxBinder) -> StoreResult<Option<T>> {
        Ok(on_db!(self, q, |ex, sql, v| optional_on(ex, sql, v).await)?)
    }

    pub async fn scalar(&self, q: &impl SqlxBinder) -> StoreResult<i64> {
        Ok(on_db!(self, q, |ex, sql, v| scalar_on(ex, sql, v).await)?)
    }

    /// Is the database answering? Used by `/healthz`.
    pub async fn ping(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite { read, .. } => sqlx::query("SELECT 1").execute(read).await.map(|_| ())?,
            Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ())?,
        }
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `dest` while others keep writing.
    pub async fn backup_to(&self, dest: &str) -> StoreResult<()> {
        match self {
            Db::Sqlite { read, .. } => {
                sqlx::query("VACUUM INTO ?1")
                    .bind(dest)
                    .execute(read)
                    .await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Config(
                "PostgreSQL 请使用 pg_dump 备份（见 docs/OPERATIONS.md）".into(),
            )),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(..) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn all<T: Record>(&mut self, q: &impl SqlxBinder) -> StoreResult<Vec<T>> {
        Ok(on_tx!(self, q, |ex, sql, v| all_on(ex, sql, v).await)?)
    }

    pub async fn optional<T: Record>(&mut self, q: &impl SqlxBinder) -> StoreResult<Option<T>> {
        Ok(on_tx!(self, q, |ex, sql, v| optional_on(ex, sql, v).await)?)
    }

    /// A single integer: a count, or the id an `INSERT … RETURNING id` produced.
    pub async fn scalar(&mut self, q: &impl SqlxBinder) -> StoreResult<i64> {
        Ok(on_tx!(self, q, |ex, sql, v| scalar_on(ex, sql, v).await)?)
    }

    pub async fn execute(&mut self, q: &impl SqlxBinder) -> StoreResult<u64> {
        Ok(on_tx!(self, q, |ex, sql, v| execute_on(ex, sql, v).await)?)
    }

    /// Inserts whose results nobody reads, sent together: on SQLite one call runs them all
    /// (several statements in one query; anonymous parameters are numbered across them), on
    /// PostgreSQL one round trip each. A write of many small rows (a request, its timeline,
    /// inbox, units, counters, audit) then costs one round trip to SQLite's worker thread
    /// instead of one per statement (bench S1).
    pub async fn execute_all(&mut self, qs: &[sea_query::InsertStatement]) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t, ahead) => {
                let mut sql = ahead.take().map(|a| format!("{a};\n")).unwrap_or_default();
                let mut values = Vec::new();
                for q in qs {
                    let (s, v) = q.build_sqlx(SqliteQueryBuilder);
                    sql.push_str(&s);
                    sql.push_str(";\n");
                    values.extend(v.0.0);
                }
                if !sql.is_empty() {
                    let v = SqlxValues(sea_query::Values(values));
                    execute_on(&mut **t, sql, v).await?;
                }
            }
            Tx::Postgres(_) => {
                for q in qs {
                    self.execute(q).await?;
                }
            }
        }
        Ok(())
    }

    /// Sends `sql` (no parameters, no results) ahead of the next statement, in the same call
    /// (SQLite; PostgreSQL runs it at once).
    pub(crate) async fn ahead(&mut self, sql: &'static str) -> StoreResult<()> {
        match self {
            Tx::Sqlite(_, ahead) => {
                if let Some(a) = ahead.take() {
                    self.raw(a).await?;
                }
                if let Tx::Sqlite(_, ahead) = self {
                    *ahead = Some(sql);
                }
                Ok(())
            }
            Tx::Postgres(_) => self.raw(sql).await,
        }
    }

    /// Drops what was to go ahead of the next statement, if it was not sent yet; whether it
    /// was still waiting.
    pub(crate) fn take_ahead(&mut self) -> bool {
        match self {
            Tx::Sqlite(_, ahead) => ahead.take().is_some(),
            Tx::Postgres(_) => false,
        }
    }

    /// A statement without parameters or results (savepoints).
    pub(crate) async fn raw(&mut self, sql: &'static str) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t, ahead) => {
                let sql = match ahead.take() {
                    Some(a) => format!("{a};\n{sql}"),
                    None => sql.to_owned(),
                };
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut **t)
                    .await
                    .map(|_| ())?
            }
            Tx::Postgres(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ())?,
        }
        Ok(())
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(mut t, ahead) => {
                if let Some(a) = ahead {
                    sqlx::raw_sql(a).execute(&mut *t).await?;
                }
                t.commit().await?
            }
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

fn sqlite_parent_dir(url: &str) -> Option<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    let s = parent.to_string_lossy().into_owned();
    (!s.is_empty()).then_some(s)
}
