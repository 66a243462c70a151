use super::*;
use crate::calendar::{Calendar, OfficeHours};
use crate::requests::Severity;
use chrono::NaiveDate;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    instant(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap(),
    )
}

#[test]
fn times_are_beijing_wall_clock() {
    let t = at(2026, 10, 9, 17, 30);
    assert_eq!(t.to_rfc3339(), "2026-10-09T09:30:00+00:00");
    assert_eq!(local(t).to_string(), "2026-10-09 17:30:00");
}

#[test]
fn resolve_deadlines_follow_2310_over_the_real_calendar() {
    let cal = Calendar::shipped();
    let o = OfficeHours::default();
    let p = SlaPolicy::default();
    // (accepted, severity, category days, due). Wed 30 Sep 2026 is the last working day before
    // National Day (1–7 Oct); Sat 10 Oct is a make-up working day, so an important request's
    // third day falls on that Saturday.
    let cases = [
        (
            at(2026, 9, 30, 10, 0),
            Severity::General,
            None,
            at(2026, 10, 9, 17, 30),
        ),
        (
            at(2026, 9, 30, 10, 0),
            Severity::Important,
            None,
            at(2026, 10, 10, 17, 30),
        ),
        (
            at(2026, 11, 20, 16, 0),
            Severity::General,
            None,
            at(2026, 11, 24, 17, 30),
        ),
        (
            at(2026, 11, 20, 16, 0),
            Severity::Major,
            None,
            at(2026, 12, 4, 17, 30),
        ),
        (
            at(2026, 11, 20, 16, 0),
            Severity::General,
            Some(5),
            at(2026, 11, 27, 17, 30),
        ),
    ];
    for (accepted, sev, days, want) in cases {
        let n = p.resolve_days(sev, days);
        let due = resolve_due(&cal, &o, accepted, n, &[]);
        assert_eq!(
            local(due.due),
            local(want),
            "{sev:?} from {}",
            local(accepted)
        );
        assert!(due.warn < due.due && due.warn > accepted);
    }
}

#[test]
fn a_suspension_over_a_weekend_moves_the_deadline_by_the_working_time_lost() {
    let cal = Calendar::shipped();
    let o = OfficeHours::default();
    // Accepted Thu 19 Nov 2026 09:00, 2 working days → Mon 23 Nov 17:30 (Sat/Sun off).
    let accepted = at(2026, 11, 19, 9, 0);
    let plain = resolve_due(&cal, &o, accepted, 2, &[]);
    assert_eq!(local(plain.due), local(at(2026, 11, 23, 17, 30)));
    // Suspended Fri 20 Nov 16:30 to Mon 23 Nov 09:30: 1 h Friday + 1 h Monday of working time.
    let pause = (at(2026, 11, 20, 16, 30), at(2026, 11, 23, 9, 30));
    let moved = resolve_due(&cal, &o, accepted, 2, &[pause]);
    assert_eq!(local(moved.due), local(at(2026, 11, 24, 10, 30)));
}

#[test]
fn hour_stages_and_the_light_change_colour_at_80_percent_and_at_the_deadline() {
    let cal = Calendar::shipped();
    let o = OfficeHours::default();
    // Submitted Fri 20 Nov 2026 16:30 with 2 working hours: 1 h Friday, 1 h Monday → 09:30.
    let d = hours_due(&cal, &o, at(2026, 11, 20, 16, 30), 2);
    assert_eq!(local(d.due), local(at(2026, 11, 23, 9, 30)));
    // 80 % of 2 h = 96 min: 60 Friday + 36 Monday → 09:06.
    assert_eq!(local(d.warn), local(at(2026, 11, 23, 9, 6)));
    assert_eq!(d.light(at(2026, 11, 21, 12, 0)), Light::Green);
    assert_eq!(d.light(at(2026, 11, 23, 9, 10)), Light::Yellow);
    assert_eq!(d.light(at(2026, 11, 23, 9, 30)), Light::Yellow);
    assert_eq!(d.light(at(2026, 11, 23, 9, 31)), Light::Red);
}

#[test]
fn only_working_states_have_a_running_clock() {
    assert_eq!(Stage::of(Status::Submitted), Some(Stage::Accept));
    assert_eq!(Stage::of(Status::Returned), Some(Stage::Dispatch));
    assert_eq!(Stage::of(Status::Dispatched), Some(Stage::Claim));
    assert_eq!(Stage::of(Status::InProgress), Some(Stage::Resolve));
    assert_eq!(Stage::of(Status::Suspended), None);
    assert_eq!(Stage::of(Status::Closed), None);
}
