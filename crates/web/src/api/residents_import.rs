//! Residents in and out of Excel: the import template, the import of a roster (xlsx, xls or CSV)
//! and the report of its problems as xlsx. The file is the raw request body; the page sends it
//! as a multipart upload and shares [`run`].

use super::audit::attachment;
use super::residents_roster::{self as roster, Checked, Columns};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::RowIssue;
use jiceng_store::residents_import::{self, ImportOptions};
use serde::{Deserialize, Serialize};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Any problem and nothing is written.
    #[default]
    AllOrNothing,
    /// The rows without problems are written; the others are reported.
    ValidRows,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// `all_or_nothing` (default) or `valid_rows`.
    pub mode: Option<ImportMode>,
    /// `true`: check and count, write nothing.
    pub dry_run: Option<bool>,
}

/// One problem: the spreadsheet's row number (the header is row 1), the column's header and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Issue {
    pub row: u32,
    pub column: String,
    pub reason: String,
}

/// What an import did. `created`/`updated`/`unchanged` count rows written (or, in a dry run,
/// rows that would be); they are 0 when an `all_or_nothing` import was refused.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub mode: ImportMode,
    pub dry_run: bool,
    /// Whether the rows were written.
    pub applied: bool,
    /// Data rows in the file, the header not counted.
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows not written because of their problems.
    pub skipped: u64,
    /// Every problem, by row; a row can have several.
    pub issues: Vec<Issue>,
}

impl ImportSummary {
    /// The issues as the report writer takes them.
    pub fn row_issues(&self) -> Vec<RowIssue> {
        self.issues
            .iter()
            .map(|i| RowIssue {
                row: i.row,
                column: i.column.clone(),
                reason: i.reason.clone(),
            })
            .collect()
    }

    /// The refusal of an `all_or_nothing` import: 422, with this summary as the details.
    pub fn rejected(self) -> AppError {
        let message = format!(
            "导入文件中有 {} 行存在问题，按「全部正确才导入」方式未写入任何数据。请改正后重新导入，或改用「只导入正确的行」",
            self.skipped
        );
        let mut details = serde_json::to_value(&self).unwrap_or_default();
        details["field"] = "file".into();
        let mut e = AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "import_rejected", message);
        e.details = details;
        e
    }
}

/// The largest roster accepted, about 300,000 rows of xlsx: a whole street's residents. Other
/// requests keep the application's 2 MiB.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// The body limit of the routes that take a roster.
pub fn file_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_FILE)
}

/// The file as the raw request body. An oversized one is our 413 envelope, not axum's text.
pub struct FileBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for FileBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        Bytes::from_request(req, state)
            .await
            .map(FileBody)
            .map_err(|_| too_large())
    }
}

pub fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "文件过大：请把花名册分成几个文件分别导入",
    )
    .field("file")
}

const REGISTERED_ELSEWHERE: &str =
    "该居民已登记在您管辖范围以外的地方，须由其现登记地的社区办理迁出后才能导入";

/// Reads, checks and (unless `dry_run`, or refused) writes a roster for the caller, within
/// `scope` (their `ManageResidents` scope). All the rows that are written land in one
/// transaction. Dates are checked against the request's day.
pub async fn run(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    file: Bytes,
    mode: ImportMode,
    dry_run: bool,
) -> Result<ImportSummary, AppError> {
    // Unzipping and parsing a large workbook is CPU work: off the async workers.
    let sheet =
        tokio::task::spawn_blocking(move || jiceng_io::roster::read_roster(&file, "导入文件"))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "roster reader panicked");
                AppError::internal()
            })?
            .map_err(roster::unreadable)?;
    let cols = Columns::find(&sheet)?;
    let places = residents_import::places_by_code(&s.db, scope, &cols.codes(&sheet)).await?;
    let Checked { rows, mut issues } = roster::check(&sheet, &cols, p.at.date_naive(), &places);
    let all_or_nothing = mode == ImportMode::AllOrNothing;
    let opts = ImportOptions {
        // A refused import still goes through the store, which finds the people registered
        // elsewhere, so that one report lists every problem.
        dry_run: dry_run || (all_or_nothing && !issues.is_empty()),
        all_or_nothing,
    };
    let outcome = residents_import::import(&s.db, &s.vault, scope, &p.actor(), rows, opts).await?;
    issues.extend(outcome.registered_elsewhere.iter().map(|&row| RowIssue {
        row,
        column: roster::ID_CARD.to_owned(),
        reason: REGISTERED_ELSEWHERE.to_owned(),
    }));
    // Stable: a row's issues stay in column order.
    issues.sort_by_key(|i| i.row);
    let mut skipped: Vec<u32> = issues.iter().map(|i| i.row).collect();
    skipped.dedup();
    let counts = outcome.applied || dry_run;
    let count = |n: u64| if counts { n } else { 0 };
    Ok(ImportSummary {
        mode,
        dry_run,
        applied: outcome.applied,
        rows: sheet.rows.len() as u64,
        created: count(outcome.created),
        updated: count(outcome.updated),
        unchanged: count(outcome.unchanged),
        skipped: skipped.len() as u64,
        issues: issues
            .into_iter()
            .map(|i| Issue {
                row: i.row,
                column: i.column,
                reason: i.reason,
            })
            .collect(),
    })
}

/// The import template (xlsx): 姓名, 身份证号, 联系电话, 与户主关系, 所在网格/小区/楼栋编码,
/// 详细地址, each header with a note on how to fill it. Needs `ManageResidents`.
#[utoipa::path(get, path = "/api/v1/residents/template.xlsx", tag = "residents",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn template(p: Principal) -> ApiResult<Response> {
    p.scope(Permission::ManageResidents)?;
    Ok(attachment(roster::template()?, XLSX, "居民导入模板.xlsx"))
}

/// Import residents from a roster sent as the raw body (xlsx, xls, or CSV in UTF-8, GB18030 or
/// UTF-16). Needs `ManageResidents`; every place code must lie in that scope.
///
/// The same 身份证 number imported again updates the person (name, phone, relation, place,
/// address) or leaves them as they are; it never adds a second record. Every problem is listed
/// with its row, column and reason.
///
/// - `mode=all_or_nothing` (default): with any problem nothing is written, and the answer is
///   **422 `import_rejected`** whose `details` is the summary below (plus `field: "file"`).
/// - `mode=valid_rows`: the rows without problems are written together (one transaction), the
///   others reported; 200.
/// - `dry_run=true`: 200 with what would happen; nothing is written.
///
/// A file that cannot be read, or lacks a required column, is 400 on `file`.
#[utoipa::path(post, path = "/api/v1/residents/import", tag = "residents", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportSummary), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn import(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ImportQuery>,
    FileBody(file): FileBody,
) -> ApiResult<axum::Json<ImportSummary>> {
    let scope = p.scope(Permission::ManageResidents)?;
    let mode = q.mode.unwrap_or_default();
    let dry_run = q.dry_run.unwrap_or(false);
    let summary = run(&s, &p, &scope, file, mode, dry_run).await?;
    if !summary.applied && !dry_run {
        return Err(summary.rejected());
    }
    Ok(axum::Json(summary))
}

/// The problems of a roster as an xlsx (行号 / 列 / 原因), for the same body and query as the
/// import. Nothing is written, whatever `dry_run` says. Needs `ManageResidents`.
#[utoipa::path(post, path = "/api/v1/residents/import/report.xlsx", tag = "residents", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ImportQuery>,
    FileBody(file): FileBody,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ManageResidents)?;
    let summary = run(&s, &p, &scope, file, q.mode.unwrap_or_default(), true).await?;
    report_file(&summary)
}

/// The report of `summary` as a download.
pub fn report_file(summary: &ImportSummary) -> ApiResult<Response> {
    let bytes = jiceng_io::roster::write_report(&summary.row_issues()).map_err(|e| {
        tracing::error!(error = %e, "import report failed");
        AppError::internal()
    })?;
    Ok(attachment(bytes, XLSX, "居民导入问题报告.xlsx").into_response())
}
