//! The two trees side by side: territory on the left, party organisation on the right, each
//! entry showing what it is linked to on the other side (支部建在网格上).

use super::{PageUser, Shell, Tr, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, Node};
use jiceng_store::{Db, Page, orgs};
use serde::Deserialize;

pub struct Entry {
    pub id: i64,
    pub name: String,
    pub kind: String,
    /// Names on the other tree: the organisations covering a place, or the places an
    /// organisation covers.
    pub links: String,
}

pub struct Column {
    /// The node whose children are listed; `None` at the top of the caller's scope.
    pub at: Option<Node>,
    pub up: Option<i64>,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "trees.html")]
struct TreesPage {
    shell: Shell,
    territory: Column,
    org: Column,
    t_id: String,
    o_id: String,
}

#[derive(Deserialize)]
pub struct TreesQ {
    t: Option<i64>,
    o: Option<i64>,
}

fn in_tree(n: &Node, tree: Tree) -> bool {
    NodeKind::parse(&n.kind).and_then(|k| k.tree()) == Some(tree)
}

/// The listed level of one tree: the children of `at`, or the top of the scope in that tree.
async fn column(
    db: &Db,
    scope: &Scope,
    tree: Tree,
    at: Option<i64>,
    t: Tr,
) -> Result<Column, AppError> {
    let (at, list) = match at {
        Some(id) => {
            let node = nodes::get(db, scope, id).await?;
            let kids = nodes::children(db, scope, id, Page::new(None, Some(Page::MAX_SIZE)))
                .await?
                .0;
            (Some(node), kids)
        }
        None => {
            let mut top = Vec::new();
            for r in nodes::scope_roots(db, scope).await? {
                if r.kind == "root" {
                    top.extend(
                        nodes::children(db, scope, r.id, Page::new(None, Some(Page::MAX_SIZE)))
                            .await?
                            .0,
                    );
                } else {
                    top.push(r);
                }
            }
            (None, top)
        }
    };
    let mut entries = Vec::new();
    for n in list.into_iter().filter(|n| in_tree(n, tree)) {
        let other = match tree {
            Tree::Territory => orgs::anchored_at(db, scope, n.id).await?,
            Tree::Org => orgs::anchored_to(db, n.id).await?,
        };
        entries.push(Entry {
            id: n.id,
            kind: t.kind(&n.kind).to_owned(),
            links: other
                .into_iter()
                .map(|o| o.name)
                .collect::<Vec<_>>()
                .join("、"),
            name: n.name,
        });
    }
    // Up only as far as the scope goes: above its top the link is to the top of the scope
    // (a community worker's 上级 was the street, a 404).
    let up = at
        .as_ref()
        .filter(|n| {
            // The path just above: `ancestor_paths` ends with the node's own.
            let above = jiceng_core::node::ancestor_paths(&n.path);
            above.iter().rev().nth(1).is_some_and(|p| scope.contains(p))
        })
        .and_then(|n| n.parent_id)
        .filter(|p| *p != 1);
    Ok(Column { at, up, entries })
}

pub async fn show(State(s): State<AppState>, u: PageUser, Query(q): Query<TreesQ>) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let t = u.tr();
        let territory = column(&s.db, &scope, Tree::Territory, q.t, t).await?;
        let org = column(&s.db, &scope, Tree::Org, q.o, t).await?;
        Ok::<_, AppError>((territory, org))
    }
    .await;
    match r {
        Ok((territory, org)) => render(&TreesPage {
            shell: u.shell("trees.title", "/trees"),
            t_id: q.t.map(|v| v.to_string()).unwrap_or_default(),
            o_id: q.o.map(|v| v.to_string()).unwrap_or_default(),
            territory,
            org,
        }),
        Err(e) => u.err(e).into_response(),
    }
}
