//! The dashboard (数据看板) and the public board (公示), driven as a browser would: after a
//! scripted mix of requests every number on the dashboard — rates, figures, trend bars and dots,
//! category bars, ranking cells, heat cells — opens a list of exactly that many requests; the
//! export is an Excel file; only roles with `view_requests` get the page; and the public board,
//! open to anyone, never prints a name, phone, 身份证 or house number.

use crate::common::*;
use crate::pages::sign_in;
use crate::rates::scripted_mix;
use crate::requests::{Loop, act, department, setup, submit};
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Undoes the HTML escaping of an attribute value (`&#38;`, `&amp;`, `&#x2f;` …).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=end]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every `data-value="N" href="…"` pair on a page: the figures and where they lead.
fn figure_links(html: &str) -> Vec<(i64, String)> {
    html.split("data-value=\"")
        .skip(1)
        .map(|part| {
            let value = part.split('"').next().unwrap().parse().unwrap();
            let href = part
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (value, unescape(href))
        })
        .collect()
}

async fn page_ok(app: &TestApp, jar: &[String], uri: &str) -> String {
    let r = app.page("GET", uri, jar, None).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.text()
}

#[tokio::test]
async fn every_number_on_the_dashboard_opens_a_list_of_that_many_requests() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    scripted_mix(&app, &l).await;
    // A unit that led nothing: not ranked among the units, only counted.
    department(&app, "单县闲置办公室", l.district, "xianzhi").await;
    app.user("quxian", Role::DistrictAdmin, l.district).await;
    let jar = sign_in(&app, "quxian").await;
    let token = app.login("quxian").await;

    let uri = format!(
        "/dashboard?node_id={}&month_from=2026-09&month_to=2026-10",
        l.district
    );
    let html = page_ok(&app, &jar, &uri).await;
    for label in [
        "响应率",
        "按时办结率",
        "满意率",
        "解决率",
        "退单率",
        "100.0%",
    ] {
        assert!(html.contains(label), "{label} is on the dashboard");
    }
    for id in [
        "trend-chart",
        "category-chart",
        "rank-places",
        "rank-units",
        "heat-chart",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} is drawn");
    }
    assert!(html.contains("单县综合行政执法局"), "the unit is ranked");
    let units = app
        .get(
            &format!(
                "/api/v1/rates?node_id={}&month_from=2026-09&month_to=2026-10&by=units",
                l.district
            ),
            &token,
        )
        .await
        .json();
    let idle = units["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["figures"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["metric"] == "submitted" && f["value"] == 0)
        })
        .count();
    assert!(idle >= 1, "{units}");
    assert!(
        !html.contains("单县闲置办公室"),
        "a unit that led nothing is not listed"
    );
    assert!(
        html.contains(&format!(
            "id=\"rank-units-idle\">此期间未承办诉求、未列出的单位（导出表中有）：{idle}</p>"
        )),
        "but counted"
    );
    assert!(html.contains("第一网格"), "the grid is in the heat map");

    let links = figure_links(&html);
    let mut seen: BTreeMap<String, i64> = BTreeMap::new();
    for (value, href) in &links {
        assert!(href.starts_with("/requests?view=all&"), "{href}");
        if let Some(before) = seen.insert(href.clone(), *value) {
            assert_eq!(before, *value, "one list, one number: {href}");
            continue;
        }
        let list = app.get(&format!("/api/v1{href}"), &token).await;
        assert_eq!(list.status, StatusCode::OK, "{href}: {}", list.text());
        assert_eq!(list.json()["total"], json!(value), "{href}");
    }
    assert!(seen.len() > 40, "{} distinct figures checked", seen.len());
    assert!(
        seen.keys().any(|h| h.contains("category_id="))
            && seen.keys().any(|h| h.contains("unit_id=")),
        "categories and units link too"
    );

    // The list page itself says what it counts and shows as many rows.
    let (value, href) = links
        .iter()
        .find(|(v, h)| *v > 0 && h.contains("metric=closed&"))
        .expect("a closed figure");
    let list = page_ok(&app, &jar, href).await;
    assert!(list.contains("统计口径：办结数"), "{href}");
    assert!(list.contains(&format!("<span class=\"pager-total\">{value}</span>")));

    // Drilling down to the street, then to its community, keeps the months.
    let drill = links_to(&html, "/dashboard?node_id=");
    assert!(
        !drill.is_empty(),
        "the district's streets open their dashboards"
    );
    let street = page_ok(&app, &jar, &drill[0]).await;
    assert!(street.contains("北城街道") && street.contains("month_from=2026-09"));

    // Default months: the last twelve, this one included.
    let plain = page_ok(&app, &jar, "/dashboard").await;
    assert!(plain.contains("value=\"2025-11\"") && plain.contains("value=\"2026-10\""));
    let bad = app
        .page(
            "GET",
            "/dashboard?month_from=2026-10&month_to=2026-01",
            &jar,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let x = app
        .page(
            "GET",
            &uri.replace("/dashboard?", "/dashboard/export.xlsx?"),
            &jar,
            None,
        )
        .await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.text());
    assert!(
        x.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert!(x.body.starts_with(b"PK"), "an xlsx is a zip");
}

fn links_to(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|p| unescape(p.split('"').next().unwrap()))
        .filter(|h| h.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn only_roles_that_view_requests_get_the_dashboard() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    submit(&app, &l).await;
    app.user("wangge", Role::GridWorker, l.grid).await;
    for (login, status) in [
        ("jumin", StatusCode::FORBIDDEN),
        ("chengguan", StatusCode::FORBIDDEN),
        ("wangge", StatusCode::OK),
        ("paidan", StatusCode::OK),
    ] {
        let jar = sign_in(&app, login).await;
        let r = app.page("GET", "/dashboard", &jar, None).await;
        assert_eq!(r.status, status, "{login}: {}", r.text());
        let home = page_ok(&app, &jar, "/").await;
        assert_eq!(
            home.contains("href=\"/dashboard\""),
            status == StatusCode::OK,
            "{login}'s navigation"
        );
        let x = app.page("GET", "/dashboard/export.xlsx", &jar, None).await;
        assert_eq!(x.status, status, "{login}'s export");
    }
    // The grid worker's dashboard is their grid's, and counts the request submitted there.
    let jar = sign_in(&app, "wangge").await;
    let html = page_ok(&app, &jar, "/dashboard").await;
    assert!(html.contains("<strong>第一网格</strong>"));
    assert!(
        figure_links(&html)
            .iter()
            .any(|(v, h)| *v == 1 && h.contains("metric=submitted"))
    );
}

async fn ok(app: &TestApp, token: &str, id: i64, body: Value) {
    let r = act(app, token, id, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// Accepted, dispatched, claimed, resolved with `result`, verified, rated satisfied by `rater`.
async fn close_with(app: &TestApp, l: &Loop, id: i64, result: &str, rater: &str) {
    ok(app, &l.desk, id, json!({"action": "accept"})).await;
    ok(
        app,
        &l.desk,
        id,
        json!({"action": "dispatch", "lead_org_id": l.dept_id}),
    )
    .await;
    ok(app, &l.dept, id, json!({"action": "claim"})).await;
    ok(
        app,
        &l.dept,
        id,
        json!({"action": "resolve", "note": result}),
    )
    .await;
    ok(app, &l.desk, id, json!({"action": "verify"})).await;
    ok(
        app,
        rater,
        id,
        json!({"action": "rate", "rating": "satisfied"}),
    )
    .await;
}

#[tokio::test]
async fn the_public_board_shows_closed_requests_without_personal_data() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let estate = app.node(l.grid, NodeKind::Estate, "", "幸福家园小区").await;
    // A call taken by the desk for 李四, at an estate, with everything personal in it.
    let body = json!({
        "category_id": l.category, "place_node_id": estate, "channel": "hotline",
        "description": "张三反映：5号楼3单元402门口积水，电话13812345678，身份证371722199001011234",
        "answers": {"depth": "没过脚踝"},
        "address": "5号楼3单元402室", "requester_name": "李四", "requester_phone": "13912345678",
    });
    let r = app
        .api(
            "POST",
            "/api/v1/requests",
            Some(&l.desk),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let hotline = r.json()["id"].as_i64().unwrap();
    close_with(
        &app,
        &l,
        hotline,
        "已联系居民张三（13812345678），身份证371722199001011234核实无误；李四家5号楼3单元402室门前积水已清理，王五师傅上门处理",
        &l.desk,
    )
    .await;
    // The resident's own request: its description is never shown.
    let own = submit(&app, &l).await;
    close_with(&app, &l, own, "积水已排除，疏通雨水井2处", &l.resident).await;
    // Still open: not on the board.
    submit(&app, &l).await;

    let r = app.page("GET", "/public/board", &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "no sign-in needed: {}", r.text());
    let html = r.text();
    for shown in [
        "路面积水",
        "东关社区 · 第一网格",
        "单县综合行政执法局",
        "满意",
        "积水已清理",
        "疏通雨水井2处",
    ] {
        assert!(html.contains(shown), "{shown} is on the board");
    }
    assert!(
        html.contains("<span class=\"pager-total\">2</span>"),
        "two closed requests"
    );
    for secret in [
        "张三",
        "李四",
        "王五",
        "jumin",
        "13812345678",
        "13912345678",
        "1381234",
        "371722199001011234",
        "5号楼",
        "3单元",
        "402",
        "幸福家园",
        "小区门口路面积水严重",
        "没过脚踝",
    ] {
        assert!(!html.contains(secret), "{secret} leaked onto the board");
    }

    let community = app
        .page("GET", "/public/board?node=371722001001", &[], None)
        .await;
    assert!(
        community
            .text()
            .contains("<span class=\"pager-total\">2</span>")
    );
    let other = app
        .page("GET", "/public/board?node=371722001002", &[], None)
        .await;
    assert!(
        other
            .text()
            .contains("<span class=\"pager-total\">0</span>")
    );
    let cat = app
        .page(
            "GET",
            &format!("/public/board?node=371722001&category={}", l.category),
            &[],
            None,
        )
        .await;
    assert!(cat.text().contains("<span class=\"pager-total\">2</span>"));
    // An estate has no board of its own, and an unknown place is just not found.
    let estate_code =
        jiceng_store::nodes::get(&app.db, &jiceng_core::scope::Scope::everything(), estate)
            .await
            .unwrap()
            .code;
    for code in [estate_code.as_str(), "999999"] {
        let r = app
            .page("GET", &format!("/public/board?node={code}"), &[], None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{code}");
    }
}
