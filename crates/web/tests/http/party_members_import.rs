//! Party members from Excel: a community's 党员花名册 naming residents registered beforehand, with
//! planted mistakes, imported all-or-nothing and row by row, re-imported without change.

use crate::common::*;
use crate::residents_import::{B_GRID, G1, G2, counts, line, person, upload, xlsx};
use crate::rosters::{Cells, Planted, assert_exactly, assert_report, book, last_audit};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_store::users::{self, Authority, NewUser};
use serde_json::Value;
use std::collections::HashMap;

const HEADERS: [&str; 8] = [
    "姓名",
    "身份证号",
    "所在党组织编码",
    "党员类别",
    "管理方式",
    "党员中心户",
    "党员楼栋长",
    "入党日期",
];
const SURNAMES: [&str; 7] = ["张", "王", "李", "赵", "刘", "陈", "欧阳"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳"];
const CATEGORIES: [&str; 5] = ["在职", "流动党员", "离退休", "in_service", "retired"];
const MODES: [&str; 4] = ["", "双管", "共管", "协管"];
const DATES: [&str; 4] = ["", "1998-07-01", "2005/6/30", "2010年7月1日"];

/// A distinct name for each of the first 700 people.
fn name(i: usize) -> String {
    format!(
        "{}{}{}",
        SURNAMES[i % 7],
        GIVEN[(i / 7) % 10],
        GIVEN[i / 70]
    )
}

/// The members the caller sees, by name.
async fn members(app: &TestApp, token: &str) -> HashMap<String, Value> {
    let list = app
        .get("/api/v1/party-members?page_size=500", token)
        .await
        .json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_owned(), m.clone()))
        .collect()
}

/// An account holding the community worker role at several nodes (both trees).
async fn worker_at(app: &TestApp, login: &str, nodes: &[i64]) -> String {
    let new = NewUser {
        login: jiceng_core::account::Login::parse(login).unwrap(),
        display_name: "书记".into(),
        unit_name: String::new(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: nodes.iter().map(|n| (Role::CommunityWorker, *n)).collect(),
    };
    users::create(&app.db, Authority::Operator, &app.actor(), new)
        .await
        .unwrap();
    app.login(login).await
}

struct Setup {
    app: TestApp,
    /// Community worker of community A and of its party committee DW001.
    secretary: String,
}

/// Community A (grids G01, G02) with 300 residents; community B with one; party committee DW001
/// with branches DW001Z01…Z05 and committee DW002 with branch DW002Z01, whose members are not
/// the secretary's to manage. Resident 140 of A is already a member of DW002Z01.
async fn setup() -> Setup {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.node(t.a, NodeKind::Grid, G1, "东关第一网格").await;
    app.node(t.a, NodeKind::Grid, G2, "东关第二网格").await;
    app.node(t.b, NodeKind::Grid, B_GRID, "西关第一网格").await;
    let dw1 = app
        .node(1, NodeKind::Committee, "DW001", "东关社区党委")
        .await;
    for b in 1..=5 {
        let code = format!("DW001Z0{b}");
        app.node(dw1, NodeKind::Branch, &code, &format!("第{b}党支部"))
            .await;
    }
    let dw2 = app
        .node(1, NodeKind::Committee, "DW002", "西关社区党委")
        .await;
    app.node(dw2, NodeKind::Branch, "DW002Z01", "西关第一党支部")
        .await;
    let secretary = worker_at(&app, "secretary.a", &[t.a, dw1]).await;
    let residents: Vec<_> = (0..300usize)
        .map(|i| {
            let grid = if i.is_multiple_of(2) { G1 } else { G2 };
            line(&name(i), person(i).as_str(), "", "", grid, "")
        })
        .collect();
    let r = upload(
        &app,
        &secretary,
        "/api/v1/residents/import",
        xlsx(&residents),
    )
    .await;
    assert_eq!(counts(&r.json()), (300, 0, 0));
    let cw_b = app.token_for("cw.b", Role::CommunityWorker, t.b).await;
    let theirs = line("西关居民", person(1000).as_str(), "", "", B_GRID, "");
    upload(&app, &cw_b, "/api/v1/residents/import", xlsx(&[theirs])).await;
    let other = worker_at(&app, "secretary.x", &[t.a, dw2]).await;
    let enrolled = member(140);
    let mut enrolled = enrolled;
    enrolled[2] = "DW002Z01".into();
    let r = upload(
        &app,
        &other,
        "/api/v1/party-members/import",
        book(&HEADERS, &[enrolled]),
    )
    .await;
    assert_eq!(counts(&r.json()), (1, 0, 0), "{}", r.text());
    Setup { app, secretary }
}

fn member(i: usize) -> Cells {
    let id = person(i).as_str().to_owned();
    vec![
        name(i),
        if i.is_multiple_of(9) {
            id.to_lowercase()
        } else {
            id
        },
        format!("DW001Z0{}", 1 + i % 5),
        CATEGORIES[i % 5].to_owned(),
        MODES[i % 4].to_owned(),
        if i.is_multiple_of(10) { "是" } else { "" }.to_owned(),
        if i.is_multiple_of(15) { "是" } else { "否" }.to_owned(),
        DATES[i % 4].to_owned(),
    ]
}

#[tokio::test]
async fn three_hundred_party_members_with_planted_mistakes_import_once_and_update_one() {
    let Setup { app, secretary } = setup().await;
    let mut lines: Vec<Cells> = (0..300).map(member).collect();
    let mut planted: Vec<Planted> = Vec::new();
    let mut plant = |lines: &mut Vec<Cells>, i: usize, col: usize, value: String, why: &str| {
        lines[i][col] = value;
        planted.push(((i + 2) as u64, HEADERS[col], why.to_owned()));
    };
    let unregistered = "该身份证号尚未登记为居民，请先导入居民";
    let not_found = "编码不存在或不在您的管辖范围内";
    plant(&mut lines, 10, 1, person(900).as_str().into(), unregistered);
    // Registered, but in community B: the same words, nothing learnt about B.
    plant(
        &mut lines,
        20,
        1,
        person(1000).as_str().into(),
        unregistered,
    );
    let id = person(30).as_str().to_owned();
    let wrong = format!("{}{}", &id[..17], if id.ends_with('1') { '2' } else { '1' });
    plant(&mut lines, 30, 1, wrong, "校验位");
    plant(
        &mut lines,
        40,
        0,
        "错名字".into(),
        &format!("登记的居民姓名「{}」不一致", name(40)),
    );
    plant(&mut lines, 50, 2, "DW009".into(), not_found);
    plant(&mut lines, 60, 2, "dw002z01".into(), not_found);
    plant(&mut lines, 70, 2, G1.into(), "党员须编入");
    plant(&mut lines, 80, 3, "预备".into(), "党员类别「预备」无法识别");
    plant(&mut lines, 90, 4, "代管".into(), "管理方式「代管」无法识别");
    plant(&mut lines, 100, 5, "也许".into(), "「也许」无法识别");
    plant(
        &mut lines,
        110,
        7,
        "昨天".into(),
        "入党日期「昨天」无法识别",
    );
    plant(&mut lines, 120, 7, "2030-01-01".into(), "不能晚于今天");
    let twin = lines[129].clone();
    lines[130] = twin;
    planted.push((132, HEADERS[1], "与第 131 行重复".into()));
    // Valid cells, but the person belongs to a branch the secretary does not manage.
    planted.push((142, HEADERS[2], "管辖范围以外的党组织".into()));
    let bad_rows = 14;
    let file = book(&HEADERS, &lines);

    let refused = upload(
        &app,
        &secretary,
        "/api/v1/party-members/import",
        file.clone(),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    let body = refused.json();
    assert_exactly(&body["details"], &planted);
    assert_eq!(body["details"]["skipped"], bad_rows);
    assert_eq!(app.count("party_members").await, 1, "all or nothing wrote");
    let uri = "/api/v1/party-members/import/report.xlsx";
    assert_report(&app, &secretary, uri, file.clone(), &planted).await;

    let valid = 300 - bad_rows;
    let uri = "/api/v1/party-members/import?mode=valid_rows";
    let preview = upload(
        &app,
        &secretary,
        &format!("{uri}&dry_run=true"),
        file.clone(),
    )
    .await;
    assert_eq!(counts(&preview.json()), (valid, 0, 0));
    assert_eq!(app.count("party_members").await, 1, "a dry run wrote");

    let first = upload(&app, &secretary, uri, file.clone()).await.json();
    assert_eq!(counts(&first), (valid, 0, 0), "{}", first["issues"]);
    assert_exactly(&first, &planted);
    assert_eq!(app.count("party_members").await, 1 + valid as i64);
    let seen = members(&app, &secretary).await;
    let m0 = &seen[&name(0)];
    assert_eq!(
        (
            &m0["category"],
            &m0["management_mode"],
            &m0["member_household"]
        ),
        (&"in_service".into(), &"dual".into(), &true.into())
    );
    assert_eq!(
        (&m0["building_captain"], &m0["joined_on"]),
        (&true.into(), &Value::Null)
    );
    let m6 = &seen[&name(6)];
    assert_eq!(
        (&m6["management_mode"], &m6["joined_on"]),
        (&"shared".into(), &"2005-06-30".into())
    );

    let again = upload(&app, &secretary, uri, file).await.json();
    assert_eq!(counts(&again), (0, 0, valid));
    // Without the optional columns, roles, modes and dates stay as they are.
    let short: Vec<Cells> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| planted.iter().all(|p| p.0 != *i as u64 + 2))
        .map(|(_, l)| l[..4].to_vec())
        .collect();
    let kept = upload(&app, &secretary, uri, book(&HEADERS[..4], &short))
        .await
        .json();
    assert_eq!(counts(&kept), (0, 0, valid));
    assert_eq!(
        members(&app, &secretary).await[&name(0)]["member_household"],
        true
    );

    lines[5][3] = "流动".into();
    let changed = upload(&app, &secretary, uri, book(&HEADERS, &lines))
        .await
        .json();
    assert_eq!(counts(&changed), (0, 1, valid - 1));
    assert_eq!(app.count("party_members").await, 1 + valid as i64);
    let entry = last_audit(&app, "party_member").await;
    assert_eq!(entry["action"], "party_member.update");
    let (before, after) = (
        entry["before_json"].as_str().unwrap(),
        entry["after_json"].as_str().unwrap(),
    );
    assert!(
        before.contains("in_service") && after.contains("mobile"),
        "{before} → {after}"
    );
}
