//! Closed requests by category under each place (counters of kind `place_category`, see
//! `counters::PLACE_CATEGORY`): what the public board counts, read from a handful of counter
//! rows instead of every closed request under the place.

use super::counters::{
    PLACE_CATEGORY, RequestCounterTotals as T, RequestCounters as C, place_category_range,
};
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

/// Closed requests by category id at and under each of `paths` together (all time): the
/// all-time totals of their `place_category` counters, summed.
pub async fn closed_by_category(db: &Db, paths: &[String]) -> StoreResult<BTreeMap<i64, i64>> {
    let mut out = BTreeMap::new();
    if paths.is_empty() {
        return Ok(out);
    }
    let mut any = Cond::any();
    for p in paths {
        any = any.add(keys_of(T::Key, p));
    }
    let rows: Vec<(String, i64)> = db
        .all(
            &Query::select()
                .columns([T::Key, T::Value])
                .from(T::Table)
                .and_where(Expr::col(T::Kind).eq(PLACE_CATEGORY))
                .and_where(Expr::col(T::Metric).eq(Metric::Closed.as_str()))
                .cond_where(any)
                .to_owned(),
        )
        .await?;
    for (key, n) in rows {
        // The key's own category id follows its last `#`; a key that does not parse is not ours.
        if let Some(id) = key
            .rsplit_once('#')
            .and_then(|(_, c)| c.parse::<i64>().ok())
        {
            *out.entry(id).or_default() += n;
        }
    }
    Ok(out)
}

/// A node moved to `new` (its subtree's keys already rewritten): the places it `left` lose
/// and the places it `joined` gain its own `place_category` counters, category by category —
/// as `place_index::moved` does for the place counters — and their totals are summed again.
pub(crate) async fn moved(
    tx: &mut Tx,
    new: &str,
    left: &[String],
    joined: &[String],
) -> StoreResult<()> {
    let n = Alias::new("n");
    let own_len = |p: &str| i32::try_from(p.len()).unwrap_or(i32::MAX) + 1;
    // The moved node's row of the same category, month and figure as the outer row of `p`.
    let own_for = |p: &str| {
        let same_category = Expr::val(new.to_owned()).binary(
            BinOper::Custom("||"),
            Func::cust("substr")
                .arg(Expr::col((C::Table, C::Key)))
                .arg(own_len(p)),
        );
        Query::select()
            .from_as(C::Table, n.clone())
            .and_where(Expr::col((n.clone(), C::Kind)).eq(PLACE_CATEGORY))
            .and_where(Expr::col((n.clone(), C::Key)).eq(same_category))
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
                .and_where(Expr::col((C::Table, C::Kind)).eq(PLACE_CATEGORY))
                .cond_where(keys_of((C::Table, C::Key), p))
                .and_where(Expr::exists(exists))
                .to_owned(),
        )
        .await?;
    }
    for p in joined {
        let key = Expr::val(p.clone()).binary(
            BinOper::Custom("||"),
            Func::cust("substr")
                .arg(Expr::col((n.clone(), C::Key)))
                .arg(own_len(new)),
        );
        let rows = Query::select()
            .expr(Expr::val(PLACE_CATEGORY))
            .expr(key)
            .columns([
                (n.clone(), C::Month),
                (n.clone(), C::Metric),
                (n.clone(), C::Value),
            ])
            .from_as(C::Table, n.clone())
            .and_where(Expr::col((n.clone(), C::Kind)).eq(PLACE_CATEGORY))
            .cond_where(keys_of((n.clone(), C::Key), new))
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
    let changed: Vec<&String> = left.iter().chain(joined).collect();
    if changed.is_empty() {
        return Ok(());
    }
    let ranges = |col: C| {
        changed
            .iter()
            .fold(Cond::any(), |c, p| c.add(keys_of(col, p)))
    };
    let ranges_t = changed
        .iter()
        .fold(Cond::any(), |c, p| c.add(keys_of(T::Key, p)));
    tx.execute(
        &Query::delete()
            .from_table(T::Table)
            .and_where(Expr::col(T::Kind).eq(PLACE_CATEGORY))
            .cond_where(ranges_t)
            .to_owned(),
    )
    .await?;
    let sums = Query::select()
        .columns([C::Kind, C::Key, C::Metric])
        .expr(Expr::col(C::Value).sum())
        .from(C::Table)
        .and_where(Expr::col(C::Kind).eq(PLACE_CATEGORY))
        .cond_where(ranges(C::Key))
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
    Ok(())
}
