//! The list's total: the place counters for what lies in the viewer's places, plus a count of
//! what lies outside them; a filter the counters cannot answer is counted up to `COUNT_CAP`.

use super::*;

/// `COUNT(*)` of the union of `streams` (each cut at the read's limit).
fn count(read: &Read<'_>, streams: &[Stream]) -> SelectStatement {
    let union = read
        .union(streams)
        .expect("the requester stream is always there");
    Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(union, Alias::new("u"))
        .to_owned()
}

/// How a list's total is read: the numbers asked in the same call as its page
/// (`Db::all_packed_with`), then `total`.
pub(super) enum Plan {
    /// The counters' sum over the place streams, and a count of the rest.
    Counters,
    /// A count of everything, capped.
    Capped,
}

pub(super) fn plan(
    read: &Read<'_>,
    all: &[Stream],
) -> (Plan, (SelectStatement, Option<SelectStatement>)) {
    let capped = Read {
        limit: COUNT_CAP + 1,
        ..*read
    };
    // The place streams' part from the counters (one row per place, however long the
    // history), the rest — what lies outside those places: one's own requests elsewhere, desks
    // and units reaching across — counted from its streams.
    let keys = place_keys_of(all);
    match counter_sum(read.viewer, read.f, &keys) {
        Some(sum) => {
            let rest: Vec<Stream> = all
                .iter()
                .filter(|s| !matches!(s, Stream::Place(_)))
                .cloned()
                .collect();
            let extra = Read {
                outside: &keys,
                ..capped
            };
            (Plan::Counters, (sum, Some(count(&extra, &rest))))
        }
        None => (Plan::Capped, (count(&capped, all), None)),
    }
}

fn place_keys_of(all: &[Stream]) -> Vec<String> {
    all.iter()
        .filter_map(|s| match s {
            Stream::Place(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

/// The total from the plan's two numbers; a count of its own only when more than
/// `COUNT_CAP` lie outside the counted places.
pub(super) async fn total(
    db: &Db,
    read: &Read<'_>,
    all: &[Stream],
    plan: &Plan,
    [first, second]: [i64; 2],
) -> StoreResult<Total> {
    let cap = COUNT_CAP as i64;
    let n = if let Plan::Counters = plan {
        if second <= cap {
            return Ok(Total {
                count: first + second,
                exact: true,
            });
        }
        let capped = Read {
            limit: COUNT_CAP + 1,
            ..*read
        };
        db.scalar(&count(&capped, all)).await?
    } else {
        first
    };
    Ok(Total::up_to(n, COUNT_CAP))
}

/// The sum the counters hold of the list at the places `keys` (the viewer's places narrowed to
/// the filter's `under`), as a one-value query, when the filter asks for nothing but a figure
/// and months: the all-time totals without months, the monthly rows in range with them.
fn counter_sum(viewer: &Viewer, f: &Filter, keys: &[String]) -> Option<SelectStatement> {
    use jiceng_core::requests::Status;
    // A status or "open" that is itself a figure, with no other figure asked for.
    let as_figure = match (f.metric, f.status, f.open_only) {
        (m, None, false) => Some(m.unwrap_or(Metric::Submitted)),
        (None, Some(Status::Closed), false) => Some(Metric::Closed),
        (None, Some(Status::Declined), false) => Some(Metric::Declined),
        (None, None, true) => Some(Metric::Open),
        _ => None,
    };
    let only_figure = f.category_id.is_none()
        && f.light.is_none()
        && f.unit.is_none()
        && f.from.is_none()
        && f.to.is_none();
    let (Some(metric), true, true) = (as_figure, only_figure, viewer.places.is_some()) else {
        return None;
    };
    let metric = metric.as_str();
    let sum = Expr::cust("CAST(COALESCE(SUM(value), 0) AS BIGINT)");
    let q = match &f.months {
        (None, None) => Query::select()
            .expr(sum)
            .from(T::Table)
            .and_where(Expr::col(T::Kind).eq("place"))
            .and_where(at_keys(T::Key, keys))
            .and_where(Expr::col(T::Metric).eq(metric))
            .to_owned(),
        (from, to) => Query::select()
            .expr(sum)
            .from(C::Table)
            .and_where(Expr::col(C::Kind).eq("place"))
            .and_where(at_keys(C::Key, keys))
            .and_where(Expr::col(C::Metric).eq(metric))
            .cond_where(super::super::counters::in_months(
                from.as_deref(),
                to.as_deref(),
            ))
            .to_owned(),
    };
    Some(q)
}

/// `key IN keys`. The counters keep no root: for the root, everything is the sum of the
/// places right below it, asked in the same query.
fn at_keys<K: sea_query::Iden + 'static>(key: K, keys: &[String]) -> Expr {
    use crate::nodes::Nodes;
    if !keys.iter().any(|k| k == ROOT_PATH) {
        return Expr::col(key).is_in(keys.iter().cloned());
    }
    let root = Query::select()
        .column(Nodes::Id)
        .from(Nodes::Table)
        .and_where(Expr::col(Nodes::Path).eq(ROOT_PATH))
        .to_owned();
    Expr::col(key).in_subquery(
        Query::select()
            .column(Nodes::Path)
            .from(Nodes::Table)
            .and_where(Expr::col(Nodes::ParentId).in_subquery(root))
            .to_owned(),
    )
}
