//! Submitting a request and finding likely duplicates.

use super::{RequestView, lists_full_phones, view};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::people::Phone;
use jiceng_core::requests::Channel;
use jiceng_core::requests::questions::Answers;
use jiceng_core::role::{Permission, Role};
use jiceng_store::requests::intake::{self, NewRequest};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    pub category_id: i64,
    pub description: String,
    /// Answers to the category's questions, by question key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: Answers,
    /// The grid, estate, building … concerned. Omitted: the submitter's own place.
    pub place_node_id: Option<i64>,
    #[serde(default)]
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// `resident` (default for residents), `grid_patrol` (default for grid staff) or `hotline`
    /// (recorded on someone's behalf: name required, phone optional).
    pub channel: Option<String>,
    #[serde(default)]
    pub requester_name: String,
    #[serde(default)]
    pub requester_phone: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Submitted {
    pub id: i64,
    pub status: String,
}

/// Submit a request. Needs `SubmitRequests`; the place must lie in the caller's scope.
/// The routing rules pick the dispatch desk; an auto-dispatch rule sends it on at once.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = SubmitRequest,
    responses((status = 201, body = Submitted), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<SubmitRequest>,
) -> ApiResult<(StatusCode, axum::Json<Submitted>)> {
    let scope = p.scope(Permission::SubmitRequests)?;
    let home = p
        .grants
        .iter()
        .find(|g| g.role.permits(Permission::SubmitRequests));
    let default_channel = match home.map(|g| g.role) {
        Some(Role::GridWorker) => Channel::GridPatrol,
        Some(Role::Dispatcher | Role::CommunityWorker) => Channel::Hotline,
        _ => Channel::Resident,
    };
    let channel = match req
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => default_channel,
        // Only the Open311 endpoint records requests that came from another system.
        Some(raw) => Channel::parse(raw)
            .filter(|c| *c != Channel::Open311)
            .ok_or_else(|| AppError::bad_request("invalid_channel", "channel", "诉求来源不正确"))?,
    };
    let phone = match req.requester_phone.trim() {
        "" => None,
        raw => Some(Phone::parse(raw)?),
    };
    let env = s.sla_env().await?;
    let new = NewRequest {
        category_id: req.category_id,
        channel,
        description: req.description,
        answers: req.answers,
        place_node_id: req.place_node_id,
        // A resident's or grid worker's own place stands in for a missing one; a desk recording a
        // call must say where the problem is.
        home_node_id: home
            .filter(|g| {
                matches!(
                    g.role,
                    Role::Resident | Role::GridWorker | Role::PartyMember
                )
            })
            .map(|g| g.node_id),
        address: req.address,
        longitude: req.longitude,
        latitude: req.latitude,
        requester_name: req.requester_name,
        requester_phone: phone,
    };
    let viewer = p.request_viewer();
    let done = intake::submit(&s.db, &env, &s.vault, &scope, &viewer, &p.actor(), new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Submitted {
            id: done.id,
            status: done.status.as_str().to_owned(),
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DuplicateQuery {
    pub category_id: i64,
    pub place_node_id: i64,
    /// Leave this request out (the one being looked at).
    pub except: Option<i64>,
}

/// Open requests of the same category at the same place, which the caller can see: likely
/// duplicates to look at before submitting, or to merge. Any signed-in user.
#[utoipa::path(get, path = "/api/v1/requests/duplicates", tag = "requests", params(DuplicateQuery),
    responses((status = 200, body = Vec<RequestView>)), security(("bearer" = [])))]
pub async fn duplicates(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DuplicateQuery>,
) -> ApiResult<axum::Json<Vec<RequestView>>> {
    let rows = intake::duplicates(
        &s.db,
        &p.request_viewer(),
        q.category_id,
        q.place_node_id,
        q.except,
    )
    .await?;
    let full = lists_full_phones(&p);
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| view(r, &s.vault, full, p.at))
            .collect(),
    ))
}
