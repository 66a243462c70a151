//! The in-app inbox.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_store::requests::inbox::{self, Notification};
use serde::{Deserialize, Serialize};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<Notification>,
}

/// The caller's newest notifications (their unit's, their desk's and their own) and how many
/// are unread. Any signed-in user.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "requests",
    responses((status = 200, body = Inbox)), security(("bearer" = [])))]
pub async fn list(State(s): State<AppState>, p: Principal) -> ApiResult<axum::Json<Inbox>> {
    let v = p.request_viewer();
    Ok(axum::Json(Inbox {
        unread: inbox::unread(&s.db, &v).await?,
        items: inbox::list(&s.db, &v, 100).await?,
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
