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
