//! Reading: xlsx/xls through calamine, CSV through the csv crate, both into a [`Sheet`].

mod excel;
mod text;

use excel::excel_rows;
use jiceng_core::people::normalize_cell;
use text::text_rows;

use super::{RosterError, Row, Sheet, column_letter, header_key};

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Reads the first visible worksheet of an xlsx/xls file, or a CSV (or tab-separated text).
/// The format is told by the file's first bytes: names lie (HTML and text exports called `.xls`).
pub fn read_roster(bytes: &[u8], file_name: &str) -> Result<Sheet, RosterError> {
    let rows = if bytes.starts_with(OLE_MAGIC) || bytes.starts_with(ZIP_MAGIC) {
        excel_rows(bytes, file_name)?
    } else {
        text_rows(bytes, file_name)?
    };
    build_sheet(rows, file_name)
}

fn unreadable(file: &str, reason: impl Into<String>) -> RosterError {
    RosterError::Unreadable {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

fn build_sheet(rows: Vec<(u32, Vec<String>)>, file: &str) -> Result<Sheet, RosterError> {
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.is_empty()).count();
    let mut rows = rows
        .into_iter()
        .map(|(n, cells)| {
            (
                n,
                cells.iter().map(|c| normalize_cell(c)).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, cells)| filled(cells) > 0)
        .peekable();
    let (_, mut headers) = rows
        .next()
        .ok_or_else(|| RosterError::Empty { file: file.into() })?;
    // A title row above the header (one merged cell: “XX社区居民花名册”) is skipped.
    if filled(&headers) == 1 && rows.peek().is_some_and(|(_, next)| filled(next) >= 2) {
        headers = rows.next().map(|(_, h)| h).unwrap_or_default();
    }
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    for (second, h) in headers.iter().enumerate() {
        let key = header_key(h);
        let earlier = headers[..second].iter().position(|e| header_key(e) == key);
        if let (false, Some(first)) = (key.is_empty(), earlier) {
            return Err(RosterError::DuplicateHeader {
                file: file.into(),
                name: h.clone(),
                first: column_letter(first),
                second: column_letter(second),
            });
        }
    }
    let rows = rows
        .map(|(number, mut cells)| {
            cells.resize(cells.len().max(headers.len()), String::new());
            while cells.len() > headers.len() && cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            Row { number, cells }
        })
        .collect();
    Ok(Sheet { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cells, read};
    use super::excel::number_text;
    use super::*;
    use jiceng_core::people::IdCardNo;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    #[test]
    fn an_excel_roster_reads_as_the_user_sees_it() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let headers = ["姓名", "身份证号", "手机", "出生日期", "党员", "积分"];
        for (c, h) in (0u16..).zip(headers) {
            ws.write_string(0, c, h).unwrap();
        }
        ws.write_string(1, 0, " 张三 ").unwrap();
        ws.write_string(1, 1, "371722199001011234").unwrap();
        ws.write_number(1, 2, 13812345678.0).unwrap();
        let born = ExcelDateTime::from_ymd(1990, 1, 1).unwrap();
        ws.write_datetime_with_format(1, 3, &born, &date).unwrap();
        ws.write_boolean(1, 4, true).unwrap();
        ws.write_number(1, 5, 0.1 + 0.2).unwrap();
        // Row 3 left empty; row 4 typed in full-width, with the id pasted as a number.
        ws.write_string(3, 0, "ＬＩ　Ｓｉ").unwrap();
        ws.write_number(3, 1, 371722199001011234.0).unwrap();
        ws.write_string(3, 2, "１３８ １２３４ ５６７８").unwrap();
        ws.write_string(3, 3, "1990/1/1").unwrap();
        ws.write_boolean(3, 4, false).unwrap();
        ws.write_number(3, 5, -2.0).unwrap();
        let sheet = read(&book.save_to_buffer().unwrap());

        assert_eq!(sheet.headers, headers);
        assert_eq!(
            cells(&sheet),
            [
                (
                    2,
                    vec![
                        "张三",
                        "371722199001011234",
                        "13812345678",
                        "1990-01-01",
                        "是",
                        "0.3"
                    ]
                ),
                (
                    4,
                    vec![
                        "LI Si",
                        "3.71722199001011E+17",
                        "138 1234 5678",
                        "1990/1/1",
                        "否",
                        "-2"
                    ]
                ),
            ]
        );
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let lost = IdCardNo::parse(sheet.rows[1].get(1), today).unwrap_err();
        assert_eq!(lost.code, "id_card_stored_as_number");
    }

    #[test]
    fn a_title_row_is_skipped_and_short_rows_are_padded() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        // Row 1 is empty: the row numbers must still be the sheet's.
        ws.write_string(1, 0, "幸福社区居民花名册").unwrap();
        ws.write_string(2, 0, "姓名").unwrap();
        ws.write_string(2, 1, "身份证号码*").unwrap();
        ws.write_string(2, 2, "联系电话（必填）").unwrap();
        ws.write_string(3, 0, "王五").unwrap();
        let sheet = read(&book.save_to_buffer().unwrap());
        assert_eq!(cells(&sheet), [(4, vec!["王五", "", ""])]);
        assert_eq!(
            sheet.column(&["身份证号", "身份证号码", "公民身份号码"]),
            Some(1)
        );
        assert_eq!(sheet.column(&["联系电话"]), Some(2));
        assert_eq!(sheet.column(&["住址"]), None);
        assert_eq!(sheet.rows[0].get(9), "");
    }

    #[test]
    fn a_duplicate_header_or_an_empty_file_is_refused_with_a_reason() {
        let dup = read_roster("姓名,电话,姓名\n张三,1,2\n".as_bytes(), "a.csv").unwrap_err();
        assert!(
            matches!(&dup, RosterError::DuplicateHeader { first, second, .. } if first == "A" && second == "C")
        );
        assert!(dup.to_string().contains("「姓名」出现了两次"), "{dup}");
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"\n,,\n\n"] {
            assert!(matches!(
                read_roster(empty, "b.csv"),
                Err(RosterError::Empty { .. })
            ));
        }
        for junk in [
            &b"<html><table></table></html>"[..],
            b"\x89PNG\r\n\x1a\n\0\0",
            b"PK\x03\x04broken",
        ] {
            let e = read_roster(junk, "c.xls").err().unwrap();
            assert!(matches!(e, RosterError::Unreadable { .. }), "{e}");
        }
        let empty_book = Workbook::new().save_to_buffer().unwrap();
        assert!(matches!(
            read_roster(&empty_book, "d.xlsx"),
            Err(RosterError::Empty { .. })
        ));
    }

    #[test]
    fn csv_in_utf8_with_bom_keeps_true_row_numbers() {
        let text = "\u{FEFF}姓名,住址,电话\r\n张三,\"幸福路1号\r\n2单元\",13812345678\r\n\r\n李四,,0530-1234567\r\n";
        for text in [text.to_owned(), text.replace("\r\n", "\n")] {
            let sheet = read(text.as_bytes());
            assert_eq!(sheet.headers, ["姓名", "住址", "电话"]);
            assert_eq!(
                cells(&sheet),
                [
                    (2, vec!["张三", "幸福路1号 2单元", "13812345678"]),
                    (4, vec!["李四", "", "0530-1234567"])
                ]
            );
        }
    }

    #[test]
    fn csv_from_chinese_excel_in_gb18030_or_unicode_text_is_decoded() {
        let text = "姓名,身份证号\r\n欧阳娜娜,11010519491231002X\r\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert!(std::str::from_utf8(&gb).is_err());
        // Excel's “Unicode text”: UTF-16LE with a BOM, tab-separated.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            text.replace(',', "\t")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        for bytes in [gb.into_owned(), utf16] {
            let sheet = read(&bytes);
            assert_eq!(sheet.headers, ["姓名", "身份证号"]);
            assert_eq!(cells(&sheet), [(2, vec!["欧阳娜娜", "11010519491231002X"])]);
        }
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        for (f, want) in [
            (13812345678.0, "13812345678"),
            (3.5, "3.5"),
            (0.1 + 0.2, "0.3"),
            (-0.0, "0"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e15, "1E+15"),
            (371722199001011234.0, "3.71722199001011E+17"),
            (-1.5e20, "-1.5E+20"),
        ] {
            assert_eq!(number_text(f), want, "{f}");
        }
    }
}
