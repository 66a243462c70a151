//! Which index the general list's place stream reads: a place's whole history newest first,
//! or only its open requests when only some of those can match.

use super::super::list::plans::{plan, viewer};
use super::{Filter, Read, Stream};
use jiceng_core::requests::Status;
use jiceng_core::requests::sla::Light;

async fn place_stream(f: &Filter) -> String {
    let t = crate::testing::sqlite_test_db().await;
    let viewer = viewer();
    let read = Read {
        viewer: &viewer,
        f,
        now: chrono::Utc::now(),
        limit: 50,
        outside: &[],
    };
    let p = plan(&t.db, &read.stream(&Stream::Place("/1/2/".into()))).await;
    t.db.close().await;
    p
}

#[tokio::test]
async fn overdue_or_one_open_status_reads_the_open_requests_not_the_history() {
    for f in [
        Filter {
            light: Some(Light::Red),
            ..Filter::default()
        },
        Filter {
            status: Some(Status::Dispatched),
            ..Filter::default()
        },
        Filter {
            open_only: true,
            category_id: Some(4),
            ..Filter::default()
        },
    ] {
        let p = place_stream(&f).await;
        assert!(p.contains("requests_open_place"), "{f:?}: {p}");
    }
    // Every open request: the newest of the history, walked in its order.
    let open = Filter {
        open_only: true,
        ..Filter::default()
    };
    let p = place_stream(&open).await;
    assert!(p.contains("request_places"), "{p}");
    // Closed ones are most of the history: walked too.
    let closed = Filter {
        status: Some(Status::Closed),
        ..Filter::default()
    };
    assert!(place_stream(&closed).await.contains("request_places"));
}
