//! 吹哨报到: a street or community summons departments to a problem ("blows the whistle") with a
//! deadline to check in (报到); each summoned unit checks in once and says what it will do; the
//! whistler rates each unit's response. The rules and the per-unit figures of `docs/RATES.md`
//! ("吹哨报到") live here; the store applies them.

use crate::DomainError;
use crate::org::OrgKind;
use crate::requests::Rating;
use chrono::{DateTime, Duration, Utc};

labelled!(WhistleStatus {
    Open = "open", "进行中", "Open";
    Closed = "closed", "已结束", "Closed";
});

labelled!(WhistleMetric {
    Summoned = "summoned", "被吹哨数", "Summoned";
    Owed = "owed", "应报到数", "Due to check in";
    CheckedIn = "checked_in", "报到数", "Checked in";
    CheckedInOnTime = "checked_in_on_time", "按时报到数", "Checked in on time";
    Missed = "missed", "超时未报到数", "Missed";
    Rated = "rated", "评价数", "Rated";
    Satisfied = "satisfied", "满意数", "Satisfied";
});

labelled!(WhistleRate {
    CheckInRate = "check_in_rate", "按时报到率", "On-time check-in rate";
    SatisfactionRate = "satisfaction_rate", "满意率", "Satisfaction rate";
});

impl WhistleRate {
    /// Numerator and denominator.
    pub fn parts(self) -> (WhistleMetric, WhistleMetric) {
        match self {
            WhistleRate::CheckInRate => (WhistleMetric::CheckedInOnTime, WhistleMetric::Owed),
            WhistleRate::SatisfactionRate => (WhistleMetric::Satisfied, WhistleMetric::Rated),
        }
    }
}

/// The kinds of organisation a whistle can summon: those that act on problems on the ground.
pub const SUMMONABLE: &[OrgKind] = &[
    OrgKind::Department,
    OrgKind::ResidentUnit,
    OrgKind::PropertyCompany,
];

/// At most this many units per whistle: a whistle is a summons, not a broadcast.
pub const MAX_UNITS: usize = 20;
/// The deadline may lie at most this far ahead; a summons months away is a plan, not a whistle.
pub const MAX_DEADLINE_DAYS: i64 = 30;

/// The title, trimmed: 2–100 characters.
pub fn check_title(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    match t.chars().count() {
        0 => Err(DomainError::new("missing_title", "title", "请填写吹哨事项")),
        1 => Err(DomainError::new(
            "title_too_short",
            "title",
            "吹哨事项至少2个字",
        )),
        n if n > 100 => Err(DomainError::new(
            "title_too_long",
            "title",
            "吹哨事项不超过100字",
        )),
        _ => Ok(t.to_owned()),
    }
}

/// A free text of at most `max` characters, trimmed; `required` refuses an empty one.
pub fn check_note(
    raw: &str,
    field: &'static str,
    max: usize,
    required: Option<&'static str>,
) -> Result<String, DomainError> {
    let t = raw.trim();
    if let Some(message) = required.filter(|_| t.is_empty()) {
        return Err(DomainError::new("missing_note", field, message));
    }
    if t.chars().count() > max {
        return Err(DomainError::new(
            "note_too_long",
            field,
            format!("不超过{max}字"),
        ));
    }
    Ok(t.to_owned())
}

/// The units summoned, without repeats, in the order given: at least one, at most `MAX_UNITS`.
pub fn check_units(ids: &[i64]) -> Result<Vec<i64>, DomainError> {
    let mut out: Vec<i64> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.is_empty() {
        return Err(DomainError::new(
            "missing_units",
            "unit_ids",
            "请至少选择一个被召集的部门",
        ));
    }
    if out.len() > MAX_UNITS {
        return Err(DomainError::new(
            "too_many_units",
            "unit_ids",
            format!("一次吹哨最多召集{MAX_UNITS}个部门"),
        ));
    }
    Ok(out)
}

/// The check-in deadline must lie ahead of `now`, and not more than `MAX_DEADLINE_DAYS` away.
pub fn check_deadline(now: DateTime<Utc>, deadline: DateTime<Utc>) -> Result<(), DomainError> {
    if deadline <= now {
        return Err(DomainError::new(
            "deadline_passed",
            "deadline_at",
            "报到时限须晚于当前时间",
        ));
    }
    if deadline > now + Duration::days(MAX_DEADLINE_DAYS) {
        return Err(DomainError::new(
            "deadline_too_far",
            "deadline_at",
            format!("报到时限不能超过{MAX_DEADLINE_DAYS}天"),
        ));
    }
    Ok(())
}

/// A check-in at `at` is late when it comes after the deadline (at the deadline is on time).
pub fn is_late(deadline: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    at > deadline
}

/// One summoned unit as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFacts {
    pub status: WhistleStatus,
    pub deadline: DateTime<Utc>,
    /// When the whistle was closed: a unit's time to answer ends there too.
    pub closed_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub rating: Option<Rating>,
}

/// May the unit check in now? It returns whether the check-in is late. A unit checks in once,
/// while the whistle is open; after the deadline it still may, and is counted late.
pub fn check_in(u: &UnitFacts, now: DateTime<Utc>) -> Result<bool, DomainError> {
    if u.status == WhistleStatus::Closed {
        return Err(DomainError::new(
            "whistle_closed",
            "status",
            "该吹哨事项已结束，不能再报到",
        ));
    }
    if u.checked_in_at.is_some() {
        return Err(DomainError::new(
            "already_checked_in",
            "org_id",
            "本单位已报到，不能重复报到",
        ));
    }
    Ok(is_late(u.deadline, now))
}

/// May the whistler rate the unit? Only a response can be rated: after the check-in, once.
/// A closed whistle can still be rated, so closing first loses nothing.
pub fn rate(u: &UnitFacts) -> Result<(), DomainError> {
    if u.checked_in_at.is_none() {
        return Err(DomainError::new(
            "not_checked_in",
            "org_id",
            "该部门尚未报到，不能评价",
        ));
    }
    if u.rating.is_some() {
        return Err(DomainError::new(
            "already_rated",
            "org_id",
            "已评价过该部门的响应",
        ));
    }
    Ok(())
}

/// The figures a summoned unit counts in at `now` (`docs/RATES.md`, 吹哨报到). `Owed` and
/// `Missed` move when a deadline passes, so they are counted live rather than kept as counters.
/// A whistle closed before its deadline owes nothing more: its units had no time left to fail.
pub fn metrics(u: &UnitFacts, now: DateTime<Utc>) -> Vec<WhistleMetric> {
    use WhistleMetric::*;
    let mut m = vec![Summoned];
    let passed = u.closed_at.unwrap_or(now) > u.deadline;
    let on_time = u.checked_in_at.is_some_and(|at| !is_late(u.deadline, at));
    if u.checked_in_at.is_some() || passed {
        m.push(Owed);
    }
    if u.checked_in_at.is_some() {
        m.push(CheckedIn);
    }
    if on_time {
        m.push(CheckedInOnTime);
    }
    if u.checked_in_at.is_none() && passed {
        m.push(Missed);
    }
    if u.rating.is_some() {
        m.push(Rated);
    }
    if matches!(u.rating, Some(Rating::Satisfied | Rating::FairlySatisfied)) {
        m.push(Satisfied);
    }
    m
}

/// Seconds left to the deadline; negative once it has passed (how far over it is).
pub fn remaining_seconds(now: DateTime<Utc>, deadline: DateTime<Utc>) -> i64 {
    (deadline - now).num_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 9, h, m, 0).unwrap()
    }

    fn unit() -> UnitFacts {
        UnitFacts {
            status: WhistleStatus::Open,
            deadline: at(9, 0),
            closed_at: None,
            checked_in_at: None,
            rating: None,
        }
    }

    #[test]
    fn a_unit_checks_in_once_and_is_late_only_after_the_deadline() {
        assert_eq!(check_in(&unit(), at(8, 0)), Ok(false));
        assert_eq!(check_in(&unit(), at(9, 0)), Ok(false), "at the deadline");
        assert_eq!(check_in(&unit(), at(9, 1)), Ok(true));
        let done = UnitFacts {
            checked_in_at: Some(at(8, 0)),
            ..unit()
        };
        assert_eq!(
            check_in(&done, at(8, 5)).unwrap_err().code,
            "already_checked_in"
        );
        let closed = UnitFacts {
            status: WhistleStatus::Closed,
            ..unit()
        };
        assert_eq!(
            check_in(&closed, at(8, 5)).unwrap_err().code,
            "whistle_closed"
        );
    }

    #[test]
    fn only_a_response_is_rated_and_only_once() {
        assert_eq!(rate(&unit()).unwrap_err().code, "not_checked_in");
        let done = UnitFacts {
            checked_in_at: Some(at(8, 0)),
            ..unit()
        };
        assert!(rate(&done).is_ok());
        let closed = UnitFacts {
            status: WhistleStatus::Closed,
            ..done.clone()
        };
        assert!(rate(&closed).is_ok(), "closing first loses nothing");
        let rated = UnitFacts {
            rating: Some(Rating::Dissatisfied),
            ..done
        };
        assert_eq!(rate(&rated).unwrap_err().code, "already_rated");
    }

    #[test]
    fn a_unit_is_owed_once_it_checked_in_or_its_deadline_passed() {
        use WhistleMetric::*;
        assert_eq!(metrics(&unit(), at(8, 0)), [Summoned], "still has time");
        assert_eq!(metrics(&unit(), at(10, 0)), [Summoned, Owed, Missed]);
        let early = UnitFacts {
            checked_in_at: Some(at(8, 30)),
            rating: Some(Rating::FairlySatisfied),
            ..unit()
        };
        assert_eq!(
            metrics(&early, at(8, 40)),
            [Summoned, Owed, CheckedIn, CheckedInOnTime, Rated, Satisfied]
        );
        let late = UnitFacts {
            checked_in_at: Some(at(9, 30)),
            rating: Some(Rating::Dissatisfied),
            ..unit()
        };
        assert_eq!(
            metrics(&late, at(10, 0)),
            [Summoned, Owed, CheckedIn, Rated]
        );
        let closed_early = UnitFacts {
            status: WhistleStatus::Closed,
            closed_at: Some(at(8, 30)),
            ..unit()
        };
        assert_eq!(
            metrics(&closed_early, at(10, 0)),
            [Summoned],
            "closed in time"
        );
        let closed_late = UnitFacts {
            closed_at: Some(at(9, 30)),
            ..closed_early
        };
        assert_eq!(metrics(&closed_late, at(10, 0)), [Summoned, Owed, Missed]);
    }

    #[test]
    fn input_is_checked_field_by_field() {
        assert_eq!(check_title(" ").unwrap_err().code, "missing_title");
        assert_eq!(check_title("路面塌陷").unwrap(), "路面塌陷");
        assert_eq!(check_units(&[]).unwrap_err().code, "missing_units");
        assert_eq!(check_units(&[3, 1, 3]).unwrap(), [3, 1]);
        let many: Vec<i64> = (0..=MAX_UNITS as i64).collect();
        assert_eq!(check_units(&many).unwrap_err().code, "too_many_units");
        assert_eq!(
            check_deadline(at(9, 0), at(9, 0)).unwrap_err().code,
            "deadline_passed"
        );
        assert!(check_deadline(at(9, 0), at(9, 1)).is_ok());
        let far = at(9, 0) + Duration::days(MAX_DEADLINE_DAYS) + Duration::minutes(1);
        assert_eq!(
            check_deadline(at(9, 0), far).unwrap_err().code,
            "deadline_too_far"
        );
        assert_eq!(
            check_note("", "note", 10, Some("请说明")).unwrap_err().code,
            "missing_note"
        );
        assert_eq!(check_note("", "note", 10, None).unwrap(), "");
        assert_eq!(remaining_seconds(at(9, 0), at(8, 59)), -60);
    }
}
