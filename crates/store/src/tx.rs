//! A write transaction on either engine. Every write and its audit entry go through one.
//! Besides the connection it carries what the write leaves for its commit: counter moves
//! (summed and written just before the commit, `requests::counters::Deltas`) and, on SQLite,
//! the ids it hands out (`next_id`).

use crate::checkpoint::Checkpoints;
use crate::db::{Engine, Record, all_on, execute_on, optional_on, scalar_on};
use crate::error::StoreResult;
use crate::requests::counters::Deltas;
use sea_query::{Alias, Expr, PostgresQueryBuilder, Query, SqliteQueryBuilder};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::{AssertSqlSafe, Postgres, Sqlite};
use std::sync::Arc;

mod held;
pub use held::held_sends;

/// A write slower than this is logged (as sqlx logs slow statements, but in one line).
const SLOW_WRITE: std::time::Duration = std::time::Duration::from_secs(1);

pub struct Tx {
    conn: Conn,
    /// The counter moves of the write under way (the group writer's current job).
    staged: Deltas,
    /// The counter moves of the writes kept so far in this transaction.
    settled: Deltas,
    /// SQLite: per table, the next id this transaction hands out.
    ids: Vec<(&'static str, i64)>,
    /// The group writer on SQLite: rows held for the batch's end (`held`).
    held: Option<Vec<held::HeldWrite>>,
    /// The group writer's current write, which held rows are charged to.
    job: usize,
    /// SQLite: whether anything but `next_id`'s read was sent in this transaction. Until
    /// then, held rows can be undone by starting the transaction again (`held`).
    touched: bool,
    /// Held rows sent with their foreign keys checked at the commit (`held`), kept until it
    /// holds: their counter moves join only then.
    unconfirmed: Vec<held::HeldWrite>,
}

enum Conn {
    /// With a statement to send ahead of the next one (the group writer's savepoints), so it
    /// costs no round trip of its own.
    Sqlite(
        sqlx::Transaction<'static, Sqlite>,
        Option<&'static str>,
        Arc<Checkpoints>,
    ),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Runs `$body` with `$sql`/`$v` rendered for the engine of `$self` and `$ex` its executor.
macro_rules! on_tx {
    ($self:expr, $q:expr, |$ex:ident, $sql:ident, $v:ident| $body:expr) => {{
        $self.touched = true;
        match &mut $self.conn {
            Conn::Sqlite(t, ahead, _) => {
                let ($sql, $v) = crate::sqlite_sql::render($q);
                let $sql = match ahead.take() {
                    Some(a) => format!("{a};\n{}", $sql),
                    None => $sql,
                };
                let $ex = &mut **t;
                $body
            }
            Conn::Postgres(t) => {
                let ($sql, $v) = $q.build_sqlx(PostgresQueryBuilder);
                let $ex = &mut **t;
                $body
            }
        }
    }};
}

impl Tx {
    fn with(conn: Conn) -> Self {
        Tx {
            conn,
            staged: Deltas::default(),
            settled: Deltas::default(),
            ids: Vec::new(),
            held: None,
            job: 0,
            touched: false,
            unconfirmed: Vec::new(),
        }
    }

    pub(crate) fn sqlite(t: sqlx::Transaction<'static, Sqlite>, cp: Arc<Checkpoints>) -> Self {
        Self::with(Conn::Sqlite(t, None, cp))
    }

    pub(crate) fn postgres(t: sqlx::Transaction<'static, Postgres>) -> Self {
        Self::with(Conn::Postgres(t))
    }

    pub fn engine(&self) -> Engine {
        match self.conn {
            Conn::Sqlite(..) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
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

    /// The id for a new row of `table` (an integer primary key `id`), so the row and the rows
    /// that point at it go in one `execute_all`. SQLite: one read of the highest id per table
    /// and transaction, then counted on; the transaction holds SQLite's only write lock, so no
    /// one else takes an id meanwhile, and an id a rolled-back savepoint took is simply not
    /// used. PostgreSQL: the column's sequence. Every row of `table` inserted in the transaction
    /// must take its id here (on SQLite an id left to the database could meet a counted one);
    /// requests are inserted only by `intake::submit` and the history import, in their own
    /// transactions.
    pub(crate) async fn next_id(&mut self, table: &'static str) -> StoreResult<i64> {
        if let Conn::Postgres(_) = self.conn {
            let q = Query::select()
                .expr(Expr::cust(format!(
                    "nextval(pg_get_serial_sequence('{table}', 'id'))"
                )))
                .to_owned();
            return self.scalar(&q).await;
        }
        if let Some((_, next)) = self.ids.iter_mut().find(|(t, _)| *t == table) {
            *next += 1;
            return Ok(*next - 1);
        }
        let q = Query::select()
            .expr(Expr::cust("coalesce(max(id), 0) + 1"))
            .from(Alias::new(table))
            .to_owned();
        // Only a read: it leaves the write's savepoint (`ahead`) for the write's first change
        // and the transaction untouched, so held rows need no savepoint (`held`).
        let Conn::Sqlite(t, _, _) = &mut self.conn else {
            return self.scalar(&q).await;
        };
        let (sql, v) = crate::sqlite_sql::render(&q);
        let next = scalar_on(&mut **t, sql, v).await?;
        self.ids.push((table, next + 1));
        Ok(next)
    }

    /// Inserts whose results nobody reads, sent together: on SQLite one call runs them all
    /// (several statements in one query; anonymous parameters are numbered across them), on
    /// PostgreSQL statements of chained parts (`pg_sql`). A write of many small rows (a
    /// request, its timeline, inbox, units, audit) then costs one round trip to SQLite's
    /// worker thread instead of one per statement (bench S1), three to PostgreSQL (S8).
    pub async fn execute_all(&mut self, qs: &[sea_query::InsertStatement]) -> StoreResult<()> {
        let started = std::time::Instant::now();
        self.send_all(qs).await?;
        let took = started.elapsed();
        if took >= SLOW_WRITE
            && let Some(first) = qs.first()
        {
            // Its start names the table; placeholders, never values (personal data).
            let (sql, _) = first.build(SqliteQueryBuilder);
            let start: String = sql.chars().take(80).collect();
            tracing::warn!(
                statements = qs.len(),
                first = %start,
                took_ms = took.as_millis() as u64,
                "slow write"
            );
        }
        Ok(())
    }

    async fn send_all(&mut self, qs: &[sea_query::InsertStatement]) -> StoreResult<()> {
        self.touched = true;
        match &mut self.conn {
            Conn::Sqlite(t, ahead, _) => {
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
            Conn::Postgres(t) => {
                for (sql, v) in crate::pg_sql::chain(qs) {
                    execute_on(&mut **t, sql, v).await?;
                }
            }
        }
        Ok(())
    }

    /// The counter moves of the write under way, written at the commit.
    pub(crate) fn counts(&mut self) -> &mut Deltas {
        &mut self.staged
    }

    /// The write under way is kept: its counter moves join the transaction's, or wait with
    /// its held rows until those are in.
    pub(crate) fn settle(&mut self) {
        let mut staged = std::mem::take(&mut self.staged);
        match self.held_by_job() {
            Some(counts) => counts.absorb(&mut staged),
            None => self.settled.absorb(&mut staged),
        }
    }

    /// The write under way was rolled back (to its savepoint): its counter moves and held
    /// rows are dropped.
    pub(crate) fn unstage(&mut self) {
        self.staged.clear();
        self.drop_held_by_job();
    }

    /// Sends `sql` (no parameters, no results) ahead of the next statement, in the same call
    /// (SQLite); on PostgreSQL it is sent at once.
    pub(crate) async fn ahead(&mut self, sql: &'static str) -> StoreResult<()> {
        match &mut self.conn {
            Conn::Sqlite(_, ahead, _) => {
                if let Some(a) = ahead.take() {
                    self.raw(a).await?;
                }
                if let Conn::Sqlite(_, ahead, _) = &mut self.conn {
                    *ahead = Some(sql);
                }
                Ok(())
            }
            Conn::Postgres(_) => self.raw(sql).await,
        }
    }

    /// Takes back what was to go ahead of the next statement, if it was not sent yet.
    pub(crate) fn take_ahead(&mut self) -> Option<&'static str> {
        match &mut self.conn {
            Conn::Sqlite(_, ahead, _) => ahead.take(),
            Conn::Postgres(_) => None,
        }
    }

    /// A statement without parameters or results (savepoints).
    pub(crate) async fn raw(&mut self, sql: &'static str) -> StoreResult<()> {
        self.touched = true;
        match &mut self.conn {
            Conn::Sqlite(t, ahead, _) => {
                let sql = match ahead.take() {
                    Some(a) => format!("{a};\n{sql}"),
                    None => sql.to_owned(),
                };
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut **t)
                    .await
                    .map(|_| ())?
            }
            Conn::Postgres(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ())?,
        }
        Ok(())
    }

    /// Writes the counter moves kept, then commits.
    pub async fn commit(mut self) -> StoreResult<()> {
        self.settle();
        // The group writer sends held rows itself, to answer each write; any left go now.
        if let Some((_, e)) = self.flush_held().await?.into_iter().next() {
            return Err(e);
        }
        let counts = self.settled.take_statements();
        // Whatever was to go ahead rides with the counters, or goes alone.
        if counts.is_empty()
            && let Some(a) = self.take_ahead()
        {
            self.raw(a).await?;
        }
        self.execute_all(&counts).await?;
        match self.conn {
            Conn::Sqlite(t, _, checkpoints) => {
                t.commit().await?;
                checkpoints.committed();
            }
            Conn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
