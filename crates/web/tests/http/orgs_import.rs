//! Organisations from Excel: a community's 组织名录 with the estates each serves, planted
//! mistakes, all-or-nothing and row-by-row imports, re-import without change, and the list page
//! and export whose file imports back unchanged.

use crate::common::*;
use crate::pages::sign_in;
use crate::residents_import::{counts, upload};
use crate::rosters::{Cells, Planted, assert_exactly, assert_report, book, last_audit};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_io::roster::read_roster;

const HEADERS: [&str; 7] = [
    "组织类型",
    "名称",
    "所属节点编码",
    "统一社会信用代码",
    "联系人",
    "联系电话",
    "服务小区编码",
];
const KINDS: [&str; 6] = [
    "物业服务企业",
    "业主委员会",
    "resident_unit",
    "职能部门",
    "new_org",
    "志愿服务队",
];
const A: &str = "371722001001";

fn estate(g: usize, e: usize) -> String {
    format!("{A}G0{g}E{e:02}")
}

/// A valid 统一社会信用代码 for `i`: 17 digits and their check character (GB 32100).
fn credit_code(i: usize) -> String {
    let alphabet = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!("91371722{i:09}");
    let (mut sum, mut weight) = (0, 1);
    for b in body.bytes() {
        sum += usize::from(b - b'0') * weight;
        weight = weight * 3 % 31;
    }
    format!("{body}{}", alphabet[(31 - sum % 31) % 31] as char)
}

/// Community A with three grids of ten estates each; community B with one grid and estate.
async fn setup() -> (TestApp, Town, String) {
    let app = TestApp::new().await;
    let t = town(&app).await;
    for g in 1..=3 {
        let grid = app
            .node(
                t.a,
                NodeKind::Grid,
                &format!("{A}G0{g}"),
                &format!("第{g}网格"),
            )
            .await;
        for e in 1..=10 {
            app.node(
                grid,
                NodeKind::Estate,
                &estate(g, e),
                &format!("{g}区{e}号小区"),
            )
            .await;
        }
    }
    let grid_b = app
        .node(t.b, NodeKind::Grid, "371722001002G01", "西关网格")
        .await;
    app.node(grid_b, NodeKind::Estate, "371722001002G01E01", "西关小区")
        .await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    (app, t, cw)
}

/// Property companies and owners' committees serve one or two estates; the others none.
fn organisation(i: usize) -> Cells {
    let kind = KINDS[i % 6];
    let serves = match i % 6 {
        0 => format!(
            "{}、{}",
            estate(1 + i % 3, 1 + i % 10),
            estate(1 + i % 3, 1 + (i + 1) % 10)
        ),
        1 => estate(1 + i % 3, 1 + i % 10).to_lowercase(),
        _ => String::new(),
    };
    vec![
        kind.to_owned(),
        format!(
            "东关{}{i}号",
            ["物业", "业委会", "单位", "部门", "企业", "志愿队"][i % 6]
        ),
        if i.is_multiple_of(2) {
            A.to_owned()
        } else {
            format!("{A}G0{}", 1 + i % 3)
        },
        if i.is_multiple_of(3) {
            String::new()
        } else {
            credit_code(i)
        },
        format!("{}经理", ["张", "王", "李", "赵"][i % 4]),
        if i.is_multiple_of(4) {
            String::new()
        } else {
            format!("0530-{:07}", 1_000_000 + i)
        },
        serves,
    ]
}

#[tokio::test]
async fn two_hundred_organisations_with_planted_mistakes_import_once_and_update_one_each() {
    let (app, _, cw) = setup().await;
    let mut lines: Vec<Cells> = (0..200).map(organisation).collect();
    let mut planted: Vec<Planted> = Vec::new();
    let mut plant = |lines: &mut Vec<Cells>, i: usize, col: usize, value: &str, why: &str| {
        lines[i][col] = value.to_owned();
        planted.push(((i + 2) as u64, HEADERS[col], why.to_owned()));
    };
    let not_found = "编码不存在或不在您的管辖范围内";
    plant(
        &mut lines,
        10,
        0,
        "物业公司",
        "组织类型「物业公司」无法识别",
    );
    plant(&mut lines, 20, 1, "", "名称不能为空");
    plant(&mut lines, 30, 2, "371722009999", not_found);
    plant(&mut lines, 40, 2, "371722001002", not_found);
    let mut typo = credit_code(50);
    let last = if typo.ends_with('0') { "1" } else { "0" };
    typo.replace_range(17.., last);
    plant(&mut lines, 50, 3, &typo, "校验位");
    plant(&mut lines, 60, 4, "", "联系人不能为空");
    plant(&mut lines, 70, 5, "123", "电话号码「123」无效");
    let both = format!("{}、371722001002G01E01", estate(1, 99));
    let why = format!("{not_found}：{}、371722001002G01E01", estate(1, 99));
    plant(&mut lines, 80, 6, &both, &why);
    let twin = lines[89].clone();
    lines[90] = twin;
    planted.push((92, HEADERS[1], "与第 91 行重复".into()));
    let bad_rows = 9;
    let planted_rows: Vec<u64> = planted.iter().map(|p| p.0).collect();
    let file = book(&HEADERS, &lines);

    let refused = upload(&app, &cw, "/api/v1/organisations/import", file.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_exactly(&body["details"], &planted);
    assert_eq!(body["details"]["skipped"], bad_rows);
    assert_eq!(app.count("organisations").await, 0, "all or nothing wrote");
    let uri = "/api/v1/organisations/import/report.xlsx";
    assert_report(&app, &cw, uri, file.clone(), &planted).await;

    let valid = 200 - bad_rows;
    let uri = "/api/v1/organisations/import?mode=valid_rows";
    let first = upload(&app, &cw, uri, file.clone()).await.json();
    assert_eq!(counts(&first), (valid, 0, 0), "{}", first["issues"]);
    assert_eq!(app.count("organisations").await, valid as i64);
    let links = app.count("organisation_serves").await;
    let again = upload(&app, &cw, uri, file).await.json();
    assert_eq!(counts(&again), (0, 0, valid));
    assert_eq!(app.count("organisation_serves").await, links);

    // One new phone; one more estate served (links are added, never removed).
    lines[2][5] = "0530-7654321".into();
    lines[7][6] = estate(3, 10);
    let changed = upload(&app, &cw, uri, book(&HEADERS, &lines)).await.json();
    assert_eq!(counts(&changed), (0, 2, valid - 2));
    assert_eq!(app.count("organisations").await, valid as i64);
    assert_eq!(app.count("organisation_serves").await, links + 1);
    let entry = last_audit(&app, "organisation").await;
    assert_eq!(entry["action"], "organisation.update");
    assert!(entry["after_json"].as_str().unwrap().contains("serves"));

    // The export holds the template's columns: edited in Excel, it imports back as it is.
    let export = app
        .get(
            "/api/v1/organisations/export.xlsx?kind=property_company",
            &cw,
        )
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text());
    let sheet = read_roster(&export.body, "export.xlsx").unwrap();
    assert_eq!(sheet.headers[..7], HEADERS);
    let companies = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| l[0] == KINDS[0] && !planted_rows.contains(&(*i as u64 + 2)))
        .count();
    assert_eq!(sheet.rows.len(), companies);
    let back = upload(&app, &cw, uri, export.body).await.json();
    assert_eq!(
        counts(&back),
        (0, 0, companies as u64),
        "{}",
        back["issues"]
    );
}

#[tokio::test]
async fn the_organisations_page_filters_by_kind_and_links_to_import_and_export() {
    let (app, t, cw) = setup().await;
    let lines: Vec<Cells> = (0..12).map(organisation).collect();
    let r = upload(
        &app,
        &cw,
        "/api/v1/organisations/import",
        book(&HEADERS, &lines),
    )
    .await;
    assert_eq!(counts(&r.json()), (12, 0, 0));
    app.user("cw.page", Role::CommunityWorker, t.a).await;
    let jar = sign_in(&app, "cw.page").await;
    let html = app
        .page("GET", "/organisations?kind=property_company", &jar, None)
        .await
        .text();
    assert!(html.contains("href=\"/organisations\""), "nav item");
    assert!(html.contains("东关物业0号") && html.contains("东关物业6号"));
    assert!(!html.contains("东关业委会1号"), "filtered by kind");
    assert!(html.contains("1区1号小区"), "served estates listed");
    for href in [
        "/organisations/import",
        "/organisations/template.xlsx",
        "/organisations/export.xlsx?kind=property_company",
    ] {
        assert!(html.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let file = app
        .page(
            "GET",
            "/organisations/export.xlsx?kind=property_company",
            &jar,
            None,
        )
        .await;
    assert_eq!(read_roster(&file.body, "e.xlsx").unwrap().rows.len(), 2);
    let bad = app
        .page("GET", "/organisations?kind=nonsense", &jar, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Someone scoped on community B sees none of A's organisations.
    app.user("cw.b", Role::CommunityWorker, t.b).await;
    let jar_b = sign_in(&app, "cw.b").await;
    let html = app.page("GET", "/organisations", &jar_b, None).await.text();
    assert!(!html.contains("东关"), "{html}");
}
