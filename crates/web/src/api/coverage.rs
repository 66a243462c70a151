//! Coverage per street and community; every figure opens the list it counts, which downloads as
//! an Excel file.

use super::Paged;
use super::exports::{all_rows, headers, xlsx};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use crate::pages::{Lang, Tr};
use axum::extract::State;
use axum::response::Response;
use jiceng_core::node::NodeKind;
use jiceng_core::org::{MemberCategory, StaffingNorm};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::Table;
use jiceng_store::Page;
use jiceng_store::coverage::{self, CoverageRow, Measure};
use jiceng_store::nodes::{self, Node};
use jiceng_store::party_members::PartyMember;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CoverageQuery {
    /// A district, street or community inside the caller's scope.
    pub node_id: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CoverageTable {
    /// The staffing norm grids are measured against, e.g. `1+1+1+1`.
    pub norm: String,
    pub rows: Vec<CoverageRow>,
}

/// Coverage figures for the streets of a district, the communities of a street, or one
/// community. Needs `ViewNodes`.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "coverage", params(CoverageQuery),
    responses((status = 200, body = CoverageTable), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn table(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<CoverageQuery>,
) -> ApiResult<axum::Json<CoverageTable>> {
    let scope = p.scope(Permission::ViewNodes)?;
    let norm: StaffingNorm = super::orgs::norm(&s).await?;
    let rows = coverage::table(&s.db, &scope, q.node_id, &norm).await?;
    Ok(axum::Json(CoverageTable {
        norm: norm.label(),
        rows,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    pub node_id: i64,
    /// `estates`, `estates_without_branch`, `estates_without_owners_committee`,
    /// `estates_without_property_company`, `grids`, `grids_short_staffed`, `branches`, `party_members`.
    pub measure: String,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

pub fn parse_measure(raw: &str) -> Result<Measure, AppError> {
    Measure::parse(raw)
        .ok_or_else(|| AppError::bad_request("invalid_measure", "measure", "统计项不正确"))
}

/// The records behind one coverage figure: the estates, grids or branches it counts (party
/// members: see `/api/v1/party-members`). Needs `ViewNodes`.
#[utoipa::path(get, path = "/api/v1/coverage/list", tag = "coverage", params(ListQuery),
    responses((status = 200, body = Paged<Node>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ListQuery>,
) -> ApiResult<Paged<Node>> {
    let scope = p.scope(Permission::ViewNodes)?;
    let measure = parse_measure(&q.measure)?;
    if measure == Measure::PartyMembers {
        return Err(AppError::bad_request(
            "invalid_measure",
            "measure",
            "党员名单请用 /api/v1/party-members",
        ));
    }
    let node = nodes::get(&s.db, &scope, q.node_id).await?;
    let norm = super::orgs::norm(&s).await?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = coverage::nodes(&s.db, &scope, measure, &node.path, &norm, page).await?;
    Ok(Paged {
        items,
        total,
        total_exact: true,
        page: page.page,
        page_size: page.size,
    })
}

/// One line of a coverage list: a place the figure counts, or a party member.
pub enum ListLine {
    Node(Node),
    Member(PartyMember),
}

/// A page of the lines behind the figure `m` under `node`, inside `scope` (that of `ViewNodes`,
/// as the figure's). Party members are personal data: their names need `ViewPartyMembers` too.
pub async fn list_lines(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    node: &Node,
    m: Measure,
    page: Page,
) -> Result<(Vec<ListLine>, i64), AppError> {
    if m == Measure::PartyMembers {
        p.scope(Permission::ViewPartyMembers)?;
        let (items, total) = coverage::members(&s.db, scope, &node.path, page).await?;
        return Ok((items.into_iter().map(ListLine::Member).collect(), total));
    }
    let norm = super::orgs::norm(s).await?;
    let (items, total) = coverage::nodes(&s.db, scope, m, &node.path, &norm, page).await?;
    Ok((items.into_iter().map(ListLine::Node).collect(), total))
}

/// The figure's name in Chinese (无党支部小区), as the coverage table heads it.
pub fn measure_zh(m: Measure) -> String {
    Tr::new(Lang::Zh)
        .s(&format!("coverage.{}", m.as_str()))
        .to_owned()
}

/// The whole list behind one figure, with Chinese headers: the page's rows without paging. A
/// list of party members is personal data, so taking it is written to the audit log.
pub async fn list_table(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    node: &Node,
    m: Measure,
) -> Result<Table, AppError> {
    let (lines, _) = list_lines(s, p, scope, node, m, all_rows()).await?;
    if m == Measure::PartyMembers {
        let change = jiceng_store::audit::Change {
            action: "party_member.export",
            object_type: "party_member",
            object_id: "*".into(),
            object_path: p.home_path(),
            before: None,
            after: Some(serde_json::json!({
                "rows": lines.len(), "node_id": node.id, "measure": m.as_str(),
            })),
        };
        jiceng_store::audit::note(&s.db, &p.actor(), change).await?;
    }
    let head: &[&str] = match m {
        Measure::PartyMembers => &["姓名", "党员类别"],
        _ => &["名称", "类型", "编码"],
    };
    let rows = lines
        .into_iter()
        .map(|l| match l {
            ListLine::Node(n) => {
                let kind = NodeKind::parse(&n.kind).map_or("", NodeKind::label_zh);
                vec![n.name, kind.to_owned(), n.code]
            }
            ListLine::Member(m) => {
                let category = MemberCategory::parse(&m.category).map_or("", |c| c.label_zh());
                vec![m.name, category.to_owned()]
            }
        })
        .collect();
    Ok(Table {
        title: measure_zh(m),
        headers: headers(head),
        rows,
    })
}

/// The file name of a coverage list: the place and the figure, e.g. 东关社区-无党支部小区.xlsx.
pub fn list_file_name(node: &Node, m: Measure) -> String {
    format!("{}-{}.xlsx", node.name, measure_zh(m))
}

/// The records behind one coverage figure as an Excel file: what `/coverage/list` shows, without
/// paging (estates, grids or branches: 名称, 类型, 编码; party members: 姓名, 党员类别). Needs
/// `ViewNodes`, and `ViewPartyMembers` for `party_members`, whose download is audited.
#[utoipa::path(get, path = "/api/v1/coverage/list/export.xlsx", tag = "coverage", params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ViewNodes)?;
    let m = parse_measure(&q.measure)?;
    let node = nodes::get(&s.db, &scope, q.node_id).await?;
    let t = list_table(&s, &p, &scope, &node, m).await?;
    xlsx(&t, &list_file_name(&node, m))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// A district, street or community inside the caller's scope.
    pub node_id: i64,
    /// As for `/api/v1/coverage/list`, and `party_members`.
    pub measure: String,
}
