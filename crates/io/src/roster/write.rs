//! Writing: the report of rejected rows and the import template, as xlsx.

use rust_xlsxwriter::{Format, Note, Workbook};

use super::RowIssue;
use crate::table::ExportError;

/// The problems of an import as an xlsx (行号 / 列 / 原因), in row order.
pub fn write_report(issues: &[RowIssue]) -> Result<Vec<u8>, ExportError> {
    let mut issues: Vec<&RowIssue> = issues.iter().collect();
    issues.sort_by_key(|i| i.row);
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("导入问题")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (col, (title, width)) in [("行号", 8), ("列", 18), ("原因", 70)]
        .into_iter()
        .enumerate()
    {
        let col = col as u16;
        ws.write_string_with_format(0, col, title, &bold)?;
        ws.set_column_width(col, width)?;
    }
    for (r, issue) in (1u32..).zip(&issues) {
        // A number, so the user can sort and filter by row.
        ws.write_number(r, 0, issue.row)?;
        ws.write_string(r, 1, &issue.column)?;
        ws.write_string_with_format(r, 2, &issue.reason, &wrap)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, u32::try_from(issues.len()).unwrap_or(u32::MAX), 2)?;
    Ok(book.save_to_buffer()?)
}

/// Does this column hold numbers that Excel must not treat as numbers: ids lose their tail,
/// landlines their leading 0, codes their leading zeros.
fn is_text_column(header: &str, hint: &str) -> bool {
    [
        "身份证",
        "证件",
        "号码",
        "电话",
        "手机",
        "编号",
        "编码",
        "代码",
    ]
    .iter()
    .any(|w| header.contains(w))
        || hint.contains("文本")
}

/// An import template: bold Chinese headers, each with its hint as a cell note, the header row
/// frozen, and id/phone/code columns formatted as text (`@`) so what is typed stays as typed.
pub fn template(headers: &[(&str, &str)]) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("导入模板")?;
    let bold = Format::new().set_bold().set_background_color("#FDE9E7");
    let text = Format::new().set_num_format("@");
    for (col, (header, hint)) in headers.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        // Chinese characters are about two columns of Excel's width unit.
        let chars: usize = header
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum();
        let mut width = (chars + 4).max(14) as f64;
        if is_text_column(header, hint) {
            ws.set_column_format(col, &text)?;
            width = width.max(22.0); // 18 digits without “####”
        }
        ws.set_column_width(col, width)?;
        ws.write_string_with_format(0, col, *header, &bold)?;
        if !hint.is_empty() {
            ws.insert_note(0, col, &Note::new(*hint).add_author_prefix(false))?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cells, read};
    use super::*;

    #[test]
    fn the_issue_report_is_an_xlsx_in_row_order() {
        let issue = |row: u32, column: &str, reason: &str| RowIssue {
            row,
            column: column.into(),
            reason: reason.into(),
        };
        let bytes = write_report(&[
            issue(7, "手机", "电话号码无效"),
            issue(3, "身份证号", "身份证号校验位不符"),
        ])
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let sheet = read(&bytes);
        assert_eq!(sheet.headers, ["行号", "列", "原因"]);
        assert_eq!(
            cells(&sheet),
            [
                (2, vec!["3", "身份证号", "身份证号校验位不符"]),
                (3, vec!["7", "手机", "电话号码无效"])
            ]
        );
    }

    #[test]
    fn the_template_has_the_headers_and_no_rows() {
        let bytes = template(&[
            ("姓名", "必填"),
            ("身份证号", "18位，文本格式"),
            ("出生日期", ""),
        ])
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let sheet = read(&bytes);
        assert_eq!(sheet.headers, ["姓名", "身份证号", "出生日期"]);
        assert!(sheet.rows.is_empty());
        assert!(is_text_column("身份证号", ""));
        assert!(is_text_column("所属节点编码", ""));
        assert!(is_text_column("备注", "请填文本"));
        assert!(!is_text_column("出生日期", "如 1990-01-01"));
    }
}
