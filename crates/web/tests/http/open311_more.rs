//! Open311, continued: keys refused, the public list with its filters, 90-day window and paging,
//! and the key page where a district administrator issues and revokes keys.

use crate::common::*;
use crate::open311::{Setup, assert_error, get, post, setup, submit, submitted_id};
use crate::pages::{csrf_of, sign_in};
use axum::http::StatusCode;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use serde_json::Value;

#[tokio::test]
async fn a_post_without_a_valid_key_is_403_and_writes_nothing() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let before = app.count("requests").await;
    let mut pairs = vec![
        ("service_code", "waterlogging"),
        ("address_id", s.grid_code),
        ("attribute[depth]", "没过脚踝"),
    ];
    let r = post(&app, "/open311/v2/requests.json", &pairs).await;
    assert_error(&r, StatusCode::FORBIDDEN, "invalid_api_key");
    pairs.push(("api_key", "j311_not-a-key"));
    let r = post(&app, "/open311/v2/requests.json", &pairs).await;
    assert_error(&r, StatusCode::FORBIDDEN, "api_key");
    let x = post(&app, "/open311/v2/requests.xml", &pairs).await;
    assert_eq!(x.status, StatusCode::FORBIDDEN);
    assert!(
        x.text().contains("<errors><error><code>403</code>"),
        "{}",
        x.text()
    );
    // A revoked key is refused like a wrong one.
    let key = jiceng_store::open311::list(&app.db, &Scope::everything())
        .await
        .unwrap()
        .remove(0);
    jiceng_store::open311::revoke(&app.db, &Scope::everything(), &app.actor(), key.id)
        .await
        .unwrap();
    let r = submit(&app, &s, &[]).await;
    assert_error(&r, StatusCode::FORBIDDEN, "invalid_api_key");
    assert_eq!(app.count("requests").await, before);
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn request_lists_filter_by_code_status_and_a_90_day_window_and_page() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    app.clock.advance(chrono::Duration::days(-120));
    let old = submitted_id(&app, &s, &[]).await;
    app.clock.advance(chrono::Duration::days(120));
    let a = submitted_id(&app, &s, &[]).await;
    app.clock.advance(chrono::Duration::hours(1));
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", s.key.as_str()),
            ("service_code", "parking_shortage"),
            ("address_string", "东关社区3号楼前"),
            // Empty, so absent: 停车难 has no such question.
            ("attribute[depth]", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let b = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(chrono::Duration::hours(1));

    let all = get(&app, "/open311/v2/requests.json").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text());
    assert_eq!(
        ids(&all.json()),
        [b.as_str(), a.as_str()],
        "newest first, the last 90 days"
    );
    let r = get(&app, "/open311/v2/requests.json?service_code=waterlogging").await;
    assert_eq!(ids(&r.json()), [a.as_str()]);
    let r = get(
        &app,
        "/open311/v2/requests.json?service_code=waterlogging,parking_shortage&status=open",
    )
    .await;
    assert_eq!(ids(&r.json()), [b.as_str(), a.as_str()]);
    let r = get(&app, "/open311/v2/requests.json?status=closed").await;
    assert_eq!(ids(&r.json()), [""; 0]);
    let r = get(&app, "/open311/v2/requests.json?page_size=1&page=2").await;
    assert_eq!(ids(&r.json()), [a.as_str()]);
    // Ids override the window.
    let r = get(
        &app,
        &format!("/open311/v2/requests.json?service_request_id={old},{b}"),
    )
    .await;
    assert_eq!(ids(&r.json()), [b.as_str(), old.as_str()]);
    let r = get(&app, "/open311/v2/requests.json?start_date=2026-05-01T00:00:00%2B08:00&end_date=2026-07-01T00:00:00Z").await;
    assert_eq!(ids(&r.json()), [old.as_str()]);
    let r = get(
        &app,
        "/open311/v2/requests.json?start_date=2026-05-01T00:00:00Z",
    )
    .await;
    assert_eq!(ids(&r.json()), [old.as_str()], "90 days from the start");

    let too_long =
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-09-01T00:00:00Z";
    assert_error(
        &get(&app, too_long).await,
        StatusCode::BAD_REQUEST,
        "date_range_too_long",
    );
    assert_error(
        &get(&app, "/open311/v2/requests.json?start_date=yesterday").await,
        StatusCode::BAD_REQUEST,
        "start_date",
    );
    assert_error(
        &get(&app, "/open311/v2/requests.json?status=pending").await,
        StatusCode::BAD_REQUEST,
        "invalid_status",
    );
    assert_error(
        &get(&app, "/open311/v2/requests.json?page_size=5000").await,
        StatusCode::BAD_REQUEST,
        "page_size",
    );
    let x = get(&app, "/open311/v2/requests.xml?service_code=waterlogging").await;
    assert!(
        x.text().contains(&format!(
            "<service_requests><request><service_request_id>{a}</service_request_id>"
        )),
        "{}",
        x.text()
    );
}

#[tokio::test]
async fn a_district_admin_issues_a_key_once_and_revokes_it_on_the_key_page() {
    let app = TestApp::new().await;
    let s: Setup = setup(&app).await;
    let admin_node = jiceng_store::open311::place_by_code(
        &app.db,
        &jiceng_core::scope::Scope::everything(),
        "371722",
    )
    .await
    .unwrap();
    app.user("guanli", Role::DistrictAdmin, admin_node.id).await;
    app.user("jumin2", Role::Resident, admin_node.id).await;
    let jar = sign_in(&app, "guanli").await;
    let page = app.page("GET", "/settings/open311", &jar, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("市民通App"),
        "the key issued in setup is listed"
    );
    assert!(
        html.contains("href=\"/settings/open311\""),
        "in the navigation"
    );
    let street = jiceng_store::open311::place_by_code(
        &app.db,
        &jiceng_core::scope::Scope::everything(),
        "371722001",
    )
    .await
    .unwrap();
    let body = crate::open311::form(&[
        ("_csrf", &csrf_of(&html)),
        ("name", "12345热线平台"),
        ("node_id", &street.id.to_string()),
    ]);
    let r = app
        .page("POST", "/settings/open311", &jar, Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers["cache-control"], "no-store");
    let html = r.text();
    let i = html.find("id=\"open311-key\">").expect("the key is shown") + 17;
    let key = html[i..].split('<').next().unwrap().to_owned();
    assert!(key.starts_with("j311_"), "{key}");
    let again = app
        .page("GET", "/settings/open311", &jar, None)
        .await
        .text();
    assert!(
        again.contains("12345热线平台") && !again.contains(&key),
        "shown only once"
    );

    let pairs = [
        ("api_key", key.as_str()),
        ("service_code", "parking_shortage"),
        ("address_id", s.grid_code),
    ];
    let r = post(&app, "/open311/v2/requests.json", &pairs).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let id = jiceng_store::open311::list(&app.db, &jiceng_core::scope::Scope::everything())
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.name == "12345热线平台")
        .unwrap()
        .id;
    let body = format!("_csrf={}", csrf_of(&again));
    let r = app
        .page(
            "POST",
            &format!("/settings/open311/{id}/revoke"),
            &jar,
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = post(&app, "/open311/v2/requests.json", &pairs).await;
    assert_error(&r, StatusCode::FORBIDDEN, "invalid_api_key");
    let revoked = jiceng_store::open311::list(&app.db, &jiceng_core::scope::Scope::everything())
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == id)
        .unwrap();
    assert!(revoked.revoked_at.is_some());

    // Others see no key page.
    let jar = sign_in(&app, "jumin2").await;
    let r = app.page("GET", "/settings/open311", &jar, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
