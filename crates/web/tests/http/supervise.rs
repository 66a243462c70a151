//! 督办 and 分级响应 over the API: supervising presses the unit and is counted; a desk calls the
//! level above, which then holds the request; both show in the figures.

use crate::common::*;
use crate::requests::{act, assert_recounted, queue, setup, submit};
use axum::http::StatusCode;
use jiceng_core::role::Role;
use serde_json::json;

#[tokio::test]
async fn a_street_office_supervises_the_unit_and_the_figure_opens_the_request() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let office = app.token_for("jiedao", Role::StreetStaff, l.street).await;
    let r = act(
        &app,
        &office,
        id,
        json!({"action": "supervise", "note": "请尽快处理"}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_not_allowed")),
        "no unit holds it yet"
    );
    for (action, body) in [
        ("accept", json!({})),
        ("dispatch", json!({"lead_org_id": l.dept_id})),
    ] {
        let mut b = body.clone();
        b["action"] = json!(action);
        assert_eq!(act(&app, &l.desk, id, b).await.status, StatusCode::OK);
    }
    let r = act(&app, &office, id, json!({"action": "supervise"})).await;
    assert_eq!(r.json()["code"], "missing_note");
    let r = act(
        &app,
        &office,
        id,
        json!({"action": "supervise", "note": "群众反映强烈，请今日答复"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(
        d["request"]["status"], "dispatched",
        "supervising keeps the state"
    );
    assert_eq!(
        d["timeline"].as_array().unwrap().last().unwrap()["action"],
        "supervise"
    );
    let inbox = app.get("/api/v1/notifications", &l.dept).await.json();
    assert!(
        inbox["items"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("督办")
    );
    let community = app
        .token_for("shequ", Role::CommunityWorker, l.community)
        .await;
    let r = act(
        &app,
        &community,
        id,
        json!({"action": "supervise", "note": "催办"}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step"))
    );
    let admin = app
        .token_for("quxian", Role::DistrictAdmin, l.district)
        .await;
    let rates = app
        .get(&format!("/api/v1/rates?node_id={}", l.district), &admin)
        .await
        .json();
    let f = rates["total"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["metric"] == "supervised")
        .unwrap()
        .clone();
    assert_eq!(f["value"], 1);
    let list = app.get(f["list"].as_str().unwrap(), &admin).await.json();
    assert_eq!(
        (list["total"].as_i64(), list["items"][0]["id"].as_i64()),
        (Some(1), Some(id))
    );
}

#[tokio::test]
async fn a_street_desk_calls_the_district_which_then_holds_the_request_and_cannot_call_higher() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let r = act(&app, &l.desk, id, json!({"action": "escalate"})).await;
    assert_eq!(r.json()["code"], "missing_reason");
    let r = act(
        &app,
        &l.desk,
        id,
        json!({"action": "escalate", "note": "涉及多个部门，需区级协调"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["request"]["status"], "submitted");
    assert!(
        !d["parties"].as_array().unwrap().contains(&json!("desk")),
        "the street desk let it go"
    );
    let county = app
        .token_for("quzhongxin", Role::Dispatcher, l.district)
        .await;
    assert_eq!(queue(&app, &county).await, (Some(1), Some(id)));
    assert_eq!(queue(&app, &l.desk).await.0, Some(0));
    let inbox = app.get("/api/v1/notifications", &county).await.json();
    assert!(
        inbox["items"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("下级呼叫")
    );
    let r = act(
        &app,
        &county,
        id,
        json!({"action": "escalate", "note": "再上报"}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("no_higher_level"))
    );
    let r = act(&app, &county, id, json!({"action": "accept"})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_recounted(&app).await;
}

#[tokio::test]
async fn a_community_level_rule_sends_requests_to_the_community_which_calls_the_street() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let admin = app
        .token_for("quguanli", Role::DistrictAdmin, l.district)
        .await;
    let rule = |body: serde_json::Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.api(
                "POST",
                "/api/v1/routing-rules",
                Some(&admin),
                Some(&body.to_string()),
            )
            .await
        }
    };
    // A level requests cannot go to, or a level beside a named desk, is refused.
    let r = rule(json!({"node_id": l.district, "desk_level": "grid"})).await;
    assert_eq!(
        (
            r.status,
            r.json()["code"].as_str(),
            r.json()["details"]["field"].as_str()
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_desk_level"),
            Some("desk_level")
        )
    );
    let r =
        rule(json!({"node_id": l.district, "desk_level": "community", "desk_node_id": l.street}))
            .await;
    assert_eq!(r.json()["code"], "desk_conflict");
    let r =
        rule(json!({"category_id": l.category, "node_id": l.district, "desk_level": "community"}))
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["desk_level"], "community");

    let id = submit(&app, &l).await;
    let community = app
        .token_for("shequpaidan", Role::CommunityWorker, l.community)
        .await;
    assert_eq!(
        queue(&app, &community).await,
        (Some(1), Some(id)),
        "the community where it happened receives it"
    );
    // It cannot settle it: it calls the street, which then holds it (the street's queue held
    // it before too: a desk sees the desks below it, so nothing waits unseen where a
    // community runs no desk).
    let r = act(
        &app,
        &community,
        id,
        json!({"action": "escalate", "note": "积水涉及市政管网，社区无法处置"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        !r.json()["parties"]
            .as_array()
            .unwrap()
            .contains(&json!("desk")),
        "the community let it go"
    );
    assert_eq!(queue(&app, &community).await.0, Some(0));
    assert_eq!(queue(&app, &l.desk).await, (Some(1), Some(id)));
    assert_recounted(&app).await;
}

#[tokio::test]
async fn on_the_request_page_calling_up_and_supervising_ask_for_their_reason() {
    use crate::pages::{csrf_of, sign_in};
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let at = format!("/requests/{id}");
    let post = |jar: Vec<String>, fields: &'static str| {
        let (app, at) = (&app, at.clone());
        async move {
            let page = app.page("GET", &at, &jar, None).await.text();
            let body = format!("_csrf={}&{fields}", csrf_of(&page));
            app.page("POST", &format!("{at}/act"), &jar, Some(&body))
                .await
        }
    };
    let desk = sign_in(&app, "paidan").await;
    let page = app.page("GET", &at, &desk, None).await.text();
    let form = &page[page
        .find("id=\"act-escalate\"")
        .expect("the desk may call up")..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(
        form.contains("呼叫上级的理由 *") && form.contains("<textarea name=\"note\""),
        "{form}"
    );
    let r = post(desk.clone(), "action=escalate&note=").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("呼叫上级的理由"),
        "the message names the field"
    );
    let r = post(desk.clone(), "action=accept").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = post(desk, "action=dispatch&lead_org_id=0").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        act(
            &app,
            &l.desk,
            id,
            json!({"action": "dispatch", "lead_org_id": l.dept_id})
        )
        .await
        .status,
        StatusCode::OK
    );
    app.user("jiedao", Role::StreetStaff, l.street).await;
    let office = sign_in(&app, "jiedao").await;
    let page = app.page("GET", &at, &office, None).await.text();
    let form = &page[page
        .find("id=\"act-supervise\"")
        .expect("the office may supervise")..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("督办意见 *"), "{form}");
    let r = post(
        office,
        "action=supervise&note=%E8%AF%B7%E4%BB%8A%E6%97%A5%E7%AD%94%E5%A4%8D",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}
