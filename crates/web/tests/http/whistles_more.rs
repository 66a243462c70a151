//! 吹哨报到: bad input refused with its code and field and nothing written, refused steps, and
//! the pages (board, form, detail with its forms, ranking) driven as a browser would.

use crate::common::*;
use crate::pages::{csrf_of, sign_in};
use crate::requests::setup;
use crate::whistles::{blow, blown, deadline, post};
use axum::http::StatusCode;
use chrono::Duration;
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::scope::Scope;
use jiceng_store::orgs::{self, NewOrganisation};
use serde_json::json;

async fn org(app: &TestApp, kind: OrgKind, name: &str, home: i64) -> i64 {
    orgs::create_organisation(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        NewOrganisation {
            kind,
            name: name.into(),
            home_node_id: home,
            credit_code: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            serves: vec![],
        },
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn bad_whistles_are_refused_with_their_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let other_street = app
        .node(l.district, NodeKind::Street, "371722002", "南城街道")
        .await;
    let elsewhere = org(&app, OrgKind::PropertyCompany, "南城物业", other_street).await;
    let committee = org(
        &app,
        OrgKind::OwnersCommittee,
        "幸福小区业委会",
        l.community,
    )
    .await;
    let good = json!({
        "title": "幸福路雨水管网破裂", "place_node_id": l.grid,
        "unit_ids": [l.dept_id], "deadline_at": deadline(&app, 2),
    });
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let past = (jiceng_core::clock::Clock::now(&app.clock) - Duration::minutes(1)).to_rfc3339();
    let cases = [
        (with("title", json!(" ")), "missing_title", "title"),
        (with("unit_ids", json!([])), "missing_units", "unit_ids"),
        (
            with("unit_ids", json!([999_999])),
            "unknown_unit",
            "unit_ids",
        ),
        (
            with("unit_ids", json!([elsewhere])),
            "unit_out_of_area",
            "unit_ids",
        ),
        (
            with("unit_ids", json!([committee])),
            "invalid_unit",
            "unit_ids",
        ),
        (
            with("deadline_at", json!(past)),
            "deadline_passed",
            "deadline_at",
        ),
        (
            with("place_node_id", json!(other_street)),
            "unknown_place",
            "place_node_id",
        ),
        (
            with("request_id", json!(424_242)),
            "unknown_request",
            "request_id",
        ),
    ];
    for (body, code, field) in cases {
        let r = blow(&app, &l.desk, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{code}: {}", r.text());
        let e = r.json();
        assert_eq!(
            (e["code"].as_str(), e["details"]["field"].as_str()),
            (Some(code), Some(field))
        );
    }
    let r = blow(&app, &l.desk, with("deadline_at", json!("明天下午"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = blow(&app, &l.dept, good.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "departments do not blow whistles"
    );
    assert_eq!(app.count("whistles").await, 0);
    assert_eq!(app.count("notifications").await, 0);

    // Refused steps change nothing either.
    let id = blown(&app, &l).await;
    let at = format!("/api/v1/whistles/{id}");
    let r = post(
        &app,
        &l.dept,
        &format!("{at}/check-in"),
        json!({"note": "  "}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("missing_note"))
    );
    let rate = format!("{at}/units/{}/rating", l.dept_id);
    let r = post(&app, &l.desk, &rate, json!({"rating": "great"})).await;
    assert_eq!(r.json()["code"], "invalid_rating");
    let r = post(&app, &l.desk, &rate, json!({"rating": "satisfied"})).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::CONFLICT, json!("not_checked_in"))
    );
    let r = post(
        &app,
        &l.desk,
        &format!("{at}/units/{committee}/rating"),
        json!({"rating": "satisfied"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a unit not summoned");
    let w = app.get(&at, &l.desk).await.json();
    assert_eq!(w["whistle"]["checked_in"], 0);
    assert_eq!(app.count("notifications").await, 2, "the two summons only");
}

/// Posts a form from the page at `from` (for its CSRF token).
async fn form(
    app: &TestApp,
    jar: &[String],
    from: &str,
    to: &str,
    fields: &[(&str, String)],
) -> Resp {
    let page = app.page("GET", from, jar, None).await;
    assert_eq!(page.status, StatusCode::OK, "{from}: {}", page.text());
    let mut body = format!("_csrf={}", csrf_of(&page.text()));
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", urlencoding::encode(v)));
    }
    app.page("POST", to, jar, Some(&body)).await
}

#[tokio::test]
async fn the_pages_blow_check_in_rate_and_rank() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let desk = sign_in(&app, "paidan").await;
    let dept = sign_in(&app, "chengguan").await;

    let page = get_ok(
        &app,
        &desk,
        &format!("/whistles/new?place_node_id={}", l.grid),
    )
    .await;
    assert!(page.contains("单县综合行政执法局") && page.contains("单县市场监督管理局"));
    // Refused: no unit ticked; the form comes back with what was typed and the reason.
    let mut fields = vec![
        ("place_node_id", l.grid.to_string()),
        ("title", "幸福路雨水管网破裂".to_owned()),
        ("deadline_at", "2026-09-30T20:00".to_owned()),
    ];
    let r = form(&app, &desk, "/whistles/new", "/whistles/new", &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("请至少选择一个被召集的部门") && r.text().contains("幸福路雨水管网破裂")
    );
    fields.push(("unit_ids", l.dept_id.to_string()));
    fields.push(("unit_ids", l.other_dept_id.to_string()));
    let r = form(&app, &desk, "/whistles/new", "/whistles/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers["location"].to_str().unwrap().to_owned();
    let id: i64 = to
        .trim_start_matches("/whistles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // 20:00 Beijing is 12:00 UTC, three hours after the test clock's 09:00 UTC.
    let board = get_ok(&app, &desk, "/whistles").await;
    assert!(board.contains("幸福路雨水管网破裂") && board.contains("data-remaining=\"10800\""));
    assert!(board.contains("剩余 3小时0分"));

    let at = format!("/whistles/{id}");
    let page = get_ok(&app, &dept, &at).await;
    assert!(page.contains("id=\"whistle-check-in\""));
    let r = form(
        &app,
        &dept,
        &at,
        &format!("{at}/act"),
        &[
            ("action", "check_in".into()),
            ("note", "执法中队已出发".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = get_ok(&app, &desk, &format!("{at}?done=check_in")).await;
    assert!(
        page.contains("执法中队已出发") && page.contains(&format!("id=\"rate-{}\"", l.dept_id))
    );
    let r = form(
        &app,
        &desk,
        &at,
        &format!("{at}/act"),
        &[
            ("action", "rate".into()),
            ("org_id", l.dept_id.to_string()),
            ("rating", "fairly_satisfied".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // A refused step comes back with its reason.
    let r = form(
        &app,
        &desk,
        &at,
        &format!("{at}/act"),
        &[
            ("action", "rate".into()),
            ("org_id", l.other_dept_id.to_string()),
            ("rating", "satisfied".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("尚未报到"));

    let ranking = get_ok(&app, &desk, "/whistles/ranking").await;
    assert!(ranking.contains("100.0%") && ranking.contains("单县市场监督管理局"));
    // Askama escapes the & between the link's filters as &#38;.
    let href = format!(
        "/whistles?status=all&#38;unit_id={}&#38;metric=satisfied",
        l.dept_id
    );
    assert!(ranking.contains(&href), "figures link to their whistles");
    let behind = get_ok(&app, &desk, &href.replace("&#38;", "&")).await;
    assert!(
        behind.contains("单县综合行政执法局 · 满意数") && behind.contains("幸福路雨水管网破裂")
    );
    let nav = get_ok(&app, &dept, "/").await;
    assert!(nav.contains("href=\"/whistles\"") && !nav.contains("href=\"/whistles/ranking\""));
}

#[tokio::test]
async fn a_whistle_closed_before_its_deadline_owes_nothing_one_closed_after_it_counts_the_missed() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let early = blown(&app, &l).await;
    let late = blown(&app, &l).await;
    let r = post(
        &app,
        &l.desk,
        &format!("/api/v1/whistles/{early}/close"),
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.clock.advance(Duration::hours(3));
    let r = post(
        &app,
        &l.desk,
        &format!("/api/v1/whistles/{late}/close"),
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let ranking = app.get("/api/v1/whistles/ranking", &l.desk).await.json();
    for row in ranking["rows"].as_array().unwrap() {
        let value = |m: &str| {
            row["figures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["metric"] == m)
                .unwrap()["value"]
                .clone()
        };
        assert_eq!(
            (value("summoned"), value("owed"), value("missed")),
            (json!(2), json!(1), json!(1))
        );
        let missed = row["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["metric"] == "missed")
            .unwrap();
        let listed = app
            .get(missed["list"].as_str().unwrap(), &l.desk)
            .await
            .json();
        assert_eq!(listed["items"][0]["id"], late);
    }
}

#[tokio::test]
async fn a_whistle_about_a_request_takes_its_place_and_shows_on_the_request_page() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let request = crate::requests::submit(&app, &l).await;
    let r = blow(
        &app,
        &l.desk,
        json!({
            "title": "积水严重，需城管和市场监管联合处置", "request_id": request,
            "unit_ids": [l.dept_id], "deadline_at": deadline(&app, 4),
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let w = r.json();
    assert_eq!(w["whistle"]["place_node_id"], l.grid, "the request's place");
    assert_eq!(w["whistle"]["request_id"], request);
    let desk = sign_in(&app, "paidan").await;
    let page = get_ok(&app, &desk, &format!("/requests/{request}")).await;
    let id = w["whistle"]["id"].as_i64().unwrap();
    assert!(page.contains(&format!("href=\"/whistles/{id}\"")));
    assert!(page.contains(&format!(
        "/whistles/new?request_id={request}&#38;place_node_id={}",
        l.grid
    )));
    let resident = sign_in(&app, "jumin").await;
    let page = get_ok(&app, &resident, &format!("/requests/{request}")).await;
    assert!(
        !page.contains("request-whistles"),
        "residents see no whistles"
    );
}
