//! Every figure of the rates dashboard equals the list it links to, after a scripted mix of
//! submissions, returns, reopenings, extensions and overdue requests; and the counters equal a
//! recount of the records.

use crate::common::*;
use crate::requests::{Loop, act, setup, submit};
use axum::http::StatusCode;
use chrono::Duration;
use jiceng_core::clock::Clock;
use jiceng_core::role::Role;
use serde_json::{Value, json};

async fn step(app: &TestApp, token: &str, id: i64, body: Value) {
    let r = act(app, token, id, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

async fn to_department(app: &TestApp, l: &Loop, id: i64) {
    step(app, &l.desk, id, json!({"action": "accept"})).await;
    step(
        app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
}

async fn close(app: &TestApp, l: &Loop, id: i64, rating: &str) {
    step(
        app,
        &l.dept,
        id,
        json!({"action": "resolve", "note": "已处理"}),
    )
    .await;
    step(app, &l.desk, id, json!({"action": "verify"})).await;
    step(
        app,
        &l.resident,
        id,
        json!({"action": "rate", "rating": rating}),
    )
    .await;
}

/// Submissions, returns, a reopening, an extension, a decline, a withdrawal, a merge and late
/// steps flagged by the SLA ticker.
pub async fn scripted_mix(app: &TestApp, l: &Loop) {
    let ids: Vec<i64> = {
        let mut v = Vec::new();
        for _ in 0..8 {
            v.push(submit(app, l).await);
        }
        v
    };
    // 0: straight through, satisfied.
    to_department(app, l, ids[0]).await;
    step(app, &l.dept, ids[0], json!({"action": "claim"})).await;
    close(app, l, ids[0], "satisfied").await;
    // 1: returned, dispatched again, reopened after "dissatisfied", then fairly satisfied.
    to_department(app, l, ids[1]).await;
    step(
        app,
        &l.dept,
        ids[1],
        json!({"action": "return", "note": "请核实地址"}),
    )
    .await;
    step(
        app,
        &l.desk,
        ids[1],
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    step(app, &l.dept, ids[1], json!({"action": "claim"})).await;
    close(app, l, ids[1], "dissatisfied").await;
    close(app, l, ids[1], "fairly_satisfied").await;
    // 2: claimed and extended, still open.
    to_department(app, l, ids[2]).await;
    step(app, &l.dept, ids[2], json!({"action": "claim"})).await;
    step(
        app,
        &l.dept,
        ids[2],
        json!({"action": "request_extension", "days": 2, "note": "需采购材料"}),
    )
    .await;
    step(app, &l.desk, ids[2], json!({"action": "approve_extension"})).await;
    // 3: dispatched, then left until both its claim and its resolve deadlines pass.
    to_department(app, l, ids[3]).await;
    // 4: declined; 5: withdrawn; 6: merged into 2; 7: left waiting for the desk.
    step(
        app,
        &l.desk,
        ids[4],
        json!({"action": "decline", "note": "不属于受理范围"}),
    )
    .await;
    step(app, &l.resident, ids[5], json!({"action": "withdraw"})).await;
    step(
        app,
        &l.desk,
        ids[6],
        json!({"action": "merge", "merge_into": ids[2]}),
    )
    .await;
    let tick = |app: &TestApp| {
        let now = app.clock.now();
        let db = app.db.clone();
        async move {
            jiceng_store::requests::ticker::tick(&db, now, 500)
                .await
                .unwrap()
        }
    };
    app.clock.advance(Duration::days(9));
    assert!(tick(app).await >= 2, "claim and accept deadlines passed");
    step(app, &l.dept, ids[3], json!({"action": "claim"})).await;
    app.clock.advance(Duration::days(7));
    tick(app).await;
    close(app, l, ids[3], "satisfied").await;
}

#[tokio::test]
async fn every_figure_equals_the_list_it_opens_and_the_counters_equal_a_recount() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    scripted_mix(&app, &l).await;
    let admin = app
        .token_for("quxian", Role::DistrictAdmin, l.district)
        .await;
    let mut checked = 0;
    for by in ["children", "units"] {
        let r = app
            .get(
                &format!(
                    "/api/v1/rates?node_id={}&by={by}&month_from=2026-09&month_to=2026-10",
                    l.district
                ),
                &admin,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let body = r.json();
        let mut rows = vec![body["total"].clone()];
        rows.extend(body["rows"].as_array().unwrap().iter().cloned());
        for row in rows {
            for f in row["figures"].as_array().unwrap() {
                let list = app.get(f["list"].as_str().unwrap(), &admin).await.json();
                assert_eq!(
                    list["total"], f["value"],
                    "{} of {}: {}",
                    f["metric"], row["name"], f["list"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "{checked} figures checked");
    let d = app
        .get(&format!("/api/v1/rates?node_id={}", l.district), &admin)
        .await
        .json();
    let figure = |m: &str| {
        d["total"]["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["metric"] == m)
            .unwrap()["value"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(figure("submitted"), 8);
    assert_eq!(figure("closed"), 3);
    assert_eq!(figure("closed_on_time"), 2, "the late one is not on time");
    assert_eq!(figure("returned"), 1);
    assert_eq!(figure("reopened"), 1);
    assert_eq!(figure("declined"), 1);
    assert!(figure("overdue") >= 2);
    let rate = |r: &str| {
        d["total"]["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rate"] == r)
            .unwrap()["per_mille"]
            .clone()
    };
    // Rated: 0 satisfied, 1 fairly satisfied (after its reopening), 3 satisfied → 3 of 3.
    assert_eq!(rate("satisfaction_rate"), json!(1000));
    assert!(
        jiceng_store::requests::figures::recount(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    // The street's row ranks first among the district's children and opens the same lists.
    let street = &d["rows"][0];
    assert_eq!(street["rank"], 1);
    let bad = app.get("/api/v1/rates?month_from=2026-13", &admin).await;
    assert_eq!(
        (bad.status, bad.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_month"))
    );
}

#[tokio::test]
async fn a_reopening_recomputes_the_satisfaction_rate_until_the_request_is_rated_again() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    to_department(&app, &l, id).await;
    step(&app, &l.dept, id, json!({"action": "claim"})).await;
    let admin = app
        .token_for("quxian", Role::DistrictAdmin, l.district)
        .await;
    assert_eq!(
        satisfaction(&app, &admin, l.district).await,
        Value::Null,
        "nothing rated yet"
    );
    close(&app, &l, id, "dissatisfied").await;
    assert_eq!(satisfaction(&app, &admin, l.district).await, json!(0));
    close(&app, &l, id, "satisfied").await;
    assert_eq!(satisfaction(&app, &admin, l.district).await, json!(1000));
}

/// The 满意率 of `node` in ‰ as `token` reads it (null while nothing is rated).
pub async fn satisfaction(app: &TestApp, token: &str, node: i64) -> Value {
    let uri = format!("/api/v1/rates?node_id={node}");
    let d = app.get(&uri, token).await.json();
    d["total"]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rate"] == "satisfaction_rate")
        .unwrap()["per_mille"]
        .clone()
}

/// Every figure of `/api/v1/rates?{query}` (the place's row and each ranked row) against the
/// total of the list it opens; returns how many were compared.
async fn figures_equal_their_lists(app: &TestApp, token: &str, query: &str) -> usize {
    let r = app.get(&format!("/api/v1/rates?{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    let mut rows = vec![body["total"].clone()];
    rows.extend(body["rows"].as_array().unwrap().iter().cloned());
    let mut checked = 0;
    for row in rows {
        for f in row["figures"].as_array().unwrap() {
            let list = app.get(f["list"].as_str().unwrap(), token).await.json();
            assert_eq!(
                list["total"], f["value"],
                "{} of {} ({query}): {}",
                f["metric"], row["name"], f["list"]
            );
            checked += 1;
        }
    }
    checked
}

#[tokio::test]
async fn without_a_month_range_the_all_time_totals_answer_and_a_rebuild_restores_them() {
    use sea_query::{Alias, Expr, ExprTrait, Query};
    let app = TestApp::new().await;
    let l = setup(&app).await;
    scripted_mix(&app, &l).await;
    let admin = app
        .token_for("quxian", Role::DistrictAdmin, l.district)
        .await;
    let all_time = |by: &str| format!("node_id={}&by={by}", l.district);
    for by in ["children", "units"] {
        assert!(figures_equal_their_lists(&app, &admin, &all_time(by)).await > 16);
    }
    let figures = |v: &Value| v["total"]["figures"].clone();
    let summed = app
        .get(
            &format!(
                "/api/v1/rates?node_id={}&month_from=2000-01&month_to=2099-12",
                l.district
            ),
            &admin,
        )
        .await
        .json();
    let totals = app
        .get(&format!("/api/v1/rates?{}", all_time("children")), &admin)
        .await
        .json();
    let values = |v: Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| (f["metric"].clone(), f["value"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(figures(&totals)), values(figures(&summed)));

    // Totals that drifted from the records show in the recount, as month `all`, and a rebuild
    // puts them back from the records.
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        &Query::update()
            .table(Alias::new("request_counter_totals"))
            .value(Alias::new("value"), Expr::col(Alias::new("value")).add(1))
            .and_where(Expr::col(Alias::new("metric")).eq("submitted"))
            .to_owned(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let diff = jiceng_store::requests::figures::recount(&app.db)
        .await
        .unwrap();
    assert!(!diff.is_empty());
    assert!(
        diff.iter()
            .all(|m| m.month == jiceng_store::requests::figures::ALL_MONTHS
                && m.metric == "submitted"
                && m.counted == m.recounted + 1),
        "{diff:?}"
    );
    jiceng_store::requests::figures::rebuild(&app.db)
        .await
        .unwrap();
    assert!(
        jiceng_store::requests::figures::recount(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    for by in ["children", "units"] {
        figures_equal_their_lists(&app, &admin, &all_time(by)).await;
    }
}
