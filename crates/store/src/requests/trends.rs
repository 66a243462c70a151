//! The dashboard's breakdowns (docs/RATES.md, "Dashboard"): a place's counters month by month,
//! and its requests by category. Months are months of submission, Beijing time, as everywhere.

use super::Requests;
use super::categories::RequestCategories as Cat;
use super::counters::RequestCounters as C;
use super::list::{metric_cond, month_start};
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
    if let Some(f) = from {
        q.and_where(Expr::col(C::Month).gte(f));
    }
    if let Some(t) = to {
        q.and_where(Expr::col(C::Month).lte(t));
    }
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
pub const CATEGORY_METRICS: [Metric; 3] = [Metric::Submitted, Metric::Closed, Metric::Overdue];

/// Requests under `place_path` submitted in months `from..=to`, by category, most submitted
/// first. The counters have no category dimension, so this counts the records — with the very
/// conditions of the list the figures link to (`list::metric_cond`), so they agree by
/// construction. Each count is a range scan of `requests_place` (place_path, submitted_at): its
/// cost is bounded by the place's requests in those months, not by the whole table.
pub async fn by_category(
    db: &Db,
    place_path: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<Vec<CategoryCounts>> {
    let r = Requests::Table;
    let mut by_id: BTreeMap<i64, CategoryCounts> = BTreeMap::new();
    for m in CATEGORY_METRICS {
        let mut q = Query::select();
        q.column((r, Requests::CategoryId))
            .column((Cat::Table, Cat::Name))
            .expr(Expr::cust("COUNT(*)"))
            .from(r)
            .inner_join(
                Cat::Table,
                Expr::col((Cat::Table, Cat::Id)).equals((r, Requests::CategoryId)),
            )
            .cond_where(under_path((r, Requests::PlacePath), place_path))
            .cond_where(metric_cond(m))
            .group_by_col((r, Requests::CategoryId))
            .group_by_col((Cat::Table, Cat::Name));
        if let Some(t) = from.and_then(|f| month_start(f, false)) {
            q.and_where(Expr::col((r, Requests::SubmittedAt)).gte(t));
        }
        if let Some(t) = to.and_then(|t| month_start(t, true)) {
            q.and_where(Expr::col((r, Requests::SubmittedAt)).lt(t));
        }
        let rows: Vec<(i64, String, i64)> = db.all(&q).await?;
        for (id, name, n) in rows {
            let c = by_id.entry(id).or_insert_with(|| CategoryCounts {
                category_id: id,
                name,
                submitted: 0,
                closed: 0,
                overdue: 0,
            });
            match m {
                Metric::Submitted => c.submitted = n,
                Metric::Closed => c.closed = n,
                _ => c.overdue = n,
            }
        }
    }
    let mut out: Vec<CategoryCounts> = by_id.into_values().collect();
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
