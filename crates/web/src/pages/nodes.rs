//! Browsing the territory and organisation trees within scope, and adding nodes.

use super::{CsrfForm, PageUser, Pager, Shell, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::{PathId, Query};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::nodes::{self, NewNode, Node};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "nodes.html")]
struct NodesPage {
    shell: Shell,
    /// The `?kind=` shown, for the export link ("" for the scope's roots).
    kind: String,
    kind_label: Option<String>,
    items: Vec<Node>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct NodesQuery {
    kind: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

/// The roots of my scope, or with `?kind=` every node of that kind in it.
pub async fn roots(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<NodesQuery>,
) -> Response {
    let scope = match u.p.scope(Permission::ViewNodes) {
        Ok(sc) => sc,
        Err(e) => return u.err(e).into_response(),
    };
    let page = Page::new(q.page, q.page_size);
    let kind = q.kind.as_deref().filter(|k| !k.is_empty());
    let (items, total, base, kind_label) = match kind {
        Some(k) => {
            let Some(kind) = NodeKind::parse(k) else {
                return u
                    .err(AppError::bad_request(
                        "invalid_kind",
                        "kind",
                        "节点类型不正确",
                    ))
                    .into_response();
            };
            match nodes::by_kind(&s.db, &scope, kind, page).await {
                Ok((items, total)) => (
                    items,
                    total,
                    format!("/nodes?kind={k}&"),
                    Some(u.tr().kind(k).to_owned()),
                ),
                Err(e) => return u.err(e).into_response(),
            }
        }
        None => match nodes::scope_roots(&s.db, &scope).await {
            Ok(items) => {
                let n = i64::try_from(items.len()).unwrap_or(0);
                (items, n, "/nodes?".to_owned(), None)
            }
            Err(e) => return u.err(e).into_response(),
        },
    };
    let pager = Pager::new(&base, page, total);
    render(&NodesPage {
        shell: u.shell("nodes.title", "/nodes"),
        kind: kind.unwrap_or_default().to_owned(),
        kind_label,
        items,
        pager,
    })
}

#[derive(Template)]
#[template(path = "node.html")]
struct NodePage {
    shell: Shell,
    node: Node,
    ancestors: Vec<Node>,
    children: Vec<Node>,
    pager: Pager,
    can_create: bool,
    kinds: Vec<(&'static str, &'static str)>,
    links: super::node_links::NodeLinks,
    /// Other parents of the same kind as the current one, inside the caller's reach.
    move_choices: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct PageQ {
    page: Option<u64>,
    page_size: Option<u64>,
}

async fn node_page(s: &AppState, u: &PageUser, id: i64, page: Page) -> Result<NodePage, AppError> {
    let scope = u.p.scope(Permission::ViewNodes)?;
    let node = nodes::get(&s.db, &scope, id).await?;
    let ancestors = nodes::visible_ancestors(&s.db, &scope, &node).await?;
    let (children, total) = nodes::children(&s.db, &scope, id, page).await?;
    let can_create =
        u.p.scope(Permission::ManageNodes)
            .is_ok_and(|m| m.contains(&node.path));
    let parent_kind = NodeKind::parse(&node.kind).unwrap_or(NodeKind::Root);
    let t = u.tr();
    let kinds = NodeKind::ALL
        .iter()
        .filter(|k| k.may_hang_under(parent_kind))
        .map(|k| (k.as_str(), t.kind(k.as_str())))
        .collect();
    let links = super::node_links::load(s, u, &node).await?;
    let mut move_choices = Vec::new();
    if let (true, Ok(manage), Some(parent_id)) = (
        can_create,
        u.p.scope(Permission::ManageNodes),
        node.parent_id,
    ) {
        let parent = nodes::get(&s.db, &manage, parent_id).await.ok();
        if let Some(pk) = parent
            .as_ref()
            .and_then(|p| NodeKind::parse(&p.kind))
            .filter(|k| *k != NodeKind::Root)
        {
            move_choices = nodes::choices(&s.db, &manage, &[pk], 500)
                .await?
                .into_iter()
                .filter(|c| Some(c.id) != node.parent_id)
                .map(|c| (c.id.to_string(), c.name))
                .collect();
        }
    }
    Ok(NodePage {
        links,
        move_choices,
        shell: u.shell("nodes.title", "/nodes"),
        pager: Pager::new(&format!("/nodes/{id}?"), page, total),
        node,
        ancestors,
        children,
        can_create,
        kinds,
    })
}

pub async fn show(
    State(s): State<AppState>,
    u: PageUser,
    PathId(id): PathId,
    Query(q): Query<PageQ>,
) -> Response {
    match node_page(&s, &u, id, Page::new(q.page, q.page_size)).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct NewNodeForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

pub async fn create_child(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<NewNodeForm>,
) -> Response {
    let u = &f.user;
    let result = async {
        let scope = u.p.scope(Permission::ManageNodes)?;
        let new = NewNode::parse(id, &f.form.kind, &f.form.code, &f.form.name)?;
        Ok::<_, AppError>(nodes::create(&s.db, &scope, &u.p.actor(), new).await?)
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/nodes/{id}")).into_response(),
        // Validation errors re-show the node page with the message; access errors are error pages.
        Err(e) if e.status.as_u16() == 400 || e.status.as_u16() == 409 => {
            match node_page(&s, u, id, Page::new(None, None)).await {
                Ok(mut p) => {
                    p.shell.error = Some(e.message);
                    let mut r = render(&p);
                    *r.status_mut() = e.status;
                    r
                }
                Err(e2) => u.err(e2).into_response(),
            }
        }
        Err(e) => u.err(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    parent_id: String,
}

/// Hands a node (and all under it) to another parent: a community to another street.
pub async fn move_node(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<MoveForm>,
) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::ManageNodes)?;
        let parent: i64 =
            f.form.parent_id.trim().parse().map_err(|_| {
                AppError::bad_request("invalid_type", "parent_id", "请选择新的上级")
            })?;
        Ok::<_, AppError>(
            jiceng_store::moves::move_node(&s.db, &scope, &u.p.actor(), id, parent).await?,
        )
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/nodes/{id}")).into_response(),
        Err(e) => u.err(e).into_response(),
    }
}
