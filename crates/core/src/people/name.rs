//! Person names: Chinese, minority names written with the middle dot (买买提·艾力), and foreign
//! names in Latin letters.

use super::normalize_cell;
use crate::DomainError;

/// Characters people type for the separator in 买买提·艾力: the middle dot proper, the bullet,
/// the katakana middle dot of Japanese input methods, and a plain full stop for want of the rest.
fn is_name_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '･' | '‧' | '∙' | '⋅' | '.' | '。')
}

/// Checks and normalises a person's name: trimmed, inner whitespace collapsed, every variant of
/// the middle dot written `·`, 1–30 characters of letters (any script), `·`, spaces, and `-`/`'`
/// inside foreign names. Digits and other punctuation are refused.
pub fn parse_person_name(raw: &str) -> Result<String, DomainError> {
    let cell = normalize_cell(raw);
    let invalid = |why: &str| {
        DomainError::new(
            "invalid_person_name",
            "name",
            format!("姓名「{cell}」无效：{why}"),
        )
    };
    if cell.is_empty() {
        return Err(DomainError::new(
            "invalid_person_name",
            "name",
            "姓名不能为空",
        ));
    }
    // Spaces next to a dot are only typing noise: `买买提 · 艾力`.
    let mut name = String::with_capacity(cell.len());
    for c in cell.chars() {
        if is_name_dot(c) {
            name.truncate(name.trim_end().len());
            name.push('·');
        } else if c == ' ' && name.ends_with('·') {
            continue;
        } else {
            name.push(c);
        }
    }
    // `char::is_alphabetic` covers Han, Latin, Uyghur, Tibetan and Mongolian script, and 〇.
    let inner = |c: char| matches!(c, '·' | ' ' | '-' | '\'');
    if let Some(c) = name.chars().find(|&c| !c.is_alphabetic() && !inner(c)) {
        return Err(invalid(&format!("不能含有数字或符号「{c}」")));
    }
    let starts_or_ends_badly = name.starts_with(inner) || name.ends_with(inner);
    let doubled = ["··", "--", "''", "·-", "-·"]
        .iter()
        .any(|p| name.contains(p));
    if starts_or_ends_badly || doubled {
        return Err(invalid("间隔号「·」等符号只能用在两个字之间"));
    }
    if name.chars().count() > 30 {
        return Err(invalid("不能超过 30 个字"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tidied_into_one_spelling() {
        for (raw, want) in [
            ("张三", "张三"),
            ("  张三 ", "张三"),
            ("\u{3000}欧阳\u{3000}娜娜\u{3000}", "欧阳 娜娜"),
            ("买买提·艾力", "买买提·艾力"),
            ("买买提•艾力", "买买提·艾力"),
            ("买买提 · 艾力", "买买提·艾力"),
            ("买买提.艾力", "买买提·艾力"),
            ("买买提・艾力", "买买提·艾力"),
            ("阿卜杜拉·买买提·吐尔逊", "阿卜杜拉·买买提·吐尔逊"),
            ("John  Smith", "John Smith"),
            ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
            ("Jean-Pierre O'Neil", "Jean-Pierre O'Neil"),
            ("王〇", "王〇"),
            ("李", "李"),
            ("ئەخمەت", "ئەخمەت"),
        ] {
            assert_eq!(parse_person_name(raw).as_deref(), Ok(want), "{raw:?}");
        }
    }

    #[test]
    fn digits_symbols_and_stray_dots_are_refused() {
        for raw in [
            "",
            "   ",
            "张三1",
            "张三２",
            "张三(暂住)",
            "张三、李四",
            "张三,李四",
            "王*",
            "·艾力",
            "艾力·",
            "买买提··艾力",
            "-Smith",
            "张三?",
            &"张".repeat(31),
        ] {
            let e = parse_person_name(raw).unwrap_err();
            assert_eq!(
                (e.code, e.field),
                ("invalid_person_name", "name"),
                "{raw:?}"
            );
        }
        assert!(parse_person_name(&"张".repeat(30)).is_ok());
    }
}
