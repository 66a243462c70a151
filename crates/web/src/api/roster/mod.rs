//! Rosters (花名册) in and out of Excel, whatever they list: residents, party members, grid staff,
//! organisations or places (grids, estates, buildings…). Every roster has a template, an import of xlsx/xls/CSV sent as the raw body
//! (`mode=all_or_nothing|valid_rows`, `dry_run`) that reports every problem by row and column,
//! and the same report as xlsx. This module holds what they share; each roster's own module
//! holds its columns, the check of its cells and its handlers.

pub mod columns;

use super::audit::attachment;
use super::{
    grid_staff_import, orgs_import, party_members_import, places_import, residents_import,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::import::{ImportOptions, ImportOutcome};
use serde::{Deserialize, Serialize};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The rosters that can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roster {
    Residents,
    PartyMembers,
    GridStaff,
    Organisations,
    Places,
}

impl Roster {
    pub const ALL: [Roster; 5] = [
        Roster::Residents,
        Roster::PartyMembers,
        Roster::GridStaff,
        Roster::Organisations,
        Roster::Places,
    ];

    /// The path under which the roster's pages and API live (`/api/v1` + this for the API).
    pub fn base(self) -> &'static str {
        match self {
            Roster::Residents => "/residents",
            Roster::PartyMembers => "/party-members",
            Roster::GridStaff => "/grid-staff",
            Roster::Organisations => "/organisations",
            Roster::Places => "/places",
        }
    }

    /// Who may import it (and download its template).
    pub fn permission(self) -> Permission {
        match self {
            Roster::Residents => Permission::ManageResidents,
            Roster::PartyMembers => Permission::ManagePartyMembers,
            Roster::GridStaff | Roster::Organisations | Roster::Places => Permission::ManageNodes,
        }
    }

    /// What it lists, for file names.
    fn noun(self) -> &'static str {
        match self {
            Roster::Residents => "居民",
            Roster::PartyMembers => "党员",
            Roster::GridStaff => "网格员",
            Roster::Organisations => "组织",
            Roster::Places => "网格小区楼栋",
        }
    }

    /// The i18n key naming the roster in links and titles, e.g. `import.party_members`.
    pub fn key(self) -> &'static str {
        match self {
            Roster::Residents => "import.residents",
            Roster::PartyMembers => "import.party_members",
            Roster::GridStaff => "import.grid_staff",
            Roster::Organisations => "import.organisations",
            Roster::Places => "import.places",
        }
    }

    pub fn template_name(self) -> String {
        format!("{}导入模板.xlsx", self.noun())
    }

    /// The template: the roster's headers, each with a note on how to fill it.
    pub fn template(self) -> Result<Vec<u8>, AppError> {
        columns::template(match self {
            Roster::Residents => &super::residents_roster::COLUMNS,
            Roster::PartyMembers => &party_members_import::COLUMNS,
            Roster::GridStaff => &grid_staff_import::COLUMNS,
            Roster::Organisations => &orgs_import::COLUMNS,
            Roster::Places => &places_import::COLUMNS,
        })
    }

    /// Reads, checks and (unless `dry_run`, or refused) writes a roster for `p` within `scope`,
    /// their scope for [`Roster::permission`]. The rows written land in one transaction.
    pub async fn run(
        self,
        s: &AppState,
        p: &Principal,
        scope: &Scope,
        file: Bytes,
        mode: ImportMode,
        dry_run: bool,
    ) -> Result<ImportSummary, AppError> {
        let sheet = read_sheet(file).await?;
        let plan = Plan {
            dry_run,
            all_or_nothing: mode == ImportMode::AllOrNothing,
        };
        let (outcome, issues) = match self {
            Roster::Residents => residents_import::apply(s, p, scope, &sheet, plan).await?,
            Roster::PartyMembers => party_members_import::apply(s, p, scope, &sheet, plan).await?,
            Roster::GridStaff => grid_staff_import::apply(s, p, scope, &sheet, plan).await?,
            Roster::Organisations => orgs_import::apply(s, p, scope, &sheet, plan).await?,
            Roster::Places => places_import::apply(s, p, scope, &sheet, plan).await?,
        };
        Ok(summarise(mode, dry_run, &sheet, outcome, issues))
    }
}

/// How an import was asked to run.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub dry_run: bool,
    pub all_or_nothing: bool,
}

impl Plan {
    /// The store's options once the cells are checked. A refused import still goes through the
    /// store, which finds the records held elsewhere, so that one report lists every problem.
    pub fn options(self, issues: &[RowIssue]) -> ImportOptions {
        ImportOptions {
            dry_run: self.dry_run || (self.all_or_nothing && !issues.is_empty()),
            all_or_nothing: self.all_or_nothing,
        }
    }
}

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

fn summarise(
    mode: ImportMode,
    dry_run: bool,
    sheet: &Sheet,
    outcome: ImportOutcome,
    mut issues: Vec<RowIssue>,
) -> ImportSummary {
    // Stable: a row's issues stay in column order.
    issues.sort_by_key(|i| i.row);
    let mut skipped: Vec<u32> = issues.iter().map(|i| i.row).collect();
    skipped.dedup();
    let counts = outcome.applied || dry_run;
    let count = |n: u64| if counts { n } else { 0 };
    ImportSummary {
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
    }
}

/// The file as a sheet of text cells. Unzipping and parsing a large workbook is CPU work: off
/// the async workers.
async fn read_sheet(file: Bytes) -> Result<Sheet, AppError> {
    tokio::task::spawn_blocking(move || jiceng_io::roster::read_roster(&file, "导入文件"))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "roster reader panicked");
            AppError::internal()
        })?
        .map_err(columns::unreadable)
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

/// The template of `roster` as a download.
pub fn template_file(roster: Roster) -> ApiResult<Response> {
    Ok(attachment(
        roster.template()?,
        XLSX,
        &roster.template_name(),
    ))
}

/// The JSON answer of an import: the summary, or 422 when an `all_or_nothing` import was refused.
pub async fn import_json(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    roster: Roster,
    q: ImportQuery,
    file: Bytes,
) -> ApiResult<axum::Json<ImportSummary>> {
    let mode = q.mode.unwrap_or_default();
    let dry_run = q.dry_run.unwrap_or(false);
    let summary = roster.run(s, p, scope, file, mode, dry_run).await?;
    if !summary.applied && !dry_run {
        return Err(summary.rejected());
    }
    Ok(axum::Json(summary))
}

/// The problems of a roster as an xlsx, checked but never written.
pub async fn report_xlsx(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    roster: Roster,
    q: ImportQuery,
    file: Bytes,
) -> ApiResult<Response> {
    let summary = roster
        .run(s, p, scope, file, q.mode.unwrap_or_default(), true)
        .await?;
    report_file(roster, &summary)
}

/// The report of `summary` (行号 / 列 / 原因) as a download.
pub fn report_file(roster: Roster, summary: &ImportSummary) -> ApiResult<Response> {
    let bytes = jiceng_io::roster::write_report(&summary.row_issues()).map_err(|e| {
        tracing::error!(error = %e, "import report failed");
        AppError::internal()
    })?;
    let name = format!("{}导入问题报告.xlsx", roster.noun());
    Ok(attachment(bytes, XLSX, &name))
}
