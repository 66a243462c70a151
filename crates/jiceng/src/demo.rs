//! `jiceng demo`: a fresh database with a real county — its streets/towns and committees from the
//! shipped division codes — grids under every committee, and one account per role, then serve.
//! Residents, party members and request history arrive with the modules that hold them.

use jiceng_core::clock::{Clock, SystemClock};
use jiceng_core::division::DivisionCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, NewNode, Node};
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db, Page};
use std::io::Write;
use std::path::Path;

/// The eight seed counties, shipped in the repository and compiled in, so `demo` works from any
/// directory.
const SEED_DIVISIONS: &str = include_str!("../../../data/divisions/seed-districts.csv");

pub const DEMO_PASSWORD: &str = "Jiceng-2026";

pub struct DemoLogin {
    pub login: &'static str,
    pub role: Role,
    pub at: String,
}

/// Grid names as street offices number them.
const GRID_NAMES: [&str; 6] = [
    "第一网格",
    "第二网格",
    "第三网格",
    "第四网格",
    "第五网格",
    "第六网格",
];

/// Deterministic 2–5 grids for a committee, so the same county always gives the same demo.
fn grid_count(code: &str) -> usize {
    let h = code
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    2 + (h % 4) as usize
}

pub(crate) fn progress(label: &str, done: usize, total: usize) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    print!(
        "\r{label} [{}{}] {done}/{total}",
        "█".repeat(filled),
        "·".repeat(width - filled)
    );
    let _ = std::io::stdout().flush();
    if done == total {
        println!();
    }
}

/// Removes an old demo database so every run starts from the same state.
pub fn fresh_file(dir: &Path) -> Result<String, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("无法创建 {}：{e}", dir.display()))?;
    let file = dir.join("jiceng.db");
    for suffix in ["", "-wal", "-shm"] {
        let f = format!("{}{suffix}", file.display());
        if Path::new(&f).exists() {
            std::fs::remove_file(&f).map_err(|e| format!("无法删除旧的演示数据库 {f}：{e}"))?;
        }
    }
    Ok(format!("sqlite://{}", file.display()))
}

pub async fn build(
    db: &Db,
    vault: &jiceng_store::vault::Vault,
    county: &str,
    size: crate::demo_city::DemoSize,
) -> Result<Vec<DemoLogin>, String> {
    let code = DivisionCode::parse(county).map_err(|e| e.message)?;
    let all = jiceng_io::divisions::parse(SEED_DIVISIONS.as_bytes(), "seed-districts.csv")
        .map_err(|e| e.to_string())?;
    let list = jiceng_io::divisions::for_county(all, &code).map_err(|_| {
        format!("演示数据只含八个样本区县（见 data/divisions/README.md），没有 {county}")
    })?;
    let actor = Actor::system("demo", SystemClock.now());
    println!(
        "导入区划：{}",
        list.iter()
            .find(|d| d.code == code)
            .map(|d| d.name.as_str())
            .unwrap_or(county)
    );
    let pairs: Vec<_> = list.into_iter().map(|d| (d.code, d.name)).collect();
    jiceng_store::divisions::import(db, &actor, &pairs)
        .await
        .map_err(|e| e.to_string())?;

    let everything = Scope::everything();
    let county_node = find(db, &everything, NodeKind::District, county).await?;
    let county_scope = Scope::from_paths([county_node.path.clone()]).ok_or("empty scope")?;
    let committees = all_of(db, &county_scope, NodeKind::Community).await?;
    let streets = all_of(db, &county_scope, NodeKind::Street).await?;
    let mut first_grid = None;
    let mut grids_of = Vec::new();
    for (i, c) in committees.iter().enumerate() {
        let mut mine = Vec::new();
        for (g, name) in GRID_NAMES.iter().take(grid_count(&c.code)).enumerate() {
            let new = NewNode::parse(c.id, "grid", &format!("{}G{:02}", c.code, g + 1), name)
                .map_err(|e| e.to_string())?;
            let grid = nodes::create(db, &everything, &actor, new)
                .await
                .map_err(|e| e.to_string())?;
            first_grid.get_or_insert(grid.clone());
            mine.push(grid);
        }
        grids_of.push((c.clone(), mine));
        if i % 20 == 0 || i + 1 == committees.len() {
            progress("划分网格", i + 1, committees.len());
        }
    }
    let today = SystemClock.now().date_naive();
    let party =
        crate::demo_city::populate(db, vault, &actor, county, &streets, &grids_of, size, today)
            .await?;
    let street = streets.first().ok_or("该区县没有街道")?;
    let community = committees
        .iter()
        .find(|c| c.parent_id == Some(street.id))
        .ok_or("该街道没有社区")?;
    let grid = first_grid.ok_or("没有网格")?;
    let accounts: [(&'static str, Role, &Node, &str, String); 9] = [
        (
            "admin",
            Role::DistrictAdmin,
            &county_node,
            "区级管理员",
            format!("{}委组织部", county_node.name),
        ),
        (
            "auditor",
            Role::Auditor,
            &county_node,
            "审计员",
            format!("{}纪委监委", county_node.name),
        ),
        (
            "dept",
            Role::DepartmentStaff,
            &county_node,
            "部门人员",
            format!("{}住房和城乡建设局", county_node.name),
        ),
        (
            "street",
            Role::StreetStaff,
            street,
            "街道工作人员",
            format!("{}党工委", street.name),
        ),
        (
            "dispatch",
            Role::Dispatcher,
            street,
            "派单员",
            format!("{}派单中心", street.name),
        ),
        (
            "community",
            Role::CommunityWorker,
            community,
            "社区工作者",
            community.name.clone(),
        ),
        (
            "member",
            Role::PartyMember,
            community,
            "党员",
            community.name.clone(),
        ),
        (
            "grid",
            Role::GridWorker,
            &grid,
            "网格员",
            format!("{}{}", community.name, grid.name),
        ),
        ("resident", Role::Resident, &grid, "居民", String::new()),
    ];
    let (cats, departments) = crate::demo_requests::setup(db, &actor, &county_node).await?;
    let street_of = |g: &Node| streets.iter().find(|s| g.path.starts_with(&s.path));
    let places: Vec<crate::demo_requests::Place<'_>> = grids_of
        .iter()
        .flat_map(|(c, gs)| gs.iter().map(move |g| (c, g)))
        .filter_map(|(c, g)| {
            street_of(g).map(|s| crate::demo_requests::Place {
                grid: g,
                community: c,
                desk_path: &s.path,
                desk_name: &s.name,
            })
        })
        .collect();
    crate::demo_requests::history(db, &actor, &places, &cats, size.requests, actor.at).await?;
    let hash = jiceng_web::auth::hash_async(DEMO_PASSWORD.to_owned()).await;
    let mut logins = Vec::new();
    for (login, role, node, title, unit) in accounts {
        // Street and community staff also work on the party side of their place.
        let mut grants = vec![(role, node.id)];
        let party_node = match role {
            Role::StreetStaff => party.working_committee.get(&node.id),
            Role::CommunityWorker | Role::PartyMember => party.committee.get(&node.id),
            _ => None,
        };
        if let Some(pn) = party_node {
            grants.push((role, pn.id));
        }
        let new = NewUser {
            login: jiceng_core::account::Login::parse(login).map_err(|e| e.message)?,
            display_name: format!("演示{title}"),
            unit_name: unit,
            password_hash: hash.clone(),
            grants,
        };
        let user = users::create(db, Authority::Operator, &actor, new)
            .await
            .map_err(|e| e.to_string())?;
        if role == Role::DepartmentStaff {
            // The demo department login works for 住建局, which leads 供暖, 物业 and more.
            let org = departments.get("zhujian").copied();
            users::set_organisation(db, &Scope::everything(), &actor, user.id, org)
                .await
                .map_err(|e| e.to_string())?;
        }
        logins.push(DemoLogin {
            login,
            role,
            at: node.name.clone(),
        });
    }
    crate::open311_cmd::demo_key(db, &actor, street).await?;
    let whistle_grid = grids_of
        .iter()
        .flat_map(|(_, gs)| gs)
        .find(|g| g.path.starts_with(&street.path))
        .ok_or("该街道没有网格")?;
    crate::demo_whistles::seed(db, &actor, street, whistle_grid, &departments).await?;
    Ok(logins)
}

async fn find(db: &Db, scope: &Scope, kind: NodeKind, code: &str) -> Result<Node, String> {
    all_of(db, scope, kind)
        .await?
        .into_iter()
        .find(|n| n.code == code)
        .ok_or_else(|| format!("找不到 {code}"))
}

async fn all_of(db: &Db, scope: &Scope, kind: NodeKind) -> Result<Vec<Node>, String> {
    let mut out = Vec::new();
    for page in 1.. {
        let (items, total) =
            nodes::by_kind(db, scope, kind, Page::new(Some(page), Some(Page::MAX_SIZE)))
                .await
                .map_err(|e| e.to_string())?;
        out.extend(items);
        if out.len() as i64 >= total {
            break;
        }
    }
    Ok(out)
}

pub fn print_logins(base: &str, logins: &[DemoLogin]) {
    println!();
    println!("演示账号（密码均为 {DEMO_PASSWORD}），浏览器打开 {base}/login：");
    for l in logins {
        println!("  {:<10} {}（{}）", l.login, l.role.label_zh(), l.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiceng_store::testing::test_db;

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
        };
        let logins = build(&t.db, &vault, "371722", size).await.unwrap();
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
        assert_eq!(count(f(None)).await, 2_000);
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
        for l in &logins {
            let c = users::credentials(&t.db, l.login).await.unwrap().unwrap();
            assert!(jiceng_web::auth::password::verify_password(
                DEMO_PASSWORD,
                &c.password_hash
            ));
        }
    }
}
