//! Counters of the figures in `docs/RATES.md`, moved in the same transaction as the request
//! they count: each write reads which counts the request is in before and after, and applies
//! the difference, to the monthly rows (`request_counters`) and to the all-time totals beside
//! them (`request_counter_totals`). `recount` recomputes both from the records.

use super::{RequestUnits, Requests};
use crate::db::{Engine, Tx};
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::requests::rates::{Facts, Metric, metrics};
use jiceng_core::requests::sla::local;
use jiceng_core::requests::{Rating, Status};
use sea_query::{Cond, Expr, ExprTrait, Iden, InsertStatement, LockType, OnConflict, Query};
use std::collections::BTreeMap;

#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestCounters {
    Table,
    Kind,
    Key,
    Month,
    Metric,
    Value,
}

/// The all-time sum of the monthly rows of one (kind, key, metric).
#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestCounterTotals {
    Table,
    Kind,
    Key,
    Metric,
    Value,
}

pub const PLACE: &str = "place";
pub const UNIT: &str = "unit";
/// One category's requests under a place, key `place_category_key`: the figures the
/// dashboard's by-category chart shows (`CATEGORY_METRICS`), the closed ones also the public
/// board's counts. Monthly rows only, no all-time totals: a place's are a few hundred rows.
pub const PLACE_CATEGORY: &str = "place_category";

/// The figures kept per category: submitted, closed, overdue.
pub const CATEGORY_METRICS: [Metric; 3] = [Metric::Submitted, Metric::Closed, Metric::Overdue];

/// The key of a place's counters of one category in one month: `/37/3717/#2026-11#12`.
/// - The month leads the category, so one month's rows of a place sit together in the key's
///   order: a batch of new requests, all of this month, moves a page or two per place rather
///   than one per category (bench S1: keyed `path#category`, creates were 20 % slower).
/// - `#` is in no path, so the keys of one place are the range `place_category_range`, and a
///   path rewrite (a node move) carries them along with the place's own.
pub fn place_category_key(path: &str, month: &str, category_id: i64) -> String {
    format!("{path}#{month}#{category_id}")
}

/// The keys of every month and category of the place at `path`: `[path#, path$)`.
pub fn place_category_range(path: &str) -> (String, String) {
    (format!("{path}#"), format!("{path}$"))
}

/// Which counters a request is in: (kind, key, month, metric).
pub(crate) type Membership = Vec<(&'static str, String, String, Metric)>;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct FactsRow {
    pub id: i64,
    pub status: String,
    pub category_id: i64,
    pub place_path: String,
    pub submitted_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claim_late: bool,
    pub resolve_late: bool,
    pub rating: Option<String>,
    pub return_count: i64,
    pub overdue_count: i64,
    pub reopen_count: i64,
    pub supervise_count: i64,
    pub escalation_count: i64,
}

impl FactsRow {
    pub fn facts(&self) -> Facts {
        Facts {
            status: Status::parse(&self.status).unwrap_or(Status::Submitted),
            accepted: self.accepted_at.is_some(),
            dispatched: self.dispatched_at.is_some(),
            claimed: self.claimed_at.is_some(),
            claim_late: self.claim_late,
            resolve_late: self.resolve_late,
            rating: self.rating.as_deref().and_then(Rating::parse),
            return_count: self.return_count,
            overdue_count: self.overdue_count,
            reopen_count: self.reopen_count,
            supervise_count: self.supervise_count,
            escalation_count: self.escalation_count,
        }
    }
}

/// The monthly rows of `from..=to` (`YYYY-MM`, either bound optional): what every reader of a
/// month range asks of `request_counters`.
pub(crate) fn in_months(from: Option<&str>, to: Option<&str>) -> Cond {
    let month = || Expr::col((RequestCounters::Table, RequestCounters::Month));
    Cond::all()
        .add_option(from.map(|f| month().gte(f)))
        .add_option(to.map(|t| month().lte(t)))
}

/// The month of submission, Beijing time: `2026-11`.
pub fn month_of(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m").to_string()
}

pub(crate) fn membership(row: &FactsRow, units: &[i64]) -> Membership {
    let month = month_of(row.submitted_at);
    let mut keys: Vec<(&'static str, String)> = jiceng_core::node::ancestor_paths(&row.place_path)
        .into_iter()
        .map(|p| (PLACE, p))
        .collect();
    keys.extend(units.iter().map(|u| (UNIT, u.to_string())));
    let ms = metrics(&row.facts());
    let mut out = Vec::with_capacity(keys.len() * (ms.len() + 1));
    for (kind, key) in &keys {
        for m in &ms {
            out.push((*kind, key.clone(), month.clone(), *m));
        }
    }
    for m in ms.iter().filter(|m| CATEGORY_METRICS.contains(m)) {
        for (kind, path) in &keys {
            if *kind == PLACE {
                let key = place_category_key(path, &month, row.category_id);
                out.push((PLACE_CATEGORY, key, month.clone(), *m));
            }
        }
    }
    out
}

pub(crate) const FACT_COLUMNS: [Requests; 16] = [
    Requests::Id,
    Requests::Status,
    Requests::CategoryId,
    Requests::PlacePath,
    Requests::SubmittedAt,
    Requests::AcceptedAt,
    Requests::DispatchedAt,
    Requests::ClaimedAt,
    Requests::ClaimLate,
    Requests::ResolveLate,
    Requests::Rating,
    Requests::ReturnCount,
    Requests::OverdueCount,
    Requests::ReopenCount,
    Requests::SuperviseCount,
    Requests::EscalationCount,
];

/// The facts of requests `ids`, read inside `tx` (and locked on PostgreSQL, so nothing moves
/// them between this read and the write that follows).
pub(crate) async fn read(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<(FactsRow, Vec<i64>)>> {
    let mut q = Query::select();
    q.columns(FACT_COLUMNS)
        .from(Requests::Table)
        .and_where(Expr::col(Requests::Id).is_in(ids.to_vec()));
    if tx.engine() == Engine::Postgres {
        q.lock(LockType::Update);
    }
    let rows: Vec<FactsRow> = tx.all(&q).await?;
    let led: Vec<(i64, i64)> = tx
        .all(
            &Query::select()
                .columns([RequestUnits::RequestId, RequestUnits::OrgId])
                .from(RequestUnits::Table)
                .and_where(Expr::col(RequestUnits::RequestId).is_in(ids.to_vec()))
                .and_where(Expr::col(RequestUnits::Role).is_in(["lead", "former"]))
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let units = led
                .iter()
                .filter(|(q, _)| *q == r.id)
                .map(|(_, o)| *o)
                .collect();
            (r, units)
        })
        .collect())
}

/// The memberships of requests `ids` as they stand in `tx`.
pub(crate) async fn memberships(tx: &mut Tx, ids: &[i64]) -> StoreResult<Membership> {
    Ok(read(tx, ids)
        .await?
        .iter()
        .flat_map(|(r, u)| membership(r, u))
        .collect())
}

/// Moves the counters from `before` to `after`, written when `tx` commits (see `Deltas`).
pub(crate) fn apply(tx: &mut Tx, before: &Membership, after: &Membership) {
    tx.counts().add(before, after);
}

/// Counter moves not yet written: (kind, key, month, metric) → delta. A transaction gathers
/// them and writes them just before it commits, summed. Under the group writer one batch's
/// creates share their street, district and month rows, so fifty creates cost one upsert of
/// the district's row instead of fifty (bench S1), and on PostgreSQL the hot rows are locked
/// only for the moment before the commit.
#[derive(Debug, Default, Clone)]
pub struct Deltas(BTreeMap<(&'static str, String, String, &'static str), i64>);

impl Deltas {
    pub(crate) fn add(&mut self, before: &Membership, after: &Membership) {
        for (k, key, month, m) in before {
            *self
                .0
                .entry((*k, key.clone(), month.clone(), m.as_str()))
                .or_default() -= 1;
        }
        for (k, key, month, m) in after {
            *self
                .0
                .entry((*k, key.clone(), month.clone(), m.as_str()))
                .or_default() += 1;
        }
    }

    /// Takes in `other`'s moves, leaving it empty.
    pub(crate) fn absorb(&mut self, other: &mut Deltas) {
        // Into nothing (a held write's first moves): taken whole, no key compared.
        if self.0.is_empty() {
            std::mem::swap(&mut self.0, &mut other.0);
            return;
        }
        for (k, d) in std::mem::take(&mut other.0) {
            *self.0.entry(k).or_default() += d;
        }
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The upserts of the monthly rows and of the all-time totals by the same deltas, each
    /// statement in key order (so concurrent writers lock rows in one order); empty when
    /// nothing moved. Leaves `self` empty.
    pub(crate) fn take_statements(&mut self) -> Vec<InsertStatement> {
        let mut delta = std::mem::take(&mut self.0);
        delta.retain(|_, d| *d != 0);
        let mut totals: BTreeMap<(&str, &str, &str), i64> = BTreeMap::new();
        for ((k, key, _, m), d) in delta.iter().filter(|((k, ..), _)| *k != PLACE_CATEGORY) {
            *totals.entry((k, key, m)).or_default() += d;
        }
        totals.retain(|_, d| *d != 0);
        let mut out = Vec::new();
        let rows: Vec<_> = delta.iter().collect();
        for chunk in rows.chunks(500) {
            let mut q = upsert(
                RequestCounters::Table,
                &[
                    RequestCounters::Kind,
                    RequestCounters::Key,
                    RequestCounters::Month,
                    RequestCounters::Metric,
                ],
                RequestCounters::Value,
            );
            for ((k, key, month, m), d) in chunk {
                q.values_panic([
                    (*k).into(),
                    key.as_str().into(),
                    month.as_str().into(),
                    (*m).into(),
                    (**d).into(),
                ]);
            }
            out.push(q);
        }
        let rows: Vec<_> = totals.into_iter().collect();
        for chunk in rows.chunks(500) {
            let mut q = upsert(
                RequestCounterTotals::Table,
                &[
                    RequestCounterTotals::Kind,
                    RequestCounterTotals::Key,
                    RequestCounterTotals::Metric,
                ],
                RequestCounterTotals::Value,
            );
            for ((k, key, m), d) in chunk {
                q.values_panic([(*k).into(), (*key).into(), (*m).into(), (*d).into()]);
            }
            out.push(q);
        }
        out
    }
}

/// `INSERT INTO table (keys…, value) … ON CONFLICT (keys…) DO UPDATE SET value = value + excluded.value`.
fn upsert<T: Iden + Copy + 'static>(table: T, keys: &[T], value: T) -> InsertStatement {
    let mut q = Query::insert();
    q.into_table(table)
        .columns(keys.iter().copied().chain([value]))
        .on_conflict(
            OnConflict::columns(keys.iter().copied())
                .value(
                    value,
                    Expr::col((table, value)).add(Expr::cust("excluded.value")),
                )
                .to_owned(),
        );
    q
}
