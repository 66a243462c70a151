//! Which index SQLite's planner picks for the open-request lists. A bound `IN` list hides the
//! statuses from the planner, so the partial indexes of migration 0004 went unused and every
//! queue and inbox read the whole table; these tests keep the lists on their indexes.

use super::super::intake::duplicates_query;
use super::super::{Viewer, open_status, select};
use super::{Filter, View, page_ids};
use crate::db::Db;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sqlx::AssertSqlSafe;

/// The planner's lines for `q`.
pub(crate) async fn plan(db: &Db, q: &SelectStatement) -> String {
    let Db::Sqlite { read, .. } = db else {
        unreachable!("opened on SQLite")
    };
    let (sql, values) = crate::sqlite_sql::render(q);
    let rows: Vec<(i64, i64, i64, String)> =
        sqlx::query_as_with(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")), values)
            .fetch_all(read)
            .await
            .expect("explain");
    rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
}

pub(crate) fn viewer() -> Viewer {
    let scope = Scope::from_paths(["/1/2/".to_owned()]);
    Viewer {
        user_id: 7,
        name: "调度员".into(),
        unit: String::new(),
        places: scope.clone(),
        desks: scope,
        unit_id: Some(3),
        supervises: None,
    }
}

/// A page of the list as `list` reads it: its ids from `requests`, then their rows.
fn list(view: View) -> SelectStatement {
    let f = Filter {
        view,
        ..Filter::default()
    };
    let page = crate::Page { page: 1, size: 50 };
    let ids = page_ids(&viewer(), &f, page, chrono::Utc::now());
    let mut q = select();
    q.and_where(super::col(super::Requests::Id).in_subquery(ids));
    q
}

#[tokio::test]
async fn the_queue_the_inbox_and_the_duplicate_check_read_the_open_indexes() {
    let t = crate::testing::sqlite_test_db().await;
    let db = &t.db;
    let queue = plan(db, &list(View::Queue)).await;
    // Decided on the queue's own index alone (0015): no row is read to pick the page, and
    // open requests that wait for a unit are not in it.
    assert!(
        queue.contains("COVERING INDEX requests_desk_queue"),
        "{queue}"
    );
    let inbox = plan(db, &list(View::Inbox)).await;
    assert!(inbox.contains("requests_open_lead"), "{inbox}");
    // The assists by their own partial index (0019), not by every request the unit led.
    assert!(inbox.contains("request_units_assist"), "{inbox}");
    // The open requests at the place, by its path (0016: no index of their own).
    let same = plan(db, &duplicates_query(&viewer(), 4, 5, None)).await;
    assert!(same.contains("requests_open_place"), "{same}");
    // What the viewer submitted, and what they recorded for someone else (0016: partial).
    let mine = plan(db, &list(View::Mine)).await;
    assert!(mine.contains("requests_requester"), "{mine}");
    assert!(mine.contains("requests_recorder"), "{mine}");
    // Bound, the same statuses leave the index unused: what the lists did before.
    let open: Vec<&str> = jiceng_core::requests::Status::OPEN
        .iter()
        .map(|s| s.as_str())
        .collect();
    let bound = Query::select()
        .expr(Expr::val(1))
        .from(super::Requests::Table)
        .and_where(super::col(super::Requests::Status).is_in(open))
        .and_where(super::col(super::Requests::LeadOrgId).eq(3))
        .to_owned();
    assert!(!plan(db, &bound).await.contains("requests_open_lead"));
    let literal = Query::select()
        .expr(Expr::val(1))
        .from(super::Requests::Table)
        .and_where(open_status(false))
        .and_where(super::col(super::Requests::LeadOrgId).eq(3))
        .to_owned();
    assert!(plan(db, &literal).await.contains("requests_open_lead"));
    db.close().await;
}
