//! Rosters (花名册) as street offices keep them: an Excel workbook or a CSV saved by Chinese Excel,
//! read into plain text cells with the row numbers the user sees, so every problem can be reported
//! back as "row 7, column 身份证号: …". Values are only normalised here; checking them is the
//! business of `jiceng_core::people`.
//!
//! Numbers: Excel keeps 15 significant digits, so a typed 18-digit 身份证号 stored as a number has
//! already lost its tail. Such a float (magnitude ≥ 10^15) is rendered the way Excel shows it,
//! `3.71722199001011E+17`, which `IdCardNo::parse` reports as `id_card_stored_as_number`. Smaller
//! whole numbers read as plain digits (`13812345678`), never `13812345678.0`.

mod read;
mod write;

pub use read::read_roster;
pub use write::{template, write_report};

use jiceng_core::people::normalize_cell;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number as the user sees it in the spreadsheet; the header is row 1.
    pub number: u32,
    /// At least as many cells as there are headers (missing ones are "").
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `col`, "" if the row is shorter.
    pub fn get(&self, col: usize) -> &str {
        self.cells.get(col).map_or("", String::as_str)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("无法读取文件「{file}」：{reason}")]
    Unreadable { file: String, reason: String },
    #[error("文件「{file}」里没有内容：第一行应为表头（各列的名称）")]
    Empty { file: String },
    #[error(
        "文件「{file}」的表头「{name}」出现了两次（第 {first} 列和第 {second} 列），请删除或改名其中一列"
    )]
    DuplicateHeader {
        file: String,
        name: String,
        first: String,
        second: String,
    },
}

impl Sheet {
    /// The column whose header is one of `names` (earlier names win), ignoring spaces, case, a
    /// required-field star and a `(必填)` suffix: `身份证号*` matches `身份证号`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            let key = header_key(name);
            self.headers.iter().position(|h| header_key(h) == key)
        })
    }
}

fn header_key(header: &str) -> String {
    let h = normalize_cell(header);
    let h = h
        .strip_suffix("(必填)")
        .or_else(|| h.strip_suffix("(选填)"))
        .unwrap_or(&h);
    h.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_matches('*')
        .to_lowercase()
}

/// Excel's column letters, as the user sees them: 0 → A, 26 → AA.
fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// One problem found in an imported row, for the report handed back to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub row: u32,
    pub column: String,
    pub reason: String,
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn read(bytes: &[u8]) -> Sheet {
        read_roster(bytes, "花名册").unwrap()
    }

    pub(crate) fn cells(sheet: &Sheet) -> Vec<(u32, Vec<&str>)> {
        sheet
            .rows
            .iter()
            .map(|r| (r.number, r.cells.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn columns_are_found_by_any_spelling_and_named_by_letter() {
        let sheet = Sheet {
            headers: ["姓名", "公民身份号码 *", "联系电话(必填)", "ID"]
                .map(String::from)
                .to_vec(),
            rows: vec![],
        };
        assert_eq!(
            sheet.column(&["身份证号", "身份证号码", "公民身份号码"]),
            Some(1)
        );
        assert_eq!(sheet.column(&["联系电话"]), Some(2));
        assert_eq!(sheet.column(&["id"]), Some(3));
        assert_eq!(sheet.column(&["住址"]), None);
        for (i, letter) in [(0, "A"), (25, "Z"), (26, "AA"), (27 * 26, "AAA")] {
            assert_eq!(column_letter(i), letter);
        }
    }
}
