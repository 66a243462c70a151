//! Importing statistical divisions into the territory tree: idempotent (a second run changes
//! nothing and writes no audit entries) and additive (another county leaves the first alone).

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::nodes::{Node, Nodes};
use jiceng_core::DomainError;
use jiceng_core::division::DivisionCode;
use jiceng_core::node::ROOT_PATH;
use sea_query::{Expr, ExprTrait, Query};
use std::collections::HashMap;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub created: u64,
    pub renamed: u64,
    pub unchanged: u64,
}

struct Known {
    id: i64,
    name: String,
    path: String,
}

async fn existing(tx: &mut Tx, codes: &[&str]) -> StoreResult<HashMap<String, Known>> {
    let mut map = HashMap::new();
    for chunk in codes.chunks(1000) {
        let rows: Vec<Node> = tx
            .all(
                &crate::nodes::select()
                    .and_where(Expr::col(Nodes::Code).is_in(chunk.iter().copied()))
                    .to_owned(),
            )
            .await?;
        for n in rows {
            map.insert(
                n.code,
                Known {
                    id: n.id,
                    name: n.name,
                    path: n.path,
                },
            );
        }
    }
    Ok(map)
}

/// Creates or renames the given divisions, parents before children (the order `divisions` must
/// already have). A division whose parent is neither in the list nor in the database is refused.
pub async fn import(
    db: &Db,
    actor: &Actor,
    divisions: &[(DivisionCode, String)],
) -> StoreResult<ImportReport> {
    let mut tx = db.begin().await?;
    // Parents not in the list may already be stored, so they are looked up too.
    let mut codes: Vec<String> = divisions
        .iter()
        .flat_map(|(c, _)| std::iter::once(c.clone()).chain(c.parent()))
        .map(|c| c.as_str().to_owned())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let mut known = existing(&mut tx, &codes).await?;
    let mut report = ImportReport::default();
    for (code, name) in divisions {
        if let Some(k) = known.get_mut(code.as_str()) {
            if k.name == *name {
                report.unchanged += 1;
                continue;
            }
            tx.execute(
                &Query::update()
                    .table(Nodes::Table)
                    .values([
                        (Nodes::Name, name.clone().into()),
                        (Nodes::UpdatedAt, actor.at.into()),
                    ])
                    .and_where(Expr::col(Nodes::Id).eq(k.id))
                    .to_owned(),
            )
            .await?;
            audit::record(
                &mut tx,
                actor,
                Change {
                    action: "node.rename",
                    object_type: "node",
                    object_id: k.id.to_string(),
                    object_path: &k.path,
                    before: Some(serde_json::json!({"name": k.name})),
                    after: Some(serde_json::json!({"name": name})),
                },
            )
            .await?;
            k.name = name.clone();
            report.renamed += 1;
            continue;
        }
        let (parent_id, parent_path) = match code.parent() {
            None => (1, ROOT_PATH.to_owned()),
            Some(p) => match known.get(p.as_str()) {
                Some(k) => (k.id, k.path.clone()),
                None => {
                    return Err(DomainError::new(
                        "missing_parent",
                        "code",
                        format!(
                            "{}（{}）的上级区划 {} 不在文件中，也不在库中",
                            name,
                            code.as_str(),
                            p.as_str()
                        ),
                    )
                    .into());
                }
            },
        };
        let path = format!("{parent_path}{}/", code.as_str());
        let kind = code.kind();
        let id = tx
            .scalar(
                crate::nodes::insert([crate::nodes::NewRow {
                    parent_id: Some(parent_id),
                    tree: "territory",
                    kind: kind.as_str(),
                    code: code.as_str(),
                    name,
                    path: &path,
                    subtype: None,
                    at: actor.at,
                }])
                .returning_col(Nodes::Id),
            )
            .await?;
        audit::record(&mut tx, actor, Change {
            action: "node.create",
            object_type: "node",
            object_id: id.to_string(),
            object_path: &path,
            before: None,
            after: Some(serde_json::json!({"kind": kind.as_str(), "code": code.as_str(), "name": name, "parent_id": parent_id})),
        })
        .await?;
        known.insert(
            code.as_str().to_owned(),
            Known {
                id,
                name: name.clone(),
                path,
            },
        );
        report.created += 1;
    }
    tx.commit().await?;
    Ok(report)
}
