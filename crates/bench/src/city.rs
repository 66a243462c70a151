//! A synthetic city built through the store, the way an installation is set up: a district
//! with streets, communities and grids; the shipped category catalogue; one department per
//! category group with a staff account; auto-dispatch rules sending each category to its
//! group's department; and the accounts the scenarios sign in as.

use chrono::Utc;
use jiceng_core::account::Login;
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, NewNode};
use jiceng_store::orgs::{self, NewOrganisation};
use jiceng_store::requests::categories;
use jiceng_store::requests::routing::{self, NewRule};
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db};

pub const PASSWORD: &str = "Bench-pass-2026";

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub streets: usize,
    pub communities_per_street: usize,
    pub grids_per_community: usize,
}

impl Shape {
    /// About 1,500 requests per grid at a million, never fewer than 2 streets.
    pub fn for_requests(n: u64) -> Self {
        Self {
            streets: n.div_ceil(100_000).clamp(2, 10) as usize,
            communities_per_street: 10,
            grids_per_community: 6,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Place {
    pub id: i64,
    pub path: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Grid {
    pub place: Place,
    pub street: usize,
    pub community: usize,
}

#[derive(Debug, Clone)]
pub struct Cat {
    pub id: i64,
    pub name: String,
    pub severity: String,
    pub resolve_days: i64,
    pub dept: usize,
    /// No required questions: the load can submit it with empty answers.
    pub simple: bool,
}

#[derive(Debug, Clone)]
pub struct Dept {
    pub id: i64,
    pub name: String,
    pub staff_login: String,
}

#[derive(Debug, Clone)]
pub struct City {
    pub district: Place,
    pub streets: Vec<Place>,
    pub communities: Vec<Place>,
    pub grids: Vec<Grid>,
    pub categories: Vec<Cat>,
    pub depts: Vec<Dept>,
    /// One grid worker per load client, spread over the grids.
    pub grid_workers: Vec<(String, usize)>,
    /// One dispatcher per street (index = street).
    pub dispatchers: Vec<String>,
    pub community_worker: String,
    pub street_staff: String,
    pub district_admin: String,
}

const STREET_NAMES: &[&str] = &[
    "北城", "南城", "东城", "西城", "园艺", "龙山", "湖西", "郭村", "黄岗", "终兴", "徐寨", "莱河",
];

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn node(
    db: &Db,
    actor: &Actor,
    parent: i64,
    kind: NodeKind,
    code: &str,
    name: &str,
) -> Result<Place, String> {
    let new = NewNode::parse(parent, kind.as_str(), code, name).map_err(err)?;
    let n = nodes::create(db, &Scope::everything(), actor, new)
        .await
        .map_err(|e| format!("node {code}: {e}"))?;
    Ok(Place {
        id: n.id,
        path: n.path,
        name: n.name,
    })
}

async fn user(
    db: &Db,
    actor: &Actor,
    hash: &str,
    login: &str,
    role: Role,
    node: i64,
) -> Result<i64, String> {
    let u = users::create(
        db,
        Authority::Operator,
        actor,
        NewUser {
            login: Login::parse(login).map_err(err)?,
            display_name: format!("{login} 同志"),
            unit_name: String::new(),
            password_hash: hash.to_owned(),
            grants: vec![(role, node)],
        },
    )
    .await
    .map_err(|e| format!("user {login}: {e}"))?;
    Ok(u.id)
}

/// Builds the city on a fresh, migrated database. `clients` grid workers are created.
pub async fn build(db: &Db, shape: Shape, clients: usize) -> Result<City, String> {
    let actor = Actor::system("bench", Utc::now());
    let district = node(db, &actor, 1, NodeKind::District, "371722", "单县").await?;
    let mut streets = Vec::new();
    let mut communities = Vec::new();
    let mut grids = Vec::new();
    for s in 0..shape.streets {
        let code = format!("371722{:03}", s + 1);
        let name = format!("{}街道", STREET_NAMES[s % STREET_NAMES.len()]);
        let street = node(db, &actor, district.id, NodeKind::Street, &code, &name).await?;
        for c in 0..shape.communities_per_street {
            let ccode = format!("{code}{:03}", c + 1);
            let cname = format!("{}第{}社区", &name[..name.len() - "街道".len()], c + 1);
            let community =
                node(db, &actor, street.id, NodeKind::Community, &ccode, &cname).await?;
            for g in 0..shape.grids_per_community {
                let gcode = format!("{ccode}G{:02}", g + 1);
                let gname = format!("第{}网格", g + 1);
                let grid = node(db, &actor, community.id, NodeKind::Grid, &gcode, &gname).await?;
                grids.push(Grid {
                    place: grid,
                    street: streets.len(),
                    community: communities.len(),
                });
            }
            communities.push(community);
        }
        streets.push(street);
    }
    categories::seed_if_empty(db, &actor).await.map_err(err)?;
    let cats = categories::list(db, true).await.map_err(err)?;
    let mut groups: Vec<String> = cats.iter().map(|c| c.group.clone()).collect();
    groups.sort();
    groups.dedup();
    let hash = jiceng_web::auth::hash_password(PASSWORD);
    let mut depts = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let org = orgs::create_organisation(
            db,
            &Scope::everything(),
            &actor,
            NewOrganisation {
                kind: OrgKind::Department,
                name: format!("单县{g}服务中心"),
                home_node_id: district.id,
                credit_code: String::new(),
                contact_name: String::new(),
                contact_phone: String::new(),
                serves: vec![],
            },
        )
        .await
        .map_err(|e| format!("department {g}: {e}"))?;
        let login = format!("dept{:02}", i + 1);
        let uid = user(
            db,
            &actor,
            &hash,
            &login,
            Role::DepartmentStaff,
            district.id,
        )
        .await?;
        users::set_organisation(db, &Scope::everything(), &actor, uid, Some(org.id))
            .await
            .map_err(err)?;
        depts.push(Dept {
            id: org.id,
            name: org.name,
            staff_login: login,
        });
    }
    let policy = jiceng_core::requests::sla::SlaPolicy::default();
    let mut categories = Vec::new();
    for c in &cats {
        let dept = groups.iter().position(|g| *g == c.group).unwrap_or(0);
        routing::create(
            db,
            &Scope::everything(),
            &actor,
            NewRule {
                category_id: Some(c.id),
                node_id: district.id,
                desk_node_id: None,
                desk_level: None,
                lead_org_id: Some(depts[dept].id),
                auto_dispatch: true,
            },
        )
        .await
        .map_err(|e| format!("routing rule for {}: {e}", c.name))?;
        categories.push(Cat {
            id: c.id,
            name: c.name.clone(),
            severity: c.severity.clone(),
            resolve_days: i64::from(
                policy.resolve_days(c.severity(), c.resolve_days.map(|d| d as u32)),
            ),
            dept,
            simple: c.questions.iter().all(|q| !q.required),
        });
    }
    let mut dispatchers = Vec::new();
    for (i, s) in streets.iter().enumerate() {
        let login = format!("desk{:02}", i + 1);
        user(db, &actor, &hash, &login, Role::Dispatcher, s.id).await?;
        dispatchers.push(login);
    }
    let mut grid_workers = Vec::new();
    for i in 0..clients {
        // Spread the clients over streets first, so every desk gets work.
        let per_street = grids.len() / streets.len();
        let g = (i % streets.len()) * per_street + (i / streets.len()) % per_street;
        let login = format!("wgy{:03}", i + 1);
        user(
            db,
            &actor,
            &hash,
            &login,
            Role::GridWorker,
            grids[g].place.id,
        )
        .await?;
        grid_workers.push((login, g));
    }
    let community_worker = "sqgz01".to_owned();
    user(
        db,
        &actor,
        &hash,
        &community_worker,
        Role::CommunityWorker,
        communities[0].id,
    )
    .await?;
    let street_staff = "jdgz01".to_owned();
    user(
        db,
        &actor,
        &hash,
        &street_staff,
        Role::StreetStaff,
        streets[0].id,
    )
    .await?;
    let district_admin = "qugl01".to_owned();
    user(
        db,
        &actor,
        &hash,
        &district_admin,
        Role::DistrictAdmin,
        district.id,
    )
    .await?;
    Ok(City {
        district,
        streets,
        communities,
        grids,
        categories,
        depts,
        grid_workers,
        dispatchers,
        community_worker,
        street_staff,
        district_admin,
    })
}
