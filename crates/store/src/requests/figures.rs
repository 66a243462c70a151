//! Reading the counters (dashboards) and proving them: `recount` recomputes every counter from
//! the request records and lists the differences; `rebuild` replaces the counters with it.

use super::counters::{self, FactsRow, Membership, RequestCounters as C};
use super::{RequestUnits, Requests};
use crate::db::Db;
use crate::error::StoreResult;
use sea_query::{Expr, ExprTrait, Order, Query};
use std::collections::{BTreeMap, HashMap};

/// Counts by key (a node path or a unit id) and metric name, summed over the months.
pub type Counts = HashMap<String, BTreeMap<String, i64>>;

/// Counters of `kind` for `keys` over months `from..=to` (`YYYY-MM`; `None` for no bound).
pub async fn read(
    db: &Db,
    kind: &str,
    keys: &[String],
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<Counts> {
    if keys.is_empty() {
        return Ok(Counts::new());
    }
    let mut q = Query::select();
    q.columns([C::Key, C::Metric])
        .expr(Expr::cust("CAST(SUM(value) AS BIGINT)"))
        .from(C::Table)
        .and_where(Expr::col(C::Kind).eq(kind))
        .and_where(Expr::col(C::Key).is_in(keys.to_vec()))
        .group_by_col(C::Key)
        .group_by_col(C::Metric);
    if let Some(f) = from {
        q.and_where(Expr::col(C::Month).gte(f));
    }
    if let Some(t) = to {
        q.and_where(Expr::col(C::Month).lte(t));
    }
    let rows: Vec<(String, String, i64)> = db.all(&q).await?;
    let mut out = Counts::new();
    for (key, metric, n) in rows {
        out.entry(key).or_default().insert(metric, n);
    }
    Ok(out)
}

/// A counter that differs from the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub kind: String,
    pub key: String,
    pub month: String,
    pub metric: String,
    pub counted: i64,
    pub recounted: i64,
}

type Key = (String, String, String, String);

async fn expected(db: &Db) -> StoreResult<BTreeMap<Key, i64>> {
    let mut out = BTreeMap::new();
    let mut after = 0i64;
    loop {
        let rows: Vec<FactsRow> = db
            .all(
                &Query::select()
                    .columns(counters::FACT_COLUMNS)
                    .from(Requests::Table)
                    .and_where(Expr::col(Requests::Id).gt(after))
                    .order_by(Requests::Id, Order::Asc)
                    .limit(10_000)
                    .to_owned(),
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(out);
        };
        let (lo, hi) = (rows[0].id, last.id);
        after = hi;
        let led: Vec<(i64, i64)> = db
            .all(
                &Query::select()
                    .columns([RequestUnits::RequestId, RequestUnits::OrgId])
                    .from(RequestUnits::Table)
                    .and_where(Expr::col(RequestUnits::RequestId).between(lo, hi))
                    .and_where(Expr::col(RequestUnits::Role).is_in(["lead", "former"]))
                    .to_owned(),
            )
            .await?;
        let mut units: HashMap<i64, Vec<i64>> = HashMap::new();
        for (r, o) in led {
            units.entry(r).or_default().push(o);
        }
        for r in &rows {
            let m: Membership = counters::membership(r, units.get(&r.id).map_or(&[], |v| v));
            for (k, key, month, metric) in m {
                *out.entry((k.to_owned(), key, month, metric.as_str().to_owned()))
                    .or_default() += 1;
            }
        }
    }
}

/// Every counter that differs from a recount of the records (none, when all is well).
pub async fn recount(db: &Db) -> StoreResult<Vec<Mismatch>> {
    let want = expected(db).await?;
    let rows: Vec<(String, String, String, String, i64)> = db
        .all(
            &Query::select()
                .columns([C::Kind, C::Key, C::Month, C::Metric, C::Value])
                .from(C::Table)
                .to_owned(),
        )
        .await?;
    let mut have: BTreeMap<Key, i64> = BTreeMap::new();
    for (k, key, month, metric, v) in rows {
        have.insert((k, key, month, metric), v);
    }
    let mut out = Vec::new();
    for key in want
        .keys()
        .chain(have.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (w, h) = (
            want.get(key).copied().unwrap_or(0),
            have.get(key).copied().unwrap_or(0),
        );
        if w != h {
            out.push(Mismatch {
                kind: key.0.clone(),
                key: key.1.clone(),
                month: key.2.clone(),
                metric: key.3.clone(),
                counted: h,
                recounted: w,
            });
        }
    }
    Ok(out)
}

/// Replaces every counter with the recount, in one transaction. Returns how many rows now.
pub async fn rebuild(db: &Db) -> StoreResult<usize> {
    let want = expected(db).await?;
    let mut tx = db.begin().await?;
    tx.execute(&Query::delete().from_table(C::Table).to_owned())
        .await?;
    let rows: Vec<_> = want.into_iter().collect();
    for chunk in rows.chunks(500) {
        let mut q = Query::insert();
        q.into_table(C::Table)
            .columns([C::Kind, C::Key, C::Month, C::Metric, C::Value]);
        for ((k, key, month, metric), v) in chunk {
            q.values_panic([
                k.clone().into(),
                key.clone().into(),
                month.clone().into(),
                metric.clone().into(),
                (*v).into(),
            ]);
        }
        tx.execute(&q).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}
