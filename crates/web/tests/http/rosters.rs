//! What the party member, grid staff, organisation and places rosters share: workbooks built in
//! memory with any headers, the exact check of a report against the planted mistakes, and the
//! parts every roster has alike (templates, 403s, the shared import page, links from coverage).

use crate::common::*;
use crate::pages::{csrf_of, sign_in};
use crate::residents_import::{issues, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_io::roster::read_roster;
use rust_xlsxwriter::Workbook;
use serde_json::Value;

pub(crate) type Cells = Vec<String>;

pub(crate) fn cells(values: &[&str]) -> Cells {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// An xlsx roster with these headers; every cell written as text, empty ones left unwritten.
pub(crate) fn book(headers: &[&str], lines: &[Cells]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in (0u16..).zip(headers) {
        ws.write_string(0, c, *h).unwrap();
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

/// A planted mistake: the spreadsheet row (line index + 2), the column, and a piece of the
/// reason the report must give.
pub(crate) type Planted = (u64, &'static str, String);

/// The summary lists exactly the planted problems, each with its reason.
pub(crate) fn assert_exactly(summary: &Value, planted: &[Planted]) {
    let found = issues(summary);
    let want: Vec<(u64, String)> = planted
        .iter()
        .map(|(row, col, _)| (*row, (*col).to_owned()))
        .collect();
    let got: Vec<(u64, String)> = found.keys().cloned().collect();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got, want_sorted, "{found:#?}");
    for (row, col, reason) in planted {
        let got = &found[&(*row, (*col).to_owned())];
        assert!(got.contains(reason.as_str()), "row {row} {col}: {got}");
    }
}

/// The report of `file` at `uri` lists the planted rows, in row order.
pub(crate) async fn assert_report(
    app: &TestApp,
    token: &str,
    uri: &str,
    file: Vec<u8>,
    planted: &[Planted],
) {
    let r = upload(app, token, uri, file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let sheet = read_roster(&r.body, "report.xlsx").unwrap();
    let rows: Vec<u64> = sheet
        .rows
        .iter()
        .map(|r| r.get(0).parse().unwrap())
        .collect();
    let mut want: Vec<u64> = planted.iter().map(|p| p.0).collect();
    want.sort();
    assert_eq!(rows, want);
}

/// The latest audit entry of `object_type`, as an administrator reads it.
pub(crate) async fn last_audit(app: &TestApp, object_type: &str) -> Value {
    let login = format!("auditor{}", app.count("users").await);
    let admin = app.token_for(&login, Role::Auditor, 1).await;
    let log = app
        .get(
            &format!("/api/v1/audit?object_type={object_type}&page_size=1"),
            &admin,
        )
        .await
        .json();
    log["items"][0].clone()
}

const ROSTERS: [(&str, &[&str]); 4] = [
    (
        "party-members",
        &[
            "姓名",
            "身份证号",
            "所在党组织编码",
            "党员类别",
            "管理方式",
            "党员中心户",
            "党员楼栋长",
            "入党日期",
        ],
    ),
    ("grid-staff", &["网格编码", "网格角色", "姓名", "联系电话"]),
    (
        "organisations",
        &[
            "组织类型",
            "名称",
            "所属节点编码",
            "统一社会信用代码",
            "联系人",
            "联系电话",
            "服务小区编码",
        ],
    ),
    ("places", &["上级编码", "类型", "名称", "编码", "网格类型"]),
];

#[tokio::test]
async fn each_template_has_the_rosters_chinese_headers() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    for (base, headers) in ROSTERS {
        let r = app.get(&format!("/api/v1/{base}/template.xlsx"), &cw).await;
        assert_eq!(r.status, StatusCode::OK, "{base}");
        let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        let sheet = read_roster(&r.body, "template.xlsx").unwrap();
        assert_eq!(sheet.headers, headers, "{base}");
        assert!(sheet.rows.is_empty());
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_roster_route() {
    let app = TestApp::new().await;
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    for (base, _) in ROSTERS {
        for tail in ["template.xlsx", "import", "import/report.xlsx"] {
            let path = format!("/api/v1/{base}/{tail}");
            assert!(doc["paths"].get(&path).is_some(), "{path} missing");
        }
    }
    assert!(
        doc["paths"]
            .get("/api/v1/organisations/export.xlsx")
            .is_some()
    );
    assert!(doc["components"]["schemas"].get("ImportSummary").is_some());
}

#[tokio::test]
async fn roles_without_the_rosters_permission_get_403_and_nothing_is_written() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid = app
        .node(t.a, NodeKind::Grid, "371722001001G01", "第一网格")
        .await;
    // Grid workers manage residents but neither nodes nor party members; district admins oversee.
    let grid_worker = app.token_for("gw.a", Role::GridWorker, grid).await;
    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    for (base, headers) in ROSTERS {
        let file = book(headers, &[]);
        for uri in [
            format!("/api/v1/{base}/import"),
            format!("/api/v1/{base}/import/report.xlsx"),
        ] {
            let r = upload(&app, &grid_worker, &uri, file.clone()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
            assert_eq!(r.json()["code"], "forbidden");
        }
        let template = format!("/api/v1/{base}/template.xlsx");
        assert_eq!(
            app.get(&template, &grid_worker).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let file = book(ROSTERS[0].1, &[]);
    let r = upload(&app, &admin, "/api/v1/party-members/import", file).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "admins oversee, communities enrol"
    );
    for table in ["party_members", "grid_staff", "organisations"] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
}

/// A browser's multipart upload of an import form.
fn multipart(csrf: &str, mode: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----jicengrosterboundary";
    let mut body = Vec::new();
    for (name, value) in [("_csrf", csrf), ("mode", mode)] {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"网格员.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_shared_import_page_serves_each_roster_and_coverage_links_to_it() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.node(t.a, NodeKind::Grid, "371722001001G01", "第一网格")
        .await;
    app.user("cw.page", Role::CommunityWorker, t.a).await;
    let jar = sign_in(&app, "cw.page").await;

    let coverage = app
        .page("GET", &format!("/coverage?node_id={}", t.a), &jar, None)
        .await
        .text();
    assert!(coverage.contains("id=\"roster-imports\""), "{coverage}");
    for href in [
        "/party-members/import",
        "/grid-staff/import",
        "/organisations/import",
        "/grid-staff/template.xlsx",
    ] {
        assert!(coverage.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let template = app
        .page("GET", "/grid-staff/template.xlsx", &jar, None)
        .await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template.body.starts_with(b"PK"));

    let form = app.page("GET", "/grid-staff/import", &jar, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(html.contains("批量导入网格员") && html.contains("action=\"/grid-staff/import\""));
    let csrf = csrf_of(&html);
    let file = book(
        ROSTERS[1].1,
        &[
            cells(&["371722001001G01", "网格长", "张网格", "13800000001"]),
            cells(&["371722001001G01", "网格员", "李四", ""]),
        ],
    );
    let post = |uri: &'static str, mode: &'static str| {
        let (ct, body) = multipart(&csrf, mode, &file);
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, jar.join("; "))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        app.send(req)
    };
    let r = post("/grid-staff/import", "valid_rows").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"import-created\">1<"), "{html}");
    assert!(html.contains("网格角色「网格员」无法识别"), "{html}");
    let report = post("/grid-staff/import/report.xlsx", "valid_rows").await;
    let rows = read_roster(&report.body, "r.xlsx").unwrap().rows;
    assert_eq!((rows.len(), rows[0].get(0)), (1, "3"));
    assert_eq!(app.count("grid_staff").await, 1);

    // A grid worker may not import grid staff: the page says so, and coverage offers nothing.
    let grid = app
        .node(t.a, NodeKind::Grid, "371722001001G02", "第二网格")
        .await;
    app.user("gw.page", Role::GridWorker, grid).await;
    let gw = sign_in(&app, "gw.page").await;
    let denied = app.page("GET", "/grid-staff/import", &gw, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let coverage = app
        .page("GET", &format!("/coverage?node_id={grid}"), &gw, None)
        .await
        .text();
    assert!(!coverage.contains("roster-imports"));
}
