//! The demo's 吹哨报到, blown by the demo dispatcher at the demo grid: one whistle from last week
//! (the housing bureau checked in on time and was rated, the city-management bureau never came)
//! and one open, blown this morning and due at five tomorrow, summoning both — so the board has
//! a countdown, the demo department login has a whistle to check in to, and the ranking has
//! figures.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use jiceng_core::requests::Rating;
use jiceng_core::requests::sla::{instant, local};
use jiceng_core::scope::Scope;
use jiceng_store::nodes::Node;
use jiceng_store::users;
use jiceng_store::whistles::blow::{self, NewWhistle};
use jiceng_store::whistles::{WhistleViewer, steps};
use jiceng_store::{Actor, Db};
use std::collections::HashMap;

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

async fn user_id(db: &Db, login: &str) -> Result<i64, String> {
    users::credentials(db, login)
        .await
        .map_err(e)?
        .map(|c| c.id)
        .ok_or_else(|| format!("演示账号 {login} 不存在"))
}

/// A demo account acting at `at` (the history is written as it would have happened).
fn as_user(id: i64, login: &str, at: chrono::DateTime<chrono::Utc>) -> Actor {
    Actor {
        user_id: Some(id),
        login: login.into(),
        ip: None,
        at,
    }
}

/// Beijing office hours for the demo's whistles, whatever hour the demo is built at: the open
/// one was blown at 09:00 of the last morning before `now` and is due at 17:00 the day after,
/// the closed one a week before that (a demo built at night otherwise showed 请于 04:53 前报到).
fn office_times(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("09:00");
    let five = NaiveTime::from_hms_opt(17, 0, 0).expect("17:00");
    let mut day = local(now).date();
    if local(now).time() < nine {
        day = day.pred_opt().expect("a day before");
    }
    let blown = instant(day.and_time(nine));
    let due = instant(day.succ_opt().expect("a day after").and_time(five));
    (blown, due, blown - Duration::days(7))
}

pub async fn seed(
    db: &Db,
    actor: &Actor,
    street: &Node,
    grid: &Node,
    departments: &HashMap<String, i64>,
) -> Result<(), String> {
    let unit = |k: &str| {
        departments
            .get(k)
            .copied()
            .ok_or_else(|| format!("部门 {k} 不存在"))
    };
    let (zhujian, chengguan) = (unit("zhujian")?, unit("chengguan")?);
    let (desk_id, dept_id) = (user_id(db, "dispatch").await?, user_id(db, "dept").await?);
    let desk = WhistleViewer {
        user_id: desk_id,
        name: "演示派单员".into(),
        unit: format!("{}派单中心", street.name),
        whistles: Scope::from_paths([street.path.clone()]),
        places: None,
        unit_id: None,
    };
    let dept = WhistleViewer {
        user_id: dept_id,
        name: "演示部门人员".into(),
        unit: String::new(),
        whistles: None,
        places: None,
        unit_id: Some(zhujian),
    };
    let (open_blown, open_due, blown) = office_times(actor.at);
    let new = |title: &str, deadline| NewWhistle {
        title: title.into(),
        description: String::new(),
        place_node_id: Some(grid.id),
        request_id: None,
        unit_ids: vec![zhujian, chengguan],
        deadline_at: deadline,
    };
    let at = |d: Duration| as_user(desk_id, "dispatch", blown + d);
    let past = blow::blow(
        db,
        &desk,
        &at(Duration::zero()),
        new("老旧小区雨污管网堵塞外溢", blown + Duration::hours(4)),
    )
    .await
    .map_err(e)?;
    let checked = as_user(dept_id, "dept", blown + Duration::hours(1));
    steps::check_in(db, &dept, &checked, past, "已派维修班组两小时内到场疏通")
        .await
        .map_err(e)?;
    steps::rate(
        db,
        &desk,
        &at(Duration::days(1)),
        past,
        zhujian,
        Rating::Satisfied,
        "到场及时",
    )
    .await
    .map_err(e)?;
    steps::close(db, &desk, &at(Duration::days(1)), past, "管网已疏通")
        .await
        .map_err(e)?;
    let desk_now = as_user(desk_id, "dispatch", open_blown);
    blow::blow(
        db,
        &desk,
        &desk_now,
        new("背街小巷占道经营和违章搭建", open_due),
    )
    .await
    .map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn whistles_fall_in_office_hours_whenever_the_demo_is_built() {
        // 2026-11-17 04:53 Beijing (before nine): blown the morning before, due today at five.
        let night = Utc.with_ymd_and_hms(2026, 11, 16, 20, 53, 0).unwrap();
        let (blown, due, past) = office_times(night);
        assert_eq!(local(blown).to_string(), "2026-11-16 09:00:00");
        assert_eq!(local(due).to_string(), "2026-11-17 17:00:00");
        assert_eq!(local(past).to_string(), "2026-11-09 09:00:00");
        assert!(blown <= night && due > night);
        // 14:00 Beijing: blown this morning, due tomorrow at five.
        let afternoon = Utc.with_ymd_and_hms(2026, 11, 17, 6, 0, 0).unwrap();
        let (blown, due, _) = office_times(afternoon);
        assert_eq!(local(blown).to_string(), "2026-11-17 09:00:00");
        assert_eq!(local(due).to_string(), "2026-11-18 17:00:00");
    }
}
