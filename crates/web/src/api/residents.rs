//! Residents: register, search within scope, and reveal a full 身份证 number (audited).

use super::Paged;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::household::HouseholdRelation;
use jiceng_core::people::{IdCardNo, Phone, parse_person_name};
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::residents::{self, NewResident, Resident, ResidentFilter};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ResidentQuery {
    /// Name or address (contains), a phone's last 4 digits, a masked or full 身份证 number.
    pub q: Option<String>,
    /// Only residents at or below this node.
    pub node_id: Option<i64>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

/// Residents within scope. Needs `ViewResidents`; phones are shown in full only to roles that
/// call residents back (`ViewPhones`), 身份证 always masked.
#[utoipa::path(get, path = "/api/v1/residents", tag = "residents", params(ResidentQuery),
    responses((status = 200, body = Paged<Resident>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ResidentQuery>,
) -> ApiResult<Paged<Resident>> {
    let scope = p.scope(Permission::ViewResidents)?;
    let page = Page::new(q.page, q.page_size);
    let f = ResidentFilter {
        q: q.q,
        node_id: q.node_id,
    };
    let (rows, total) = residents::list(&s.db, &s.vault, &scope, &f, page).await?;
    let full = p.can(Permission::ViewPhones);
    let items = rows.into_iter().map(|r| r.view(&s.vault, full)).collect();
    Ok(Paged {
        items,
        total,
        total_exact: true,
        page: page.page,
        page_size: page.size,
    })
}

/// One resident. Needs `ViewResidents`; outside the caller's scope it is 404.
#[utoipa::path(get, path = "/api/v1/residents/{id}", tag = "residents", params(("id" = i64, Path)),
    responses((status = 200, body = Resident), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Resident>> {
    let scope = p.scope(Permission::ViewResidents)?;
    let row = residents::get(&s.db, &scope, id).await?;
    Ok(axum::Json(
        row.view(&s.vault, p.can(Permission::ViewPhones)),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResident {
    /// Where the resident lives: a community, grid, estate, building, entrance or household.
    pub node_id: i64,
    pub name: String,
    /// 18-digit 身份证 number (15-digit old numbers are converted).
    pub id_card_no: String,
    pub phone: Option<String>,
    /// `head`, `spouse`, `child`, … or the Chinese word (户主, 配偶, 子女…); default `other`.
    pub household_relation: Option<String>,
    #[serde(default)]
    pub address: String,
}

pub fn parse_new(req: &CreateResident, today: chrono::NaiveDate) -> Result<NewResident, AppError> {
    let relation = match req
        .household_relation
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => HouseholdRelation::Other,
        Some(r) => HouseholdRelation::parse(r).ok_or_else(|| {
            AppError::bad_request("invalid_relation", "household_relation", "与户主关系不正确")
        })?,
    };
    let phone = match req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => Some(Phone::parse(p)?),
    };
    Ok(NewResident {
        node_id: req.node_id,
        name: parse_person_name(&req.name)?,
        id_card: IdCardNo::parse(&req.id_card_no, today)?,
        phone,
        relation,
        address: req.address.trim().chars().take(200).collect(),
    })
}

/// Register a resident. Needs `ManageResidents` at or above the node; a 身份证 number already
/// registered is 409 on `id_card_no`.
#[utoipa::path(post, path = "/api/v1/residents", tag = "residents", request_body = CreateResident,
    responses((status = 201, body = Resident), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<CreateResident>,
) -> ApiResult<(StatusCode, axum::Json<Resident>)> {
    let scope = p.scope(Permission::ManageResidents)?;
    let new = parse_new(&req, p.at.date_naive())?;
    let row = residents::create(&s.db, &s.vault, &scope, &p.actor(), new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(row.view(&s.vault, p.can(Permission::ViewPhones))),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RevealedIdCard {
    pub id_card_no: String,
}

/// The full 身份证 number. Needs `RevealIdCard` (community workers); each call is written to the
/// audit log with who looked and when.
#[utoipa::path(post, path = "/api/v1/residents/{id}/reveal-id-card", tag = "residents", params(("id" = i64, Path)),
    responses((status = 200, body = RevealedIdCard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reveal_id_card(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<RevealedIdCard>> {
    let scope = p.scope(Permission::RevealIdCard)?;
    let full = residents::reveal_id_card(&s.db, &s.vault, &scope, &p.actor(), id).await?;
    Ok(axum::Json(RevealedIdCard { id_card_no: full }))
}
