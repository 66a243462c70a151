//! Service levels: each open stage of a request has a deadline on the working-day calendar and
//! a warning point at 80 % of its working time. The traffic light is read off the two:
//! green before the warning point, yellow up to the deadline, red after it.
//!
//! Stages and their clocks:
//! - **accept** (受理), **dispatch** (派单), **claim** (接单): working hours from the moment the
//!   stage began (submission, acceptance or a return, dispatch).
//! - **resolve** (办结): working days from acceptance by severity — the "2310" rule (general 2,
//!   important 3, major 10) unless the category sets its own — plus approved extensions, with the
//!   clock standing still while the request is suspended.

use super::Status;
use crate::calendar::{Calendar, OfficeHours};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, TimeZone, Utc};
use serde::Serialize;

pub mod policy;
pub use policy::SlaPolicy;

labelled!(Stage {
    Accept = "accept", "受理", "Accept";
    Dispatch = "dispatch", "派单", "Dispatch";
    Claim = "claim", "接单", "Claim";
    Resolve = "resolve", "办结", "Resolve";
});

labelled!(Light {
    Green = "green", "正常", "On time";
    Yellow = "yellow", "临期", "Due soon";
    Red = "red", "超期", "Overdue";
});

impl Stage {
    /// The stage whose clock runs in `status`; none while suspended or after resolution.
    pub fn of(status: Status) -> Option<Stage> {
        match status {
            Status::Submitted => Some(Stage::Accept),
            Status::Accepted | Status::Returned => Some(Stage::Dispatch),
            Status::Dispatched => Some(Stage::Claim),
            Status::Claimed | Status::InProgress => Some(Stage::Resolve),
            _ => None,
        }
    }
}

/// Beijing time, in which office hours and holidays are defined.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The wall-clock time in China of an instant.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&china()).naive_local()
}

/// The instant of a wall-clock time in China.
pub fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    china()
        .from_local_datetime(&local)
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

/// A stage's deadline and its warning point (80 % of the stage's working time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    pub due: DateTime<Utc>,
    pub warn: DateTime<Utc>,
}

impl Due {
    pub fn light(&self, now: DateTime<Utc>) -> Light {
        if now > self.due {
            Light::Red
        } else if now >= self.warn {
            Light::Yellow
        } else {
            Light::Green
        }
    }
}

fn eighty_percent(t: TimeDelta) -> TimeDelta {
    TimeDelta::seconds(t.num_seconds() * 4 / 5)
}

/// The deadline of a stage counted in working hours from `start`.
pub fn hours_due(cal: &Calendar, office: &OfficeHours, start: DateTime<Utc>, hours: u32) -> Due {
    let start = local(start);
    let total = TimeDelta::hours(i64::from(hours));
    Due {
        due: instant(cal.add_working_time(start, total, office)),
        warn: instant(cal.add_working_time(start, eighty_percent(total), office)),
    }
}

/// The resolve deadline: `days` working days from acceptance (close of office hours on the n-th
/// working day after it), moved by the working time spent suspended.
pub fn resolve_due(
    cal: &Calendar,
    office: &OfficeHours,
    accepted: DateTime<Utc>,
    days: u32,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Due {
    let start = local(accepted);
    let pauses: Vec<_> = pauses.iter().map(|(a, b)| (local(*a), local(*b))).collect();
    let base = cal.deadline(start, days, office);
    let total = cal.working_time_between(start, base, office);
    Due {
        due: instant(cal.add_working_days_with_pauses(start, days, &pauses, office)),
        warn: instant(cal.add_active_time(start, eighty_percent(total), &pauses, office)),
    }
}

#[cfg(test)]
mod tests;
