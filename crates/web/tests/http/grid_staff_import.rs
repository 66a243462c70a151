//! Grid staff from Excel: a community's whole "1+1+X+N" roster with planted mistakes, imported
//! all-or-nothing and row by row, re-imported without change, and reflected in coverage.

use crate::common::*;
use crate::residents_import::{counts, upload};
use crate::rosters::{Cells, Planted, assert_exactly, assert_report, book, cells, last_audit};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;

const HEADERS: [&str; 4] = ["网格编码", "网格角色", "姓名", "联系电话"];
const ROLES: [&str; 5] = [
    "网格长",
    "网格指导员",
    "专职网格员",
    "grid_helper",
    "兼职网格员",
];
const SURNAMES: [&str; 8] = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄"];
const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊"];

fn grid_code(g: usize) -> String {
    format!("371722001001G{:02}", g + 1)
}

/// Community A with `n` grids (G01…), community B with one, and a community worker of A.
async fn setup(n: usize) -> (TestApp, Town, String) {
    let app = TestApp::new().await;
    let t = town(&app).await;
    for g in 0..n {
        let code = grid_code(g);
        app.node(t.a, NodeKind::Grid, &code, &format!("第{}网格", g + 1))
            .await;
    }
    app.node(t.b, NodeKind::Grid, "371722001002G01", "西关第一网格")
        .await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    (app, t, cw)
}

/// Five people per grid: the four roles of the norm and a second part-time helper.
fn roster(grids: usize) -> Vec<Cells> {
    (0..grids * 5)
        .map(|i| {
            let name = format!("{}{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 8], GIVEN[i % 5]);
            let phone = if i.is_multiple_of(7) {
                String::new()
            } else {
                format!("139{i:08}")
            };
            let code = if i.is_multiple_of(3) {
                grid_code(i / 5).to_lowercase()
            } else {
                grid_code(i / 5)
            };
            vec![code, ROLES[i % 5].to_owned(), name, phone]
        })
        .collect()
}

#[tokio::test]
async fn three_hundred_grid_staff_with_planted_mistakes_import_once_and_update_one_phone() {
    let (app, t, cw) = setup(60).await;
    let mut lines = roster(60);
    let mut planted: Vec<Planted> = Vec::new();
    let mut plant = |lines: &mut Vec<Cells>, i: usize, col: usize, value: &str, reason: &str| {
        lines[i][col] = value.to_owned();
        planted.push(((i + 2) as u64, HEADERS[col], reason.to_owned()));
    };
    let not_found = "编码不存在或不在您的管辖范围内";
    plant(&mut lines, 10, 0, "371722001001G99", not_found);
    plant(&mut lines, 30, 0, "371722001002G01", not_found);
    plant(
        &mut lines,
        50,
        0,
        "371722001001",
        "是社区/村，只能为网格配备网格员",
    );
    plant(&mut lines, 70, 0, "", "请填写网格编码");
    plant(&mut lines, 90, 1, "网格员", "网格角色「网格员」无法识别");
    plant(&mut lines, 110, 2, "", "姓名不能为空");
    plant(&mut lines, 130, 2, "张3", "不能含有数字");
    plant(&mut lines, 150, 3, "12345", "电话号码「12345」无效");
    // Two problems in one row are two issues.
    plant(&mut lines, 190, 1, "", "请填写网格角色");
    plant(&mut lines, 190, 3, "电话", "无效");
    let twin = lines[169].clone();
    lines[170] = twin;
    planted.push((172, HEADERS[2], "与第 171 行重复".into()));
    let bad_rows = 10;
    let file = book(&HEADERS, &lines);

    let refused = upload(&app, &cw, "/api/v1/grid-staff/import", file.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_eq!(body["code"], "import_rejected");
    assert_exactly(&body["details"], &planted);
    assert_eq!(body["details"]["skipped"], bad_rows);
    assert_eq!(app.count("grid_staff").await, 0, "all or nothing wrote");
    let uri = "/api/v1/grid-staff/import/report.xlsx";
    assert_report(&app, &cw, uri, file.clone(), &planted).await;

    let valid = 300 - bad_rows;
    let dry = "/api/v1/grid-staff/import?mode=valid_rows&dry_run=true";
    let preview = upload(&app, &cw, dry, file.clone()).await.json();
    assert_eq!(counts(&preview), (valid, 0, 0));
    assert_eq!(app.count("grid_staff").await, 0, "a dry run wrote");

    let uri = "/api/v1/grid-staff/import?mode=valid_rows";
    let first = upload(&app, &cw, uri, file.clone()).await.json();
    assert_eq!(counts(&first), (valid, 0, 0), "{}", first["issues"]);
    assert_exactly(&first, &planted);
    assert_eq!(app.count("grid_staff").await, valid as i64);

    let again = upload(&app, &cw, uri, file).await.json();
    assert_eq!(counts(&again), (0, 0, valid));
    assert_eq!(app.count("grid_staff").await, valid as i64);

    lines[1][3] = "138 0000 0001".into();
    let changed = upload(&app, &cw, uri, book(&HEADERS, &lines)).await.json();
    assert_eq!(counts(&changed), (0, 1, valid - 1));
    let grid = app
        .get(
            &format!("/api/v1/nodes?parent_id={}&page_size=500", t.a),
            &cw,
        )
        .await
        .json();
    let g01 = grid["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == "371722001001G01")
        .unwrap()["id"]
        .clone();
    let staff = app
        .get(&format!("/api/v1/grids/{g01}/staff"), &cw)
        .await
        .json();
    let phones: Vec<&str> = staff
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["phone"].as_str())
        .collect();
    assert!(phones.contains(&"13800000001"), "{staff}");
    let entry = last_audit(&app, "grid_staff").await;
    assert_eq!(entry["action"], "grid_staff.update");
    let after = entry["after_json"].as_str().unwrap();
    assert!(
        after.contains("138****0001") && !after.contains("13800000001"),
        "{after}"
    );

    // A roster without the phone column leaves every phone as it is.
    let short: Vec<Cells> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| planted.iter().all(|p| p.0 != *i as u64 + 2))
        .map(|(_, l)| l[..3].to_vec())
        .collect();
    let kept = upload(&app, &cw, uri, book(&HEADERS[..3], &short))
        .await
        .json();
    assert_eq!(counts(&kept), (0, 0, valid));
}

#[tokio::test]
async fn staffing_grids_to_the_norm_by_import_lowers_grids_short_staffed() {
    let (app, t, cw) = setup(4).await;
    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let short = |j: serde_json::Value| j["rows"][0]["figures"]["grids_short_staffed"].clone();
    let coverage = format!("/api/v1/coverage?node_id={}", t.a);
    assert_eq!(short(app.get(&coverage, &admin).await.json()), 4);

    // Grids 1 and 2 in full; grid 3 lacks its instructor.
    let mut lines: Vec<Cells> = roster(3);
    lines.remove(11);
    let r = upload(
        &app,
        &cw,
        "/api/v1/grid-staff/import",
        book(&HEADERS, &lines),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(short(app.get(&coverage, &admin).await.json()), 2);
    let list = app
        .get(
            &format!(
                "/api/v1/coverage/list?node_id={}&measure=grids_short_staffed",
                t.a
            ),
            &admin,
        )
        .await
        .json();
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["371722001001G03", "371722001001G04"]);

    let instructor = cells(&["371722001001G03", "网格指导员", "补充指导员", ""]);
    let r = upload(
        &app,
        &cw,
        "/api/v1/grid-staff/import",
        book(&HEADERS, &[instructor]),
    )
    .await;
    assert_eq!(counts(&r.json()), (1, 0, 0));
    assert_eq!(short(app.get(&coverage, &admin).await.json()), 1);
}
