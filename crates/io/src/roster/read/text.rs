//! CSV and tab-separated text as Chinese Excel and WPS save it: the encoding guessed, the
//! delimiter told by the first line, rows numbered as the user sees them.

use super::unreadable;
use crate::roster::RosterError;

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

pub(super) fn text_rows(bytes: &[u8], file: &str) -> Result<Vec<(u32, Vec<String>)>, RosterError> {
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
