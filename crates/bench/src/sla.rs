//! S5: many deadlines expire at the same instant while a server is killed (`kill -9`) in the
//! middle of raising them and started again; afterwards every request must carry exactly one
//! overdue event, one overdue notification, one overdue timeline entry and `overdue_count = 1`.
//! The same helpers check S8, where two instances tick on one PostgreSQL.

use crate::city::City;
use crate::server::ChildServer;
use crate::stats::round3;
use chrono::{DateTime, Duration as CDuration, SubsecRound, Utc};
use jiceng_core::requests::sla::Stage;
use jiceng_core::requests::{Channel, Severity, Status};
use jiceng_store::requests::history::{self, PastEvent, PastRequest};
use jiceng_store::{Actor, Db};
use sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The burst's requests: ids `first..=last`, all due at `due`.
#[derive(Debug, Clone, Copy)]
pub struct Burst {
    pub first: i64,
    pub last: i64,
    pub due: DateTime<Utc>,
}

impl Burst {
    pub fn count(&self) -> i64 {
        self.last - self.first + 1
    }
}

/// Inserts `n` submitted requests whose accept deadline is `lead` from now, all the same
/// instant, spread over the city's grids.
pub async fn plant(db: &Db, city: &City, n: usize, lead: Duration) -> Result<Burst, String> {
    let now = Utc::now().trunc_subsecs(6);
    let due = now + CDuration::from_std(lead).map_err(|e| e.to_string())?;
    let cat = &city.categories[0];
    let mut ids = Vec::with_capacity(n);
    let chunk = crate::load::BATCH;
    let actor = Actor::system("bench-burst", now);
    for start in (0..n).step_by(chunk) {
        let batch: Vec<PastRequest> = (start..(start + chunk).min(n))
            .map(|i| {
                let grid = &city.grids[i % city.grids.len()];
                PastRequest {
                    category_id: cat.id,
                    severity: Severity::parse(&cat.severity).unwrap_or(Severity::General),
                    channel: Channel::Hotline,
                    description: format!("时限压测第{i}件：同一时刻到期"),
                    requester_user_id: None,
                    requester_name: "压测".into(),
                    place_node_id: grid.place.id,
                    place_path: grid.place.path.clone(),
                    desk_path: city.streets[grid.street].path.clone(),
                    lead_org_id: None,
                    status: Status::Submitted,
                    stage: Some(Stage::Accept),
                    due_at: Some(due),
                    warn_at: Some(due - CDuration::seconds(1)),
                    resolve_days: cat.resolve_days,
                    submitted_at: now,
                    accepted_at: None,
                    dispatched_at: None,
                    claimed_at: None,
                    resolved_at: None,
                    closed_at: None,
                    rating: None,
                    result: String::new(),
                    reopen_count: 0,
                    return_count: 0,
                    overdue: vec![],
                    events: vec![PastEvent {
                        at: now,
                        actor_user_id: None,
                        actor_name: "热线".into(),
                        actor_unit: String::new(),
                        action: "submit",
                        from: None,
                        to: Some(Status::Submitted),
                        note: String::new(),
                    }],
                }
            })
            .collect();
        ids.extend(
            history::insert(db, &actor, &batch)
                .await
                .map_err(|e| format!("planting the burst: {e}"))?,
        );
    }
    Ok(Burst {
        first: *ids.first().ok_or("empty burst")?,
        last: *ids.last().ok_or("empty burst")?,
        due,
    })
}

fn col(c: &str) -> Expr {
    Expr::col(Alias::new(c))
}

fn in_burst(q: &mut SelectStatement, b: &Burst) {
    q.and_where(col("request_id").gte(b.first))
        .and_where(col("request_id").lte(b.last));
}

/// Overdue events raised so far for the burst.
pub async fn raised(db: &Db, b: &Burst) -> Result<i64, String> {
    let mut q = Query::select();
    q.expr(Expr::cust("COUNT(*)"))
        .from(Alias::new("sla_events"));
    in_burst(&mut q, b);
    db.scalar(&q).await.map_err(|e| e.to_string())
}

/// Requests of the burst with more than one row in `table` (optionally of one kind).
async fn doubled(
    db: &Db,
    b: &Burst,
    table: &str,
    filter: Option<(&str, &str)>,
) -> Result<i64, String> {
    let mut inner = Query::select();
    inner
        .column(Alias::new("request_id"))
        .from(Alias::new(table));
    in_burst(&mut inner, b);
    if let Some((c, v)) = filter {
        inner.and_where(col(c).eq(v));
    }
    inner
        .group_by_col(Alias::new("request_id"))
        .and_having(Expr::cust("COUNT(*) > 1"));
    let q = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(inner, Alias::new("d"))
        .to_owned();
    db.scalar(&q).await.map_err(|e| e.to_string())
}

/// How the burst ended: lost = past due without an event; doubled = more than one of anything
/// a single deadline should raise once.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Integrity {
    pub deadlines: i64,
    pub raised: i64,
    pub lost: i64,
    pub doubled_events: i64,
    pub doubled_notifications: i64,
    pub doubled_timeline: i64,
    /// Requests whose `overdue_count` is not exactly 1.
    pub wrong_counters: i64,
}

impl Integrity {
    pub fn doubled(&self) -> i64 {
        self.doubled_events + self.doubled_notifications + self.doubled_timeline
    }
}

pub async fn integrity(db: &Db, b: &Burst) -> Result<Integrity, String> {
    let raised = raised(db, b).await?;
    let mut unraised = Query::select();
    unraised
        .expr(Expr::cust("COUNT(*)"))
        .from(Alias::new("requests"))
        .and_where(col("id").gte(b.first))
        .and_where(col("id").lte(b.last))
        .and_where(
            col("id").not_in_subquery(
                Query::select()
                    .column(Alias::new("request_id"))
                    .from(Alias::new("sla_events"))
                    .and_where(col("request_id").gte(b.first))
                    .and_where(col("request_id").lte(b.last))
                    .to_owned(),
            ),
        );
    let lost = db.scalar(&unraised).await.map_err(|e| e.to_string())?;
    let wrong = db
        .scalar(
            &Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(Alias::new("requests"))
                .and_where(col("id").gte(b.first))
                .and_where(col("id").lte(b.last))
                .and_where(col("overdue_count").ne(1))
                .to_owned(),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(Integrity {
        deadlines: b.count(),
        raised,
        lost,
        doubled_events: doubled(db, b, "sla_events", None).await?,
        doubled_notifications: doubled(db, b, "notifications", Some(("kind", "overdue"))).await?,
        doubled_timeline: doubled(db, b, "request_events", Some(("action", "overdue"))).await?,
        wrong_counters: wrong,
    })
}

/// Polls until every deadline of the burst is raised or `timeout` passes; returns the instant
/// it saw them all.
pub async fn wait_all(db: &Db, b: &Burst, timeout: Duration) -> Result<Option<Instant>, String> {
    let until = Instant::now() + timeout;
    while Instant::now() < until {
        if raised(db, b).await? >= b.count() {
            return Ok(Some(Instant::now()));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(None)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct S5 {
    pub deadlines: i64,
    /// Seconds from the deadline until the first overdue event was seen.
    pub first_seen_s: f64,
    /// Events already raised when the server was killed, and when (seconds after the deadline).
    pub raised_at_kill: i64,
    pub killed_at_s: f64,
    pub restart_s: f64,
    /// Seconds from the deadline until every deadline was raised; `None` if not within a minute.
    pub all_raised_s: Option<f64>,
    pub integrity: Integrity,
}

/// S5 against a child `jiceng serve`, whose ticker runs every `jiceng_jobs::SLA_TICK`.
pub async fn s5(db: &Db, city: &City, server: &mut ChildServer, n: usize) -> Result<S5, String> {
    let b = plant(db, city, n, Duration::from_secs(3)).await?;
    let due_instant = Instant::now() + (b.due - Utc::now()).to_std().unwrap_or(Duration::ZERO);
    let since_due = |t: Instant| round3(t.saturating_duration_since(due_instant).as_secs_f64());
    let mut out = S5 {
        deadlines: b.count(),
        ..S5::default()
    };
    // Catch the ticker in the middle of the burst: poll often, kill as soon as part is raised.
    let until = Instant::now() + Duration::from_secs(30);
    let mut first = None;
    loop {
        let k = raised(db, &b).await?;
        if k > 0 && first.is_none() {
            first = Some(Instant::now());
        }
        if k > 0 {
            server.kill();
            // Counted after the kill: whatever the dead process committed is all it did.
            out.raised_at_kill = raised(db, &b).await?;
            out.killed_at_s = since_due(Instant::now());
            break;
        }
        if Instant::now() > until {
            return Err("S5: no overdue event within 30 s of starting".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    out.first_seen_s = first.map(since_due).unwrap_or_default();
    out.restart_s = round3(server.restart().await?.as_secs_f64());
    let all = wait_all(db, &b, Duration::from_secs(60)).await?;
    out.all_raised_s = all.map(since_due);
    // A moment more, so a late double would show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    out.integrity = integrity(db, &b).await?;
    Ok(out)
}
