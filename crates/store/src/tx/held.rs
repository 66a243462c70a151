//! Held inserts (SQLite, the group writer). A new request writes a dozen small rows; sent as
//! each create ran, a batch of forty creates was forty calls to sqlx's SQLite thread, each a
//! hand-off there and back while the batch held the only write lock (bench S1: the writer and
//! its connection's thread, taking turns, were the limit; held, S1 went up 14 %, from the
//! writer's side — SQLite's own work per create stayed the same). Writes that only add rows which
//! nothing later in the transaction reads (`Tx::insert_held`) leave them here instead; at the
//! end of the batch the rows of the same statement from writes of the same shape go as one
//! multi-row insert, and the whole batch's rows as **one** call. Should that call fail, it is
//! undone and each write's rows are sent again on their own, so the failure is charged to the
//! write that caused it and the others are kept.
//!
//! Undone how: when nothing else was sent in the transaction yet (a batch of new requests),
//! by rolling it back and beginning again; otherwise to a savepoint. Without a savepoint, and
//! with `INSERT OR FAIL` and foreign keys checked at the commit (`defer_foreign_keys`), SQLite
//! keeps no copy of every page a merged statement changes in case it must undo just that
//! statement (its statement journal: 12 % of the write connection's time in bench S1). Should
//! the commit's check refuse them (a held row's keys point at its own request or at rows never
//! deleted, so only a bug would), the transaction is begun again and each write's rows sent
//! alone with their keys checked at once (`commit_held`): again only the write at fault fails.

use super::{Conn, Tx};
use crate::error::{StoreError, StoreResult};
use crate::requests::counters::Deltas;
use sea_query::{InsertStatement, SqliteQueryBuilder, Value, Values};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::AssertSqlSafe;
use std::sync::atomic::{AtomicU64, Ordering};

/// Undoes a failed `send_held` (its savepoint stays open when a statement fails).
const UNDO: &str = "ROLLBACK TO group_held;\nRELEASE group_held";

/// Bound parameters per merged statement: under SQLite's limit (32,766 since 3.32).
const MAX_PARAMS: usize = 30_000;

/// Batches of held rows sent in one call, and writes whose rows were sent again alone.
static BATCHES: AtomicU64 = AtomicU64::new(0);
static ALONE: AtomicU64 = AtomicU64::new(0);

/// In this process so far: batches of held rows sent in one call (more than one write each),
/// and writes whose rows were sent again on their own after their batch's call failed. Rows
/// merged wrongly would show as the second growing with no write failing.
pub fn held_sends() -> (u64, u64) {
    (
        BATCHES.load(Ordering::Relaxed),
        ALONE.load(Ordering::Relaxed),
    )
}

/// One write's held rows, rendered for SQLite, and its counter moves: they join the
/// transaction's only once the rows are in.
pub(super) struct HeldWrite {
    job: usize,
    statements: Vec<(String, Vec<Value>)>,
    counts: Deltas,
}

impl Tx {
    /// From now on (the group writer's transaction on SQLite), `insert_held` holds its rows
    /// until `flush_held`.
    pub(crate) fn hold_inserts(&mut self) {
        if let Conn::Sqlite(..) = self.conn {
            self.held = Some(Vec::new());
        }
    }

    /// The group writer starts its write number `job`: what it holds is charged to it.
    pub(crate) fn start_job(&mut self, job: usize) {
        self.job = job;
    }

    /// Inserts that only add rows which no later statement of this transaction reads, and
    /// which no other write's rows depend on (a new request and what points at it). In the
    /// group writer on SQLite they are held and sent with the batch's other held rows at its
    /// end (see the module); otherwise at once, as `execute_all`.
    pub async fn insert_held(&mut self, qs: &[InsertStatement]) -> StoreResult<()> {
        let job = self.job;
        let Some(held) = &mut self.held else {
            return self.execute_all(qs).await;
        };
        let rendered = qs.iter().map(|q| {
            let (sql, v) = q.build_sqlx(SqliteQueryBuilder);
            (sql, v.0.0)
        });
        match held.last_mut().filter(|w| w.job == job) {
            Some(w) => w.statements.extend(rendered),
            None => held.push(HeldWrite {
                job,
                statements: rendered.collect(),
                counts: Deltas::default(),
            }),
        }
        Ok(())
    }

    /// The current write's held rows, if it holds any (its counter moves go with them).
    pub(super) fn held_by_job(&mut self) -> Option<&mut Deltas> {
        let job = self.job;
        let w = self.held.as_mut()?.last_mut().filter(|w| w.job == job)?;
        Some(&mut w.counts)
    }

    /// The current write failed: what it held is dropped.
    pub(super) fn drop_held_by_job(&mut self) {
        let job = self.job;
        if let Some(held) = &mut self.held {
            held.retain(|w| w.job != job);
        }
    }

    /// Sends every held row (see the module). The writes whose rows could not go in, each
    /// with its error; an error of its own when even undoing the failed call failed.
    pub(crate) async fn flush_held(&mut self) -> StoreResult<Vec<(usize, StoreError)>> {
        let held = match &mut self.held {
            Some(h) if !h.is_empty() => std::mem::take(h),
            _ => return Ok(Vec::new()),
        };
        // Nothing sent yet in this transaction: undone by beginning it again (see the module).
        let fresh = !self.touched;
        // A lone write's statements are the same text every time: kept prepared.
        let ((sql, values), keep) = match held.as_slice() {
            [one] => (joined(one), true),
            _ => {
                BATCHES.fetch_add(1, Ordering::Relaxed);
                (merged(&held), false)
            }
        };
        let sent = match fresh {
            true => self.send_fresh(sql, values, keep).await,
            false => self.send_held(sql, values, keep).await,
        };
        let why = match sent {
            Ok(()) if fresh && !keep => {
                // Their foreign keys wait for the commit: kept whole until it holds.
                self.unconfirmed = held;
                return Ok(Vec::new());
            }
            Ok(()) => {
                for mut w in held {
                    self.settled.absorb(&mut w.counts);
                }
                return Ok(Vec::new());
            }
            Err(e) => e,
        };
        tracing::info!(error = %why, writes = held.len(), "held rows: sending each write's alone");
        ALONE.fetch_add(held.len() as u64, Ordering::Relaxed);
        match fresh {
            true => self.restart().await?,
            false => self.raw(UNDO).await?,
        }
        self.send_each_alone(held).await
    }

    /// Each write's held rows on their own, behind a savepoint, their foreign keys checked at
    /// once: the writes kept join the transaction's counter moves, the others come back with
    /// their errors.
    async fn send_each_alone(
        &mut self,
        held: Vec<HeldWrite>,
    ) -> StoreResult<Vec<(usize, StoreError)>> {
        let mut failed = Vec::new();
        for mut w in held {
            let (sql, values) = joined(&w);
            match self.send_held(sql, values, true).await {
                Ok(()) => self.settled.absorb(&mut w.counts),
                Err(e) => {
                    self.raw(UNDO).await?;
                    failed.push((w.job, e));
                }
            }
        }
        Ok(failed)
    }

    /// Commits, as `commit`. With held rows whose foreign keys wait for the commit, a commit
    /// that refuses them is undone and each write's rows are sent alone before committing
    /// again (see the module); the writes whose rows could not go in come back with their
    /// errors, as from `flush_held`.
    pub(crate) async fn commit_held(mut self) -> (StoreResult<()>, Vec<(usize, StoreError)>) {
        let unconfirmed = std::mem::take(&mut self.unconfirmed);
        if unconfirmed.is_empty() {
            return (self.commit().await, Vec::new());
        }
        self.settle();
        let mut all = self.settled.clone();
        for w in &unconfirmed {
            all.absorb(&mut w.counts.clone());
        }
        match self.commit_statement(all).await {
            Ok(()) => {
                // Committed. What is left is sqlx's own transaction, empty by now.
                self.settled.clear();
                if let Err(e) = self.commit().await {
                    tracing::warn!(error = %e, "group commit: closing the empty transaction");
                }
                return (Ok(()), Vec::new());
            }
            Err(e) => {
                tracing::info!(error = %e, writes = unconfirmed.len(), "held rows refused at the commit: sending each write's alone");
            }
        }
        ALONE.fetch_add(unconfirmed.len() as u64, Ordering::Relaxed);
        if let Err(e) = self.restart().await {
            return (Err(e), Vec::new());
        }
        match self.send_each_alone(unconfirmed).await {
            Ok(failed) => (self.commit().await, failed),
            Err(e) => (Err(e), Vec::new()),
        }
    }

    /// The counter moves `all`, then `COMMIT` as a statement of its own: refused (a deferred
    /// foreign key), the transaction stays open as it was. Accepted, a new transaction is
    /// begun, so sqlx's transaction object (which did not see this commit) ends with its own.
    async fn commit_statement(&mut self, mut all: Deltas) -> StoreResult<()> {
        self.execute_all(&all.take_statements()).await?;
        let Conn::Sqlite(t, _, _) = &mut self.conn else {
            return Err(not_sqlite());
        };
        sqlx::raw_sql("COMMIT").execute(&mut **t).await?;
        if let Err(e) = sqlx::raw_sql("BEGIN").execute(&mut **t).await {
            tracing::warn!(error = %e, "group commit: beginning after the commit");
        }
        Ok(())
    }

    /// `sql` as the transaction's first statements, without a savepoint (see the module).
    async fn send_fresh(&mut self, sql: String, values: Vec<Value>, keep: bool) -> StoreResult<()> {
        self.touched = true;
        let Conn::Sqlite(t, ahead, _) = &mut self.conn else {
            return Err(not_sqlite());
        };
        // The group writer took back the write's savepoint before the flush.
        debug_assert!(ahead.is_none());
        // A merged batch's foreign keys are checked at the commit (see the module); a lone
        // write's stay immediate, so a violation answers with its own error.
        let text = match keep {
            false => format!("PRAGMA defer_foreign_keys = ON;\n{sql}"),
            true => sql,
        };
        sqlx::query_with(AssertSqlSafe(text), SqlxValues(Values(values)))
            .persistent(keep)
            .execute(&mut **t)
            .await?;
        Ok(())
    }

    /// Undoes a failed `send_fresh`: the transaction (which held nothing else) is rolled back
    /// and begun again. An I/O error may have rolled it back already; then `ROLLBACK` fails
    /// and `BEGIN` is what matters.
    async fn restart(&mut self) -> StoreResult<()> {
        let Conn::Sqlite(t, _, _) = &mut self.conn else {
            return Err(not_sqlite());
        };
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut **t).await;
        sqlx::raw_sql("BEGIN").execute(&mut **t).await?;
        Ok(())
    }

    /// `sql` behind a savepoint of its own (`group_held`), in one call; prepared statements
    /// kept for the next time only when `keep`: a merged batch is seldom sent twice.
    async fn send_held(&mut self, sql: String, values: Vec<Value>, keep: bool) -> StoreResult<()> {
        self.touched = true;
        let Conn::Sqlite(t, ahead, _) = &mut self.conn else {
            return Err(not_sqlite());
        };
        let mut text = String::with_capacity(sql.len() + 64);
        if let Some(a) = ahead.take() {
            text.push_str(a);
            text.push_str(";\n");
        }
        text.push_str("SAVEPOINT group_held;\n");
        text.push_str(&sql);
        text.push_str("RELEASE group_held");
        sqlx::query_with(AssertSqlSafe(text), SqlxValues(Values(values)))
            .persistent(keep)
            .execute(&mut **t)
            .await?;
        Ok(())
    }
}

fn not_sqlite() -> StoreError {
    StoreError::Database(sqlx::Error::Protocol("held inserts are SQLite's".into()))
}

/// One write's statements as one text, in their order.
fn joined(w: &HeldWrite) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    for (s, v) in &w.statements {
        sql.push_str(s);
        sql.push_str(";\n");
        values.extend_from_slice(v);
    }
    (sql, values)
}

/// All writes' statements as one text. Writes of the same shape (the same statements in the
/// same order) are sent together, statement by statement, each statement with all their rows:
/// every write's rows keep their order (a request before its timeline), and rows of different
/// writes need no order among themselves (`Tx::insert_held`).
fn merged(held: &[HeldWrite]) -> (String, Vec<Value>) {
    let mut shapes: Vec<Vec<&HeldWrite>> = Vec::new();
    for w in held {
        let same = |s: &&mut Vec<&HeldWrite>| {
            let first = s[0];
            first.statements.len() == w.statements.len()
                && first
                    .statements
                    .iter()
                    .zip(&w.statements)
                    .all(|(a, b)| a.0 == b.0)
        };
        match shapes.iter_mut().find(same) {
            Some(s) => s.push(w),
            None => shapes.push(vec![w]),
        }
    }
    let mut sql = String::new();
    let mut values = Vec::new();
    for writes in shapes {
        for k in 0..writes[0].statements.len() {
            let text = &writes[0].statements[k].0;
            let rows: Vec<&[Value]> = writes.iter().map(|w| &w.statements[k].1[..]).collect();
            match values_tuple(text) {
                Some((head, tuple, tail)) if rows.len() > 1 => {
                    let per = rows[0].len().max(1);
                    for chunk in rows.chunks((MAX_PARAMS / per).max(1)) {
                        // `OR FAIL`: a failing row leaves the rows before it (the whole
                        // call is undone anyway), so SQLite journals nothing to undo them.
                        match head.strip_prefix("INSERT INTO ") {
                            Some(rest) => {
                                sql.push_str("INSERT OR FAIL INTO ");
                                sql.push_str(rest);
                            }
                            None => sql.push_str(head),
                        }
                        sql.push_str(tuple);
                        for _ in 1..chunk.len() {
                            sql.push_str(", ");
                            sql.push_str(tuple);
                        }
                        sql.push_str(tail);
                        sql.push_str(";\n");
                        for r in chunk {
                            values.extend_from_slice(r);
                        }
                    }
                }
                _ => {
                    for r in rows {
                        sql.push_str(text);
                        sql.push_str(";\n");
                        values.extend_from_slice(r);
                    }
                }
            }
        }
    }
    (sql, values)
}

/// An insert of bound values split around its rows: `INSERT … VALUES `, `(?, …, ?), (?, …)`
/// and what follows (`ON CONFLICT …`). `None` when a row holds anything but parameters (an
/// expression written into the text): such a statement is not merged.
fn values_tuple(sql: &str) -> Option<(&str, &str, &str)> {
    let start = sql.find(" VALUES (")? + " VALUES ".len();
    let mut end = start;
    loop {
        let len = sql[end..].find(')')? + 1;
        let inner = &sql[end + 1..end + len - 1];
        if inner.is_empty() || !inner.split(", ").all(|p| p == "?") {
            return None;
        }
        end += len;
        match sql[end..].strip_prefix(", (") {
            Some(_) => end += ", ".len(),
            None => break,
        }
    }
    Some((&sql[..start], &sql[start..end], &sql[end..]))
}

#[cfg(test)]
mod tests;
