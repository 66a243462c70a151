//! Reading: xlsx/xls through calamine, CSV through the csv crate, both into a [`Sheet`].

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Reader, SheetType, SheetVisible, Sheets, Xls, Xlsx};
use jiceng_core::people::normalize_cell;

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

fn excel_rows(bytes: &[u8], file: &str) -> Result<Vec<(u32, Vec<String>)>, RosterError> {
    let cursor = Cursor::new(bytes);
    let broken = |e: &dyn std::fmt::Display| {
        unreadable(
            file,
            format!("文件已损坏、设有密码或不是 Excel 文件（{e}）"),
        )
    };
    let mut book = if bytes.starts_with(OLE_MAGIC) {
        Sheets::Xls(Xls::new(cursor).map_err(|e| broken(&e))?)
    } else {
        match Xlsx::new(cursor.clone()) {
            Ok(book) => Sheets::Xlsx(book),
            // Other zip spreadsheets (ods, xlsb) are rare but cost nothing to accept.
            Err(e) => calamine::open_workbook_auto_from_rs(cursor).map_err(|_| broken(&e))?,
        }
    };
    // A hidden first sheet usually holds the lists behind drop-downs, not the roster.
    let index = book
        .sheets_metadata()
        .iter()
        .position(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .unwrap_or(0);
    let range = match book.worksheet_range_at(index) {
        Some(range) => range.map_err(|e| broken(&e))?,
        None => return Err(RosterError::Empty { file: file.into() }),
    };
    let Some((first_row, _)) = range.start() else {
        return Err(RosterError::Empty { file: file.into() });
    };
    Ok(range
        .rows()
        .zip(first_row + 1..)
        .map(|(cells, number)| (number, cells.iter().map(cell_text).collect()))
        .collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) if dt.is_duration() => number_text(dt.as_f64()),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) => s
            .strip_suffix("T00:00:00")
            .map_or_else(|| s.replacen('T', " ", 1), str::to_owned),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as Excel would show it in a wide enough column (15 significant digits).
fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.abs() >= 1e15 {
        let s = format!("{f:.14E}");
        let (mantissa, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let sign = if exp.starts_with('-') { "" } else { "+" };
        return format!("{mantissa}E{sign}{exp}");
    }
    if f == 0.0 {
        return "0".to_owned(); // not "-0"
    }
    if f.fract() == 0.0 {
        return format!("{f:.0}");
    }
    // Through 15 significant digits, so a stored 0.30000000000000004 reads 0.3 as in Excel.
    format!("{f:.14e}").parse::<f64>().unwrap_or(f).to_string()
}

/// `YYYY-MM-DD` for a date; a time of day is kept only when there is one.
fn datetime_text(dt: &ExcelDateTime) -> String {
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if dt.as_f64() < 1.0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// Decodes CSV bytes: UTF-8 (with or without BOM), UTF-16 (Excel's “Unicode text”), or else
/// GB18030, which is what Chinese Excel and WPS write for “CSV (逗号分隔)”.
fn decode_text(bytes: &[u8], file: &str) -> Result<String, RosterError> {
    let not_text = || unreadable(file, "既不是 Excel 文件，也不是可识别的 CSV 文本文件");
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        return if had_errors {
            Err(not_text())
        } else {
            Ok(text.into_owned())
        };
    }
    if bytes.contains(&0) {
        return Err(not_text());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                Err(not_text())
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

fn text_rows(bytes: &[u8], file: &str) -> Result<Vec<(u32, Vec<String>)>, RosterError> {
    let text = decode_text(bytes, file)?;
    if text.trim_start().starts_with('<') {
        return Err(unreadable(
            file,
            "这是网页（HTML）格式，不是真正的 Excel 文件：请用 Excel 打开后“另存为” xlsx 格式",
        ));
    }
    let first_line = text.lines().next().unwrap_or_default();
    let tabs = first_line.matches('\t').count();
    let delimiter = if tabs > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Row numbers are counted here: the reader's own line count lags behind on CRLF, and it
    // skips blank lines, which are rows to the user. A line break inside a quoted cell starts a
    // new line of text but not a new spreadsheet row.
    let bytes = text.as_bytes();
    let (mut scanned, mut line_breaks, mut breaks_in_cells) = (0, 0, 0);
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(file, format!("CSV 格式有误（{e}）")))?;
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .max(scanned);
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        line_breaks += bytes[scanned..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        scanned = start;
        let number =
            u32::try_from((line_breaks + 1).saturating_sub(breaks_in_cells)).unwrap_or(u32::MAX);
        breaks_in_cells += record
            .iter()
            .map(|c| c.matches('\n').count())
            .sum::<usize>();
        rows.push((number, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
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
