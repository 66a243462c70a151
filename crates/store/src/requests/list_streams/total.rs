//! The list's total: the place counters for what lies in the viewer's places, plus a count of
//! what lies outside them; a filter the counters cannot answer is counted up to `COUNT_CAP`.

use super::*;

/// How many requests the union of `streams` holds, up to `COUNT_CAP + 1`.
async fn count(db: &Db, read: &Read<'_>, streams: &[Stream]) -> StoreResult<i64> {
    let Some(union) = read.union(streams) else {
        return Ok(0);
    };
    db.scalar(
        &Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(union, Alias::new("u"))
            .to_owned(),
    )
    .await
}

pub(super) async fn total(db: &Db, read: &Read<'_>, all: &[Stream]) -> StoreResult<Total> {
    let cap = COUNT_CAP as i64;
    let capped = Read {
        limit: COUNT_CAP + 1,
        ..*read
    };
    // The place streams' part from the counters (one row per place, however long the
    // history), the rest — what lies outside those places: one's own requests elsewhere, desks
    // and units reaching across — counted from its streams.
    let keys: Vec<String> = all
        .iter()
        .filter_map(|s| match s {
            Stream::Place(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    if let Some(sum) = counter_sum(db, read.viewer, read.f, &keys).await? {
        let rest: Vec<Stream> = all
            .iter()
            .filter(|s| !matches!(s, Stream::Place(_)))
            .cloned()
            .collect();
        let extra = Read {
            outside: &keys,
            ..capped
        };
        let union = extra
            .union(&rest)
            .expect("the requester stream is always there");
        let outside = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(union, Alias::new("x"))
            .to_owned();
        // Both in one query: one round trip instead of two.
        let (counted, m): (i64, i64) = db
            .optional(
                &Query::select()
                    .expr(Expr::SubQuery(None, Box::new(sum.into())))
                    .expr(Expr::SubQuery(None, Box::new(outside.into())))
                    .to_owned(),
            )
            .await?
            .unwrap_or((0, cap + 1));
        if m <= cap {
            return Ok(Total {
                count: counted + m,
                exact: true,
            });
        }
    }
    let n = count(db, &capped, all).await?;
    Ok(Total {
        count: Ord::min(n, cap),
        exact: n <= cap,
    })
}

/// The sum the counters hold of the list at the places `keys` (the viewer's places narrowed to
/// the filter's `under`), as a one-value query, when the filter asks for nothing but a figure
/// and months: the all-time totals without months, the monthly rows in range with them.
async fn counter_sum(
    db: &Db,
    viewer: &Viewer,
    f: &Filter,
    keys: &[String],
) -> StoreResult<Option<SelectStatement>> {
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
        return Ok(None);
    };
    let mut keys = keys.to_vec();
    if keys.iter().any(|k| k == ROOT_PATH) {
        // The counters keep no root: everything is the sum of the places right below it.
        use crate::nodes::Nodes;
        let top: Vec<(String,)> = db
            .all(
                &Query::select()
                    .column(Nodes::Path)
                    .from(Nodes::Table)
                    .and_where(
                        Expr::col(Nodes::ParentId).in_subquery(
                            Query::select()
                                .column(Nodes::Id)
                                .from(Nodes::Table)
                                .and_where(Expr::col(Nodes::Path).eq(ROOT_PATH))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        keys = top.into_iter().map(|(p,)| p).collect();
    }
    let metric = metric.as_str();
    let sum = Expr::cust("CAST(COALESCE(SUM(value), 0) AS BIGINT)");
    let q = match &f.months {
        (None, None) => Query::select()
            .expr(sum)
            .from(T::Table)
            .and_where(Expr::col(T::Kind).eq("place"))
            .and_where(Expr::col(T::Key).is_in(keys))
            .and_where(Expr::col(T::Metric).eq(metric))
            .to_owned(),
        (from, to) => {
            let mut q = Query::select()
                .expr(sum)
                .from(C::Table)
                .and_where(Expr::col(C::Kind).eq("place"))
                .and_where(Expr::col(C::Key).is_in(keys))
                .and_where(Expr::col(C::Metric).eq(metric))
                .to_owned();
            if let Some(m) = from {
                q.and_where(Expr::col(C::Month).gte(m.as_str()));
            }
            if let Some(m) = to {
                q.and_where(Expr::col(C::Month).lte(m.as_str()));
            }
            q
        }
    };
    Ok(Some(q))
}
