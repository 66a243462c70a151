//! Group commit. SQLite takes one writer at a time and a durable commit costs an fsync, so
//! writes that arrive together are run one after another in **one** transaction, each inside
//! its own savepoint (a failing write rolls back only itself), and every caller is answered
//! after the one commit: nothing is acknowledged before it is durable. Under load the batch
//! grows by itself (whatever queued while the previous batch ran); alone, a write is a batch
//! of one. Bench S1 drove this: one commit per create held the writer for the fsync.
//!
//! PostgreSQL commits concurrent transactions on its own connections, so there a write runs in
//! its own transaction (`Db::write`) — except writes that only add rows (`Db::write_new`, new
//! requests): every one of those moves the same district and street counter rows, so in
//! transactions of their own each waited for the previous one's commit to release those rows
//! (bench S8: 221 creates/s from two instances). Grouped, a batch moves each row once. Only
//! those are grouped: a batch holds the locks of all its writes until its commit, and writes
//! that lock existing rows (a step on a request) could then deadlock with another instance's
//! batch taking the same rows in another order; new rows and counter rows taken in key order
//! at the commit cannot.

use crate::db::{Db, Engine, Tx};
use crate::error::{StoreError, StoreResult};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A boxed future borrowing the transaction.
pub type TxFuture<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// Most writes in one transaction: bounds what one failure of the commit takes with it.
const MAX_BATCH: usize = 256;

/// On PostgreSQL fewer: each write's savepoint is a subtransaction, and past 64 in one
/// transaction every other session's snapshot has to look them up on disk.
const MAX_BATCH_POSTGRES: usize = 48;

/// Why a write that ran without error is not kept.
enum Lost {
    /// The batch's commit failed.
    Batch(Arc<str>),
    /// Its held rows could not go in (`Tx::insert_held`).
    Own(StoreError),
}

/// What a queued write reports to its caller once the batch's commit is known.
type Finish = Box<dyn FnOnce(Result<(), Lost>) + Send>;
type Job = Box<
    dyn for<'a> FnOnce(&'a mut Tx) -> Pin<Box<dyn Future<Output = (bool, Finish)> + Send + 'a>>
        + Send,
>;

/// The queue of one database's group writer; dropped with the last `Db` clone that holds it.
#[derive(Debug)]
pub struct Group {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Group {
    /// Starts the writer on `db`, a handle that does not itself hold this group (else the
    /// writer would keep its own queue open and never stop).
    pub(crate) fn start(db: Db) -> Self {
        let (jobs, rx) = mpsc::unbounded_channel();
        // A thread of its own: on the server's runtime the writer waited behind every ready
        // request handler at each statement it awaited, and the batch (which holds SQLite's one
        // write lock) took that wait once per statement (bench S1: 1.3 of 2 cores busy, the
        // rest lost to queueing). It also keeps the writer independent of whichever runtime
        // wrote first; it stops when the last `Db` holding the queue is dropped.
        let started = std::thread::Builder::new()
            .name("jiceng-writer".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(writer(db, rx)),
                    Err(e) => {
                        tracing::error!(error = %e, "group commit: no runtime for the writer")
                    }
                }
            });
        if let Err(e) = started {
            tracing::error!(error = %e, "group commit: cannot start the writer thread");
        }
        Self { jobs }
    }
}

fn interrupted(why: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("写入未完成：{why}")))
}

async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Job>) {
    let most = match db.engine() {
        Engine::Sqlite => MAX_BATCH,
        Engine::Postgres => MAX_BATCH_POSTGRES,
    };
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < most {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // In a task of its own: a panicking write drops the batch's transaction (rolled back)
        // and its callers' answers (they see an error), and the writer goes on.
        let db = db.clone();
        if let Err(e) = tokio::spawn(run_batch(db, batch)).await {
            tracing::error!(error = %e, "group commit: a batch of writes failed");
        }
    }
}

async fn run_batch(db: Db, batch: Vec<Job>) {
    let mut tx = match db.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            // Dropping the batch unstarted tells each caller the write was interrupted.
            tracing::warn!(error = %e, jobs = batch.len(), "group commit: cannot begin");
            return;
        }
    };
    let mut finishes = Vec::with_capacity(batch.len());
    // Whether the last write's savepoint is still open (kept, not yet released).
    let mut open = false;
    tx.hold_inserts();
    for (i, job) in batch.into_iter().enumerate() {
        tx.start_job(i);
        // Sent with the write's first statement. A kept write's savepoint is released first:
        // left open, every later savepoint would stack on it and SQLite would keep each one's
        // copies of the pages it changed (the sub-journal) until the commit.
        let savepoint = if open {
            "RELEASE group_write;\nSAVEPOINT group_write"
        } else {
            "SAVEPOINT group_write"
        };
        if let Err(e) = tx.ahead(savepoint).await {
            tracing::error!(error = %e, "group commit: savepoint");
            return;
        }
        let (ok, finish) = job(&mut tx).await;
        if ok {
            tx.settle();
        } else {
            tx.unstage();
        }
        // A write that ran no statement opened no savepoint (nor released the last one).
        if tx.take_ahead().is_none() {
            open = ok;
            if !ok
                && let Err(e) = tx
                    .raw("ROLLBACK TO group_write;\nRELEASE group_write")
                    .await
            {
                tracing::error!(error = %e, "group commit: rollback to savepoint");
                return;
            }
        }
        finishes.push(finish);
    }
    tx.take_ahead();
    let mut failed = match tx.flush_held().await {
        Ok(failed) => failed,
        Err(e) => {
            tracing::error!(error = %e, "group commit: undoing held rows");
            return;
        }
    };
    let (committed, refused) = tx.commit_held().await;
    failed.extend(refused);
    let committed = committed.map_err(|e| Arc::<str>::from(e.to_string()));
    for (i, f) in finishes.into_iter().enumerate() {
        match failed.iter().position(|(job, _)| *job == i) {
            Some(at) => f(Err(Lost::Own(failed.swap_remove(at).1))),
            None => f(committed.clone().map_err(Lost::Batch)),
        }
    }
}

impl Db {
    /// Runs `write` in a transaction and answers once it is committed: on SQLite through the
    /// group writer (with other writes queued at the same moment, see the module), on
    /// PostgreSQL in its own transaction. `write` must only use the transaction it is given.
    pub async fn write<T, F>(&self, write: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> TxFuture<'a, T> + Send + 'static,
    {
        match self.engine() {
            Engine::Sqlite => self.grouped(write).await,
            Engine::Postgres => {
                let mut tx = self.begin().await?;
                let v = write(&mut tx).await?;
                tx.commit().await?;
                Ok(v)
            }
        }
    }

    /// Like [`Db::write`], for a write that only inserts new rows (and moves counters): on
    /// PostgreSQL too it joins the writes queued at the same moment in one transaction (see
    /// the module). It must not update or lock rows that already exist.
    pub async fn write_new<T, F>(&self, write: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> TxFuture<'a, T> + Send + 'static,
    {
        self.grouped(write).await
    }

    async fn grouped<T, F>(&self, write: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> TxFuture<'a, T> + Send + 'static,
    {
        let group = self
            .group_slot()
            .get_or_init(|| Group::start(self.without_group()));
        let (answer, heard) = oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |tx: &mut Tx| {
            Box::pin(async move {
                let r = write(tx).await;
                let ok = r.is_ok();
                let finish: Finish = Box::new(move |committed| {
                    let out = match (r, committed) {
                        (Ok(v), Ok(())) => Ok(v),
                        (Ok(_), Err(Lost::Batch(why))) => Err(interrupted(&why)),
                        (Ok(_), Err(Lost::Own(e))) => Err(e),
                        (Err(e), _) => Err(e),
                    };
                    let _ = answer.send(out);
                });
                (ok, finish)
            })
        });
        group
            .jobs
            .send(job)
            .map_err(|_| interrupted("写入队列已关闭"))?;
        heard.await.map_err(|_| interrupted("写入批次中断"))?
    }
}
