//! The in-app inbox: notifications to a unit's staff, a desk's dispatchers or one user, and how
//! far each user has read.

use super::Viewer;
use crate::db::Db;
use crate::error::StoreResult;
use crate::scope_cond;
use chrono::{DateTime, Utc};
use sea_query::{Cond, Expr, ExprTrait, Iden, OnConflict, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum Notifications {
    Table,
    Id,
    RequestId,
    OrgId,
    DeskPath,
    UserId,
    Kind,
    Message,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
enum NotificationMarks {
    Table,
    UserId,
    SeenId,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub request_id: Option<i64>,
    /// e.g. `dispatched`, `overdue`, `reopened`, `rate`.
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

fn mine(viewer: &Viewer) -> Cond {
    let mut any = Cond::any().add(Expr::col(Notifications::UserId).eq(viewer.user_id));
    if let Some(org) = viewer.unit_id {
        any = any.add(Expr::col(Notifications::OrgId).eq(org));
    }
    if let Some(d) = &viewer.desks {
        any = any.add(scope_cond(d, Notifications::DeskPath));
    }
    any
}

/// The newest notifications for the viewer.
pub async fn list(db: &Db, viewer: &Viewer, limit: u64) -> StoreResult<Vec<Notification>> {
    db.all(
        &Query::select()
            .columns([
                Notifications::Id,
                Notifications::RequestId,
                Notifications::Kind,
                Notifications::Message,
                Notifications::CreatedAt,
            ])
            .from(Notifications::Table)
            .cond_where(mine(viewer))
            .order_by(Notifications::Id, Order::Desc)
            .limit(limit)
            .to_owned(),
    )
    .await
}

async fn seen(db: &Db, user_id: i64) -> StoreResult<i64> {
    let row: Option<(i64,)> = db
        .optional(
            &Query::select()
                .column(NotificationMarks::SeenId)
                .from(NotificationMarks::Table)
                .and_where(Expr::col(NotificationMarks::UserId).eq(user_id))
                .to_owned(),
        )
        .await?;
    Ok(row.map_or(0, |(s,)| s))
}

/// How many notifications arrived since the viewer last opened the inbox.
pub async fn unread(db: &Db, viewer: &Viewer) -> StoreResult<i64> {
    let since = seen(db, viewer.user_id).await?;
    db.scalar(
        &Query::select()
            .expr(Expr::col(Notifications::Id).count())
            .from(Notifications::Table)
            .cond_where(mine(viewer))
            .and_where(Expr::col(Notifications::Id).gt(since))
            .to_owned(),
    )
    .await
}

/// Marks everything up to `up_to` as read (never moves the mark backwards).
pub async fn mark_seen(db: &Db, viewer: &Viewer, up_to: i64) -> StoreResult<()> {
    if up_to <= seen(db, viewer.user_id).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(NotificationMarks::Table)
            .columns([NotificationMarks::UserId, NotificationMarks::SeenId])
            .values_panic([viewer.user_id.into(), up_to.into()])
            .on_conflict(
                OnConflict::column(NotificationMarks::UserId)
                    .update_column(NotificationMarks::SeenId)
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    tx.commit().await
}
