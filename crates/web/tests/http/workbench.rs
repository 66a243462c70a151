//! The workbench (工作台) opens on what waits for the user: each figure of "我的待办" is the
//! count of the list it opens — the desk's queue, the unit's inbox, the resident's own
//! requests — with what is overdue or nearly so.

use crate::common::*;
use crate::pages::sign_in;
use crate::requests::{act, setup, submit};
use axum::http::StatusCode;
use serde_json::json;

/// The figures of the page's to-do card: (value, label, href).
fn todo_figures(html: &str) -> Vec<(i64, String, String)> {
    let card = html
        .split("id=\"todo\"")
        .nth(1)
        .expect("the to-do card")
        .split("</section>")
        .next()
        .unwrap();
    card.split("<a class=\"figure\" href=\"")
        .skip(1)
        .map(|part| {
            let href = part.split('"').next().unwrap().replace("&#38;", "&");
            let value = part
                .split("figure-value\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let label = part
                .split("figure-label\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_owned();
            (value, label, href)
        })
        .collect()
}

#[tokio::test]
async fn the_workbench_shows_what_waits_and_each_figure_opens_its_list() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let ids = [
        submit(&app, &l).await,
        submit(&app, &l).await,
        submit(&app, &l).await,
    ];
    for body in [
        json!({"action": "accept"}),
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    ] {
        let r = act(&app, &l.desk, ids[0], body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    // Submitted on the eve of the National Day holiday (17:00 Beijing time, 30 September):
    // nine days on, the two left at the desk and the one the unit has not claimed are late.
    app.clock.advance(chrono::Duration::days(9));

    let mut checked = 0;
    for (login, token, expected) in [
        ("paidan", &l.desk, [("待处理", 2), ("已超期", 2)]),
        ("chengguan", &l.dept, [("待处理", 1), ("已超期", 1)]),
        ("jumin", &l.resident, [("未办结", 3), ("待我评价", 0)]),
    ] {
        let jar = sign_in(&app, login).await;
        let home = app.page("GET", "/", &jar, None).await;
        assert_eq!(home.status, StatusCode::OK);
        let html = home.text();
        let figures = todo_figures(&html);
        // Who submits has the button first; a department, which only handles, has none.
        assert_eq!(
            html.contains("id=\"home-submit\" class=\"button primary\" href=\"/requests/new\""),
            login != "chengguan",
            "{login}: the submit button"
        );
        if login == "paidan" {
            let card = html.split("id=\"todo\"").nth(1).unwrap();
            let queue = card.find("派单队列").unwrap();
            assert!(
                queue < card.find("辖区内诉求").unwrap(),
                "the desk's work first"
            );
            assert!(
                !card.contains("待我评价"),
                "a dispatcher with none of their own"
            );
        }
        for (label, value) in expected {
            let found = figures.iter().find(|f| f.1 == label);
            assert_eq!(
                found.map(|f| f.0),
                Some(value),
                "{login}: {label} in {figures:?}"
            );
        }
        for (value, label, href) in &figures {
            let list = app.get(&format!("/api/v1{href}"), token).await;
            assert_eq!(list.status, StatusCode::OK, "{href}");
            assert_eq!(
                list.json()["total"],
                json!(value),
                "{login}: {label} {href}"
            );
            checked += 1;
        }
    }
    // The desk: its queue (3) and everything in its street (2), not its own requests (it has
    // none); the unit: its inbox (3); the resident: their own (2).
    assert_eq!(checked, 5 + 3 + 2, "every figure opened");
}
