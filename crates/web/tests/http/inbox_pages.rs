//! A busy unit's inbox (消息): read a page at a time, narrowed to one kind, with the unread
//! counted by kind; a filtered or older page does not mark anything read; overdue notices name
//! their category; a whistle's notice leads to the whistle. Bad filters are refused by name.

use crate::common::*;
use crate::pages::sign_in;
use crate::requests::{Loop, setup, submit};
use crate::requests_more::auto_dispatch_to_department;
use crate::whistles::blown;
use axum::http::StatusCode;
use chrono::Duration;
use jiceng_core::clock::Clock;
use serde_json::Value;

/// How many requests the department is sent; each also passes its claim deadline.
const SENT: usize = 30;

/// The department gets `SENT` dispatched notices, then `SENT` overdue ones.
async fn busy_department(app: &TestApp) -> (Loop, Vec<i64>) {
    let l = setup(app).await;
    auto_dispatch_to_department(app, &l).await;
    let mut ids = Vec::new();
    for _ in 0..SENT {
        ids.push(submit(app, &l).await);
    }
    app.clock.advance(Duration::days(10));
    let raised = jiceng_store::requests::ticker::tick(&app.db, app.clock.now(), 500)
        .await
        .unwrap();
    assert_eq!(raised, SENT, "each claim deadline passed once");
    (l, ids)
}

fn ids_of(inbox: &Value) -> Vec<i64> {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

fn kinds_of(inbox: &Value) -> Vec<String> {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_api_pages_the_inbox_filters_it_by_kind_and_counts_the_unread_by_kind() {
    let app = TestApp::new().await;
    let (l, ids) = busy_department(&app).await;
    let first = app
        .get("/api/v1/notifications?limit=20", &l.dept)
        .await
        .json();
    assert_eq!(first["unread"], 2 * SENT);
    assert_eq!(
        first["unread_by_kind"],
        serde_json::json!([{"kind": "dispatched", "count": SENT}, {"kind": "overdue", "count": SENT}])
    );
    let page1 = ids_of(&first);
    assert_eq!(page1.len(), 20);
    assert!(page1.windows(2).all(|w| w[0] > w[1]), "newest first");
    let before = first["next_before"].as_i64().unwrap();
    assert_eq!(before, *page1.last().unwrap());
    // The rest, older than the first page, and the end of the list says so.
    let rest = app
        .get(
            &format!("/api/v1/notifications?limit=500&before={before}"),
            &l.dept,
        )
        .await
        .json();
    let page2 = ids_of(&rest);
    assert_eq!(page2.len(), 2 * SENT - 20);
    assert!(page2.iter().all(|id| *id < before));
    assert!(rest["next_before"].is_null());
    // One kind only; the overdue notice names the category, as the others do.
    let late = app
        .get("/api/v1/notifications?kind=overdue&limit=500", &l.dept)
        .await
        .json();
    assert_eq!(kinds_of(&late), vec!["overdue"; SENT]);
    // One per request (all thirty fell due at the same moment, so in no particular order).
    let mut told: Vec<i64> = late["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let id = n["request_id"].as_i64().unwrap();
            assert_eq!(
                n["message"],
                format!("诉求 #{id}（路面积水）接单超期"),
                "{n}"
            );
            id
        })
        .collect();
    told.sort_unstable();
    assert_eq!(told, ids);
    // Reading does not mark read; the mark does, for every kind up to it.
    assert_eq!(
        app.get("/api/v1/notifications", &l.dept).await.json()["unread"],
        2 * SENT
    );
    // Bad filters, by name.
    for (query, code, field) in [
        ("kind=overdu", "invalid_kind", "kind"),
        ("before=0", "invalid_id", "before"),
        ("before=abc", "invalid_type", "before"),
        ("lmit=5", "unknown_field", "lmit"),
    ] {
        let r = app
            .get(&format!("/api/v1/notifications?{query}"), &l.dept)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text());
        let e = r.json();
        assert_eq!(
            (e["code"].as_str(), e["details"]["field"].as_str()),
            (Some(code), Some(field)),
            "{e}"
        );
    }
}

#[tokio::test]
async fn the_page_offers_kinds_and_older_pages_and_only_the_plain_newest_page_marks_read() {
    let app = TestApp::new().await;
    let (_l, _) = busy_department(&app).await;
    let jar = sign_in(&app, "chengguan").await;
    let get = |uri: &'static str| {
        let (app, jar) = (&app, &jar);
        async move {
            let r = app.page("GET", uri, jar, None).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
            r.text()
        }
    };
    // Narrowed to 超期提醒: only those, all still new, and the badge stays.
    let late = get("/notifications?kind=overdue").await;
    assert_eq!(late.matches("class=\"inbox-item unread\"").count(), SENT);
    assert_eq!(
        late.matches("<span class=\"inbox-kind\">超期提醒</span>")
            .count(),
        SENT
    );
    assert!(late.contains("（路面积水）接单超期"));
    assert!(late.contains(&format!("id=\"unread-badge\">{}<", 2 * SENT)));
    assert!(late.contains("<option value=\"overdue\" selected>超期提醒（新 30）</option>"));
    assert!(
        late.contains(">新派单 30</a>"),
        "unread by kind, each a link"
    );
    // The plain inbox: the newest page, marked read, with a way to the older ones.
    let inbox = get("/notifications").await;
    assert!(!inbox.contains("id=\"unread-badge\""), "read on opening");
    assert_eq!(inbox.matches("class=\"inbox-item").count(), 50);
    let older = inbox
        .split("id=\"inbox-older\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to older messages")
        .replace("&amp;", "&");
    let r = app.page("GET", &older, &jar, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let older = r.text();
    assert_eq!(older.matches("class=\"inbox-item").count(), 2 * SENT - 50);
    assert!(!older.contains("id=\"inbox-older\""), "the last page");
    assert!(older.contains("id=\"inbox-newest\""));
    assert!(get("/notifications").await.contains("没有未读消息"));
    // A kind that does not exist is named, not an empty inbox.
    let r = app
        .page("GET", "/notifications?kind=nonsense", &jar, None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("消息类型不正确"), "{}", r.text());
    // A malformed address on any page is the error page, naming what is wrong, not JSON.
    for uri in ["/notifications?before=abc", "/requests?page=abc"] {
        let r = app.page("GET", uri, &jar, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        let page = r.text();
        assert!(page.starts_with("<!DOCTYPE html>"), "{uri}: {page}");
        assert!(page.contains("的取值不正确"), "{uri}: {page}");
    }
}

#[tokio::test]
async fn a_whistle_notice_leads_to_the_whistle() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = blown(&app, &l).await;
    let inbox = app.get("/api/v1/notifications", &l.dept).await.json();
    assert_eq!(inbox["items"][0]["kind"], "whistle");
    assert_eq!(inbox["items"][0]["whistle_id"], id);
    assert!(inbox["items"][0]["request_id"].is_null());
    let jar = sign_in(&app, "chengguan").await;
    let page = app.page("GET", "/notifications", &jar, None).await;
    assert!(
        page.text().contains(&format!("href=\"/whistles/{id}\"")),
        "{}",
        page.text()
    );
}
