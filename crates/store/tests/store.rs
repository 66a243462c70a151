//! The store's behaviour, identical on SQLite and PostgreSQL (`TEST_DATABASE_URL`).

use chrono::{Duration, TimeZone, Utc};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::audit::AuditFilter;
use jiceng_store::nodes::{self, NewNode};
use jiceng_store::sessions::{self, NewSession, SessionKind};
use jiceng_store::testing::test_db;
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db, Page, StoreError, audit, throttle};

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, day, 8, 30, 0).unwrap()
}

fn actor() -> Actor {
    Actor::system("test", at(1))
}

async fn node(db: &Db, parent: i64, kind: NodeKind, code: &str) -> nodes::Node {
    let new = NewNode::parse(parent, kind.as_str(), code, &format!("节点{code}")).unwrap();
    nodes::create(db, &Scope::everything(), &actor(), new)
        .await
        .unwrap()
}

fn scope_of(path: &str) -> Scope {
    Scope::from_paths([path.to_owned()]).unwrap()
}

async fn audit_count(db: &Db) -> i64 {
    audit::list(db, &Scope::everything(), &AuditFilter::default(), 0, 1)
        .await
        .unwrap()
        .1
        .count
}

#[tokio::test]
async fn a_fresh_database_has_the_root_node_and_nothing_else() {
    let t = test_db().await;
    let root = nodes::get(&t.db, &Scope::everything(), 1).await.unwrap();
    assert_eq!((root.kind.as_str(), root.path.as_str()), ("root", "/"));
    assert_eq!(users::count(&t.db).await.unwrap(), 0);
    // Migrating again is a no-op.
    t.db.migrate().await.unwrap();
}

#[tokio::test]
async fn nodes_get_paths_from_their_parents_and_are_read_back_as_written() {
    let t = test_db().await;
    let d = node(&t.db, 1, NodeKind::District, "371722").await;
    let s = node(&t.db, d.id, NodeKind::Street, "371722001").await;
    assert_eq!(s.path, "/371722/371722001/");
    let back = nodes::get(&t.db, &Scope::everything(), s.id).await.unwrap();
    assert_eq!(back.path, s.path);
    assert_eq!(back.created_at, at(1));
    assert_eq!(back.parent_id, Some(d.id));
}

#[tokio::test]
async fn objects_outside_the_scope_are_not_found() {
    let t = test_db().await;
    let d = node(&t.db, 1, NodeKind::District, "371722").await;
    let a = node(&t.db, d.id, NodeKind::Street, "371722001").await;
    let b = node(&t.db, d.id, NodeKind::Street, "371722002").await;
    let in_a = scope_of(&a.path);
    assert!(nodes::get(&t.db, &in_a, a.id).await.is_ok());
    assert!(matches!(
        nodes::get(&t.db, &in_a, b.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        nodes::get(&t.db, &in_a, d.id).await,
        Err(StoreError::NotFound)
    ));
    // From the district (above the scope) only the scope's own subtree is listed.
    let (kids, total) = nodes::children(&t.db, &in_a, d.id, Page::new(None, None))
        .await
        .unwrap();
    assert_eq!((kids.len(), total), (1, 1));
    assert_eq!(kids[0].id, a.id);
    assert!(matches!(
        nodes::children(&t.db, &in_a, b.id, Page::new(None, None)).await,
        Err(StoreError::NotFound)
    ));
    let new = NewNode::parse(b.id, "community", "X1", "越权").unwrap();
    assert!(matches!(
        nodes::create(&t.db, &in_a, &actor(), new).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_prefix_of_digits_does_not_reach_into_a_longer_code() {
    let t = test_db().await;
    let short = node(&t.db, 1, NodeKind::District, "37").await;
    let long = node(&t.db, 1, NodeKind::District, "371").await;
    let s = scope_of(&short.path);
    assert!(matches!(
        nodes::get(&t.db, &s, long.id).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_duplicate_code_is_a_conflict_and_leaves_no_trace() {
    let t = test_db().await;
    node(&t.db, 1, NodeKind::District, "371722").await;
    let before = audit_count(&t.db).await;
    let dup = NewNode::parse(1, "district", "371722", "重复").unwrap();
    let e = nodes::create(&t.db, &Scope::everything(), &actor(), dup)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { field: "code" }), "{e:?}");
    assert_eq!(
        audit_count(&t.db).await,
        before,
        "the audit entry rolled back with the write"
    );
}

#[tokio::test]
async fn every_write_is_audited_with_actor_and_time() {
    let t = test_db().await;
    let d = node(&t.db, 1, NodeKind::District, "371722").await;
    let f = AuditFilter {
        object_type: Some("node".into()),
        object_id: Some(d.id.to_string()),
        ..Default::default()
    };
    let (entries, n) = audit::list(&t.db, &Scope::everything(), &f, 0, 10)
        .await
        .unwrap();
    assert_eq!(n.count, 1);
    assert_eq!(entries[0].actor_login, "system:test");
    assert_eq!(entries[0].at, at(1));
    assert!(entries[0].after_json.as_deref().unwrap().contains("371722"));
}

#[tokio::test]
async fn audit_time_filters_are_half_open_intervals() {
    let t = test_db().await;
    for day in [1, 2, 3] {
        let a = Actor::system("test", at(day));
        let new = NewNode::parse(1, "district", &format!("D{day}"), "x").unwrap();
        nodes::create(&t.db, &Scope::everything(), &a, new)
            .await
            .unwrap();
    }
    let f = AuditFilter {
        from: Some(at(2)),
        to: Some(at(3)),
        ..Default::default()
    };
    let (_, n) = audit::list(&t.db, &Scope::everything(), &f, 0, 10)
        .await
        .unwrap();
    assert_eq!(n.count, 1);
}

async fn user(db: &Db, login: &str, grants: Vec<(Role, i64)>) -> users::User {
    let new = NewUser {
        login: jiceng_core::account::Login::parse(login).unwrap(),
        display_name: "测试".into(),
        unit_name: String::new(),
        password_hash: "$argon2id$placeholder".into(),
        grants,
    };
    users::create(db, Authority::Operator, &actor(), new)
        .await
        .unwrap()
}

#[tokio::test]
async fn users_are_visible_where_they_hold_a_role() {
    let t = test_db().await;
    let d = node(&t.db, 1, NodeKind::District, "371722").await;
    let a = node(&t.db, d.id, NodeKind::Street, "371722001").await;
    let b = node(&t.db, d.id, NodeKind::Street, "371722002").await;
    let ua = user(&t.db, "in.a", vec![(Role::StreetStaff, a.id)]).await;
    let ub = user(&t.db, "in.b", vec![(Role::StreetStaff, b.id)]).await;
    let both = user(
        &t.db,
        "in.both",
        vec![(Role::Auditor, a.id), (Role::Auditor, b.id)],
    )
    .await;
    let s = scope_of(&a.path);
    assert!(users::get(&t.db, &s, ua.id).await.is_ok());
    assert!(users::get(&t.db, &s, both.id).await.is_ok());
    assert!(matches!(
        users::get(&t.db, &s, ub.id).await,
        Err(StoreError::NotFound)
    ));
    let (list, total) = users::list(&t.db, &s, Page::new(None, None)).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        list.iter().map(|u| u.login.as_str()).collect::<Vec<_>>(),
        ["in.a", "in.both"]
    );
    let grants = users::grants_of(&t.db, both.id).await.unwrap();
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].node_path, a.path);
}

#[tokio::test]
async fn a_user_may_grant_only_below_their_own_granting_roles() {
    let t = test_db().await;
    let d = node(&t.db, 1, NodeKind::District, "371722").await;
    let a = node(&t.db, d.id, NodeKind::Street, "371722001").await;
    let b = node(&t.db, d.id, NodeKind::Street, "371722002").await;
    let staff = user(&t.db, "staff", vec![(Role::StreetStaff, a.id)]).await;
    let grants = users::grants_of(&t.db, staff.id).await.unwrap();
    let mk = |login: &str, role, node| NewUser {
        login: jiceng_core::account::Login::parse(login).unwrap(),
        display_name: "x".into(),
        unit_name: String::new(),
        password_hash: "h".into(),
        grants: vec![(role, node)],
    };
    let ok = users::create(
        &t.db,
        Authority::User(&grants),
        &actor(),
        mk("gw1", Role::GridWorker, a.id),
    )
    .await;
    assert!(ok.is_ok());
    let other = users::create(
        &t.db,
        Authority::User(&grants),
        &actor(),
        mk("gw2", Role::GridWorker, b.id),
    )
    .await;
    assert!(matches!(other, Err(StoreError::NotFound)));
    let admin = users::create(
        &t.db,
        Authority::User(&grants),
        &actor(),
        mk("gw3", Role::DistrictAdmin, a.id),
    )
    .await;
    assert!(matches!(admin, Err(StoreError::Forbidden)));
    let login_taken = users::create(
        &t.db,
        Authority::Operator,
        &actor(),
        mk("GW1", Role::GridWorker, a.id),
    )
    .await;
    assert!(matches!(
        login_taken,
        Err(StoreError::Conflict { field: "login" })
    ));
}

#[tokio::test]
async fn sessions_expire_and_end_on_password_change() {
    let t = test_db().await;
    let u = user(&t.db, "sess", vec![(Role::GridWorker, 1)]).await;
    let mk = |hash: &'static str| NewSession {
        user_id: u.id,
        kind: SessionKind::Browser,
        token_hash: hash,
        csrf_token: "c",
        expires_at: at(2),
        user_path: "/",
    };
    let keep = sessions::create(&t.db, &actor(), mk("h1")).await.unwrap();
    sessions::create(&t.db, &actor(), mk("h2")).await.unwrap();
    assert!(
        sessions::lookup(&t.db, "h1", at(1))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sessions::lookup(&t.db, "h1", at(2))
            .await
            .unwrap()
            .is_none(),
        "expired at its expiry time"
    );
    users::set_password(&t.db, &actor(), u.id, "new".into(), Some(keep), "/")
        .await
        .unwrap();
    assert!(
        sessions::lookup(&t.db, "h1", at(1))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sessions::lookup(&t.db, "h2", at(1))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(sessions::purge_expired(&t.db, at(3)).await.unwrap(), 1);
}

#[tokio::test]
async fn login_failures_are_counted_per_login_and_per_address_within_the_window() {
    let t = test_db().await;
    for (i, ip) in ["1.1.1.1", "1.1.1.1", "2.2.2.2"].iter().enumerate() {
        let a = Actor {
            user_id: None,
            login: "victim".into(),
            ip: Some((*ip).into()),
            at: at(1) + Duration::minutes(i as i64),
        };
        throttle::record_failure(&t.db, &a, "invalid_credentials")
            .await
            .unwrap();
    }
    assert_eq!(
        throttle::failures(&t.db, "victim", "1.1.1.1", at(1) - Duration::minutes(1))
            .await
            .unwrap(),
        (3, 2)
    );
    assert_eq!(
        throttle::failures(&t.db, "victim", "2.2.2.2", at(1))
            .await
            .unwrap(),
        (2, 1)
    );
    assert_eq!(
        throttle::purge_before(&t.db, at(1) + Duration::seconds(90))
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn concurrent_writers_all_land() {
    let t = test_db().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let new = NewNode::parse(1, "district", &format!("C{i}"), "并发").unwrap();
            nodes::create(&db, &Scope::everything(), &actor(), new).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let root = nodes::get(&t.db, &Scope::everything(), 1).await.unwrap();
    let (_, n) = nodes::children(&t.db, &Scope::everything(), root.id, Page::new(None, None))
        .await
        .unwrap();
    assert_eq!(n, 40);
    assert_eq!(audit_count(&t.db).await, 40);
}

#[tokio::test]
async fn counts_by_kind_equal_the_lists_by_kind() {
    let t = test_db().await;
    let d = node(&t.db, 1, NodeKind::District, "371722").await;
    let s = node(&t.db, d.id, NodeKind::Street, "371722001").await;
    for i in 0..3 {
        node(
            &t.db,
            s.id,
            NodeKind::Community,
            &format!("371722001{i:03}"),
        )
        .await;
    }
    let scope = scope_of(&d.path);
    for c in nodes::count_by_kind(&t.db, &scope).await.unwrap() {
        let kind = NodeKind::parse(&c.kind).unwrap();
        let (items, total) = nodes::by_kind(&t.db, &scope, kind, Page::new(None, Some(500)))
            .await
            .unwrap();
        assert_eq!(
            (items.len() as i64, total),
            (c.count, c.count),
            "{}",
            c.kind
        );
    }
}
