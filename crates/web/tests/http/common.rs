//! `TestApp`: the real router on a fresh migrated database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set), driven in-process. The clock is manual so throttling windows
//! can pass without sleeping.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use jiceng_core::clock::ManualClock;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, NewNode};
use jiceng_store::testing::{TestDb, test_db};
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db};
use jiceng_web::{AppState, WebConfig};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "Test-pass-2026";

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub vault: jiceng_store::vault::Vault,
    pub clock: ManualClock,
    _guard: TestDb,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "not JSON ({}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// `name=value` of every Set-Cookie, for a following request's Cookie header.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").to_owned())
            .collect()
    }
}

impl TestApp {
    pub async fn new() -> Self {
        let guard = test_db().await;
        let db = guard.db.clone();
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 9, 30, 9, 0, 0).unwrap());
        let vault =
            jiceng_store::vault::Vault::from_base64(&jiceng_store::vault::Vault::generate_key())
                .unwrap();
        let state = AppState {
            db: db.clone(),
            vault: vault.clone(),
            clock: Arc::new(clock.clone()),
            calendar: Arc::new(jiceng_core::calendar::Calendar::shipped()),
            config: Arc::new(WebConfig::default()),
        };
        Self {
            router: jiceng_web::app(state),
            db,
            vault,
            clock,
            _guard: guard,
        }
    }

    /// Where the test database is, for a test that opens a connection of its own.
    pub fn db_url(&self) -> &str {
        &self._guard.url
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A JSON API call; `body` is sent as raw text so tests can send broken JSON.
    pub async fn api(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(s) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(s.to_owned()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.api("GET", uri, Some(token), None).await
    }

    /// A page request with cookies.
    pub async fn page(
        &self,
        method: &str,
        uri: &str,
        cookies: &[String],
        form: Option<&str>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(uri);
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies.join("; "));
        }
        let req = match form {
            Some(f) => b
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(f.to_owned()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub fn actor(&self) -> Actor {
        Actor::system("test", jiceng_core::clock::Clock::now(&self.clock))
    }

    /// A node created directly in the store (setup, not under test).
    pub async fn node(&self, parent: i64, kind: NodeKind, code: &str, name: &str) -> i64 {
        let new = NewNode::parse(parent, kind.as_str(), code, name).unwrap();
        nodes::create(&self.db, &Scope::everything(), &self.actor(), new)
            .await
            .unwrap()
            .id
    }

    /// An account holding `role` at `node`, created by the operator.
    pub async fn user(&self, login: &str, role: Role, node: i64) -> i64 {
        let new = NewUser {
            login: jiceng_core::account::Login::parse(login).unwrap(),
            display_name: format!("{login} 同志"),
            unit_name: String::new(),
            password_hash: jiceng_web::auth::hash_password(PASSWORD),
            grants: vec![(role, node)],
        };
        users::create(&self.db, Authority::Operator, &self.actor(), new)
            .await
            .unwrap()
            .id
    }

    pub async fn login(&self, login: &str) -> String {
        let body = format!(r#"{{"login":"{login}","password":"{PASSWORD}"}}"#);
        let r = self
            .api("POST", "/api/v1/auth/login", None, Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["token"].as_str().unwrap().to_owned()
    }

    /// A user with a role at a node, signed in through the API.
    pub async fn token_for(&self, login: &str, role: Role, node: i64) -> String {
        self.user(login, role, node).await;
        self.login(login).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sea_query::{Alias, Expr, ExprTrait, Query};
        self.db
            .scalar(
                &Query::select()
                    .expr(Expr::col(Alias::new("id")).count())
                    .from(Alias::new(table))
                    .to_owned(),
            )
            .await
            .unwrap()
    }
}

/// A page that must open (200) as the holder of `jar`; its HTML.
pub async fn get_ok(app: &TestApp, jar: &[String], uri: &str) -> String {
    let r = app.page("GET", uri, jar, None).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.text()
}

/// Two sibling communities under one street under one district:
/// district 371722 › street 371722001 › communities A (…001) and B (…002).
pub struct Town {
    pub district: i64,
    pub street: i64,
    pub a: i64,
    pub b: i64,
}

pub async fn town(app: &TestApp) -> Town {
    let district = app.node(1, NodeKind::District, "371722", "单县").await;
    let street = app
        .node(district, NodeKind::Street, "371722001", "北城街道")
        .await;
    let a = app
        .node(street, NodeKind::Community, "371722001001", "东关社区")
        .await;
    let b = app
        .node(street, NodeKind::Community, "371722001002", "西关社区")
        .await;
    Town {
        district,
        street,
        a,
        b,
    }
}
