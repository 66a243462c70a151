//! The write of one step (`transition::act` decided it): the row guarded by the status the
//! decision was made on, units, pauses, the timeline entry, inbox notices, the audit entry and
//! the counters, in one transaction through the group writer (`Db::write`) — committed together
//! with whatever other writes queued at the same moment, answered after the commit.

use super::writes::{Effects, RequestPauses, event_insert, notify_insert, write_units};
use super::{Viewer, counters};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::requests::{Action, Status};
use sea_query::{Expr, ExprTrait, Query};

pub(crate) use super::notifications::Notice;

/// Everything a decided step writes, owned, so it can wait in the writer's queue.
pub(crate) struct StepWrite {
    pub id: i64,
    pub from: Status,
    pub to: Status,
    pub action: Action,
    pub now: DateTime<Utc>,
    pub fx: Effects,
    /// For a dispatch: the lead unit and the assisting ones.
    pub units: Option<(i64, Vec<i64>)>,
    pub submitted_at: DateTime<Utc>,
    /// For a merge: the request it goes into.
    pub merge_into: Option<i64>,
    pub viewer: Viewer,
    pub actor: Actor,
    pub note: String,
    pub data: Option<serde_json::Value>,
    pub notes: Vec<Notice>,
    pub place_path: String,
}

pub(crate) async fn write(db: &Db, w: StepWrite) -> StoreResult<Status> {
    db.write(move |tx| Box::pin(w.run(tx))).await
}

impl StepWrite {
    async fn run(self, tx: &mut Tx) -> StoreResult<Status> {
        let StepWrite {
            id,
            from,
            to,
            action,
            now,
            fx,
            units,
            submitted_at,
            merge_into,
            viewer,
            actor,
            note,
            data,
            notes,
            place_path,
        } = self;
        let before = counters::memberships(tx, &[id]).await?;
        fx.apply(tx, id, from, to, now).await?;
        if let Some((lead, assist)) = &units {
            write_units(tx, id, submitted_at, *lead, assist, now).await?;
        }
        match action {
            Action::Suspend => {
                tx.execute(
                    &Query::insert()
                        .into_table(RequestPauses::Table)
                        .columns([RequestPauses::RequestId, RequestPauses::StartedAt])
                        .values_panic([id.into(), now.into()])
                        .to_owned(),
                )
                .await?;
            }
            Action::Resume => {
                tx.execute(
                    &Query::update()
                        .table(RequestPauses::Table)
                        .value(RequestPauses::EndedAt, now)
                        .and_where(Expr::col(RequestPauses::RequestId).eq(id))
                        .and_where(Expr::col(RequestPauses::EndedAt).is_null())
                        .to_owned(),
                )
                .await?;
            }
            _ => {}
        }
        // The timeline entries, notices and audit entry in one call (`Tx::execute_all`).
        let mut writes = Vec::with_capacity(notes.len() + 3);
        if let (Action::Merge, Some(into)) = (action, merge_into) {
            writes.push(event_insert(
                into,
                &viewer,
                now,
                "merged_in",
                None,
                None,
                &format!("诉求 #{id} 已合并至此"),
                Some(serde_json::json!({"from": id})),
            ));
        }
        let (from_s, to_s) = (Some(from), (to != from).then_some(to));
        writes.push(event_insert(
            id,
            &viewer,
            now,
            action.as_str(),
            from_s,
            to_s,
            &note,
            data.clone(),
        ));
        for n in &notes {
            writes.push(notify_insert(id, n, now));
        }
        writes.push(audit::insert(
            &actor,
            Change {
                action: &format!("request.{}", action.as_str()),
                object_type: "request",
                object_id: id.to_string(),
                object_path: &place_path,
                before: Some(serde_json::json!({"status": from.as_str()})),
                after: Some(serde_json::json!({"status": to.as_str(), "note": note, "data": data})),
            },
        ));
        tx.execute_all(&writes).await?;
        let after = counters::memberships(tx, &[id]).await?;
        counters::apply(tx, &before, &after);
        Ok(to)
    }
}
