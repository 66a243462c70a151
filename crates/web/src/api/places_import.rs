//! The places roster (网格、小区、楼栋名册): grids, estates, courtyards, office towers, parks,
//! buildings, entrances and households below a community. Its columns, the check of every cell,
//! the wording of what the store finds, and its handlers. A place is known by (parent, kind,
//! name), so the same roster imported again changes nothing.

use std::collections::HashMap;

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
use jiceng_core::node::{NodeCode, NodeKind, parse_node_name};
use jiceng_core::org::GridType;
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::import::{ImportOutcome, Place, places_by_code};
use jiceng_store::places_import::{
    self, PLACE_KINDS, Parent, PlaceImportRow, PlaceIssue, Problem, code_as_stored, fits_under,
};

pub const PARENT: &str = "上级编码";
pub const KIND: &str = "类型";
pub const NAME: &str = "名称";
pub const CODE: &str = "编码";
pub const GRID_TYPE: &str = "网格类型";

/// The columns, in the template's order.
pub static COLUMNS: [Column; 5] = [
    Column {
        header: PARENT,
        aliases: &["上级节点编码", "上级", "所属编码"],
        required: true,
        hint: "必填：社区（村）或其下网格、小区、楼栋等的编码，如 371722001001；也可填本文件前面行新建地点的完整编码，如 371722001001G01",
    },
    Column {
        header: KIND,
        aliases: &["节点类型", "地点类型"],
        required: true,
        hint: "必填：网格、小区、庭院、商务楼宇、园区、楼栋、单元或户",
    },
    Column {
        header: NAME,
        aliases: &["地点名称", "节点名称"],
        required: true,
        hint: "必填，不超过 100 字。同一上级下按类型和名称识别，再次导入不会重复新建",
    },
    Column {
        header: CODE,
        aliases: &["节点编码", "地点编码"],
        required: false,
        hint: "选填：不填自动生成（如 371722001001G01、…G01E02）；可只填后缀如 G01，前面自动加上级编码",
    },
    Column {
        header: GRID_TYPE,
        aliases: &[],
        required: false,
        hint: "选填，仅网格：居民网格（默认），或学校、医院、商圈、园区、楼宇、机关企事业单位专属网格",
    },
];

fn kinds() -> String {
    words(PLACE_KINDS.iter().map(|k| k.label_zh()))
}

fn grid_types() -> String {
    words(GridType::ALL.iter().map(|t| t.label_zh()))
}

/// A place kind as people type it: the Chinese label or the identifier (`office_tower`), and
/// 楼宇 for 商务楼宇.
pub fn parse_kind(raw: &str) -> Option<NodeKind> {
    let raw = raw.trim();
    PLACE_KINDS.iter().copied().find(|k| {
        raw == k.label_zh() || raw == k.as_str() || (raw == "楼宇" && *k == NodeKind::OfficeTower)
    })
}

/// A grid type by label or identifier; a dedicated one also without 专属网格 (学校, 学校网格).
pub fn parse_grid_type(raw: &str) -> Option<GridType> {
    let raw = raw.trim();
    GridType::parse(raw).or_else(|| {
        let short = raw.trim_end_matches("专属网格").trim_end_matches("网格");
        GridType::ALL.iter().copied().find(|t| {
            !short.is_empty()
                && t.label_zh()
                    .trim_end_matches("专属网格")
                    .trim_end_matches("网格")
                    == short
        })
    })
}

/// The rows fit to import, the problems of the others, and the codes the latter would have
/// created (their children are told which row to fix).
pub struct Checked {
    pub rows: Vec<PlaceImportRow>,
    pub issues: Vec<RowIssue>,
    pub failed: HashMap<String, u32>,
}

/// Checks every row; `places` holds the nodes of the caller's scope by code.
pub fn check(sheet: &Sheet, cols: &Columns, places: &HashMap<String, Place>) -> Checked {
    let mut issues = Vec::new();
    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut failed = HashMap::new();
    let mut first_row_of: HashMap<(String, NodeKind, String), u32> = HashMap::new();
    for r in &sheet.rows {
        let mut c = RowCheck::new(r.number, &mut issues);
        let parent_code = node_code(cols.cell(r, PARENT));
        let parent = if parent_code.is_empty() {
            c.fail(PARENT, "请填写上级编码：所在社区、网格、小区或楼栋等的编码")
        } else {
            Some(places.get(&parent_code).map_or_else(
                || Parent::InFile(parent_code.clone()),
                |p| Parent::Known(p.clone()),
            ))
        };
        let kind = match cols.cell(r, KIND) {
            "" => c.fail(KIND, format!("请填写类型：{}", kinds())),
            raw => parse_kind(raw)
                .or_else(|| c.fail(KIND, format!("类型「{raw}」无法识别，可填：{}", kinds()))),
        };
        if let (Some(Parent::Known(p)), Some(kind)) = (&parent, kind)
            && !fits_under(kind, p.kind())
        {
            c.fail::<()>(KIND, misplaced(kind, p.kind()));
        }
        let name = parse_node_name(cols.cell(r, NAME))
            .map_err(|e| c.fail::<()>(NAME, e.message))
            .ok();
        let code = match cols.cell(r, CODE) {
            "" => Some(None),
            raw => NodeCode::parse(&node_code(raw))
                .map(Some)
                .map_err(|e| c.fail::<()>(CODE, e.message))
                .ok(),
        };
        let subtype = match (cols.cell(r, GRID_TYPE).trim(), kind) {
            ("", _) => Some(None),
            (_, Some(k)) if k != NodeKind::Grid => c.fail(
                GRID_TYPE,
                format!("只有网格有网格类型，{}不填", k.label_zh()),
            ),
            (raw, _) => parse_grid_type(raw).map(Some).or_else(|| {
                c.fail(
                    GRID_TYPE,
                    format!("网格类型「{raw}」无法识别，可填：{}", grid_types()),
                )
            }),
        };
        if let (Some(_), Some(kind), Some(name)) = (&parent, kind, &name) {
            let key = (parent_code.clone(), kind, name.clone());
            if let Some(first) = first_row_of.get(&key) {
                c.fail::<()>(
                    NAME,
                    format!("与第 {first} 行重复：同一上级下同类型、同名称的地点只能填写一行"),
                );
            } else {
                first_row_of.insert(key, r.number);
            }
        }
        if !c.clean() {
            if let (Some(kind), Some(Some(code))) = (kind, &code)
                && let Some(code) = code_as_stored(&parent_code, kind, code)
            {
                failed.insert(code, r.number);
            }
            continue;
        }
        if let (Some(parent), Some(kind), Some(name), Some(code), Some(subtype)) =
            (parent, kind, name, code, subtype)
        {
            rows.push(PlaceImportRow {
                row: r.number,
                parent,
                kind,
                name,
                code,
                subtype,
            });
        }
    }
    Checked {
        rows,
        issues,
        failed,
    }
}

fn misplaced(kind: NodeKind, parent: NodeKind) -> String {
    format!(
        "「{}」不能建在「{}」之下：网格建在社区（村）下，小区、园区、商务楼宇建在社区或网格下，庭院、楼栋、单元、户依次在下",
        kind.label_zh(),
        parent.label_zh()
    )
}

fn parent_failed(code: &str, row: u32) -> String {
    format!("上级 {code} 由第 {row} 行新建，但该行有问题未能新建：请先改正第 {row} 行")
}

/// The store's finding as the user reads it, under its column.
fn word(
    i: &PlaceIssue,
    kind_of: &HashMap<u32, NodeKind>,
    failed: &HashMap<String, u32>,
) -> RowIssue {
    let (column, reason) = match &i.problem {
        Problem::ParentUnknown(code) => match failed.get(code) {
            Some(row) => (PARENT, parent_failed(code, *row)),
            None => (
                PARENT,
                format!(
                    "{}；若上级是本文件中新建的地点，请填其完整编码",
                    not_found(code)
                ),
            ),
        },
        Problem::ParentFailed { code, row } => (PARENT, parent_failed(code, *row)),
        Problem::Misplaced { parent } => {
            let kind = kind_of.get(&i.row).copied().unwrap_or(NodeKind::Grid);
            (KIND, misplaced(kind, *parent))
        }
        Problem::CodeTaken {
            code,
            by_row: Some(row),
        } => (CODE, format!("编码 {code} 与第 {row} 行重复")),
        Problem::CodeTaken { code, by_row: None } => (
            CODE,
            format!("编码 {code} 已被其他节点使用，请换一个编码或留空自动生成"),
        ),
        Problem::CodeDiffers { stored } => (
            CODE,
            format!(
                "同一上级下已有同类型、同名称的地点，编码为 {stored}：导入不修改已有地点的编码，请填 {stored} 或留空"
            ),
        ),
        Problem::SubtypeDiffers { stored } => (
            GRID_TYPE,
            format!(
                "该网格已登记为「{}」：导入不修改已有网格的类型",
                stored.label_zh()
            ),
        ),
    };
    RowIssue {
        row: i.row,
        column: column.to_owned(),
        reason,
    }
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
    let places = places_by_code(&s.db, scope, &codes_in(sheet, &cols, PARENT, one_code)).await?;
    let Checked {
        rows,
        mut issues,
        failed,
    } = check(sheet, &cols, &places);
    let kind_of: HashMap<u32, NodeKind> = rows.iter().map(|r| (r.row, r.kind)).collect();
    let opts = plan.options(&issues);
    let (outcome, found) = places_import::import(&s.db, scope, &p.actor(), rows, opts).await?;
    issues.extend(found.iter().map(|i| word(i, &kind_of, &failed)));
    Ok((outcome, issues))
}

/// The places import template (xlsx): 上级编码, 类型, 名称, 编码, 网格类型, each header with a note
/// on how to fill it. Needs `ManageNodes`.
#[utoipa::path(get, path = "/api/v1/places/template.xlsx", tag = "nodes",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn template(p: Principal) -> ApiResult<Response> {
    p.scope(Permission::ManageNodes)?;
    template_file(Roster::Places)
}

/// Create grids, estates, courtyards, office towers, parks, buildings, entrances and households
/// below communities from a roster sent as the raw body (xlsx, xls or CSV). Needs `ManageNodes`
/// over every parent named.
///
/// A place is known by (parent, kind, name): importing it again leaves it as it is (an import
/// never renames, recodes or retypes a place; a row that disagrees with the stored code or grid
/// type is reported). A parent may be a place created by another row of the same file, named
/// by its full code; rows are written parents first, whatever their order. An empty 编码 is
/// derived (`…G01`, `…G01E02`); a code another node holds is reported. `mode`, `dry_run`, the
/// summary and the status codes are as for the residents import.
#[utoipa::path(post, path = "/api/v1/places/import", tag = "nodes", params(ImportQuery),
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
    import_json(&s, &p, &scope, Roster::Places, q, file).await
}

/// The problems of a places roster as an xlsx (行号 / 列 / 原因); nothing is written. Needs
/// `ManageNodes`.
#[utoipa::path(post, path = "/api/v1/places/import/report.xlsx", tag = "nodes", params(ImportQuery),
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
    report_xlsx(&s, &p, &scope, Roster::Places, q, file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_grid_types_are_read_as_people_write_them() {
        assert_eq!(parse_kind(" 楼栋 "), Some(NodeKind::Building));
        assert_eq!(parse_kind("office_tower"), Some(NodeKind::OfficeTower));
        assert_eq!(parse_kind("楼宇"), Some(NodeKind::OfficeTower));
        assert_eq!(
            parse_kind("社区"),
            None,
            "communities come from the division import"
        );
        assert_eq!(parse_grid_type("居民网格"), Some(GridType::Residential));
        assert_eq!(parse_grid_type("学校"), Some(GridType::School));
        assert_eq!(parse_grid_type("医院网格"), Some(GridType::Hospital));
        assert_eq!(
            parse_grid_type("business_district"),
            Some(GridType::BusinessDistrict)
        );
        assert_eq!(parse_grid_type("专属网格"), None, "which one?");
    }
}
