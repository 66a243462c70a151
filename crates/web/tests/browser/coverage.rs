//! A grid and a branch anchored to it, with a party member, as the coverage page counts them.

use crate::common::{PASSWORD, TestApp, town};
use crate::driver::{browser, serve, shot, start_driver};
use crate::ui::{choose, click, fill, sign_in, text};
use fantoccini::Locator;
use jiceng_core::role::Role;

pub async fn a_grid_and_an_anchored_branch_with_a_member_show_in_coverage() {
    use jiceng_core::node::NodeKind;
    let app = TestApp::new().await;
    let t = town(&app).await;
    let committee = app
        .node(1, NodeKind::Committee, "DW001", "东关社区党委")
        .await;
    // The community's party secretary works on both trees.
    let new = jiceng_store::users::NewUser {
        login: jiceng_core::account::Login::parse("secretary").unwrap(),
        display_name: "王书记".into(),
        unit_name: "东关社区".into(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: vec![
            (Role::CommunityWorker, t.a),
            (Role::CommunityWorker, committee),
        ],
    };
    let actor = app.actor();
    jiceng_store::users::create(
        &app.db,
        jiceng_store::users::Authority::Operator,
        &actor,
        new,
    )
    .await
    .unwrap();
    let id = jiceng_core::people::IdCardNo::synthesize(
        "371722",
        chrono::NaiveDate::from_ymd_opt(1950, 10, 1).unwrap(),
        8,
    );
    let resident = jiceng_store::residents::NewResident {
        node_id: t.a,
        name: "李老党员".into(),
        id_card: id,
        phone: None,
        relation: jiceng_core::household::HouseholdRelation::Head,
        address: String::new(),
    };
    jiceng_store::residents::create(
        &app.db,
        &app.vault,
        &jiceng_core::scope::Scope::everything(),
        &actor,
        resident,
    )
    .await
    .unwrap();

    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "secretary").await;
    let figure = |m: &'static str| format!("a.figure-link[data-measure={m}]");

    c.goto(&format!("{base}/coverage?node_id={}", t.a))
        .await
        .unwrap();
    assert_eq!(text(&c, &figure("grids")).await, "0");
    assert_eq!(text(&c, &figure("branches")).await, "0");

    // 1. A grid under the community, code left for the system to derive.
    c.goto(&format!("{base}/nodes/{}", t.a)).await.unwrap();
    choose(&c, "#create-node select[name=kind]", "grid").await;
    fill(&c, "#create-node input[name=name]", "第一网格").await;
    click(&c, "#create-node button").await;
    c.wait()
        .for_element(Locator::LinkText("第一网格"))
        .await
        .unwrap();

    // 2. A branch under the committee, anchored to that grid.
    c.goto(&format!("{base}/nodes/{committee}")).await.unwrap();
    choose(&c, "#create-node select[name=kind]", "branch").await;
    fill(&c, "#create-node input[name=code]", "ZB01").await;
    fill(&c, "#create-node input[name=name]", "第一网格党支部").await;
    click(&c, "#create-node button").await;
    c.wait()
        .for_element(Locator::LinkText("第一网格党支部"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("anchor-form"))
        .await
        .unwrap();
    c.find(Locator::Css("#anchor-form select"))
        .await
        .unwrap()
        .select_by_label("第一网格（网格）")
        .await
        .unwrap();
    click(&c, "#anchor-form button").await;
    c.wait()
        .for_element(Locator::Css("#anchors a"))
        .await
        .unwrap();
    assert!(text(&c, "#anchors").await.contains("第一网格"));

    // 3. A party member enrolled in the branch.
    choose(&c, "#member-form select[name=category]", "retired").await;
    click(&c, "#member-form input[name=member_household]").await;
    click(&c, "#member-form button").await;
    c.wait()
        .for_element(Locator::Css("#members a"))
        .await
        .unwrap();
    assert!(text(&c, "#members").await.contains("李老党员"));
    shot(&c, "branch").await;

    // 4. Coverage has moved, and each figure opens its list.
    c.goto(&format!("{base}/coverage?node_id={}", t.a))
        .await
        .unwrap();
    assert_eq!(text(&c, &figure("grids")).await, "1");
    assert_eq!(text(&c, &figure("grids_short_staffed")).await, "1");
    assert_eq!(text(&c, &figure("branches")).await, "1");
    assert_eq!(text(&c, &figure("party_members")).await, "1");
    shot(&c, "coverage").await;
    click(&c, &figure("branches")).await;
    assert!(text(&c, "#coverage-list").await.contains("第一网格党支部"));
    c.close().await.unwrap();
}
