//! Bad input gets 400 with the error envelope naming the field, never a 500, and writes nothing.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::role::Role;

async fn snapshot(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("nodes").await,
        app.count("users").await,
        app.count("audit_log").await,
    )
}

#[tokio::test]
async fn malformed_json_missing_fields_and_wrong_types_get_400_and_write_nothing() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "/api/v1/nodes",
            r#"{"parent_id":1,"kind":"#,
            "invalid_json",
            "body",
        ),
        ("/api/v1/nodes", "", "invalid_json", "body"),
        (
            "/api/v1/nodes",
            r#"{"parent_id":1,"kind":"street","name":"x"}"#,
            "missing_field",
            "code",
        ),
        (
            "/api/v1/nodes",
            r#"{"parent_id":"one","kind":"street","code":"1","name":"x"}"#,
            "invalid_type",
            "parent_id",
        ),
        (
            "/api/v1/nodes",
            r#"{"parent_id":1,"kind":"castle","code":"1","name":"x"}"#,
            "invalid_kind",
            "kind",
        ),
        (
            "/api/v1/nodes",
            r#"{"parent_id":1,"kind":"district","code":"37/22","name":"x"}"#,
            "invalid_code",
            "code",
        ),
        (
            "/api/v1/nodes",
            r#"{"parent_id":1,"kind":"district","code":"9","name":"  "}"#,
            "invalid_name",
            "name",
        ),
        ("/api/v1/nodes", r#""just text""#, "invalid_type", "body"),
        (
            "/api/v1/users",
            r#"{"login":"ok.name","display_name":"x","password":"Start-2026"}"#,
            "missing_field",
            "grants",
        ),
        (
            "/api/v1/users",
            r#"{"login":"ok.name","display_name":"x","password":"short","grants":[]}"#,
            "weak_password",
            "password",
        ),
        (
            "/api/v1/users",
            r#"{"login":"坏","display_name":"x","password":"Start-2026","grants":[]}"#,
            "invalid_login",
            "login",
        ),
        (
            "/api/v1/users",
            r#"{"login":"ok.name","display_name":"x","password":"Start-2026","grants":[{"role":"king","node_id":1}]}"#,
            "invalid_role",
            "grants[0].role",
        ),
        (
            "/api/v1/users",
            r#"{"login":"ok.name","display_name":"x","password":"Start-2026","grants":[{"role":"resident","node_id":"a"}]}"#,
            "invalid_type",
            "grants[0].node_id",
        ),
        (
            "/api/v1/auth/login",
            r#"{"login":"admin"}"#,
            "missing_field",
            "password",
        ),
        (
            "/api/v1/auth/login",
            r#"{"login":5,"password":"x"}"#,
            "invalid_type",
            "login",
        ),
    ];
    for (uri, body, code, field) in cases {
        let before = snapshot(&app).await;
        let r = app.api("POST", uri, Some(&token), Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{uri} {body}: {}",
            r.text()
        );
        let j = r.json();
        assert_eq!(j["code"], *code, "{uri} {body}");
        assert_eq!(j["details"]["field"], *field, "{uri} {body}");
        let msg = j["message"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message in Chinese: {msg}"
        );
        assert_eq!(snapshot(&app).await, before, "{uri} {body} wrote something");
    }
    let _ = t;
}

#[tokio::test]
async fn a_taken_code_is_a_409_naming_the_field_and_writes_nothing() {
    let app = TestApp::new().await;
    town(&app).await;
    let token = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let before = snapshot(&app).await;
    let r = app
        .api(
            "POST",
            "/api/v1/nodes",
            Some(&token),
            Some(r#"{"parent_id":1,"kind":"district","code":"371722","name":"又一个单县"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["details"]["field"], "code");
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn a_kind_that_does_not_fit_under_its_parent_is_refused() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let r = app
        .api(
            "POST",
            "/api/v1/nodes",
            Some(&token),
            Some(&format!(
                r#"{{"parent_id":{},"kind":"street","code":"X","name":"x"}}"#,
                t.a
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "invalid_parent");
}

#[tokio::test]
async fn bad_ids_and_query_values_are_400_and_unknown_endpoints_404_with_the_envelope() {
    let app = TestApp::new().await;
    let token = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let r = app.get("/api/v1/nodes/abc", &token).await;
    assert_eq!(
        (r.status, r.json()["details"]["field"].clone()),
        (StatusCode::BAD_REQUEST, "id".into())
    );
    let r = app.get("/api/v1/nodes?parent_id=x", &token).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["details"]["field"], "parent_id");
    let r = app.get("/api/v1/audit?from=2026-13-01", &token).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, "invalid_date".into())
    );
    let r = app.get("/api/v1/nothing-here", &token).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::NOT_FOUND, "no_such_endpoint".into())
    );
}

#[tokio::test]
async fn a_cookie_session_cannot_write_through_the_api_without_the_csrf_header() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let cookies = crate::pages::sign_in(&app, "admin").await;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/nodes")
        .header("cookie", cookies.join("; "))
        .body(axum::body::Body::from(
            r#"{"parent_id":1,"kind":"district","code":"1","name":"x"}"#,
        ))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "csrf_failed");
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = TestApp::new().await;
    let r = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/nodes",
        "/api/v1/nodes/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/audit",
        "/api/v1/audit/export.xlsx",
        "/api/v1/me/password",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing from OpenAPI");
    }
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
}
