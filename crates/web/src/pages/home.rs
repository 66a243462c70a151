//! The workbench: what waits for me (the request lists I work from, with what is overdue or
//! nearly so), who I am, where my roles sit, and figures over my scope that open their lists.

use super::requests::tabs_of;
use super::{PageUser, Shell, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::requests::Status;
use jiceng_core::requests::sla::Light;
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::nodes;
use jiceng_store::requests::list::{self, Filter, View};

pub struct Figure {
    pub value: i64,
    /// The value is a lower bound: the list counts long general lists only so far (1000+).
    pub more: bool,
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
    /// (list label key, its figures): one group per request list the user works from.
    todo: Vec<(&'static str, Vec<Figure>)>,
    /// Submitting is a grid worker's or a resident's first task (网格发现, 群众点单): a button at
    /// the top of the workbench rather than an entry behind the phone's menu.
    can_submit: bool,
}

/// One figure of a list on the workbench: its label key and what it narrows the list to.
struct Slice {
    key: &'static str,
    status: Option<Status>,
    open_only: bool,
    light: Option<Light>,
}

const fn slice(key: &'static str, open_only: bool, light: Option<Light>) -> Slice {
    Slice {
        key,
        status: None,
        open_only,
        light,
    }
}

impl Slice {
    /// The list page of this figure: the same filter, in the list's query parameters.
    fn href(&self, view: &str) -> String {
        let mut h = format!("/requests?view={view}");
        if let Some(s) = self.status {
            h.push_str(&format!("&status={}", s.as_str()));
        }
        if self.open_only {
            h.push_str("&open=true");
        }
        if let Some(l) = self.light {
            h.push_str(&format!("&light={}", l.as_str()));
        }
        h
    }
}

/// What each list shows on the workbench. Every figure is the count of the list it opens.
fn slices(view: View) -> &'static [Slice] {
    const WAITING: &[Slice] = &[
        slice("home.todo.waiting", false, None),
        slice("home.todo.overdue", false, Some(Light::Red)),
        slice("home.todo.due_soon", false, Some(Light::Yellow)),
    ];
    const MINE: &[Slice] = &[
        slice("home.todo.open", true, None),
        Slice {
            status: Some(Status::Verified),
            ..slice("home.todo.to_rate", false, None)
        },
    ];
    const AREA: &[Slice] = &[
        slice("home.todo.open", true, None),
        slice("home.todo.overdue", true, Some(Light::Red)),
    ];
    match view {
        View::Queue | View::Inbox => WAITING,
        View::Mine => MINE,
        View::All => AREA,
    }
}

/// The to-do groups of the workbench, one per list the user has (`tabs_of`).
async fn todo(
    s: &AppState,
    u: &PageUser,
) -> jiceng_store::StoreResult<Vec<(&'static str, Vec<Figure>)>> {
    let t = u.tr();
    let viewer = u.p.request_viewer();
    let mut out = Vec::new();
    // The list the user works from first (the desk's queue, the unit's 待办), their own
    // requests last: a dispatcher may record requests, but it is not their work.
    let mut tabs = tabs_of(u);
    tabs.sort_by_key(|(v, _)| {
        ["queue", "inbox", "all", "mine"]
            .iter()
            .position(|x| x == v)
    });
    let others = tabs.len() > 1;
    for (view_name, label) in tabs {
        let Some(view) = View::parse(view_name) else {
            continue;
        };
        let label = if view == View::All {
            "home.todo.all"
        } else {
            label
        };
        let mut figures = Vec::new();
        for sl in slices(view) {
            let f = Filter {
                view,
                status: sl.status,
                open_only: sl.open_only,
                light: sl.light,
                ..Default::default()
            };
            let (_, total) =
                list::list(&s.db, &viewer, &f, Page::new(None, Some(1)), u.p.at).await?;
            figures.push(Figure {
                value: total.count,
                more: !total.exact,
                label: t.s(sl.key).to_owned(),
                href: sl.href(view_name),
            });
        }
        // Shown to whoever has only their own; to staff, only when they have some.
        if view != View::Mine || !others || figures.iter().any(|f| f.value > 0) {
            out.push((label, figures));
        }
    }
    Ok(out)
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
                more: false,
                label: t.kind(&c.kind).to_owned(),
                href: format!("/nodes?kind={}", c.kind),
            })
            .collect();
    }
    let todo = match todo(&s, &u).await {
        Ok(t) => t,
        Err(e) => return u.err(e).into_response(),
    };
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
        todo,
        can_submit: u.p.can(Permission::SubmitRequests),
    })
}
