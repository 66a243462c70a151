//! A place and its children in one query, for dashboards that show a place beside the places
//! directly under it.

use super::{Node, Nodes, select};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::{Page, scope_cond};
use jiceng_core::scope::Scope;
use sea_query::{Cond, Expr, ExprTrait, Query};

/// The node `at` (default: the first root of `scope`, by path) if it lies in `scope`, and its
/// children by code (at most `Page::MAX_SIZE`): what `get` (or `scope_roots`) and `children`
/// answer for a node in scope, in one query. A node outside the scope is `NotFound`.
pub async fn with_children(
    db: &Db,
    scope: &Scope,
    at: Option<i64>,
) -> StoreResult<(Node, Vec<Node>)> {
    let which = match at {
        Some(id) => Cond::any()
            .add(Expr::col(Nodes::Id).eq(id))
            .add(Expr::col(Nodes::ParentId).eq(id)),
        None => {
            let roots = scope.prefixes().to_vec();
            Cond::any()
                .add(Expr::col(Nodes::Path).is_in(roots.clone()))
                .add(
                    Expr::col(Nodes::ParentId).in_subquery(
                        Query::select()
                            .column(Nodes::Id)
                            .from(Nodes::Table)
                            .and_where(Expr::col(Nodes::Path).is_in(roots))
                            .to_owned(),
                    ),
                )
        }
    };
    let rows: Vec<Node> = db
        .all(
            &select()
                .cond_where(Cond::all().add(scope_cond(scope, Nodes::Path)).add(which))
                .to_owned(),
        )
        .await?;
    let node = match at {
        Some(id) => rows.iter().find(|n| n.id == id),
        None => rows
            .iter()
            .filter(|n| scope.prefixes().contains(&n.path))
            .min_by(|a, b| a.path.cmp(&b.path)),
    }
    .cloned()
    .ok_or(StoreError::NotFound)?;
    let mut kids: Vec<Node> = rows
        .into_iter()
        .filter(|n| n.parent_id == Some(node.id))
        .collect();
    kids.sort_by(|a, b| a.code.cmp(&b.code));
    kids.truncate(Page::MAX_SIZE as usize);
    Ok((node, kids))
}
