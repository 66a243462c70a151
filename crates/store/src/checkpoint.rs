//! WAL checkpoints for SQLite, off the write path. By default the connection that commits
//! copies the log into the database file whenever the log passes 1,000 pages, so one batch of
//! the group writer in every few paid for a checkpoint (a copy and an fsync of the database
//! file) while holding the only write lock: 14 % of the writer's time in bench S1. Each commit
//! now wakes a thread that checkpoints on a reader connection (`PASSIVE`: it blocks neither the
//! writer nor readers), and the write connection's own checkpoint waits for 8,192 pages of log
//! (`wal_autocheckpoint`, set in `Db::open`).
//!
//! The committer's checkpoint is still needed: the log only starts again from its beginning when
//! a write begins with every frame copied, which a writer that never pauses seldom meets. By the
//! time the log is that long the thread has copied nearly all of it, so the committer copies only
//! the tail, and the log restarts at the next write.

use sqlx::SqlitePool;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, Sender, channel, error::TrySendError};

/// The least time between two background checkpoints: each one fsyncs the database file.
const SPACING: Duration = Duration::from_millis(200);

/// One SQLite database's checkpoint thread; shared by every handle on it.
#[derive(Debug)]
pub struct Checkpoints {
    read: SqlitePool,
    /// Wakes the thread, started at the first commit; it stops when this is dropped.
    kick: OnceLock<Sender<()>>,
}

impl Checkpoints {
    pub(crate) fn new(read: SqlitePool) -> Self {
        Self {
            read,
            kick: OnceLock::new(),
        }
    }

    /// Called after every commit on the write connection.
    pub(crate) fn committed(&self) {
        let kick = self.kick.get_or_init(|| self.start());
        // A full queue already holds a wake-up for the thread.
        if let Err(TrySendError::Closed(())) = kick.try_send(()) {
            tracing::warn!("WAL checkpoint thread stopped");
        }
    }

    fn start(&self) -> Sender<()> {
        let (kick, woken) = channel(1);
        let read = self.read.clone();
        let started = std::thread::Builder::new()
            .name("jiceng-checkpoint".into())
            .spawn(move || background(woken, read));
        if let Err(e) = started {
            // Without it the committer copies the whole log past its 8,192 pages.
            tracing::error!(error = %e, "cannot start the WAL checkpoint thread");
        }
        kick
    }
}

fn background(mut woken: Receiver<()>, read: SqlitePool) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "WAL checkpoint thread: no runtime");
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
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&read)
                .await
                && !read.is_closed()
            {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
            tokio::time::sleep(SPACING).await;
        }
    });
}
