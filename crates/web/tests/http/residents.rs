//! Residents: scoped, masked, sealed at rest; full numbers only for roles that need them, audited.

use crate::common::*;
use axum::http::StatusCode;
use chrono::NaiveDate;
use jiceng_core::node::NodeKind;
use jiceng_core::people::IdCardNo;
use jiceng_core::role::Role;

fn id_no(seq: u16) -> String {
    let birth = NaiveDate::from_ymd_opt(1980 + (seq % 30) as i32, 3, 14).unwrap();
    IdCardNo::synthesize("371722", birth, seq)
        .as_str()
        .to_owned()
}

struct Grids {
    g1: i64,
    g2: i64,
    b_grid: i64,
}

async fn grids(app: &TestApp, t: &Town) -> Grids {
    Grids {
        g1: app
            .node(t.a, NodeKind::Grid, "371722001001G01", "东关第一网格")
            .await,
        g2: app
            .node(t.a, NodeKind::Grid, "371722001001G02", "东关第二网格")
            .await,
        b_grid: app
            .node(t.b, NodeKind::Grid, "371722001002G01", "西关第一网格")
            .await,
    }
}

async fn register(
    app: &TestApp,
    token: &str,
    node: i64,
    name: &str,
    id: &str,
    phone: &str,
) -> Resp {
    let body = format!(
        r#"{{"node_id":{node},"name":"{name}","id_card_no":"{id}","phone":"{phone}","household_relation":"户主","address":"东关路1号"}}"#
    );
    app.api("POST", "/api/v1/residents", Some(token), Some(&body))
        .await
}

#[tokio::test]
async fn a_grid_worker_sees_only_the_people_of_their_grid_with_masked_numbers() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let g = grids(&app, &t).await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    let cw_b = app.token_for("cw.b", Role::CommunityWorker, t.b).await;
    let mine = register(&app, &cw, g.g1, "张三", &id_no(1), "13800001111").await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.text());
    register(&app, &cw, g.g2, "李四", &id_no(2), "13800002222").await;
    register(&app, &cw_b, g.b_grid, "王五", &id_no(3), "13800003333").await;

    let gw = app.token_for("gw.1", Role::GridWorker, g.g1).await;
    let list = app.get("/api/v1/residents", &gw).await.json();
    assert_eq!(list["total"], 1);
    let r = &list["items"][0];
    assert_eq!(r["name"], "张三");
    let full = id_no(1);
    assert_eq!(
        r["id_card_no"],
        format!("{}**********{}", &full[..4], &full[14..])
    );
    assert_eq!(
        r["phone"], "13800001111",
        "grid workers call residents back"
    );
    let other = mine.json()["id"].as_i64().unwrap() + 1;
    assert_eq!(
        app.get(&format!("/api/v1/residents/{other}"), &gw)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let reveal = app
        .api(
            "POST",
            &format!("/api/v1/residents/{}/reveal-id-card", r["id"]),
            Some(&gw),
            None,
        )
        .await;
    assert_eq!(
        reveal.status,
        StatusCode::FORBIDDEN,
        "grid staff work with masked numbers"
    );
}

#[tokio::test]
async fn a_community_worker_reveals_a_full_number_and_the_audit_log_shows_it() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let g = grids(&app, &t).await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    let id = register(&app, &cw, g.g1, "张三", &id_no(7), "13800001111")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/residents/{id}/reveal-id-card"),
            Some(&cw),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["id_card_no"], id_no(7));

    let admin = app.token_for("admin", Role::DistrictAdmin, 1).await;
    let log = app
        .get(
            &format!("/api/v1/audit?object_type=resident&object_id={id}"),
            &admin,
        )
        .await
        .json();
    let views: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "resident.view_id_card")
        .collect();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0]["actor_login"], "cw.a");
    let whole_log = app.get("/api/v1/audit/export.csv", &admin).await.text();
    assert!(
        !whole_log.contains(&id_no(7)),
        "the audit log never holds a full number"
    );
}

#[tokio::test]
async fn numbers_are_sealed_at_rest() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let g = grids(&app, &t).await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    register(&app, &cw, g.g1, "张三", &id_no(9), "13912345678").await;
    use sea_query::{Alias, Expr, Query};
    #[derive(sqlx::FromRow)]
    struct Raw {
        id_card_sealed: String,
        phone_sealed: Option<String>,
    }
    let raw: Vec<Raw> = app
        .db
        .all(
            &Query::select()
                .expr(Expr::col(Alias::new("id_card_sealed")))
                .expr(Expr::col(Alias::new("phone_sealed")))
                .from(Alias::new("residents"))
                .to_owned(),
        )
        .await
        .unwrap();
    assert!(!raw[0].id_card_sealed.contains(&id_no(9)[6..14]));
    assert!(!raw[0].phone_sealed.as_deref().unwrap().contains("12345678"));
}

#[tokio::test]
async fn bad_and_duplicate_numbers_are_refused_with_the_field_named() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let g = grids(&app, &t).await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    let mut bad = id_no(11);
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    let r = register(&app, &cw, g.g1, "张三", &bad, "13800001111").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["details"]["field"], "id_card_no");
    let r = register(&app, &cw, g.g1, "张三", &id_no(12), "12345").await;
    assert_eq!(r.json()["details"]["field"], "phone");
    assert_eq!(
        register(&app, &cw, g.g1, "张三", &id_no(12), "13800001111")
            .await
            .status,
        StatusCode::CREATED
    );
    // The same person typed with full-width digits is still the same person.
    let full_width: String = id_no(12)
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let dup = register(&app, &cw, g.g2, "张三", &full_width, "13800001111").await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.json()["details"]["field"], "id_card_no");
    let outside = register(&app, &cw, g.b_grid, "赵六", &id_no(13), "13800001111").await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn residents_are_found_by_name_phone_tail_and_masked_number() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let g = grids(&app, &t).await;
    let cw = app.token_for("cw.a", Role::CommunityWorker, t.a).await;
    register(&app, &cw, g.g1, "张三", &id_no(21), "13800001111").await;
    register(&app, &cw, g.g2, "张三丰", &id_no(22), "13800002222").await;
    register(&app, &cw, g.g2, "李四", &id_no(23), "13800003333").await;
    let names = |j: serde_json::Value| -> Vec<String> {
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(
            app.get("/api/v1/residents?q=%E5%BC%A0%E4%B8%89", &cw)
                .await
                .json()
        ),
        ["张三", "张三丰"]
    );
    assert_eq!(
        names(app.get("/api/v1/residents?q=3333", &cw).await.json()),
        ["李四"]
    );
    let masked = app.get("/api/v1/residents?q=3333", &cw).await.json()["items"][0]["id_card_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let enc = urlencoding::encode(&masked).into_owned();
    assert!(
        names(
            app.get(&format!("/api/v1/residents?q={enc}"), &cw)
                .await
                .json()
        )
        .contains(&"李四".to_owned())
    );
    assert_eq!(
        names(
            app.get(&format!("/api/v1/residents?q={}", id_no(21)), &cw)
                .await
                .json()
        ),
        ["张三"]
    );
    assert_eq!(
        names(
            app.get(&format!("/api/v1/residents?node_id={}", g.g2), &cw)
                .await
                .json()
        ),
        ["张三丰", "李四"]
    );
}
