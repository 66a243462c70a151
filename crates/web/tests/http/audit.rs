//! Every write leaves an audit entry in the same transaction; the log filters and exports.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::role::Role;

#[tokio::test]
async fn creating_a_node_records_actor_time_and_the_new_state() {
    let app = TestApp::new().await;
    let token = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let r = app
        .api(
            "POST",
            "/api/v1/nodes",
            Some(&token),
            Some(r#"{"parent_id":1,"kind":"district","code":"371722","name":"单县"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json()["id"].as_i64().unwrap();
    let log = app
        .get(
            &format!("/api/v1/audit?object_type=node&object_id={id}"),
            &token,
        )
        .await
        .json();
    assert_eq!(log["total"], 1);
    let e = &log["items"][0];
    assert_eq!(e["actor_login"], "admin");
    assert_eq!(e["action"], "node.create");
    assert_eq!(e["at"], "2026-09-30T09:00:00Z");
    assert!(e["after_json"].as_str().unwrap().contains("单县"));
}

#[tokio::test]
async fn sign_ins_failures_and_sign_outs_are_audited() {
    let app = TestApp::new().await;
    let token = app.token_for("admin", Role::DistrictAdmin, 1).await;
    app.api(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(r#"{"login":"mallory","password":"guess-123"}"#),
    )
    .await;
    let log = app.get("/api/v1/audit?page_size=100", &token).await.json();
    let actions: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.contains(&"auth.login".to_owned()));
    assert!(actions.contains(&"auth.login_failed".to_owned()));
    let failed = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "auth.login_failed")
        .unwrap();
    assert_eq!(failed["object_id"], "mallory");
}

#[tokio::test]
async fn the_log_filters_by_actor_object_and_day() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let body = |code: &str| {
        format!(
            r#"{{"parent_id":{},"kind":"grid","code":"{code}","name":"网格"}}"#,
            t.a
        )
    };
    app.api("POST", "/api/v1/nodes", Some(&admin), Some(&body("G1")))
        .await;
    app.clock.advance(chrono::Duration::days(2));
    app.api("POST", "/api/v1/nodes", Some(&admin), Some(&body("G2")))
        .await;

    let by_actor = app
        .get("/api/v1/audit?actor=ADMIN&object_type=node", &admin)
        .await
        .json();
    assert_eq!(by_actor["total"], 2);
    // 2026-09-30 09:00 UTC is 17:00 China time on the 30th; two days later is 2 October.
    let first_day = app
        .get(
            "/api/v1/audit?actor=admin&object_type=node&from=2026-09-30&to=2026-09-30",
            &admin,
        )
        .await
        .json();
    assert_eq!(first_day["total"], 1);
    let later = app
        .get(
            "/api/v1/audit?actor=admin&object_type=node&from=2026-10-01",
            &admin,
        )
        .await
        .json();
    assert_eq!(later["total"], 1);
    assert!(
        later["items"][0]["after_json"]
            .as_str()
            .unwrap()
            .contains("G2")
    );
}

#[tokio::test]
async fn the_log_exports_to_excel_and_csv_with_the_same_filters() {
    let app = TestApp::new().await;
    town(&app).await;
    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let x = app
        .get("/api/v1/audit/export.xlsx?object_type=node", &admin)
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(&x.body[..2], b"PK");
    assert!(
        x.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let c = app
        .get("/api/v1/audit/export.csv?object_type=node", &admin)
        .await;
    let text = c.text();
    let lines: Vec<_> = text.trim_end().split("\r\n").collect();
    assert!(lines[0].contains("操作人"));
    assert_eq!(lines.len(), 1 + 4, "header + the 4 nodes of the town");
    assert!(lines[1..].iter().all(|l| l.contains("node.create")));
}
