//! The list behind each coverage figure as an Excel file: the very rows the page lists, from
//! the page and from the API; party members only for those who may see them, and audited.

use crate::pages::sign_in;
use crate::party_members_list::{World, names_in, world};
use crate::rosters::last_audit;
use axum::http::{StatusCode, header};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_io::roster::read_roster;

/// The world of `party_members_list`, with a second estate (in G02) and branch Z01 anchored to
/// grid G01, so that only the second estate lacks a branch.
async fn covered() -> World {
    let w = world().await;
    w.app
        .node(w.grid2, NodeKind::Estate, "371722001001G02E01", "和平小区")
        .await;
    let body = format!(r#"{{"territory_node_id":{}}}"#, w.grid1);
    let uri = format!("/api/v1/nodes/{}/anchors", w.branch1);
    let r = w
        .app
        .api("POST", &uri, Some(&w.secretary), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    w
}

#[tokio::test]
async fn each_coverage_list_downloads_as_the_rows_the_page_lists() {
    let w = covered().await;
    let a = w.town.a;
    let jar = sign_in(&w.app, "secretary").await;
    for (measure, label, want) in [
        ("estates", "小区数", vec!["幸福小区", "和平小区"]),
        ("estates_without_branch", "无党支部小区", vec!["和平小区"]),
        ("grids", "网格数", vec!["东关第一网格", "东关第二网格"]),
        (
            "grids_short_staffed",
            "配备不足网格",
            vec!["东关第一网格", "东关第二网格"],
        ),
        ("branches", "党支部数", vec!["第一党支部"]),
    ] {
        let filters = format!("node_id={a}&measure={measure}");
        let r = w
            .app
            .get(
                &format!("/api/v1/coverage/list/export.xlsx?{filters}"),
                &w.secretary,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{measure}: {}", r.text());
        let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        let name = urlencoding::encode(&format!("东关社区-{label}.xlsx")).into_owned();
        assert!(disposition.contains(&name), "{disposition}");
        let sheet = read_roster(&r.body, "export.xlsx").unwrap();
        assert_eq!(sheet.headers, ["名称", "类型", "编码"], "{measure}");
        let mut got = names_in(&r.body);
        let mut want = want.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{measure}");

        // The API's list and the page hold the same rows, and the page links to the file.
        let list = w
            .app
            .get(
                &format!("/api/v1/coverage/list?{filters}&page_size=500"),
                &w.secretary,
            )
            .await
            .json();
        let mut listed: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        listed.sort();
        assert_eq!(listed, want, "{measure}");
        let page = w
            .app
            .page("GET", &format!("/coverage/list?{filters}"), &jar, None)
            .await
            .text();
        // Askama escapes the & between the link's filters as &#38;.
        let href = format!("/coverage/list/export.xlsx?node_id={a}&#38;measure={measure}");
        assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
        for name in &want {
            assert!(page.contains(name), "{measure}: {name}");
        }
        let file = w
            .app
            .page(
                "GET",
                &format!("/coverage/list/export.xlsx?{filters}"),
                &jar,
                None,
            )
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(
            names_in(&file.body),
            names_in(&r.body),
            "{measure}: page and API differ"
        );
    }
    let sheet = read_roster(
        &w.app
            .get(
                &format!("/api/v1/coverage/list/export.xlsx?node_id={a}&measure=estates"),
                &w.secretary,
            )
            .await
            .body,
        "e.xlsx",
    )
    .unwrap();
    let row = sheet.rows.iter().find(|r| r.get(0) == "幸福小区").unwrap();
    assert_eq!((row.get(1), row.get(2)), ("小区", "371722001001G01E01"));
    let doc = w
        .app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    assert!(
        doc["paths"]
            .get("/api/v1/coverage/list/export.xlsx")
            .is_some()
    );
}

#[tokio::test]
async fn a_figures_party_members_need_the_right_to_see_members_and_their_download_is_audited() {
    let w = covered().await;
    let a = w.town.a;
    let uri = format!("/api/v1/coverage/list/export.xlsx?node_id={a}&measure=party_members");
    let r = w.app.get(&uri, &w.secretary).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let sheet = read_roster(&r.body, "export.xlsx").unwrap();
    assert_eq!(sheet.headers, ["姓名", "党员类别"]);
    assert_eq!(sheet.rows.len(), 5);
    let row = sheet.rows.iter().find(|r| r.get(0) == "王芳").unwrap();
    assert_eq!(row.get(1), "离退休党员");
    let entry = last_audit(&w.app, "party_member").await;
    assert_eq!(entry["action"], "party_member.export");
    let after = entry["after_json"].as_str().unwrap();
    assert!(
        after.contains("\"rows\":5") && after.contains("party_members"),
        "{after}"
    );

    // The page lists them with their category's label, and links to each resident.
    let jar = sign_in(&w.app, "secretary").await;
    let page = w
        .app
        .page(
            "GET",
            &format!("/coverage/list?node_id={a}&measure=party_members"),
            &jar,
            None,
        )
        .await
        .text();
    assert!(
        page.contains("离退休党员") && page.contains("href=\"/residents/"),
        "{page}"
    );

    // A dispatcher sees the places, not the people.
    let dispatcher = w.app.token_for("dispatcher", Role::Dispatcher, a).await;
    assert_eq!(
        w.app.get(&uri, &dispatcher).await.status,
        StatusCode::FORBIDDEN
    );
    let estates = format!("/api/v1/coverage/list/export.xlsx?node_id={a}&measure=estates");
    assert_eq!(
        w.app.get(&estates, &dispatcher).await.status,
        StatusCode::OK
    );
    w.app.user("dispatcher.page", Role::Dispatcher, a).await;
    let d = sign_in(&w.app, "dispatcher.page").await;
    let list = format!("/coverage/list?node_id={a}&measure=party_members");
    assert_eq!(
        w.app.page("GET", &list, &d, None).await.status,
        StatusCode::FORBIDDEN
    );

    // Unknown figures and places outside the scope are refused as for the list.
    let bad = format!("/api/v1/coverage/list/export.xlsx?node_id={a}&measure=nonsense");
    let r = w.app.get(&bad, &w.secretary).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, "invalid_measure".into())
    );
    let b = format!(
        "/api/v1/coverage/list/export.xlsx?node_id={}&measure=estates",
        w.town.b
    );
    assert_eq!(
        w.app.get(&b, &w.secretary).await.status,
        StatusCode::NOT_FOUND
    );
}
