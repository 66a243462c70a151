//! Party members: a registered resident enrolled in a branch (编入支部), with category and roles;
//! the list, one enrolment, and the list as an (audited) Excel file.

use super::Paged;
use super::exports::{all_rows, headers, xlsx};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, Query};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiceng_core::org::{ManagementMode, MemberCategory};
use jiceng_core::people::parse_date_cell;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::Table;
use jiceng_store::Page;
use jiceng_store::nodes::{self, Node};
use jiceng_store::party_members::{self, NewPartyMember, PartyMember};
use serde::Deserialize;
use std::collections::HashMap;

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
) -> ApiResult<Paged<PartyMember>> {
    let scope = p.scope(Permission::ViewPartyMembers)?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = party_members::list(&s.db, &scope, q.org_id, page).await?;
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

/// A member with the party organisation they belong to.
pub struct MemberLine {
    pub member: PartyMember,
    pub org: Option<Node>,
}

/// `items` (members visible in the caller's scope) with their organisations, for the list page
/// and the export. Seeing a member includes seeing their branch, wherever it lies.
pub async fn member_lines(
    s: &AppState,
    items: Vec<PartyMember>,
) -> Result<Vec<MemberLine>, AppError> {
    let mut ids: Vec<i64> = items.iter().map(|m| m.org_node_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: HashMap<i64, Node> = nodes::by_ids(&s.db, ids)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    Ok(items
        .into_iter()
        .map(|member| MemberLine {
            org: orgs.get(&member.org_node_id).cloned(),
            member,
        })
        .collect())
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_owned()
}

/// Party members in `scope`, of `org_id` and the organisations under it if given, as the list
/// page shows them. A bulk download of personal data is itself written to the audit log: who
/// took how many members, of which organisation.
pub async fn members_table(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    org_id: Option<i64>,
) -> Result<Table, AppError> {
    let (items, _) = party_members::list(&s.db, scope, org_id, all_rows()).await?;
    let change = jiceng_store::audit::Change {
        action: "party_member.export",
        object_type: "party_member",
        object_id: "*".into(),
        object_path: p.home_path(),
        before: None,
        after: Some(serde_json::json!({ "rows": items.len(), "org_id": org_id })),
    };
    jiceng_store::audit::note(&s.db, &p.actor(), change).await?;
    let rows = member_lines(s, items)
        .await?
        .into_iter()
        .map(|MemberLine { member: m, org }| {
            vec![
                m.name,
                org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                org.map(|o| o.code).unwrap_or_default(),
                MemberCategory::parse(&m.category)
                    .map_or("", |c| c.label_zh())
                    .to_owned(),
                ManagementMode::parse(&m.management_mode)
                    .map_or("", |c| c.label_zh())
                    .to_owned(),
                yes_no(m.member_household),
                yes_no(m.building_captain),
                m.joined_on.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Table {
        title: "党员信息".into(),
        headers: headers(&[
            "姓名",
            "所在党组织",
            "所在党组织编码",
            "党员类别",
            "管理方式",
            "党员中心户",
            "党员楼栋长",
            "入党日期",
        ]),
        rows,
    })
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct MemberExportQuery {
    /// Members of this party organisation and those under it.
    pub org_id: Option<i64>,
}

/// Party members as an Excel file, of one organisation (and those under it) or all visible from
/// the caller's scope. Needs `ViewPartyMembers`; every download is written to the audit log.
#[utoipa::path(get, path = "/api/v1/party-members/export.xlsx", tag = "organisations", params(MemberExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn export_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<MemberExportQuery>,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ViewPartyMembers)?;
    let t = members_table(&s, &p, &scope, q.org_id).await?;
    xlsx(&t, "党员信息.xlsx")
}
