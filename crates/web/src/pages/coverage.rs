//! The coverage page: per street and community, the figures the seeds' "全覆盖" goals are judged
//! by, each a link to the very records it counts.

use super::i18n::Lang;
use super::node_links::Line;
use super::{PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::coverage::{ListLine, list_file_name, list_lines, list_table, parse_measure};
use crate::api::exports::xlsx;
use crate::api::roster::Roster;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::org::MemberCategory;
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::coverage::{self, Measure};
use jiceng_store::nodes::{self, Node};
use serde::Deserialize;

pub struct Row {
    pub node_id: i64,
    pub name: String,
    /// (measure, figure, whether the figure opens its list for this user).
    pub cells: Vec<(&'static str, i64, bool)>,
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    shell: Shell,
    node: Node,
    norm: String,
    headers: Vec<String>,
    rows: Vec<Row>,
    /// (base path, i18n key) of the rosters this user may import: what fills these figures.
    imports: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub struct CoverageQ {
    node_id: Option<i64>,
}

fn measure_label(u: &PageUser, m: Measure) -> String {
    u.tr().s(&format!("coverage.{}", m.as_str())).to_owned()
}

pub async fn show(State(s): State<AppState>, u: PageUser, Query(q): Query<CoverageQ>) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let node_id = match q.node_id {
            Some(id) => id,
            None => nodes::scope_roots(&s.db, &scope)
                .await?
                .first()
                .map(|n| n.id)
                .ok_or_else(AppError::not_found)?,
        };
        let node = nodes::get(&s.db, &scope, node_id).await?;
        let norm = crate::api::orgs::norm(&s).await?;
        let table = coverage::table(&s.db, &scope, node.id, &norm).await?;
        Ok::<_, AppError>((node, norm, table))
    }
    .await;
    let (node, norm, table) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    // The party members behind a figure are personal data: a party member sees how many, a
    // link only for those who may read the names (the list would be a 403).
    let names = u.p.can(Permission::ViewPartyMembers);
    let rows = table
        .into_iter()
        .map(|r| Row {
            node_id: r.node_id,
            name: r.name,
            cells: Measure::ALL
                .iter()
                .map(|m| {
                    let n = r.figures.get(m.as_str()).copied().unwrap_or(0);
                    (m.as_str(), n, *m != Measure::PartyMembers || names)
                })
                .collect(),
        })
        .collect();
    render(&CoveragePage {
        shell: u.shell("coverage.title", "/coverage"),
        headers: Measure::ALL.iter().map(|m| measure_label(&u, *m)).collect(),
        node,
        norm: norm.label(),
        rows,
        // Places first: the grids and estates the other rosters hang on.
        imports: [
            Roster::Places,
            Roster::PartyMembers,
            Roster::GridStaff,
            Roster::Organisations,
        ]
        .into_iter()
        .filter(|r| u.p.can(r.permission()))
        .map(|r| (r.base(), r.key()))
        .collect(),
    })
}

#[derive(Template)]
#[template(path = "coverage_list.html")]
struct ListPage {
    shell: Shell,
    node: Node,
    measure: String,
    /// The export of the whole list, with the same filters.
    export_href: String,
    lines: Vec<Line>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ListQ {
    node_id: i64,
    measure: String,
    page: Option<u64>,
    page_size: Option<u64>,
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let page = Page::new(q.page, q.page_size);
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let m = parse_measure(&q.measure)?;
        let node = nodes::get(&s.db, &scope, q.node_id).await?;
        let (lines, total) = list_lines(&s, &u.p, &scope, &node, m, page).await?;
        Ok::<_, AppError>((node, m, lines, total, scope))
    }
    .await;
    let (node, m, lines, total, scope) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let t = u.tr();
    let lines = lines
        .into_iter()
        .map(|l| match l {
            // A branch under a grid lies in the organisation tree, which a grid worker may not
            // open: its name without a link.
            ListLine::Node(n) => Line {
                href: scope.contains(&n.path).then(|| format!("/nodes/{}", n.id)),
                cells: vec![n.name, t.kind(&n.kind).to_owned(), n.code],
            },
            ListLine::Member(p) => {
                let category = MemberCategory::parse(&p.category).map_or("—", |c| match u.lang {
                    Lang::Zh => c.label_zh(),
                    Lang::En => c.label_en(),
                });
                Line {
                    href: Some(format!("/residents/{}", p.resident_id)),
                    cells: vec![p.name, category.to_owned()],
                }
            }
        })
        .collect();
    let filters = format!("node_id={}&measure={}", node.id, m.as_str());
    render(&ListPage {
        shell: u.shell("coverage.title", "/coverage"),
        measure: measure_label(&u, m),
        export_href: format!("/coverage/list/export.xlsx?{filters}"),
        pager: Pager::new(&format!("/coverage/list?{filters}&"), page, total),
        node,
        lines,
    })
}

#[derive(Deserialize)]
pub struct ExportQ {
    node_id: i64,
    measure: String,
}

/// The list behind a figure as an Excel file: the page's rows, all of them.
pub async fn list_xlsx(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<ExportQ>,
) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewNodes)?;
        let m = parse_measure(&q.measure)?;
        let node = nodes::get(&s.db, &scope, q.node_id).await?;
        let t = list_table(&s, &u.p, &scope, &node, m).await?;
        xlsx(&t, &list_file_name(&node, m))
    }
    .await;
    r.unwrap_or_else(|e| u.err(e).into_response())
}
