//! The organisations roster (组织名录): owners' committees, property companies, resident units,
//! departments, new organisations and volunteer teams, with the estates they serve. Its columns,
//! the check of every cell and its handlers. An organisation is known by (kind, name, home
//! node), so the same roster imported again changes nothing.

use std::collections::{BTreeSet, HashMap};

use super::roster::columns::{
    Column, Columns, RowCheck, codes_in, node_code, not_found, one_code, words,
};
use super::roster::{
    FileBody, ImportQuery, ImportSummary, Plan, Roster, import_json, report_xlsx, template_file,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use axum::response::Response;
use jiceng_core::node::{Tree, parse_node_name};
use jiceng_core::org::{OrgKind, parse_credit_code};
use jiceng_core::people::{Phone, parse_person_name};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::import::{ImportOutcome, Place, places_by_code};
use jiceng_store::orgs_import::{self, OrgImportRow};

pub const KIND: &str = "组织类型";
pub const NAME: &str = "名称";
pub const HOME: &str = "所属节点编码";
pub const CREDIT_CODE: &str = "统一社会信用代码";
pub const CONTACT: &str = "联系人";
pub const PHONE: &str = "联系电话";
pub const SERVES: &str = "服务小区编码";

/// The columns, in the template's order.
pub static COLUMNS: [Column; 7] = [
    Column {
        header: KIND,
        aliases: &["类型"],
        required: true,
        hint: "必填：业主委员会、物业服务企业、驻区单位、职能部门、两新组织或志愿服务队",
    },
    Column {
        header: NAME,
        aliases: &["组织名称", "单位名称"],
        required: true,
        hint: "必填，不超过 100 字。同一节点下按类型和名称识别，再次导入会更新其信息",
    },
    Column {
        header: HOME,
        aliases: &["所属编码", "登记节点编码"],
        required: true,
        hint: "必填：组织登记在哪个街道、社区或小区，填其编码，如 371722001001；须在您的管辖范围内",
    },
    Column {
        header: CREDIT_CODE,
        aliases: &["信用代码", "社会信用代码"],
        required: false,
        hint: "选填，18 位，如 91350100M000100Y43",
    },
    Column {
        header: CONTACT,
        aliases: &["联系人姓名", "负责人"],
        required: true,
        hint: "必填",
    },
    Column {
        header: PHONE,
        aliases: &["手机", "手机号", "手机号码", "电话", "电话号码"],
        required: false,
        hint: "选填。11 位手机号，或带区号的固定电话，如 0530-1234567",
    },
    Column {
        header: SERVES,
        aliases: &["服务小区", "服务范围编码"],
        required: false,
        hint: "选填：物业服务企业、业主委员会等服务的小区（或楼栋）编码，多个用「、」或逗号分隔。再次导入只会增加，不会删除已有的服务小区",
    },
];

/// The codes of a 服务小区编码 cell: separated by 、 , ; or spaces, in either width.
pub fn split_codes(cell: &str) -> Vec<String> {
    cell.split(|c: char| "、,，;；".contains(c) || c.is_whitespace())
        .map(node_code)
        .filter(|c| !c.is_empty())
        .collect()
}

fn kinds() -> String {
    words(OrgKind::ALL.iter().map(|k| k.label_zh()))
}

/// The rows fit to import and the problems of the others.
pub struct Checked {
    pub rows: Vec<OrgImportRow>,
    pub issues: Vec<RowIssue>,
}

/// Checks every row; `places` holds the nodes of the caller's scope by code.
pub fn check(sheet: &Sheet, cols: &Columns, places: &HashMap<String, Place>) -> Checked {
    let mut issues = Vec::new();
    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut first_row_of: HashMap<(OrgKind, i64, String), u32> = HashMap::new();
    for r in &sheet.rows {
        let mut c = RowCheck::new(r.number, &mut issues);
        let kind = match cols.cell(r, KIND) {
            "" => c.fail(KIND, format!("请填写组织类型：{}", kinds())),
            raw => OrgKind::parse(raw).or_else(|| {
                c.fail(
                    KIND,
                    format!("组织类型「{raw}」无法识别，可填：{}", kinds()),
                )
            }),
        };
        let name = parse_node_name(cols.cell(r, NAME))
            .map_err(|e| c.fail::<()>(NAME, e.message))
            .ok();
        let home = c.place(HOME, cols.cell(r, HOME), places, "请填写组织所属节点的编码");
        let credit_code = cols.given(r, CREDIT_CODE, |raw| match raw {
            "" => Some(String::new()),
            raw => parse_credit_code(raw)
                .map_err(|e| c.fail::<()>(CREDIT_CODE, e.message))
                .ok(),
        });
        let contact = parse_person_name(cols.cell(r, CONTACT))
            .map_err(|e| c.fail::<()>(CONTACT, e.message.replacen("姓名", "联系人", 1)))
            .ok();
        let phone = cols.given(r, PHONE, |raw| match raw {
            "" => Some(None),
            raw => Phone::parse(raw)
                .map(Some)
                .map_err(|e| c.fail::<()>(PHONE, e.message))
                .ok(),
        });
        let serves = served(&mut c, cols.cell(r, SERVES), places);
        if let (Some(kind), Some(home), Some(name)) = (kind, home, &name) {
            let key = (kind, home.id(), name.clone());
            if let Some(first) = first_row_of.get(&key) {
                c.fail::<()>(
                    NAME,
                    format!("与第 {first} 行重复：同一节点下同类型、同名称的组织只能填写一行"),
                );
            } else {
                first_row_of.insert(key, r.number);
            }
        }
        if !c.clean() {
            continue;
        }
        if let (Some(kind), Some(name), Some(home), Some(credit_code)) =
            (kind, name, home, credit_code)
            && let (Some(contact_name), Some(contact_phone), Some(serves)) =
                (contact, phone, serves)
        {
            rows.push(OrgImportRow {
                row: r.number,
                kind,
                name,
                home: home.clone(),
                credit_code,
                contact_name,
                contact_phone,
                serves,
            });
        }
    }
    Checked { rows, issues }
}

/// The places a 服务小区编码 cell names, each once; every unknown code and every code that is not
/// a territory node is a problem.
fn served(c: &mut RowCheck, cell: &str, places: &HashMap<String, Place>) -> Option<Vec<Place>> {
    let codes: BTreeSet<String> = split_codes(cell).into_iter().collect();
    let unknown: Vec<&str> = codes
        .iter()
        .filter(|code| !places.contains_key(*code))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        c.fail::<()>(SERVES, not_found(&words(unknown)));
    }
    let mut found = Vec::with_capacity(codes.len());
    for p in codes.iter().filter_map(|code| places.get(code)) {
        if p.tree() == Some(Tree::Territory) {
            found.push(p.clone());
        } else {
            c.fail::<()>(
                SERVES,
                format!(
                    "编码 {} 是{}，服务对象须为小区、楼栋等地域节点",
                    p.code(),
                    p.kind().label_zh()
                ),
            );
        }
    }
    (found.len() == codes.len()).then_some(found)
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
    let mut codes = codes_in(sheet, &cols, HOME, one_code);
    codes.extend(codes_in(sheet, &cols, SERVES, split_codes));
    let places = places_by_code(&s.db, scope, &codes).await?;
    let Checked { rows, issues } = check(sheet, &cols, &places);
    let opts = plan.options(&issues);
    let outcome = orgs_import::import(&s.db, scope, &p.actor(), rows, opts).await?;
    Ok((outcome, issues))
}

/// The organisations import template (xlsx): 组织类型, 名称, 所属节点编码, 统一社会信用代码,
/// 联系人, 联系电话, 服务小区编码, each header with a note on how to fill it. Needs `ManageNodes`.
#[utoipa::path(get, path = "/api/v1/organisations/template.xlsx", tag = "organisations",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn template(p: Principal) -> ApiResult<Response> {
    p.scope(Permission::ManageNodes)?;
    template_file(Roster::Organisations)
}

/// Import organisations from a roster sent as the raw body (xlsx, xls or CSV). Needs
/// `ManageNodes` over every home node and served place named.
///
/// An organisation is known by (kind, name, home node): importing it again updates its credit
/// code and contact and adds the places it newly serves (links are never removed by an import),
/// or leaves it as it is. Optional columns missing from the file leave what is stored. `mode`,
/// `dry_run`, the summary and the status codes are as for the residents import.
#[utoipa::path(post, path = "/api/v1/organisations/import", tag = "organisations", params(ImportQuery),
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
    import_json(&s, &p, &scope, Roster::Organisations, q, file).await
}

/// The problems of an organisations roster as an xlsx (行号 / 列 / 原因); nothing is written.
/// Needs `ManageNodes`.
#[utoipa::path(post, path = "/api/v1/organisations/import/report.xlsx", tag = "organisations", params(ImportQuery),
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
    report_xlsx(&s, &p, &scope, Roster::Organisations, q, file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_codes_split_on_any_separator_people_type() {
        assert_eq!(
            split_codes(" e1、E2,e3，E4;E5；E6  e7 "),
            ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
        );
        assert!(split_codes("").is_empty());
    }
}
