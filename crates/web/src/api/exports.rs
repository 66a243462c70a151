//! Lists as Excel files: residents (with the list's filters), nodes of one kind, organisations,
//! and accounts.
//! Each export holds what the list shows, within the caller's scope, without paging (up to
//! [`EXPORT_LIMIT`] rows), with Chinese headers whatever the interface language.

use super::audit::{EXPORT_LIMIT, attachment, show_time};
use super::residents_import::XLSX;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use axum::response::Response;
use jiceng_core::household::HouseholdRelation;
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::Table;
use jiceng_store::orgs::{self, Organisation};
use jiceng_store::residents::{self, ResidentFilter};
use jiceng_store::{Page, nodes, users};
use serde::Deserialize;
use std::collections::HashMap;

/// Everything up to the export limit, in one page.
pub(crate) fn all_rows() -> Page {
    Page {
        page: 1,
        size: EXPORT_LIMIT,
    }
}

pub(crate) fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|h| (*h).to_owned()).collect()
}

/// A table as an xlsx download named `name`.
pub fn xlsx(t: &Table, name: &str) -> ApiResult<Response> {
    let bytes = jiceng_io::to_xlsx(t).map_err(|e| {
        tracing::error!(error = %e, "xlsx export failed");
        AppError::internal()
    })?;
    Ok(attachment(bytes, XLSX, name))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ResidentExportQuery {
    /// As for the list: name or address, phone tail, masked or full 身份证 number.
    pub q: Option<String>,
    /// Only residents at or below this node.
    pub node_id: Option<i64>,
}

/// Residents in `scope` matching `f`. 身份证 numbers are always masked; phones are full only when
/// `full_phone` (the caller holds `ViewPhones`), as on screen.
/// A bulk download of personal data is itself written to the audit log: who took how many
/// residents, with which filter.
pub async fn residents_table(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    full_phone: bool,
    f: &ResidentFilter,
) -> Result<Table, AppError> {
    let (rows, _) = residents::list(&s.db, &s.vault, scope, f, all_rows()).await?;
    let change = jiceng_store::audit::Change {
        action: "resident.export",
        object_type: "resident",
        object_id: "*".into(),
        object_path: p.home_path(),
        before: None,
        after: Some(serde_json::json!({
            "rows": rows.len(), "q": f.q, "node_id": f.node_id, "full_phone": full_phone,
        })),
    };
    jiceng_store::audit::note(&s.db, &p.actor(), change).await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.node_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // The residents are in scope, so their places are too.
    let places: HashMap<i64, nodes::Node> = nodes::by_ids(&s.db, ids)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let place = places.get(&r.node_id);
            let r = r.view(&s.vault, full_phone);
            vec![
                r.name,
                if r.gender == "male" { "男" } else { "女" }.to_owned(),
                r.birth_date.to_string(),
                r.id_card_no,
                r.phone.unwrap_or_default(),
                HouseholdRelation::parse(&r.household_relation)
                    .map_or("", |h| h.label_zh())
                    .to_owned(),
                place.map(|n| n.name.clone()).unwrap_or_default(),
                place.map(|n| n.code.clone()).unwrap_or_default(),
                r.address,
                show_time(r.created_at),
            ]
        })
        .collect();
    Ok(Table {
        title: "居民信息".into(),
        headers: headers(&[
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "联系电话",
            "与户主关系",
            "所在网格/小区/楼栋",
            "所在网格/小区/楼栋编码",
            "详细地址",
            "登记时间",
        ]),
        rows,
    })
}

/// The residents list as an Excel file, with the list's filters. Needs `ViewResidents`;
/// 身份证 numbers masked, phones in full only for roles with `ViewPhones`.
#[utoipa::path(get, path = "/api/v1/residents/export.xlsx", tag = "residents", params(ResidentExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn residents_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ResidentExportQuery>,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ViewResidents)?;
    let f = ResidentFilter {
        q: q.q,
        node_id: q.node_id,
    };
    let t = residents_table(&s, &p, &scope, p.can(Permission::ViewPhones), &f).await?;
    xlsx(&t, "居民信息.xlsx")
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct NodeExportQuery {
    /// Every node of this kind in scope (`grid`, `community`, …); without it, the scope's roots.
    pub kind: Option<String>,
}

/// Nodes in `scope`: all of `kind`, or the scope's roots, as the nodes page lists them.
pub async fn nodes_table(
    s: &AppState,
    scope: &Scope,
    kind: Option<&str>,
) -> Result<Table, AppError> {
    let items = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => {
            let kind = NodeKind::parse(k)
                .ok_or_else(|| AppError::bad_request("invalid_kind", "kind", "节点类型不正确"))?;
            nodes::by_kind(&s.db, scope, kind, all_rows()).await?.0
        }
        None => nodes::scope_roots(&s.db, scope).await?,
    };
    Ok(Table {
        title: "区划与组织".into(),
        headers: headers(&["名称", "类型", "编码", "路径", "创建时间"]),
        rows: items
            .into_iter()
            .map(|n| {
                let kind = NodeKind::parse(&n.kind).map_or("", NodeKind::label_zh);
                vec![
                    n.name,
                    kind.to_owned(),
                    n.code,
                    n.path,
                    show_time(n.created_at),
                ]
            })
            .collect(),
    })
}

/// Nodes as an Excel file: every node of `kind` in scope, or the scope's roots. Needs `ViewNodes`.
#[utoipa::path(get, path = "/api/v1/nodes/export.xlsx", tag = "nodes", params(NodeExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn nodes_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<NodeExportQuery>,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ViewNodes)?;
    let t = nodes_table(&s, &scope, q.kind.as_deref()).await?;
    xlsx(&t, "区划与组织.xlsx")
}

/// Accounts holding a role in `scope`, by login, with their roles.
pub async fn users_table(s: &AppState, scope: &Scope) -> Result<Table, AppError> {
    let (items, _) = users::list(&s.db, scope, all_rows()).await?;
    let mut rows = Vec::with_capacity(items.len());
    for u in items {
        let roles = users::grants_of(&s.db, u.id)
            .await?
            .iter()
            .map(|g| format!("{}（{}）", g.role.label_zh(), g.node_name))
            .collect::<Vec<_>>()
            .join("；");
        rows.push(vec![
            u.login,
            u.display_name,
            u.unit_name,
            roles,
            if u.active { "启用" } else { "停用" }.to_owned(),
            show_time(u.created_at),
        ]);
    }
    Ok(Table {
        title: "账号与角色".into(),
        headers: headers(&["登录名", "姓名", "单位", "角色", "状态", "创建时间"]),
        rows,
    })
}

/// Accounts as an Excel file, with their roles. Needs `ViewUsers`.
#[utoipa::path(get, path = "/api/v1/users/export.xlsx", tag = "users",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn users_xlsx(State(s): State<AppState>, p: Principal) -> ApiResult<Response> {
    let scope = p.scope(Permission::ViewUsers)?;
    let t = users_table(&s, &scope).await?;
    xlsx(&t, "账号与角色.xlsx")
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct OrganisationExportQuery {
    /// Only organisations of this kind (`property_company`, 物业服务企业, …).
    pub kind: Option<String>,
}

/// An organisation with the places it is registered at and serves (those inside the scope).
pub struct OrgLine {
    pub org: Organisation,
    pub home: Option<nodes::Node>,
    pub serves: Vec<nodes::Node>,
}

/// `items` (organisations in `scope`) with their places, for the list page and the export.
pub async fn org_lines(
    s: &AppState,
    scope: &Scope,
    items: Vec<Organisation>,
) -> Result<Vec<OrgLine>, AppError> {
    let ids: Vec<i64> = items.iter().map(|o| o.id).collect();
    let mut serves = orgs::served_places(&s.db, scope, &ids).await?;
    let mut homes: Vec<i64> = items.iter().map(|o| o.home_node_id).collect();
    homes.sort_unstable();
    homes.dedup();
    // The organisations are in scope, so their homes are too.
    let homes: HashMap<i64, nodes::Node> = nodes::by_ids(&s.db, homes)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    Ok(items
        .into_iter()
        .map(|org| OrgLine {
            home: homes.get(&org.home_node_id).cloned(),
            serves: serves.remove(&org.id).unwrap_or_default(),
            org,
        })
        .collect())
}

/// Organisations in `scope`, of `kind` if given. The first seven columns are the import
/// template's, so an export corrected in Excel imports back as updates.
pub async fn organisations_table(
    s: &AppState,
    scope: &Scope,
    kind: Option<OrgKind>,
) -> Result<Table, AppError> {
    let (items, _) = orgs::list_organisations(&s.db, scope, kind, all_rows()).await?;
    let rows = org_lines(s, scope, items)
        .await?
        .into_iter()
        .map(|l| {
            let kind = OrgKind::parse(&l.org.kind).map_or("", OrgKind::label_zh);
            let codes: Vec<&str> = l.serves.iter().map(|n| n.code.as_str()).collect();
            vec![
                kind.to_owned(),
                l.org.name,
                l.home.as_ref().map(|n| n.code.clone()).unwrap_or_default(),
                l.org.credit_code,
                l.org.contact_name,
                l.org.contact_phone,
                codes.join("、"),
                l.home.map(|n| n.name).unwrap_or_default(),
                show_time(l.org.created_at),
            ]
        })
        .collect();
    Ok(Table {
        title: "组织名录".into(),
        headers: headers(&[
            "组织类型",
            "名称",
            "所属节点编码",
            "统一社会信用代码",
            "联系人",
            "联系电话",
            "服务小区编码",
            "所属节点",
            "登记时间",
        ]),
        rows,
    })
}

/// Organisations as an Excel file, of one kind or all. Needs `ViewNodes`.
#[utoipa::path(get, path = "/api/v1/organisations/export.xlsx", tag = "organisations", params(OrganisationExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn organisations_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<OrganisationExportQuery>,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ViewNodes)?;
    let kind = super::orgs::kind_filter(q.kind.as_deref())?;
    let t = organisations_table(&s, &scope, kind).await?;
    xlsx(&t, "组织名录.xlsx")
}
