//! The request loop over the JSON API: the whole loop with a reopening, deadlines on the real
//! calendar, and every kind of bad step refused with nothing changed.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::orgs::{self, NewOrganisation};
use jiceng_store::requests::categories;
use jiceng_store::users;
use serde_json::Value;

pub struct Loop {
    pub district: i64,
    pub street: i64,
    pub community: i64,
    pub grid: i64,
    pub category: i64,
    pub resident: String,
    pub desk: String,
    pub dept: String,
    pub other_dept: String,
    pub dept_id: i64,
    pub other_dept_id: i64,
}

pub async fn department(app: &TestApp, name: &str, home: i64, login: &str) -> (i64, String) {
    let org = orgs::create_organisation(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        NewOrganisation {
            kind: OrgKind::Department,
            name: name.into(),
            home_node_id: home,
            credit_code: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            serves: vec![],
        },
    )
    .await
    .unwrap();
    let uid = app.user(login, Role::DepartmentStaff, home).await;
    users::set_organisation(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        uid,
        Some(org.id),
    )
    .await
    .unwrap();
    (org.id, app.login(login).await)
}

pub async fn setup(app: &TestApp) -> Loop {
    let t = town(app).await;
    let grid = app
        .node(t.a, NodeKind::Grid, "371722001001G01", "第一网格")
        .await;
    categories::seed_if_empty(&app.db, &app.actor())
        .await
        .unwrap();
    let category = categories::list(&app.db, true)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "路面积水")
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("路面积水 is in the shipped catalogue"));
    let (dept_id, dept) = department(app, "单县综合行政执法局", t.district, "chengguan").await;
    let (other_dept_id, other_dept) =
        department(app, "单县市场监督管理局", t.district, "scjg").await;
    Loop {
        district: t.district,
        street: t.street,
        community: t.a,
        grid,
        category,
        resident: app.token_for("jumin", Role::Resident, t.a).await,
        desk: app.token_for("paidan", Role::Dispatcher, t.street).await,
        dept,
        other_dept,
        dept_id,
        other_dept_id,
    }
}

/// A desk's queue as `token` sees it: its total and the first request's id.
pub async fn queue(app: &TestApp, token: &str) -> (Option<i64>, Option<i64>) {
    let q = app.get("/api/v1/requests?view=queue", token).await.json();
    (q["total"].as_i64(), q["items"][0]["id"].as_i64())
}

/// The dashboard counters equal a recount of the records.
pub async fn assert_recounted(app: &TestApp) {
    let differences = jiceng_store::requests::figures::recount(&app.db)
        .await
        .unwrap();
    assert!(differences.is_empty(), "{differences:?}");
}

pub async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> Resp {
    app.api(
        "POST",
        &format!("/api/v1/requests/{id}/actions"),
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

pub async fn ok(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let r = act(app, token, id, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

pub async fn submit(app: &TestApp, l: &Loop) -> i64 {
    let body = serde_json::json!({
        "category_id": l.category, "place_node_id": l.grid,
        "description": "小区门口路面积水严重，老人出行不便",
        "answers": {"depth": "没过脚踝"},
    });
    submit_as(app, &l.resident, &body).await
}

/// Submits `body` as the holder of `token`; the new request's id.
pub async fn submit_as(app: &TestApp, token: &str, body: &Value) -> i64 {
    let r = app
        .api(
            "POST",
            "/api/v1/requests",
            Some(token),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_dissatisfied_rating_reopens_to_the_department_and_the_timeline_keeps_every_step() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    use serde_json::json;
    ok(&app, &l.desk, id, json!({"action": "accept"})).await;
    let d = ok(
        &app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    assert_eq!(d["request"]["status"], "dispatched");
    let inbox = app.get("/api/v1/requests?view=inbox", &l.dept).await.json();
    assert_eq!(inbox["total"], 1);
    ok(&app, &l.dept, id, json!({"action": "claim"})).await;
    ok(
        &app,
        &l.dept,
        id,
        json!({"action": "resolve", "note": "已疏通雨水口"}),
    )
    .await;
    ok(&app, &l.desk, id, json!({"action": "verify"})).await;
    let d = ok(
        &app,
        &l.resident,
        id,
        json!({"action": "rate", "rating": "dissatisfied"}),
    )
    .await;
    assert_eq!(d["request"]["status"], "in_progress");
    assert_eq!(d["request"]["reopen_count"], 1);
    let inbox = app.get("/api/v1/requests?view=inbox", &l.dept).await.json();
    assert_eq!(inbox["total"], 1, "reopened back in the department's inbox");
    ok(
        &app,
        &l.dept,
        id,
        json!({"action": "resolve", "note": "重新铺设路面并加装排水"}),
    )
    .await;
    ok(&app, &l.desk, id, json!({"action": "verify"})).await;
    let d = ok(
        &app,
        &l.resident,
        id,
        json!({"action": "rate", "rating": "satisfied"}),
    )
    .await;
    assert_eq!(d["request"]["status"], "closed");
    assert_eq!(d["request"]["rating"], "satisfied");
    let steps: Vec<(String, String)> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["actor_name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("submit", "jumin 同志"),
        ("accept", "paidan 同志"),
        ("dispatch", "paidan 同志"),
        ("claim", "chengguan 同志"),
        ("resolve", "chengguan 同志"),
        ("verify", "paidan 同志"),
        ("rate", "jumin 同志"),
        ("resolve", "chengguan 同志"),
        ("verify", "paidan 同志"),
        ("rate", "jumin 同志"),
    ];
    let got: Vec<(&str, &str)> = steps
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(got, want);
    assert!(app.count("audit_log").await > 10);
}

#[tokio::test]
async fn a_general_request_accepted_on_the_last_working_day_before_national_day_is_due_on_9_october()
 {
    // The test clock stands at Wed 30 Sep 2026 17:00 in Beijing.
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    use serde_json::json;
    let d = ok(&app, &l.desk, id, json!({"action": "accept"})).await;
    // Dispatching has 2 working hours: 30 min left on Wednesday, the rest on Thu 8 Oct.
    assert_eq!(d["request"]["due_at"], "2026-10-08T02:00:00Z");
    ok(
        &app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    let d = ok(&app, &l.dept, id, json!({"action": "claim"})).await;
    // 2 working days from acceptance: Thu 8 and Fri 9 Oct, due at 17:30 Beijing time.
    assert_eq!(d["request"]["due_at"], "2026-10-09T09:30:00Z");
    assert_eq!(d["request"]["light"], "green");
    let d = ok(
        &app,
        &l.dept,
        id,
        json!({"action": "request_extension", "days": 1, "note": "需协调供水公司"}),
    )
    .await;
    assert_eq!(d["request"]["extension_pending_days"], 1);
    let d = ok(&app, &l.desk, id, json!({"action": "approve_extension"})).await;
    // One more working day: Sat 10 Oct is a make-up working day.
    assert_eq!(d["request"]["due_at"], "2026-10-10T09:30:00Z");
}

async fn status_and_events(app: &TestApp, token: &str, id: i64) -> (String, usize) {
    let d = app
        .get(&format!("/api/v1/requests/{id}"), token)
        .await
        .json();
    (
        d["request"]["status"].as_str().unwrap().to_owned(),
        d["timeline"].as_array().unwrap().len(),
    )
}

#[tokio::test]
async fn bad_steps_get_a_code_and_a_chinese_message_and_change_nothing() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    use serde_json::json;
    let post = |token: String, body: Value| {
        let app = &app;
        async move {
            app.api(
                "POST",
                "/api/v1/requests",
                Some(&token),
                Some(&body.to_string()),
            )
            .await
        }
    };
    let before = app.count("requests").await;
    let r = post(l.resident.clone(), json!({"category_id": 999_999, "place_node_id": l.grid, "description": "路灯坏了很久没人修"})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_category"))
    );
    assert!(r.json()["message"].as_str().unwrap().contains("分类"));
    let r = post(l.desk.clone(), json!({"category_id": l.category, "description": "群众来电反映路面积水", "channel": "hotline", "requester_name": "张三", "answers": {"depth": "没过小腿"}})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_location"))
    );
    assert_eq!(r.json()["details"]["field"], "place_node_id");
    assert_eq!(app.count("requests").await, before, "nothing written");

    let id = submit(&app, &l).await;
    let (status, events) = status_and_events(&app, &l.desk, id).await;
    let r = act(
        &app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_not_allowed"))
    );
    assert!(r.json()["message"].as_str().unwrap().contains("待受理"));
    let r = act(&app, &l.resident, id, json!({"action": "accept"})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step"))
    );
    let r = act(&app, &l.desk, id, json!({"action": "fly"})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_action"))
    );
    let r = act(&app, &l.desk, id, json!({"action": "decline"})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_reason"))
    );
    assert_eq!(
        status_and_events(&app, &l.desk, id).await,
        (status.clone(), events)
    );

    ok(&app, &l.desk, id, json!({"action": "accept"})).await;
    ok(
        &app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    let (status, events) = status_and_events(&app, &l.desk, id).await;
    // A department the request was not dispatched to cannot see it, let alone claim it.
    let r = act(&app, &l.other_dept, id, json!({"action": "claim"})).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/requests/{id}"), &l.other_dept)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = act(&app, &l.dept, id, json!({"action": "return"})).await;
    assert_eq!(r.json()["code"], "missing_reason");
    assert_eq!(status_and_events(&app, &l.desk, id).await, (status, events));
    // Returned with a reason, it is back in the desk's queue.
    ok(
        &app,
        &l.dept,
        id,
        json!({"action": "return", "note": "不属于本部门职责"}),
    )
    .await;
    let q = app.get("/api/v1/requests?view=queue", &l.desk).await.json();
    assert_eq!(
        (q["total"].as_i64(), q["items"][0]["status"].as_str()),
        (Some(1), Some("returned"))
    );
    let r = app.get("/api/v1/requests?light=purple", &l.desk).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_light"))
    );
}

#[tokio::test]
async fn residents_see_only_their_own_requests_and_staff_see_their_area() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let other = app.token_for("jumin2", Role::Resident, l.grid).await;
    assert_eq!(
        app.get(&format!("/api/v1/requests/{id}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/requests", &other).await.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/requests?view=mine", &l.resident)
            .await
            .json()["total"],
        1
    );
    // A call the desk records for a caller (热线代办) has no requester of its own: it is among
    // the desk's own, and not the resident's.
    let call = serde_json::json!({
        "category_id": l.category, "place_node_id": l.grid, "channel": "hotline",
        "requester_name": "张三", "description": "群众来电反映路面积水",
        "answers": {"depth": "没过小腿"},
    });
    let id = submit_as(&app, &l.desk, &call).await;
    let mine = app.get("/api/v1/requests?view=mine", &l.desk).await.json();
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["id"], id, "{mine}");
    assert_eq!(
        app.get("/api/v1/requests?view=mine", &l.resident)
            .await
            .json()["total"],
        1
    );
    let grid_worker = app.token_for("wangge", Role::GridWorker, l.grid).await;
    // Both are in the grid worker's grid.
    assert_eq!(
        app.get("/api/v1/requests", &grid_worker).await.json()["total"],
        2
    );
    let x = app.get("/api/v1/requests/export.xlsx", &l.desk).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"), "an xlsx file");
}
