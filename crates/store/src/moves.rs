//! Moving a node under another parent (a community handed to another street): its subtree and
//! every record scoped by a path below it follow in one transaction, so scope checks see the new
//! place at once. The move is an audit entry with the old and new parent and path: the history.

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::nodes::{self, Node};
use jiceng_core::DomainError;
use jiceng_core::node::NodeKind;
use jiceng_core::scope::Scope;
use sea_query::{Alias, Expr, ExprTrait, Query, Value};

/// Tables holding a copy of a node path, and the column that holds it.
const PATH_COPIES: &[(&str, &str)] = &[
    ("nodes", "path"),
    ("residents", "node_path"),
    ("party_members", "resident_path"),
    ("party_members", "org_path"),
    ("grid_staff", "grid_path"),
    ("organisations", "home_path"),
    ("routing_rules", "node_path"),
    ("routing_rules", "desk_path"),
    ("requests", "place_path"),
    ("requests", "desk_path"),
    ("request_places", "prefix"),
    ("request_counters", "key"),
    ("request_counter_totals", "key"),
    ("notifications", "desk_path"),
    ("open311_keys", "node_path"),
    ("whistles", "place_path"),
];

async fn rewrite(tx: &mut Tx, table: &str, column: &str, old: &str, new: &str) -> StoreResult<u64> {
    // `||` and `substr` mean the same on both engines (positions count characters; paths are
    // ASCII); only the placeholders are written differently (`Engine::param`).
    let start = i32::try_from(old.len()).unwrap_or(i32::MAX) + 1;
    let e = tx.engine();
    let sql = format!("{} || substr({column}, {})", e.param(1), e.param(2));
    let expr = Expr::cust_with_values(sql, [Value::from(new.to_owned()), Value::from(start)]);
    tx.execute(
        &Query::update()
            .table(Alias::new(table))
            .value(Alias::new(column), expr)
            .cond_where(crate::under_path(Alias::new(column), old))
            .to_owned(),
    )
    .await
}

pub async fn move_node(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: i64,
    new_parent_id: i64,
) -> StoreResult<Node> {
    let node = nodes::get(db, scope, id).await?;
    let parent = nodes::get(db, scope, new_parent_id).await?;
    let kind = NodeKind::parse(&node.kind).unwrap_or(NodeKind::Root);
    let parent_kind = NodeKind::parse(&parent.kind).unwrap_or(NodeKind::Root);
    if parent.path.starts_with(&node.path) {
        return Err(
            DomainError::new("invalid_parent", "parent_id", "不能移到自身或其下级之下").into(),
        );
    }
    if !kind.may_hang_under(parent_kind) {
        return Err(DomainError::new(
            "invalid_parent",
            "parent_id",
            format!(
                "「{}」不能建在「{}」之下",
                kind.label_zh(),
                parent_kind.label_zh()
            ),
        )
        .into());
    }
    if node.parent_id == Some(parent.id) {
        return Ok(node);
    }
    let old = node.path.clone();
    let new = format!("{}{}/", parent.path, node.code);
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::update()
            .table(Alias::new("nodes"))
            .values([
                (Alias::new("parent_id"), parent.id.into()),
                (Alias::new("updated_at"), actor.at.into()),
            ])
            .and_where(Expr::col(Alias::new("id")).eq(node.id))
            .to_owned(),
    )
    .await?;
    let mut moved = serde_json::Map::new();
    for (table, column) in PATH_COPIES {
        let n = rewrite(&mut tx, table, column, &old, &new).await?;
        moved.insert(format!("{table}.{column}"), n.into());
    }
    crate::requests::place_index::moved(&mut tx, &old, &new).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "node.move",
            object_type: "node",
            object_id: node.id.to_string(),
            object_path: &new,
            before: Some(serde_json::json!({"parent_id": node.parent_id, "path": old})),
            after: Some(serde_json::json!({"parent_id": parent.id, "path": new, "rows": moved})),
        },
    )
    .await?;
    tx.commit().await?;
    nodes::get(db, &Scope::everything(), node.id).await
}
