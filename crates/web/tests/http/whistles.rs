//! 吹哨报到 over the JSON API: a street dispatcher summons two departments, one checks in on
//! time and one late, the whistler rates and closes, and the ranking's figures equal the lists
//! behind them; who sees and does what; bad input refused with its field and nothing written.

use crate::common::*;
use crate::requests::{Loop, setup};
use axum::http::StatusCode;
use chrono::Duration;
use jiceng_core::clock::Clock;
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::orgs::{self, NewOrganisation};
use serde_json::{Value, json};

pub fn deadline(app: &TestApp, hours: i64) -> String {
    (app.clock.now() + Duration::hours(hours)).to_rfc3339()
}

pub async fn blow(app: &TestApp, token: &str, body: Value) -> Resp {
    app.api(
        "POST",
        "/api/v1/whistles",
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

/// A whistle at the loop's grid summoning both departments, due in two hours.
pub async fn blown(app: &TestApp, l: &Loop) -> i64 {
    let r = blow(
        app,
        &l.desk,
        json!({
            "title": "幸福路雨水管网破裂", "description": "路面塌陷，需执法、市场监管联合处置",
            "place_node_id": l.grid, "unit_ids": [l.dept_id, l.other_dept_id],
            "deadline_at": deadline(app, 2),
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["whistle"]["id"].as_i64().unwrap()
}

pub async fn post(app: &TestApp, token: &str, uri: &str, body: Value) -> Resp {
    app.api("POST", uri, Some(token), Some(&body.to_string()))
        .await
}

fn unit(w: &Value, org: i64) -> &Value {
    w["whistle"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_id"] == org)
        .unwrap()
}

fn figure(row: &Value, metric: &str) -> (i64, String) {
    let f = row["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["metric"] == metric)
        .unwrap();
    (
        f["value"].as_i64().unwrap(),
        f["list"].as_str().unwrap().to_owned(),
    )
}

async fn audited(app: &TestApp, prefix: &str) -> i64 {
    use sea_query::{Alias, Expr, ExprTrait, Query};
    app.db
        .scalar(
            &Query::select()
                .expr(Expr::col(Alias::new("id")).count())
                .from(Alias::new("audit_log"))
                .and_where(Expr::col(Alias::new("action")).like(format!("{prefix}%")))
                .to_owned(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn two_departments_check_in_one_late_the_whistler_rates_and_closes_and_the_ranking_counts_it()
{
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = blown(&app, &l).await;

    // Both departments are told and see it on their board, with the countdown from the server.
    for token in [&l.dept, &l.other_dept] {
        let inbox = app.get("/api/v1/notifications", token).await.json();
        assert_eq!(inbox["items"][0]["kind"], "whistle");
        assert!(
            inbox["items"][0]["message"]
                .as_str()
                .unwrap()
                .contains("幸福路")
        );
        let board = app.get("/api/v1/whistles", token).await.json();
        assert_eq!(board["total"], 1);
        assert_eq!(board["items"][0]["remaining_seconds"], 7200);
    }
    let d = app
        .get(&format!("/api/v1/whistles/{id}"), &l.dept)
        .await
        .json();
    assert_eq!(d["actions"], json!(["check_in"]));
    assert_eq!(d["my_unit_id"], l.dept_id);

    // The first checks in on time and cannot check in twice.
    let at = format!("/api/v1/whistles/{id}/check-in");
    let r = post(
        &app,
        &l.dept,
        &at,
        json!({"note": "已派执法中队两人30分钟内到场"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let w = r.json();
    assert_eq!(unit(&w, l.dept_id)["late"], false);
    assert_eq!(w["whistle"]["checked_in"], 1);
    let again = post(&app, &l.dept, &at, json!({"note": "再次报到"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "already_checked_in");
    let desk_inbox = app.get("/api/v1/notifications", &l.desk).await.json();
    assert_eq!(desk_inbox["items"][0]["kind"], "whistle_check_in");

    // The second comes three hours later: recorded, and late.
    app.clock.advance(Duration::hours(3));
    let board = app.get("/api/v1/whistles", &l.desk).await.json();
    assert_eq!(
        board["items"][0]["remaining_seconds"], -3600,
        "an hour over"
    );
    let r = post(
        &app,
        &l.other_dept,
        &at,
        json!({"note": "已通知辖区市场监管所"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(unit(&r.json(), l.other_dept_id)["late"], true);

    // The whistler rates the first; a department cannot rate; nobody rates twice.
    let rate = |org: i64| format!("/api/v1/whistles/{id}/units/{org}/rating");
    let r = post(
        &app,
        &l.desk,
        &rate(l.dept_id),
        json!({"rating": "satisfied"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(unit(&r.json(), l.dept_id)["rating_label"], "满意");
    assert_eq!(r.json()["rateable"], json!([l.other_dept_id]));
    let twice = post(
        &app,
        &l.desk,
        &rate(l.dept_id),
        json!({"rating": "dissatisfied"}),
    )
    .await;
    assert_eq!(twice.json()["code"], "already_rated");
    let by_dept = post(
        &app,
        &l.dept,
        &rate(l.other_dept_id),
        json!({"rating": "satisfied"}),
    )
    .await;
    assert_eq!(by_dept.status, StatusCode::FORBIDDEN);

    // The ranking: the on-time department first; every figure equals the list behind it.
    let ranking = app.get("/api/v1/whistles/ranking", &l.desk).await.json();
    let rows = ranking["rows"].as_array().unwrap();
    assert_eq!(rows[0]["org_id"], l.dept_id);
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["rates"][0]["per_mille"], 1000);
    assert_eq!(rows[1]["rates"][0]["per_mille"], 0);
    assert_eq!(
        rows[1]["rates"][1]["per_mille"],
        Value::Null,
        "not rated: no rate"
    );
    let want = [
        ("summoned", 1, 1),
        ("owed", 1, 1),
        ("checked_in", 1, 1),
        ("checked_in_on_time", 1, 0),
        ("missed", 0, 0),
        ("rated", 1, 0),
        ("satisfied", 1, 0),
    ];
    for (metric, first, second) in want {
        for (row, value) in [(&rows[0], first), (&rows[1], second)] {
            let (got, list) = figure(row, metric);
            assert_eq!(got, value, "{metric} of {}", row["name"]);
            let listed = app.get(&list, &l.desk).await.json();
            assert_eq!(listed["total"], got, "{list}");
        }
    }

    // Closing takes it off the board; closing twice is refused.
    let close = format!("/api/v1/whistles/{id}/close");
    let r = post(&app, &l.desk, &close, json!({"note": "管网已抢修"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["whistle"]["status"], "closed");
    assert_eq!(
        app.get("/api/v1/whistles", &l.desk).await.json()["total"],
        0
    );
    let all = app.get("/api/v1/whistles?status=all", &l.desk).await.json();
    assert_eq!(all["total"], 1);
    let twice = post(&app, &l.desk, &close, json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.json()["code"], "whistle_closed");
    assert_eq!(
        audited(&app, "whistle.").await,
        5,
        "blow, 2 check-ins, rate, close"
    );
}

#[tokio::test]
async fn only_the_territory_and_the_summoned_see_a_whistle_and_each_side_takes_its_own_steps() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = blown(&app, &l).await;
    let here = app
        .token_for("sqa", Role::CommunityWorker, l.community)
        .await;
    let b = app
        .node(l.street, NodeKind::Community, "371722001003", "南关社区")
        .await;
    let there = app.token_for("sqb", Role::CommunityWorker, b).await;
    let admin = app.token_for("quji", Role::DistrictAdmin, l.district).await;
    let uri = format!("/api/v1/whistles/{id}");

    // The community the place lies in sees it and may act as the whistler's side; the next
    // community gets the 404 of a whistle that does not exist; the district sees without acting.
    assert_eq!(
        app.get(&uri, &here).await.json()["actions"],
        json!(["close"])
    );
    let r = app.get(&uri, &there).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    assert_eq!(app.get("/api/v1/whistles", &there).await.json()["total"], 0);
    assert_eq!(app.get(&uri, &admin).await.json()["actions"], json!([]));
    let r = post(&app, &there, &format!("{uri}/close"), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A department that was not summoned cannot see it or check in.
    let third = orgs::create_organisation(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        NewOrganisation {
            kind: OrgKind::Department,
            name: "单县住房和城乡建设局".into(),
            home_node_id: l.district,
            credit_code: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            serves: vec![],
        },
    )
    .await
    .unwrap();
    let uid = app.user("zhujian", Role::DepartmentStaff, l.district).await;
    jiceng_store::users::set_organisation(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        uid,
        Some(third.id),
    )
    .await
    .unwrap();
    let zhujian = app.login("zhujian").await;
    assert_eq!(app.get(&uri, &zhujian).await.status, StatusCode::NOT_FOUND);
    let r = post(
        &app,
        &zhujian,
        &format!("{uri}/check-in"),
        json!({"note": "我们也来"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    // The whistler's side does not check in for a department.
    let r = post(
        &app,
        &l.desk,
        &format!("{uri}/check-in"),
        json!({"note": "代为报到"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A resident has no whistles at all.
    let r = app.get("/api/v1/whistles", &l.resident).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Nobody checks in: once the deadline passes both are missed and owed, with a 0 ‰ rate.
    app.clock.advance(Duration::hours(2) + Duration::seconds(1));
    let rows = app.get("/api/v1/whistles/ranking", &here).await.json()["rows"].clone();
    for row in rows.as_array().unwrap() {
        assert_eq!(figure(row, "missed").0, 1);
        assert_eq!(figure(row, "owed").0, 1);
        assert_eq!(row["rates"][0]["per_mille"], 0);
    }
    // A department sees its own row only.
    let own = app.get("/api/v1/whistles/ranking", &l.dept).await.json();
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    assert_eq!(own["rows"][0]["org_id"], l.dept_id);
}
