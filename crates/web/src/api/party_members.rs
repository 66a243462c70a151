//! Party members: a registered resident enrolled in a branch (编入支部), with category and roles.

use super::Paged;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::org::{ManagementMode, MemberCategory};
use jiceng_core::people::parse_date_cell;
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::party_members::{self, NewPartyMember, PartyMember};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct MemberQuery {
    /// Members of this party organisation and those under it.
    pub org_id: Option<i64>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

/// Party members visible from the caller's scope (through their home or their branch). Needs
/// `ViewPartyMembers`.
#[utoipa::path(get, path = "/api/v1/party-members", tag = "organisations", params(MemberQuery),
    responses((status = 200, body = Paged<PartyMember>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<MemberQuery>,
) -> ApiResult<axum::Json<Paged<PartyMember>>> {
    let scope = p.scope(Permission::ViewPartyMembers)?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = party_members::list(&s.db, &scope, q.org_id, page).await?;
    Ok(axum::Json(Paged {
        items,
        total,
        page: page.page,
        page_size: page.size,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMember {
    pub resident_id: i64,
    /// The branch (or group) the member belongs to.
    pub org_node_id: i64,
    /// `in_service` 在职, `mobile` 流动, `retired` 离退休 (or the Chinese word).
    pub category: String,
    /// `dual` 双管, `shared` 共管, `assisting` 协管; default `dual`.
    pub management_mode: Option<String>,
    #[serde(default)]
    pub member_household: bool,
    #[serde(default)]
    pub building_captain: bool,
    /// 入党日期, `YYYY-MM-DD`.
    pub joined_on: Option<String>,
}

pub fn parse_member(req: &CreateMember) -> Result<NewPartyMember, AppError> {
    let category = MemberCategory::parse(&req.category).ok_or_else(|| {
        AppError::bad_request(
            "invalid_category",
            "category",
            "党员类别应为在职、流动或离退休",
        )
    })?;
    let management_mode = match req
        .management_mode
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => ManagementMode::Dual,
        Some(m) => ManagementMode::parse(m).ok_or_else(|| {
            AppError::bad_request(
                "invalid_mode",
                "management_mode",
                "管理方式应为双管、共管或协管",
            )
        })?,
    };
    let joined_on = match req
        .joined_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(d) => Some(parse_date_cell(d).ok_or_else(|| {
            AppError::bad_request("invalid_date", "joined_on", "入党日期格式应为 YYYY-MM-DD")
        })?),
    };
    Ok(NewPartyMember {
        resident_id: req.resident_id,
        org_node_id: req.org_node_id,
        category,
        management_mode,
        member_household: req.member_household,
        building_captain: req.building_captain,
        joined_on,
    })
}

/// Record a resident's party membership. Needs `ManagePartyMembers` over the resident and the
/// branch; a resident is a member once (409 on `resident_id`).
#[utoipa::path(post, path = "/api/v1/party-members", tag = "organisations", request_body = CreateMember,
    responses((status = 201, body = PartyMember), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<CreateMember>,
) -> ApiResult<(StatusCode, axum::Json<PartyMember>)> {
    let scope = p.scope(Permission::ManagePartyMembers)?;
    let new = parse_member(&req)?;
    let m = party_members::create(&s.db, &scope, &p.actor(), new).await?;
    Ok((StatusCode::CREATED, axum::Json(m)))
}
