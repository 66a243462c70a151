//! The SLA ticker on both engines: overdue events are raised exactly once, however many
//! instances tick and however often.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jiceng_core::calendar::Calendar;
use jiceng_core::clock::ManualClock;
use jiceng_core::node::NodeKind;
use jiceng_core::requests::Channel;
use jiceng_core::requests::sla::SlaPolicy;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, NewNode};
use jiceng_store::requests::intake::{self, NewRequest};
use jiceng_store::requests::{SlaEnv, Viewer, categories};
use jiceng_store::testing::test_db;
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::vault::Vault;
use jiceng_store::{Actor, Db};
use sea_query::{Alias, Expr, ExprTrait, Query};

struct Setup {
    grid: i64,
    viewer: Viewer,
}

async fn setup(db: &Db, at: DateTime<Utc>) -> Setup {
    let actor = Actor::system("test", at);
    let mut parent = 1;
    for (kind, code, name) in [
        (NodeKind::District, "371722", "单县"),
        (NodeKind::Street, "371722001", "北城街道"),
        (NodeKind::Community, "371722001001", "东关社区"),
        (NodeKind::Grid, "371722001001G01", "第一网格"),
    ] {
        let new = NewNode::parse(parent, kind.as_str(), code, name).unwrap();
        parent = nodes::create(db, &Scope::everything(), &actor, new)
            .await
            .unwrap()
            .id;
    }
    categories::seed_if_empty(db, &actor).await.unwrap();
    let user = users::create(
        db,
        Authority::Operator,
        &actor,
        NewUser {
            login: jiceng_core::account::Login::parse("wgy").unwrap(),
            display_name: "网格员".into(),
            unit_name: String::new(),
            password_hash: "x".into(),
            grants: vec![(Role::GridWorker, parent)],
        },
    )
    .await
    .unwrap();
    Setup {
        grid: parent,
        viewer: Viewer {
            user_id: user.id,
            name: user.display_name,
            unit: String::new(),
            places: Some(Scope::everything()),
            desks: None,
            unit_id: None,
            supervises: None,
        },
    }
}

async fn submit_many(db: &Db, s: &Setup, at: DateTime<Utc>, n: usize) {
    let cal = Calendar::shipped();
    let env = SlaEnv {
        calendar: &cal,
        office: Default::default(),
        policy: SlaPolicy::default(),
    };
    let vault = Vault::from_base64(&Vault::generate_key()).unwrap();
    let category = categories::list(db, true).await.unwrap()[0].id;
    let actor = Actor::system("test", at);
    for i in 0..n {
        let new = NewRequest {
            category_id: category,
            channel: Channel::GridPatrol,
            description: format!("巡查发现第{i}处问题，需要处理"),
            answers: Default::default(),
            place_node_id: Some(s.grid),
            home_node_id: None,
            address: String::new(),
            longitude: None,
            latitude: None,
            requester_name: String::new(),
            requester_phone: None,
        };
        intake::submit(
            db,
            &env,
            &vault,
            &Scope::everything(),
            &s.viewer,
            &actor,
            new,
        )
        .await
        .unwrap();
    }
}

async fn count(db: &Db, table: &str, filter: Option<(&str, &str)>) -> i64 {
    let mut q = Query::select();
    q.expr(Expr::col(Alias::new("id")).count())
        .from(Alias::new(table));
    if let Some((c, v)) = filter {
        q.and_where(Expr::col(Alias::new(c)).eq(v));
    }
    db.scalar(&q).await.unwrap()
}

/// Wed 2026-11-18 10:00 in Beijing.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 2, 0, 0).unwrap()
}

#[tokio::test]
async fn nothing_is_raised_before_the_deadline_and_a_second_tick_raises_nothing_again() {
    let t = test_db().await;
    let s = setup(&t.db, t0()).await;
    submit_many(&t.db, &s, t0(), 3).await;
    // Accepting is due 2 working hours after 10:00, at 12:00 (the lunch break does not count).
    let before = ManualClock::new(t0() + Duration::minutes(119));
    assert_eq!(jiceng_jobs::sla_once(&t.db, &before).await.unwrap(), 0);
    let after = ManualClock::new(t0() + Duration::hours(4));
    assert_eq!(jiceng_jobs::sla_once(&t.db, &after).await.unwrap(), 3);
    assert_eq!(jiceng_jobs::sla_once(&t.db, &after).await.unwrap(), 0);
    assert_eq!(count(&t.db, "sla_events", None).await, 3);
    assert_eq!(
        count(&t.db, "notifications", Some(("kind", "overdue"))).await,
        3
    );
    assert_eq!(
        count(&t.db, "request_events", Some(("action", "overdue"))).await,
        3
    );
}

#[tokio::test]
async fn two_instances_ticking_together_raise_exactly_one_event_for_each_of_1000_deadlines() {
    let t = test_db().await;
    let s = setup(&t.db, t0()).await;
    submit_many(&t.db, &s, t0(), 1000).await;
    // A second app instance: its own pool on the same database.
    let other = Db::open(&t.url).await.unwrap();
    let now = ManualClock::new(t0() + Duration::hours(3));
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..3 {
                n += jiceng_jobs::sla_once(&t.db, &now).await.unwrap();
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..3 {
                n += jiceng_jobs::sla_once(&other, &now).await.unwrap();
            }
            n
        },
    );
    assert_eq!(a + b, 1000, "raised {a} + {b}");
    assert_eq!(count(&t.db, "sla_events", None).await, 1000);
    assert_eq!(
        count(&t.db, "notifications", Some(("kind", "overdue"))).await,
        1000
    );
    let doubled =
        t.db.scalar(
            &Query::select()
                .expr(Expr::col(Alias::new("id")).count())
                .from(Alias::new("requests"))
                .and_where(Expr::col(Alias::new("overdue_count")).ne(1))
                .to_owned(),
        )
        .await
        .unwrap();
    assert_eq!(doubled, 0);
    other.close().await;
}
