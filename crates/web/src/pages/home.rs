//! The workbench: who I am, where my roles sit, and figures over my scope that open their lists.

use super::{PageUser, Shell, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Permission;
use jiceng_store::nodes;

pub struct Figure {
    pub value: i64,
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    roles: Vec<(String, String, i64)>,
    can_nodes: bool,
    figures: Vec<Figure>,
}

pub async fn show(State(s): State<AppState>, u: PageUser) -> Response {
    let t = u.tr();
    let mut figures = Vec::new();
    let can_nodes = u.p.can(Permission::ViewNodes);
    if can_nodes {
        let scope = match u.p.scope(Permission::ViewNodes) {
            Ok(sc) => sc,
            Err(e) => return u.err(e).into_response(),
        };
        let mut counts = match nodes::count_by_kind(&s.db, &scope).await {
            Ok(c) => c,
            Err(e) => return u.err(e).into_response(),
        };
        counts.sort_by_key(|c| {
            NodeKind::parse(&c.kind).map(|k| (k.tree().map(|t| t.as_str()), k.rank()))
        });
        figures = counts
            .into_iter()
            .map(|c| Figure {
                value: c.count,
                label: t.kind(&c.kind).to_owned(),
                href: format!("/nodes?kind={}", c.kind),
            })
            .collect();
    }
    let roles =
        u.p.grants
            .iter()
            .map(|g| (t.role(g.role).to_owned(), g.node_name.clone(), g.node_id))
            .collect();
    render(&HomePage {
        shell: u.shell("nav.home", "/"),
        roles,
        can_nodes,
        figures,
    })
}
