//! Places from Excel: a community laid out in one file (grids, estates, buildings, entrances,
//! households, a park and an office tower), children listed before their parents, codes given,
//! given as suffixes or left to be derived; planted mistakes reported by row; re-import without
//! change.

use crate::common::*;
use crate::pages::sign_in;
use crate::residents_import::{counts, upload};
use crate::rosters::{Cells, Planted, assert_exactly, assert_report, book, cells, last_audit};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::{Page, nodes};
use std::collections::BTreeMap;

const HEADERS: [&str; 5] = ["上级编码", "类型", "名称", "编码", "网格类型"];
const A: &str = "371722001001";
const IMPORT: &str = "/api/v1/places/import";

/// Community A with grid G01 (第一网格) and G09 (第九网格); community B with one grid; a
/// community worker of A.
async fn setup() -> (TestApp, Town, String) {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.node(t.a, NodeKind::Grid, &format!("{A}G01"), "第一网格")
        .await;
    app.node(t.a, NodeKind::Grid, &format!("{A}G09"), "第九网格")
        .await;
    app.node(t.b, NodeKind::Grid, "371722001002G01", "西关网格")
        .await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    (app, t, cw)
}

/// Every place below community A by code: (kind, name, parent code, grid type).
async fn places(app: &TestApp) -> BTreeMap<String, (String, String, String, Option<String>)> {
    let mut found = BTreeMap::new();
    for kind in NodeKind::ALL {
        for page in 1.. {
            let page = Page::new(Some(page), Some(Page::MAX_SIZE));
            let (items, _) = nodes::by_kind(&app.db, &Scope::everything(), *kind, page)
                .await
                .unwrap();
            if items.is_empty() {
                break;
            }
            for n in items.into_iter().filter(|n| n.code.starts_with(A)) {
                let parent = n.path.trim_end_matches('/').rsplit('/').nth(1).unwrap();
                let value = (n.kind, n.name, parent.to_owned(), n.subtype);
                found.insert(n.code, value);
            }
        }
    }
    found
}

/// A community's places, children before their parents in the file.
fn layout() -> Vec<Cells> {
    vec![
        cells(&[&format!("{A}G02"), "小区", "幸福小区", "E01", ""]),
        cells(&[&format!("{A}G02E01"), "楼栋", "1号楼", "", ""]),
        cells(&[&format!("{A}G02E01"), "building", "2号楼", "", ""]),
        cells(&[&format!("{A}G02E01B01"), "单元", "1单元", "", ""]),
        cells(&[A, "网格", "第二网格", "G02", "居民网格"]),
        cells(&[A, "网格", "第一中学网格", "", "学校"]),
        cells(&[&format!("{A}G01"), "商务楼宇", "金融大厦", "", ""]),
        cells(&[&format!("{A}G01"), "小区", "老城小区", "E01", ""]),
        cells(&[&format!("{A}G01E01"), "庭院", "东院", "", ""]),
        cells(&[&format!("{A}G02E01B01U01"), "户", "101室", "", ""]),
        cells(&[A, "园区", "科技园", &format!("{A}P01"), ""]),
        cells(&[" 371722001001g02e01 ", "楼栋", "甲号楼", "b02", ""]),
    ]
}

#[tokio::test]
async fn a_community_laid_out_in_one_file_is_created_parents_first_and_imported_again_unchanged() {
    let (app, _, cw) = setup().await;
    let before = places(&app).await;
    let file = book(&HEADERS, &layout());

    let preview = upload(&app, &cw, &format!("{IMPORT}?dry_run=true"), file.clone()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    assert_eq!(counts(&preview.json()), (12, 0, 0));
    assert_eq!(places(&app).await, before, "a dry run wrote");

    let r = upload(&app, &cw, IMPORT, file.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(counts(&body), (12, 0, 0), "{}", body["issues"]);
    assert!(body["applied"].as_bool().unwrap());
    let after = places(&app).await;
    let place = |code: &str| after[&format!("{A}{code}")].clone();
    let want = |kind: &str, name: &str, parent: &str, subtype: Option<&str>| {
        let parent = format!("{A}{parent}");
        let subtype = subtype.map(str::to_owned);
        (kind.to_owned(), name.to_owned(), parent, subtype)
    };
    // Given suffixes get the parent's code in front; an empty code is the next number after
    // the highest of its level (G10 after G09), skipping those the file gives (B02).
    assert_eq!(
        place("G02"),
        want("grid", "第二网格", "", Some("residential"))
    );
    assert_eq!(
        place("G10"),
        want("grid", "第一中学网格", "", Some("school"))
    );
    assert_eq!(place("G02E01"), want("estate", "幸福小区", "G02", None));
    assert_eq!(
        place("G02E01B01"),
        want("building", "1号楼", "G02E01", None)
    );
    assert_eq!(
        place("G02E01B02"),
        want("building", "甲号楼", "G02E01", None)
    );
    assert_eq!(
        place("G02E01B03"),
        want("building", "2号楼", "G02E01", None)
    );
    assert_eq!(
        place("G02E01B01U01"),
        want("entrance", "1单元", "G02E01B01", None)
    );
    assert_eq!(
        place("G02E01B01U01H01"),
        want("household", "101室", "G02E01B01U01", None)
    );
    assert_eq!(
        place("G01T01"),
        want("office_tower", "金融大厦", "G01", None)
    );
    assert_eq!(
        place("G01E01Y01"),
        want("courtyard", "东院", "G01E01", None)
    );
    assert_eq!(place("P01"), want("park", "科技园", "", None));
    assert_eq!(after.len(), before.len() + 12);
    let entry = last_audit(&app, "node").await;
    assert_eq!(entry["action"], "node.create");
    assert!(
        entry["after_json"]
            .as_str()
            .unwrap()
            .contains("\"via\":\"import\"")
    );

    let audited = app.count("audit_log").await;
    let again = upload(&app, &cw, IMPORT, file).await.json();
    assert_eq!(counts(&again), (0, 0, 12), "{}", again["issues"]);
    assert_eq!(places(&app).await, after);
    assert_eq!(
        app.count("audit_log").await,
        audited,
        "an unchanged import is no write"
    );

    // One more building under an estate the first import created: the only new place.
    let mut more = layout();
    more.push(cells(&[&format!("{A}G01E01"), "楼栋", "新楼", "", ""]));
    let r = upload(&app, &cw, IMPORT, book(&HEADERS, &more))
        .await
        .json();
    assert_eq!(counts(&r), (1, 0, 12));
    assert_eq!(place_name(&app, "G01E01B01").await, "新楼");
}

async fn place_name(app: &TestApp, code: &str) -> String {
    places(app).await[&format!("{A}{code}")].1.clone()
}

#[tokio::test]
async fn planted_mistakes_are_reported_by_row_and_an_all_or_nothing_import_writes_nothing() {
    let (app, _, cw) = setup().await;
    let before = places(&app).await;
    let g = |s: &str| format!("{A}{s}");
    let lines = vec![
        cells(&[A, "网格", "第二网格", "G02", ""]),
        cells(&[A, "网格楼", "某处", "", ""]),
        cells(&[A, "小区", "", "", ""]),
        cells(&["371722001002", "小区", "西关小区", "", ""]),
        cells(&[&g("G01"), "网格", "子网格", "", ""]),
        cells(&[A, "楼栋", "1号楼", "", "学校"]),
        cells(&[A, "网格", "新网格", "G01", ""]),
        cells(&[A, "网格", "第一网格", "G05", ""]),
        cells(&[A, "小区", "重复小区", "E07", ""]),
        cells(&[A, "小区", "重复小区", "E08", ""]),
        cells(&[A, "网格", "第三网格", "G02", ""]),
        cells(&[A, "网格", "坏编码网格", "G-1", ""]),
        cells(&[A, "网格", "火星网格", "G08", "火星网格"]),
        cells(&[&g("G08"), "小区", "星星小区", "", ""]),
        cells(&[&g("G05"), "小区", "五号小区", "", ""]),
        cells(&[&g("G99"), "小区", "幽灵小区", "", ""]),
        cells(&[A, "网格", "第九网格", "", "学校专属网格"]),
    ];
    let not_found = "编码不存在或不在您的管辖范围内";
    let planted: Vec<Planted> = vec![
        (3, "类型", "类型「网格楼」无法识别".into()),
        (4, "名称", "名称不能为空".into()),
        (5, "上级编码", format!("{not_found}：371722001002")),
        (6, "类型", "「网格」不能建在「网格」之下".into()),
        (7, "网格类型", "只有网格有网格类型".into()),
        (8, "编码", format!("编码 {} 已被其他节点使用", g("G01"))),
        (9, "编码", format!("编码为 {}", g("G01"))),
        (11, "名称", "与第 10 行重复".into()),
        (12, "编码", format!("编码 {} 与第 2 行重复", g("G02"))),
        (13, "编码", "编码须为".into()),
        (14, "网格类型", "网格类型「火星网格」无法识别".into()),
        (15, "上级编码", "由第 14 行新建".into()),
        (16, "上级编码", "由第 9 行新建".into()),
        (17, "上级编码", "若上级是本文件中新建的地点".into()),
        (18, "网格类型", "已登记为「居民网格」".into()),
    ];
    let file = book(&HEADERS, &lines);

    let refused = upload(&app, &cw, IMPORT, file.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_eq!(body["code"], "import_rejected");
    assert_exactly(&body["details"], &planted);
    assert_eq!(places(&app).await, before, "all or nothing wrote");
    assert_report(
        &app,
        &cw,
        "/api/v1/places/import/report.xlsx",
        file.clone(),
        &planted,
    )
    .await;

    let r = upload(&app, &cw, &format!("{IMPORT}?mode=valid_rows"), file).await;
    let body = r.json();
    assert_eq!(counts(&body), (2, 0, 0), "{}", body["issues"]);
    assert_eq!(body["skipped"], 15);
    let after = places(&app).await;
    assert_eq!(after.len(), before.len() + 2);
    assert_eq!(after[&g("G02")].1, "第二网格");
    assert_eq!(after[&g("E07")].1, "重复小区");
}

#[tokio::test]
async fn the_places_import_page_is_linked_from_coverage_and_refused_to_grid_workers() {
    let (app, t, _) = setup().await;
    app.user("cw.page", Role::CommunityWorker, t.a).await;
    let jar = sign_in(&app, "cw.page").await;
    let coverage = app
        .page("GET", &format!("/coverage?node_id={}", t.a), &jar, None)
        .await
        .text();
    for href in ["/places/import", "/places/template.xlsx"] {
        assert!(coverage.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let form = app.page("GET", "/places/import", &jar, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(html.contains("批量导入网格/小区/楼栋") && html.contains("action=\"/places/import\""));

    let grid = app
        .node(t.a, NodeKind::Grid, &format!("{A}G03"), "第三网格")
        .await;
    let gw = app.token_for("gw.a", Role::GridWorker, grid).await;
    let file = book(&HEADERS, &[cells(&[A, "网格", "第四网格", "", ""])]);
    let r = upload(&app, &gw, IMPORT, file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/places/template.xlsx", &gw).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn six_hundred_households_in_one_file_are_numbered_under_their_buildings() {
    let (app, _, cw) = setup().await;
    let estate = format!("{A}G01E01");
    let mut lines = vec![cells(&[&format!("{A}G01"), "小区", "大院", "E01", ""])];
    for b in 1..=30 {
        lines.push(cells(&[
            &estate,
            "楼栋",
            &format!("{b}号楼"),
            &format!("B{b:02}"),
            "",
        ]));
    }
    // Households listed before their buildings, the buildings' in turn interleaved.
    let mut households = Vec::new();
    for h in 1..=20 {
        for b in 1..=30 {
            let building = format!("{estate}B{b:02}");
            households.push(cells(&[&building, "户", &format!("{h}室"), "", ""]));
        }
    }
    lines.splice(0..0, households);
    let audited = app.count("audit_log").await;
    let r = upload(&app, &cw, IMPORT, book(&HEADERS, &lines))
        .await
        .json();
    assert_eq!(counts(&r), (631, 0, 0), "{}", r["issues"]);
    assert_eq!(app.count("audit_log").await, audited + 631);
    let after = places(&app).await;
    assert_eq!(after[&format!("{estate}B30H20")].1, "20室");
    assert_eq!(after[&format!("{estate}B07H01")].1, "1室");
    let again = upload(&app, &cw, IMPORT, book(&HEADERS, &lines))
        .await
        .json();
    assert_eq!(counts(&again), (0, 0, 631));
}
