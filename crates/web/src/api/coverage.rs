//! Coverage per street and community; every figure opens the list it counts.

use super::Paged;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use jiceng_core::org::StaffingNorm;
use jiceng_core::role::Permission;
use jiceng_store::coverage::{self, CoverageRow, Measure};
use jiceng_store::nodes::{self, Node};
use jiceng_store::{Page, party_members};
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
) -> ApiResult<axum::Json<Paged<Node>>> {
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
    Ok(axum::Json(Paged {
        items,
        total,
        page: page.page,
        page_size: page.size,
    }))
}

/// Used by the coverage page for the party-member figure's list.
pub async fn member_names(
    s: &AppState,
    p: &Principal,
    node: &Node,
    page: Page,
) -> Result<(Vec<party_members::PartyMember>, i64), AppError> {
    let scope = p.scope(Permission::ViewNodes)?;
    let (ids, total) = coverage::member_ids(&s.db, &scope, &node.path, page).await?;
    let mut out = Vec::new();
    for (id,) in ids {
        out.push(party_members::get(&s.db, &scope, id).await?);
    }
    Ok((out, total))
}
