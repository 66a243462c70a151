//! The department ranking of 吹哨报到 (`docs/RATES.md`): per summoned unit, how often it was
//! summoned, checked in on time, was rated and satisfied, ranked by a rate; every figure links
//! to the whistles behind it.

use super::{WhistleQuery, filter_of, viewer};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use chrono::{DateTime, Utc};
use jiceng_core::requests::rates::Rate;
use jiceng_core::whistle::{WhistleMetric, WhistleRate};
use jiceng_store::whistles::WhistleViewer;
use jiceng_store::whistles::figures::{self, UnitFigures};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RankingQuery {
    /// Whistles at places under this node (default: all the caller sees).
    pub node_id: Option<i64>,
    /// From this month of blowing (`YYYY-MM`, Beijing time).
    pub month_from: Option<String>,
    /// Up to this month, inclusive.
    pub month_to: Option<String>,
    /// `check_in_rate` (default) or `satisfaction_rate`.
    pub rank_by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WhistleFigure {
    pub metric: String,
    pub label: String,
    pub value: i64,
    /// The whistles counted: `GET` this (`/api/v1/whistles?…&metric=…`).
    pub list: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WhistleRateValue {
    pub rate: String,
    pub label: String,
    /// ‰, rounded half up; `null` when the denominator is 0.
    pub per_mille: Option<i64>,
    pub numerator: WhistleFigure,
    pub denominator: WhistleFigure,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub org_id: i64,
    pub name: String,
    /// Position by `rank_by` (1 = best); a unit without a value is unranked.
    pub rank: Option<usize>,
    pub figures: Vec<WhistleFigure>,
    pub rates: Vec<WhistleRateValue>,
    /// Mean minutes from the whistle to the unit's check-in.
    pub mean_check_in_minutes: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub rank_by: String,
    pub rows: Vec<UnitRow>,
}

/// The query string every figure's list shares besides unit and metric.
fn span(q: &RankingQuery) -> String {
    let mut out = String::new();
    if let Some(n) = q.node_id {
        out.push_str(&format!("&node_id={n}"));
    }
    for (k, v) in [("month_from", &q.month_from), ("month_to", &q.month_to)] {
        if let Some(m) = v.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            out.push_str(&format!("&{k}={}", urlencoding::encode(m)));
        }
    }
    out
}

fn row(u: &UnitFigures, span: &str) -> UnitRow {
    let figure = |m: WhistleMetric| WhistleFigure {
        metric: m.as_str().into(),
        label: m.label_zh().into(),
        value: u.get(m),
        list: format!(
            "/api/v1/whistles?status=all&unit_id={}&metric={}{span}",
            u.org_id,
            m.as_str()
        ),
    };
    UnitRow {
        org_id: u.org_id,
        name: u.name.clone(),
        rank: None,
        figures: WhistleMetric::ALL.iter().map(|m| figure(*m)).collect(),
        rates: WhistleRate::ALL
            .iter()
            .map(|r| {
                let (n, d) = r.parts();
                let (numerator, denominator) = (figure(n), figure(d));
                WhistleRateValue {
                    rate: r.as_str().into(),
                    label: r.label_zh().into(),
                    per_mille: Rate::per_mille(numerator.value, denominator.value),
                    numerator,
                    denominator,
                }
            })
            .collect(),
        mean_check_in_minutes: u.mean_check_in_minutes,
    }
}

/// The ranked rows for a viewer and query: shared by the API and the ranking page.
pub async fn rows_of(
    s: &AppState,
    v: &WhistleViewer,
    q: &RankingQuery,
    now: DateTime<Utc>,
) -> Result<(WhistleRate, Vec<UnitRow>), AppError> {
    let rank_by = match q
        .rank_by
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => WhistleRate::CheckInRate,
        Some(r) => WhistleRate::parse(r).ok_or_else(|| {
            AppError::bad_request(
                "invalid_rate",
                "rank_by",
                "排名指标须为 check_in_rate 或 satisfaction_rate",
            )
        })?,
    };
    let wq = WhistleQuery {
        status: Some("all".into()),
        node_id: q.node_id,
        month_from: q.month_from.clone(),
        month_to: q.month_to.clone(),
        ..Default::default()
    };
    let f = filter_of(s, v, &wq).await?;
    let span = span(q);
    let mut rows: Vec<UnitRow> = figures::by_unit(&s.db, v, &f, now)
        .await?
        .iter()
        .map(|u| row(u, &span))
        .collect();
    let other = match rank_by {
        WhistleRate::CheckInRate => WhistleRate::SatisfactionRate,
        WhistleRate::SatisfactionRate => WhistleRate::CheckInRate,
    };
    let rate = |r: &UnitRow, which: WhistleRate| {
        r.rates
            .iter()
            .find(|v| v.rate == which.as_str())
            .map_or((None, 0), |v| (v.per_mille, v.denominator.value))
    };
    let value = |r: &UnitRow| rate(r, rank_by).0;
    // Equal rates: the other rate decides, then the unit with more behind its rate, then the name.
    rows.sort_by(|a, b| {
        value(b)
            .cmp(&value(a))
            .then_with(|| rate(b, other).0.cmp(&rate(a, other).0))
            .then_with(|| rate(b, rank_by).1.cmp(&rate(a, rank_by).1))
            .then_with(|| a.name.cmp(&b.name))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = value(r).map(|_| i + 1);
    }
    Ok((rank_by, rows))
}

/// Per summoned unit: summoned, due to check in, checked in (on time), missed, rated and
/// satisfied, with the on-time check-in rate and the satisfaction rate, ranked. Counted live
/// over the whistles the caller sees; every figure links to its whistles.
#[utoipa::path(get, path = "/api/v1/whistles/ranking", tag = "whistles", params(RankingQuery),
    responses((status = 200, body = Ranking), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ranking(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RankingQuery>,
) -> ApiResult<axum::Json<Ranking>> {
    let v = viewer(&p)?;
    let (rank_by, rows) = rows_of(&s, &v, &q, p.at).await?;
    Ok(axum::Json(Ranking {
        rank_by: rank_by.as_str().into(),
        rows,
    }))
}
