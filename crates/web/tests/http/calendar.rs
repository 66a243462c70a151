//! The working-day calendar over HTTP.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::role::Role;

#[tokio::test]
async fn any_signed_in_user_reads_a_covered_year_day_by_day() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("cw.cal", Role::CommunityWorker, t.a).await;

    let r = app.get("/api/v1/calendar/2026", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["year"], 2026);
    assert!(body["notice"].as_str().unwrap().contains("2026"));
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 365);
    let kind = |date: &str| {
        days.iter()
            .find(|d| d["date"] == date)
            .map(|d| d["kind"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(kind("2026-01-01"), "holiday");
    assert_eq!(kind("2026-01-04"), "makeup_workday");
    assert_eq!(kind("2026-09-30"), "workday");
    assert_eq!(kind("2026-10-10"), "makeup_workday");
    assert_eq!(kind("2026-10-11"), "weekend");
    let holidays = days.iter().filter(|d| d["kind"] == "holiday").count();
    assert_eq!(holidays, 33);

    let r = app.get("/api/v1/calendar/2024", &token).await;
    assert_eq!(r.json()["days"].as_array().unwrap().len(), 366);
}

#[tokio::test]
async fn a_year_not_covered_is_a_404_envelope_and_strangers_are_refused() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("cw.cal2", Role::CommunityWorker, t.a).await;
    for year in ["2099", "abc"] {
        let r = app.get(&format!("/api/v1/calendar/{year}"), &token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{year}");
        let e = r.json();
        assert_eq!(e["code"], "calendar_year_not_covered");
        assert_eq!(e["details"]["field"], "year");
    }
    let r = app.api("GET", "/api/v1/calendar/2026", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    assert!(doc["paths"].get("/api/v1/calendar/{year}").is_some());
}
