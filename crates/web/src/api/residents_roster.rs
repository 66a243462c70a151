//! The residents roster (居民花名册) as community workers fill it in: its columns and the check
//! of every cell. Checking reports every problem of a row, one per bad cell (see
//! [`super::roster::columns`]).

use std::collections::HashMap;

use super::roster::columns::{Column, Columns, node_code, not_found};
use chrono::NaiveDate;
use jiceng_core::household::HouseholdRelation;
use jiceng_core::people::{IdCardNo, Phone, parse_person_name};
use jiceng_io::roster::{RowIssue, Sheet};
use jiceng_store::residents_import::{ImportRow, Place};

pub const NAME: &str = "姓名";
pub const ID_CARD: &str = "身份证号";
pub const PHONE: &str = "联系电话";
pub const RELATION: &str = "与户主关系";
pub const PLACE: &str = "所在网格/小区/楼栋编码";
pub const ADDRESS: &str = "详细地址";

/// The same limit as registering one resident by hand.
const ADDRESS_MAX: usize = 200;

/// The columns, in the template's order.
pub static COLUMNS: [Column; 6] = [
    Column {
        header: NAME,
        aliases: &["居民姓名"],
        required: true,
        hint: "必填。少数民族姓名中间用「·」分隔，如 买买提·艾力",
    },
    Column {
        header: ID_CARD,
        aliases: &["身份证号码", "公民身份号码", "身份证", "证件号码"],
        required: true,
        hint: "必填，18 位（15 位旧证号会自动转换）。本列已设为文本格式，请勿改成数字，否则后几位会丢失",
    },
    Column {
        header: PHONE,
        aliases: &["手机", "手机号", "手机号码", "电话", "电话号码"],
        required: false,
        hint: "选填。11 位手机号，或带区号的固定电话，如 0530-1234567",
    },
    Column {
        header: RELATION,
        aliases: &["关系", "户主关系"],
        required: false,
        hint: "选填：户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、其他；不填按「其他」",
    },
    Column {
        header: PLACE,
        aliases: &["网格编码", "所在网格编码", "节点编码", "编码"],
        required: true,
        hint: "必填，如 371722001001G01（在「区划与组织」中可查到编码），须为您管辖范围内的社区、网格、小区、楼栋或户",
    },
    Column {
        header: ADDRESS,
        aliases: &["地址", "住址", "现住址", "居住地址"],
        required: false,
        hint: "选填，如 幸福小区3号楼2单元501，不超过 200 字",
    },
];

/// The place codes of every row, as they will be looked up.
pub fn codes(sheet: &Sheet, cols: &Columns) -> Vec<String> {
    super::roster::columns::codes_in(sheet, cols, PLACE, super::roster::columns::one_code)
}

/// The rows fit to import and the problems of the others.
pub struct Checked {
    pub rows: Vec<ImportRow>,
    pub issues: Vec<RowIssue>,
}

/// Checks every row. `places` holds the nodes of the caller's scope by code; `today` bounds
/// birth dates. A 身份证 number seen before in the file is a problem of the later row.
pub fn check(
    sheet: &Sheet,
    cols: &Columns,
    today: NaiveDate,
    places: &HashMap<String, Place>,
) -> Checked {
    let mut out = Checked {
        rows: Vec::with_capacity(sheet.rows.len()),
        issues: Vec::new(),
    };
    let mut first_row_of: HashMap<String, u32> = HashMap::with_capacity(sheet.rows.len());
    for r in &sheet.rows {
        let before = out.issues.len();
        let mut issue = |column: &str, reason: String| {
            out.issues.push(RowIssue {
                row: r.number,
                column: column.to_owned(),
                reason,
            });
        };
        let name = parse_person_name(cols.cell(r, NAME)).map_err(|e| issue(NAME, e.message));
        let id = match IdCardNo::parse(cols.cell(r, ID_CARD), today) {
            Ok(id) => match first_row_of.get(id.as_str()) {
                Some(first) => {
                    issue(
                        ID_CARD,
                        format!("身份证号与第 {first} 行重复，同一个人只能填写一行"),
                    );
                    None
                }
                None => {
                    first_row_of.insert(id.as_str().to_owned(), r.number);
                    Some(id)
                }
            },
            Err(e) => {
                issue(ID_CARD, e.message);
                None
            }
        };
        let phone = match cols.cell(r, PHONE) {
            "" => Ok(None),
            raw => Phone::parse(raw)
                .map(Some)
                .map_err(|e| issue(PHONE, e.message)),
        };
        let relation = match cols.cell(r, RELATION) {
            "" => Ok(HouseholdRelation::Other),
            raw => HouseholdRelation::parse(raw).ok_or_else(|| {
                issue(
                    RELATION,
                    format!("与户主关系「{raw}」无法识别，可填：{}", relation_words()),
                )
            }),
        };
        let place = match node_code(cols.cell(r, PLACE)) {
            code if code.is_empty() => {
                issue(PLACE, "请填写所在网格、小区或楼栋的编码".into());
                None
            }
            code => match places.get(&code) {
                None => {
                    issue(PLACE, not_found(&code));
                    None
                }
                Some(p) if !p.may_live_here() => {
                    issue(
                        PLACE,
                        format!(
                            "编码 {code} 是{}，居民须登记在社区及以下的网格、小区、楼栋或户",
                            p.kind().label_zh()
                        ),
                    );
                    None
                }
                Some(p) => Some(p.clone()),
            },
        };
        let address = cols.cell(r, ADDRESS);
        if address.chars().count() > ADDRESS_MAX {
            issue(ADDRESS, format!("详细地址不能超过 {ADDRESS_MAX} 字"));
        }
        if out.issues.len() > before {
            continue;
        }
        if let (Ok(name), Some(id_card), Ok(phone), Ok(relation), Some(place)) =
            (name, id, phone, relation, place)
        {
            out.rows.push(ImportRow {
                row: r.number,
                name,
                id_card,
                phone,
                relation,
                place,
                address: address.to_owned(),
            });
        }
    }
    out
}

fn relation_words() -> String {
    HouseholdRelation::ALL
        .iter()
        .map(|r| r.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .zip(2..)
                .map(|(cells, number)| jiceng_io::roster::Row {
                    number,
                    cells: cells.iter().map(|c| (*c).to_owned()).collect(),
                })
                .collect(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()
    }

    #[test]
    fn a_file_without_a_required_column_is_refused_naming_it() {
        let s = sheet(&["姓名", "联系电话", "网格编码"], &[]);
        let e = Columns::find(&COLUMNS, &s).err().unwrap();
        assert_eq!(
            (e.code, e.details["field"].as_str()),
            ("missing_column", Some("file"))
        );
        assert!(e.message.contains("「身份证号」"), "{}", e.message);
    }

    #[test]
    fn other_spellings_of_the_headers_are_recognised() {
        let s = sheet(
            &[
                "居民姓名",
                "公民身份号码*",
                "手机号码",
                "关系",
                "网格编码",
                "住址",
            ],
            &[],
        );
        let cols = Columns::find(&COLUMNS, &s).unwrap();
        assert_eq!(
            cols.positions(),
            [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
    }

    #[test]
    fn every_bad_cell_of_a_row_is_its_own_issue() {
        let id = IdCardNo::synthesize("371722", NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), 1);
        let s = sheet(
            &[NAME, ID_CARD, PHONE, RELATION, PLACE, ADDRESS],
            &[
                &["张三1", "123", "12345", "邻居", "", ""],
                &["李四", id.as_str(), "", "", "X01", ""],
            ],
        );
        let cols = Columns::find(&COLUMNS, &s).unwrap();
        let checked = check(&s, &cols, today(), &HashMap::new());
        assert!(checked.rows.is_empty());
        let cells: Vec<(u32, &str)> = checked
            .issues
            .iter()
            .map(|i| (i.row, i.column.as_str()))
            .collect();
        assert_eq!(
            cells,
            [
                (2, NAME),
                (2, ID_CARD),
                (2, PHONE),
                (2, RELATION),
                (2, PLACE),
                (3, PLACE)
            ]
        );
        assert!(checked.issues[3].reason.contains("户主、配偶"));
        assert_eq!(
            checked.issues[5].reason,
            "编码不存在或不在您的管辖范围内：X01"
        );
    }
}
