//! More of the loop over the API: auto-dispatch by routing rule, duplicates and merging,
//! suspension stopping the clock, photos, and the inbox.

use crate::common::*;
use crate::requests::{act, setup, submit};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

async fn ok(app: &TestApp, token: &str, id: i64, body: serde_json::Value) -> serde_json::Value {
    let r = act(app, token, id, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// A district admin's routing rule sending the loop's category straight to its department;
/// the admin's token.
pub async fn auto_dispatch_to_department(app: &TestApp, l: &crate::requests::Loop) -> String {
    let admin = app
        .token_for(
            "quadmin",
            jiceng_core::role::Role::DistrictAdmin,
            l.district,
        )
        .await;
    let body = json!({"category_id": l.category, "node_id": l.district, "lead_org_id": l.dept_id, "auto_dispatch": true});
    let r = app
        .api(
            "POST",
            "/api/v1/routing-rules",
            Some(&admin),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    admin
}

#[tokio::test]
async fn an_auto_dispatch_rule_sends_a_new_request_straight_to_its_department() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let district = l.district;
    let admin = auto_dispatch_to_department(&app, &l).await;
    let id = submit(&app, &l).await;
    let d = app
        .get(&format!("/api/v1/requests/{id}"), &l.dept)
        .await
        .json();
    assert_eq!(d["request"]["status"], "dispatched");
    assert_eq!(d["request"]["lead_org_id"], l.dept_id);
    let steps: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["submit", "accept", "dispatch"]);
    // A rule for auto-dispatch without a unit is refused.
    let bad = json!({"node_id": district, "auto_dispatch": true});
    let r = app
        .api(
            "POST",
            "/api/v1/routing-rules",
            Some(&admin),
            Some(&bad.to_string()),
        )
        .await;
    assert_eq!(r.json()["code"], "missing_lead_unit");
}

#[tokio::test]
async fn a_duplicate_is_suggested_and_merged_into_the_first_request() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let first = submit(&app, &l).await;
    let second = submit(&app, &l).await;
    let uri = format!(
        "/api/v1/requests/duplicates?category_id={}&place_node_id={}&except={second}",
        l.category, l.grid
    );
    let dupes = app.get(&uri, &l.desk).await.json();
    assert_eq!(dupes.as_array().unwrap().len(), 1);
    assert_eq!(dupes[0]["id"], first);
    let d = ok(
        &app,
        &l.desk,
        second,
        json!({"action": "merge", "merge_into": first}),
    )
    .await;
    assert_eq!(d["request"]["status"], "merged");
    assert_eq!(d["request"]["merged_into_id"], first);
    let target = app
        .get(&format!("/api/v1/requests/{first}"), &l.desk)
        .await
        .json();
    let last = target["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "merged_in");
    let r = act(
        &app,
        &l.desk,
        first,
        json!({"action": "merge", "merge_into": first}),
    )
    .await;
    assert_eq!(r.json()["code"], "invalid_merge");
}

#[tokio::test]
async fn suspension_stops_the_clock_and_resuming_moves_the_deadline_by_the_time_lost() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    ok(&app, &l.desk, id, json!({"action": "accept"})).await;
    ok(
        &app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    let d = ok(&app, &l.dept, id, json!({"action": "claim"})).await;
    assert_eq!(d["request"]["due_at"], "2026-10-09T09:30:00Z");
    // Thu 8 Oct 09:00–11:00 Beijing time suspended: two working hours lost.
    app.clock.advance(chrono::Duration::hours(7 * 24 + 16));
    let r = act(&app, &l.desk, id, json!({"action": "suspend"})).await;
    assert_eq!(r.json()["code"], "missing_reason");
    let d = ok(
        &app,
        &l.desk,
        id,
        json!({"action": "suspend", "note": "等待业主配合入户"}),
    )
    .await;
    assert_eq!(
        (
            d["request"]["status"].as_str(),
            d["request"]["light"].as_str()
        ),
        (Some("suspended"), None)
    );
    app.clock.advance(chrono::Duration::hours(2));
    let d = ok(&app, &l.desk, id, json!({"action": "resume"})).await;
    assert_eq!(d["request"]["status"], "in_progress");
    // Fri 9 Oct 17:30 + 2 working hours = Sat 10 Oct (a make-up working day) 10:30.
    assert_eq!(d["request"]["due_at"], "2026-10-10T02:30:00Z");
}

#[tokio::test]
async fn photos_are_checked_by_their_bytes_and_shown_to_whoever_sees_the_request() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let send = |token: &str, bytes: Vec<u8>| {
        Request::builder()
            .method("POST")
            .uri(format!("/api/v1/requests/{id}/photos"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "image/png")
            .body(Body::from(bytes))
            .unwrap()
    };
    let r = app.send(send(&l.resident, png.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let photo = r.json()["id"].as_i64().unwrap();
    let r = app
        .send(send(&l.resident, b"<html>not an image</html>".to_vec()))
        .await;
    assert_eq!(r.json()["code"], "invalid_photo");
    let r = app.send(send(&l.desk, png.clone())).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step"))
    );
    let got = app
        .get(&format!("/api/v1/requests/{id}/photos/{photo}"), &l.desk)
        .await;
    assert_eq!((got.status, got.body.clone()), (StatusCode::OK, png));
    assert_eq!(got.headers[header::CONTENT_TYPE], "image/png");
    let hidden = app
        .get(
            &format!("/api/v1/requests/{id}/photos/{photo}"),
            &l.other_dept,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_inbox_tells_each_party_what_is_theirs_to_do() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let desk = app.get("/api/v1/notifications", &l.desk).await.json();
    assert_eq!(desk["unread"], 1);
    assert!(
        desk["items"][0]["message"]
            .as_str()
            .unwrap()
            .contains("新诉求")
    );
    ok(&app, &l.desk, id, json!({"action": "accept"})).await;
    ok(
        &app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    let dept = app.get("/api/v1/notifications", &l.dept).await.json();
    assert_eq!(dept["unread"], 1);
    assert_eq!(dept["items"][0]["request_id"], id);
    let up_to = dept["items"][0]["id"].as_i64().unwrap();
    let r = app
        .api(
            "POST",
            "/api/v1/notifications/seen",
            Some(&l.dept),
            Some(&json!({"up_to": up_to}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/notifications", &l.dept).await.json()["unread"],
        0
    );
    assert_eq!(
        app.get("/api/v1/notifications", &l.other_dept).await.json()["unread"],
        0
    );
}

/// Creates arriving together are written as one batch (on SQLite their rows go in one call,
/// `Tx::insert_held`): each still gets its own request, timeline and counters.
#[tokio::test]
async fn requests_submitted_at_the_same_moment_each_get_their_own_record() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    // Half of them through an auto-dispatch rule (a longer write of another shape).
    let admin = auto_dispatch_to_department(&app, &l).await;
    let other = jiceng_store::requests::categories::list(&app.db, true)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id != l.category && c.questions.is_empty())
        .map(|c| c.id)
        .expect("a category without questions");
    let (batches_before, alone_before) = jiceng_store::held_sends();
    let submits = (0..40).map(|i| {
        let body = json!({
            "category_id": if i % 2 == 0 { l.category } else { other },
            "place_node_id": l.grid,
            "description": format!("第{i}号：楼道灯不亮，夜里看不清"),
            "answers": if i % 2 == 0 { json!({"depth": "没过脚踝"}) } else { json!({}) },
        })
        .to_string();
        let (app, token) = (&app, &l.resident);
        async move {
            app.api("POST", "/api/v1/requests", Some(token), Some(&body))
                .await
        }
    });
    let answers = futures_util::future::join_all(submits).await;
    let mut ids = Vec::new();
    for (i, r) in answers.into_iter().enumerate() {
        assert_eq!(r.status, StatusCode::CREATED, "{i}: {}", r.text());
        let a = r.json();
        let status = if i % 2 == 0 {
            "dispatched"
        } else {
            "submitted"
        };
        assert_eq!(a["status"], status, "{i}");
        ids.push((i, a["id"].as_i64().unwrap()));
    }
    for (i, id) in &ids {
        let d = app
            .get(&format!("/api/v1/requests/{id}"), &admin)
            .await
            .json();
        assert_eq!(
            d["request"]["description"],
            format!("第{i}号：楼道灯不亮，夜里看不清")
        );
        let steps = d["timeline"].as_array().unwrap().len();
        assert_eq!(steps, if i % 2 == 0 { 3 } else { 1 }, "{i}: {d}");
    }
    let listed = app.get("/api/v1/requests?page_size=1", &admin).await.json();
    assert_eq!(listed["total"], 40);
    crate::requests::assert_recounted(&app).await;
    // No batch failed, so no write was sent again alone: the merged rows were right.
    let (batches, alone) = jiceng_store::held_sends();
    assert_eq!(alone, alone_before);
    if app.db.engine() == jiceng_store::Engine::Sqlite {
        assert!(batches > batches_before, "the creates went as batches");
    }
}
