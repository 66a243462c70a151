//! The working-day calendar deadlines are computed on.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use axum::extract::State;
use chrono::NaiveDate;
use jiceng_core::calendar::DayKind;
use serde::Serialize;

/// One day and its kind.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// `workday`, `weekend`, `holiday` or `makeup_workday` (a weekend day that is worked).
    #[schema(value_type = String, example = "makeup_workday")]
    pub kind: DayKind,
}

/// Every day of a year with its kind.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    /// The State Council notice the year was transcribed from.
    pub notice: Option<String>,
    pub days: Vec<CalendarDay>,
}

/// Every day of `year` as a working day, weekend, public holiday or make-up working day. 404
/// for a year the calendar does not cover (its deadlines count weekends only). Any signed-in
/// user.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "Year, e.g. 2026")),
    responses((status = 200, body = CalendarYear), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn year(
    State(s): State<AppState>,
    _p: Principal,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> ApiResult<axum::Json<CalendarYear>> {
    let Some(data) = raw.parse::<i32>().ok().and_then(|y| s.calendar.year(y)) else {
        return Err(AppError::new(
            axum::http::StatusCode::NOT_FOUND,
            "calendar_year_not_covered",
            "该年份的节假日安排尚未录入",
        )
        .field("year"));
    };
    let days = s
        .calendar
        .days_of(data.year)
        .into_iter()
        .map(|(date, kind)| CalendarDay { date, kind })
        .collect();
    Ok(axum::Json(CalendarYear {
        year: data.year,
        notice: data.notice.clone(),
        days,
    }))
}
