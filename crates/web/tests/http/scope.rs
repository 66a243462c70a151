//! A user scoped to community A sees nothing of sibling community B: every endpoint answers 404
//! exactly as for an id that does not exist, so existence does not leak.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;

#[tokio::test]
async fn a_community_a_user_gets_404_for_every_object_of_sibling_community_b() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid_b = app
        .node(t.b, NodeKind::Grid, "371722001002G01", "西关一网格")
        .await;
    let user_b = app.user("worker.b", Role::CommunityWorker, t.b).await;
    let token = app.token_for("worker.a", Role::CommunityWorker, t.a).await;
    let missing = 999_999;

    let gets = |id: i64| {
        vec![
            format!("/api/v1/nodes/{id}"),
            format!("/api/v1/nodes?parent_id={id}"),
            format!("/api/v1/users/{id}"),
        ]
    };
    for (b_id, what) in [
        (t.b, "community B"),
        (grid_b, "grid in B"),
        (user_b, "user in B"),
    ] {
        for (uri, uri_missing) in gets(b_id).into_iter().zip(gets(missing)) {
            if uri.contains("/users/") != (what == "user in B") {
                continue;
            }
            let r = app.get(&uri, &token).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {uri}");
            let m = app.get(&uri_missing, &token).await;
            assert_eq!(r.json(), m.json(), "{uri} must look like a missing object");
        }
    }
    // B's residents: not found to read, to reveal, or to register under.
    let cw_b = app.token_for("cw.b", Role::CommunityWorker, t.b).await;
    let birth = chrono::NaiveDate::from_ymd_opt(1975, 5, 5).unwrap();
    let id_no = jiceng_core::people::IdCardNo::synthesize("371722", birth, 5);
    let body = format!(
        r#"{{"node_id":{grid_b},"name":"西关居民","id_card_no":"{}"}}"#,
        id_no.as_str()
    );
    let resident_b = app
        .api("POST", "/api/v1/residents", Some(&cw_b), Some(&body))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    for (method, uri) in [
        ("GET", format!("/api/v1/residents/{resident_b}")),
        (
            "POST",
            format!("/api/v1/residents/{resident_b}/reveal-id-card"),
        ),
        ("GET", format!("/api/v1/residents?node_id={grid_b}")),
    ] {
        let r = app.api(method, &uri, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {uri}");
    }
    let r = app
        .api(
            "POST",
            "/api/v1/residents",
            Some(&token),
            Some(&body.replace("西关居民", "越权登记")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Writes under B are not found either, and write nothing.
    let before = app.count("nodes").await;
    let r = app
        .api(
            "POST",
            "/api/v1/nodes",
            Some(&token),
            Some(&format!(
                r#"{{"parent_id":{},"kind":"grid","code":"X1","name":"越权网格"}}"#,
                t.b
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("nodes").await, before);

    // Pages: the same 404 for B's node, B's account and a form posted to B's node.
    let cookies = crate::pages::sign_in(&app, "worker.a").await;
    for uri in [
        format!("/nodes/{}", t.b),
        format!("/nodes/{grid_b}"),
        format!("/residents/{resident_b}"),
    ] {
        let r = app.page("GET", &uri, &cookies, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!r.text().contains("西关"), "{uri} leaks B's name");
    }
    let csrf = crate::pages::csrf_of(&app.page("GET", "/", &cookies, None).await.text());
    let r = app
        .page(
            "POST",
            &format!("/nodes/{}", t.b),
            &cookies,
            Some(&format!("_csrf={csrf}&kind=grid&code=X2&name=x")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("nodes").await, before);
}

#[tokio::test]
async fn a_street_user_creating_accounts_cannot_grant_in_another_street() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let other_street = app
        .node(t.district, NodeKind::Street, "371722002", "南城街道")
        .await;
    let token = app.token_for("staff", Role::StreetStaff, t.street).await;
    let before = app.count("users").await;
    let r = app
        .api("POST", "/api/v1/users", Some(&token),
            Some(&format!(
                r#"{{"login":"intruder","display_name":"x","password":"Start-2026","grants":[{{"role":"grid_worker","node_id":{other_street}}}]}}"#
            )))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("users").await, before);
}

#[tokio::test]
async fn lists_show_only_what_lies_in_scope() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.user("worker.b", Role::CommunityWorker, t.b).await;
    let token = app.token_for("worker.a", Role::CommunityWorker, t.a).await;
    // Walking down from the street shows A but not B.
    let r = app
        .get(&format!("/api/v1/nodes?parent_id={}", t.street), &token)
        .await
        .json();
    let names: Vec<_> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].clone())
        .collect();
    assert_eq!(names, ["东关社区"]);
    assert_eq!(r["total"], 1);
    let users = app.get("/api/v1/users", &token).await.json();
    let logins: Vec<_> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].clone())
        .collect();
    assert_eq!(logins, ["worker.a"]);
    // The roots of the scope are where the tree starts for this user.
    let roots = app.get("/api/v1/nodes", &token).await.json();
    assert_eq!(roots["items"][0]["id"], t.a);
}

#[tokio::test]
async fn a_district_auditor_sees_audit_entries_only_inside_their_scope() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let other = app.node(1, NodeKind::District, "371723", "成武县").await;
    let token = app.token_for("auditor", Role::Auditor, t.district).await;
    let r = app
        .get("/api/v1/audit?object_type=node", &token)
        .await
        .json();
    let ids: Vec<String> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["object_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&t.a.to_string()));
    assert!(
        !ids.contains(&other.to_string()),
        "成武县 lies outside 单县"
    );
    let r = app
        .get(
            &format!("/api/v1/audit?object_type=node&object_id={other}"),
            &token,
        )
        .await
        .json();
    assert_eq!(r["total"], 0);
}

#[tokio::test]
async fn roles_without_the_permission_are_refused_with_403() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("grid", Role::GridWorker, t.a).await;
    for uri in ["/api/v1/audit", "/api/v1/users"] {
        let r = app.get(uri, &token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(r.json()["code"], "forbidden");
    }
}
