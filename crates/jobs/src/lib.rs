//! Background work. Each job is idempotent and safe to run on several instances at once.

use jiceng_core::clock::Clock;
use jiceng_core::throttle::ThrottlePolicy;
use jiceng_store::{Db, sessions, throttle};
use std::sync::Arc;
use std::time::Duration;

/// Deletes expired sessions and login failures older than the throttle window. Running it twice,
/// or on two instances, deletes nothing twice.
pub async fn housekeeping_once(
    db: &Db,
    clock: &dyn Clock,
) -> jiceng_store::StoreResult<(u64, u64)> {
    let now = clock.now();
    let s = sessions::purge_expired(db, now).await?;
    let f = throttle::purge_before(db, now - ThrottlePolicy::default().window).await?;
    Ok((s, f))
}

/// Runs housekeeping every `every` until the task is dropped.
pub fn spawn_housekeeping(
    db: Db,
    clock: Arc<dyn Clock>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match housekeeping_once(&db, clock.as_ref()).await {
                Ok((s, f)) if s + f > 0 => {
                    tracing::info!(sessions = s, login_failures = f, "housekeeping purged")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    })
}

/// How many deadlines one ticker transaction claims.
pub const SLA_BATCH: u64 = 500;

/// How often `jiceng serve` runs the SLA ticker. Each tick is one probe of the small partial
/// index of unflagged deadlines, so an overdue event follows its deadline within about this long
/// (plus the burst's own processing). Half a second: at a million requests a burst of 10,000
/// deadlines took one second beyond the first tick, so with a one-second period the last were
/// raised 2.0–2.1 s after their deadline (bench S5 wants 2 s); a probe costs next to nothing.
pub const SLA_TICK: Duration = Duration::from_millis(500);

/// Raises every overdue event due by now; returns how many. Safe on several instances at once:
/// see `jiceng_store::requests::ticker`.
pub async fn sla_once(db: &Db, clock: &dyn Clock) -> jiceng_store::StoreResult<usize> {
    let now = clock.now();
    let mut total = 0;
    loop {
        let n = jiceng_store::requests::ticker::tick(db, now, SLA_BATCH).await?;
        total += n;
        // A short batch means nothing more is due (raised counts only new events, so a batch of
        // re-flagged deadlines could be short too; the next tick picks up any rest).
        if n < SLA_BATCH as usize {
            return Ok(total);
        }
    }
}

/// Runs the SLA ticker every `every` until the task is dropped.
pub fn spawn_sla_ticker(
    db: Db,
    clock: Arc<dyn Clock>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match sla_once(&db, clock.as_ref()).await {
                Ok(n) if n > 0 => tracing::info!(overdue = n, "SLA ticker raised overdue events"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "SLA ticker failed"),
            }
        }
    })
}
