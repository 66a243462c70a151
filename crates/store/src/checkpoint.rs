//! WAL checkpoints for SQLite, off the write path. By default the connection that commits
//! copies the log into the database file whenever the log passes 1,000 pages, so one batch of
//! the group writer in every few paid for a checkpoint (a copy and an fsync of the database
//! file) while holding the only write lock: 14 % of the writer's time in bench S1. So the write
//! connection checkpoints by itself only past 64 MB of log, as a bound; each commit wakes a
//! thread that checkpoints on a reader connection (`PASSIVE`: it blocks neither the writer
//! nor readers).
//!
//! The log only starts again from its beginning when a write begins with every frame copied,
//! which a writer that never pauses seldom meets. So once the log holds more than
//! [`TAIL_FRAMES`], the committer copies the few frames the thread has not yet copied itself,
//! right after its commit, and the log restarts at the next write.

use sqlx::SqlitePool;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, Sender, channel, error::TrySendError};

/// Frames in the log past which the committer checkpoints the rest itself (about 32 MB).
const TAIL_FRAMES: i64 = 8192;

/// The least time between two background checkpoints: each one fsyncs the database file.
const SPACING: Duration = Duration::from_millis(200);

/// One SQLite database's checkpoints; shared by every handle on it.
#[derive(Debug)]
pub struct Checkpoints {
    read: SqlitePool,
    write: SqlitePool,
    /// Frames in the log when it was last looked at.
    frames: Arc<AtomicI64>,
    /// Wakes the checkpoint thread, started at the first commit; it stops when this is dropped.
    kick: OnceLock<Sender<()>>,
}

impl Checkpoints {
    pub(crate) fn new(read: SqlitePool, write: SqlitePool) -> Self {
        Self {
            read,
            write,
            frames: Arc::default(),
            kick: OnceLock::new(),
        }
    }

    /// Called after every commit on the write connection.
    pub(crate) async fn committed(&self) {
        let kick = self.kick.get_or_init(|| self.start());
        // A full queue already holds a wake-up for the thread.
        if let Err(TrySendError::Closed(())) = kick.try_send(()) {
            tracing::warn!("WAL checkpoint thread stopped");
        }
        if self.frames.load(Ordering::Relaxed) > TAIL_FRAMES && run_on(&self.write).await.is_some()
        {
            // Copied to its end by the only writer: the log restarts at the next write.
            self.frames.store(0, Ordering::Relaxed);
        }
    }

    fn start(&self) -> Sender<()> {
        let (kick, woken) = channel(1);
        let (read, frames) = (self.read.clone(), self.frames.clone());
        let started = std::thread::Builder::new()
            .name("jiceng-checkpoint".into())
            .spawn(move || background(woken, read, frames));
        if let Err(e) = started {
            // Without it the log grows until the committer copies it (TAIL_FRAMES).
            tracing::error!(error = %e, "cannot start the WAL checkpoint thread");
            self.frames.store(TAIL_FRAMES + 1, Ordering::Relaxed);
        }
        kick
    }
}

fn background(mut woken: Receiver<()>, read: SqlitePool, frames: Arc<AtomicI64>) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "WAL checkpoint thread: no runtime");
            frames.store(TAIL_FRAMES + 1, Ordering::Relaxed);
            return;
        }
    };
    // The runtime is driven the whole time, not only during a checkpoint: sqlx hands a used
    // connection back to its pool in a task of the runtime that used it, so a runtime left
    // idle would keep a reader checked out (and the pool's close waiting for it).
    rt.block_on(async move {
        while woken.recv().await.is_some() {
            if read.is_closed() {
                return;
            }
            if let Some(log) = run_on(&read).await {
                frames.store(log, Ordering::Relaxed);
            }
            tokio::time::sleep(SPACING).await;
        }
    });
}

/// One `PASSIVE` checkpoint on `pool`; answers how many frames the log holds.
async fn run_on(pool: &SqlitePool) -> Option<i64> {
    // (busy, frames in the log, frames copied into the database)
    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await
    {
        Ok((_, log, _)) => Some(log),
        Err(e) if pool.is_closed() => {
            tracing::debug!(error = %e, "WAL checkpoint: closed");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "WAL checkpoint failed");
            None
        }
    }
}
