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

mod holiday_file;
mod working_time;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, Weekday};
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
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests;
