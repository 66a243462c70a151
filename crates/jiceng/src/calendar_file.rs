//! The holiday calendar the commands use: the built-in one or a checked file, and the warning
//! for a year it does not cover.

use jiceng_core::calendar::Calendar;

/// The built-in calendar, or the file given by `--calendar` / `JICENG_CALENDAR`, checked.
pub(crate) fn load_calendar(path: Option<&std::path::Path>) -> Result<Calendar, String> {
    match path {
        None => Ok(Calendar::shipped()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("无法读取日历文件 {}：{e}", p.display()))?;
            Calendar::from_toml(&text).map_err(|e| format!("日历文件 {} 有误：{e}", p.display()))
        }
    }
}

/// Warns when `year` is missing from the calendar: its deadlines then count weekends only.
pub(crate) fn warn_uncovered(calendar: &Calendar, year: i32) {
    if !calendar.covers(year) {
        eprintln!(
            "注意：日历中没有 {year} 年的节假日安排，该年只按周末计算工作日。请用 --calendar 提供补充后的日历文件。"
        );
    }
}
