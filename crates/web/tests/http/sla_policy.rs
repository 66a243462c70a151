//! The time limits page and API (办理时限), and what the reopen limit does to the loop: a 不满意
//! reopens a request as often as the policy allows, and the next one closes it as rated.

use crate::common::*;
use crate::history_inbox::heard;
use crate::pages::sign_in;
use crate::rates::satisfaction;
use crate::requests::{Loop, ok, setup, submit};
use crate::setup_pages::{followed, post};
use axum::http::StatusCode;
use jiceng_core::role::Role;
use serde_json::{Value, json};

/// Dispatched to the department, claimed, resolved and verified: waiting for its rating.
async fn to_rating(app: &TestApp, l: &Loop, id: i64) {
    ok(app, &l.desk, id, json!({"action": "accept"})).await;
    let to = json!({"action": "dispatch", "lead_org_id": l.dept_id});
    ok(app, &l.desk, id, to).await;
    ok(app, &l.dept, id, json!({"action": "claim"})).await;
    handled_again(app, l, id).await;
}

async fn handled_again(app: &TestApp, l: &Loop, id: i64) {
    let done = json!({"action": "resolve", "note": "已清理积水"});
    ok(app, &l.dept, id, done).await;
    ok(app, &l.desk, id, json!({"action": "verify"})).await;
}

async fn rate(app: &TestApp, l: &Loop, id: i64, rating: &str) -> Value {
    let body = json!({"action": "rate", "rating": rating});
    ok(app, &l.resident, id, body).await["request"].clone()
}

#[tokio::test]
async fn dissatisfied_again_after_the_one_reopening_closes_the_request_as_rated() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    to_rating(&app, &l, id).await;
    let jar = sign_in(&app, "jumin").await;
    let page = get_ok(&app, &jar, &format!("/requests/{id}")).await;
    assert!(page.contains("诉求将退回承办单位重新办理"), "{page}");
    let r = rate(&app, &l, id, "dissatisfied").await;
    assert_eq!(
        (r["status"].as_str(), r["reopen_count"].as_i64()),
        (Some("in_progress"), Some(1))
    );
    handled_again(&app, &l, id).await;
    // The resident is told before choosing that this rating closes the request.
    let page = get_ok(&app, &jar, &format!("/requests/{id}")).await;
    assert!(page.contains("本次评价后诉求即办结"), "{page}");
    let r = rate(&app, &l, id, "dissatisfied").await;
    assert_eq!(r["status"], "closed");
    assert_eq!(r["rating"], "dissatisfied");
    assert_eq!(r["reopen_count"], 1, "not reopened a second time");
    // The unit and the desk hear it closed against them; the rate counts it.
    assert_eq!(heard(&app, &l.dept, id).await[0].0, "closed_dissatisfied");
    assert_eq!(heard(&app, &l.desk, id).await[0].0, "closed_dissatisfied");
    let admin = app.token_for("quxian", Role::DistrictAdmin, l.district);
    let admin = admin.await;
    assert_eq!(satisfaction(&app, &admin, l.district).await, json!(0));
    let jar = sign_in(&app, "paidan").await;
    let page = get_ok(&app, &jar, &format!("/requests/{id}")).await;
    assert!(
        page.contains("重办后仍不满意，按不满意办结；已重办次数：1"),
        "{page}"
    );
    let inbox = get_ok(&app, &jar, "/notifications?kind=closed_dissatisfied").await;
    assert!(
        inbox.contains("群众仍不满意（已重办1次），按不满意办结"),
        "{inbox}"
    );
    crate::requests::assert_recounted(&app).await;
}

#[tokio::test]
async fn the_administrator_sets_the_limits_on_the_page_and_they_govern_the_next_steps() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    app.user("quadmin", Role::DistrictAdmin, l.district).await;
    let jar = sign_in(&app, "quadmin").await;
    let page = get_ok(&app, &jar, "/settings/sla").await;
    assert!(
        page.contains(r#"name="resolve_days.major" value="10""#),
        "{page}"
    );
    assert!(page.contains("重大诉求（工作日）"), "{page}");
    let mut english = jar.clone();
    english.push("jiceng_lang=en".into());
    let page = get_ok(&app, &english, "/settings/sla").await;
    assert!(page.contains("Major (working days)"), "{page}");
    // A figure out of bounds comes back beside its field, with the rest as typed.
    let mut fields = vec![
        ("accept_hours", "4"),
        ("dispatch_hours", "2"),
        ("claim_hours", "8"),
        ("resolve_days.general", "5"),
        ("resolve_days.important", "7"),
        ("resolve_days.major", "61"),
        ("reopen_limit", "0"),
    ];
    let r = post(&app, &jar, "/settings/sla", "/settings/sla", &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let text = r.text();
    assert!(
        text.contains("重大诉求办结时限须在1至60个工作日之间"),
        "{text}"
    );
    assert!(text.contains(r#"name="claim_hours" value="8""#), "{text}");
    fields[5].1 = "15";
    let r = post(&app, &jar, "/settings/sla", "/settings/sla", &fields).await;
    let page = followed(&app, &jar, r, "/settings/sla?saved").await;
    assert!(page.contains("已保存办理时限"), "{page}");
    assert!(
        page.contains(r#"name="resolve_days.major" value="15""#),
        "{page}"
    );
    let token = app.login("quadmin").await;
    let got = app.get("/api/v1/settings/sla-policy", &token).await.json();
    let want = json!({"accept_hours": 4, "dispatch_hours": 2, "claim_hours": 8,
        "resolve_days": {"general": 5, "important": 7, "major": 15}, "reopen_limit": 0});
    assert_eq!(got, want);
    // Logged at the installation's root, as every installation-wide setting is, and shown to
    // the county's auditor, whose scope is below the root.
    let auditor = app.token_for("shenji", Role::Auditor, l.district).await;
    let log = app.get("/api/v1/audit?object_type=setting", &auditor);
    let log = log.await.json();
    let e = &log["items"][0];
    let who = (e["object_id"].as_str(), e["actor_login"].as_str());
    assert_eq!(who, (Some("sla_policy"), Some("quadmin")));
    // With no reopening allowed, the first 不满意 closes; the new request was given 5 days.
    let id = submit(&app, &l).await;
    to_rating(&app, &l, id).await;
    let r = rate(&app, &l, id, "dissatisfied").await;
    assert_eq!(
        (r["status"].as_str(), r["reopen_count"].as_i64()),
        (Some("closed"), Some(0))
    );
    assert_eq!(r["resolve_days"], 5);
}

#[tokio::test]
async fn only_a_district_administrator_changes_the_limits_and_bad_bodies_are_named() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let body = json!({"accept_hours": 2, "dispatch_hours": 2, "claim_hours": 4,
        "resolve_days": {"general": 2, "important": 3, "major": 10}, "reopen_limit": 2});
    let put = async |token: &str, b: &Value| {
        let b = b.to_string();
        app.api("PUT", "/api/v1/settings/sla-policy", Some(token), Some(&b))
            .await
    };
    // Anyone signed in reads them; the desk may not change them, on the API or the page.
    let got = app.get("/api/v1/settings/sla-policy", &l.desk).await;
    assert_eq!(got.json()["reopen_limit"], 1);
    let r = put(&l.desk, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let jar = sign_in(&app, "paidan").await;
    let page = app.page("GET", "/settings/sla", &jar, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let admin = app
        .token_for("quxian", Role::DistrictAdmin, l.district)
        .await;
    let mut bad = body.clone();
    bad["resolve_days"]["general"] = json!(0);
    let r = put(&admin, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let e = r.json();
    assert_eq!(
        (e["code"].as_str(), e["details"]["field"].as_str()),
        (Some("out_of_range"), Some("resolve_days.general")),
        "{e}"
    );
    let mut unknown = body.clone();
    unknown["resolve_hours"] = json!(3);
    let r = put(&admin, &unknown).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = put(&admin, &json!({"accept_hours": 2})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    // Nothing half-written: the refused bodies left the default.
    assert_eq!(
        app.get("/api/v1/settings/sla-policy", &admin).await.json()["reopen_limit"],
        1
    );
    let r = put(&admin, &body).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        app.get("/api/v1/settings/sla-policy", &admin).await.json(),
        body
    );
}
