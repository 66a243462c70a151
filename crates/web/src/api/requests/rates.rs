//! The figures and rates of docs/RATES.md for a place and the places (or units) under it, read
//! from the counters; every figure carries the link to the list of requests behind it.

use super::list::month;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::org::OrgKind;
use jiceng_core::requests::rates::{Metric, Rate};
use jiceng_core::role::Permission;
use jiceng_store::requests::counters::{PLACE, UNIT};
use jiceng_store::requests::figures;
use jiceng_store::{Page, nodes, orgs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RatesQuery {
    /// The place (default: the top of the caller's scope).
    pub node_id: Option<i64>,
    /// From this month of submission (`YYYY-MM`, Beijing time); default: all.
    pub month_from: Option<String>,
    /// Up to this month, inclusive.
    pub month_to: Option<String>,
    /// `children` (the places directly under it, default) or `units` (the units leading its
    /// requests: departments, property companies — for callers whose scope holds them).
    pub by: Option<String>,
    /// The rate the rows are ranked by (default `on_time_rate`).
    pub rank_by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Figure {
    pub metric: &'static str,
    pub label: &'static str,
    pub value: i64,
    /// The requests counted: `GET` this for the list (same filters as `/api/v1/requests`).
    pub list: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RateValue {
    pub rate: &'static str,
    pub label: &'static str,
    /// ‰, rounded half up; `null` when the denominator is 0.
    pub per_mille: Option<i64>,
    pub numerator: Figure,
    pub denominator: Figure,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    pub name: String,
    pub node_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// Position by `rank_by` (1 = best); rows without a value are unranked.
    pub rank: Option<usize>,
    pub figures: Vec<Figure>,
    pub rates: Vec<RateValue>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Rates {
    pub month_from: Option<String>,
    pub month_to: Option<String>,
    pub total: FigureRow,
    pub rows: Vec<FigureRow>,
}

struct Target {
    name: String,
    node_id: Option<i64>,
    unit_id: Option<i64>,
    key: String,
}

fn row(
    t: &Target,
    counts: &BTreeMap<String, i64>,
    months: &(Option<String>, Option<String>),
) -> FigureRow {
    let filter = match (t.node_id, t.unit_id) {
        (_, Some(u)) => format!("unit_id={u}"),
        (Some(n), _) => format!("node_id={n}"),
        _ => String::new(),
    };
    let span = format!(
        "&month_from={}&month_to={}",
        months.0.as_deref().unwrap_or(""),
        months.1.as_deref().unwrap_or("")
    );
    let figure = |m: Metric| {
        let mut list = String::with_capacity(64 + filter.len() + span.len());
        list.push_str("/api/v1/requests?");
        list.push_str(&filter);
        list.push_str("&metric=");
        list.push_str(m.as_str());
        list.push_str(&span);
        Figure {
            metric: m.as_str(),
            label: m.label_zh(),
            value: counts.get(m.as_str()).copied().unwrap_or(0),
            list,
        }
    };
    FigureRow {
        name: t.name.clone(),
        node_id: t.node_id,
        unit_id: t.unit_id,
        rank: None,
        figures: Metric::ALL.iter().map(|m| figure(*m)).collect(),
        rates: Rate::ALL
            .iter()
            .map(|r| {
                let (n, d) = r.parts();
                let (numerator, denominator) = (figure(n), figure(d));
                RateValue {
                    rate: r.as_str(),
                    label: r.label_zh(),
                    per_mille: Rate::per_mille(numerator.value, denominator.value),
                    numerator,
                    denominator,
                }
            })
            .collect(),
    }
}

/// Figures and rates of a place and of the places or units under it, for months of
/// submission, ranked. Every figure links to its list. Needs `ViewRequests` over the place.
#[utoipa::path(get, path = "/api/v1/rates", tag = "requests", params(RatesQuery),
    responses((status = 200, body = Rates), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rates(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RatesQuery>,
) -> ApiResult<axum::Json<Rates>> {
    Ok(axum::Json(compute(&s, &p, &q).await?))
}

/// What `GET /api/v1/rates` answers, for the dashboard page to draw the same figures.
pub async fn compute(s: &AppState, p: &Principal, q: &RatesQuery) -> Result<Rates, AppError> {
    let scope = p.scope(Permission::ViewRequests)?;
    let months = (
        month(&q.month_from, "month_from")?,
        month(&q.month_to, "month_to")?,
    );
    let rank_by = match q
        .rank_by
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => Rate::OnTimeRate,
        Some(r) => Rate::parse(r)
            .ok_or_else(|| AppError::bad_request("invalid_rate", "rank_by", "排名指标不正确"))?,
    };
    // The place and the places directly under it, in one query.
    let (node, kids) = nodes::with_children(&s.db, &scope, q.node_id).await?;
    let by_units = match q.by.as_deref().unwrap_or("children") {
        "children" | "" => false,
        "units" => true,
        _ => {
            return Err(AppError::bad_request(
                "invalid_by",
                "by",
                "分组方式须为 children 或 units",
            ));
        }
    };
    let mut targets = Vec::new();
    if by_units {
        for kind in [OrgKind::Department, OrgKind::PropertyCompany] {
            let (items, _) = orgs::list_organisations(
                &s.db,
                &scope,
                Some(kind),
                Page::new(None, Some(Page::MAX_SIZE)),
            )
            .await?;
            targets.extend(items.into_iter().map(|o| Target {
                name: o.name,
                node_id: None,
                unit_id: Some(o.id),
                key: o.id.to_string(),
            }));
        }
    } else {
        targets.extend(
            kids.into_iter()
                .filter(|n| {
                    NodeKind::parse(&n.kind).and_then(|k| k.tree()) == Some(Tree::Territory)
                })
                .map(|n| Target {
                    name: n.name,
                    node_id: Some(n.id),
                    unit_id: None,
                    key: n.path,
                }),
        );
    }
    let (from, to) = (months.0.as_deref(), months.1.as_deref());
    let keys: Vec<String> = targets.iter().map(|t| t.key.clone()).collect();
    // Without a month range the all-time totals answer (one row per place and figure); the
    // place's own counters come with its children's in one read when both are places.
    let (mut own, counts) = if by_units {
        (
            figures::read(&s.db, PLACE, std::slice::from_ref(&node.path), from, to).await?,
            figures::read(&s.db, UNIT, &keys, from, to).await?,
        )
    } else {
        let mut all = keys;
        all.push(node.path.clone());
        let mut counts = figures::read(&s.db, PLACE, &all, from, to).await?;
        let own = counts.remove(&node.path).map(|c| (node.path.clone(), c));
        (own.into_iter().collect(), counts)
    };
    let own = own.remove(&node.path).unwrap_or_default();
    let empty = BTreeMap::new();
    let mut rows: Vec<FigureRow> = targets
        .iter()
        .map(|t| row(t, counts.get(&t.key).unwrap_or(&empty), &months))
        .collect();
    let value = |r: &FigureRow| {
        r.rates
            .iter()
            .find(|v| v.rate == rank_by.as_str())
            .and_then(|v| v.per_mille)
    };
    rows.sort_by(|a, b| value(b).cmp(&value(a)).then_with(|| a.name.cmp(&b.name)));
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = value(r).map(|_| i + 1);
    }
    let me = Target {
        name: node.name.clone(),
        node_id: Some(node.id),
        unit_id: None,
        key: node.path.clone(),
    };
    Ok(Rates {
        total: row(&me, &own, &months),
        rows,
        month_from: months.0,
        month_to: months.1,
    })
}
