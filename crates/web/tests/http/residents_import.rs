//! Residents from Excel: rosters built in memory as a community worker would fill them in,
//! imported all-or-nothing or row by row, re-imported without duplicates. The helpers here serve
//! `residents_excel` too.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Days, NaiveDate};
use jiceng_core::node::NodeKind;
use jiceng_core::people::IdCardNo;
use jiceng_core::role::Role;
use jiceng_io::roster::read_roster;
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) const HEADERS: [&str; 6] = [
    "姓名",
    "身份证号",
    "联系电话",
    "与户主关系",
    "所在网格/小区/楼栋编码",
    "详细地址",
];
pub(crate) const G1: &str = "371722001001G01";
pub(crate) const G2: &str = "371722001001G02";
pub(crate) const B_GRID: &str = "371722001002G01";

pub(crate) type Line = [String; 6];

/// An xlsx roster: the template's headers, then every cell written as text (as the template's
/// text-formatted columns keep them); empty cells are left unwritten.
pub(crate) fn xlsx(lines: &[Line]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in (0u16..).zip(HEADERS) {
        ws.write_string(0, c, h).unwrap();
    }
    for (r, line) in (1u32..).zip(lines) {
        for (c, cell) in (0u16..).zip(line) {
            if !cell.is_empty() {
                ws.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

pub(crate) fn line(
    name: &str,
    id: &str,
    phone: &str,
    relation: &str,
    code: &str,
    address: &str,
) -> Line {
    [name, id, phone, relation, code, address].map(str::to_owned)
}

/// The `i`-th distinct valid 身份证 number: 1,000 sequence numbers per birth date.
pub(crate) fn person(i: usize) -> IdCardNo {
    let birth = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Days::new((i / 1000) as u64 * 37);
    IdCardNo::synthesize("371722", birth, (i % 1000) as u16)
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect()
}

pub(crate) async fn upload(app: &TestApp, token: &str, uri: &str, file: Vec<u8>) -> Resp {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(file))
        .unwrap();
    app.send(req).await
}

pub(crate) struct Setup {
    pub app: TestApp,
    pub town: Town,
    pub cw: String,
}

/// Community A with grids G01 and G02, community B with one grid, a community worker of A.
pub(crate) async fn setup() -> Setup {
    let app = TestApp::new().await;
    let town = town(&app).await;
    app.node(town.a, NodeKind::Grid, G1, "东关第一网格").await;
    app.node(town.a, NodeKind::Grid, G2, "东关第二网格").await;
    app.node(town.b, NodeKind::Grid, B_GRID, "西关第一网格")
        .await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, town.a).await;
    Setup { app, town, cw }
}

pub(crate) fn counts(j: &Value) -> (u64, u64, u64) {
    let n = |k: &str| j[k].as_u64().unwrap();
    (n("created"), n("updated"), n("unchanged"))
}

/// (row, column) → reason, of the issues in a summary.
pub(crate) fn issues(j: &Value) -> BTreeMap<(u64, String), String> {
    j["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let key = (
                i["row"].as_u64().unwrap(),
                i["column"].as_str().unwrap().to_owned(),
            );
            (key, i["reason"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn ten_thousand_residents_with_fifty_bad_rows_import_once_and_update_on_reimport() {
    let Setup { app, cw, .. } = setup().await;
    let surnames = ["张", "王", "李", "赵", "刘", "陈", "欧阳"];
    let given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳"];
    let relations = ["户主", "配偶", "子女", "", "父母", "其他"];
    // (row, column, a piece of the reason) of each planted mistake.
    let mut planted: Vec<(u64, &str, String)> = Vec::new();
    let mut lines: Vec<Line> = (0..10_000)
        .map(|i| {
            let id = person(i).as_str().to_owned();
            // Spreadsheet noise on valid rows: full-width digits, grouped digits, lower-case x.
            let id = match i % 9 {
                0 => full_width(&id),
                1 => format!(" {} {} {} ", &id[..6], &id[6..14], &id[14..]),
                2 => id.to_lowercase(),
                _ => id,
            };
            let code = if i % 2 == 0 {
                G1.to_owned()
            } else {
                G2.to_lowercase()
            };
            line(
                &format!("{}{}", surnames[i % 7], given[(i / 7) % 10]),
                &id,
                &format!("138{i:08}"),
                relations[i % 6],
                &code,
                &format!("东关路{}号", i % 300),
            )
        })
        .collect();
    for k in 0..50 {
        let i = 100 + 200 * k;
        let row = i as u64 + 2;
        match k % 4 {
            0 => {
                let id = person(i).as_str().to_owned();
                let last = if id.ends_with('1') { '2' } else { '1' };
                lines[i][1] = format!("{}{last}", &id[..17]);
                planted.push((row, HEADERS[1], "校验位".into()));
            }
            1 => {
                lines[i][0] = String::new();
                planted.push((row, HEADERS[0], "姓名不能为空".into()));
            }
            2 => {
                lines[i][4] = "371722001001G99".into();
                planted.push((row, HEADERS[4], "编码不存在或不在您的管辖范围内".into()));
            }
            _ => {
                lines[i][1] = person(i - 1).as_str().to_owned();
                planted.push((row, HEADERS[1], format!("与第 {} 行重复", row - 1)));
            }
        }
    }
    let file = xlsx(&lines);
    assert!(file.len() < 2 * 1024 * 1024, "{} bytes", file.len());

    let refused = upload(&app, &cw, "/api/v1/residents/import", file.clone()).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    let body = refused.json();
    assert_eq!(body["code"], "import_rejected");
    let found = issues(&body["details"]);
    assert_eq!(found.len(), 50, "{found:#?}");
    for (row, column, reason) in &planted {
        let got = &found[&(*row, (*column).to_owned())];
        assert!(got.contains(reason.as_str()), "row {row}: {got}");
    }
    assert_eq!(body["details"]["skipped"], 50);
    assert_eq!(
        app.count("residents").await,
        0,
        "all or nothing wrote something"
    );

    let report = upload(
        &app,
        &cw,
        "/api/v1/residents/import/report.xlsx",
        file.clone(),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK);
    let sheet = read_roster(&report.body, "report.xlsx").unwrap();
    let rows: Vec<u64> = sheet
        .rows
        .iter()
        .map(|r| r.get(0).parse().unwrap())
        .collect();
    let want: Vec<u64> = planted.iter().map(|p| p.0).collect();
    assert_eq!(rows, want);

    let preview = upload(
        &app,
        &cw,
        "/api/v1/residents/import?mode=valid_rows&dry_run=true",
        file.clone(),
    )
    .await;
    assert_eq!(counts(&preview.json()), (9_950, 0, 0));
    assert_eq!(app.count("residents").await, 0, "a dry run wrote something");

    let uri = "/api/v1/residents/import?mode=valid_rows";
    let first = upload(&app, &cw, uri, file.clone()).await.json();
    assert_eq!(counts(&first), (9_950, 0, 0), "{}", first["issues"]);
    assert_eq!(
        (first["applied"].as_bool(), first["skipped"].as_u64()),
        (Some(true), Some(50))
    );
    assert_eq!(issues(&first).len(), 50);
    assert_eq!(app.count("residents").await, 9_950);

    let again = upload(&app, &cw, uri, file).await.json();
    assert_eq!(counts(&again), (0, 0, 9_950));
    assert_eq!(app.count("residents").await, 9_950);

    lines[5][2] = "139 0000 0005".into();
    let changed = upload(&app, &cw, uri, xlsx(&lines)).await.json();
    assert_eq!(counts(&changed), (0, 1, 9_949));
    let found = app.get("/api/v1/residents?q=0005", &cw).await.json();
    assert_eq!(found["items"][0]["phone"], "13900000005");
    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let log = app
        .get("/api/v1/audit?object_type=resident&page_size=1", &admin)
        .await
        .json();
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "resident.update");
    let after = entry["after_json"].as_str().unwrap();
    assert!(
        after.contains("139****0005") && !after.contains("13900000005"),
        "{after}"
    );
}

#[tokio::test]
async fn a_gb18030_csv_from_chinese_excel_imports() {
    let Setup { app, cw, .. } = setup().await;
    let (a, b) = (person(1), person(2));
    let text = format!(
        "{}\r\n欧阳娜娜,{},13800000001,户主,{G1},幸福小区1号楼\r\n买买提·艾力,{},,配偶,{G1},\r\n",
        HEADERS.join(","),
        a.as_str(),
        b.as_str()
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    assert!(std::str::from_utf8(&gb).is_err(), "really GB18030");
    let r = upload(&app, &cw, "/api/v1/residents/import", gb.into_owned()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(counts(&r.json()), (2, 0, 0));
    let list = app.get("/api/v1/residents", &cw).await.json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["欧阳娜娜", "买买提·艾力"]);
    assert_eq!(list["items"][1]["household_relation"], "spouse");
}

#[tokio::test]
async fn rows_for_another_community_are_reported_not_written() {
    let Setup { app, town, cw } = setup().await;
    let cw_b = app.token_for("cw.b", Role::CommunityWorker, town.b).await;
    // Already registered in B by B's worker.
    let theirs = line("王五", person(3).as_str(), "", "", B_GRID, "");
    let r = upload(&app, &cw_b, "/api/v1/residents/import", xlsx(&[theirs])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let file = xlsx(&[
        line("张三", person(1).as_str(), "", "", B_GRID, ""),
        line("王五", person(3).as_str(), "", "", G1, ""),
        line("赵六", person(4).as_str(), "", "", G1, ""),
    ]);
    let r = upload(&app, &cw, "/api/v1/residents/import?mode=valid_rows", file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    let found = issues(&j);
    let place = (2u64, HEADERS[4].to_owned());
    let elsewhere = (3u64, HEADERS[1].to_owned());
    assert_eq!(found.keys().collect::<Vec<_>>(), [&place, &elsewhere]);
    assert_eq!(
        found[&place],
        format!("编码不存在或不在您的管辖范围内：{B_GRID}")
    );
    assert!(
        found[&elsewhere].contains("管辖范围以外"),
        "{}",
        found[&elsewhere]
    );
    assert_eq!(counts(&j), (1, 0, 0));
    let in_b = app.get("/api/v1/residents", &cw_b).await.json();
    assert_eq!(in_b["total"], 1, "B's resident stays in B");

    // A street in scope is found, but people do not live at a street.
    let cw_street = app
        .token_for("cw.s", Role::CommunityWorker, town.street)
        .await;
    let file = xlsx(&[line("李四", person(2).as_str(), "", "", "371722001", "")]);
    let j = upload(
        &app,
        &cw_street,
        "/api/v1/residents/import?dry_run=true",
        file,
    )
    .await
    .json();
    assert!(issues(&j)[&place].contains("是街道"), "{j}");
}

#[tokio::test]
async fn only_roles_that_manage_residents_may_import() {
    let Setup { app, town, .. } = setup().await;
    let street = app
        .token_for("street", Role::StreetStaff, town.street)
        .await;
    let file = xlsx(&[line("张三", person(1).as_str(), "", "", G1, "")]);
    for uri in [
        "/api/v1/residents/import",
        "/api/v1/residents/import/report.xlsx",
    ] {
        let r = upload(&app, &street, uri, file.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(r.json()["code"], "forbidden");
    }
    assert_eq!(
        app.get("/api/v1/residents/template.xlsx", &street)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("residents").await, 0);
}

#[tokio::test]
async fn unreadable_files_and_missing_columns_are_refused_on_file() {
    let Setup { app, cw, .. } = setup().await;
    let no_id = "姓名,所在网格/小区/楼栋编码\r\n张三,371722001001G01\r\n";
    for (body, code) in [
        (b"PK\x03\x04broken".to_vec(), "unreadable_file"),
        (Vec::new(), "empty_file"),
        (no_id.as_bytes().to_vec(), "missing_column"),
    ] {
        let r = upload(&app, &cw, "/api/v1/residents/import", body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let j = r.json();
        assert_eq!(
            (j["code"].as_str(), j["details"]["field"].as_str()),
            (Some(code), Some("file"))
        );
    }
}
