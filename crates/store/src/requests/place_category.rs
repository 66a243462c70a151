//! Requests by category under each place (counters of kind `place_category`, see
//! `counters::PLACE_CATEGORY`): the dashboard's by-category chart and the public board read a
//! place's few hundred counter rows instead of every request under it, and a node move carries
//! them to the places above its new parent.

use super::counters::{PLACE_CATEGORY, RequestCounters as C, place_category_range};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use jiceng_core::requests::rates::Metric;
use sea_query::{Alias, BinOper, Cond, Expr, ExprTrait, Func, OnConflict, Query};
use std::collections::BTreeMap;

fn keys_of(col: impl sea_query::IntoColumnRef + Clone, path: &str) -> Cond {
    let (from, to) = place_category_range(path);
    Cond::all()
        .add(Expr::col(col.clone()).gte(from))
        .add(Expr::col(col).lt(to))
}

/// The places whose counters add up to those of `path`: the place itself, or for everywhere
/// (`/`, which has no counters of its own) the territory's places right under the root.
pub async fn counted_paths(db: &Db, path: &str) -> StoreResult<Vec<String>> {
    if path != "/" {
        return Ok(vec![path.to_owned()]);
    }
    Ok(super::board::children(db, None)
        .await?
        .into_iter()
        .map(|n| n.path)
        .collect())
}

/// The category's id from a `place_category` key (after its last `#`); `None` is not ours.
fn category_of(key: &str) -> Option<i64> {
    key.rsplit_once('#')
        .and_then(|(_, c)| c.parse::<i64>().ok())
}

/// Requests under `paths` together submitted in months `from..=to` (`None`: no bound), by
/// category id and figure name (of `metrics`, some of `CATEGORY_METRICS`): their monthly
/// `place_category` counters summed.
pub async fn by_category(
    db: &Db,
    paths: &[String],
    metrics: &[Metric],
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<BTreeMap<i64, BTreeMap<String, i64>>> {
    let mut out: BTreeMap<i64, BTreeMap<String, i64>> = BTreeMap::new();
    if paths.is_empty() {
        return Ok(out);
    }
    let any = paths
        .iter()
        .fold(Cond::any(), |c, p| c.add(keys_of(C::Key, p)));
    let mut q = Query::select();
    q.columns([C::Key, C::Metric])
        // A plain SUM is NUMERIC on PostgreSQL; the cast keeps it an i64 on both engines.
        .expr(Expr::cust("CAST(SUM(value) AS BIGINT)"))
        .from(C::Table)
        .and_where(Expr::col(C::Kind).eq(PLACE_CATEGORY))
        .cond_where(any)
        .and_where(Expr::col(C::Metric).is_in(metrics.iter().map(|m| m.as_str())))
        .group_by_col(C::Key)
        .group_by_col(C::Metric);
    q.cond_where(super::counters::in_months(from, to));
    let rows: Vec<(String, String, i64)> = db.all(&q).await?;
    for (key, metric, n) in rows {
        if let Some(id) = category_of(&key) {
            *out.entry(id).or_default().entry(metric).or_default() += n;
        }
    }
    Ok(out)
}

/// Closed requests by category id at and under each of `paths` together (all time): their
/// `place_category` counters of every month, summed.
pub async fn closed_by_category(db: &Db, paths: &[String]) -> StoreResult<BTreeMap<i64, i64>> {
    Ok(by_category(db, paths, &[Metric::Closed], None, None)
        .await?
        .into_iter()
        .map(|(id, m)| (id, m.get(Metric::Closed.as_str()).copied().unwrap_or(0)))
        .collect())
}

/// Which keys of a counter kind are a place's own.
pub(crate) enum Keys {
    /// The place's path itself (kind `place`).
    Exact,
    /// Its path followed by `#…` (kind `place_category`: one per month and category).
    Categories,
}

impl Keys {
    fn of(&self, col: impl sea_query::IntoColumnRef + Clone, path: &str) -> Cond {
        match self {
            Keys::Exact => Cond::all().add(Expr::col(col).eq(path)),
            Keys::Categories => keys_of(col, path),
        }
    }
}

/// A node moved to `new` (its subtree's keys already rewritten): the places it `left` lose
/// and the places it `joined` gain its own counters of `kind`, row by row — the same month,
/// figure and (for `Keys::Categories`) category. A place's key is its path followed by what
/// the row is of (nothing for `Keys::Exact`), so the moved node's row matching a place's row is
/// `new` followed by the same rest.
pub(crate) async fn carry(
    tx: &mut Tx,
    kind: &'static str,
    keys: Keys,
    new: &str,
    left: &[String],
    joined: &[String],
) -> StoreResult<()> {
    let n = Alias::new("n");
    // `path` followed by what follows `prefix` in `key`.
    let same_rest = |path: &str, key: Expr, prefix: &str| {
        let after = i32::try_from(prefix.len()).unwrap_or(i32::MAX) + 1;
        Expr::val(path.to_owned()).binary(
            BinOper::Custom("||"),
            Func::cust("substr").arg(key).arg(after),
        )
    };
    // The moved node's row of the same month, figure (and category) as the outer row of `p`.
    let own_for = |p: &str| {
        Query::select()
            .from_as(C::Table, n.clone())
            .and_where(Expr::col((n.clone(), C::Kind)).eq(kind))
            .and_where(Expr::col((n.clone(), C::Key)).eq(same_rest(
                new,
                Expr::col((C::Table, C::Key)),
                p,
            )))
            .and_where(Expr::col((n.clone(), C::Month)).equals((C::Table, C::Month)))
            .and_where(Expr::col((n.clone(), C::Metric)).equals((C::Table, C::Metric)))
            .to_owned()
    };
    for p in left {
        let mut value = own_for(p);
        value.column((n.clone(), C::Value));
        let mut exists = own_for(p);
        exists.expr(Expr::val(1));
        tx.execute(
            &Query::update()
                .table(C::Table)
                .value(
                    C::Value,
                    Expr::col((C::Table, C::Value))
                        .sub(Expr::SubQuery(None, Box::new(value.into()))),
                )
                .and_where(Expr::col((C::Table, C::Kind)).eq(kind))
                .cond_where(keys.of((C::Table, C::Key), p))
                .and_where(Expr::exists(exists))
                .to_owned(),
        )
        .await?;
    }
    for p in joined {
        let rows = Query::select()
            .expr(Expr::val(kind))
            .expr(same_rest(p, Expr::col((n.clone(), C::Key)), new))
            .columns([
                (n.clone(), C::Month),
                (n.clone(), C::Metric),
                (n.clone(), C::Value),
            ])
            .from_as(C::Table, n.clone())
            .and_where(Expr::col((n.clone(), C::Kind)).eq(kind))
            .cond_where(keys.of((n.clone(), C::Key), new))
            .to_owned();
        tx.execute(
            Query::insert()
                .into_table(C::Table)
                .columns([C::Kind, C::Key, C::Month, C::Metric, C::Value])
                .select_from(rows)
                .expect("the select has the insert's five columns")
                .on_conflict(
                    OnConflict::columns([C::Kind, C::Key, C::Month, C::Metric])
                        .value(
                            C::Value,
                            Expr::col((C::Table, C::Value)).add(Expr::cust("excluded.value")),
                        )
                        .to_owned(),
                ),
        )
        .await?;
    }
    Ok(())
}
