//! The two storage engines behind one type. Shared SQL is built with sea-query and rendered per
//! dialect here; nothing outside `store` knows which engine runs.

use crate::checkpoint::Checkpoints;
use crate::error::{StoreError, StoreResult};
use crate::group::Group;
pub use crate::tx::Tx;
use sea_query::PostgresQueryBuilder;
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ConnectOptions, Database, Executor, FromRow, IntoArguments};
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

    /// The `n`th (from 1) placeholder of a custom SQL expression in this engine's dialect:
    /// sea-query numbers its own values, but takes a custom expression's text as written.
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Engine::Sqlite => "?".to_owned(),
            Engine::Postgres => format!("${n}"),
        }
    }
}

/// A PostgreSQL connection idle this long is pinged before it is lent (`Db::open`).
const PING_IDLE: Duration = Duration::from_secs(1);

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
        /// WAL checkpoints, off the write path (`crate::checkpoint`).
        checkpoints: Arc<Checkpoints>,
    },
    /// With the group writer for writes that only add rows (`Db::write_new`).
    Postgres(PgPool, Arc<OnceLock<Group>>),
}

pub(crate) async fn all_on<'e, DB, E, T>(
    e: E,
    sql: String,
    v: SqlxValues,
) -> Result<Vec<T>, sqlx::Error>
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

pub(crate) async fn optional_on<'e, DB, E, T>(
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

pub(crate) async fn scalar_on<'e, DB, E>(
    e: E,
    sql: String,
    v: SqlxValues,
) -> Result<i64, sqlx::Error>
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

pub(crate) async fn execute_on<'e, DB, E>(
    e: E,
    sql: String,
    v: SqlxValues,
) -> Result<u64, sqlx::Error>
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
                let ($sql, $v) = crate::sqlite_sql::render($q);
                let $ex = read;
                $body
            }
            Db::Postgres(pool, _) => {
                let ($sql, $v) = $q.build_sqlx(PostgresQueryBuilder);
                let $ex = pool;
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
            // Generic plans for every prepared statement. sqlx prepares each query once per
            // connection, but PostgreSQL plans it again at every run while it judges a custom
            // plan cheaper — which it does for the list's path ranges (its default guess for
            // `path >= $1 AND path < $2` is hundreds of rows), so a list page was planned on
            // every call: 0.6–1.1 ms of planning against 0.4 ms of execution (bench S8·S3,
            // 5.4 → 2.7 ms at community level). Our queries are written for one index each,
            // so the plan does not depend on the values.
            let opts = PgConnectOptions::from_str(url)?
                .options([("plan_cache_mode", "force_generic_plan")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings every connection it lends: a round trip before each call's own
                // (bench S8·S3: a list page is three calls). One used within the last second
                // is taken as alive, as connection pools commonly do; an older one is still
                // pinged, and if dead dropped for another before the caller sees it. A server
                // gone within that second fails the call, as it fails the calls in flight.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(opts)
                .await?;
            return Ok(Db::Postgres(pool, Arc::default()));
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
            .busy_timeout(Duration::from_secs(10))
            // The group writer gives every write its own savepoint; SQLite keeps the pages a
            // savepoint may have to restore in a sub-journal, a temporary file once it passes
            // 64 KiB. In memory it costs no write(2) per page (bench S1: 15 % of the writer).
            .pragma("temp_store", "memory");
        if let Some(dir) = sqlite_parent_dir(url) {
            std::fs::create_dir_all(&dir)
                .map_err(|e| StoreError::Config(format!("无法创建数据目录 {dir}: {e}")))?;
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // sqlx pings a connection before lending it: for SQLite a hand-off to its thread
            // and back with nothing at the other end to lose (bench S1: 6 of 20 context
            // switches per create).
            .test_before_acquire(false)
            // A write touches the index pages of a dozen tables; the default 2 MB cache
            // rereads them from the file on every batch (bench S1).
            .connect_with(
                opts.clone()
                    .pragma("cache_size", "-32768")
                    // Checkpoints run beside the writer (`crate::checkpoint`); the writer's own
                    // copies only the tail once the log is 32 MB. A restarted log is cut back
                    // to 64 MB on disk.
                    .pragma("wal_autocheckpoint", "8192")
                    .pragma("journal_size_limit", "67108864")
                    // A slow write is reported by `Tx::execute_all` in one line; sqlx would
                    // print the whole text of a commit's hundreds of counter rows.
                    .disable_statement_logging(),
            )
            .await?;
        // Readers: twice the cores, at least four. sqlx lends idle connections in turn, each
        // with its own thread, so a pool larger than the reads in flight sends consecutive
        // queries to threads (and page caches) gone cold; eight on two cores cost a list call
        // a fifth more CPU than four (bench S3), and two would leave nothing beside a long
        // read such as an export or a backup.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
        let read = SqlitePoolOptions::new()
            .max_connections((2 * cores).max(4))
            .test_before_acquire(false)
            // The write pool created the file. A reader that connects later (the pool opens
            // them as reads arrive) must not create an empty database where one was removed:
            // tests delete theirs while background readers may still be starting.
            .connect_with(opts.read_only(false).create_if_missing(false))
            .await?;
        Ok(Db::Sqlite {
            checkpoints: Arc::new(Checkpoints::new(read.clone())),
            read,
            write,
            group: Arc::default(),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            // sqlx takes an advisory lock, so instances starting together migrate once.
            Db::Postgres(pool, _) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub(crate) fn group_slot(&self) -> &OnceLock<Group> {
        match self {
            Db::Sqlite { group, .. } => group,
            Db::Postgres(_, group) => group,
        }
    }

    /// The same pools with a slot of their own: what the group writer holds.
    pub(crate) fn without_group(&self) -> Db {
        match self {
            Db::Sqlite {
                read,
                write,
                checkpoints,
                ..
            } => Db::Sqlite {
                read: read.clone(),
                write: write.clone(),
                group: Arc::default(),
                checkpoints: checkpoints.clone(),
            },
            Db::Postgres(p, _) => Db::Postgres(p.clone(), Arc::default()),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(..) => Engine::Postgres,
        }
    }

    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite {
                write, checkpoints, ..
            } => Tx::sqlite(write.begin().await?, checkpoints.clone()),
            Db::Postgres(pool, _) => Tx::postgres(pool.begin().await?),
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
            Db::Postgres(pool, _) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ())?,
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
            Db::Postgres(..) => Err(StoreError::Config(
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
            Db::Postgres(pool, _) => pool.close().await,
        }
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
