//! The request pages, driven as a browser would (cookies, CSRF tokens, 303s): each page as each
//! role, the form with its Chinese messages beside the field, a round of steps through the
//! detail page's forms, the inbox and its badge, and 404 for a unit outside the request.

use crate::common::*;
use crate::pages::{csrf_of, sign_in};
use crate::requests::{Loop, setup, submit};
use axum::http::StatusCode;

fn enc(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

/// Posts a form from the page at `from` (for its CSRF token); returns the answer.
async fn post(
    app: &TestApp,
    jar: &[String],
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let page = app.page("GET", from, jar, None).await;
    assert_eq!(page.status, StatusCode::OK, "{from}: {}", page.text());
    let mut body = format!("_csrf={}", csrf_of(&page.text()));
    for (k, v) in fields {
        body.push_str(&format!("&{}={}", enc(k), enc(v)));
    }
    app.page("POST", to, jar, Some(&body)).await
}

async fn step(app: &TestApp, jar: &[String], id: i64, fields: &[(&str, &str)]) -> Resp {
    let at = format!("/requests/{id}");
    post(app, jar, &at, &format!("{at}/act"), fields).await
}

/// A step that must succeed: 303 back to the detail page, which then says it was done.
async fn done(app: &TestApp, jar: &[String], id: i64, fields: &[(&str, &str)]) -> String {
    let r = step(app, jar, id, fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{fields:?}: {}", r.text());
    let to = r.headers["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(&format!("/requests/{id}?done=")), "{to}");
    let page = app.page("GET", &to, jar, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("已办理："), "a flash after the step");
    page.text()
}

struct Jars {
    resident: Vec<String>,
    desk: Vec<String>,
    dept: Vec<String>,
    other: Vec<String>,
}

async fn jars(app: &TestApp) -> (Loop, Jars) {
    let l = setup(app).await;
    let j = Jars {
        resident: sign_in(app, "jumin").await,
        desk: sign_in(app, "paidan").await,
        dept: sign_in(app, "chengguan").await,
        other: sign_in(app, "scjg").await,
    };
    (l, j)
}

#[tokio::test]
async fn each_role_gets_its_request_pages_in_chinese_and_other_units_get_404() {
    let app = TestApp::new().await;
    let (l, j) = jars(&app).await;
    let id = submit(&app, &l).await;

    // The resident: the form with the catalogue, their own list, the detail with its timeline.
    let home = get_ok(&app, &j.resident, "/").await;
    for entry in ["提交诉求", "我的诉求", "消息"] {
        assert!(home.contains(entry), "resident nav has {entry}");
    }
    assert!(!home.contains("派单队列"));
    let form = get_ok(&app, &j.resident, "/requests/new").await;
    assert!(
        form.contains("路面积水") && form.contains("市政公用"),
        "grouped categories"
    );
    assert!(
        form.contains("id=\"choose-first\""),
        "asks for the category first"
    );
    let chosen = format!(
        "/requests/new?category_id={}&place_node_id={}",
        l.category, l.grid
    );
    let form = get_ok(&app, &j.resident, &chosen).await;
    assert!(
        form.contains("积水深度") && form.contains("没过脚踝"),
        "the category's question"
    );
    assert!(form.contains("id=\"request-form\""));
    assert!(
        form.contains("id=\"duplicates\"") && form.contains(&format!("#{id}")),
        "the open request at the same place is offered"
    );
    let mine = get_ok(&app, &j.resident, "/requests").await;
    assert!(mine.contains("我的诉求") && mine.contains(&format!("/requests/{id}")));
    assert!(mine.contains("待受理"));
    let detail = get_ok(&app, &j.resident, &format!("/requests/{id}")).await;
    assert!(detail.contains("小区门口路面积水严重"));
    assert!(
        detail.contains("积水深度") && detail.contains("没过脚踝"),
        "answers by label"
    );
    assert!(
        detail.contains("提交诉求") && detail.contains("jumin 同志"),
        "timeline"
    );
    assert!(
        detail.contains("id=\"act-withdraw\""),
        "the requester may withdraw"
    );
    assert!(!detail.contains("id=\"act-accept\""));

    // The dispatcher: the queue by default, with the light, the new-request message and badge.
    let queue = get_ok(&app, &j.desk, "/requests").await;
    assert!(queue.contains("派单队列") && queue.contains(&format!("/requests/{id}")));
    assert!(queue.contains("dot dot-green") && queue.contains("正常"));
    assert!(
        queue.contains("id=\"unread-badge\">1<"),
        "one unread message"
    );
    let inbox = get_ok(&app, &j.desk, "/notifications").await;
    assert!(inbox.contains("新诉求") && inbox.contains(&format!("href=\"/requests/{id}\"")));
    assert!(!inbox.contains("id=\"unread-badge\""), "read on opening");
    let again = get_ok(&app, &j.desk, "/notifications").await;
    assert!(again.contains("没有未读消息"));
    let detail = get_ok(&app, &j.desk, &format!("/requests/{id}")).await;
    assert!(detail.contains("id=\"act-accept\"") && detail.contains("id=\"act-decline\""));
    let mut english = j.desk.clone();
    english.push("jiceng_lang=en".into());
    let detail = get_ok(&app, &english, &format!("/requests/{id}")).await;
    assert!(detail.contains("Timeline") && detail.contains(">Accept</button>"));
    assert!(detail.contains("Submitted") && detail.contains("On time"));
    // The list behind a dashboard figure names the figure in the reader's language.
    let drill = get_ok(&app, &english, "/requests?view=all&metric=submitted").await;
    let figure = drill.split("id=\"request-figure\">").nth(1).unwrap_or("");
    let figure = figure.split("</p>").next().unwrap_or("");
    assert!(
        figure.ends_with("Requests") && !figure.contains("诉求数"),
        "{figure}"
    );
    let xlsx = app
        .page("GET", "/requests/export.xlsx?view=queue", &j.desk, None)
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "an xlsx file");
    let filtered = get_ok(&app, &j.desk, "/requests?view=all&light=red").await;
    assert!(
        !filtered.contains(&format!("/requests/{id}\"")),
        "not overdue"
    );
    let bad = app
        .page("GET", "/requests?from=yesterday", &j.desk, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // A department: its inbox, and nothing of a request that is not its own.
    let todo = get_ok(&app, &j.dept, "/requests").await;
    assert!(todo.contains("待办") && !todo.contains(&format!("/requests/{id}\"")));
    assert!(
        !todo.contains("href=\"/requests/new\""),
        "departments do not submit"
    );
    let hidden = app
        .page("GET", &format!("/requests/{id}"), &j.other, None)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let forbidden = app.page("GET", "/requests/new", &j.dept, None).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_form_keeps_what_was_typed_and_shows_the_message_beside_the_field() {
    let app = TestApp::new().await;
    let (l, j) = jars(&app).await;
    let (cat, grid) = (l.category.to_string(), l.grid.to_string());
    let from = format!("/requests/new?category_id={cat}&place_node_id={grid}");
    let r = post(
        &app,
        &j.resident,
        &from,
        "/requests/new",
        &[
            ("category_id", &cat),
            ("place_node_id", &grid),
            ("q.depth", "没过小腿"),
            ("description", "积水"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let html = r.text();
    assert!(
        html.contains("<span class=\"field-error\" role=\"alert\">请描述问题（至少5个字）</span>"),
        "{html}"
    );
    assert!(
        html.contains("value=\"没过小腿\" checked"),
        "the answer is kept"
    );

    let r = post(
        &app,
        &j.resident,
        &from,
        "/requests/new",
        &[
            ("category_id", &cat),
            ("place_node_id", &grid),
            ("description", "小区南门积水一周了"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请填写「积水深度」"));
    assert!(r.text().contains("小区南门积水一周了</textarea>"));

    let r = post(
        &app,
        &j.resident,
        &from,
        "/requests/new",
        &[
            ("category_id", &cat),
            ("place_node_id", &grid),
            ("q.depth", "没过小腿"),
            ("description", "小区南门积水一周了"),
            ("address", "南门"),
            ("longitude", "116.08"),
            ("latitude", "34.79"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/requests/") && to.ends_with("?done=submit"),
        "{to}"
    );
    let page = get_ok(&app, &j.resident, &to).await;
    assert!(page.contains("诉求已提交") && page.contains("没过小腿") && page.contains("南门"));
}

#[tokio::test]
async fn a_request_goes_round_through_the_detail_page_forms() {
    let app = TestApp::new().await;
    let (l, j) = jars(&app).await;
    let id = submit(&app, &l).await;
    let dept = l.dept_id.to_string();

    done(&app, &j.desk, id, &[("action", "accept")]).await;
    let page = done(
        &app,
        &j.desk,
        id,
        &[
            ("action", "dispatch"),
            ("lead_org_id", &dept),
            ("note", "请尽快处理"),
        ],
    )
    .await;
    assert!(page.contains("待接单") && page.contains("主办：单县综合行政执法局"));

    // Now the department sees it, and its inbox lists it; the other department still does not.
    let todo = get_ok(&app, &j.dept, "/requests").await;
    assert!(todo.contains(&format!("/requests/{id}\"")));
    let other = app
        .page("GET", &format!("/requests/{id}"), &j.other, None)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    done(&app, &j.dept, id, &[("action", "claim")]).await;
    let refused = step(&app, &j.dept, id, &[("action", "resolve"), ("note", " ")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.text().contains("请填写办理结果"),
        "{}",
        refused.text()
    );
    let wrong = step(&app, &j.resident, id, &[("action", "start")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text());
    assert!(wrong.text().contains("须由承办单位办理"));
    let early = step(&app, &j.desk, id, &[("action", "verify")]).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text());
    assert!(early.text().contains("当前状态为「已接单」，不能核查通过"));
    done(
        &app,
        &j.dept,
        id,
        &[("action", "resolve"), ("note", "已疏通雨水井")],
    )
    .await;
    done(&app, &j.desk, id, &[("action", "verify")]).await;
    // Not satisfied: open again, and the page calls the stored rating the earlier one.
    let reopened = done(
        &app,
        &j.resident,
        id,
        &[("action", "rate"), ("rating", "dissatisfied")],
    )
    .await;
    assert!(reopened.contains("<dt>上次评价</dt><dd id=\"request-rating\">不满意</dd>"));
    done(
        &app,
        &j.dept,
        id,
        &[("action", "resolve"), ("note", "已疏通雨水井")],
    )
    .await;
    done(&app, &j.desk, id, &[("action", "verify")]).await;
    let rated = done(
        &app,
        &j.resident,
        id,
        &[("action", "rate"), ("rating", "satisfied")],
    )
    .await;
    assert!(rated.contains("已办结") && rated.contains("已疏通雨水井"));
    assert!(rated.contains("<dt>评价</dt><dd id=\"request-rating\">满意</dd>"));
    for label in ["受理", "派单", "接单", "办结反馈", "核查通过", "评价：满意"] {
        assert!(rated.contains(label), "timeline has {label}");
    }
    assert!(
        !rated.contains("id=\"request-actions\""),
        "nothing left to do"
    );
}
