//! The audit log: who changed what, when, from which state to which.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::audit::{self, AuditEntry, AuditFilter};
use serde::Deserialize;

use super::Paged;

/// China Standard Time: dates typed by users and times shown to them are in UTC+8.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn show_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&cst())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Login of the actor.
    pub actor: Option<String>,
    /// `node`, `user`, `login`, …
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// First day included, `YYYY-MM-DD` (China time).
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (China time).
    pub to: Option<String>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn day_start(
    raw: &Option<String>,
    field: &str,
    plus_days: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(s) = non_empty(raw) else {
        return Ok(None);
    };
    let d = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map_err(|_| AppError::bad_request("invalid_date", field, "日期格式应为 YYYY-MM-DD"))?;
    let start = (d + chrono::Duration::days(plus_days))
        .and_hms_opt(0, 0, 0)
        .and_then(|t| cst().from_local_datetime(&t).single())
        .ok_or_else(|| AppError::bad_request("invalid_date", field, "日期超出范围"))?;
    Ok(Some(start.with_timezone(&Utc)))
}

impl AuditQuery {
    pub fn filter(&self) -> Result<AuditFilter, AppError> {
        Ok(AuditFilter {
            actor: non_empty(&self.actor).map(|a| a.to_lowercase()),
            object_type: non_empty(&self.object_type),
            object_id: non_empty(&self.object_id),
            from: day_start(&self.from, "from", 0)?,
            to: day_start(&self.to, "to", 1)?,
        })
    }
}

/// Audit entries about objects inside the caller's scope, newest first. Needs `ViewAudit`
/// (district admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Paged<AuditEntry>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Paged<AuditEntry>> {
    let scope = p.scope(Permission::ViewAudit)?;
    let page = Page::new(q.page, q.page_size);
    let (items, total) = audit::list(&s.db, &scope, &q.filter()?, page.offset(), page.size).await?;
    Ok(Paged {
        items,
        total: total.count,
        total_exact: total.exact,
        page: page.page,
        page_size: page.size,
    })
}

/// At most this many rows per export; the filters narrow larger logs.
pub const EXPORT_LIMIT: u64 = 100_000;

pub async fn export_table(
    s: &AppState,
    p: &Principal,
    q: &AuditQuery,
) -> Result<jiceng_io::Table, AppError> {
    let scope = p.scope(Permission::ViewAudit)?;
    let (items, _) = audit::list(&s.db, &scope, &q.filter()?, 0, EXPORT_LIMIT).await?;
    Ok(jiceng_io::Table {
        title: "审计日志".into(),
        headers: [
            "时间",
            "操作人",
            "操作",
            "对象类型",
            "对象编号",
            "变更前",
            "变更后",
            "来源地址",
        ]
        .map(String::from)
        .to_vec(),
        rows: items
            .into_iter()
            .map(|e| {
                vec![
                    show_time(e.at),
                    e.actor_login,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.before_json.unwrap_or_default(),
                    e.after_json.unwrap_or_default(),
                    e.ip.unwrap_or_default(),
                ]
            })
            .collect(),
    })
}

pub fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_"),
        urlencoding::encode(name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The filtered audit log as an Excel file. Needs `ViewAudit`.
#[utoipa::path(get, path = "/api/v1/audit/export.xlsx", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("bearer" = [])))]
pub async fn export_xlsx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let t = export_table(&s, &p, &q).await?;
    let bytes = jiceng_io::to_xlsx(&t).map_err(|e| {
        tracing::error!(error = %e, "xlsx export failed");
        AppError::internal()
    })?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "审计日志.xlsx",
    ))
}

/// The filtered audit log as CSV (UTF-8 with BOM, opens in Excel). Needs `ViewAudit`.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "text/csv")), security(("bearer" = [])))]
pub async fn export_csv(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let t = export_table(&s, &p, &q).await?;
    Ok(attachment(
        jiceng_io::to_csv(&t).into_bytes(),
        "text/csv; charset=utf-8",
        "审计日志.csv",
    ))
}
