//! 吹哨报到 over JSON: blowing a whistle, the board of open whistles with their countdowns, one
//! whistle with its units and what the caller may do, the steps (check in, rate, close) and the
//! per-unit ranking whose every figure links to the whistles behind it.

pub mod ranking;
pub mod steps;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{PathId, Query};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use jiceng_core::requests::Rating;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_core::whistle::{WhistleMetric, WhistleStatus, remaining_seconds};
use jiceng_store::whistles::{self, Filter, Whistle, WhistleUnit, WhistleViewer};
use jiceng_store::{Page, nodes};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/whistles", get(list).post(steps::blow))
        .route("/api/v1/whistles/ranking", get(ranking::ranking))
        .route("/api/v1/whistles/summonable", get(steps::summonable))
        .route("/api/v1/whistles/{id}", get(detail))
        .route("/api/v1/whistles/{id}/check-in", post(steps::check_in))
        .route(
            "/api/v1/whistles/{id}/units/{org_id}/rating",
            post(steps::rate),
        )
        .route("/api/v1/whistles/{id}/close", post(steps::close))
}

/// The caller as whistles see them: where they blow whistles (`BlowWhistle`), where they see
/// them by place (`ViewRequests`), the unit they check in for (`HandleRequests`). Built here so
/// the API and the pages decide visibility the same way; 403 for a caller with none of these.
pub fn viewer(p: &Principal) -> Result<WhistleViewer, AppError> {
    let r = p.request_viewer();
    let v = WhistleViewer {
        user_id: r.user_id,
        name: r.name,
        unit: r.unit,
        whistles: Scope::for_permission(&p.grants, Permission::BlowWhistle),
        places: r.places,
        unit_id: r.unit_id,
    };
    if v.whistles.is_none() && v.places.is_none() && v.unit_id.is_none() {
        return Err(AppError::forbidden());
    }
    Ok(v)
}

/// A summoned unit as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub org_id: i64,
    pub name: String,
    pub kind: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_in_by: String,
    /// What the unit said it will do.
    pub check_in_note: String,
    /// Checked in after the deadline.
    pub late: bool,
    /// `satisfied`, `fairly_satisfied`, `dissatisfied`; none until rated.
    pub rating: Option<String>,
    pub rating_label: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
    pub rating_note: String,
}

fn unit_view(u: WhistleUnit) -> UnitView {
    UnitView {
        rating_label: u
            .rating
            .as_deref()
            .and_then(Rating::parse)
            .map(|r| r.label_zh().to_owned()),
        org_id: u.org_id,
        name: u.name,
        kind: u.kind,
        checked_in_at: u.checked_in_at,
        checked_in_by: u.checked_in_by_name,
        check_in_note: u.check_in_note,
        late: u.late,
        rating: u.rating,
        rated_at: u.rated_at,
        rating_note: u.rating_note,
    }
}

/// A whistle as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WhistleView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub place_node_id: i64,
    /// The place's path in the territory tree.
    pub place_path: String,
    pub place_name: String,
    /// The request the whistle was blown about.
    pub request_id: Option<i64>,
    pub whistler_name: String,
    pub whistler_unit: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_label: String,
    /// The deadline to check in.
    pub deadline_at: DateTime<Utc>,
    /// Seconds from the server's now to the deadline; negative once it has passed. A client
    /// counts down from this rather than from its own clock, which may be wrong.
    pub remaining_seconds: i64,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_note: String,
    pub summoned: usize,
    pub checked_in: usize,
    pub units: Vec<UnitView>,
}

pub fn view(w: Whistle, units: Vec<WhistleUnit>, now: DateTime<Utc>) -> WhistleView {
    let status = w.status();
    WhistleView {
        remaining_seconds: remaining_seconds(now, w.deadline_at),
        status: status.as_str().into(),
        status_label: status.label_zh().into(),
        summoned: units.len(),
        checked_in: units.iter().filter(|u| u.checked_in_at.is_some()).count(),
        units: units.into_iter().map(unit_view).collect(),
        id: w.id,
        title: w.title,
        description: w.description,
        place_node_id: w.place_node_id,
        place_path: w.place_path,
        place_name: w.place_name,
        request_id: w.request_id,
        whistler_name: w.whistler_name,
        whistler_unit: w.whistler_unit,
        deadline_at: w.deadline_at,
        created_at: w.created_at,
        closed_at: w.closed_at,
        close_note: w.close_note,
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct WhistleQuery {
    /// `open` (default: the board), `closed` or `all`.
    pub status: Option<String>,
    /// Whistles at places under this node.
    pub node_id: Option<i64>,
    /// Whistles summoning this unit.
    pub unit_id: Option<i64>,
    /// Whistles counted in this figure (`summoned`, `owed`, `checked_in`, `checked_in_on_time`,
    /// `missed`, `rated`, `satisfied`; see docs/RATES.md), for `unit_id` when given.
    pub metric: Option<String>,
    /// From this month of blowing (`YYYY-MM`, Beijing time).
    pub month_from: Option<String>,
    /// Up to this month, inclusive.
    pub month_to: Option<String>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The store filter of a query; unknown values are 400s naming the parameter.
pub async fn filter_of(
    s: &AppState,
    v: &WhistleViewer,
    q: &WhistleQuery,
) -> Result<Filter, AppError> {
    let status = match blank(&q.status).unwrap_or("open") {
        "all" => None,
        raw => Some(WhistleStatus::parse(raw).ok_or_else(|| {
            AppError::bad_request("invalid_status", "status", "状态须为 open、closed 或 all")
        })?),
    };
    let metric = blank(&q.metric)
        .map(|m| {
            WhistleMetric::parse(m)
                .ok_or_else(|| AppError::bad_request("invalid_metric", "metric", "统计口径不正确"))
        })
        .transpose()?;
    let under = match q.node_id {
        None => None,
        Some(id) => {
            let paths = [&v.whistles, &v.places]
                .into_iter()
                .flatten()
                .flat_map(|s| s.prefixes().to_vec());
            let scope = Scope::from_paths(paths).ok_or_else(AppError::not_found)?;
            Some(nodes::get(&s.db, &scope, id).await?.path)
        }
    };
    use crate::api::requests::list::month;
    Ok(Filter {
        status,
        under,
        unit: q.unit_id,
        metric,
        months: (
            month(&q.month_from, "month_from")?,
            month(&q.month_to, "month_to")?,
        ),
    })
}

/// Whistles and the total matching, each with its units.
pub async fn page_of(
    s: &AppState,
    v: &WhistleViewer,
    f: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> Result<(Vec<WhistleView>, i64), AppError> {
    let (rows, total) = whistles::list(&s.db, v, f, page, now).await?;
    let ids: Vec<i64> = rows.iter().map(|w| w.id).collect();
    let mut by_whistle: std::collections::HashMap<i64, Vec<WhistleUnit>> = Default::default();
    for u in whistles::units(&s.db, &ids).await? {
        by_whistle.entry(u.whistle_id).or_default().push(u);
    }
    let items = rows
        .into_iter()
        .map(|w| {
            let units = by_whistle.remove(&w.id).unwrap_or_default();
            view(w, units, now)
        })
        .collect();
    Ok((items, total))
}

/// The whistle board: open whistles the caller sees, most urgent first, with countdowns (or
/// any status, place, unit, figure and months). Street and community staff see those in their
/// territory, departments those summoning them.
#[utoipa::path(get, path = "/api/v1/whistles", tag = "whistles", params(WhistleQuery),
    responses((status = 200, body = super::Paged<WhistleView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<WhistleQuery>,
) -> ApiResult<axum::Json<super::Paged<WhistleView>>> {
    let v = viewer(&p)?;
    let f = filter_of(&s, &v, &q).await?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = page_of(&s, &v, &f, page, p.at).await?;
    Ok(axum::Json(super::Paged {
        items,
        total,
        total_exact: true,
        page: page.page,
        page_size: page.size,
    }))
}

/// One whistle with the steps the caller may take now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WhistleDetail {
    pub whistle: WhistleView,
    /// `check_in` (a summoned unit that has not), `rate` (the whistler's side, for units that
    /// checked in and are not rated), `close` (the whistler's side, while open).
    pub actions: Vec<String>,
    /// The caller's unit, when it is summoned.
    pub my_unit_id: Option<i64>,
    /// Units the whistler's side may rate now.
    pub rateable: Vec<i64>,
}

pub async fn load(
    s: &AppState,
    v: &WhistleViewer,
    id: i64,
    now: DateTime<Utc>,
) -> Result<WhistleDetail, AppError> {
    let w = whistles::get(&s.db, v, id).await?;
    let units = whistles::units(&s.db, &[id]).await?;
    let open = w.status() == WhistleStatus::Open;
    let mine = units
        .iter()
        .find(|u| Some(u.org_id) == v.unit_id)
        .map(|u| (u.org_id, u.checked_in_at.is_none()));
    let whistler = v.is_whistler(&w);
    let rateable: Vec<i64> = if whistler {
        units
            .iter()
            .filter(|u| u.checked_in_at.is_some() && u.rating.is_none())
            .map(|u| u.org_id)
            .collect()
    } else {
        Vec::new()
    };
    let mut actions = Vec::new();
    if open && mine.is_some_and(|(_, pending)| pending) {
        actions.push("check_in".to_owned());
    }
    if !rateable.is_empty() {
        actions.push("rate".to_owned());
    }
    if open && whistler {
        actions.push("close".to_owned());
    }
    Ok(WhistleDetail {
        whistle: view(w, units, now),
        actions,
        my_unit_id: mine.map(|(id, _)| id),
        rateable,
    })
}

/// One whistle with its summoned units, their check-ins and ratings. 404 to anyone who may not
/// see it (outside the caller's territory and not summoning their unit).
#[utoipa::path(get, path = "/api/v1/whistles/{id}", tag = "whistles", params(("id" = i64, Path)),
    responses((status = 200, body = WhistleDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn detail(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<WhistleDetail>> {
    let v = viewer(&p)?;
    Ok(axum::Json(load(&s, &v, id, p.at).await?))
}
