//! Organisations, anchors between the trees, grid staffing, party members and coverage, over HTTP.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::people::IdCardNo;
use jiceng_core::role::Role;

async fn post(app: &TestApp, token: &str, uri: &str, body: &str) -> Resp {
    app.api("POST", uri, Some(token), Some(body)).await
}

#[tokio::test]
async fn places_below_a_community_get_codes_derived_from_their_parent() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    let g1 = post(
        &app,
        &token,
        "/api/v1/nodes",
        &format!(r#"{{"parent_id":{},"kind":"grid","name":"第一网格"}}"#, t.a),
    )
    .await
    .json();
    assert_eq!(g1["code"], "371722001001G01");
    assert_eq!(g1["subtype"], "residential");
    let g2 = post(
        &app,
        &token,
        "/api/v1/nodes",
        &format!(
            r#"{{"parent_id":{},"kind":"grid","name":"实验小学网格","subtype":"school"}}"#,
            t.a
        ),
    )
    .await
    .json();
    assert_eq!(
        (g2["code"].as_str(), g2["subtype"].as_str()),
        (Some("371722001001G02"), Some("school"))
    );
    let e = post(
        &app,
        &token,
        "/api/v1/nodes",
        &format!(
            r#"{{"parent_id":{},"kind":"estate","code":"e7","name":"幸福小区"}}"#,
            g1["id"]
        ),
    )
    .await
    .json();
    assert_eq!(e["code"], "371722001001G01E7");
    let bad = post(
        &app,
        &token,
        "/api/v1/nodes",
        &format!(
            r#"{{"parent_id":{},"kind":"estate","name":"x","subtype":"school"}}"#,
            g1["id"]
        ),
    )
    .await;
    assert_eq!(
        (bad.status, bad.json()["details"]["field"].clone()),
        (StatusCode::BAD_REQUEST, "subtype".into())
    );
}

#[tokio::test]
async fn a_branch_anchored_to_a_grid_with_members_and_staff_shows_in_coverage() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let committee = app
        .node(1, NodeKind::Committee, "DW001", "东关社区党委")
        .await;
    let token = app.token_for("worker", Role::CommunityWorker, t.a).await;
    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let grid = post(
        &app,
        &token,
        "/api/v1/nodes",
        &format!(r#"{{"parent_id":{},"kind":"grid","name":"第一网格"}}"#, t.a),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let estate = post(
        &app,
        &token,
        "/api/v1/nodes",
        &format!(r#"{{"parent_id":{grid},"kind":"estate","name":"幸福小区"}}"#),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();

    let figures = |j: &serde_json::Value| j["rows"][0]["figures"].clone();
    let before = figures(
        &app.get(&format!("/api/v1/coverage?node_id={}", t.a), &admin)
            .await
            .json(),
    );
    assert_eq!(
        (
            before["estates"].as_i64(),
            before["estates_without_branch"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(before["grids_short_staffed"], 1);

    let branch = post(
        &app,
        &admin,
        "/api/v1/nodes",
        &format!(
            r#"{{"parent_id":{committee},"kind":"branch","code":"ZB1","name":"第一网格党支部"}}"#
        ),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let r = post(
        &app,
        &admin,
        &format!("/api/v1/nodes/{branch}/anchors"),
        &format!(r#"{{"territory_node_id":{grid}}}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let wrong = post(
        &app,
        &admin,
        &format!("/api/v1/nodes/{grid}/anchors"),
        &format!(r#"{{"territory_node_id":{estate}}}"#),
    )
    .await;
    assert_eq!(wrong.json()["code"], "invalid_anchor");
    let anchors = app
        .get(&format!("/api/v1/nodes/{branch}/anchors"), &admin)
        .await
        .json();
    assert_eq!(anchors[0]["id"], grid);

    for (role, name) in [
        ("grid_leader", "网格长甲"),
        ("网格指导员", "指导员乙"),
        ("grid_worker", "专职丙"),
        ("grid_helper", "兼职丁"),
    ] {
        let r = post(
            &app,
            &token,
            &format!("/api/v1/grids/{grid}/staff"),
            &format!(r#"{{"role":"{role}","name":"{name}","phone":"13900001111"}}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = post(
        &app,
        &token,
        &format!("/api/v1/grids/{estate}/staff"),
        r#"{"role":"grid_leader","name":"甲"}"#,
    )
    .await;
    assert_eq!(r.json()["code"], "not_a_grid");
    let org = post(&app, &token, "/api/v1/organisations",
        &format!(r#"{{"kind":"property_company","name":"安居物业","home_node_id":{},"serves":[{estate}],"contact_phone":"0530-1234567"}}"#, t.a)).await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.text());

    let id = IdCardNo::synthesize(
        "371722",
        chrono::NaiveDate::from_ymd_opt(1955, 7, 1).unwrap(),
        3,
    );
    let resident = post(
        &app,
        &token,
        "/api/v1/residents",
        &format!(
            r#"{{"node_id":{estate},"name":"老党员","id_card_no":"{}"}}"#,
            id.as_str()
        ),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let member = format!(
        r#"{{"resident_id":{resident},"org_node_id":{branch},"category":"离退休党员","member_household":true}}"#
    );
    assert_eq!(
        post(&app, &admin, "/api/v1/party-members", &member)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "admins oversee, communities enrol"
    );
    let street = app.token_for("street", Role::StreetStaff, t.street).await;
    let r = post(&app, &street, "/api/v1/party-members", &member).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "the branch lies outside the street's territory scope"
    );
    // The community's secretary holds the worker role on both trees, and enrols the member.
    let actor = app.actor();
    let grants = vec![(Role::CommunityWorker, committee)];
    let extra = jiceng_store::users::NewUser {
        login: jiceng_core::account::Login::parse("secretary2").unwrap(),
        display_name: "书记".into(),
        unit_name: String::new(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: [grants, vec![(Role::CommunityWorker, t.a)]].concat(),
    };
    jiceng_store::users::create(
        &app.db,
        jiceng_store::users::Authority::Operator,
        &actor,
        extra,
    )
    .await
    .unwrap();
    let sec2 = app.login("secretary2").await;
    let r = post(&app, &sec2, "/api/v1/party-members", &member).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        post(&app, &sec2, "/api/v1/party-members", &member)
            .await
            .status,
        StatusCode::CONFLICT
    );
    // The branch's page lists the member in the reader's language.
    let mut jar = crate::pages::sign_in(&app, "secretary2").await;
    jar.push("jiceng_lang=en".into());
    let page = app
        .page("GET", &format!("/nodes/{branch}"), &jar, None)
        .await
        .text();
    assert!(page.contains("<td>Member household</td>"), "{page}");
    assert!(
        !page.contains("党员中心户") && !page.contains("离退休党员"),
        "{page}"
    );

    let after = figures(
        &app.get(&format!("/api/v1/coverage?node_id={}", t.a), &admin)
            .await
            .json(),
    );
    assert_eq!(after["estates_without_branch"], 0);
    assert_eq!(after["estates_without_property_company"], 0);
    assert_eq!(after["estates_without_owners_committee"], 1);
    assert_eq!(after["grids_short_staffed"], 0);
    assert_eq!(after["branches"], 1);
    assert_eq!(after["party_members"], 1);
    // Every node figure equals the list it links to.
    for (measure, n) in after.as_object().unwrap() {
        if measure == "party_members" {
            continue;
        }
        let list = app
            .get(
                &format!(
                    "/api/v1/coverage/list?node_id={}&measure={measure}&page_size=500",
                    t.a
                ),
                &admin,
            )
            .await
            .json();
        assert_eq!(&list["total"], n, "{measure}");
        assert_eq!(
            list["items"].as_array().unwrap().len() as i64,
            n.as_i64().unwrap(),
            "{measure}"
        );
    }
    // A stricter norm, set by the district, makes the grid short again.
    let norm = r#"{"grid_leader":1,"grid_instructor":1,"grid_worker":2,"grid_helper":1}"#;
    assert_eq!(
        app.api(
            "PUT",
            "/api/v1/settings/staffing-norm",
            Some(&street),
            Some(norm)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(
            "PUT",
            "/api/v1/settings/staffing-norm",
            Some(&admin),
            Some(norm)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let strict = app
        .get(&format!("/api/v1/coverage?node_id={}", t.a), &admin)
        .await
        .json();
    assert_eq!(strict["norm"], "1+1+2+1");
    assert_eq!(strict["rows"][0]["figures"]["grids_short_staffed"], 1);
}

#[tokio::test]
async fn community_b_organisations_and_grids_are_not_found_from_community_a() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid_b = app.node(t.b, NodeKind::Grid, "", "西关网格").await;
    let token_a = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    for (method, uri, body) in [
        ("GET", format!("/api/v1/grids/{grid_b}/staff"), None),
        (
            "POST",
            format!("/api/v1/grids/{grid_b}/staff"),
            Some(r#"{"role":"grid_leader","name":"甲"}"#),
        ),
        ("GET", format!("/api/v1/coverage?node_id={}", t.b), None),
        (
            "GET",
            format!("/api/v1/coverage/list?node_id={}&measure=grids", t.b),
            None,
        ),
    ] {
        let r = app.api(method, &uri, Some(&token_a), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {uri}");
    }
    let org = format!(
        r#"{{"kind":"owners_committee","name":"西关业委会","home_node_id":{}}}"#,
        t.b
    );
    assert_eq!(
        post(&app, &token_a, "/api/v1/organisations", &org)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_organisation_with_a_mistyped_credit_code_is_refused() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    let body = |code: &str| {
        format!(
            r#"{{"kind":"property_company","name":"东关物业","home_node_id":{},"credit_code":"{code}"}}"#,
            t.a
        )
    };
    let r = post(
        &app,
        &token,
        "/api/v1/organisations",
        &body("91371722MA3C00000X"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["details"]["field"], "credit_code");
    assert_eq!(app.count("organisations").await, 0);
}
