//! Where a request is, as each reader is told: two communities of one street each have a
//! 第一网格 (one under its committee's full name), so the street's desk is told the community, a department the street as well, and
//! a request's own page and the Excel sheet always name the whole place.

use crate::common::*;
use crate::pages::sign_in;
use crate::requests::{act, setup, submit, submit_as};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_io::roster::read_roster;
use serde_json::json;

const EAST: &str = "北城街道 · 东关社区 · 第一网格";
const WEST: &str = "北城街道 · 南关社区 · 第一网格";

#[tokio::test]
async fn each_reader_is_told_where_a_request_is_from_below_where_they_stand() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let south = app
        .node(
            l.street,
            NodeKind::Community,
            "371722001003",
            "南关社区居民委员会",
        )
        .await;
    let west = app
        .node(south, NodeKind::Grid, "371722001003G01", "第一网格")
        .await;
    let east_id = submit(&app, &l).await;
    let west_resident = app
        .token_for("xiguan", jiceng_core::role::Role::Resident, west)
        .await;
    let west_id = submit_as(
        &app,
        &west_resident,
        &json!({"category_id": l.category, "place_node_id": west, "description": "路口积水严重，车辆难以通行", "answers": {"depth": "没过脚踝"}}),
    )
    .await;

    // The street's desk: both 第一网格, told apart by their community.
    let desk = sign_in(&app, "paidan").await;
    let queue = get_ok(&app, &desk, "/requests?view=queue").await;
    assert!(queue.contains("<td>东关社区 · 第一网格</td>"), "{queue}");
    assert!(queue.contains("<td>南关社区 · 第一网格</td>"), "{queue}");
    assert!(
        !queue.contains("北城街道 · "),
        "the desk knows its own street"
    );

    // The request's own page names the whole place, for the desk as for anyone.
    let detail = get_ok(&app, &desk, &format!("/requests/{west_id}")).await;
    assert!(detail.contains(WEST), "{detail}");

    // The Excel sheet travels: every place whole.
    let x = app
        .page("GET", "/requests/export.xlsx?view=queue", &desk, None)
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let sheet = read_roster(&x.body, "诉求.xlsx").unwrap();
    let col = sheet.headers.iter().position(|h| h == "位置").unwrap();
    let mut places: Vec<&str> = sheet.rows.iter().map(|r| r.get(col)).collect();
    places.sort();
    assert_eq!(places, [EAST, WEST]);

    // A district department is told the street as well.
    for id in [east_id, west_id] {
        for body in [
            json!({"action": "accept"}),
            json!({"action": "dispatch", "lead_org_id": l.dept_id}),
        ] {
            let r = act(&app, &l.desk, id, body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    }
    let dept = sign_in(&app, "chengguan").await;
    let inbox = get_ok(&app, &dept, "/requests?view=inbox").await;
    assert!(inbox.contains(&format!("<td>{EAST}</td>")), "{inbox}");
    assert!(inbox.contains(&format!("<td>{WEST}</td>")), "{inbox}");
}

#[tokio::test]
async fn a_residents_address_starts_from_below_where_the_reader_stands() {
    use crate::residents_import::{G1, Setup, line, person, setup, upload, xlsx};
    use jiceng_core::role::Role;
    let Setup { app, town, cw } = setup().await;
    let file = xlsx(&[line(
        "张三",
        person(1).as_str(),
        "",
        "户主",
        G1,
        "3号楼2单元502室",
    )]);
    let r = upload(&app, &cw, "/api/v1/residents/import", file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.user("cw.addr", Role::CommunityWorker, town.a).await;
    app.user("street.addr", Role::StreetStaff, town.street)
        .await;
    let community = get_ok(&app, &sign_in(&app, "cw.addr").await, "/residents").await;
    assert!(
        community.contains("<td>东关第一网格 3号楼2单元502室</td>"),
        "{community}"
    );
    let street = get_ok(&app, &sign_in(&app, "street.addr").await, "/residents").await;
    assert!(
        street.contains("<td>东关社区 · 东关第一网格 3号楼2单元502室</td>"),
        "{street}"
    );
}
