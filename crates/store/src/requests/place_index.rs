//! `request_places`: every place at and above a request's place (the root excepted) with the
//! request's time, so the requests of any place are one index range in the list's order
//! (newest first) — the general list's place streams read it (`list_streams`). Written with the
//! request; a node move rewrites it with the paths (`moves`).

use crate::db::Tx;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::node::ancestor_paths;
use sea_query::{Expr, ExprTrait, Iden, InsertStatement, Query};

#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestPlaces {
    Table,
    Prefix,
    SubmittedAt,
    RequestId,
}

/// Rows per multi-row insert: well under both engines' bound-parameter limits.
const ROWS: usize = 500;

/// Indexes requests `(id, place path, submitted at)` under every place above them.
pub(crate) async fn insert(
    tx: &mut Tx,
    requests: &[(i64, &str, DateTime<Utc>)],
) -> StoreResult<()> {
    tx.execute_all(&inserts(requests)).await
}

/// The rows of `insert` as inserts, for a writer that sends them with its other inserts.
pub(crate) fn inserts(requests: &[(i64, &str, DateTime<Utc>)]) -> Vec<InsertStatement> {
    let rows: Vec<(String, DateTime<Utc>, i64)> = requests
        .iter()
        .flat_map(|(id, path, at)| ancestor_paths(path).into_iter().map(move |p| (p, *at, *id)))
        .collect();
    rows.chunks(ROWS)
        .map(|chunk| {
            let mut q = Query::insert();
            q.into_table(RequestPlaces::Table).columns([
                RequestPlaces::Prefix,
                RequestPlaces::SubmittedAt,
                RequestPlaces::RequestId,
            ]);
            for (p, at, id) in chunk {
                q.values_panic([p.clone().into(), (*at).into(), (*id).into()]);
            }
            q
        })
        .collect()
}

/// A node moved from `old` to `new` (its path and every path under it already rewritten, this
/// table's prefixes included): the requests under it leave the places above `old` and join the
/// places above `new`, here and in the place counters (`request_counters`, kind `place`), whose
/// subtree totals are the moved node's own counters.
pub(crate) async fn moved(tx: &mut Tx, old: &str, new: &str) -> StoreResult<()> {
    use super::counters::RequestCounters as C;
    let above = |p: &str| -> Vec<String> {
        let mut a = ancestor_paths(p);
        a.pop();
        a
    };
    let (was, now) = (above(old), above(new));
    let left: Vec<String> = was.iter().filter(|p| !now.contains(p)).cloned().collect();
    let joined: Vec<String> = now.iter().filter(|p| !was.contains(p)).cloned().collect();
    let under_new = Query::select()
        .column((RequestPlaces::Table, RequestPlaces::RequestId))
        .from(RequestPlaces::Table)
        .and_where(Expr::col(RequestPlaces::Prefix).eq(new))
        .to_owned();
    if !left.is_empty() {
        tx.execute(
            &Query::delete()
                .from_table(RequestPlaces::Table)
                .and_where(Expr::col(RequestPlaces::Prefix).is_in(left.clone()))
                .and_where(Expr::col(RequestPlaces::RequestId).in_subquery(under_new.clone()))
                .to_owned(),
        )
        .await?;
    }
    for p in &joined {
        let rows = Query::select()
            .expr(Expr::val(p.as_str()))
            .columns([RequestPlaces::SubmittedAt, RequestPlaces::RequestId])
            .from(RequestPlaces::Table)
            .and_where(Expr::col(RequestPlaces::Prefix).eq(new))
            .to_owned();
        tx.execute(
            Query::insert()
                .into_table(RequestPlaces::Table)
                .columns([
                    RequestPlaces::Prefix,
                    RequestPlaces::SubmittedAt,
                    RequestPlaces::RequestId,
                ])
                .select_from(rows)
                .expect("the select has the insert's three columns"),
        )
        .await?;
    }
    // The moved node's own counters (already under `new`) are what each place above gains or
    // loses: its place counters, and its counters by category likewise.
    use super::counters::{PLACE, PLACE_CATEGORY};
    use super::place_category::{Keys, carry};
    carry(tx, PLACE, Keys::Exact, new, &left, &joined).await?;
    carry(tx, PLACE_CATEGORY, Keys::Categories, new, &left, &joined).await?;
    // The all-time totals of the places that changed, again from their monthly rows.
    let changed: Vec<String> = left.iter().chain(&joined).cloned().collect();
    if !changed.is_empty() {
        use super::counters::RequestCounterTotals as T;
        tx.execute(
            &Query::delete()
                .from_table(T::Table)
                .and_where(Expr::col(T::Kind).eq("place"))
                .and_where(Expr::col(T::Key).is_in(changed.clone()))
                .to_owned(),
        )
        .await?;
        let sums = Query::select()
            .columns([C::Kind, C::Key, C::Metric])
            .expr(Expr::col(C::Value).sum())
            .from(C::Table)
            .and_where(Expr::col(C::Kind).eq("place"))
            .and_where(Expr::col(C::Key).is_in(changed))
            .group_by_columns([C::Kind, C::Key, C::Metric])
            .and_having(Expr::col(C::Value).sum().ne(0))
            .to_owned();
        tx.execute(
            Query::insert()
                .into_table(T::Table)
                .columns([T::Kind, T::Key, T::Metric, T::Value])
                .select_from(sums)
                .expect("the select has the insert's four columns"),
        )
        .await?;
    }
    Ok(())
}
