//! Dates in spreadsheet cells: typed in half a dozen ways, or stored by Excel as a serial number.

use chrono::{Days, NaiveDate};

use super::normalize_cell;

/// Excel's last day, 9999-12-31.
const MAX_SERIAL: f64 = 2_958_465.0;

/// An Excel serial date (1900 date system) to a date; the fraction (time of day) is ignored.
///
/// Excel counts 1900-01-01 as 1 and, copying Lotus 1-2-3, treats 1900 as a leap year: serial 60 is
/// the fictitious 1900-02-29 (`None` here), so from 61 on the days are one behind a plain count.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..MAX_SERIAL + 1.0).contains(&serial) {
        return None;
    }
    // In range, so the cast is exact.
    let days = serial.trunc() as u64;
    let epoch = match days {
        60 => return None,
        ..60 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    epoch.checked_add_days(Days::new(days))
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4 || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A date typed into a cell: `2024-03-05`, `2024/3/5`, `2024.3.5`, `20240305`, `2024年3月5日`
/// (or `号`), any of these followed by a time, or a bare number as an Excel serial date.
pub fn parse_date_cell(raw: &str) -> Option<NaiveDate> {
    let cell = normalize_cell(raw);
    // `2024-03-05 08:30:00`, `2024-03-05T08:30`: the date is what counts.
    let date = match cell.split_once([' ', 'T']) {
        Some((date, time))
            if time
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '.') =>
        {
            date
        }
        _ => cell.as_str(),
    };
    if let Some(rest) = date.strip_suffix(['日', '号']) {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        return ymd(y, m, d);
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = date.split(sep).collect();
        if let [y, m, d] = parts[..] {
            return ymd(y, m, d);
        }
    }
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(&date[..4], &date[4..6], &date[6..]);
    }
    // Only a plain number can be a serial: `1e5` or `-3` are not dates anyone typed.
    let plain = !date.is_empty()
        && date.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && date.matches('.').count() <= 1;
    if plain {
        return excel_serial_to_date(date.parse().ok()?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn serials_follow_excel_including_its_leap_day_1900() {
        for (serial, want) in [
            (1.0, day(1900, 1, 1)),
            (59.0, day(1900, 2, 28)),
            (60.0, None),
            (61.0, day(1900, 3, 1)),
            (36526.0, day(2000, 1, 1)),
            (45356.0, day(2024, 3, 5)),
            (45356.75, day(2024, 3, 5)),
            (2_958_465.0, day(9999, 12, 31)),
            (2_958_466.0, None),
            (0.0, None),
            (0.5, None),
            (-1.0, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
        ] {
            assert_eq!(excel_serial_to_date(serial), want, "{serial}");
        }
    }

    #[test]
    fn the_usual_ways_of_typing_a_date_are_read() {
        for (raw, want) in [
            ("2024-03-05", day(2024, 3, 5)),
            ("2024-3-5", day(2024, 3, 5)),
            ("2024/3/5", day(2024, 3, 5)),
            ("2024/03/05", day(2024, 3, 5)),
            ("2024.3.5", day(2024, 3, 5)),
            ("20240305", day(2024, 3, 5)),
            ("2024年3月5日", day(2024, 3, 5)),
            ("2024年03月05号", day(2024, 3, 5)),
            ("２０２４－０３－０５", day(2024, 3, 5)),
            (" 2024-03-05 ", day(2024, 3, 5)),
            ("2024-03-05 08:30:00", day(2024, 3, 5)),
            ("2024-03-05T08:30", day(2024, 3, 5)),
            ("45356", day(2024, 3, 5)),
            ("45356.5", day(2024, 3, 5)),
            ("2000-02-29", day(2000, 2, 29)),
        ] {
            assert_eq!(parse_date_cell(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn things_that_are_not_dates_give_none() {
        for raw in [
            "",
            "昨天",
            "2024-02-30",
            "2023-02-29",
            "24-3-5",
            "2024-3",
            "2024-13-01",
            "20241305",
            "2024年3月",
            "2024/3/5/6",
            "-3",
            "1e5",
            "0",
            "60",
            "2024-03-05 上午",
        ] {
            assert_eq!(parse_date_cell(raw), None, "{raw:?}");
        }
    }
}
