//! Coverage on a generated community: every figure equals the list it links to, and equals what
//! was built.

use chrono::{NaiveDate, TimeZone, Utc};
use jiceng_core::household::HouseholdRelation;
use jiceng_core::node::NodeKind;
use jiceng_core::org::{GridRole, ManagementMode, MemberCategory, OrgKind, StaffingNorm};
use jiceng_core::people::IdCardNo;
use jiceng_core::scope::Scope;
use jiceng_store::coverage::{self, Measure};
use jiceng_store::grid_staff::{self, NewStaff};
use jiceng_store::nodes::{self, NewNode};
use jiceng_store::orgs::{self, NewOrganisation};
use jiceng_store::party_members::{self, NewPartyMember};
use jiceng_store::residents::{self, NewResident};
use jiceng_store::testing::test_db;
use jiceng_store::vault::Vault;
use jiceng_store::{Actor, Db, Page};

fn actor() -> Actor {
    Actor::system("test", Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap())
}

async fn node(db: &Db, parent: i64, kind: NodeKind, code: &str, name: &str) -> i64 {
    let new = NewNode::parse(parent, kind.as_str(), code, name).unwrap();
    nodes::create(db, &Scope::everything(), &actor(), new)
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn coverage_figures_equal_their_lists_on_a_generated_community() {
    let t = test_db().await;
    let db = &t.db;
    let all = Scope::everything();
    let vault = Vault::from_base64(&Vault::generate_key()).unwrap();
    let street = node(db, 1, NodeKind::Street, "371722001", "北城街道").await;
    let community = node(db, street, NodeKind::Community, "371722001001", "北关社区").await;
    let committee = node(db, 1, NodeKind::Committee, "DW371722001001", "北关社区党委").await;
    let norm = StaffingNorm::default();

    // 4 grids with 3 estates each; grid i gets i full staff roles (0..=3), so 4 - … short.
    let mut estates = Vec::new();
    let mut grids = Vec::new();
    for g in 0..4 {
        let grid = node(
            db,
            community,
            NodeKind::Grid,
            "",
            &format!("第{}网格", g + 1),
        )
        .await;
        grids.push(grid);
        for (i, role) in GridRole::ALL.iter().enumerate().take(g) {
            let new = NewStaff {
                grid_node_id: grid,
                role: *role,
                name: format!("员{g}{i}"),
                phone: None,
                user_id: None,
            };
            grid_staff::assign(db, &vault, &all, &actor(), new)
                .await
                .unwrap();
        }
        for e in 0..3 {
            estates.push(
                node(
                    db,
                    grid,
                    NodeKind::Estate,
                    "",
                    &format!("{}号院", g * 3 + e),
                )
                .await,
            );
        }
    }
    // Fully staffed: the fourth grid gets the fourth role too.
    let new = NewStaff {
        grid_node_id: grids[3],
        role: GridRole::GridHelper,
        name: "兼职".into(),
        phone: None,
        user_id: None,
    };
    grid_staff::assign(db, &vault, &all, &actor(), new)
        .await
        .unwrap();

    // A branch on grid 0 covers its 3 estates; a branch on estate 5 covers that one estate.
    let b1 = node(db, committee, NodeKind::Branch, "ZB01", "第一网格党支部").await;
    let b2 = node(db, committee, NodeKind::Branch, "ZB02", "5号院党支部").await;
    orgs::anchor(db, &all, &actor(), b1, grids[0])
        .await
        .unwrap();
    orgs::anchor(db, &all, &actor(), b2, estates[5])
        .await
        .unwrap();
    orgs::anchor(db, &all, &actor(), b2, estates[5])
        .await
        .unwrap();
    // One property company serves 4 estates; owners' committees in 2.
    let org = |kind, name: &str, serves: Vec<i64>| NewOrganisation {
        kind,
        name: name.into(),
        home_node_id: community,
        credit_code: String::new(),
        contact_name: String::new(),
        contact_phone: String::new(),
        serves,
    };
    orgs::create_organisation(
        db,
        &all,
        &actor(),
        org(OrgKind::PropertyCompany, "安居物业", estates[..4].to_vec()),
    )
    .await
    .unwrap();
    orgs::create_organisation(
        db,
        &all,
        &actor(),
        org(OrgKind::OwnersCommittee, "0号院业委会", vec![estates[0]]),
    )
    .await
    .unwrap();
    orgs::create_organisation(
        db,
        &all,
        &actor(),
        org(OrgKind::OwnersCommittee, "7号院业委会", vec![estates[7]]),
    )
    .await
    .unwrap();

    // 5 party members living in grid 1, members of b1.
    for i in 0..5u16 {
        let id = IdCardNo::synthesize(
            "371722",
            NaiveDate::from_ymd_opt(1960, 1, 1 + u32::from(i)).unwrap(),
            i,
        );
        let r = residents::create(
            db,
            &vault,
            &all,
            &actor(),
            NewResident {
                node_id: grids[1],
                name: format!("党员{i}"),
                id_card: id,
                phone: None,
                relation: HouseholdRelation::Head,
                address: String::new(),
            },
        )
        .await
        .unwrap();
        party_members::create(
            db,
            &all,
            &actor(),
            NewPartyMember {
                resident_id: r.id,
                org_node_id: b1,
                category: MemberCategory::Retired,
                management_mode: ManagementMode::Dual,
                member_household: i == 0,
                building_captain: false,
                joined_on: None,
            },
        )
        .await
        .unwrap();
    }

    let rows = coverage::table(db, &all, street, &norm).await.unwrap();
    assert_eq!(rows.len(), 1, "one community under the street");
    let f = &rows[0].figures;
    let expected = [
        ("estates", 12),
        ("estates_without_branch", 12 - 3 - 1),
        ("estates_without_owners_committee", 10),
        ("estates_without_property_company", 8),
        ("grids", 4),
        ("grids_short_staffed", 3),
        ("branches", 2),
        ("party_members", 5),
    ];
    for (m, n) in expected {
        assert_eq!(f[m], n, "{m}");
    }
    let path = nodes::get(db, &all, community).await.unwrap().path;
    for m in Measure::ALL {
        let listed = if *m == Measure::PartyMembers {
            coverage::members(db, &all, &path, Page::new(None, Some(500)))
                .await
                .unwrap()
                .0
                .len()
        } else {
            coverage::nodes(db, &all, *m, &path, &norm, Page::new(None, Some(500)))
                .await
                .unwrap()
                .0
                .len()
        };
        assert_eq!(
            listed as i64,
            f[m.as_str()],
            "{}: the figure equals its list",
            m.as_str()
        );
    }
    // A stricter norm changes the figure and the list together.
    let strict = StaffingNorm {
        grid_helper: 2,
        ..norm
    };
    let (short, n) = coverage::nodes(
        db,
        &all,
        Measure::GridsShortStaffed,
        &path,
        &strict,
        Page::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!((short.len(), n), (4, 4));
    // Members are visible from the branch side too.
    let (members, total) = party_members::list(db, &all, Some(b1), Page::new(None, None))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert!(members[0].member_household);
}

#[tokio::test]
async fn a_community_moved_to_another_street_takes_its_people_and_places_along() {
    let t = test_db().await;
    let db = &t.db;
    let all = Scope::everything();
    let vault = Vault::from_base64(&Vault::generate_key()).unwrap();
    let north = node(db, 1, NodeKind::Street, "371722001", "北城街道").await;
    let south = node(db, 1, NodeKind::Street, "371722002", "南城街道").await;
    let community = node(db, north, NodeKind::Community, "371722001001", "北关社区").await;
    let grid = node(db, community, NodeKind::Grid, "", "第一网格").await;
    let id = IdCardNo::synthesize("371722", NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(), 1);
    let r = residents::create(
        db,
        &vault,
        &all,
        &actor(),
        NewResident {
            node_id: grid,
            name: "张三".into(),
            id_card: id,
            phone: None,
            relation: HouseholdRelation::Head,
            address: String::new(),
        },
    )
    .await
    .unwrap();
    let staff = NewStaff {
        grid_node_id: grid,
        role: GridRole::GridLeader,
        name: "网格长".into(),
        phone: None,
        user_id: None,
    };
    grid_staff::assign(db, &vault, &all, &actor(), staff)
        .await
        .unwrap();

    let north_scope = Scope::from_paths(["/371722001/".to_owned()]).unwrap();
    let south_scope = Scope::from_paths(["/371722002/".to_owned()]).unwrap();
    assert!(residents::get(db, &north_scope, r.id).await.is_ok());
    let moved =
        jiceng_store::moves::move_node(db, &north_scope.clone(), &actor(), community, south)
            .await
            .unwrap_err();
    assert!(
        matches!(moved, jiceng_store::StoreError::NotFound),
        "the new street must be in the mover's scope"
    );
    let m = jiceng_store::moves::move_node(db, &all, &actor(), community, south)
        .await
        .unwrap();
    assert_eq!(m.path, "/371722002/371722001001/");
    assert!(
        residents::get(db, &north_scope, r.id).await.is_err(),
        "no longer the old street's"
    );
    assert_eq!(
        residents::get(db, &south_scope, r.id)
            .await
            .unwrap()
            .node_path,
        "/371722002/371722001001/371722001001G01/"
    );
    assert_eq!(
        grid_staff::list(db, &south_scope, grid)
            .await
            .unwrap()
            .len(),
        1
    );
    let bad = jiceng_store::moves::move_node(db, &all, &actor(), community, grid)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("下级"), "{bad}");
    let f = jiceng_store::audit::AuditFilter {
        object_type: Some("node".into()),
        object_id: Some(community.to_string()),
        ..Default::default()
    };
    let (log, _) = jiceng_store::audit::list(db, &all, &f, 0, 10)
        .await
        .unwrap();
    assert_eq!(log[0].action, "node.move");
    assert!(
        log[0]
            .before_json
            .as_deref()
            .unwrap()
            .contains("/371722001/371722001001/")
    );
}
