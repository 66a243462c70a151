//! The SLA ticker's store side: claim every request whose running deadline has passed and not
//! been flagged, and raise its overdue event, in one transaction. The claim is an
//! `UPDATE … WHERE due_flagged = false … RETURNING`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL,
//! so two instances ticking at once never raise the same event twice, and a crash before the
//! commit leaves the rows to the next tick. `sla_events` is unique per (request, stage, deadline)
//! as a second line of defence: a re-flagged deadline (sent back, same clock) raises nothing new.

use super::categories::RequestCategories;
use super::writes::{event_insert, notify_insert};
use super::{Requests, counters, notifications};
use crate::db::{Db, Engine};
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::requests::sla::Stage;
use sea_query::{Expr, ExprTrait, Iden, LockBehavior, LockType, OnConflict, Order, Query};
use std::collections::HashMap;

#[derive(Iden, Clone, Copy)]
pub(crate) enum SlaEvents {
    Table,
    RequestId,
    Stage,
    DueAt,
    RaisedAt,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Claimed {
    id: i64,
    stage: Option<String>,
    due_at: Option<DateTime<Utc>>,
    lead_org_id: Option<i64>,
    desk_path: String,
    category_id: i64,
}

/// Raises overdue events for up to `batch` passed deadlines; returns how many were raised.
/// Call until it returns less than `batch`.
pub async fn tick(db: &Db, now: DateTime<Utc>, batch: u64) -> StoreResult<usize> {
    let mut due = Query::select();
    due.column(Requests::Id)
        .from(Requests::Table)
        .and_where(Expr::col(Requests::DueFlagged).eq(false))
        .and_where(Expr::col(Requests::DueAt).is_not_null())
        .and_where(Expr::col(Requests::DueAt).lte(now))
        .order_by(Requests::DueAt, Order::Asc)
        .limit(batch);
    if db.engine() == Engine::Postgres {
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let claim = Query::update()
        .table(Requests::Table)
        .value(Requests::DueFlagged, true)
        .and_where(Expr::col(Requests::Id).in_subquery(due.to_owned()))
        .and_where(Expr::col(Requests::DueFlagged).eq(false))
        .returning(Query::returning().columns([
            Requests::Id,
            Requests::Stage,
            Requests::DueAt,
            Requests::LeadOrgId,
            Requests::DeskPath,
            Requests::CategoryId,
        ]))
        .to_owned();
    let mut tx = db.begin().await?;
    let claimed: Vec<Claimed> = tx.all(&claim).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let mut ins = Query::insert();
    ins.into_table(SlaEvents::Table)
        .columns([
            SlaEvents::RequestId,
            SlaEvents::Stage,
            SlaEvents::DueAt,
            SlaEvents::RaisedAt,
        ])
        .on_conflict(
            OnConflict::columns([SlaEvents::RequestId, SlaEvents::Stage, SlaEvents::DueAt])
                .do_nothing()
                .to_owned(),
        )
        .returning_col(SlaEvents::RequestId);
    for c in &claimed {
        ins.values_panic([
            c.id.into(),
            c.stage.clone().unwrap_or_default().into(),
            c.due_at.unwrap_or(now).into(),
            now.into(),
        ]);
    }
    let raised: Vec<(i64,)> = tx.all(&ins).await?;
    let raised: Vec<i64> = raised.into_iter().map(|(id,)| id).collect();
    if !raised.is_empty() {
        let before = counters::memberships(&mut tx, &raised).await?;
        // Late at claiming or resolving takes the request out of the on-time counts.
        for (stage, flag) in [
            (Stage::Claim, Requests::ClaimLate),
            (Stage::Resolve, Requests::ResolveLate),
        ] {
            let ids: Vec<i64> = claimed
                .iter()
                .filter(|c| raised.contains(&c.id) && c.stage.as_deref() == Some(stage.as_str()))
                .map(|c| c.id)
                .collect();
            if !ids.is_empty() {
                tx.execute(
                    &Query::update()
                        .table(Requests::Table)
                        .value(flag, true)
                        .and_where(Expr::col(Requests::Id).is_in(ids))
                        .to_owned(),
                )
                .await?;
            }
        }
        tx.execute(
            &Query::update()
                .table(Requests::Table)
                .value(
                    Requests::OverdueCount,
                    Expr::col(Requests::OverdueCount).add(1),
                )
                .and_where(Expr::col(Requests::Id).is_in(raised.clone()))
                .to_owned(),
        )
        .await?;
        let after = counters::memberships(&mut tx, &raised).await?;
        counters::apply(&mut tx, &before, &after);
    }
    // The notices name each request's category, as every other notice does.
    let mut ids: Vec<i64> = claimed.iter().map(|c| c.category_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = tx
        .all::<(i64, String)>(
            &Query::select()
                .columns([RequestCategories::Id, RequestCategories::Name])
                .from(RequestCategories::Table)
                .and_where(Expr::col(RequestCategories::Id).is_in(ids))
                .to_owned(),
        )
        .await?
        .into_iter()
        .collect();
    // Every event and notice of the batch in one call (`Tx::execute_all`).
    let system = super::Viewer::system("时限监控");
    let mut writes = Vec::with_capacity(raised.len() * 2);
    for c in claimed.iter().filter(|c| raised.contains(&c.id)) {
        let stage = c.stage.as_deref().and_then(Stage::parse);
        let category = names.get(&c.category_id).map_or("", String::as_str);
        let what = notifications::what(c.id, category);
        let told = notifications::overdue(&what, stage, c.lead_org_id, &c.desk_path);
        let data = serde_json::json!({"stage": c.stage, "due_at": c.due_at});
        writes.push(event_insert(
            c.id,
            &system,
            now,
            "overdue",
            None,
            None,
            &told.4,
            Some(data),
        ));
        writes.push(notify_insert(c.id, &told, now));
    }
    tx.execute_all(&writes).await?;
    tx.commit().await?;
    Ok(raised.len())
}
