//! 数据看板: a place's rates (docs/RATES.md) over a range of months, with the monthly trend, the
//! breakdown by category, the ranking of the places (and units) under it and the overdue heat of
//! its grids. Every number is a link to the request list it counts — the same filters as the
//! API's `list`, opened on the list page, which names the figure ("统计口径").

use super::dashboard_charts::{self as charts, Categories, Heat, Trend, percent};
use super::i18n::Lang;
use super::{PageUser, Shell, render};
use crate::AppState;
use crate::api::exports::{headers, xlsx};
use crate::api::requests::list::month;
use crate::api::requests::rates::{self, Figure, FigureRow, Rates, RatesQuery};
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiceng_core::node::NodeKind;
use jiceng_core::requests::rates::{Metric, Rate};
use jiceng_core::requests::sla::local;
use jiceng_core::role::Permission;
use jiceng_io::Table;
use jiceng_store::nodes::{self, Node};
use jiceng_store::requests::counters::PLACE;
use jiceng_store::requests::figures;
use jiceng_store::requests::trends::{self, CategoryCounts, MonthCounts};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/dashboard", get(show))
        .route("/dashboard/export.xlsx", get(export))
}

/// More months than this would make bars a pixel wide; five years is plenty for a trend.
const MAX_MONTHS: usize = 60;
/// Grids drawn in the heat map; a district has a few hundred.
const MAX_GRIDS: u64 = 400;

#[derive(Deserialize, Default)]
pub struct DashQ {
    node_id: Option<i64>,
    month_from: Option<String>,
    month_to: Option<String>,
}

/// A figure as a link: its value opens the list behind it.
pub struct Link {
    pub label: String,
    pub value: i64,
    pub href: String,
}

pub struct RateCell {
    pub label: String,
    pub value: String,
    pub num: Link,
    pub den: Link,
}

/// A ranking table: its element id, title and note (string keys) and rows.
pub struct RankTable {
    pub id: &'static str,
    pub title: &'static str,
    pub note: &'static str,
    pub rows: Vec<RankRow>,
    /// Rows left out for having no request in the range (units only; the export keeps them).
    pub idle: usize,
}

pub struct RankRow {
    pub rank: String,
    pub name: String,
    /// The dashboard of this place (places down to grids), none for units.
    pub drill: Option<String>,
    pub submitted: Link,
    pub rates: Vec<RateCell>,
}

fn label(lang: Lang, m: Metric) -> String {
    match lang {
        Lang::Zh => m.label_zh(),
        Lang::En => m.label_en(),
    }
    .to_owned()
}

/// The API's list URL, opened on the list page instead.
fn page_href(f: &Figure) -> String {
    f.list
        .replacen("/api/v1/requests?", "/requests?view=all&", 1)
}

fn link(lang: Lang, f: &Figure) -> Link {
    Link {
        label: Metric::parse(f.metric).map_or_else(|| f.label.to_owned(), |m| label(lang, m)),
        value: f.value,
        href: page_href(f),
    }
}

fn rate_cells(lang: Lang, r: &FigureRow) -> Vec<RateCell> {
    r.rates
        .iter()
        .map(|v| RateCell {
            label: Rate::parse(v.rate).map_or_else(
                || v.label.to_owned(),
                |r| match lang {
                    Lang::Zh => r.label_zh().to_owned(),
                    Lang::En => r.label_en().to_owned(),
                },
            ),
            value: percent(v.per_mille),
            num: link(lang, &v.numerator),
            den: link(lang, &v.denominator),
        })
        .collect()
}

fn figure(r: &FigureRow, m: Metric) -> Option<&Figure> {
    r.figures.iter().find(|f| f.metric == m.as_str())
}

fn rank_row(lang: Lang, r: &FigureRow, (from, to): (&str, &str), kinds: &[Node]) -> RankRow {
    let drillable = r.node_id.and_then(|id| {
        let n = kinds.iter().find(|n| n.id == id)?;
        let rank = NodeKind::parse(&n.kind)?.rank();
        (rank <= NodeKind::Grid.rank()).then_some(id)
    });
    RankRow {
        rank: r.rank.map_or_else(|| "—".into(), |n| n.to_string()),
        name: r.name.clone(),
        drill: drillable
            .map(|id| format!("/dashboard?node_id={id}&month_from={from}&month_to={to}")),
        submitted: figure(r, Metric::Submitted).map_or_else(
            || Link {
                label: label(lang, Metric::Submitted),
                value: 0,
                href: String::new(),
            },
            |f| link(lang, f),
        ),
        rates: rate_cells(lang, r),
    }
}

/// Everything the page and the export show, read once.
struct Loaded {
    node: Node,
    crumbs: Vec<Node>,
    from: String,
    to: String,
    months: Vec<String>,
    places: Rates,
    kids: Vec<Node>,
    units: Option<Rates>,
    trend: BTreeMap<String, MonthCounts>,
    cats: Vec<CategoryCounts>,
    /// (node id, name, overdue, submitted)
    grids: Vec<(i64, String, i64, i64)>,
}

fn bad_range(msg: &str) -> AppError {
    AppError::bad_request("invalid_month_range", "month_from", msg)
}

async fn load(s: &AppState, u: &PageUser, q: &DashQ, full: bool) -> Result<Loaded, AppError> {
    let scope = u.p.scope(Permission::ViewRequests)?;
    let node = match q.node_id {
        Some(id) => nodes::get(&s.db, &scope, id).await?,
        None => nodes::scope_roots(&s.db, &scope)
            .await?
            .into_iter()
            .next()
            .ok_or_else(AppError::not_found)?,
    };
    // Default: the last twelve months, this one included (Beijing time).
    let now = local(u.p.at).date();
    let to = month(&q.month_to, "month_to")?.unwrap_or_else(|| now.format("%Y-%m").to_string());
    let from = match month(&q.month_from, "month_from")? {
        Some(m) => m,
        None => chrono::NaiveDate::parse_from_str(&format!("{to}-01"), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.checked_sub_months(chrono::Months::new(11)))
            .map_or_else(|| to.clone(), |d| d.format("%Y-%m").to_string()),
    };
    let months = charts::months(&from, &to).unwrap_or_default();
    if months.is_empty() {
        return Err(bad_range("起始月份不能晚于截止月份"));
    }
    if months.len() > MAX_MONTHS {
        return Err(bad_range("月份范围最多60个月"));
    }
    let rq = |by: &str| RatesQuery {
        node_id: Some(node.id),
        month_from: Some(from.clone()),
        month_to: Some(to.clone()),
        by: Some(by.to_owned()),
        rank_by: None,
    };
    let places = rates::compute(s, &u.p, &rq("children")).await?;
    let units = Some(rates::compute(s, &u.p, &rq("units")).await?).filter(|r| !r.rows.is_empty());
    let kid_ids: Vec<i64> = places.rows.iter().filter_map(|r| r.node_id).collect();
    let kids = nodes::by_ids(&s.db, kid_ids).await?;
    let crumbs = nodes::visible_ancestors(&s.db, &scope, &node).await?;
    let (f, t) = (Some(from.as_str()), Some(to.as_str()));
    let (trend, cats, grids) = if full {
        let trend = trends::by_month(&s.db, PLACE, &node.path, f, t).await?;
        let cats = trends::by_category(&s.db, &node.path, f, t).await?;
        let grid_nodes = trends::grids_under(&s.db, &node.path, MAX_GRIDS).await?;
        let paths: Vec<String> = grid_nodes.iter().map(|g| g.2.clone()).collect();
        let heat = [Metric::Overdue, Metric::Submitted];
        let counts = figures::read_only(&s.db, PLACE, &paths, (f, t), &heat).await?;
        let grids = grid_nodes
            .into_iter()
            .map(|(id, name, path)| {
                let c = counts.get(&path);
                let get = |m: Metric| c.and_then(|c| c.get(m.as_str())).copied().unwrap_or(0);
                (id, name, get(Metric::Overdue), get(Metric::Submitted))
            })
            .collect();
        (trend, cats, grids)
    } else {
        Default::default()
    };
    Ok(Loaded {
        node,
        crumbs,
        from,
        to,
        months,
        places,
        kids,
        units,
        trend,
        cats,
        grids,
    })
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    node: Node,
    crumbs: Vec<Node>,
    from: String,
    to: String,
    rates: Vec<RateCell>,
    figures: Vec<Link>,
    trend: Trend,
    cats: Categories,
    cat_labels: [String; 3],
    tables: Vec<RankTable>,
    heat: Heat,
    grids_capped: bool,
    export_href: String,
}

/// The places under the dashboard's place, then the units (for callers who see any).
fn tables(lang: Lang, d: &Loaded, span: (&str, &str)) -> Vec<RankTable> {
    let mut out = vec![RankTable {
        id: "rank-places",
        title: "dashboard.rank_places",
        note: "dashboard.rank.note",
        rows: d
            .places
            .rows
            .iter()
            .map(|r| rank_row(lang, r, span, &d.kids))
            .collect(),
        idle: 0,
    }];
    if let Some(units) = &d.units {
        // Every organisation in scope can lead requests, so a county lists hundreds of
        // property companies and committees that led none in the range (the demo's admin got
        // 500 such rows, 1.1 MB of the page); a place without requests is news, they are not.
        let led = |r: &&FigureRow| figure(r, Metric::Submitted).is_some_and(|f| f.value > 0);
        let rows: Vec<RankRow> = units
            .rows
            .iter()
            .filter(led)
            .map(|r| rank_row(lang, r, span, &[]))
            .collect();
        out.push(RankTable {
            id: "rank-units",
            title: "dashboard.rank_units",
            note: "dashboard.units.note",
            idle: units.rows.len() - rows.len(),
            rows,
        });
    }
    out
}

pub async fn show(State(s): State<AppState>, u: PageUser, Query(q): Query<DashQ>) -> Response {
    let d = match load(&s, &u, &q, true).await {
        Ok(d) => d,
        Err(e) => return u.err(e).into_response(),
    };
    let lang = u.lang;
    let span = (d.from.as_str(), d.to.as_str());
    let filter = format!("node_id={}", d.node.id);
    let cat_labels = [Metric::Submitted, Metric::Closed, Metric::Overdue].map(|m| label(lang, m));
    let cats = charts::categories(
        [&cat_labels[0], &cat_labels[1], &cat_labels[2]].map(String::as_str),
        &filter,
        span,
        &d.cats,
        15,
    );
    let heat = charts::heat(&label(lang, Metric::Overdue), span, &d.grids);
    render(&DashboardPage {
        shell: u.shell("dashboard.title", "/dashboard"),
        rates: rate_cells(lang, &d.places.total),
        figures: d
            .places
            .total
            .figures
            .iter()
            .map(|f| link(lang, f))
            .collect(),
        trend: charts::trend(lang, &filter, &d.months, &d.trend),
        cats,
        cat_labels,
        tables: tables(lang, &d, span),
        heat,
        grids_capped: d.grids.len() as u64 >= MAX_GRIDS,
        export_href: format!(
            "/dashboard/export.xlsx?node_id={}&month_from={}&month_to={}",
            d.node.id, d.from, d.to
        ),
        node: d.node,
        crumbs: d.crumbs,
        from: d.from,
        to: d.to,
    })
}

/// The place's figures and the ranking as Excel: one row for the place, one per place under
/// it, one per unit; every figure and every rate, with Chinese headers.
pub async fn export(State(s): State<AppState>, u: PageUser, Query(q): Query<DashQ>) -> Response {
    let r = async {
        let d = load(&s, &u, &q, false).await?;
        let mut head = vec!["分组", "排名", "名称"];
        head.extend(Metric::ALL.iter().map(|m| m.label_zh()));
        head.extend(Rate::ALL.iter().map(|r| r.label_zh()));
        let line = |group: &str, r: &FigureRow| {
            let mut v = vec![
                group.to_owned(),
                r.rank.map(|n| n.to_string()).unwrap_or_default(),
                r.name.clone(),
            ];
            v.extend(Metric::ALL.iter().map(|m| {
                figure(r, *m)
                    .map(|f| f.value.to_string())
                    .unwrap_or_default()
            }));
            v.extend(r.rates.iter().map(|x| percent(x.per_mille)));
            v
        };
        let mut rows = vec![line("本级", &d.places.total)];
        rows.extend(d.places.rows.iter().map(|r| line("下级", r)));
        if let Some(units) = &d.units {
            rows.extend(units.rows.iter().map(|r| line("承办单位", r)));
        }
        let table = Table {
            title: "数据看板".into(),
            headers: headers(&head),
            rows,
        };
        xlsx(
            &table,
            &format!("数据看板-{}-{}至{}.xlsx", d.node.name, d.from, d.to),
        )
    }
    .await;
    r.unwrap_or_else(|e| u.err(e).into_response())
}
