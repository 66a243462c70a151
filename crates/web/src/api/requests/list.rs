//! Lists of requests with filters, and their Excel export.

use super::{RequestView, lists_full_phones, view};
use crate::AppState;
use crate::api::Paged;
use crate::api::audit::{EXPORT_LIMIT, show_time};
use crate::api::exports::{headers, xlsx};
use crate::auth::Principal;
use crate::error::{ApiResult, AppError};
use crate::extract::Query;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use jiceng_core::requests::Status;
use jiceng_core::requests::rates::Metric;
use jiceng_core::requests::sla::Light;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::Table;
use jiceng_store::Page;
use jiceng_store::nodes::{self, PlaceNames};
use jiceng_store::requests::list::{self, Filter, View};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RequestQuery {
    /// `all` (default), `queue` (the desk's work), `inbox` (the unit's work), `mine`.
    pub view: Option<String>,
    pub status: Option<String>,
    /// Open requests only.
    pub open: Option<bool>,
    pub category_id: Option<i64>,
    /// `green`, `yellow`, `red`.
    pub light: Option<String>,
    /// Only requests at or below this place.
    pub node_id: Option<i64>,
    /// Submitted on or after (YYYY-MM-DD, Beijing time).
    pub from: Option<NaiveDate>,
    /// Submitted on or before.
    pub to: Option<NaiveDate>,
    /// Only the requests counted in this figure of docs/RATES.md (`closed_on_time`, …): the
    /// list behind a dashboard figure.
    pub metric: Option<String>,
    /// Submitted from this month (`YYYY-MM`, Beijing time).
    pub month_from: Option<String>,
    /// Submitted up to this month, inclusive.
    pub month_to: Option<String>,
    /// Only requests this unit led.
    pub unit_id: Option<i64>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

/// A month as `YYYY-MM`, or a 400 naming the parameter.
pub fn month(v: &Option<String>, field: &'static str) -> Result<Option<String>, AppError> {
    let Some(m) = blank(v) else {
        return Ok(None);
    };
    chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .map(|_| Some(m.to_owned()))
        .map_err(|_| AppError::bad_request("invalid_month", field, "月份格式须为 2026-03"))
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The store filter for a query; unknown values are 400s naming the parameter.
pub async fn filter_of(s: &AppState, p: &Principal, q: &RequestQuery) -> Result<Filter, AppError> {
    let view = View::parse(blank(&q.view).unwrap_or(""))
        .ok_or_else(|| AppError::bad_request("invalid_view", "view", "列表类型不正确"))?;
    let status = blank(&q.status)
        .map(|s| {
            Status::parse(s)
                .ok_or_else(|| AppError::bad_request("invalid_status", "status", "状态不正确"))
        })
        .transpose()?;
    let light = blank(&q.light)
        .map(|s| {
            Light::parse(s).ok_or_else(|| {
                AppError::bad_request(
                    "invalid_light",
                    "light",
                    "时限状态须为 green、yellow 或 red",
                )
            })
        })
        .transpose()?;
    let under = match q.node_id {
        None => None,
        Some(id) => {
            let v = p.request_viewer();
            let scope = v
                .places
                .or(v.desks)
                .or_else(|| Scope::for_permission(&p.grants, Permission::ViewNodes))
                .ok_or_else(AppError::not_found)?;
            let n = nodes::get(&s.db, &scope, id).await?;
            Scope::from_paths([n.path])
        }
    };
    let metric = blank(&q.metric)
        .map(|m| {
            Metric::parse(m)
                .ok_or_else(|| AppError::bad_request("invalid_metric", "metric", "统计指标不正确"))
        })
        .transpose()?;
    let months = (
        month(&q.month_from, "month_from")?,
        month(&q.month_to, "month_to")?,
    );
    Ok(Filter {
        metric,
        months,
        unit: q.unit_id,
        view,
        status,
        open_only: q.open.unwrap_or(false),
        category_id: q.category_id,
        light,
        under,
        from: q.from,
        to: q.to,
    })
}

/// Requests the caller may see, filtered. Queues and inboxes are sorted by the running deadline
/// (most urgent first), other lists newest first. Any signed-in user; each sees their own part.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(RequestQuery),
    responses((status = 200, body = Paged<RequestView>)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RequestQuery>,
) -> ApiResult<Paged<RequestView>> {
    let f = filter_of(&s, &p, &q).await?;
    let page = Page::new(q.page, q.page_size);
    let (rows, total) = list::list(&s.db, &p.request_viewer(), &f, page, p.at).await?;
    let full = lists_full_phones(&p);
    Ok(Paged {
        items: rows
            .into_iter()
            .map(|r| view(r, &s.vault, full, p.at))
            .collect(),
        total: total.count,
        total_exact: total.exact,
        page: page.page,
        page_size: page.size,
    })
}

/// The list as an Excel file, with the same filters (up to the export limit).
#[utoipa::path(get, path = "/api/v1/requests/export.xlsx", tag = "requests", params(RequestQuery),
    responses((status = 200, description = "xlsx")), security(("bearer" = [])))]
pub async fn export_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RequestQuery>,
) -> ApiResult<Response> {
    let f = filter_of(&s, &p, &q).await?;
    let rows = list::all(&s.db, &p.request_viewer(), &f, p.at, EXPORT_LIMIT).await?;
    // A sheet travels beyond its reader: every place is named from the street down.
    let places = PlaceNames::of(&s.db, rows.iter().map(|r| r.place_path.as_str())).await?;
    let t = Table {
        title: "诉求".into(),
        headers: headers(&[
            "编号",
            "分类",
            "紧急程度",
            "来源",
            "问题描述",
            "位置",
            "诉求人",
            "承办单位",
            "状态",
            "时限状态",
            "办理时限",
            "提交时间",
            "办结时间",
            "评价",
            "退单次数",
            "重办次数",
            "超期次数",
        ]),
        rows: rows
            .into_iter()
            .map(|r| {
                let v = view(r, &s.vault, false, p.at);
                let light = v
                    .light
                    .as_deref()
                    .and_then(Light::parse)
                    .map_or("", |l| l.label_zh());
                vec![
                    v.id.to_string(),
                    v.category_name,
                    v.severity_label,
                    v.channel_label,
                    v.description,
                    places.label_with(&v.place_path, &v.address, &[]),
                    v.requester_name,
                    v.lead_org_name.unwrap_or_default(),
                    v.status_label,
                    light.to_owned(),
                    v.due_at.map(show_time).unwrap_or_default(),
                    show_time(v.submitted_at),
                    v.closed_at.map(show_time).unwrap_or_default(),
                    v.rating
                        .as_deref()
                        .and_then(jiceng_core::requests::Rating::parse)
                        .map_or("", |r| r.label_zh())
                        .to_owned(),
                    v.return_count.to_string(),
                    v.reopen_count.to_string(),
                    v.overdue_count.to_string(),
                ]
            })
            .collect(),
    };
    xlsx(&t, "requests.xlsx")
}
