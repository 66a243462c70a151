//! Deadline arithmetic on the calendar: n working days after a date, working time within office
//! hours, and deadlines extended by the time a request spent suspended.

use super::{Calendar, OfficeHours};
use chrono::{Days, NaiveDate, NaiveDateTime, TimeDelta};

impl Calendar {
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
