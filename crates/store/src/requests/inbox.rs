//! The in-app inbox: notifications to a unit's staff, a desk's dispatchers or one user, and how
//! far each user has read. A busy unit receives thousands a month, so the inbox is read a page
//! at a time (older than an id), optionally of one kind, and tells how many of each kind are
//! unread.

use super::Viewer;
use crate::db::Db;
use crate::error::StoreResult;
use crate::scope_cond;
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
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
    WhistleId,
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
    /// The whistle (吹哨) a whistle notice is about; its page is where the unit checks in.
    pub whistle_id: Option<i64>,
}

/// Every kind of notice, in the order the inbox offers them as filters.
pub const KINDS: &[&str] = &[
    "new_request",
    "dispatched",
    "assist",
    "returned",
    "resolved",
    "sent_back",
    "rate",
    "reopened",
    "closed_dissatisfied",
    "extension",
    "extension_approved",
    "extension_rejected",
    "overdue",
    "whistle",
    "whistle_check_in",
    "whistle_rated",
    "whistle_closed",
];

/// Which page of the inbox: of one kind or all, older than an id or the newest.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub kind: Option<String>,
    pub before: Option<i64>,
    pub limit: u64,
}

impl InboxQuery {
    /// Checks the kind against [`KINDS`], so a mistyped filter is an error rather than an
    /// empty inbox.
    pub fn new(kind: Option<String>, before: Option<i64>, limit: u64) -> StoreResult<Self> {
        if let Some(k) = &kind
            && !KINDS.contains(&k.as_str())
        {
            return Err(DomainError::new("invalid_kind", "kind", "消息类型不正确").into());
        }
        if before.is_some_and(|b| b < 1) {
            return Err(DomainError::new("invalid_id", "before", "编号不正确").into());
        }
        Ok(Self {
            kind,
            before,
            limit: limit.clamp(1, 500),
        })
    }

    /// The plain newest page: the one whose opening marks the inbox read.
    pub fn is_newest(&self) -> bool {
        self.kind.is_none() && self.before.is_none()
    }

    /// The `before` of the next (older) page, when `items` (this query's answer) fill the page.
    pub fn next_before(&self, items: &[Notification]) -> Option<i64> {
        items
            .last()
            .filter(|_| items.len() as u64 == self.limit)
            .map(|n| n.id)
    }
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

/// A page of the viewer's notifications, newest first.
pub async fn list(db: &Db, viewer: &Viewer, q: &InboxQuery) -> StoreResult<Vec<Notification>> {
    let mut sel = Query::select();
    sel.columns([
        Notifications::Id,
        Notifications::RequestId,
        Notifications::Kind,
        Notifications::Message,
        Notifications::CreatedAt,
        Notifications::WhistleId,
    ])
    .from(Notifications::Table)
    .cond_where(mine(viewer))
    .order_by(Notifications::Id, Order::Desc)
    .limit(q.limit);
    if let Some(k) = &q.kind {
        sel.and_where(Expr::col(Notifications::Kind).eq(k.as_str()));
    }
    if let Some(b) = q.before {
        sel.and_where(Expr::col(Notifications::Id).lt(b));
    }
    db.all(&sel).await
}

/// The newest notification id the user has read up to (0 if never).
pub async fn seen(db: &Db, user_id: i64) -> StoreResult<i64> {
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

/// The notifications after `since` (the read mark, [`seen`]) by kind, in [`KINDS`] order,
/// only kinds with some.
pub async fn unread_by_kind(
    db: &Db,
    viewer: &Viewer,
    since: i64,
) -> StoreResult<Vec<(String, i64)>> {
    let mut rows: Vec<(String, i64)> = db
        .all(
            &Query::select()
                .column(Notifications::Kind)
                .expr(Expr::col(Notifications::Id).count())
                .from(Notifications::Table)
                .cond_where(mine(viewer))
                .and_where(Expr::col(Notifications::Id).gt(since))
                .group_by_col(Notifications::Kind)
                .to_owned(),
        )
        .await?;
    let rank = |k: &str| KINDS.iter().position(|x| *x == k).unwrap_or(KINDS.len());
    rows.sort_by_key(|(k, _)| rank(k));
    Ok(rows)
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
