//! The harness against the real app on a small city: every scenario it drives in-process still
//! works (no errors, auto-dispatch applies, steps close requests, counters equal a recount, a
//! burst of deadlines is raised once each). Nothing here asserts a timing.

use jiceng_bench::city::{self, Shape};
use jiceng_bench::client::Budget;
use jiceng_bench::server::InProcess;
use jiceng_bench::{load, loop_http, sla};
use jiceng_core::calendar::Calendar;
use jiceng_core::clock::SystemClock;
use jiceng_store::Db;
use jiceng_store::vault::Vault;
use std::sync::Arc;
use std::time::Duration;

fn budget(secs: u64) -> Budget {
    Budget {
        duration: Duration::from_secs(secs),
        max_ops: 200,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenarios_run_against_the_app_without_errors() {
    let dir = std::env::temp_dir().join(format!("jiceng-bench-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bench.db");
    let db = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let shape = Shape {
        streets: 2,
        communities_per_street: 2,
        grids_per_community: 2,
    };
    let city = city::build(&db, shape, 4).await.unwrap();
    let loaded = load::load(&db, &city, 1_000, 3, |_| {}).await.unwrap();
    assert_eq!(loaded.requests, 1_000);

    let vault = Vault::from_base64(&Vault::generate_key()).unwrap();
    let server = InProcess::start(
        db.clone(),
        vault,
        Arc::new(Calendar::shipped()),
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let https = [server.http.clone()];
    let tokens = loop_http::sign_in(&server.http, &city).await.unwrap();

    let s1 = loop_http::s1_create(&https, &city, &tokens, 4, budget(5)).await;
    assert_eq!(s1.outcome.client.errors, 0, "{:?}", s1.outcome.first_error);
    assert!(!s1.created.is_empty());
    assert_eq!(s1.not_dispatched, 0, "every create is auto-dispatched");
    assert!(!s1.outcome.server.is_empty(), "the server reports its time");

    let s2 = loop_http::s2_transitions(&https, &tokens, &s1.created, 4, budget(5)).await;
    assert_eq!(s2.outcome.client.errors, 0, "{:?}", s2.outcome.first_error);
    assert!(s2.closed > 0, "requests went through their whole loop");

    for l in loop_http::s3_lists(&https, &tokens, 1, Duration::from_millis(300)).await {
        assert_eq!(
            l.outcome.client.errors, 0,
            "{}: {:?}",
            l.level, l.outcome.first_error
        );
        assert!(l.visible > 0, "{} sees requests", l.level);
    }
    for l in loop_http::s4_dashboards(&https, &tokens, 1, Duration::from_millis(300)).await {
        assert_eq!(
            l.outcome.client.errors, 0,
            "{}: {:?}",
            l.level, l.outcome.first_error
        );
        assert!(l.visible > 0, "{} counts requests", l.level);
    }
    server.stop().await;

    // A burst raised by the ticker: once each.
    let burst = sla::plant(&db, &city, 300, Duration::from_millis(500))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    jiceng_jobs::sla_once(&db, &SystemClock).await.unwrap();
    let i = sla::integrity(&db, &burst).await.unwrap();
    assert_eq!(
        (i.raised, i.lost, i.doubled(), i.wrong_counters),
        (300, 0, 0, 0)
    );

    let diff = jiceng_store::requests::figures::recount(&db).await.unwrap();
    assert!(diff.is_empty(), "counters = recount: {:?}", diff.first());
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
