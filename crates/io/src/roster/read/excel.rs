//! Excel workbooks (xlsx, xls, and other zip spreadsheets) through calamine: the first visible
//! worksheet, each cell rendered as Excel shows it.

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Reader, SheetType, SheetVisible, Sheets, Xls, Xlsx};

use super::{OLE_MAGIC, unreadable};
use crate::roster::RosterError;

pub(super) fn excel_rows(bytes: &[u8], file: &str) -> Result<Vec<(u32, Vec<String>)>, RosterError> {
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
pub(super) fn number_text(f: f64) -> String {
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
