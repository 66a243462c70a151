//! Linking the trees and the organisations beside them: anchors (支部建在网格上), owners'
//! committees and property companies serving estates, grid staffing, the staffing norm.

use super::Paged;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::org::{GridRole, OrgKind, StaffingNorm};
use jiceng_core::people::{Phone, parse_person_name};
use jiceng_core::role::Permission;
use jiceng_store::grid_staff::{self, NewStaff, StaffMember};
use jiceng_store::nodes::{self, Node};
use jiceng_store::orgs::{self, NewOrganisation, Organisation};
use jiceng_store::{Page, settings};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnchorRequest {
    /// The territory node (grid, estate, community…) the party organisation covers.
    pub territory_node_id: i64,
}

/// Anchor a party organisation to a territory node it covers. Needs `ManageNodes` over both.
#[utoipa::path(post, path = "/api/v1/nodes/{id}/anchors", tag = "organisations", params(("id" = i64, Path)),
    request_body = AnchorRequest, responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn anchor(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(req): Json<AnchorRequest>,
) -> ApiResult<StatusCode> {
    let scope = p.scope(Permission::ManageNodes)?;
    orgs::anchor(&s.db, &scope, &p.actor(), id, req.territory_node_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The territory nodes a party organisation covers. Needs `ViewNodes` over the organisation.
#[utoipa::path(get, path = "/api/v1/nodes/{id}/anchors", tag = "organisations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Node>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn anchors(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Vec<Node>>> {
    let scope = p.scope(Permission::ViewNodes)?;
    let org = nodes::get(&s.db, &scope, id).await?;
    Ok(axum::Json(orgs::anchored_to(&s.db, org.id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// `owners_committee`, `property_company`, `resident_unit`, `department`, `new_org`, `volunteer_team`.
    pub kind: Option<String>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

fn parse_kind(raw: &str) -> Result<OrgKind, AppError> {
    OrgKind::parse(raw)
        .ok_or_else(|| AppError::bad_request("invalid_kind", "kind", "组织类型不正确"))
}

/// A list's kind filter: none when absent or empty.
pub fn kind_filter(raw: Option<&str>) -> Result<Option<OrgKind>, AppError> {
    raw.map(str::trim)
        .filter(|k| !k.is_empty())
        .map(parse_kind)
        .transpose()
}

/// Organisations registered inside the caller's scope. Needs `ViewNodes`.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(OrgQuery),
    responses((status = 200, body = Paged<Organisation>)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<OrgQuery>,
) -> ApiResult<Paged<Organisation>> {
    let scope = p.scope(Permission::ViewNodes)?;
    let kind = kind_filter(q.kind.as_deref())?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = orgs::list_organisations(&s.db, &scope, kind, page).await?;
    Ok(Paged {
        items,
        total,
        total_exact: true,
        page: page.page,
        page_size: page.size,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    pub kind: String,
    pub name: String,
    /// Where it is registered (a street, community, estate…).
    pub home_node_id: i64,
    /// 统一社会信用代码, if any.
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub contact_name: String,
    /// A business number, shown to everyone who sees the organisation.
    #[serde(default)]
    pub contact_phone: String,
    /// Estates or buildings it serves (property companies, owners' committees).
    #[serde(default)]
    pub serves: Vec<i64>,
}

/// Register an organisation. Needs `ManageNodes` over its home and every place it serves.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = CreateOrganisation,
    responses((status = 201, body = Organisation), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<CreateOrganisation>,
) -> ApiResult<(StatusCode, axum::Json<Organisation>)> {
    let scope = p.scope(Permission::ManageNodes)?;
    let name = jiceng_core::node::parse_node_name(&req.name)?;
    let contact_phone = match req.contact_phone.trim() {
        "" => String::new(),
        raw => Phone::parse(raw)
            .map_err(|e| AppError::from(e).field("contact_phone"))?
            .as_str()
            .to_owned(),
    };
    // The same GB 32100 check as the roster import: a mistyped code is caught at the door.
    let credit_code = match req.credit_code.trim() {
        "" => String::new(),
        raw => jiceng_core::org::parse_credit_code(raw)?,
    };
    let new = NewOrganisation {
        kind: parse_kind(&req.kind)?,
        name,
        home_node_id: req.home_node_id,
        credit_code,
        contact_name: req.contact_name.trim().to_owned(),
        contact_phone,
        serves: req.serves,
    };
    let org = orgs::create_organisation(&s.db, &scope, &p.actor(), new).await?;
    Ok((StatusCode::CREATED, axum::Json(org)))
}

/// The staff of a grid. Needs `ViewNodes`; phones in full for roles with `ViewPhones`.
#[utoipa::path(get, path = "/api/v1/grids/{id}/staff", tag = "organisations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StaffMember>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn staff(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Vec<StaffMember>>> {
    let scope = p.scope(Permission::ViewNodes)?;
    let full = p.can(Permission::ViewPhones);
    let rows = grid_staff::list(&s.db, &scope, id).await?;
    Ok(axum::Json(
        rows.into_iter().map(|r| r.view(&s.vault, full)).collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignStaff {
    /// `grid_leader` 网格长, `grid_instructor` 网格指导员, `grid_worker` 专职, `grid_helper` 兼职.
    pub role: String,
    pub name: String,
    pub phone: Option<String>,
    /// The staff member's account, if they have one.
    pub user_id: Option<i64>,
}

/// Assign someone to a grid. Needs `ManageNodes` over the grid.
#[utoipa::path(post, path = "/api/v1/grids/{id}/staff", tag = "organisations", params(("id" = i64, Path)),
    request_body = AssignStaff, responses((status = 201, body = StaffMember), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn assign(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(req): Json<AssignStaff>,
) -> ApiResult<(StatusCode, axum::Json<StaffMember>)> {
    let scope = p.scope(Permission::ManageNodes)?;
    let role = GridRole::parse(&req.role)
        .ok_or_else(|| AppError::bad_request("invalid_role", "role", "网格角色不正确"))?;
    let phone = match req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        None => None,
        Some(raw) => Some(Phone::parse(raw)?),
    };
    let new = NewStaff {
        grid_node_id: id,
        role,
        name: parse_person_name(&req.name)?,
        phone,
        user_id: req.user_id,
    };
    let row = grid_staff::assign(&s.db, &s.vault, &scope, &p.actor(), new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(row.view(&s.vault, p.can(Permission::ViewPhones))),
    ))
}

pub async fn norm(s: &AppState) -> Result<StaffingNorm, AppError> {
    Ok(settings::get(&s.db, settings::STAFFING_NORM)
        .await?
        .unwrap_or_default())
}

/// The grid staffing norm ("1+1+X+N") coverage checks use. Any signed-in user.
#[utoipa::path(get, path = "/api/v1/settings/staffing-norm", tag = "organisations",
    responses((status = 200)), security(("bearer" = [])))]
pub async fn get_norm(
    State(s): State<AppState>,
    _p: Principal,
) -> ApiResult<axum::Json<StaffingNorm>> {
    Ok(axum::Json(norm(&s).await?))
}

/// How many of each role a grid needs ("1+1+X+N").
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NormBody {
    pub grid_leader: u32,
    pub grid_instructor: u32,
    pub grid_worker: u32,
    pub grid_helper: u32,
}

/// Set the staffing norm. Needs `ManageSettings` (district administrators).
#[utoipa::path(put, path = "/api/v1/settings/staffing-norm", tag = "organisations",
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn put_norm(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NormBody>,
) -> ApiResult<StatusCode> {
    p.scope(Permission::ManageSettings)?;
    let n = StaffingNorm {
        grid_leader: b.grid_leader,
        grid_instructor: b.grid_instructor,
        grid_worker: b.grid_worker,
        grid_helper: b.grid_helper,
    };
    if [
        n.grid_leader,
        n.grid_instructor,
        n.grid_worker,
        n.grid_helper,
    ]
    .iter()
    .any(|v| *v > 50)
    {
        return Err(AppError::bad_request(
            "invalid_norm",
            "body",
            "每类人数应在 0–50 之间",
        ));
    }
    settings::set(&s.db, &p.actor(), settings::STAFFING_NORM, &n).await?;
    Ok(StatusCode::NO_CONTENT)
}
