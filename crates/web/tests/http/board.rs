//! The public board at the size of a real history: its counts come from the counters (the
//! whole of a place's closed requests, by category), its pages from the place's own index,
//! and it lists at most the newest thousand, saying so.

use crate::common::*;
use crate::list_streams::{Spot, node, past};
use crate::requests::{Loop, setup};
use jiceng_store::nodes::Node;
use jiceng_store::requests::history::PastRequest;
use jiceng_store::requests::{figures, history};

/// `n` past requests (`list_streams::past`) at `grid`, received by `street`, loaded.
async fn history_in(
    app: &TestApp,
    l: &Loop,
    grid: &Node,
    street: &Node,
    n: usize,
) -> Vec<PastRequest> {
    let now = jiceng_core::clock::Clock::now(&app.clock);
    let spot = Spot {
        id: grid.id,
        path: grid.path.clone(),
    };
    let batch: Vec<_> = (0..n)
        .map(|i| {
            past(
                i,
                l.category,
                &spot,
                &street.path,
                Some(l.dept_id),
                None,
                now,
            )
        })
        .collect();
    history::insert(&app.db, &app.actor(), &batch)
        .await
        .unwrap();
    batch
}

#[tokio::test]
async fn the_board_counts_a_long_history_from_the_counters_and_lists_the_newest_thousand() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let (grid, street) = (node(&app, l.grid).await, node(&app, l.street).await);
    let community = node(&app, l.community).await;
    // 1,500 past requests, 1,050 of them closed (`past`: seven in ten).
    let batch = history_in(&app, &l, &grid, &street, 1_500).await;
    let board = |q: String| {
        let app = &app;
        async move {
            let r = app
                .page("GET", &format!("/public/board{q}"), &[], None)
                .await;
            assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text());
            r.text()
        }
    };
    for q in [
        String::new(),
        format!("?node={}", community.code),
        format!("?node={}&category={}", street.code, l.category),
    ] {
        let html = board(q.clone()).await;
        assert!(
            html.contains("<span class=\"pager-total\">1050</span>"),
            "{q}: every closed request is counted"
        );
        assert!(html.contains("1/50"), "{q}: fifty pages listed");
        assert!(html.contains("id=\"board-capped\""), "{q}: and it says so");
        assert!(html.contains("page=2&"), "{q}: a next page");
    }
    // The category's chip carries the same count.
    let html = board(format!("?node={}", grid.code)).await;
    assert!(
        html.contains("路面积水 <span class=\"muted\">1050</span>"),
        "the chip counts the category: {html}"
    );
    // The newest first: `past` makes request 1,499 the newest and closed, 1,490 open.
    let newest = &batch[1_499];
    let day = jiceng_core::requests::sla::local(newest.submitted_at)
        .format("%Y-%m-%d")
        .to_string();
    let first_row = html
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tr>").next())
        .unwrap_or_default()
        .to_owned();
    assert!(first_row.contains(&day), "{first_row} is from {day}");
    // Past the last listed page: the last listed page, with no page after it.
    let html = board(format!("?node={}&page=999", community.code)).await;
    assert!(html.contains("50/50"), "page 999 shows page 50");
    assert!(!html.contains("page=51"), "and no page after it");
    assert_eq!(html.matches("<tr><td class=\"nowrap\">").count(), 20);
    let diff = figures::recount(&app.db).await.unwrap();
    assert!(diff.is_empty(), "{:?}", &diff[..diff.len().min(5)]);
}

/// Runs a migration's SQL on the test database, on a connection of its own.
async fn run_sql(app: &TestApp, sqlite: &str, postgres: &str) {
    use sqlx::{AssertSqlSafe, Connection};
    let url = app.db_url();
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(postgres))
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(sqlite))
            .execute(&mut c)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_migration_counts_the_requests_closed_before_it() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let (grid, street) = (node(&app, l.grid).await, node(&app, l.street).await);
    // Over two months of submission.
    history_in(&app, &l, &grid, &street, 1_200).await;
    // As a database from before migration 0018: no counters by category.
    let forget = "DELETE FROM request_counters WHERE kind = 'place_category';
        DELETE FROM request_counter_totals WHERE kind = 'place_category';";
    run_sql(&app, forget, forget).await;
    let diff = figures::recount(&app.db).await.unwrap();
    // Four places (district to grid) and two months of submission, for the submitted and the
    // closed (none is overdue).
    assert_eq!(diff.len(), 2 * 4 * 2, "{diff:?}");
    assert!(
        diff.iter()
            .all(|m| m.kind == "place_category" && m.counted == 0),
        "{diff:?}"
    );
    run_sql(
        &app,
        include_str!("../../../store/migrations/sqlite/0018_category_counts.sql"),
        include_str!("../../../store/migrations/postgres/0018_category_counts.sql"),
    )
    .await;
    let diff = figures::recount(&app.db).await.unwrap();
    assert!(diff.is_empty(), "{:?}", &diff[..diff.len().min(5)]);
}
