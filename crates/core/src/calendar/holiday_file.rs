//! Reading the holiday data file (the TOML of `data/calendar/cn-holidays.toml`): one table per
//! year, holidays as dates or `[first, last]` ranges, make-up working days; every value checked.

use super::{Calendar, CalendarError, YearData};
use chrono::NaiveDate;
use std::collections::BTreeSet;

impl Calendar {
    /// Parses the TOML format of `data/calendar/cn-holidays.toml` and checks it.
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| CalendarError(format!("日历文件不是有效的 TOML：{e}")))?;
        let mut years = Vec::new();
        for (key, value) in table {
            let year: i32 = key
                .parse()
                .ok()
                .filter(|y| (1949..=9999).contains(y))
                .ok_or_else(|| CalendarError(format!("表名「{key}」应为年份，如 [2027]")))?;
            let toml::Value::Table(t) = value else {
                return Err(CalendarError(format!("「{key}」应为表 [{key}]")));
            };
            let mut y = YearData {
                year,
                ..YearData::default()
            };
            for (field, v) in t {
                match field.as_str() {
                    "notice" => match v {
                        toml::Value::String(s) => y.notice = Some(s),
                        _ => return Err(CalendarError(format!("[{year}] notice 应为文字"))),
                    },
                    "holidays" => y.holidays = dates(year, &field, &v, true)?,
                    "makeup_workdays" => y.makeup_workdays = dates(year, &field, &v, false)?,
                    other => {
                        return Err(CalendarError(format!(
                            "[{year}] 未知字段「{other}」（可用：notice、holidays、makeup_workdays）"
                        )));
                    }
                }
            }
            years.push(y);
        }
        Self::new(years)
    }
}

/// A list of dates, or of inclusive `[first, last]` ranges when `ranges` is set.
fn dates(
    year: i32,
    field: &str,
    v: &toml::Value,
    ranges: bool,
) -> Result<BTreeSet<NaiveDate>, CalendarError> {
    let toml::Value::Array(items) = v else {
        return Err(CalendarError(format!("[{year}] {field} 应为列表")));
    };
    let mut out = BTreeSet::new();
    for item in items {
        match item {
            toml::Value::Array(pair) if ranges => {
                let [a, b] = pair.as_slice() else {
                    return Err(CalendarError(format!(
                        "[{year}] {field} 的区间应为 [起始日, 结束日]"
                    )));
                };
                let (a, b) = (date(year, field, a)?, date(year, field, b)?);
                if a > b {
                    return Err(CalendarError(format!(
                        "[{year}] {field} 的区间 {a} 至 {b} 起止颠倒"
                    )));
                }
                out.extend(a.iter_days().take_while(|d| *d <= b));
            }
            other => {
                out.insert(date(year, field, other)?);
            }
        }
    }
    Ok(out)
}

fn date(year: i32, field: &str, v: &toml::Value) -> Result<NaiveDate, CalendarError> {
    let bad = || {
        CalendarError(format!(
            "[{year}] {field} 中的「{v}」不是日期（应形如 2027-01-01）"
        ))
    };
    match v {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date.ok_or_else(bad)?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(bad)
        }
        toml::Value::String(s) => {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}
