//! The inbox a loaded history leaves (`history_notifications::derive`): each party hears of the
//! recent steps as the live loop would have told them, worded the same, newest first, and of
//! nothing before the cut.

use crate::common::*;
use crate::list_streams::{Spot, node, past};
use crate::requests::{Loop, act, setup, submit};
use chrono::{DateTime, Duration, Utc};
use jiceng_core::requests::{Rating, Status};
use jiceng_store::requests::history::{self, PastEvent, PastRequest};
use jiceng_store::requests::history_notifications;
use serde_json::json;

/// The kinds and messages of `token`'s notices about request `id`, newest first, the id
/// written as `#ID`.
pub async fn heard(app: &TestApp, token: &str, id: i64) -> Vec<(String, String)> {
    let inbox = app.get("/api/v1/notifications", token).await.json();
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["request_id"] == id)
        .map(|n| {
            let msg = n["message"].as_str().unwrap();
            (
                n["kind"].as_str().unwrap().to_owned(),
                msg.replace(&format!("#{id}"), "#ID"),
            )
        })
        .collect()
}

/// A request submitted at `at` by the resident and taken to closed over the next hours, as the
/// history records it.
async fn closed_at(app: &TestApp, l: &Loop, resident: i64, at: DateTime<Utc>) -> PastRequest {
    let street = node(app, l.street).await;
    let grid = node(app, l.grid).await;
    let spot = Spot {
        id: grid.id,
        path: grid.path.clone(),
    };
    let mut p = past(
        3,
        l.category,
        &spot,
        &street.path,
        Some(l.dept_id),
        None,
        at,
    );
    let step = |h: i64, action: &'static str, from: Option<Status>, to: Status| PastEvent {
        at: at + Duration::hours(h),
        actor_user_id: None,
        actor_name: "历史".into(),
        actor_unit: String::new(),
        action,
        from,
        to: Some(to),
        note: "已处理".into(),
    };
    use Status::*;
    p.requester_user_id = Some(resident);
    p.submitted_at = at;
    p.status = Closed;
    p.rating = Some(Rating::Satisfied);
    p.events = vec![
        step(0, "submit", None, Submitted),
        step(1, "accept", Some(Submitted), Accepted),
        step(2, "dispatch", Some(Accepted), Dispatched),
        step(3, "claim", Some(Dispatched), Claimed),
        step(4, "resolve", Some(Claimed), Resolved),
        step(5, "verify", Some(Resolved), Verified),
        step(6, "rate", Some(Verified), Closed),
    ];
    p
}

#[tokio::test]
async fn a_loaded_history_leaves_each_party_the_notices_the_live_loop_would_have() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    // The live loop, for its wording.
    let live = submit(&app, &l).await;
    for (token, body) in [
        (&l.desk, json!({"action": "accept"})),
        (
            &l.desk,
            json!({"action": "dispatch", "lead_org_id": l.dept_id}),
        ),
        (&l.dept, json!({"action": "claim"})),
        (&l.dept, json!({"action": "resolve", "note": "已疏通"})),
        (&l.desk, json!({"action": "verify"})),
    ] {
        let r = act(&app, token, live, body).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text());
    }
    // The resident's account: the live request's requester.
    let resident = {
        use sea_query::{Alias, Expr, ExprTrait, Query};
        let q = Query::select()
            .column(Alias::new("requester_user_id"))
            .from(Alias::new("requests"))
            .and_where(Expr::col(Alias::new("id")).eq(live))
            .to_owned();
        app.db.scalar(&q).await.unwrap()
    };
    let now = jiceng_core::clock::Clock::now(&app.clock);
    let recent = closed_at(&app, &l, resident, now - Duration::days(3)).await;
    let old = closed_at(&app, &l, resident, now - Duration::days(40)).await;
    let ids = history::insert(&app.db, &app.actor(), &[old, recent])
        .await
        .unwrap();
    let since = now - Duration::days(30);
    let written = history_notifications::derive(&app.db, &app.actor(), since)
        .await
        .unwrap();
    // The recent request's submit, dispatch, resolve and verify; a satisfied rating tells no
    // one, and the older request is before the cut.
    assert_eq!(written, 4);
    let again = history_notifications::derive(&app.db, &app.actor(), since).await;
    assert_eq!(again.unwrap(), 0, "requests already told of are left alone");
    let (old, recent) = (ids[0], ids[1]);
    for token in [&l.desk, &l.dept, &l.resident] {
        assert_eq!(
            heard(&app, token, old).await,
            vec![],
            "nothing before the cut"
        );
        assert_eq!(
            heard(&app, token, recent).await,
            heard(&app, token, live).await,
            "the same notices, worded the same, in the same order"
        );
    }
    let desk: Vec<String> = heard(&app, &l.desk, recent)
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    assert_eq!(desk, ["resolved", "new_request"]);
    assert_eq!(heard(&app, &l.dept, recent).await[0].0, "dispatched");
    assert_eq!(heard(&app, &l.resident, recent).await[0].0, "rate");
}

#[tokio::test]
async fn a_loaded_request_closed_dissatisfied_tells_the_unit_and_the_desk() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let resident = app
        .user("jumin2", jiceng_core::role::Role::Resident, l.community)
        .await;
    let now = jiceng_core::clock::Clock::now(&app.clock);
    let mut p = closed_at(&app, &l, resident, now - Duration::days(5)).await;
    // Rated 不满意, handled again, and 不满意 again: closed as rated.
    let at = p.submitted_at;
    let again = |h: i64, action: &'static str, from: Status, to: Status| PastEvent {
        at: at + Duration::hours(h),
        actor_user_id: None,
        actor_name: "历史".into(),
        actor_unit: String::new(),
        action,
        from: Some(from),
        to: Some(to),
        note: String::new(),
    };
    p.events.pop();
    p.events.extend([
        again(6, "rate", Status::Verified, Status::InProgress),
        again(7, "resolve", Status::InProgress, Status::Resolved),
        again(8, "verify", Status::Resolved, Status::Verified),
        again(9, "rate", Status::Verified, Status::Closed),
    ]);
    p.rating = Some(Rating::Dissatisfied);
    p.reopen_count = 1;
    let id = history::insert(&app.db, &app.actor(), &[p]).await.unwrap()[0];
    history_notifications::derive(&app.db, &app.actor(), now - Duration::days(30))
        .await
        .unwrap();
    let closed = "群众仍不满意（已重办1次），按不满意办结：诉求 #ID（路面积水）".to_owned();
    for token in [&l.desk, &l.dept] {
        let told = heard(&app, token, id).await;
        assert_eq!(told[0], ("closed_dissatisfied".to_owned(), closed.clone()));
    }
    let dept: Vec<String> = heard(&app, &l.dept, id)
        .await
        .into_iter()
        .map(|n| n.0)
        .collect();
    assert_eq!(dept, ["closed_dissatisfied", "reopened", "dispatched"]);
}
