//! Group commit (`Db::write`): writes queued at the same moment are answered after their
//! commit, each with its own result, and one that fails takes only its own changes with it.
//! On PostgreSQL each write is its own transaction, with the same outcome.

use chrono::Utc;
use jiceng_store::group::TxFuture;
use jiceng_store::testing::test_db;
use jiceng_store::{StoreError, Tx};
use sea_query::{Alias, Expr, ExprTrait, InsertStatement, Query};

fn setting(key: &str) -> InsertStatement {
    Query::insert()
        .into_table(Alias::new("settings"))
        .columns([
            Alias::new("key"),
            Alias::new("value"),
            Alias::new("updated_at"),
        ])
        .values_panic([key.into(), "v".into(), Utc::now().into()])
        .to_owned()
}

#[derive(Clone, Copy, PartialEq)]
enum How {
    Write,
    WriteNew,
    /// `Db::write_new` with `Tx::insert_held`: on SQLite the rows of the whole batch go in
    /// one call at its end, and a failing one is found by sending each write's rows again.
    Held,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_each_get_their_own_answer_and_a_failure_undoes_only_itself() {
    sixty_writes(How::Write).await;
}

/// The same through `Db::write_new`, grouped on PostgreSQL too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_new_rows_each_get_their_own_answer_and_a_failure_undoes_only_itself() {
    sixty_writes(How::WriteNew).await;
}

/// The same with the rows held to the batch's end: a duplicate key among them fails only
/// the write that held it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_rows_each_get_their_own_answer_and_a_failure_undoes_only_itself() {
    sixty_writes(How::Held).await;
}

async fn sixty_writes(how: How) {
    let t = test_db().await;
    let mut handles = Vec::new();
    for i in 0..60 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            let write = job(i, how == How::Held);
            match how {
                How::Write => db.write(write).await,
                How::WriteNew | How::Held => db.write_new(write).await,
            }
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        match (i % 10, h.await.unwrap()) {
            (3, Err(StoreError::Stale)) => {}
            (7, Err(StoreError::Conflict { .. })) => {}
            (n, Ok(v)) if n != 3 && n != 7 => assert_eq!(v, i),
            (_, other) => panic!("write {i}: {other:?}"),
        }
    }
    let keys: Vec<(String,)> =
        t.db.all(
            &Query::select()
                .column(Alias::new("key"))
                .from(Alias::new("settings"))
                .and_where(Expr::col(Alias::new("key")).like("group-%"))
                .to_owned(),
        )
        .await
        .unwrap();
    assert_eq!(keys.len(), 48, "every write but the twelve failing ones");
    assert!(
        keys.iter()
            .all(|(k,)| !k.ends_with('7') && !k.ends_with('3')),
        "a failed write leaves nothing behind"
    );
}

/// Write `i` of sixty: every tenth refused before writing, every tenth fails after its first
/// insert (a duplicate key).
fn job(
    i: usize,
    held: bool,
) -> impl for<'a> FnOnce(&'a mut Tx) -> TxFuture<'a, usize> + Send + 'static {
    move |tx| {
        Box::pin(async move {
            if i % 10 == 3 {
                // Refused before writing anything.
                return Err(StoreError::Stale);
            }
            if held {
                let mut rows = vec![setting(&format!("group-{i}"))];
                if i % 10 == 7 {
                    rows.push(setting(&format!("group-{i}")));
                }
                tx.insert_held(&rows).await?;
                return Ok(i);
            }
            tx.execute(&setting(&format!("group-{i}"))).await?;
            if i % 10 == 7 {
                // The same key again: this write fails after its first insert.
                tx.execute(&setting(&format!("group-{i}"))).await?;
            }
            Ok(i)
        })
    }
}

/// SQLite: the log is copied into the database file beside the writer (`checkpoint`), and
/// under writes that never pause it still starts over instead of growing with every write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_reaches_the_database_file_and_stays_bounded_under_steady_writes() {
    let t = test_db().await;
    let Some(file) = t.url.strip_prefix("sqlite://").map(str::to_owned) else {
        return; // PostgreSQL keeps its own log.
    };
    let size = |suffix: &str| {
        std::fs::metadata(format!("{file}{suffix}"))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    const MB: u64 = 1 << 20;
    // 6,400 rows of 16 KiB: 100 MB of pages, far more than the log may hold (32 MB and what
    // arrives while the checkpoint thread looks).
    let value = "记".repeat(16 * 1024 / 3);
    let mut writers = Vec::new();
    for w in 0..16 {
        let (db, value) = (t.db.clone(), value.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..400 {
                let value = value.clone();
                db.write(move |tx| {
                    Box::pin(async move {
                        let mut q = setting(&format!("wal-{w}-{i}"));
                        q.values_panic([
                            format!("wal2-{w}-{i}").into(),
                            value.into(),
                            Utc::now().into(),
                        ]);
                        tx.execute(&q).await?;
                        Ok(())
                    })
                })
                .await
                .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let log = size("-wal");
    assert!(log < 64 * MB, "the log grew to {} MB", log / MB);
    // The last writes reach the database file without another write to trigger it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while size("") < 100 * MB {
        assert!(
            std::time::Instant::now() < deadline,
            "the database file holds {} MB after 10 s",
            size("") / MB
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Nothing keeps a connection checked out: the pools close.
    let closing = tokio::time::timeout(std::time::Duration::from_secs(10), t.db.close());
    assert!(closing.await.is_ok(), "closing the database hung");
}

/// A held row whose foreign key points nowhere (only a bug makes one): the write holding it
/// fails and leaves nothing, the others are kept. On SQLite a merged batch's foreign keys are
/// checked at its commit (`tx::held`); the refused commit is undone and each write's rows sent
/// alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_row_pointing_nowhere_fails_only_its_own_write() {
    let t = test_db().await;
    let event_of_nothing = Query::insert()
        .into_table(Alias::new("request_events"))
        .columns(
            [
                "request_id",
                "at",
                "actor_login",
                "actor_name",
                "actor_unit",
                "action",
            ]
            .map(Alias::new),
        )
        .values_panic([
            (-1i64).into(),
            Utc::now().into(),
            "x".into(),
            "x".into(),
            "x".into(),
            "x".into(),
        ])
        .to_owned();
    let mut handles = Vec::new();
    for i in 0..20 {
        let (db, bad) = (t.db.clone(), event_of_nothing.clone());
        handles.push(tokio::spawn(async move {
            db.write_new(move |tx: &mut Tx| {
                Box::pin(async move {
                    let mut rows = vec![setting(&format!("fk-{i}"))];
                    if i == 5 {
                        rows.push(bad);
                    }
                    tx.insert_held(&rows).await?;
                    Ok(())
                })
            })
            .await
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        let answer = h.await.unwrap();
        let stored: Option<(String,)> =
            t.db.optional(
                &Query::select()
                    .column(Alias::new("key"))
                    .from(Alias::new("settings"))
                    .and_where(Expr::col(Alias::new("key")).eq(format!("fk-{i}")))
                    .to_owned(),
            )
            .await
            .unwrap();
        assert_eq!(answer.is_ok(), i != 5, "write {i}: {answer:?}");
        assert_eq!(stored.is_some(), i != 5, "write {i}");
    }
}
