//! Territory and organisation nodes.

use super::Paged;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Json, PathId, Query};
use axum::extract::State;
use axum::http::StatusCode;
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::nodes::{self, NewNode, Node};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// List the children of this node. Without it, the roots of the caller's scope.
    pub parent_id: Option<i64>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

/// One node. Needs `ViewNodes`; nodes outside the caller's scope are 404.
#[utoipa::path(get, path = "/api/v1/nodes/{id}", tag = "nodes", params(("id" = i64, Path)),
    responses((status = 200, body = Node), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Node>> {
    let scope = p.scope(Permission::ViewNodes)?;
    Ok(axum::Json(nodes::get(&s.db, &scope, id).await?))
}

/// Children of a node within scope, ordered by code. Needs `ViewNodes`; a parent outside the
/// caller's scope (and not above it) is 404.
#[utoipa::path(get, path = "/api/v1/nodes", tag = "nodes", params(ListQuery),
    responses((status = 200, body = Paged<Node>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ListQuery>,
) -> ApiResult<Paged<Node>> {
    let scope = p.scope(Permission::ViewNodes)?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = match q.parent_id {
        Some(parent) => nodes::children(&s.db, &scope, parent, page).await?,
        None => {
            let roots = nodes::scope_roots(&s.db, &scope).await?;
            let n = i64::try_from(roots.len()).unwrap_or(i64::MAX);
            (roots, n)
        }
    };
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
pub struct CreateNode {
    pub parent_id: i64,
    /// `street`, `community`, `grid`, `branch`, … (see the glossary).
    pub kind: String,
    /// Division code, or letters and digits. Below a community it may be left out: the code is
    /// then derived from the parent's (`…G01`, `…E02`); a given suffix is prefixed with it.
    #[serde(default)]
    pub code: String,
    pub name: String,
    /// Grids only: `residential` (default) or a dedicated type: `school`, `hospital`,
    /// `business_district`, `park`, `office_tower`, `government`.
    pub subtype: Option<String>,
}

/// Create a node under a parent. Needs `ManageNodes` at or above the parent.
#[utoipa::path(post, path = "/api/v1/nodes", tag = "nodes", request_body = CreateNode,
    responses((status = 201, body = Node), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(req): Json<CreateNode>,
) -> ApiResult<(StatusCode, axum::Json<Node>)> {
    let scope = p.scope(Permission::ManageNodes)?;
    let new = NewNode::parse(req.parent_id, &req.kind, &req.code, &req.name)
        .and_then(|n| n.with_subtype(req.subtype.as_deref()))
        .map_err(AppError::from)?;
    let node = nodes::create(&s.db, &scope, &p.actor(), new).await?;
    Ok((StatusCode::CREATED, axum::Json(node)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveNode {
    /// The new parent, e.g. the street a community is handed to.
    pub parent_id: i64,
}

/// Move a node (and everything under it) to a new parent. Needs `ManageNodes` over both; the
/// people, staff and organisations under it follow, and the audit log keeps the old place.
#[utoipa::path(post, path = "/api/v1/nodes/{id}/move", tag = "nodes", params(("id" = i64, Path)), request_body = MoveNode,
    responses((status = 200, body = Node), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn move_to(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    Json(req): Json<MoveNode>,
) -> ApiResult<axum::Json<Node>> {
    let scope = p.scope(Permission::ManageNodes)?;
    Ok(axum::Json(
        jiceng_store::moves::move_node(&s.db, &scope, &p.actor(), id, req.parent_id).await?,
    ))
}
