//! The party members list: filtered by organisation, paged, linked to each resident, exported
//! (and the export audited, as personal data), seen from either side of the two trees, refused
//! to roles that may not see members. The world built here serves `coverage_export` too.

use crate::common::*;
use crate::pages::sign_in;
use crate::residents_import::{G1, G2, counts, line, person, upload, xlsx};
use crate::rosters::{book, cells, last_audit};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_io::roster::read_roster;
use jiceng_store::users::{self, Authority, NewUser};

const MEMBER_HEADERS: [&str; 8] = [
    "姓名",
    "身份证号",
    "所在党组织编码",
    "党员类别",
    "管理方式",
    "党员中心户",
    "党员楼栋长",
    "入党日期",
];

pub(crate) struct World {
    pub app: TestApp,
    pub town: Town,
    pub grid1: i64,
    pub grid2: i64,
    pub branch1: i64,
    /// Community worker at community A and at its party committee DW001.
    pub secretary: String,
}

/// Community A with grids G01 (an estate) and G02; party committee DW001 with branches Z01 and
/// Z02; six residents (张伟, 王芳, 李娜 in G01; 赵敏, 刘静, 陈丽 in G02), five of them members:
/// Z01 has 张伟, 王芳 and 刘静, Z02 has 李娜 and 赵敏.
pub(crate) async fn world() -> World {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid1 = app.node(t.a, NodeKind::Grid, G1, "东关第一网格").await;
    let grid2 = app.node(t.a, NodeKind::Grid, G2, "东关第二网格").await;
    app.node(grid1, NodeKind::Estate, "371722001001G01E01", "幸福小区")
        .await;
    let dw = app
        .node(1, NodeKind::Committee, "DW001", "东关社区党委")
        .await;
    let branch1 = app
        .node(dw, NodeKind::Branch, "DW001Z01", "第一党支部")
        .await;
    app.node(dw, NodeKind::Branch, "DW001Z02", "第二党支部")
        .await;
    let new = NewUser {
        login: jiceng_core::account::Login::parse("secretary").unwrap(),
        display_name: "书记".into(),
        unit_name: String::new(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: vec![(Role::CommunityWorker, t.a), (Role::CommunityWorker, dw)],
    };
    users::create(&app.db, Authority::Operator, &app.actor(), new)
        .await
        .unwrap();
    let secretary = app.login("secretary").await;
    let names = ["张伟", "王芳", "李娜", "赵敏", "刘静", "陈丽"];
    let residents: Vec<_> = (0..6)
        .map(|i| line(names[i], person(i).as_str(), "", "", [G1, G2][i / 3], ""))
        .collect();
    let r = upload(
        &app,
        &secretary,
        "/api/v1/residents/import",
        xlsx(&residents),
    )
    .await;
    assert_eq!(counts(&r.json()), (6, 0, 0), "{}", r.text());
    let member =
        |i: usize, branch: &str, category: &str, mode: &str, flags: [&str; 2], on: &str| {
            let id = person(i);
            cells(&[
                names[i],
                id.as_str(),
                branch,
                category,
                mode,
                flags[0],
                flags[1],
                on,
            ])
        };
    let members = [
        member(0, "DW001Z01", "在职", "双管", ["是", "否"], "1998-07-01"),
        member(1, "DW001Z01", "离退休", "共管", ["否", "是"], ""),
        member(2, "DW001Z02", "流动", "协管", ["否", "否"], "2005-06-30"),
        member(3, "DW001Z02", "在职", "", ["", ""], ""),
        member(4, "DW001Z01", "在职", "", ["", ""], ""),
    ];
    let r = upload(
        &app,
        &secretary,
        "/api/v1/party-members/import",
        book(&MEMBER_HEADERS, &members),
    )
    .await;
    assert_eq!(counts(&r.json()), (5, 0, 0), "{}", r.text());
    World {
        app,
        town: t,
        grid1,
        grid2,
        branch1,
        secretary,
    }
}

/// The names in the first column of an export, in order.
pub(crate) fn names_in(xlsx: &[u8]) -> Vec<String> {
    let sheet = read_roster(xlsx, "export.xlsx").unwrap();
    sheet.rows.iter().map(|r| r.get(0).to_owned()).collect()
}

#[tokio::test]
async fn the_export_holds_every_member_of_the_chosen_organisation_and_is_audited() {
    let w = world().await;
    let r = w
        .app
        .get("/api/v1/party-members/export.xlsx", &w.secretary)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let sheet = read_roster(&r.body, "export.xlsx").unwrap();
    assert_eq!(
        sheet.headers,
        [
            "姓名",
            "所在党组织",
            "所在党组织编码",
            "党员类别",
            "管理方式",
            "党员中心户",
            "党员楼栋长",
            "入党日期"
        ]
    );
    let row = |name: &str| {
        let r = sheet.rows.iter().find(|r| r.get(0) == name).unwrap();
        (0..8).map(|c| r.get(c).to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(
        row("张伟"),
        [
            "张伟",
            "第一党支部",
            "DW001Z01",
            "在职党员",
            "双管",
            "是",
            "否",
            "1998-07-01"
        ]
    );
    assert_eq!(
        row("王芳"),
        [
            "王芳",
            "第一党支部",
            "DW001Z01",
            "离退休党员",
            "共管",
            "否",
            "是",
            ""
        ]
    );
    assert_eq!(sheet.rows.len(), 5);
    let entry = last_audit(&w.app, "party_member").await;
    assert_eq!(entry["action"], "party_member.export");
    assert!(entry["after_json"].as_str().unwrap().contains("\"rows\":5"));

    let uri = format!("/api/v1/party-members/export.xlsx?org_id={}", w.branch1);
    let mut names = names_in(&w.app.get(&uri, &w.secretary).await.body);
    names.sort();
    assert_eq!(names, ["刘静", "张伟", "王芳"]);
    let entry = last_audit(&w.app, "party_member").await;
    let after = entry["after_json"].as_str().unwrap();
    assert!(after.contains("\"rows\":3") && after.contains(&format!("\"org_id\":{}", w.branch1)));

    // A grid worker sees the members living in the grid; a dispatcher sees no members at all.
    let gw = w.app.token_for("gw.a", Role::GridWorker, w.grid1).await;
    let mut names = names_in(
        &w.app
            .get("/api/v1/party-members/export.xlsx", &gw)
            .await
            .body,
    );
    names.sort();
    assert_eq!(names, ["张伟", "李娜", "王芳"]);
    let dispatcher = w
        .app
        .token_for("dispatcher", Role::Dispatcher, w.town.a)
        .await;
    let r = w
        .app
        .get("/api/v1/party-members/export.xlsx", &dispatcher)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let doc = w
        .app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    assert!(
        doc["paths"]
            .get("/api/v1/party-members/export.xlsx")
            .is_some()
    );
}

#[tokio::test]
async fn the_party_members_page_filters_pages_links_residents_and_exports() {
    let w = world().await;
    let jar = sign_in(&w.app, "secretary").await;
    let html = w.app.page("GET", "/party-members", &jar, None).await.text();
    assert!(html.contains("href=\"/party-members\""), "nav item");
    for name in ["张伟", "王芳", "李娜", "赵敏", "刘静"] {
        assert!(html.contains(name), "{name}");
    }
    assert!(!html.contains("陈丽"), "not a member");
    assert!(html.contains("离退休党员") && html.contains("1998-07-01"));
    for href in [
        "/party-members/import",
        "/party-members/template.xlsx",
        "/party-members/export.xlsx?org_id=",
    ] {
        assert!(html.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let members = w
        .app
        .get("/api/v1/party-members?page_size=500", &w.secretary)
        .await
        .json();
    let zhang = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "张伟")
        .unwrap()["resident_id"]
        .clone();
    assert!(html.contains(&format!("href=\"/residents/{zhang}\">张伟<")));

    let uri = format!("/party-members?org_id={}&page_size=2", w.branch1);
    let html = w.app.page("GET", &uri, &jar, None).await.text();
    assert!(html.contains("class=\"pager-total\">3<"), "{html}");
    assert!(!html.contains("李娜"), "filtered by branch");
    assert!(html.contains(&format!("value=\"{}\" selected", w.branch1)));
    let export = format!("/party-members/export.xlsx?org_id={}", w.branch1);
    assert!(html.contains(&format!("href=\"{export}\"")));
    let file = w.app.page("GET", &export, &jar, None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(names_in(&file.body).len(), 3);
    assert_eq!(
        last_audit(&w.app, "party_member").await["action"],
        "party_member.export"
    );
    let bad = w
        .app
        .page("GET", "/party-members?org_id=abc", &jar, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // A grid worker sees the list but may not import; a dispatcher has neither list nor menu.
    w.app.user("gw.page", Role::GridWorker, w.grid1).await;
    let gw = sign_in(&w.app, "gw.page").await;
    let html = w.app.page("GET", "/party-members", &gw, None).await.text();
    assert!(html.contains("张伟") && !html.contains("赵敏"));
    assert!(!html.contains("/party-members/import"));
    w.app
        .user("dispatcher.page", Role::Dispatcher, w.town.a)
        .await;
    let d = sign_in(&w.app, "dispatcher.page").await;
    let denied = w.app.page("GET", "/party-members", &d, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let home = w.app.page("GET", "/", &d, None).await.text();
    assert!(!home.contains("href=\"/party-members\""));
}
