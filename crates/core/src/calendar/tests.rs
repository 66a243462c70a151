use super::*;
use chrono::NaiveDateTime;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn the_shipped_data_parses_and_covers_2024_to_2026() {
    let c = Calendar::shipped();
    assert_eq!(c.years().collect::<Vec<_>>(), vec![2024, 2025, 2026]);
    assert!(!c.covers(2023));
    // Number of days off per year as the notices count them (holidays only, without
    // ordinary weekends): spot checks of the transcription.
    assert_eq!(
        c.year(2026).unwrap().holidays.len(),
        3 + 9 + 3 + 5 + 3 + 3 + 7
    );
    assert_eq!(c.year(2025).unwrap().holidays.len(), 1 + 8 + 3 + 5 + 3 + 8);
    assert_eq!(
        c.year(2024).unwrap().holidays.len(),
        1 + 8 + 3 + 5 + 1 + 3 + 7
    );
    assert_eq!(c.year(2024).unwrap().makeup_workdays.len(), 8);
    assert_eq!(c.year(2025).unwrap().makeup_workdays.len(), 5);
    assert_eq!(c.year(2026).unwrap().makeup_workdays.len(), 6);
}

#[test]
fn kinds_of_days() {
    let c = Calendar::shipped();
    for (date, kind) in [
        ("2026-10-01", DayKind::Holiday),
        ("2026-10-03", DayKind::Holiday), // a Saturday inside 国庆
        ("2026-10-10", DayKind::MakeupWorkday),
        ("2026-10-11", DayKind::Weekend),
        ("2026-10-12", DayKind::Workday),
        ("2026-01-04", DayKind::MakeupWorkday), // Sunday
        ("2025-01-26", DayKind::MakeupWorkday), // Sunday
        ("2024-02-18", DayKind::MakeupWorkday), // Sunday
        ("2024-06-10", DayKind::Holiday),
        ("2024-06-08", DayKind::Weekend),
        ("2023-10-02", DayKind::Workday), // not covered: weekends only
        ("2027-10-02", DayKind::Weekend),
    ] {
        assert_eq!(c.kind(d(date)), kind, "{date}");
    }
}

#[test]
fn adding_working_days() {
    let c = Calendar::shipped();
    for (start, n, due, why) in [
        ("2026-11-20", 2, "2026-11-24", "Friday + 2 → Tuesday"),
        (
            "2026-11-21",
            2,
            "2026-11-24",
            "a Saturday start counts from Monday",
        ),
        ("2026-11-20", 0, "2026-11-20", "zero days"),
        // 09-30 (Wed) is the last working day before 国庆. 10-01..07 are holidays; 10-08
        // (Thu) and 10-09 (Fri) are ordinary working days, so 2 working days end on Friday
        // 10-09 — not Monday 10-12. The 3rd is the make-up Saturday 10-10.
        (
            "2026-09-30",
            2,
            "2026-10-09",
            "general request over 国庆 2026",
        ),
        (
            "2026-09-30",
            3,
            "2026-10-10",
            "important request: the make-up Saturday",
        ),
        ("2026-09-30", 4, "2026-10-12", "10-11 is an ordinary Sunday"),
        // 09-20 (Sun) is a make-up day before 中秋 (09-25..27).
        ("2026-09-18", 1, "2026-09-20", "make-up Sunday 09-20"),
        // 春节 2026: 02-14 (Sat) worked, 02-15..23 off, 02-28 (Sat) worked.
        (
            "2026-02-13",
            1,
            "2026-02-14",
            "make-up Saturday before 春节",
        ),
        ("2026-02-13", 2, "2026-02-24", "then the holiday to 02-23"),
        (
            "2026-02-24",
            4,
            "2026-02-28",
            "Wed..Fri and the make-up Saturday 02-28",
        ),
        ("2026-02-24", 5, "2026-03-02", ""),
        (
            "2026-02-12",
            10,
            "2026-03-04",
            "major: 13, 14, 24..28, 03-02..04",
        ),
        // 2025: 01-26 (Sun) worked, 01-28..02-04 off, 02-08 (Sat) worked.
        ("2025-01-24", 1, "2025-01-26", "make-up Sunday 2025-01-26"),
        ("2025-01-24", 2, "2025-01-27", ""),
        ("2025-01-24", 3, "2025-02-05", "春节 2025"),
        (
            "2025-04-25",
            1,
            "2025-04-27",
            "make-up Sunday before 劳动节 2025",
        ),
        ("2025-04-30", 1, "2025-05-06", "劳动节 2025"),
        (
            "2025-09-26",
            1,
            "2025-09-28",
            "make-up Sunday before 国庆 2025",
        ),
        (
            "2025-09-30",
            2,
            "2025-10-10",
            "国庆+中秋 2025 to 10-08; 10-11 Sat is 3rd",
        ),
        ("2025-09-30", 3, "2025-10-11", ""),
        // 2024: make-up Sundays 02-04, 02-18, 04-07, 04-28, 09-29.
        ("2024-02-02", 1, "2024-02-04", "make-up Sunday 2024-02-04"),
        (
            "2024-02-09",
            1,
            "2024-02-18",
            "春节 2024 to 02-17, then make-up Sunday",
        ),
        (
            "2024-04-03",
            1,
            "2024-04-07",
            "清明 2024 then make-up Sunday",
        ),
        (
            "2024-09-13",
            1,
            "2024-09-14",
            "make-up Saturday before 中秋 2024",
        ),
        ("2024-09-13", 2, "2024-09-18", "中秋 09-15..17"),
        (
            "2024-09-27",
            1,
            "2024-09-29",
            "make-up Sunday before 国庆 2024",
        ),
        (
            "2024-12-31",
            1,
            "2025-01-02",
            "across years: 2025-01-01 off",
        ),
    ] {
        assert_eq!(
            c.add_working_days(d(start), n),
            d(due),
            "{start} + {n}: {why}"
        );
    }
}

#[test]
fn working_hours() {
    let c = Calendar::shipped();
    let o = OfficeHours::default();
    assert_eq!(o.per_day(), TimeDelta::minutes(450));
    for (start, hours, end) in [
        ("2026-11-20 09:00", 2, "2026-11-20 11:00"),
        ("2026-11-20 11:00", 2, "2026-11-20 14:30"), // lunch skipped
        ("2026-11-20 16:30", 2, "2026-11-23 09:30"), // over the weekend
        ("2026-11-20 20:00", 1, "2026-11-23 09:30"), // after hours
        ("2026-11-20 07:00", 4, "2026-11-20 14:00"), // before hours
        ("2026-11-20 13:30", 4, "2026-11-20 17:30"), // ends at close, not next morning
        ("2026-09-30 17:00", 1, "2026-10-08 09:00"), // 国庆
        ("2026-09-30 08:30", 30, "2026-10-10 17:30"), // 4 whole days: 09-30, 10-08, 09, 10
    ] {
        let got = c.add_working_hours(t(start), hours, &o);
        assert_eq!(got, t(end), "{start} + {hours}h");
        assert_eq!(
            c.working_time_between(t(start), got, &o),
            TimeDelta::hours(i64::from(hours)),
            "{start} .. {end}"
        );
    }
    assert_eq!(
        c.working_time_between(t("2026-10-12 09:00"), t("2026-10-09 17:00"), &o),
        -TimeDelta::minutes(30 + 450 + 30),
        "negative when reversed"
    );
}

#[test]
fn deadlines_with_suspensions() {
    let c = Calendar::shipped();
    let o = OfficeHours::default();
    let accepted = t("2026-11-19 10:00"); // Thursday
    let due = c.deadline(accepted, DEFAULT_SLA.general, &o);
    assert_eq!(due, t("2026-11-23 17:30"));
    assert_eq!(c.add_working_days_with_pauses(accepted, 2, &[], &o), due);
    // Suspended Friday 16:30 to Monday 09:30: 1 h on Friday and 1 h on Monday count, the
    // weekend does not; the deadline moves 2 working hours past Monday's close.
    let weekend = [(t("2026-11-20 16:30"), t("2026-11-23 09:30"))];
    assert_eq!(
        c.add_working_days_with_pauses(accepted, 2, &weekend, &o),
        t("2026-11-24 10:30")
    );
    // Overlapping pauses count once; a pause after the final deadline not at all; a pause
    // starting before acceptance only from acceptance.
    let messy = [
        (t("2026-11-20 16:30"), t("2026-11-23 09:00")),
        (t("2026-11-23 08:00"), t("2026-11-23 09:30")),
        (t("2026-11-19 08:00"), t("2026-11-19 10:30")),
        (t("2026-12-01 09:00"), t("2026-12-02 09:00")),
    ];
    assert_eq!(
        c.add_working_days_with_pauses(accepted, 2, &messy, &o),
        t("2026-11-24 11:00")
    );
    // A pause that begins after the first deadline but before the extended one counts:
    // 21 h are due; Thu 6 h + Fri 7.5 h + Tue 7 h active, then 0.5 h after the pause.
    let chained = [
        (t("2026-11-23 08:30"), t("2026-11-23 17:30")), // the whole Monday
        (t("2026-11-24 17:00"), t("2026-11-25 10:30")), // 0.5 h + 2 h
    ];
    assert_eq!(
        c.add_working_days_with_pauses(accepted, 2, &chained, &o),
        t("2026-11-25 11:00")
    );
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    for (text, needle) in [
        ("[2027]\nholidays = [2026-12-31]", "不在该年内"),
        (
            "[2027]\nholidays = [2027-02-06]\nmakeup_workdays = [2027-02-06]",
            "既是放假日又是调休上班日",
        ),
        ("[2027]\nmakeup_workdays = [2027-02-08]", "不是周六或周日"),
        ("[2027]\nholidays = [[2027-02-10, 2027-02-05]]", "起止颠倒"),
        ("[2027]\nholiday = []", "未知字段"),
        ("[next]\nholidays = []", "应为年份"),
        ("[2027]\nholidays = [\"2027-02-30\"]", "不是日期"),
        ("[2027]\nholidays = [2027-02-01T08:00:00]", "不是日期"),
        ("[2027\n", "不是有效的 TOML"),
    ] {
        let e = Calendar::from_toml(text).unwrap_err();
        assert!(e.0.contains(needle), "{text}: {e}");
    }
    let ok = Calendar::from_toml(
        "[2027]\nholidays = [\"2027-01-01\", [2027-02-05, 2027-02-07]]\nmakeup_workdays = []",
    )
    .unwrap();
    assert_eq!(ok.kind(d("2027-02-05")), DayKind::Holiday);
    assert_eq!(ok.days_of(2027).len(), 365);
}
