//! The columns of a roster and the checks all rosters' cells share. A problem is reported in the
//! words the user sees (the zh-CN header and a zh-CN reason), one per bad cell, so a roster with
//! mistakes is fixed in one pass instead of one error at a time.

use std::collections::HashMap;

use crate::error::AppError;
use jiceng_io::roster::{RosterError, Row, RowIssue, Sheet};
use jiceng_store::import::{Given, Place};

/// A column of a roster: the header the template writes, the other headers people use for the
/// same thing, whether a file without it is refused, and the hint shown on the template.
pub struct Column {
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub hint: &'static str,
}

/// Where each column of a roster is in one sheet.
pub struct Columns {
    spec: &'static [Column],
    at: Vec<Option<usize>>,
}

impl Columns {
    /// Finds the columns by header; a missing required one refuses the whole file.
    pub fn find(spec: &'static [Column], sheet: &Sheet) -> Result<Self, AppError> {
        let mut at = Vec::with_capacity(spec.len());
        for c in spec {
            let names: Vec<&str> = std::iter::once(c.header)
                .chain(c.aliases.iter().copied())
                .collect();
            let found = sheet.column(&names);
            if found.is_none() && c.required {
                return Err(AppError::bad_request(
                    "missing_column",
                    "file",
                    format!(
                        "文件缺少「{}」列：第一行应为表头，请下载导入模板，按模板的列填写",
                        c.header
                    ),
                ));
            }
            at.push(found);
        }
        Ok(Self { spec, at })
    }

    fn position(&self, header: &str) -> Option<usize> {
        self.spec
            .iter()
            .position(|c| c.header == header)
            .and_then(|i| self.at[i])
    }

    /// Whether the file has the column at all.
    pub fn has(&self, header: &str) -> bool {
        self.position(header).is_some()
    }

    /// The cell of `row` in the column `header` ("" when the file lacks the column).
    pub fn cell<'a>(&self, row: &'a Row, header: &str) -> &'a str {
        self.position(header).map_or("", |col| row.get(col))
    }

    /// An optional column's cell, parsed by `parse` unless the file lacks the column.
    pub fn given<T>(
        &self,
        row: &Row,
        header: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<Given<T>> {
        if self.has(header) {
            parse(self.cell(row, header)).map(Given::Cell)
        } else {
            Some(Given::Absent)
        }
    }

    /// The column of every header, in the roster's order (for tests of header spellings).
    pub fn positions(&self) -> &[Option<usize>] {
        &self.at
    }
}

/// The import template: the headers with their hints, id, phone and code columns as text.
pub fn template(spec: &[Column]) -> Result<Vec<u8>, AppError> {
    let headers: Vec<(&str, &str)> = spec.iter().map(|c| (c.header, c.hint)).collect();
    jiceng_io::roster::template(&headers).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        AppError::internal()
    })
}

/// A roster that cannot be read at all is a 400 on `file`, with the reader's own explanation.
pub fn unreadable(e: RosterError) -> AppError {
    let code = match e {
        RosterError::Unreadable { .. } => "unreadable_file",
        RosterError::Empty { .. } => "empty_file",
        RosterError::DuplicateHeader { .. } => "duplicate_header",
    };
    AppError::bad_request(code, "file", e.to_string())
}

/// Codes are stored upper case without spaces; people type `371722001001g01` or group digits.
pub fn node_code(cell: &str) -> String {
    cell.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The codes in one column of every row (each cell split by `split`), as they will be looked up.
pub fn codes_in(
    sheet: &Sheet,
    cols: &Columns,
    header: &str,
    split: fn(&str) -> Vec<String>,
) -> Vec<String> {
    sheet
        .rows
        .iter()
        .flat_map(|r| split(cols.cell(r, header)))
        .filter(|c| !c.is_empty())
        .collect()
}

/// A single code per cell.
pub fn one_code(cell: &str) -> Vec<String> {
    vec![node_code(cell)]
}

/// 是/否 as people type them (calamine reads Excel's TRUE/FALSE as 是/否 already).
pub fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" => Some(true),
        "否" | "n" | "no" | "false" | "0" | "×" | "" => Some(false),
        _ => None,
    }
}

/// The labels a cell may hold, for a reason: 在职、流动、离退休.
pub fn words<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    labels.into_iter().collect::<Vec<_>>().join("、")
}

/// The reason for a code that is unknown or outside the caller's scope: the same words for
/// both, so nothing is learnt about places outside it.
pub fn not_found(code: &str) -> String {
    format!("编码不存在或不在您的管辖范围内：{code}")
}

/// Collects the problems of one row, each under its column's header.
pub struct RowCheck<'a> {
    row: u32,
    issues: &'a mut Vec<RowIssue>,
    before: usize,
}

impl<'a> RowCheck<'a> {
    pub fn new(row: u32, issues: &'a mut Vec<RowIssue>) -> Self {
        let before = issues.len();
        Self {
            row,
            issues,
            before,
        }
    }

    /// Records a problem in `column`; `None`, standing for the value the cell failed to give.
    pub fn fail<T>(&mut self, column: &str, reason: impl Into<String>) -> Option<T> {
        self.issues.push(RowIssue {
            row: self.row,
            column: column.to_owned(),
            reason: reason.into(),
        });
        None
    }

    /// No problem recorded for this row.
    pub fn clean(&self) -> bool {
        self.issues.len() == self.before
    }

    /// The node `cell` names inside the caller's scope (`places`, by code), or the problem: an
    /// empty cell (`empty` says what to fill in), or a code unknown or outside the scope.
    pub fn place<'p>(
        &mut self,
        column: &str,
        cell: &str,
        places: &'p HashMap<String, Place>,
        empty: &str,
    ) -> Option<&'p Place> {
        let code = node_code(cell);
        if code.is_empty() {
            return self.fail(column, empty);
        }
        places
            .get(&code)
            .or_else(|| self.fail(column, not_found(&code)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_are_read_however_they_are_typed() {
        for (raw, want) in [
            ("是", Some(true)),
            (" Y ", Some(true)),
            ("TRUE", Some(true)),
            ("√", Some(true)),
            ("否", Some(false)),
            ("", Some(false)),
            ("0", Some(false)),
            ("也许", None),
        ] {
            assert_eq!(yes_no(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn codes_lose_spaces_and_case() {
        assert_eq!(node_code(" 371722001001g01 "), "371722001001G01");
        assert_eq!(node_code("3717 2200 1"), "371722001");
    }
}
