//! The party members roster (党员花名册): its columns, the check of every cell and its handlers.
//! Each row names a resident already registered inside the caller's scope, by 身份证 number, and
//! the party organisation they belong to; a resident is a member once, so the same roster
//! imported again changes nothing.

use std::collections::HashMap;

use super::roster::columns::{Column, Columns, RowCheck, codes_in, one_code, words, yes_no};
use super::roster::{
    FileBody, ImportQuery, ImportSummary, Plan, Roster, import_json, report_xlsx, template_file,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Query;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use jiceng_core::node::Tree;
use jiceng_core::org::{ManagementMode, MemberCategory};
use jiceng_core::people::{IdCardNo, parse_date_cell, parse_person_name};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::import::{ImportOutcome, Place, places_by_code};
use jiceng_store::party_members_import::{self, MemberRow, Registered};

pub const NAME: &str = "姓名";
pub const ID_CARD: &str = "身份证号";
pub const ORG: &str = "所在党组织编码";
pub const CATEGORY: &str = "党员类别";
pub const MODE: &str = "管理方式";
pub const HOUSEHOLD: &str = "党员中心户";
pub const CAPTAIN: &str = "党员楼栋长";
pub const JOINED: &str = "入党日期";

/// The columns, in the template's order.
pub static COLUMNS: [Column; 8] = [
    Column {
        header: NAME,
        aliases: &["党员姓名"],
        required: true,
        hint: "必填，须与居民信息中登记的姓名一致",
    },
    Column {
        header: ID_CARD,
        aliases: &["身份证号码", "公民身份号码", "身份证", "证件号码"],
        required: true,
        hint: "必填，18 位。该党员须已登记为居民（请先导入居民）。本列已设为文本格式，请勿改成数字",
    },
    Column {
        header: ORG,
        aliases: &["党组织编码", "所在支部编码", "支部编码"],
        required: true,
        hint: "必填，如 DW001ZB01（在「区划与组织」中可查到编码），须为您管辖范围内的党委、党总支、党支部或党小组",
    },
    Column {
        header: CATEGORY,
        aliases: &["类别"],
        required: true,
        hint: "必填：在职、流动或离退休",
    },
    Column {
        header: MODE,
        aliases: &[],
        required: false,
        hint: "选填：双管、共管或协管；不填按「双管」",
    },
    Column {
        header: HOUSEHOLD,
        aliases: &["是否党员中心户"],
        required: false,
        hint: "选填：是 或 否；不填按「否」",
    },
    Column {
        header: CAPTAIN,
        aliases: &["是否党员楼栋长"],
        required: false,
        hint: "选填：是 或 否；不填按「否」",
    },
    Column {
        header: JOINED,
        aliases: &["入党时间"],
        required: false,
        hint: "选填，如 1998-07-01",
    },
];

const NOT_REGISTERED: &str = "该身份证号尚未登记为居民，请先导入居民";
const HELD_ELSEWHERE: &str =
    "该党员的组织关系在您管辖范围以外的党组织，须由该党组织办理转出后才能导入";

/// 在职/流动/离退休 with or without 党员, or the identifiers.
fn category(raw: &str) -> Option<MemberCategory> {
    MemberCategory::parse(raw).or_else(|| MemberCategory::parse(&format!("{raw}党员")))
}

/// The rows fit to import and the problems of the others.
pub struct Checked {
    pub rows: Vec<MemberRow>,
    pub issues: Vec<RowIssue>,
}

/// Checks every row. `people` holds the residents of the caller's scope by 身份证 number,
/// `places` the nodes of the scope by code; `today` bounds 身份证 birth dates and 入党日期.
pub fn check(
    sheet: &Sheet,
    cols: &Columns,
    today: NaiveDate,
    people: &HashMap<String, Registered>,
    places: &HashMap<String, Place>,
) -> Checked {
    let mut issues = Vec::new();
    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    for r in &sheet.rows {
        let mut c = RowCheck::new(r.number, &mut issues);
        let name = parse_person_name(cols.cell(r, NAME))
            .map_err(|e| c.fail::<()>(NAME, e.message))
            .ok();
        let person = match IdCardNo::parse(cols.cell(r, ID_CARD), today) {
            Err(e) => c.fail(ID_CARD, e.message),
            Ok(id) => match first_row_of.get(id.as_str()) {
                Some(first) => c.fail(
                    ID_CARD,
                    format!("身份证号与第 {first} 行重复，同一个人只能填写一行"),
                ),
                None => {
                    first_row_of.insert(id.as_str().to_owned(), r.number);
                    people
                        .get(id.as_str())
                        .or_else(|| c.fail(ID_CARD, NOT_REGISTERED))
                }
            },
        };
        if let (Some(name), Some(person)) = (&name, person)
            && name != person.name()
        {
            c.fail::<()>(
                NAME,
                format!(
                    "姓名与该身份证号登记的居民姓名「{}」不一致，请核对",
                    person.name()
                ),
            );
        }
        let org = c
            .place(ORG, cols.cell(r, ORG), places, "请填写所在党组织的编码")
            .and_then(|p| match p.tree() {
                Some(Tree::Org) => Some(p),
                _ => c.fail(
                    ORG,
                    format!(
                        "编码 {} 是{}，党员须编入党委、党总支、党支部或党小组等党组织",
                        p.code(),
                        p.kind().label_zh()
                    ),
                ),
            });
        let category = match cols.cell(r, CATEGORY) {
            "" => c.fail(CATEGORY, "请填写党员类别：在职、流动或离退休"),
            raw => category(raw).or_else(|| {
                c.fail(
                    CATEGORY,
                    format!("党员类别「{raw}」无法识别，可填：在职、流动、离退休"),
                )
            }),
        };
        let mode = cols.given(r, MODE, |raw| match raw {
            "" => Some(ManagementMode::Dual),
            raw => ManagementMode::parse(raw).or_else(|| {
                let labels = words(ManagementMode::ALL.iter().map(|m| m.label_zh()));
                c.fail(MODE, format!("管理方式「{raw}」无法识别，可填：{labels}"))
            }),
        });
        let flag = |c: &mut RowCheck, header: &str| {
            cols.given(r, header, |raw| {
                yes_no(raw)
                    .or_else(|| c.fail(header, format!("「{raw}」无法识别，请填写「是」或「否」")))
            })
        };
        let household = flag(&mut c, HOUSEHOLD);
        let captain = flag(&mut c, CAPTAIN);
        let joined_on = cols.given(r, JOINED, |raw| match raw {
            "" => Some(None),
            raw => match parse_date_cell(raw) {
                None => c.fail(
                    JOINED,
                    format!("入党日期「{raw}」无法识别，请填写如 1998-07-01"),
                ),
                Some(d) if d > today => c.fail(JOINED, "入党日期不能晚于今天"),
                Some(d) => Some(Some(d)),
            },
        });
        if !c.clean() {
            continue;
        }
        if let (Some(person), Some(org), Some(category), Some(mode), Some(household)) =
            (person, org, category, mode, household)
            && let (Some(captain), Some(joined_on)) = (captain, joined_on)
        {
            rows.push(MemberRow {
                row: r.number,
                resident: person.clone(),
                org: org.clone(),
                category,
                management_mode: mode,
                member_household: household,
                building_captain: captain,
                joined_on,
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
    let today = p.at.date_naive();
    let ids: Vec<IdCardNo> = sheet
        .rows
        .iter()
        .filter_map(|r| IdCardNo::parse(cols.cell(r, ID_CARD), today).ok())
        .collect();
    let people = party_members_import::residents_by_id_card(&s.db, &s.vault, scope, &ids).await?;
    let places = places_by_code(&s.db, scope, &codes_in(sheet, &cols, ORG, one_code)).await?;
    let Checked { rows, mut issues } = check(sheet, &cols, today, &people, &places);
    let opts = plan.options(&issues);
    let outcome = party_members_import::import(&s.db, scope, &p.actor(), rows, opts).await?;
    issues.extend(outcome.registered_elsewhere.iter().map(|&row| RowIssue {
        row,
        column: ORG.to_owned(),
        reason: HELD_ELSEWHERE.to_owned(),
    }));
    Ok((outcome, issues))
}

/// The party members import template (xlsx): 姓名, 身份证号, 所在党组织编码, 党员类别, 管理方式,
/// 党员中心户, 党员楼栋长, 入党日期, each header with a note on how to fill it. Needs
/// `ManagePartyMembers`.
#[utoipa::path(get, path = "/api/v1/party-members/template.xlsx", tag = "organisations",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn template(p: Principal) -> ApiResult<Response> {
    p.scope(Permission::ManagePartyMembers)?;
    template_file(Roster::PartyMembers)
}

/// Import party members from a roster sent as the raw body (xlsx, xls or CSV). Needs
/// `ManagePartyMembers` over both the members' homes and their organisations.
///
/// Each 身份证 number must belong to a resident registered in that scope; the organisation code
/// must be a party organisation in it. A resident is a member once: importing the same number
/// again updates the membership (organisation, category, mode, roles, 入党日期) or leaves it as it
/// is. A member of an organisation outside the scope is reported, never moved. Optional columns
/// missing from the file leave what is stored. `mode`, `dry_run`, the summary and the status
/// codes are as for the residents import.
#[utoipa::path(post, path = "/api/v1/party-members/import", tag = "organisations", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportSummary), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn import(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ImportQuery>,
    FileBody(file): FileBody,
) -> ApiResult<axum::Json<ImportSummary>> {
    let scope = p.scope(Permission::ManagePartyMembers)?;
    import_json(&s, &p, &scope, Roster::PartyMembers, q, file).await
}

/// The problems of a party members roster as an xlsx (行号 / 列 / 原因); nothing is written.
/// Needs `ManagePartyMembers`.
#[utoipa::path(post, path = "/api/v1/party-members/import/report.xlsx", tag = "organisations", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ImportQuery>,
    FileBody(file): FileBody,
) -> ApiResult<Response> {
    let scope = p.scope(Permission::ManagePartyMembers)?;
    report_xlsx(&s, &p, &scope, Roster::PartyMembers, q, file).await
}
