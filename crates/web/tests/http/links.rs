//! Every link a page offers opens: each role follows the links of the pages it reaches, as a
//! curious new user would, and none answers 4xx or 5xx. (The two-trees page once linked 上级
//! above the reader's scope, and its own links carried `o=` empty; a grid's page linked its
//! branch, which a grid worker may not open; the coverage table linked party members' names
//! for a party member who may not read them.)

use crate::common::*;
use crate::pages::sign_in;
use crate::requests::{setup, submit};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::users::{self, Authority, NewUser};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Same-site links of a page, `&amp;` and `&#38;` decoded, without sign-out, language switches, assets.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .filter(|h| !h.starts_with("/logout") && !h.starts_with("/static") && !h.contains("lang="))
        .map(|h| h.split('#').next().unwrap_or("").to_owned())
        .collect()
}

/// A link's shape (its numbers as N): a few of each are enough.
fn shape(uri: &str) -> String {
    uri.chars()
        .map(|c| if c.is_ascii_digit() { 'N' } else { c })
        .collect()
}

async fn crawl(app: &TestApp, login: &str) -> (usize, Vec<(u16, String)>) {
    let jar = sign_in(app, login).await;
    let (mut seen, mut shapes) = (BTreeSet::new(), HashMap::<String, u32>::new());
    let (mut queue, mut bad, mut opened) = (VecDeque::from(["/".to_owned()]), Vec::new(), 0);
    while let Some(uri) = queue.pop_front() {
        if !seen.insert(uri.clone()) || opened >= 250 {
            continue;
        }
        let n = shapes.entry(shape(&uri)).or_default();
        *n += 1;
        if *n > 3 {
            continue;
        }
        opened += 1;
        let r = app.page("GET", &uri, &jar, None).await;
        if r.status.as_u16() >= 400 {
            bad.push((r.status.as_u16(), uri));
            continue;
        }
        let html = r
            .headers
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"));
        if html {
            queue.extend(links(&r.text()).into_iter().filter(|l| !seen.contains(l)));
        }
    }
    (opened, bad)
}

#[tokio::test]
async fn every_link_each_role_is_offered_opens() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let all = Scope::everything();
    let wc = app
        .node(1, NodeKind::WorkingCommittee, "GW1", "北城街道党工委")
        .await;
    let dw = app
        .node(wc, NodeKind::Committee, "DW1", "东关社区党委")
        .await;
    let zb = app
        .node(dw, NodeKind::Branch, "ZB1", "第一网格党支部")
        .await;
    app.node(l.grid, NodeKind::Estate, "", "东关书香苑").await;
    for (org, place) in [(wc, l.street), (dw, l.community), (zb, l.grid)] {
        jiceng_store::orgs::anchor(&app.db, &all, &app.actor(), org, place)
            .await
            .unwrap();
    }
    submit(&app, &l).await;
    for (login, role, node) in [
        ("gw.1", Role::GridWorker, l.grid),
        ("jd.1", Role::StreetStaff, l.street),
        ("qu.1", Role::DistrictAdmin, l.district),
    ] {
        app.user(login, role, node).await;
    }
    // Two grants, one on each tree, as the demo's community worker and party member have.
    for (login, role) in [("cw.1", Role::CommunityWorker), ("dy.1", Role::PartyMember)] {
        let new = NewUser {
            login: jiceng_core::account::Login::parse(login).unwrap(),
            display_name: format!("{login} 同志"),
            unit_name: String::new(),
            password_hash: jiceng_web::auth::hash_password(PASSWORD),
            grants: vec![(role, l.community), (role, dw)],
        };
        users::create(&app.db, Authority::Operator, &app.actor(), new)
            .await
            .unwrap();
    }
    for login in [
        "cw.1",
        "gw.1",
        "dy.1",
        "jd.1",
        "qu.1",
        "jumin",
        "paidan",
        "chengguan",
    ] {
        let (opened, bad) = crawl(&app, login).await;
        assert!(opened > 5, "{login} opened only {opened} pages");
        assert!(bad.is_empty(), "{login}: {bad:?}");
    }
}
