//! Excel around the roster import: the template, the exports (masked), the upload page and the
//! body limit of the import routes.

use crate::pages::{csrf_of, sign_in};
use crate::residents_import::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiceng_core::role::Role;
use jiceng_io::roster::read_roster;

#[tokio::test]
async fn the_template_has_the_six_columns() {
    let Setup { app, cw, .. } = setup().await;
    let r = app.get("/api/v1/residents/template.xlsx", &cw).await;
    assert_eq!(r.status, StatusCode::OK);
    let sheet = read_roster(&r.body, "template.xlsx").unwrap();
    assert_eq!(sheet.headers, HEADERS);
}

#[tokio::test]
async fn exports_open_in_excel_and_hold_masked_numbers_only() {
    let Setup { app, cw, .. } = setup().await;
    let ids: Vec<String> = (1..=3).map(|i| person(i).as_str().to_owned()).collect();
    let lines: Vec<Line> = ids
        .iter()
        .map(|id| line("张三", id, "13800001111", "", G1, ""))
        .collect();
    upload(&app, &cw, "/api/v1/residents/import", xlsx(&lines)).await;

    let r = app
        .get("/api/v1/residents/export.xlsx?q=%E5%BC%A0", &cw)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with(b"PK"));
    let sheet = read_roster(&r.body, "export.xlsx").unwrap();
    assert_eq!(sheet.rows.len(), 3);
    let id_col = sheet.column(&["身份证号"]).unwrap();
    for (row, id) in sheet.rows.iter().zip(&ids) {
        assert_eq!(
            row.get(id_col),
            format!("{}**********{}", &id[..4], &id[14..])
        );
    }
    let every_cell: String = sheet.rows.iter().flat_map(|r| r.cells.clone()).collect();
    assert!(ids.iter().all(|id| !every_cell.contains(id.as_str())));
    assert_eq!(row_code(&sheet), G1);

    for uri in [
        "/api/v1/nodes/export.xlsx?kind=grid",
        "/api/v1/users/export.xlsx",
    ] {
        let r = app.get(uri, &cw).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(r.body.starts_with(b"PK"), "{uri}");
    }
    let grids = read_roster(
        &app.get("/api/v1/nodes/export.xlsx?kind=grid", &cw)
            .await
            .body,
        "n",
    )
    .unwrap();
    assert_eq!(grids.rows.len(), 2, "only the grids of community A");
}

fn row_code(sheet: &jiceng_io::roster::Sheet) -> String {
    let col = sheet.column(&["所在网格/小区/楼栋编码"]).unwrap();
    sheet.rows[0].get(col).to_owned()
}

/// A browser's multipart upload of the import form.
fn multipart(csrf: &str, mode: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----jicengtestboundary";
    let mut body = Vec::new();
    for (name, value) in [("_csrf", csrf), ("mode", mode)] {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"花名册.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_import_page_uploads_a_roster_and_lists_its_problems() {
    let Setup { app, town, .. } = setup().await;
    app.user("cw.page", Role::CommunityWorker, town.a).await;
    let jar = sign_in(&app, "cw.page").await;
    let list = app.page("GET", "/residents", &jar, None).await.text();
    assert!(list.contains("href=\"/residents/import\"") && list.contains("/residents/export.xlsx"));
    let form = app.page("GET", "/residents/import", &jar, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form.text());
    let file = xlsx(&[
        line("张三", person(1).as_str(), "", "", G1, ""),
        line("", person(2).as_str(), "", "", G1, ""),
    ]);
    let post = |uri: &'static str, csrf: String, mode: &'static str| {
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
    let forged = post("/residents/import", "forged".into(), "valid_rows").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let r = post("/residents/import", csrf.clone(), "valid_rows").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"import-created\">1<"), "{html}");
    assert!(html.contains("姓名不能为空"));
    let report = post("/residents/import/report.xlsx", csrf.clone(), "valid_rows").await;
    assert_eq!(report.status, StatusCode::OK);
    let rows = read_roster(&report.body, "r.xlsx").unwrap().rows;
    assert_eq!((rows.len(), rows[0].get(0)), (1, "3"));
    let refused = post("/residents/import", csrf, "all_or_nothing").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("residents").await, 1);
}

#[tokio::test]
async fn a_roster_may_pass_the_usual_body_limit_up_to_its_own() {
    let Setup { app, cw, .. } = setup().await;
    // An extra column is ignored; here it makes a short roster larger than 2 MiB.
    let note = "备".repeat(10_000);
    let mut text = format!("{},备注\r\n", HEADERS.join(","));
    for i in 0..100 {
        text += &format!("张三,{},,,{G1},,{note}\r\n", person(i).as_str());
    }
    assert!(text.len() > 2 * 1024 * 1024);
    let uri = "/api/v1/residents/import?dry_run=true";
    let r = upload(&app, &cw, uri, text.into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(counts(&r.json()), (100, 0, 0));

    let huge = vec![b'a'; jiceng_web::api::residents_import::MAX_FILE + 1];
    let r = upload(&app, &cw, uri, huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let j = r.json();
    assert_eq!(
        (j["code"].as_str(), j["details"]["field"].as_str()),
        (Some("body_too_large"), Some("file"))
    );
    // Everything else keeps the 2 MiB limit.
    let big_json = format!("{{\"name\":\"{}\"}}", "a".repeat(3 * 1024 * 1024));
    let r = app
        .api("POST", "/api/v1/residents", Some(&cw), Some(&big_json))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["code"], "body_too_large");
}
