//! Territory and organisation nodes: enough of the trees to scope by.

use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::{Page, scope_cond};
use chrono::{DateTime, Utc};
use jiceng_core::node::NodeKind;
use jiceng_core::scope::Scope;
use sea_query::{
    Expr, ExprTrait, Iden, InsertStatement, Order, Query, SelectStatement, SimpleExpr,
};
use serde::Serialize;

mod codes;
mod creation;
mod family;
mod places;
pub(crate) use codes::{CodePlan, code_letter, next_free, plan_code};
pub use creation::{NewNode, create};
pub use family::with_children;
pub use places::PlaceNames;

#[derive(Iden, Clone, Copy)]
pub(crate) enum Nodes {
    Table,
    Id,
    ParentId,
    Tree,
    Kind,
    Code,
    Name,
    Path,
    Subtype,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub tree: String,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub path: String,
    /// A finer type: for grids `residential` or the kind of dedicated grid (`school`, …).
    pub subtype: Option<String>,
    #[serde(deserialize_with = "crate::time_text::utc")]
    pub created_at: DateTime<Utc>,
}

/// A new row of `nodes`, written by [`insert`]: one column list for every way nodes are made
/// (one by one, from the division codes, from a places import).
pub(crate) struct NewRow<'a> {
    pub parent_id: Option<i64>,
    pub tree: &'a str,
    pub kind: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub path: &'a str,
    pub subtype: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// `INSERT INTO nodes` with one row per item of `rows`.
pub(crate) fn insert<'a>(rows: impl IntoIterator<Item = NewRow<'a>>) -> InsertStatement {
    let mut q = Query::insert();
    q.into_table(Nodes::Table).columns([
        Nodes::ParentId,
        Nodes::Tree,
        Nodes::Kind,
        Nodes::Code,
        Nodes::Name,
        Nodes::Path,
        Nodes::Subtype,
        Nodes::CreatedAt,
        Nodes::UpdatedAt,
    ]);
    for r in rows {
        let values: [SimpleExpr; 9] = [
            r.parent_id.into(),
            r.tree.into(),
            r.kind.into(),
            r.code.into(),
            r.name.into(),
            r.path.into(),
            r.subtype.into(),
            r.at.into(),
            r.at.into(),
        ];
        q.values_panic(values);
    }
    q
}

pub(crate) fn select() -> SelectStatement {
    Query::select()
        .columns([
            Nodes::Id,
            Nodes::ParentId,
            Nodes::Tree,
            Nodes::Kind,
            Nodes::Code,
            Nodes::Name,
            Nodes::Path,
            Nodes::Subtype,
            Nodes::CreatedAt,
        ])
        .from(Nodes::Table)
        .to_owned()
}

/// The node `id`, if it lies in `scope`.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> StoreResult<Node> {
    db.optional(
        &select()
            .cond_where(scope_cond(scope, Nodes::Path))
            .and_where(Expr::col(Nodes::Id).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// The node `id` and every node above it, up its parents (none when there is no such id).
pub(crate) fn line_up(engine: Engine, id: i64) -> SelectStatement {
    select().and_where(ids_up_from(engine, id, "id")).to_owned()
}

/// `"{col}" IN` the ids of node `id` and of every node above it: a handful of primary-key
/// steps, for a query that knows the node's id but not yet its path (sea-query has no
/// recursive subquery).
pub(crate) fn ids_up_from(engine: Engine, id: i64, col: &str) -> SimpleExpr {
    let start = engine.param(1);
    Expr::cust_with_values(
        format!(
            "\"{col}\" IN (WITH RECURSIVE up (id) AS (SELECT CAST({start} AS BIGINT) UNION ALL \
             SELECT n.parent_id FROM nodes AS n JOIN up ON n.id = up.id \
             WHERE n.parent_id IS NOT NULL) SELECT id FROM up)"
        ),
        [id],
    )
}

/// Children of `parent_id` within scope, by code. A parent outside the scope is `NotFound`.
/// When the scope starts below the parent (a community worker looking at their street), only the
/// children inside the scope are listed.
pub async fn children(
    db: &Db,
    scope: &Scope,
    parent_id: i64,
    page: Page,
) -> StoreResult<(Vec<Node>, i64)> {
    let parent = get_visible_or_ancestor(db, scope, parent_id).await?;
    let cond = scope_cond(scope, Nodes::Path).add(Expr::col(Nodes::ParentId).eq(parent.id));
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::col(Nodes::Id).count())
                .from(Nodes::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let items = db
        .all(
            &select()
                .cond_where(cond)
                .order_by(Nodes::Code, Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}

/// The node if it is in scope or is an ancestor of a scope root (so a user can walk down from the
/// top of the tree to their own subtree); anything else is `NotFound`.
async fn get_visible_or_ancestor(db: &Db, scope: &Scope, id: i64) -> StoreResult<Node> {
    let node: Node = db
        .optional(&select().and_where(Expr::col(Nodes::Id).eq(id)).to_owned())
        .await?
        .ok_or(StoreError::NotFound)?;
    let visible = scope.contains(&node.path)
        || scope
            .prefixes()
            .iter()
            .any(|p| p.starts_with(node.path.as_str()));
    if visible {
        Ok(node)
    } else {
        Err(StoreError::NotFound)
    }
}

/// The roots of the caller's scope: where the tree view starts.
pub async fn scope_roots(db: &Db, scope: &Scope) -> StoreResult<Vec<Node>> {
    let paths: Vec<String> = scope.prefixes().to_vec();
    db.all(
        &select()
            .and_where(Expr::col(Nodes::Path).is_in(paths))
            .order_by(Nodes::Path, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Nodes by id regardless of scope: for resolving a user's own grants at sign-in.
pub async fn by_ids(db: &Db, ids: Vec<i64>) -> StoreResult<Vec<Node>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    db.all(
        &select()
            .and_where(Expr::col(Nodes::Id).is_in(ids))
            .to_owned(),
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KindCount {
    pub kind: String,
    pub count: i64,
}

/// How many nodes of each kind lie in scope (the scope roots included). Each figure is the total
/// of `by_kind` for that kind.
pub async fn count_by_kind(db: &Db, scope: &Scope) -> StoreResult<Vec<KindCount>> {
    db.all(
        &Query::select()
            .column(Nodes::Kind)
            .expr_as(Expr::col(Nodes::Id).count(), sea_query::Alias::new("count"))
            .from(Nodes::Table)
            .cond_where(scope_cond(scope, Nodes::Path))
            .and_where(Expr::col(Nodes::Kind).ne("root"))
            .group_by_col(Nodes::Kind)
            .to_owned(),
    )
    .await
}

/// Nodes of one kind in scope, by path (so they come grouped by parent).
pub async fn by_kind(
    db: &Db,
    scope: &Scope,
    kind: NodeKind,
    page: Page,
) -> StoreResult<(Vec<Node>, i64)> {
    let cond = scope_cond(scope, Nodes::Path).add(Expr::col(Nodes::Kind).eq(kind.as_str()));
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::col(Nodes::Id).count())
                .from(Nodes::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let items = db
        .all(
            &select()
                .cond_where(cond)
                .order_by(Nodes::Path, Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}

/// The ancestors of `node` that the caller may open, root first: the breadcrumb.
pub async fn visible_ancestors(db: &Db, scope: &Scope, node: &Node) -> StoreResult<Vec<Node>> {
    let mut paths = Vec::new();
    let mut end = 1;
    while let Some(i) = node.path[end..].find('/') {
        let p = &node.path[..end + i + 1];
        if p != node.path && scope.contains(p) {
            paths.push(p.to_owned());
        }
        end += i + 1;
    }
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    db.all(
        &select()
            .and_where(Expr::col(Nodes::Path).is_in(paths))
            .order_by(Nodes::Path, Order::Asc)
            .to_owned(),
    )
    .await
}

/// Nodes in scope whose kind is one of `kinds`, by path, at most `limit`: choices for a form.
pub async fn choices(
    db: &Db,
    scope: &Scope,
    kinds: &[NodeKind],
    limit: u64,
) -> StoreResult<Vec<Node>> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    db.all(
        &select()
            .cond_where(scope_cond(scope, Nodes::Path))
            .and_where(Expr::col(Nodes::Kind).is_in(kinds))
            .order_by(Nodes::Path, Order::Asc)
            .limit(limit)
            .to_owned(),
    )
    .await
}
