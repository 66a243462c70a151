//! Residents in and out of Excel: the import template, the import of a roster (xlsx, xls or CSV)
//! and the report of its problems as xlsx. The file is the raw request body; the page sends it
//! as a multipart upload and shares [`Roster::run`].

use super::residents_roster::{self as roster, COLUMNS, Checked};
use super::roster::columns::Columns;
use super::roster::{
    FileBody, ImportQuery, ImportSummary, Plan, Roster, import_json, report_xlsx, template_file,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use axum::response::Response;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::import::ImportOutcome;
use jiceng_store::residents_import;

// Where callers have always found them; they serve every roster now.
pub use super::roster::{MAX_FILE, XLSX};

const REGISTERED_ELSEWHERE: &str =
    "该居民已登记在您管辖范围以外的地方，须由其现登记地的社区办理迁出后才能导入";

/// Checks the residents roster and hands the fit rows to the store. Dates are checked against
/// the request's day.
pub(super) async fn apply(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    sheet: &Sheet,
    plan: Plan,
) -> Result<(ImportOutcome, Vec<RowIssue>), AppError> {
    let cols = Columns::find(&COLUMNS, sheet)?;
    let places =
        residents_import::places_by_code(&s.db, scope, &roster::codes(sheet, &cols)).await?;
    let Checked { rows, mut issues } = roster::check(sheet, &cols, p.at.date_naive(), &places);
    let opts = plan.options(&issues);
    let outcome = residents_import::import(&s.db, &s.vault, scope, &p.actor(), rows, opts).await?;
    issues.extend(outcome.registered_elsewhere.iter().map(|&row| RowIssue {
        row,
        column: roster::ID_CARD.to_owned(),
        reason: REGISTERED_ELSEWHERE.to_owned(),
    }));
    Ok((outcome, issues))
}

/// The import template (xlsx): 姓名, 身份证号, 联系电话, 与户主关系, 所在网格/小区/楼栋编码,
/// 详细地址, each header with a note on how to fill it. Needs `ManageResidents`.
#[utoipa::path(get, path = "/api/v1/residents/template.xlsx", tag = "residents",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn template(p: Principal) -> ApiResult<Response> {
    p.scope(Permission::ManageResidents)?;
    template_file(Roster::Residents)
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
    import_json(&s, &p, &scope, Roster::Residents, q, file).await
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
    report_xlsx(&s, &p, &scope, Roster::Residents, q, file).await
}
