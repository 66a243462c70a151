//! The grid staff roster (网格员花名册): its columns, the check of every cell and its handlers.
//! A person is known by (grid, role, name), so the same roster imported again changes nothing and
//! a changed phone updates that one person.

use std::collections::HashMap;

use super::roster::columns::{Column, Columns, RowCheck, codes_in, one_code, words};
use super::roster::{
    FileBody, ImportQuery, ImportSummary, Plan, Roster, import_json, report_xlsx, template_file,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use axum::response::Response;
use jiceng_core::node::NodeKind;
use jiceng_core::org::GridRole;
use jiceng_core::people::{Phone, parse_person_name};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::grid_staff_import::{self, StaffImportRow};
use jiceng_store::import::{ImportOutcome, Place, places_by_code};

pub const GRID: &str = "网格编码";
pub const ROLE: &str = "网格角色";
pub const NAME: &str = "姓名";
pub const PHONE: &str = "联系电话";

/// The columns, in the template's order.
pub static COLUMNS: [Column; 4] = [
    Column {
        header: GRID,
        aliases: &["所在网格编码", "网格"],
        required: true,
        hint: "必填，如 371722001001G01（在「区划与组织」中可查到编码），须为您管辖范围内的网格",
    },
    Column {
        header: ROLE,
        aliases: &["角色", "职务"],
        required: true,
        hint: "必填：网格长、网格指导员、专职网格员或兼职网格员",
    },
    Column {
        header: NAME,
        aliases: &["网格员姓名"],
        required: true,
        hint: "必填。同一网格、同一角色下按姓名识别，再次导入会更新其联系电话",
    },
    Column {
        header: PHONE,
        aliases: &["手机", "手机号", "手机号码", "电话", "电话号码"],
        required: false,
        hint: "选填。11 位手机号，或带区号的固定电话，如 0530-1234567",
    },
];

fn roles() -> String {
    words(GridRole::ALL.iter().map(|r| r.label_zh()))
}

/// The rows fit to import and the problems of the others.
pub struct Checked {
    pub rows: Vec<StaffImportRow>,
    pub issues: Vec<RowIssue>,
}

/// Checks every row; `places` holds the nodes of the caller's scope by code.
pub fn check(sheet: &Sheet, cols: &Columns, places: &HashMap<String, Place>) -> Checked {
    let mut issues = Vec::new();
    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut first_row_of: HashMap<(i64, GridRole, String), u32> = HashMap::new();
    for r in &sheet.rows {
        let mut c = RowCheck::new(r.number, &mut issues);
        let grid = c
            .place(GRID, cols.cell(r, GRID), places, "请填写网格编码")
            .and_then(|p| match p.kind() {
                NodeKind::Grid => Some(p),
                kind => c.fail(
                    GRID,
                    format!(
                        "编码 {} 是{}，只能为网格配备网格员",
                        p.code(),
                        kind.label_zh()
                    ),
                ),
            });
        let role = match cols.cell(r, ROLE) {
            "" => c.fail(ROLE, format!("请填写网格角色：{}", roles())),
            raw => GridRole::parse(raw).or_else(|| {
                c.fail(
                    ROLE,
                    format!("网格角色「{raw}」无法识别，可填：{}", roles()),
                )
            }),
        };
        let name = parse_person_name(cols.cell(r, NAME))
            .map_err(|e| c.fail::<()>(NAME, e.message))
            .ok();
        let phone = cols.given(r, PHONE, |raw| match raw {
            "" => Some(None),
            raw => Phone::parse(raw)
                .map(Some)
                .map_err(|e| c.fail::<()>(PHONE, e.message))
                .ok(),
        });
        if let (Some(grid), Some(role), Some(name)) = (grid, role, &name) {
            let key = (grid.id(), role, name.clone());
            if let Some(first) = first_row_of.get(&key) {
                c.fail::<()>(
                    NAME,
                    format!("与第 {first} 行重复：同一网格、同一角色的同一人只能填写一行"),
                );
            } else {
                first_row_of.insert(key, r.number);
            }
        }
        if !c.clean() {
            continue;
        }
        if let (Some(grid), Some(role), Some(name), Some(phone)) = (grid, role, name, phone) {
            rows.push(StaffImportRow {
                row: r.number,
                grid: grid.clone(),
                role,
                name,
                phone,
            });
        }
    }
    Checked { rows, issues }
}

/// Checks the roster and hands the fit rows to the store.
pub(super) async fn apply(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    sheet: &Sheet,
    plan: Plan,
) -> Result<(ImportOutcome, Vec<RowIssue>), AppError> {
    let cols = Columns::find(&COLUMNS, sheet)?;
    let places = places_by_code(&s.db, scope, &codes_in(sheet, &cols, GRID, one_code)).await?;
    let Checked { rows, issues } = check(sheet, &cols, &places);
    let opts = plan.options(&issues);
    let outcome = grid_staff_import::import(&s.db, &s.vault, scope, &p.actor(), rows, opts).await?;
    Ok((outcome, issues))
}

/// The grid staff import template (xlsx): 网格编码, 网格角色, 姓名, 联系电话, each header with a
/// note on how to fill it. Needs `ManageNodes`.
#[utoipa::path(get, path = "/api/v1/grid-staff/template.xlsx", tag = "organisations",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn template(p: Principal) -> ApiResult<Response> {
    p.scope(Permission::ManageNodes)?;
    template_file(Roster::GridStaff)
}

/// Import grid staff ("1+1+X+N") from a roster sent as the raw body (xlsx, xls or CSV). Needs
/// `ManageNodes` over every grid named.
///
/// A person is known by (grid, role, name): importing them again updates their phone or leaves
/// them as they are; a file without the 联系电话 column leaves phones alone. `mode`, `dry_run`,
/// the summary and the status codes are as for the residents import.
#[utoipa::path(post, path = "/api/v1/grid-staff/import", tag = "organisations", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportSummary), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn import(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ImportQuery>,
    FileBody(file): FileBody,
) -> ApiResult<axum::Json<ImportSummary>> {
    let scope = p.scope(Permission::ManageNodes)?;
    import_json(&s, &p, &scope, Roster::GridStaff, q, file).await
}

/// The problems of a grid staff roster as an xlsx (行号 / 列 / 原因); nothing is written. Needs
/// `ManageNodes`.
#[utoipa::path(post, path = "/api/v1/grid-staff/import/report.xlsx", tag = "organisations", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ImportQuery>,
    FileBody(file): FileBody,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ManageNodes)?;
    report_xlsx(&s, &p, &scope, Roster::GridStaff, q, file).await
}
