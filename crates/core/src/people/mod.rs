//! Person data as it arrives from street-office spreadsheets: 身份证号, phone numbers, names and dates.
//! Every parser here first undoes what Excel, input methods and copy-paste do to a cell (full-width
//! characters, stray spaces, numbers in scientific notation) and only then applies the rule, so a
//! rejected value is really wrong and the message says what to fix.

mod date;
mod id_card;
mod name;
mod phone;

pub use date::{excel_serial_to_date, parse_date_cell};
pub use id_card::IdCardNo;
pub use name::parse_person_name;
pub use phone::Phone;

/// Full-width ASCII (U+FF01–FF5E, what a Chinese input method types in full-width mode) to its
/// half-width twin; every other character unchanged.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Characters that are invisible but come along when text is pasted from web pages and Word:
/// zero-width space, word joiner, and a byte-order mark in the middle of a cell.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Normalises one imported cell: full-width ASCII to half-width, every kind of whitespace
/// (ideographic space U+3000, no-break space, tabs, line breaks typed with Alt+Enter) to one plain
/// space, invisible characters removed, trimmed.
pub fn normalize_cell(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars().map(fold_width).filter(|&c| !is_invisible(c)) {
        // `char::is_whitespace` covers U+3000 and U+00A0 as well as ASCII blanks.
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_lose_full_width_forms_and_extra_whitespace() {
        for (raw, want) in [
            ("", ""),
            ("   ", ""),
            ("张三", "张三"),
            ("  张三  ", "张三"),
            ("\u{3000}张\u{3000}\u{3000}三\u{3000}", "张 三"),
            ("张\u{00A0}三", "张 三"),
            ("１３８１２３４５６７８", "13812345678"),
            ("ＡＢＣ－ｘｙｚ", "ABC-xyz"),
            ("（备注）：无", "(备注):无"),
            ("第一行\n第二行\r\n第三行", "第一行 第二行 第三行"),
            ("\t371722\u{200B}", "371722"),
            ("\u{FEFF}姓名", "姓名"),
            // Chinese punctuation outside the full-width ASCII block stays as it is.
            ("《通知》。", "《通知》。"),
        ] {
            assert_eq!(normalize_cell(raw), want, "{raw:?}");
        }
    }
}
