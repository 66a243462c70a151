//! The dashboard's breakdowns (docs/RATES.md, "Dashboard"): a place's counters month by month,
//! and its requests by category. Months are months of submission, Beijing time, as everywhere.

use super::categories::RequestCategories as Cat;
use super::counters::RequestCounters as C;
use crate::db::Db;
use crate::error::StoreResult;
use crate::under_path;
use jiceng_core::requests::rates::Metric;
use sea_query::{Expr, ExprTrait, Order, Query};
use std::collections::BTreeMap;

/// Metric name → value, for one month.
pub type MonthCounts = BTreeMap<String, i64>;

/// The counters of `kind` for one `key` (a node path or a unit id), month by month, over
/// `from..=to` (`YYYY-MM`; `None` for no bound). Months without any request are absent.
pub async fn by_month(
    db: &Db,
    kind: &str,
    key: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<BTreeMap<String, MonthCounts>> {
    let mut q = Query::select();
    q.columns([C::Month, C::Metric])
        // A plain SUM is NUMERIC on PostgreSQL; the cast keeps it an i64 on both engines.
        .expr(Expr::cust("CAST(SUM(value) AS BIGINT)"))
        .from(C::Table)
        .and_where(Expr::col(C::Kind).eq(kind))
        .and_where(Expr::col(C::Key).eq(key))
        .group_by_col(C::Month)
        .group_by_col(C::Metric);
    q.cond_where(super::counters::in_months(from, to));
    let rows: Vec<(String, String, i64)> = db.all(&q).await?;
    let mut out: BTreeMap<String, MonthCounts> = BTreeMap::new();
    for (month, metric, n) in rows {
        out.entry(month).or_default().insert(metric, n);
    }
    Ok(out)
}

/// One category's requests under a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCounts {
    pub category_id: i64,
    pub name: String,
    pub submitted: i64,
    pub closed: i64,
    pub overdue: i64,
}

/// The figures the by-category chart shows, in the order of its bars.
pub use super::counters::CATEGORY_METRICS;

/// Requests under `place_path` submitted in months `from..=to`, by category, most submitted
/// first: the place's `place_category` counters, kept with the records by the same conditions
/// as the list the figures link to (`rates::metrics`, checked by `jiceng recount`). It read the
/// records before: 1.5 s for the demo county's year, on the page a district admin opens first.
pub async fn by_category(
    db: &Db,
    place_path: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<Vec<CategoryCounts>> {
    let paths = super::place_category::counted_paths(db, place_path).await?;
    let counts =
        super::place_category::by_category(db, &paths, &CATEGORY_METRICS, from, to).await?;
    let mut out: Vec<CategoryCounts> = Vec::new();
    if counts.is_empty() {
        return Ok(out);
    }
    let names: Vec<(i64, String)> = db
        .all(
            &Query::select()
                .columns([Cat::Id, Cat::Name])
                .from(Cat::Table)
                .and_where(Expr::col(Cat::Id).is_in(counts.keys().copied()))
                .to_owned(),
        )
        .await?;
    for (id, name) in names {
        let figure = |m: Metric| {
            counts
                .get(&id)
                .and_then(|c| c.get(m.as_str()))
                .copied()
                .unwrap_or(0)
        };
        let c = CategoryCounts {
            category_id: id,
            name,
            submitted: figure(Metric::Submitted),
            closed: figure(Metric::Closed),
            overdue: figure(Metric::Overdue),
        };
        if c.submitted != 0 || c.closed != 0 || c.overdue != 0 {
            out.push(c);
        }
    }
    out.sort_by(|a, b| b.submitted.cmp(&a.submitted).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// The grids at or under `place_path` (by path, so grouped by community), at most `limit`:
/// (node id, name, path). The heat map reads their `overdue` and `submitted` counters.
pub async fn grids_under(
    db: &Db,
    place_path: &str,
    limit: u64,
) -> StoreResult<Vec<(i64, String, String)>> {
    use crate::nodes::Nodes;
    db.all(
        &Query::select()
            .columns([Nodes::Id, Nodes::Name, Nodes::Path])
            .from(Nodes::Table)
            .cond_where(under_path(Nodes::Path, place_path))
            .and_where(Expr::col(Nodes::Kind).eq(jiceng_core::node::NodeKind::Grid.as_str()))
            .order_by(Nodes::Path, Order::Asc)
            .limit(limit)
            .to_owned(),
    )
    .await
}
