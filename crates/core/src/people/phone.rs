//! Mainland telephone numbers: mobiles (11 digits, `1[3-9]…`) and landlines with their area code
//! (`010`/`02x` are three digits, every other area code four), optionally with an extension.

use super::normalize_cell;
use crate::DomainError;

/// A checked phone number in one spelling: `13812345678`, `0530-1234567`, `0531-88881234-123`.
/// `Debug` is masked: phone numbers are personal data.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn mobile(d: &str) -> Option<String> {
    let b = d.as_bytes();
    (d.len() == 11 && is_digits(d) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]))
        .then(|| d.to_owned())
}

/// `0` + area + a local number of 7–8 digits that does not itself start with 0.
fn landline(d: &str) -> Option<String> {
    let b = d.as_bytes();
    if !is_digits(d) || d.len() < 3 || b[0] != b'0' || b[1] == b'0' {
        return None;
    }
    let area_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
    let (area, local) = d.split_at(area_len.min(d.len()));
    let ok = (7..=8).contains(&local.len()) && !local.starts_with('0');
    ok.then(|| format!("{area}-{local}"))
}

/// The number without extension, from all its digits. `international` when a country code was
/// written, because then the area code loses its leading 0 (`+86 530 1234567`).
fn number(digits: &str, international: bool) -> Option<String> {
    mobile(digits)
        .or_else(|| landline(digits))
        .or_else(|| {
            international
                .then(|| landline(&format!("0{digits}")))
                .flatten()
        })
        // `8613812345678`: the country code glued on, as some apps export it.
        .or_else(|| digits.strip_prefix("86").and_then(mobile))
}

fn strip_country_code(s: &str) -> (&str, bool) {
    for prefix in ["(+86)", "(86)", "+86", "0086"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return (rest, true);
        }
    }
    match s.strip_prefix("86") {
        Some(rest) if rest.starts_with([' ', '-']) => (rest, true),
        _ => (s, false),
    }
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = normalize_cell(raw);
        let invalid = || {
            DomainError::new(
                "invalid_phone",
                "phone",
                format!(
                    "电话号码「{s}」无效：应为 11 位手机号，或带区号的固定电话，如 0530-1234567"
                ),
            )
        };
        let (main, ext) = match s.split_once('转') {
            Some((main, ext)) => (main, Some(ext.trim())),
            None => (s.as_str(), None),
        };
        let (main, international) = strip_country_code(main.trim());
        let separators = ['-', ' ', '(', ')'];
        if !main
            .chars()
            .all(|c| c.is_ascii_digit() || separators.contains(&c))
        {
            return Err(invalid());
        }
        let digits: String = main.chars().filter(char::is_ascii_digit).collect();
        let with_ext = |number: String, ext: &str| {
            let ok = number.starts_with('0') && ext.len() <= 6 && is_digits(ext);
            ok.then(|| format!("{number}-{ext}"))
        };
        let normalised = match ext {
            Some(ext) => number(&digits, international).and_then(|n| with_ext(n, ext)),
            // Without 转, a last group after a hyphen may be the extension: `0531-88881234-123`.
            None => number(&digits, international).or_else(|| {
                let (head, tail) = main.rsplit_once('-')?;
                let head: String = head.chars().filter(char::is_ascii_digit).collect();
                with_ext(number(&head, international)?, tail.trim())
            }),
        };
        normalised.map(Self).ok_or_else(invalid)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.starts_with('0')
    }

    /// The number without area code and extension.
    fn local(&self) -> &str {
        if self.is_mobile() {
            &self.0
        } else {
            self.0.split('-').nth(1).unwrap_or_default()
        }
    }

    /// Last four digits of the number (not of the extension): what a caller is asked to confirm.
    pub fn tail4(&self) -> &str {
        let local = self.local();
        &local[local.len().saturating_sub(4)..]
    }

    /// `138****5678`; a landline keeps its area code: `0530-***4567`. The extension is dropped.
    pub fn masked(&self) -> String {
        let stars = |n: usize| "*".repeat(n);
        if self.is_mobile() {
            format!("{}{}{}", &self.0[..3], stars(4), self.tail4())
        } else {
            let area = self.0.split('-').next().unwrap_or_default();
            format!("{area}-{}{}", stars(self.local().len() - 4), self.tail4())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_people_write_a_number_come_out_the_same() {
        for (raw, want) in [
            ("13812345678", "13812345678"),
            ("138 1234 5678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("１３８１２３４５６７８", "13812345678"),
            ("\u{3000}13812345678\u{00A0}", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("+8613812345678", "13812345678"),
            ("0086 13812345678", "13812345678"),
            ("86 13812345678", "13812345678"),
            ("86-13812345678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("(+86)13812345678", "13812345678"),
            ("＋８６　１９９１２３４５６７８", "19912345678"),
            ("0530-1234567", "0530-1234567"),
            ("0530 1234567", "0530-1234567"),
            ("05301234567", "0530-1234567"),
            ("(0530)1234567", "0530-1234567"),
            ("（0530）1234567", "0530-1234567"),
            ("+86 530 1234567", "0530-1234567"),
            ("010-12345678", "010-12345678"),
            ("021 6234 5678", "021-62345678"),
            ("0531-8888-1234", "0531-88881234"),
            ("0531-88881234-123", "0531-88881234-123"),
            ("0531-88881234转123", "0531-88881234-123"),
            ("0531 8888 1234 转 123", "0531-88881234-123"),
        ] {
            assert_eq!(
                Phone::parse(raw).map(|p| p.0),
                Ok(want.to_owned()),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn numbers_that_cannot_be_dialled_are_refused() {
        for raw in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "1234567",
            "88881234",
            "0530-123456",
            "0530-01234567",
            "400-800-8888",
            "13812345678转12",
            "138-1234-5678-12",
            "0531-88881234-1234567",
            "0531-88881234转",
            "138一二三45678",
            "tel:13812345678",
            "13812345678/13912345678",
        ] {
            let e = Phone::parse(raw).unwrap_err();
            assert_eq!((e.code, e.field), ("invalid_phone", "phone"), "{raw:?}");
        }
    }

    #[test]
    fn mobiles_and_landlines_are_told_apart_and_masked() {
        for (raw, mobile, tail, masked) in [
            ("13812345678", true, "5678", "138****5678"),
            ("0530-1234567", false, "4567", "0530-***4567"),
            ("010-62345678", false, "5678", "010-****5678"),
            ("0531-88881234-123", false, "1234", "0531-****1234"),
        ] {
            let p = Phone::parse(raw).unwrap();
            assert_eq!(p.is_mobile(), mobile, "{raw}");
            assert_eq!(p.tail4(), tail, "{raw}");
            assert_eq!(p.masked(), masked, "{raw}");
            assert_eq!(format!("{p:?}"), format!("Phone({masked})"));
        }
    }
}
