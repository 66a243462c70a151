//! Reading the counters (dashboards) and proving them: `recount` recomputes every counter from
//! the request records and lists the differences; `rebuild` replaces the counters with it. Both
//! cover the monthly rows and the all-time totals beside them.

use super::counters::{
    self, FactsRow, Membership, RequestCounterTotals as T, RequestCounters as C,
};
use super::{RequestUnits, Requests};
use crate::db::{Db, Engine};
use crate::error::StoreResult;
use jiceng_core::requests::rates::Metric;
use sea_query::{Expr, ExprTrait, Order, Query};
use std::collections::{BTreeMap, HashMap};

/// Counts by key (a node path or a unit id) and metric name, summed over the months.
pub type Counts = HashMap<String, BTreeMap<String, i64>>;

/// Counters of `kind` for `keys` over months `from..=to` (`YYYY-MM`; `None` for no bound).
/// Without either bound the all-time totals answer: one row per key and metric, however long the
/// history; with one, the monthly rows in range are summed.
///
/// The database hands back one string, `key metric value;…`, rather than a row per counter:
/// sqlx's SQLite driver copies every value of every row (an allocation and a free under SQLite's
/// global memory mutex, contended by the driver's thread), which made the ~200 rows of a
/// dashboard cost more than the query. Keys (node paths, unit ids) and metric names hold neither
/// spaces nor semicolons.
pub async fn read(
    db: &Db,
    kind: &str,
    keys: &[String],
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<Counts> {
    read_only(db, kind, keys, (from, to), &[]).await
}

/// As [`read`], only the figures `metrics` (all of them when empty): the heat map of a
/// district's 400 grids over twelve months needs two of some twenty, and summing them alone
/// took 40 → 12 ms (the demo county).
pub async fn read_only(
    db: &Db,
    kind: &str,
    keys: &[String],
    (from, to): (Option<&str>, Option<&str>),
    metrics: &[Metric],
) -> StoreResult<Counts> {
    if keys.is_empty() {
        return Ok(Counts::new());
    }
    // Both tables name the column `metric`.
    let only = (!metrics.is_empty()).then(|| {
        Expr::col(sea_query::Alias::new("metric")).is_in(metrics.iter().map(|m| m.as_str()))
    });
    let packed = match db.engine() {
        Engine::Sqlite => "group_concat(key || ' ' || metric || ' ' || value, ';')",
        Engine::Postgres => "string_agg(key || ' ' || metric || ' ' || value, ';')",
    };
    let q = if from.is_none() && to.is_none() {
        Query::select()
            .expr(Expr::cust(packed))
            .from(T::Table)
            .and_where(Expr::col(T::Kind).eq(kind))
            .and_where(Expr::col(T::Key).is_in(keys.to_vec()))
            .and_where_option(only.clone())
            .to_owned()
    } else {
        let mut sums = Query::select();
        sums.columns([C::Key, C::Metric])
            .expr_as(
                Expr::cust("CAST(SUM(value) AS BIGINT)"),
                sea_query::Alias::new("value"),
            )
            .from(C::Table)
            .and_where(Expr::col(C::Kind).eq(kind))
            .and_where(Expr::col(C::Key).is_in(keys.to_vec()))
            .and_where_option(only)
            .group_by_col(C::Key)
            .group_by_col(C::Metric);
        sums.cond_where(counters::in_months(from, to));
        Query::select()
            .expr(Expr::cust(packed))
            .from_subquery(sums, sea_query::Alias::new("sums"))
            .to_owned()
    };
    let row: Option<(Option<String>,)> = db.optional(&q).await?;
    let mut out = Counts::with_capacity(keys.len());
    for counter in row.and_then(|r| r.0).as_deref().unwrap_or("").split(';') {
        let mut parts = counter.rsplitn(3, ' ');
        if let (Some(n), Some(metric), Some(key)) = (parts.next(), parts.next(), parts.next())
            && let Ok(n) = n.parse::<i64>()
        {
            out.entry(key.to_owned())
                .or_default()
                .insert(metric.to_owned(), n);
        }
    }
    Ok(out)
}

/// The `month` of a [`Mismatch`] in the all-time totals.
pub const ALL_MONTHS: &str = "all";

/// A counter that differs from the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub kind: String,
    pub key: String,
    /// `YYYY-MM`, or [`ALL_MONTHS`] for the all-time total.
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

/// The all-time totals of `monthly`: the month dropped, the rest summed.
fn totals(monthly: &BTreeMap<Key, i64>) -> BTreeMap<Key, i64> {
    let mut out: BTreeMap<Key, i64> = BTreeMap::new();
    // Counters by category have no totals (`counters::PLACE_CATEGORY`).
    let kept = monthly
        .iter()
        .filter(|((k, ..), _)| k != counters::PLACE_CATEGORY);
    for ((k, key, _, metric), v) in kept {
        *out.entry((
            k.clone(),
            key.clone(),
            ALL_MONTHS.to_owned(),
            metric.clone(),
        ))
        .or_default() += v;
    }
    out
}

/// Differences between what the records say (`want`) and what is kept (`have`).
fn differences(want: &BTreeMap<Key, i64>, have: &BTreeMap<Key, i64>, out: &mut Vec<Mismatch>) {
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
}

/// Every counter that differs from a recount of the records (none, when all is well): the
/// monthly rows, then the all-time totals.
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
    let have: BTreeMap<Key, i64> = rows
        .into_iter()
        .map(|(k, key, month, metric, v)| ((k, key, month, metric), v))
        .collect();
    let mut out = Vec::new();
    differences(&want, &have, &mut out);
    let rows: Vec<(String, String, String, i64)> = db
        .all(
            &Query::select()
                .columns([T::Kind, T::Key, T::Metric, T::Value])
                .from(T::Table)
                .to_owned(),
        )
        .await?;
    let have: BTreeMap<Key, i64> = rows
        .into_iter()
        .map(|(k, key, metric, v)| ((k, key, ALL_MONTHS.to_owned(), metric), v))
        .collect();
    differences(&totals(&want), &have, &mut out);
    Ok(out)
}

/// Replaces every counter (monthly rows and all-time totals) with the recount, in one
/// transaction. Returns how many monthly rows now.
pub async fn rebuild(db: &Db) -> StoreResult<usize> {
    let want = expected(db).await?;
    let all = totals(&want);
    let mut tx = db.begin().await?;
    tx.execute(&Query::delete().from_table(C::Table).to_owned())
        .await?;
    tx.execute(&Query::delete().from_table(T::Table).to_owned())
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
    let totals: Vec<_> = all.into_iter().filter(|(_, v)| *v != 0).collect();
    for chunk in totals.chunks(500) {
        let mut q = Query::insert();
        q.into_table(T::Table)
            .columns([T::Kind, T::Key, T::Metric, T::Value]);
        for ((k, key, _, metric), v) in chunk {
            q.values_panic([
                k.clone().into(),
                key.clone().into(),
                metric.clone().into(),
                (*v).into(),
            ]);
        }
        tx.execute(&q).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}
