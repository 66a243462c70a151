//! The demo's 吹哨报到, blown by the demo dispatcher at the demo grid: one whistle from last week
//! (the housing bureau checked in on time and was rated, the city-management bureau never came)
//! and one open, due tomorrow, summoning both — so the board has a countdown, the demo department
//! login has a whistle to check in to, and the ranking has figures.

use chrono::Duration;
use jiceng_core::requests::Rating;
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
    let now = actor.at;
    let blown = now - Duration::days(7);
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
    let desk_now = as_user(desk_id, "dispatch", now);
    blow::blow(
        db,
        &desk,
        &desk_now,
        new("背街小巷占道经营和违章搭建", now + Duration::days(1)),
    )
    .await
    .map_err(e)?;
    Ok(())
}
