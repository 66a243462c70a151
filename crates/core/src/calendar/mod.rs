//! The Chinese working-day calendar: weekends, public holidays and 调休 make-up working days as
//! the State Council publishes them each year, and the deadline arithmetic built on it.
//!
//! Definitions (every deadline in the product uses these):
//!
//! - **Working day**: a make-up working day, or a Monday–Friday that is not a holiday. A holiday
//!   wins over everything; a listed make-up day is worked even though it is a Saturday or Sunday.
//!   Years missing from the data are ordinary years (weekends only); [`Calendar::covers`] tells
//!   callers to warn.
//! - [`Calendar::add_working_days`]`(start, n)`: the date of the **n-th working day strictly
//!   after `start`**. The start day never counts, whether or not it is itself a working day, so a
//!   request accepted on a Friday with 2 working days is due on Tuesday, and one accepted on a
//!   Saturday is due on Tuesday as well. `n = 0` gives `start`. The deadline is the end of office
//!   hours on that date ([`Calendar::deadline`]).
//! - **Working time**: the part of an interval that lies within office hours (by default
//!   08:30–12:00 and 13:30–17:30, 7½ hours) on working days. [`Calendar::add_working_time`] and
//!   [`Calendar::working_time_between`] are exact inverses on that measure.
//! - **Suspension** (挂起): [`Calendar::add_working_days_with_pauses`] extends a deadline by the
//!   working time during which the request was suspended, counting only pauses that begin before
//!   the (extended) deadline.
//!
//! Times are local (Asia/Shanghai) wall-clock times; convert before calling.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The shipped data (`data/calendar/cn-holidays.toml`), compiled in.
pub const SHIPPED_TOML: &str = include_str!("../../../../data/calendar/cn-holidays.toml");

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    Holiday,
    /// A Saturday or Sunday that is worked (调休上班).
    MakeupWorkday,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }
}

/// Working days allowed per request class: the default "2310" rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Sla {
    pub general: u32,
    pub important: u32,
    pub major: u32,
}

/// General requests 2 working days, important 3, major 10.
pub const DEFAULT_SLA: Sla = Sla {
    general: 2,
    important: 3,
    major: 10,
};

/// The daily office periods, in order and not overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    periods: Vec<(NaiveTime, NaiveTime)>,
}

impl OfficeHours {
    /// Periods must be non-empty, each start before its end, and in increasing order.
    pub fn new(periods: Vec<(NaiveTime, NaiveTime)>) -> Result<Self, CalendarError> {
        let ordered = periods.iter().all(|(a, b)| a < b)
            && periods.windows(2).all(|w| w[0].1 <= w[1].0)
            && !periods.is_empty();
        if !ordered {
            return Err(CalendarError("办公时间段须按时间先后排列且互不重叠".into()));
        }
        Ok(Self { periods })
    }

    pub fn periods(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.periods
    }

    /// Office time in one working day.
    pub fn per_day(&self) -> TimeDelta {
        self.periods.iter().map(|(a, b)| *b - *a).sum()
    }

    /// The end of the last period: when a day's deadline falls.
    pub fn close(&self) -> NaiveTime {
        self.periods[self.periods.len() - 1].1
    }
}

impl Default for OfficeHours {
    /// 08:30–12:00 and 13:30–17:30.
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        Self {
            periods: vec![(t(8, 30), t(12, 0)), (t(13, 30), t(17, 30))],
        }
    }
}

/// A calendar file that cannot be used; the message is Chinese and names the place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CalendarError(pub String);

/// One year of the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearData {
    pub year: i32,
    pub notice: Option<String>,
    pub holidays: BTreeSet<NaiveDate>,
    pub makeup_workdays: BTreeSet<NaiveDate>,
}

/// Holidays and make-up days of the covered years.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearData>,
}

impl Calendar {
    /// Checks every year: dates within their year, no date both a holiday and a make-up day,
    /// make-up days only on weekends.
    pub fn new(years: Vec<YearData>) -> Result<Self, CalendarError> {
        let mut map = BTreeMap::new();
        for y in years {
            for d in y.holidays.iter().chain(&y.makeup_workdays) {
                if d.year() != y.year {
                    return Err(CalendarError(format!("{} 年的日期 {d} 不在该年内", y.year)));
                }
            }
            if let Some(d) = y.holidays.intersection(&y.makeup_workdays).next() {
                return Err(CalendarError(format!(
                    "{} 年：{d} 既是放假日又是调休上班日",
                    y.year
                )));
            }
            if let Some(d) = y.makeup_workdays.iter().find(|d| !is_weekend(**d)) {
                return Err(CalendarError(format!(
                    "{} 年：调休上班日 {d} 不是周六或周日",
                    y.year
                )));
            }
            let year = y.year;
            if map.insert(year, y).is_some() {
                return Err(CalendarError(format!("{year} 年重复出现")));
            }
        }
        Ok(Self { years: map })
    }

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

    /// The shipped data; it is checked by the tests, so this cannot fail at run time.
    pub fn shipped() -> Self {
        Self::from_toml(SHIPPED_TOML).expect("shipped calendar is valid")
    }

    /// Whether `year` is in the data (otherwise it is treated as weekends only).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The covered years, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    pub fn year(&self, year: i32) -> Option<&YearData> {
        self.years.get(&year)
    }

    pub fn kind(&self, date: NaiveDate) -> DayKind {
        if let Some(y) = self.years.get(&date.year()) {
            if y.holidays.contains(&date) {
                return DayKind::Holiday;
            }
            if y.makeup_workdays.contains(&date) {
                return DayKind::MakeupWorkday;
            }
        }
        if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.kind(date).is_working()
    }

    /// Every day of `year` with its kind.
    pub fn days_of(&self, year: i32) -> Vec<(NaiveDate, DayKind)> {
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            return Vec::new();
        };
        first
            .iter_days()
            .take_while(|d| d.year() == year)
            .map(|d| (d, self.kind(d)))
            .collect()
    }

    /// The date of the n-th working day strictly after `start` (`start` itself never counts);
    /// `n = 0` gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// When a request accepted at `accepted` with `n` working days is due: the close of office
    /// hours on [`Self::add_working_days`]`(accepted.date(), n)`.
    pub fn deadline(&self, accepted: NaiveDateTime, n: u32, office: &OfficeHours) -> NaiveDateTime {
        self.add_working_days(accepted.date(), n)
            .and_time(office.close())
    }

    /// [`Self::deadline`] extended by the working time the request spent suspended: the instant
    /// at which the request has been *active* (accepted and not suspended) for as much working
    /// time as lies between `accepted` and the unsuspended deadline. Equivalently, the deadline
    /// moves by the working time of every pause that begins before the deadline so extended.
    /// Pauses may overlap; parts before `accepted` do not count.
    pub fn add_working_days_with_pauses(
        &self,
        accepted: NaiveDateTime,
        n: u32,
        pauses: &[(NaiveDateTime, NaiveDateTime)],
        office: &OfficeHours,
    ) -> NaiveDateTime {
        let base = self.deadline(accepted, n, office);
        let left = self.working_time_between(accepted, base, office);
        if left <= TimeDelta::zero() {
            return base;
        }
        self.add_active_time(accepted, left, pauses, office)
    }

    /// The instant at which `amount` of working time has passed after `start` outside the
    /// `pauses`: a suspended request's clock stands still while it is suspended.
    pub fn add_active_time(
        &self,
        start: NaiveDateTime,
        amount: TimeDelta,
        pauses: &[(NaiveDateTime, NaiveDateTime)],
        office: &OfficeHours,
    ) -> NaiveDateTime {
        let mut left = amount;
        let mut cursor = start;
        for (a, b) in merge(pauses) {
            if b <= cursor {
                continue;
            }
            if a > cursor {
                let active = self.working_time_between(cursor, a, office);
                if active >= left {
                    break;
                }
                left -= active;
            }
            cursor = b;
        }
        self.add_working_time(cursor, left, office)
    }

    /// The instant when `hours` of working time have passed after `start`.
    pub fn add_working_hours(
        &self,
        start: NaiveDateTime,
        hours: u32,
        office: &OfficeHours,
    ) -> NaiveDateTime {
        self.add_working_time(start, TimeDelta::hours(i64::from(hours)), office)
    }

    /// The instant when `amount` of working time has passed after `start`. Landing exactly on
    /// the end of a period gives that end (17:30), not the next morning. A zero or negative
    /// amount gives `start`.
    pub fn add_working_time(
        &self,
        start: NaiveDateTime,
        amount: TimeDelta,
        office: &OfficeHours,
    ) -> NaiveDateTime {
        let mut left = amount;
        if left <= TimeDelta::zero() {
            return start;
        }
        let mut day = start.date();
        loop {
            if self.is_working_day(day) {
                if left >= office.per_day() && day > start.date() {
                    // Whole days at once, for long amounts.
                    left -= office.per_day();
                    if left.is_zero() {
                        return day.and_time(office.close());
                    }
                } else {
                    for (a, b) in office.periods() {
                        let from = day.and_time(*a).max(start);
                        let to = day.and_time(*b);
                        if from >= to {
                            continue;
                        }
                        if to - from >= left {
                            return from + left;
                        }
                        left -= to - from;
                    }
                }
            }
            day = day.succ_opt().expect("date in range");
        }
    }

    /// Working time from `a` to `b`; negative when `b` is before `a` (how late, for instance).
    pub fn working_time_between(
        &self,
        a: NaiveDateTime,
        b: NaiveDateTime,
        office: &OfficeHours,
    ) -> TimeDelta {
        if b < a {
            return -self.working_time_between(b, a, office);
        }
        let mut total = TimeDelta::zero();
        let mut day = a.date();
        while day <= b.date() {
            if self.is_working_day(day) {
                for (p, q) in office.periods() {
                    let from = day.and_time(*p).max(a);
                    let to = day.and_time(*q).min(b);
                    if from < to {
                        total += to - from;
                    }
                }
            }
            day = day + Days::new(1);
        }
        total
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Sorted, overlapping intervals joined.
fn merge(pauses: &[(NaiveDateTime, NaiveDateTime)]) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let mut v: Vec<_> = pauses.iter().copied().filter(|(a, b)| a < b).collect();
    v.sort();
    let mut out: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
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

#[cfg(test)]
mod tests;
