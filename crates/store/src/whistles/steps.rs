//! The steps after the whistle: a summoned unit checks in (报到), the whistler rates a unit's
//! response and closes the whistle. Each step is decided by `jiceng_core::whistle` on what was
//! read, then written with a guard on that same state, so when two people act at once the
//! second gets `Stale` (409) and nothing is written; the inbox entry and the audit entry go in
//! the same transaction.

use super::blow::notify;
use super::{Whistle, WhistleUnit, WhistleUnits, WhistleViewer, Whistles, get, units};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use jiceng_core::DomainError;
use jiceng_core::requests::Rating;
use jiceng_core::whistle::{self, WhistleStatus};
use sea_query::{Expr, ExprTrait, Query};

fn not_yours(message: &str) -> StoreError {
    DomainError::new("not_your_step", "id", message).into()
}

async fn unit_on(db: &Db, w: &Whistle, org: i64) -> StoreResult<Option<WhistleUnit>> {
    Ok(units(db, &[w.id])
        .await?
        .into_iter()
        .find(|u| u.org_id == org))
}

/// The viewer's unit checks in to whistle `id` and says what it will do (`HandleRequests`).
/// Returns whether the check-in was late.
pub async fn check_in(
    db: &Db,
    viewer: &WhistleViewer,
    actor: &Actor,
    id: i64,
    note: &str,
) -> StoreResult<bool> {
    let org = viewer.unit_id.ok_or(StoreError::Forbidden)?;
    let w = get(db, viewer, id).await?;
    let u = unit_on(db, &w, org)
        .await?
        .ok_or_else(|| not_yours("只有被召集的单位可以报到"))?;
    let now = actor.at;
    let late = whistle::check_in(&u.facts(&w), now)?;
    let note = whistle::check_note(note, "note", 500, Some("请说明本单位将如何处置"))?;
    let mut tx = db.begin().await?;
    let open = Query::select()
        .column(Whistles::Id)
        .from(Whistles::Table)
        .and_where(Expr::col(Whistles::Id).eq(id))
        .and_where(Expr::col(Whistles::Status).eq(WhistleStatus::Open.as_str()))
        .to_owned();
    let n = tx
        .execute(
            &Query::update()
                .table(WhistleUnits::Table)
                .value(WhistleUnits::CheckedInAt, now)
                .value(WhistleUnits::CheckedInByUserId, viewer.user_id)
                .value(WhistleUnits::CheckedInByName, viewer.name.clone())
                .value(WhistleUnits::CheckInNote, note.clone())
                .value(WhistleUnits::Late, late)
                .and_where(Expr::col(WhistleUnits::WhistleId).eq(id))
                .and_where(Expr::col(WhistleUnits::OrgId).eq(org))
                .and_where(Expr::col(WhistleUnits::CheckedInAt).is_null())
                .and_where(Expr::col(WhistleUnits::WhistleId).in_subquery(open))
                .to_owned(),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    let message = format!(
        "{}已{}报到：{}（#{id}）",
        u.name,
        if late { "超时" } else { "" },
        w.title
    );
    notify(
        &mut tx,
        id,
        None,
        Some(w.whistler_user_id),
        "whistle_check_in",
        &message,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "whistle.check_in",
            object_type: "whistle",
            object_id: id.to_string(),
            object_path: &w.place_path,
            before: None,
            after: Some(serde_json::json!({"unit": u.name, "late": late, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(late)
}

/// The whistler's side rates unit `org`'s response to whistle `id` (`BlowWhistle`).
pub async fn rate(
    db: &Db,
    viewer: &WhistleViewer,
    actor: &Actor,
    id: i64,
    org: i64,
    rating: Rating,
    note: &str,
) -> StoreResult<()> {
    viewer.whistles.as_ref().ok_or(StoreError::Forbidden)?;
    let w = get(db, viewer, id).await?;
    if !viewer.is_whistler(&w) {
        return Err(not_yours("只有吹哨方可以评价部门的响应"));
    }
    let u = unit_on(db, &w, org).await?.ok_or(StoreError::NotFound)?;
    whistle::rate(&u.facts(&w))?;
    let note = whistle::check_note(note, "note", 500, None)?;
    let now = actor.at;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Query::update()
                .table(WhistleUnits::Table)
                .value(WhistleUnits::Rating, rating.as_str())
                .value(WhistleUnits::RatedAt, now)
                .value(WhistleUnits::RatedByUserId, viewer.user_id)
                .value(WhistleUnits::RatingNote, note.clone())
                .and_where(Expr::col(WhistleUnits::WhistleId).eq(id))
                .and_where(Expr::col(WhistleUnits::OrgId).eq(org))
                .and_where(Expr::col(WhistleUnits::CheckedInAt).is_not_null())
                .and_where(Expr::col(WhistleUnits::Rating).is_null())
                .to_owned(),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    let message = format!(
        "吹哨方评价本单位的响应为「{}」：{}（#{id}）",
        rating.label_zh(),
        w.title
    );
    notify(&mut tx, id, Some(org), None, "whistle_rated", &message, now).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "whistle.rate",
            object_type: "whistle",
            object_id: id.to_string(),
            object_path: &w.place_path,
            before: None,
            after: Some(serde_json::json!({
                "unit": u.name, "rating": rating.as_str(), "note": note,
            })),
        },
    )
    .await?;
    tx.commit().await
}

/// The whistler's side closes whistle `id` (`BlowWhistle`): it leaves the board; units that
/// have not checked in can no longer, and count as missed once the deadline has passed.
pub async fn close(
    db: &Db,
    viewer: &WhistleViewer,
    actor: &Actor,
    id: i64,
    note: &str,
) -> StoreResult<()> {
    viewer.whistles.as_ref().ok_or(StoreError::Forbidden)?;
    let w = get(db, viewer, id).await?;
    if !viewer.is_whistler(&w) {
        return Err(not_yours("只有吹哨方可以结束吹哨"));
    }
    if w.status() == WhistleStatus::Closed {
        return Err(DomainError::new("whistle_closed", "status", "该吹哨事项已结束").into());
    }
    let note = whistle::check_note(note, "note", 1000, None)?;
    let summoned = units(db, &[id]).await?;
    let now = actor.at;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Query::update()
                .table(Whistles::Table)
                .value(Whistles::Status, WhistleStatus::Closed.as_str())
                .value(Whistles::ClosedAt, now)
                .value(Whistles::CloseNote, note.clone())
                .and_where(Expr::col(Whistles::Id).eq(id))
                .and_where(Expr::col(Whistles::Status).eq(WhistleStatus::Open.as_str()))
                .to_owned(),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    let message = format!("吹哨事项已结束：{}（#{id}）", w.title);
    for u in &summoned {
        notify(
            &mut tx,
            id,
            Some(u.org_id),
            None,
            "whistle_closed",
            &message,
            now,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "whistle.close",
            object_type: "whistle",
            object_id: id.to_string(),
            object_path: &w.place_path,
            before: Some(serde_json::json!({"status": "open"})),
            after: Some(serde_json::json!({"status": "closed", "note": note})),
        },
    )
    .await?;
    tx.commit().await
}
