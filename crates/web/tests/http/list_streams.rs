//! The general request list read as merged index streams (`list_streams`) holds exactly what
//! the visibility rule (`Viewer::visible`, which exports still use) gives, in the same order,
//! for every kind of viewer and filter; its total is exact, from the counters, or a stated
//! lower bound; and a moved community takes its requests (and their counters) along.

use crate::common::*;
use crate::requests::setup;
use chrono::{Duration, Utc};
use jiceng_core::node::NodeKind;
use jiceng_core::requests::rates::Metric;
use jiceng_core::requests::{Channel, Rating, Severity, Status};
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::Page;
use jiceng_store::requests::history::{self, PastRequest};
use jiceng_store::requests::list::{self, Filter, View};
use jiceng_store::requests::{Viewer, figures};

fn scope(paths: &[&str]) -> Option<Scope> {
    Scope::from_paths(paths.iter().map(|p| (*p).to_owned()))
}

fn viewer(user_id: i64, places: &[&str], desks: &[&str], unit: Option<i64>) -> Viewer {
    Viewer {
        user_id,
        name: "看".into(),
        unit: String::new(),
        places: scope(places),
        desks: scope(desks),
        unit_id: unit,
        supervises: None,
    }
}

/// A node as the store has it (setup, not under test).
pub(crate) async fn node(app: &TestApp, id: i64) -> jiceng_store::nodes::Node {
    jiceng_store::nodes::get(&app.db, &Scope::everything(), id)
        .await
        .unwrap()
}

pub(crate) struct Spot {
    pub id: i64,
    pub path: String,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn past(
    i: usize,
    category: i64,
    place: &Spot,
    desk: &str,
    lead: Option<i64>,
    requester: Option<i64>,
    now: chrono::DateTime<Utc>,
) -> PastRequest {
    let status = match i % 10 {
        0 => Status::Submitted,
        1 => Status::Declined,
        2 => Status::Withdrawn,
        _ => Status::Closed,
    };
    // Pairs share a submission instant: the order breaks the tie by id.
    let at = now - Duration::minutes(((3_000 - i) / 2 * 37) as i64);
    let closed = status == Status::Closed;
    PastRequest {
        category_id: category,
        severity: Severity::General,
        channel: Channel::Resident,
        description: format!("第{i}件"),
        requester_user_id: requester,
        requester_name: "居民".into(),
        place_node_id: place.id,
        place_path: place.path.clone(),
        desk_path: desk.to_owned(),
        lead_org_id: lead.filter(|_| closed),
        status,
        stage: None,
        due_at: None,
        warn_at: None,
        resolve_days: 3,
        submitted_at: at,
        accepted_at: closed.then_some(at),
        dispatched_at: (closed && lead.is_some()).then_some(at),
        claimed_at: (closed && lead.is_some()).then_some(at),
        resolved_at: closed.then_some(at),
        closed_at: closed.then_some(at),
        rating: closed.then_some(if i.is_multiple_of(3) {
            Rating::Dissatisfied
        } else {
            Rating::Satisfied
        }),
        result: String::new(),
        reopen_count: 0,
        return_count: 0,
        overdue: Vec::new(),
        events: Vec::new(),
    }
}

#[tokio::test]
async fn every_viewer_and_filter_gets_what_the_visibility_rule_gives_in_order() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let b = app
        .node(l.street, NodeKind::Community, "371722001009", "南关社区")
        .await;
    let grid_b = app
        .node(b, NodeKind::Grid, "371722001009G01", "南关一网格")
        .await;
    let app = &app;
    let path = |id: i64| async move { node(app, id).await.path };
    let spot = |id: i64, p: String| Spot { id, path: p };
    let (street, a, grid_a) = (
        path(l.street).await,
        path(l.community).await,
        path(l.grid).await,
    );
    let (comm_b, gb) = (path(b).await, path(grid_b).await);
    let resident = app.user("jumin2", Role::Resident, l.community).await;
    let places = [
        spot(l.grid, grid_a.clone()),
        spot(grid_b, gb.clone()),
        spot(b, comm_b.clone()),
        spot(l.community, a.clone()),
    ];
    let now = jiceng_core::clock::Clock::now(&app.clock);
    let batch: Vec<PastRequest> = (0..2_600)
        .map(|i| {
            let place = &places[i % 4];
            // Mostly the street's desk; some at community A; a few sent across from B to A.
            let desk = match i % 13 {
                0 if place.path.starts_with(&a) => a.clone(),
                1 if place.path.starts_with(&comm_b) => a.clone(),
                _ => street.clone(),
            };
            let lead = [Some(l.dept_id), Some(l.other_dept_id), None][i % 3];
            let requester = (i % 17 == 0).then_some(resident);
            past(i, l.category, place, &desk, lead, requester, now)
        })
        .collect();
    for chunk in batch.chunks(1_000) {
        history::insert(&app.db, &app.actor(), chunk).await.unwrap();
    }
    // A month of submission in Beijing time, as the counters keep it.
    let month = (now - Duration::days(10) + Duration::hours(8))
        .format("%Y-%m")
        .to_string();
    let filters: Vec<(&str, Filter)> = vec![
        ("none", Filter::default()),
        (
            "closed",
            Filter {
                status: Some(Status::Closed),
                ..Default::default()
            },
        ),
        (
            "open",
            Filter {
                open_only: true,
                ..Default::default()
            },
        ),
        (
            "satisfied in A",
            Filter {
                metric: Some(Metric::Satisfied),
                under: scope(&[&a]),
                ..Default::default()
            },
        ),
        (
            "a month",
            Filter {
                months: (Some(month.clone()), Some(month)),
                ..Default::default()
            },
        ),
        (
            "under grid B",
            Filter {
                under: scope(&[&gb]),
                ..Default::default()
            },
        ),
        (
            "led by the other unit",
            Filter {
                unit: Some(l.other_dept_id),
                ..Default::default()
            },
        ),
        (
            "category",
            Filter {
                category_id: Some(l.category),
                ..Default::default()
            },
        ),
    ];
    let viewers = [
        ("everything", Viewer::system("测试")),
        (
            "district",
            viewer(9_001, &[&path(l.district).await], &[], None),
        ),
        ("street desk", viewer(9_002, &[&street], &[&street], None)),
        ("community A", viewer(9_003, &[&a], &[&a], None)),
        ("community B", viewer(9_004, &[&comm_b], &[&comm_b], None)),
        ("grid A", viewer(9_005, &[&grid_a], &[], None)),
        (
            "grid A with A's desk",
            viewer(9_006, &[&grid_a], &[&a], None),
        ),
        ("unit", viewer(9_007, &[], &[], Some(l.dept_id))),
        ("resident", viewer(resident, &[], &[], None)),
    ];
    let mut lower_bounds = 0;
    for (who, v) in &viewers {
        for (what, f) in &filters {
            let f = Filter {
                view: View::All,
                ..f.clone()
            };
            let want: Vec<i64> = list::all(&app.db, v, &f, now, 100_000)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect();
            for (page, size) in [(1, 50), (3, 50), (1, 500), (2, 500)] {
                let p = Page::new(Some(page), Some(size));
                let (rows, total) = list::list(&app.db, v, &f, p, now).await.unwrap();
                let got: Vec<i64> = rows.iter().map(|r| r.id).collect();
                let from = (p.offset() as usize).min(want.len());
                let to = (from + size as usize).min(want.len());
                assert_eq!(got, want[from..to], "{who} / {what}: page {page} of {size}");
                if total.exact {
                    assert_eq!(total.count, want.len() as i64, "{who} / {what}: total");
                } else {
                    assert!(want.len() > 1_000, "{who} / {what}: a bound only when long");
                    assert_eq!(total.count, 1_000, "{who} / {what}");
                    lower_bounds += 1;
                }
            }
        }
    }
    // Long lists whose count the counters hold are exact: everything, a district, a street.
    for v in &viewers[..3] {
        let (_, t) = list::list(
            &app.db,
            &v.1,
            &Filter::default(),
            Page::new(None, None),
            now,
        )
        .await
        .unwrap();
        assert!(t.exact && t.count > 1_000, "{}: {t:?}", v.0);
    }
    assert!(
        lower_bounds > 0,
        "some long filtered lists are only bounded"
    );
}

#[tokio::test]
async fn a_long_list_says_more_than_a_thousand_over_http_and_pages_on() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let grid = node(&app, l.grid).await;
    let street = node(&app, l.street).await;
    let now = jiceng_core::clock::Clock::now(&app.clock);
    let spot = Spot {
        id: grid.id,
        path: grid.path.clone(),
    };
    let batch: Vec<PastRequest> = (0..1_300)
        .map(|i| past(i, l.category, &spot, &street.path, None, None, now))
        .collect();
    history::insert(&app.db, &app.actor(), &batch)
        .await
        .unwrap();
    let token = app
        .token_for("zongjian", Role::DistrictAdmin, l.district)
        .await;
    // By category: no counter holds it, so the count stops at 1,000.
    let q = format!(
        "/api/v1/requests?category_id={}&page_size=500&page=3",
        l.category
    );
    let r = app.api("GET", &q, Some(&token), None).await;
    let j = r.json();
    assert_eq!(j["total"], 1_000, "{j}");
    assert_eq!(j["total_exact"], false);
    assert_eq!(
        j["items"].as_array().unwrap().len(),
        300,
        "page 3 holds the rest"
    );
    // All of them: the counters know the number.
    let r = app.api("GET", "/api/v1/requests", Some(&token), None).await;
    assert_eq!(r.json()["total"], 1_300);
    assert_eq!(r.json()["total_exact"], true);
    // The page says "1000+" and links the next page.
    let jar = crate::pages::sign_in(&app, "zongjian").await;
    let uri = format!("/requests?category_id={}", l.category);
    let html = app.page("GET", &uri, &jar, None).await.text();
    assert!(html.contains(">1000+<"), "{html}");
    assert!(
        html.contains("page=2&#38;page_size=50"),
        "a next page: {html}"
    );
}

#[tokio::test]
async fn a_moved_community_takes_its_requests_and_their_counters_along() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let grid = node(&app, l.grid).await;
    let old_street = node(&app, l.street).await;
    let now = jiceng_core::clock::Clock::now(&app.clock);
    let spot = Spot {
        id: grid.id,
        path: grid.path.clone(),
    };
    let batch: Vec<PastRequest> = (0..40)
        .map(|i| {
            past(
                i,
                l.category,
                &spot,
                &old_street.path,
                Some(l.dept_id),
                None,
                now,
            )
        })
        .collect();
    history::insert(&app.db, &app.actor(), &batch)
        .await
        .unwrap();
    let other = app
        .node(l.district, NodeKind::Street, "371722002", "南城街道")
        .await;
    jiceng_store::moves::move_node(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        l.community,
        other,
    )
    .await
    .unwrap();
    let new_street = node(&app, other).await;
    let count = |p: String| {
        let db = app.db.clone();
        async move {
            let v = viewer(9_100, &[&p], &[], None);
            let (_, t) = list::list(&db, &v, &Filter::default(), Page::new(None, None), now)
                .await
                .unwrap();
            t.count
        }
    };
    assert_eq!(
        count(new_street.path.clone()).await,
        40,
        "the new street sees them"
    );
    assert_eq!(
        count(old_street.path.clone()).await,
        0,
        "the old street no longer does"
    );
    let diff = figures::recount(&app.db).await.unwrap();
    assert!(
        diff.is_empty(),
        "counters follow the move: {:?}",
        &diff[..diff.len().min(5)]
    );
}
