//! Per-unit figures of 吹哨报到 (`docs/RATES.md`): counted live from the summoned units each time,
//! with `jiceng_core::whistle::metrics` deciding what each unit counts in. Both the figures and
//! the lists behind them go through that one function, so they cannot disagree. Live counting
//! is affordable because whistles are few (a street blows tens a month, not thousands) and
//! because two figures (`owed`, `missed`) move when a deadline passes, which no write marks.

use super::{Filter, WhistleUnits, WhistleViewer, Whistles, filtered};
use crate::db::Db;
use crate::error::StoreResult;
use crate::orgs::Organisations;
use chrono::{DateTime, Utc};
use jiceng_core::requests::Rating;
use jiceng_core::whistle::{UnitFacts, WhistleMetric, WhistleStatus, metrics};
use sea_query::{Expr, ExprTrait, Query};
use std::collections::{BTreeMap, HashMap};

#[derive(sqlx::FromRow)]
struct FactRow {
    whistle_id: i64,
    org_id: i64,
    org_name: String,
    status: String,
    deadline_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    checked_in_at: Option<DateTime<Utc>>,
    rating: Option<String>,
}

impl FactRow {
    fn facts(&self) -> UnitFacts {
        UnitFacts {
            status: WhistleStatus::parse(&self.status).unwrap_or(WhistleStatus::Open),
            deadline: self.deadline_at,
            closed_at: self.closed_at,
            checked_in_at: self.checked_in_at,
            rating: self.rating.as_deref().and_then(Rating::parse),
        }
    }
}

/// Every summoned unit of the whistles the viewer sees under the filter (its figure aside).
async fn fact_rows(db: &Db, viewer: &WhistleViewer, f: &Filter) -> StoreResult<Vec<FactRow>> {
    let (w, u, o) = (Whistles::Table, WhistleUnits::Table, Organisations::Table);
    let mut q = Query::select()
        .columns([(u, WhistleUnits::WhistleId), (u, WhistleUnits::OrgId)])
        .expr_as(Expr::col((o, Organisations::Name)), "org_name")
        .columns([
            (w, Whistles::Status),
            (w, Whistles::DeadlineAt),
            (w, Whistles::ClosedAt),
            (w, Whistles::CreatedAt),
        ])
        .columns([(u, WhistleUnits::CheckedInAt), (u, WhistleUnits::Rating)])
        .from(w)
        .inner_join(
            u,
            Expr::col((u, WhistleUnits::WhistleId)).equals((w, Whistles::Id)),
        )
        .inner_join(
            o,
            Expr::col((o, Organisations::Id)).equals((u, WhistleUnits::OrgId)),
        )
        .to_owned();
    if let Some(org) = f.unit {
        q.and_where(Expr::col((u, WhistleUnits::OrgId)).eq(org));
    }
    // A unit that sees whistles only because it is summoned counts for itself alone: the other
    // units on the same whistles are not its to rank.
    if viewer.whistles.is_none() && viewer.places.is_none() {
        q.and_where(Expr::col((u, WhistleUnits::OrgId)).eq(viewer.unit_id.unwrap_or(-1)));
    }
    db.all(&filtered(q, viewer, f)).await
}

/// The whistles in which a summoned unit (the filter's unit, if it names one) counts in `m`.
pub(crate) async fn ids_counted(
    db: &Db,
    viewer: &WhistleViewer,
    f: &Filter,
    m: WhistleMetric,
    now: DateTime<Utc>,
) -> StoreResult<Vec<i64>> {
    let mut ids: Vec<i64> = fact_rows(db, viewer, f)
        .await?
        .iter()
        .filter(|r| metrics(&r.facts(), now).contains(&m))
        .map(|r| r.whistle_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// One unit's figures.
#[derive(Debug, Clone)]
pub struct UnitFigures {
    pub org_id: i64,
    pub name: String,
    pub counts: HashMap<WhistleMetric, i64>,
    /// Mean minutes from the whistle to the unit's check-in, over its check-ins.
    pub mean_check_in_minutes: Option<i64>,
}

impl UnitFigures {
    pub fn get(&self, m: WhistleMetric) -> i64 {
        self.counts.get(&m).copied().unwrap_or(0)
    }
}

/// The figures of every unit summoned by the whistles the viewer sees under `f`, by name.
pub async fn by_unit(
    db: &Db,
    viewer: &WhistleViewer,
    f: &Filter,
    now: DateTime<Utc>,
) -> StoreResult<Vec<UnitFigures>> {
    let mut out: BTreeMap<i64, (UnitFigures, i64)> = BTreeMap::new();
    for r in fact_rows(db, viewer, f).await? {
        let (u, minutes) = out.entry(r.org_id).or_insert_with(|| {
            (
                UnitFigures {
                    org_id: r.org_id,
                    name: r.org_name.clone(),
                    counts: HashMap::new(),
                    mean_check_in_minutes: None,
                },
                0,
            )
        });
        for m in metrics(&r.facts(), now) {
            *u.counts.entry(m).or_insert(0) += 1;
        }
        if let Some(at) = r.checked_in_at {
            *minutes += (at - r.created_at).num_minutes();
        }
    }
    let mut rows: Vec<UnitFigures> = out
        .into_values()
        .map(|(mut u, minutes)| {
            let n = u.get(WhistleMetric::CheckedIn);
            u.mean_check_in_minutes = (n > 0).then(|| (minutes + n / 2) / n);
            u
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}
