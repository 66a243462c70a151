//! A plain table (headers + rows of text) written as xlsx or CSV. Every list page exports through
//! this, so headers and formatting are the same everywhere.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub struct Table {
    /// Sheet name (Excel limits it to 31 characters).
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
#[error("xlsx: {0}")]
pub struct ExportError(#[from] XlsxError);

pub fn to_xlsx(t: &Table) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let title: String = t.title.chars().take(31).collect();
    ws.set_name(&title)?;
    let bold = Format::new().set_bold();
    for (c, h) in t.headers.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, &bold)?;
        // Wide enough for Chinese headers and timestamps without the user resizing.
        ws.set_column_width(col, 18)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            // Text cells: ids and codes must not turn into numbers in Excel.
            ws.write_string(r, u16::try_from(c).unwrap_or(u16::MAX), v)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}

/// CSV with a UTF-8 byte-order mark, which Excel on Windows needs to read Chinese correctly.
pub fn to_csv(t: &Table) -> String {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: &[String]| {
        let escaped: Vec<String> = cells.iter().map(|c| escape(c)).collect();
        out.push_str(&escaped.join(","));
        out.push_str("\r\n");
    };
    line(&t.headers);
    for r in &t.rows {
        line(r);
    }
    out
}

fn escape(c: &str) -> String {
    // A leading =, +, - or @ would be run as a formula by Excel: prefix it (CSV injection).
    let c = if c.starts_with(['=', '+', '-', '@']) {
        format!("'{c}")
    } else {
        c.to_owned()
    };
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            title: "审计日志".into(),
            headers: vec!["时间".into(), "操作".into()],
            rows: vec![
                vec!["2026-01-01".into(), "a,\"b\"".into()],
                vec!["x".into(), "=1+1".into()],
            ],
        }
    }

    #[test]
    fn csv_quotes_commas_and_defuses_formulas() {
        let s = to_csv(&sample());
        assert!(s.starts_with('\u{feff}'));
        assert!(s.contains("\"a,\"\"b\"\"\""));
        assert!(s.contains("'=1+1"));
    }

    #[test]
    fn xlsx_is_a_zip_file() {
        let b = to_xlsx(&sample()).unwrap();
        assert_eq!(&b[..2], b"PK");
    }
}
