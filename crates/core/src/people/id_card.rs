//! 居民身份证号 (GB 11643-1999): 6 digits region, 8 digits birth date, 3 digits sequence (odd for
//! men), 1 check character (ISO 7064 MOD 11-2). The old 15-digit form (two-digit year, no check
//! character) is still on paper records and is converted to 18 digits.

use chrono::{Datelike, NaiveDate};

use super::{fold_width, is_invisible};
use crate::DomainError;

const FIELD: &str = "id_card_no";
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A checked 18-digit 身份证号. It is personal data: `Debug` prints the masked form, and there is
/// deliberately no `Display`, so the full number only leaves through [`IdCardNo::as_str`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNo {
    no: String,
    birth: NaiveDate,
}

impl std::fmt::Debug for IdCardNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdCardNo({})", self.masked())
    }
}

fn err(code: &'static str, message: impl Into<String>) -> DomainError {
    DomainError::new(code, FIELD, message)
}

fn stored_as_number() -> DomainError {
    err(
        "id_card_stored_as_number",
        "身份证号被 Excel 当成数字保存了（如 3.71722E+17），Excel 只保留 15 位有效数字，后几位已经丢失。\
         请把这一列的单元格格式设为“文本”，再重新录入或粘贴完整的身份证号",
    )
}

/// The check character for the first 17 digits (which must be ASCII digits).
fn check_char(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

/// `3.71722199001011E+17`, `3.7172E17`: how Excel shows (and saves to CSV) a long number.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits_and_one_point = !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.matches('.').count() <= 1;
    digits_and_one_point
        && (1..=3).contains(&exponent.len())
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

fn is_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYYMMDD` as a birth date: a real day, from 1900 on, not in the future.
fn birth_date(yyyymmdd: &str, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    let num = |r: std::ops::Range<usize>| yyyymmdd[r].parse::<u32>().unwrap_or(0);
    let bad = |why: &str| {
        err(
            "invalid_id_card_birth_date",
            format!("身份证号中的出生日期 {yyyymmdd} {why}，请核对"),
        )
    };
    let year = i32::try_from(num(0..4)).unwrap_or(0);
    let date =
        NaiveDate::from_ymd_opt(year, num(4..6), num(6..8)).ok_or_else(|| bad("不是有效的日期"))?;
    if year < 1900 {
        return Err(bad("早于 1900 年"));
    }
    if date > today {
        return Err(bad("晚于今天"));
    }
    Ok(date)
}

fn check_region(s: &str) -> Result<(), DomainError> {
    if (b'1'..=b'8').contains(&s.as_bytes()[0]) {
        Ok(())
    } else {
        Err(err(
            "invalid_id_card_region",
            "身份证号第 1 位（地区码）应为 1–8，请核对",
        ))
    }
}

impl IdCardNo {
    /// Parses a number as it comes from a form or a spreadsheet cell. `today` bounds the birth date.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, DomainError> {
        // Spaces anywhere (people group the digits 6-8-4), full-width digits from Chinese input
        // methods, a lower-case x, and the apostrophe Excel users type to force text.
        let squeezed: String = raw
            .chars()
            .map(fold_width)
            .filter(|&c| !c.is_whitespace() && !is_invisible(c))
            .map(|c| if c == 'x' { 'X' } else { c })
            .collect();
        let mut s = squeezed.strip_prefix('\'').unwrap_or(&squeezed);
        if s.is_empty() {
            return Err(err("invalid_id_card_length", "身份证号不能为空"));
        }
        if is_scientific(s) {
            return Err(stored_as_number());
        }
        // `371722199001011000.0`: the cell went through a float. Up to 15 digits a float is exact
        // (an old 15-digit number survives); beyond that the tail is gone.
        if let Some((int, frac)) = s.split_once('.')
            && !int.is_empty()
            && is_digits(int)
            && !frac.is_empty()
            && frac.bytes().all(|b| b == b'0')
        {
            if int.len() > 15 {
                return Err(stored_as_number());
            }
            s = int;
        }
        let (body, last) = s.split_at(s.len() - s.chars().last().map_or(0, char::len_utf8));
        if !is_digits(body) || !(is_digits(last) || last == "X") {
            return Err(err(
                "invalid_id_card_chars",
                "身份证号只能由数字组成，最后一位可以是 X",
            ));
        }
        match s.len() {
            18 => Self::parse_18(s, today),
            15 if last == "X" => Err(err(
                "invalid_id_card_chars",
                "15 位的旧身份证号只能由数字组成",
            )),
            15 => Self::parse_15(s, today),
            n => Err(err(
                "invalid_id_card_length",
                format!("身份证号应为 18 位（旧证 15 位），这里是 {n} 位"),
            )),
        }
    }

    fn parse_18(s: &str, today: NaiveDate) -> Result<Self, DomainError> {
        check_region(s)?;
        let birth = birth_date(&s[6..14], today)?;
        if check_char(&s[..17]) != char::from(s.as_bytes()[17]) {
            // Excel with the number format "0" shows a stored number with its lost tail as zeros.
            if s.ends_with("000") {
                return Err(stored_as_number());
            }
            return Err(err(
                "invalid_id_card_checksum",
                "身份证号校验位不符，请逐位核对是否录错",
            ));
        }
        Ok(Self {
            no: s.to_owned(),
            birth,
        })
    }

    fn parse_15(s: &str, today: NaiveDate) -> Result<Self, DomainError> {
        check_region(s)?;
        let mut no = format!("{}19{}", &s[..6], &s[6..]);
        let birth = birth_date(&no[6..14], today)?;
        no.push(check_char(&no));
        Ok(Self { no, birth })
    }

    /// Builds a valid number (check character computed) for tests and demo data.
    ///
    /// # Panics
    /// If `region` is not 6 digits starting with 1–8, the birth year is outside 1900–9999, or
    /// `seq` is over 999.
    pub fn synthesize(region: &str, birth: NaiveDate, seq: u16) -> IdCardNo {
        assert!(
            region.len() == 6 && is_digits(region) && check_region(region).is_ok(),
            "region must be 6 digits starting with 1-8: {region:?}"
        );
        assert!((1900..=9999).contains(&birth.year()), "birth year {birth}");
        assert!(seq < 1000, "seq {seq} has more than 3 digits");
        let mut no = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
        no.push(check_char(&no));
        IdCardNo { no, birth }
    }

    /// The full 18-character number. Store and compare it; never log it (use [`Self::masked`]).
    pub fn as_str(&self) -> &str {
        &self.no
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }

    /// The 17th digit: odd for men, even for women.
    pub fn is_male(&self) -> bool {
        (self.no.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The 6-digit region code of the place of first registration (not necessarily where the
    /// person lives now).
    pub fn region_code(&self) -> &str {
        &self.no[..6]
    }

    /// Age in full years on `date` (0 before the birth date).
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let mut years = date.year() - self.birth.year();
        if (date.month(), date.day()) < (self.birth.month(), self.birth.day()) {
            years -= 1;
        }
        u32::try_from(years).unwrap_or(0)
    }

    /// First 4 and last 4 characters, the rest starred: `3717**********123X`. Enough for a grid
    /// worker to tell two residents apart, not enough to impersonate one.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.no[..4], "*".repeat(10), &self.no[14..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 5, 1)
    }

    fn code_of(raw: &str) -> &'static str {
        IdCardNo::parse(raw, today()).unwrap_err().code
    }

    #[test]
    fn the_sample_numbers_published_with_the_standard_check_out() {
        // 11010519491231002X is the example printed in GB 11643-1999.
        let id = IdCardNo::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date(), day(1949, 12, 31));
        assert!(!id.is_male());
        assert_eq!(id.region_code(), "110105");
        // The standard's other example has a valid checksum but an 1880 birth date, which we refuse.
        assert_eq!(check_char("44052418800101001"), '4');
        assert_eq!(code_of("440524188001010014"), "invalid_id_card_birth_date");
    }

    #[test]
    fn synthesized_numbers_parse_back_to_themselves() {
        for (region, birth, seq, male) in [
            ("371722", day(1990, 1, 1), 123, true),
            ("110105", day(1949, 12, 31), 2, false),
            ("650102", day(2000, 2, 29), 0, false),
            ("810000", day(1900, 1, 1), 999, true),
        ] {
            let id = IdCardNo::synthesize(region, birth, seq);
            let back = IdCardNo::parse(id.as_str(), today()).unwrap();
            assert_eq!(back, id);
            assert_eq!(back.birth_date(), birth);
            assert_eq!(back.is_male(), male, "{}", id.as_str());
            assert_eq!(back.region_code(), region);
        }
    }

    #[test]
    fn spreadsheet_noise_around_a_valid_number_is_removed() {
        let id = IdCardNo::synthesize("371722", day(1985, 7, 9), 31);
        let s = id.as_str();
        let full_width: String = s
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        for raw in [
            format!(" {s} "),
            format!("{} {} {}", &s[..6], &s[6..14], &s[14..]),
            format!("{}\u{3000}{}\u{00A0}", &s[..6], &s[6..]),
            format!("'{s}"),
            format!("\t{s}\u{200B}"),
            full_width,
        ] {
            assert_eq!(IdCardNo::parse(&raw, today()).unwrap(), id, "{raw:?}");
        }
    }

    #[test]
    fn a_lower_case_or_full_width_x_is_the_check_character_x() {
        let x = (0..1000)
            .map(|seq| IdCardNo::synthesize("371722", day(1990, 1, 1), seq))
            .find(|id| id.as_str().ends_with('X'))
            .unwrap();
        let body = &x.as_str()[..17];
        for raw in [format!("{body}x"), format!("{body}Ｘ"), format!("{body}ｘ")] {
            assert_eq!(IdCardNo::parse(&raw, today()).unwrap(), x, "{raw}");
        }
    }

    #[test]
    fn an_old_15_digit_number_becomes_the_18_digit_one() {
        let id = IdCardNo::synthesize("371722", day(1968, 3, 5), 457);
        let old = format!("{}{}", &id.as_str()[..6], &id.as_str()[8..17]);
        assert_eq!(old.len(), 15);
        for raw in [old.clone(), format!("{old}.0")] {
            assert_eq!(IdCardNo::parse(&raw, today()).unwrap(), id, "{raw}");
        }
    }

    #[test]
    fn each_kind_of_mistake_has_its_own_code() {
        let good = IdCardNo::synthesize("371722", day(1990, 1, 1), 123);
        let g = good.as_str();
        let wrong_check = format!("{}{}", &g[..17], if g.ends_with('1') { '2' } else { '1' });
        for (raw, code) in [
            ("", "invalid_id_card_length"),
            ("   ", "invalid_id_card_length"),
            ("3717221990", "invalid_id_card_length"),
            (&format!("{g}1"), "invalid_id_card_length"),
            ("37172219900101123A", "invalid_id_card_chars"),
            ("3717X2199001011234", "invalid_id_card_chars"),
            ("37172290010112X", "invalid_id_card_chars"),
            ("张三", "invalid_id_card_chars"),
            (&wrong_check, "invalid_id_card_checksum"),
            ("371722199002301230", "invalid_id_card_birth_date"),
            ("371722189912311230", "invalid_id_card_birth_date"),
            (
                &IdCardNo::synthesize("371722", day(2027, 1, 1), 1).no,
                "invalid_id_card_birth_date",
            ),
            ("071722199001011230", "invalid_id_card_region"),
            ("971722199001011230", "invalid_id_card_region"),
            ("971722900101123", "invalid_id_card_region"),
            ("371722900230123", "invalid_id_card_birth_date"),
        ] {
            assert_eq!(code_of(raw), code, "{raw:?}");
        }
    }

    #[test]
    fn numbers_that_excel_stored_as_floats_are_recognised() {
        for raw in [
            "3.71722199001011E+17",
            "3.71722E+17",
            "3.71722199001011e+17",
            "3.71722199001011E17",
            "371722199001011000.0",
            "371722199001011234.00",
            // Shown with the number format "0": the lost tail reads as zeros, failing the checksum.
            "371722199001011000",
        ] {
            assert_eq!(code_of(raw), "id_card_stored_as_number", "{raw}");
        }
        let msg = IdCardNo::parse("3.71722199001011E+17", today())
            .unwrap_err()
            .message;
        assert!(msg.contains("文本"), "{msg}");
    }

    #[test]
    fn masking_keeps_four_characters_at_each_end() {
        let id = IdCardNo::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdCardNo(1101**********002X)");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    #[test]
    fn age_counts_full_years() {
        let id = IdCardNo::synthesize("371722", day(1990, 6, 15), 1);
        for (on, age) in [
            (day(1990, 6, 15), 0),
            (day(1980, 1, 1), 0),
            (day(2026, 6, 14), 35),
            (day(2026, 6, 15), 36),
            (day(2026, 12, 31), 36),
        ] {
            assert_eq!(id.age_on(on), age, "{on}");
        }
        let leap = IdCardNo::synthesize("371722", day(2000, 2, 29), 1);
        assert_eq!(leap.age_on(day(2001, 2, 28)), 0);
        assert_eq!(leap.age_on(day(2001, 3, 1)), 1);
    }
}
