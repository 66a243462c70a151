//! Territory and organisation nodes: enough of the trees to scope by.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::{Page, scope_cond};
use chrono::{DateTime, Utc};
use jiceng_core::node::{NodeCode, NodeKind, child_path, parse_node_name};
use jiceng_core::org::GridType;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

mod codes;
mod family;
pub(crate) use codes::{CodePlan, code_letter, next_free, plan_code};
pub use family::with_children;

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

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    pub created_at: DateTime<Utc>,
}

/// Input for a new node; parsed here so that the store never holds an invalid one.
#[derive(Debug, Clone)]
pub struct NewNode {
    pub parent_id: i64,
    pub kind: NodeKind,
    /// `None`: derive one from the parent's code (places below a community only).
    pub code: Option<NodeCode>,
    pub name: String,
    pub subtype: Option<GridType>,
}

impl NewNode {
    pub fn parse(parent_id: i64, kind: &str, code: &str, name: &str) -> StoreResult<Self> {
        let kind = NodeKind::parse(kind).ok_or_else(|| {
            jiceng_core::DomainError::new("invalid_kind", "kind", "节点类型不正确")
        })?;
        let code = match code.trim() {
            "" => None,
            c => Some(NodeCode::parse(c)?),
        };
        Ok(Self {
            parent_id,
            kind,
            code,
            name: parse_node_name(name)?,
            subtype: None,
        })
    }

    /// Sets the grid type (`residential`, `school`, …), which only grids carry.
    pub fn with_subtype(mut self, raw: Option<&str>) -> StoreResult<Self> {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            if self.kind == NodeKind::Grid {
                self.subtype = Some(GridType::Residential);
            }
            return Ok(self);
        };
        if self.kind != NodeKind::Grid {
            return Err(jiceng_core::DomainError::new(
                "invalid_subtype",
                "subtype",
                "只有网格有网格类型",
            )
            .into());
        }
        self.subtype = Some(GridType::parse(raw).ok_or_else(|| {
            jiceng_core::DomainError::new("invalid_subtype", "subtype", "网格类型不正确")
        })?);
        Ok(self)
    }
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

/// Creates a node under a parent inside `scope`. The parent must exist in scope (else
/// `NotFound`), the kind must fit under the parent's, and the code must be unused.
pub async fn create(db: &Db, scope: &Scope, actor: &Actor, new: NewNode) -> StoreResult<Node> {
    let mut tx = db.begin().await?;
    let parent: Node = tx
        .optional(
            &select()
                .cond_where(scope_cond(scope, Nodes::Path))
                .and_where(Expr::col(Nodes::Id).eq(new.parent_id))
                .to_owned(),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let parent_kind = NodeKind::parse(&parent.kind).unwrap_or(NodeKind::Root);
    if !new.kind.may_hang_under(parent_kind) {
        return Err(jiceng_core::DomainError::new(
            "invalid_parent",
            "kind",
            format!(
                "「{}」不能建在「{}」之下",
                new.kind.label_zh(),
                parent_kind.label_zh()
            ),
        )
        .into());
    }
    let code = resolve_code(&mut tx, &parent, &new).await?;
    let path = child_path(&parent.path, &code);
    let tree = new.kind.tree().map(|t| t.as_str()).unwrap_or("root");
    let subtype = new.subtype.map(|t| t.as_str());
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Nodes::Table)
                .columns([
                    Nodes::ParentId,
                    Nodes::Tree,
                    Nodes::Kind,
                    Nodes::Code,
                    Nodes::Name,
                    Nodes::Path,
                    Nodes::Subtype,
                    Nodes::CreatedAt,
                    Nodes::UpdatedAt,
                ])
                .values_panic([
                    parent.id.into(),
                    tree.into(),
                    new.kind.as_str().into(),
                    code.as_str().into(),
                    new.name.clone().into(),
                    path.clone().into(),
                    subtype.into(),
                    actor.at.into(),
                    actor.at.into(),
                ])
                .returning_col(Nodes::Id)
                .to_owned(),
        )
        .await?;
    let node = Node {
        id,
        parent_id: Some(parent.id),
        tree: tree.to_owned(),
        kind: new.kind.as_str().to_owned(),
        code: code.as_str().to_owned(),
        name: new.name,
        path,
        subtype: subtype.map(str::to_owned),
        created_at: actor.at,
    };
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "node.create",
            object_type: "node",
            object_id: id.to_string(),
            object_path: &node.path,
            before: None,
            after: Some(serde_json::json!({
                "kind": node.kind, "code": node.code, "name": node.name, "parent_id": parent.id,
                "subtype": node.subtype,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(node)
}

/// The code a new node gets. Below a community, codes extend the parent's: a given suffix is
/// prefixed with the parent's code, and a missing one becomes the next free number of its level.
async fn resolve_code(tx: &mut crate::Tx, parent: &Node, new: &NewNode) -> StoreResult<NodeCode> {
    match plan_code(&parent.code, new.kind, new.code.as_ref())? {
        CodePlan::Given(code) => Ok(code),
        CodePlan::Next { prefix } => {
            let taken: Vec<(String,)> = tx
                .all(
                    &Query::select()
                        .column(Nodes::Code)
                        .from(Nodes::Table)
                        .and_where(Expr::col(Nodes::ParentId).eq(parent.id))
                        .to_owned(),
                )
                .await?;
            next_free(&prefix, taken.iter().map(|(c,)| c.as_str()))
        }
    }
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
