//! The in-app inbox.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_store::requests::inbox::{self, InboxQuery, Notification};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// Only notices of this kind (`dispatched`, `overdue`, `reopened`, `whistle` …).
    pub kind: Option<String>,
    /// Only notices older than this id: the previous page's `next_before`.
    pub before: Option<i64>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub count: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Notices newer than the caller's read mark, of every kind.
    pub unread: i64,
    /// The same by kind (only kinds with any).
    pub unread_by_kind: Vec<KindCount>,
    /// The caller's read mark: items with a greater id are unread.
    pub seen_id: i64,
    pub items: Vec<Notification>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// The caller's notifications (their unit's, their desk's and their own), newest first, a page
/// at a time, optionally of one kind; with how many are unread. Reading does not mark them
/// read (`POST /api/v1/notifications/seen` does). Any signed-in user.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "requests", params(InboxParams),
    responses((status = 200, body = Inbox)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<InboxParams>,
) -> ApiResult<axum::Json<Inbox>> {
    let v = p.request_viewer();
    let limit = q.limit.unwrap_or(100);
    let iq = InboxQuery::new(q.kind, q.before, limit)?;
    let seen_id = inbox::seen(&s.db, v.user_id).await?;
    let by_kind = inbox::unread_by_kind(&s.db, &v, seen_id).await?;
    let items = inbox::list(&s.db, &v, &iq).await?;
    let next_before = iq.next_before(&items);
    Ok(axum::Json(Inbox {
        unread: by_kind.iter().map(|(_, n)| n).sum(),
        unread_by_kind: by_kind
            .into_iter()
            .map(|(kind, count)| KindCount { kind, count })
            .collect(),
        seen_id,
        items,
        next_before,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    /// The newest notification id the user has seen.
    pub up_to: i64,
}

/// Mark notifications up to `up_to` as read. Any signed-in user.
#[utoipa::path(post, path = "/api/v1/notifications/seen", tag = "requests", request_body = Seen,
    responses((status = 204)), security(("bearer" = [])))]
pub async fn seen(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<Seen>,
) -> ApiResult<StatusCode> {
    inbox::mark_seen(&s.db, &p.request_viewer(), b.up_to).await?;
    Ok(StatusCode::NO_CONTENT)
}
