//! The writes of 吹哨报到: blowing the whistle, a unit's check-in, the whistler's rating of a
//! unit's response, closing. Each answers with the whistle as it now stands.

use super::{WhistleDetail, load, viewer};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId, Query};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use jiceng_core::requests::Rating;
use jiceng_core::role::Permission;
use jiceng_store::nodes;
use jiceng_store::whistles::blow::{self, NewWhistle, Summonable};
use jiceng_store::whistles::steps;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlowRequest {
    /// What the whistle is about, 2–100 characters.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The street, community, grid, estate … in the caller's territory; defaults to the place
    /// of `request_id`.
    pub place_node_id: Option<i64>,
    /// The request the whistle is about, if any (in the caller's territory).
    pub request_id: Option<i64>,
    /// The units summoned (departments, resident units, property companies serving the place),
    /// 1–20.
    pub unit_ids: Vec<i64>,
    /// The deadline to check in: after now, at most 30 days ahead.
    pub deadline_at: DateTime<Utc>,
}

/// Blow the whistle (吹哨): summon units to a problem at a place in the caller's territory
/// (`BlowWhistle`: dispatchers, street staff, community workers). Each unit is told in its
/// inbox. Bad input is a 400 naming the field, and nothing is written.
#[utoipa::path(post, path = "/api/v1/whistles", tag = "whistles", request_body = BlowRequest,
    responses((status = 201, body = WhistleDetail), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn blow(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<BlowRequest>,
) -> ApiResult<(StatusCode, axum::Json<WhistleDetail>)> {
    p.scope(Permission::BlowWhistle)?;
    let v = viewer(&p)?;
    let new = NewWhistle {
        title: req.title,
        description: req.description,
        place_node_id: req.place_node_id,
        request_id: req.request_id,
        unit_ids: req.unit_ids,
        deadline_at: req.deadline_at,
    };
    let id = blow::blow(&s.db, &v, &p.actor(), new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(load(&s, &v, id, p.at).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PlaceQuery {
    /// The place the whistle would be blown at.
    pub node_id: i64,
}

/// The units a whistle at a place may summon: departments, resident units and property
/// companies at or above the place, or inside it. Needs `BlowWhistle` over the place.
#[utoipa::path(get, path = "/api/v1/whistles/summonable", tag = "whistles", params(PlaceQuery),
    responses((status = 200, body = Vec<Summonable>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn summonable(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<PlaceQuery>,
) -> ApiResult<axum::Json<Vec<Summonable>>> {
    let scope = p.scope(Permission::BlowWhistle)?;
    let place = nodes::get(&s.db, &scope, q.node_id).await?;
    Ok(axum::Json(blow::summonable(&s.db, &place.path).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// What the unit will do, up to 500 characters.
    pub note: String,
}

/// Check in (报到) for the caller's unit and say what it will do (`HandleRequests`, staff of a
/// summoned unit). Once per unit; after the deadline it is recorded as late. 404 when the
/// caller's unit is not summoned, 409 `already_checked_in` / `whistle_closed`.
#[utoipa::path(post, path = "/api/v1/whistles/{id}/check-in", tag = "whistles", params(("id" = i64, Path)),
    request_body = CheckInRequest,
    responses((status = 200, body = WhistleDetail), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check_in(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(req): Json<CheckInRequest>,
) -> ApiResult<axum::Json<WhistleDetail>> {
    p.scope(Permission::HandleRequests)?;
    let v = viewer(&p)?;
    steps::check_in(&s.db, &v, &p.actor(), id, &req.note).await?;
    Ok(axum::Json(load(&s, &v, id, p.at).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// `satisfied` 满意, `fairly_satisfied` 基本满意, `dissatisfied` 不满意.
    pub rating: String,
    #[serde(default)]
    pub note: String,
}

fn id_in_path(raw: &str, field: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::bad_request("invalid_type", field, "编号须为整数"))
}

/// Rate a unit's response (the whistler's side: `BlowWhistle` over the whistle's place). Only
/// after the unit checked in, once; 409 `not_checked_in` / `already_rated`.
#[utoipa::path(post, path = "/api/v1/whistles/{id}/units/{org_id}/rating", tag = "whistles",
    params(("id" = i64, Path), ("org_id" = i64, Path)), request_body = RateRequest,
    responses((status = 200, body = WhistleDetail), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rate(
    State(s): State<AppState>,
    p: Principal,
    Path((id, org)): Path<(String, String)>,
    Json(req): Json<RateRequest>,
) -> ApiResult<axum::Json<WhistleDetail>> {
    p.scope(Permission::BlowWhistle)?;
    let v = viewer(&p)?;
    let (id, org) = (id_in_path(&id, "id")?, id_in_path(&org, "org_id")?);
    let rating = Rating::parse(&req.rating).ok_or_else(|| {
        AppError::bad_request("invalid_rating", "rating", "评价须为满意、基本满意或不满意")
    })?;
    steps::rate(&s.db, &v, &p.actor(), id, org, rating, &req.note).await?;
    Ok(axum::Json(load(&s, &v, id, p.at).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// How it ended, up to 1000 characters.
    #[serde(default)]
    pub note: String,
}

/// Close the whistle (the whistler's side): it leaves the board and no unit can check in any
/// more. 409 `whistle_closed` when it already is.
#[utoipa::path(post, path = "/api/v1/whistles/{id}/close", tag = "whistles", params(("id" = i64, Path)),
    request_body = CloseRequest,
    responses((status = 200, body = WhistleDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn close(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(req): Json<CloseRequest>,
) -> ApiResult<axum::Json<WhistleDetail>> {
    p.scope(Permission::BlowWhistle)?;
    let v = viewer(&p)?;
    steps::close(&s.db, &v, &p.actor(), id, &req.note).await?;
    Ok(axum::Json(load(&s, &v, id, p.at).await?))
}
