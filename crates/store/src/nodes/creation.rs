//! A new node: its input, parsed so the store never holds an invalid one, and its creation under
//! a parent in scope (the kind must fit, the code is given or derived, the change is audited).

use super::{CodePlan, Node, Nodes, next_free, plan_code, select};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::scope_cond;
use jiceng_core::node::{NodeCode, NodeKind, child_path, parse_node_name};
use jiceng_core::org::GridType;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Query};

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
            super::insert([super::NewRow {
                parent_id: Some(parent.id),
                tree,
                kind: new.kind.as_str(),
                code: code.as_str(),
                name: &new.name,
                path: &path,
                subtype,
                at: actor.at,
            }])
            .returning_col(Nodes::Id),
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
