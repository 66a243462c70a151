//! The demo on a small scale: the real county's streets and committees, people, a year of
//! requests, the logins' own requests and inboxes, and counters equal to a recount.

use super::*;
use crate::demo_logins::DEMO_PASSWORD;
use jiceng_core::role::Role;
use jiceng_store::testing::test_db;
use jiceng_store::users;

#[tokio::test]
async fn the_demo_has_the_real_county_grids_everywhere_and_a_login_per_role() {
    let t = test_db().await;
    let vault =
        jiceng_store::vault::Vault::from_base64(&jiceng_store::vault::Vault::generate_key())
            .unwrap();
    let size = crate::demo_city::DemoSize {
        residents_per_grid: 6,
        streets: Some(1),
        requests: 2_000,
        seed: 2026,
    };
    let logins = build(&t.db, &vault, "371722", Scale::District, size)
        .await
        .unwrap();
    let county = Scope::from_paths(["/37/3717/371722/".to_owned()]).unwrap();
    let streets = all_of(&t.db, &county, NodeKind::Street).await.unwrap();
    assert_eq!(streets.len(), 22);
    assert!(streets.iter().any(|s| s.name == "北城街道"));
    let committees = all_of(&t.db, &county, NodeKind::Community).await.unwrap();
    assert_eq!(committees.len(), 508);
    let grids = all_of(&t.db, &county, NodeKind::Grid).await.unwrap();
    for c in &committees {
        let n = grids.iter().filter(|g| g.parent_id == Some(c.id)).count();
        assert!((2..=5).contains(&n), "{} has {n} grids", c.name);
    }
    let roles: Vec<Role> = logins.iter().map(|l| l.role).collect();
    for r in Role::ALL {
        assert!(roles.contains(r), "no demo login for {r:?}");
    }
    // The first street is filled: people, a party committee per community, members.
    let street = Scope::from_paths([streets[0].path.clone()]).unwrap();
    let (_, people) = jiceng_store::residents::list(
        &t.db,
        &vault,
        &street,
        &Default::default(),
        Page::new(None, Some(1)),
    )
    .await
    .unwrap();
    let street_grids = grids
        .iter()
        .filter(|g| g.path.starts_with(&streets[0].path))
        .count() as i64;
    assert!(
        people >= 6 * street_grids,
        "{people} people in {street_grids} grids"
    );
    let norm = jiceng_core::org::StaffingNorm::default();
    let rows = jiceng_store::coverage::table(&t.db, &Scope::everything(), streets[0].id, &norm)
        .await
        .unwrap();
    assert!(
        rows.iter()
            .all(|r| r.figures["branches"] > 0 || r.figures["grids"] == 0)
    );
    assert!(rows.iter().map(|r| r.figures["estates"]).sum::<i64>() >= street_grids);
    // A year of requests: most closed, the latest still open with running clocks.
    let viewer = jiceng_store::requests::Viewer::system("test");
    let f = |status| jiceng_store::requests::list::Filter {
        status,
        ..Default::default()
    };
    let page = Page::new(None, Some(1));
    let now = SystemClock.now();
    let count = |fl| {
        let viewer = &viewer;
        let db = &t.db;
        async move {
            jiceng_store::requests::list::list(db, viewer, &fl, page, now)
                .await
                .unwrap()
                .1
                .count
        }
    };
    use jiceng_core::requests::Status;
    // The history, and the resident's three and the party member's one.
    assert_eq!(count(f(None)).await, 2_004);
    let closed = count(f(Some(Status::Closed))).await;
    assert!(closed > 1_500, "{closed} closed");
    let open = count(jiceng_store::requests::list::Filter {
        open_only: true,
        ..Default::default()
    })
    .await;
    assert!(open > 0 && open < 200, "{open} open");
    // The history's counters were written with it and equal a recount of its records.
    let diff = jiceng_store::requests::figures::recount(&t.db)
        .await
        .unwrap();
    assert!(diff.is_empty(), "{:?}", &diff[..diff.len().min(5)]);
    // The inboxes of the last thirty days: the first street's desk hears of new and resolved
    // requests.
    let desk = jiceng_store::requests::Viewer {
        desks: Some(street.clone()),
        ..jiceng_store::requests::Viewer::system("test")
    };
    let newest = jiceng_store::requests::inbox::InboxQuery::new(None, None, 100).unwrap();
    let inbox = jiceng_store::requests::inbox::list(&t.db, &desk, &newest)
        .await
        .unwrap();
    for kind in ["new_request", "resolved"] {
        assert!(inbox.iter().any(|n| n.kind == kind), "no {kind} notice");
    }
    assert!(
        inbox
            .iter()
            .all(|n| n.created_at > now - chrono::Duration::days(31))
    );
    // Two whistles in the first street: one closed last week, one open on the board.
    let onlooker = jiceng_store::whistles::WhistleViewer {
        user_id: 0,
        name: String::new(),
        unit: String::new(),
        whistles: None,
        places: Some(Scope::everything()),
        unit_id: None,
    };
    let all = jiceng_store::whistles::Filter::default();
    let (w, n) = jiceng_store::whistles::list(&t.db, &onlooker, &all, page, now)
        .await
        .unwrap();
    assert_eq!((n, w[0].status.as_str()), (2, "open"));
    // The resident's own requests, as their "我的诉求" lists them.
    let resident = logins.iter().find(|l| l.login == "resident").unwrap();
    let mine = jiceng_store::requests::Viewer {
        user_id: resident.user_id,
        places: None,
        ..viewer.clone()
    };
    let own = jiceng_store::requests::list::Filter {
        view: jiceng_store::requests::list::View::Mine,
        ..Default::default()
    };
    let (_, p) = jiceng_store::requests::list::list(&t.db, &mine, &own, page, now)
        .await
        .unwrap();
    assert_eq!(p.count, 3, "the resident's own requests");
    let to_rate = jiceng_store::requests::list::Filter {
        status: Some(Status::Verified),
        ..own
    };
    let (_, p) = jiceng_store::requests::list::list(&t.db, &mine, &to_rate, page, now)
        .await
        .unwrap();
    assert_eq!(p.count, 1, "one waits for the resident's rating");
    for l in &logins {
        let c = users::credentials(&t.db, l.login).await.unwrap().unwrap();
        assert!(jiceng_web::auth::password::verify_password(
            DEMO_PASSWORD,
            &c.password_hash
        ));
    }
}
