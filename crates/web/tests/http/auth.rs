use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::role::Role;

#[tokio::test]
async fn health_check_answers_ok() {
    let app = TestApp::new().await;
    let r = app.api("GET", "/healthz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_token_from_login_opens_the_callers_own_account() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("worker.a", Role::CommunityWorker, t.a).await;
    let me = app.get("/api/v1/me", &token).await.json();
    assert_eq!(me["user"]["login"], "worker.a");
    assert_eq!(me["unit"], "东关社区");
    assert_eq!(me["grants"][0]["role"], "community_worker");
    assert_eq!(me["grants"][0]["role_label"], "社区工作者");
    assert!(me["user"].get("password_hash").is_none());
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_with_401() {
    let app = TestApp::new().await;
    for token in [None, Some("not-a-token")] {
        let r = app.api("GET", "/api/v1/me", token, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "unauthenticated");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_login_get_the_same_answer() {
    let app = TestApp::new().await;
    app.user("zhang", Role::DistrictAdmin, 1).await;
    let wrong = app
        .api(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(r#"{"login":"zhang","password":"nope-123"}"#),
        )
        .await;
    let unknown = app
        .api(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(r#"{"login":"nobody","password":"nope-123"}"#),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.json()["message"], "登录名或密码错误");
}

async fn attempt(app: &TestApp, login: &str, password: &str) -> Resp {
    let body = format!(r#"{{"login":"{login}","password":"{password}"}}"#);
    app.api("POST", "/api/v1/auth/login", None, Some(&body))
        .await
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_login_with_a_chinese_message_and_unknown_logins_alike() {
    let app = TestApp::new().await;
    app.user("lili", Role::GridWorker, 1).await;
    for login in ["lili", "ghost"] {
        for i in 1..=4 {
            let r = attempt(&app, login, "wrong-pass-1").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{login} attempt {i}");
        }
        let fifth = attempt(&app, login, "wrong-pass-1").await;
        assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS, "{login}");
        assert_eq!(fifth.json()["code"], "too_many_attempts");
        assert!(
            fifth.json()["message"]
                .as_str()
                .unwrap()
                .contains("分钟后再试")
        );
        // Locked means locked: even the right password is refused, with the same message.
        let right = attempt(&app, login, PASSWORD).await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(right.json(), fifth.json());
    }
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(attempt(&app, "lili", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let app = TestApp::new().await;
    app.user("wang", Role::GridWorker, 1).await;
    for _ in 0..4 {
        attempt(&app, "wang", "wrong-pass-1").await;
    }
    assert_eq!(attempt(&app, "wang", PASSWORD).await.status, StatusCode::OK);
    for _ in 0..4 {
        assert_eq!(
            attempt(&app, "wang", "wrong-pass-1").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn logins_are_case_insensitive() {
    let app = TestApp::new().await;
    app.user("zhao", Role::GridWorker, 1).await;
    assert_eq!(
        attempt(&app, " ZHAO ", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_ends_the_token() {
    let app = TestApp::new().await;
    let token = app.token_for("sun", Role::DistrictAdmin, 1).await;
    let r = app
        .api("POST", "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Runs one statement on the test database, as another instance or an operator would.
async fn sql(app: &TestApp, q: sea_query::UpdateStatement) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(&q).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_changed_role_or_a_deactivated_account_holds_from_the_very_next_request() {
    use sea_query::{Alias, Expr, ExprTrait, Query};
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app.token_for("worker.a", Role::CommunityWorker, t.a).await;
    let me = app.get("/api/v1/me", &token).await.json();
    assert_eq!(me["grants"].as_array().unwrap().len(), 1);
    // The role moves to the other community: the next request sees it (nothing is cached).
    sql(
        &app,
        Query::update()
            .table(Alias::new("grants"))
            .value(Alias::new("node_id"), t.b)
            .and_where(Expr::col(Alias::new("node_id")).eq(t.a))
            .to_owned(),
    )
    .await;
    let me = app.get("/api/v1/me", &token).await.json();
    assert_eq!(me["grants"][0]["node_id"], t.b, "{me}");
    sql(
        &app,
        Query::update()
            .table(Alias::new("users"))
            .value(Alias::new("active"), false)
            .and_where(Expr::col(Alias::new("login")).eq("worker.a"))
            .to_owned(),
    )
    .await;
    let r = app.get("/api/v1/me", &token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_retires_the_old_password() {
    let app = TestApp::new().await;
    let first = app.token_for("qian", Role::GridWorker, 1).await;
    let second = app.login("qian").await;
    let bad = app
        .api(
            "POST",
            "/api/v1/me/password",
            Some(&first),
            Some(r#"{"current_password":"wrong-1234","new_password":"New-pass-2026"}"#),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.json()["details"]["field"], "current_password");
    let weak = app
        .api(
            "POST",
            "/api/v1/me/password",
            Some(&first),
            Some(&format!(
                r#"{{"current_password":"{PASSWORD}","new_password":"short"}}"#
            )),
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert_eq!(weak.json()["details"]["field"], "new_password");
    let ok = app
        .api(
            "POST",
            "/api/v1/me/password",
            Some(&first),
            Some(&format!(
                r#"{{"current_password":"{PASSWORD}","new_password":"New-pass-2026"}}"#
            )),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", &first).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &second).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attempt(&app, "qian", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attempt(&app, "qian", "New-pass-2026").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn street_staff_create_grid_workers_but_not_administrators() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let token = app
        .token_for("street.staff", Role::StreetStaff, t.street)
        .await;
    let body = |role: &str| {
        format!(
            r#"{{"login":"new.{role}","display_name":"新同志","password":"Start-2026","grants":[{{"role":"{role}","node_id":{}}}]}}"#,
            t.a
        )
    };
    let ok = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(&body("grid_worker")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    let no = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(&body("district_admin")),
        )
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    let dup = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(&body("grid_worker")),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.json()["details"]["field"], "login");
    // The new account can sign in with its initial password.
    let r = attempt(&app, "new.grid_worker", "Start-2026").await;
    assert_eq!(r.status, StatusCode::OK);
}
