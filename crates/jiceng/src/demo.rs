//! `jiceng demo`: a fresh database with a real county — its streets/towns and committees from the
//! shipped division codes — grids under every committee, and one account per role, then serve.
//! Residents, party members and request history arrive with the modules that hold them.

use crate::demo_logins::DemoLogin;
use crate::demo_scale::Scale;
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_core::division::DivisionCode;
use jiceng_core::node::NodeKind;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, NewNode, Node};
use jiceng_store::{Actor, Db, Page};
use std::io::Write;
use std::path::Path;

/// The eight seed counties, shipped in the repository and compiled in, so `demo` works from any
/// directory.
pub(crate) const SEED_DIVISIONS: &str = include_str!("../../../data/divisions/seed-districts.csv");

/// Grid names as street offices number them.
const GRID_NAMES: [&str; 6] = [
    "第一网格",
    "第二网格",
    "第三网格",
    "第四网格",
    "第五网格",
    "第六网格",
];

/// 2–5 grids for a committee, the same for the same code and seed.
fn grid_count(code: &str, seed: u64) -> usize {
    2 + (crate::demo_scale::mix(seed, code) % 4) as usize
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

/// One county of the demo: its node, streets and committees, and the grids laid out under them.
struct County {
    node: Node,
    streets: Vec<Node>,
    committees: Vec<Node>,
    grids_of: Vec<(Node, Vec<Node>)>,
}

/// Lays grids under every committee of the county `code` (its divisions already imported).
async fn lay_out(db: &Db, actor: &Actor, code: &str, seed: u64) -> Result<County, String> {
    let everything = Scope::everything();
    let node = find(db, &everything, NodeKind::District, code).await?;
    let scope = Scope::from_paths([node.path.clone()]).ok_or("empty scope")?;
    let committees = all_of(db, &scope, NodeKind::Community).await?;
    let streets = all_of(db, &scope, NodeKind::Street).await?;
    let mut grids_of = Vec::new();
    let label = format!("划分网格（{}）", node.name);
    for (i, c) in committees.iter().enumerate() {
        let mut mine = Vec::new();
        for (g, name) in GRID_NAMES
            .iter()
            .take(grid_count(&c.code, seed))
            .enumerate()
        {
            let new = NewNode::parse(c.id, "grid", &format!("{}G{:02}", c.code, g + 1), name)
                .map_err(|e| e.to_string())?;
            let grid = nodes::create(db, &everything, actor, new)
                .await
                .map_err(|e| e.to_string())?;
            mine.push(grid);
        }
        grids_of.push((c.clone(), mine));
        if i % 20 == 0 || i + 1 == committees.len() {
            progress(&label, i + 1, committees.len());
        }
    }
    Ok(County {
        node,
        streets,
        committees,
        grids_of,
    })
}

pub async fn build(
    db: &Db,
    vault: &jiceng_store::vault::Vault,
    county: &str,
    scale: Scale,
    size: crate::demo_city::DemoSize,
) -> Result<Vec<DemoLogin>, String> {
    let code = DivisionCode::parse(county).map_err(|e| e.message)?;
    let all = jiceng_io::divisions::parse(SEED_DIVISIONS.as_bytes(), "seed-districts.csv")
        .map_err(|e| e.to_string())?;
    let codes = crate::demo_scale::counties(&all, &code, scale);
    let actor = Actor::system("demo", SystemClock.now());
    let mut counties = Vec::new();
    for c in &codes {
        let list = jiceng_io::divisions::for_county(all.clone(), c).map_err(|_| {
            format!("演示数据只含八个样本区县（见 data/divisions/README.md），没有 {county}")
        })?;
        let name = list.iter().find(|d| d.code == *c).map(|d| d.name.clone());
        println!("导入区划：{}", name.as_deref().unwrap_or(c.as_str()));
        let pairs: Vec<_> = list.into_iter().map(|d| (d.code, d.name)).collect();
        jiceng_store::divisions::import(db, &actor, &pairs)
            .await
            .map_err(|e| e.to_string())?;
        counties.push(lay_out(db, &actor, c.as_str(), size.seed).await?);
    }
    let today = SystemClock.now().date_naive();
    let mut party = crate::demo_city::PartyTree::default();
    for c in &counties {
        let tree = crate::demo_city::populate(
            db,
            vault,
            &actor,
            &c.node.code,
            &c.streets,
            &c.grids_of,
            size,
            today,
        )
        .await?;
        party.working_committee.extend(tree.working_committee);
        party.committee.extend(tree.committee);
    }
    let first = counties.first().ok_or("没有区县")?;
    // Several counties: the district-level logins work for the city above them.
    let top = match counties.len() {
        1 => first.node.clone(),
        _ => {
            let city = first.node.parent_id.ok_or("区县没有上级")?;
            nodes::get(db, &Scope::everything(), city)
                .await
                .map_err(|e| e.to_string())?
        }
    };
    let county_node = &first.node;
    let street = first.streets.first().ok_or("该区县没有街道")?;
    let community = first
        .committees
        .iter()
        .find(|c| c.parent_id == Some(street.id))
        .ok_or("该街道没有社区")?;
    let grid = first
        .grids_of
        .iter()
        .find(|(c, _)| c.id == community.id)
        .and_then(|(_, gs)| gs.first())
        .ok_or("没有网格")?
        .clone();
    // Each county its departments, routing rules and year of history; the logins work in the
    // first one.
    let mut departments = None;
    let mut first_cats = None;
    for c in &counties {
        let (cats, units) = crate::demo_requests::setup(db, &actor, &c.node).await?;
        departments.get_or_insert(units);
        let street_of = |g: &Node| c.streets.iter().find(|s| g.path.starts_with(&s.path));
        let places: Vec<crate::demo_requests::Place<'_>> = c
            .grids_of
            .iter()
            .flat_map(|(cm, gs)| gs.iter().map(move |g| (cm, g)))
            .filter_map(|(cm, g)| {
                street_of(g).map(|s| crate::demo_requests::Place {
                    grid: g,
                    community: cm,
                    desk_path: &s.path,
                    desk_name: &s.name,
                })
            })
            .collect();
        let seed = crate::demo_scale::mix(size.seed, &format!("history {}", c.node.code));
        crate::demo_requests::history(db, &actor, &places, &cats, size.requests, actor.at, seed)
            .await?;
        first_cats.get_or_insert(cats);
    }
    let departments = departments.unwrap_or_default();
    let logins = crate::demo_logins::create(
        db,
        &actor,
        &party,
        &departments,
        crate::demo_logins::At {
            top: &top,
            county: county_node,
            street,
            community,
            grid: &grid,
        },
    )
    .await?;
    // The resident's and the party member's own requests, at the logins' grid.
    let home = crate::demo_requests::Place {
        grid: &grid,
        community,
        desk_path: &street.path,
        desk_name: &street.name,
    };
    let cats = first_cats.as_deref().unwrap_or_default();
    crate::demo_own::for_logins(db, &actor, &home, cats, &logins, size.seed).await?;
    crate::open311_cmd::demo_key(db, &actor, street).await?;
    let whistle_grid = first
        .grids_of
        .iter()
        .flat_map(|(_, gs)| gs)
        .find(|g| g.path.starts_with(&street.path))
        .ok_or("该街道没有网格")?;
    crate::demo_whistles::seed(db, &actor, street, whistle_grid, &departments).await?;
    // The inbox the last thirty days would have left each desk, unit and resident.
    let since = actor.at - chrono::Duration::days(INBOX_DAYS);
    jiceng_store::requests::history_notifications::derive(db, &actor, since)
        .await
        .map_err(|e| e.to_string())?;
    Ok(logins)
}

/// How far back the demo's inboxes reach: what a desk or unit would still scroll through.
const INBOX_DAYS: i64 = 30;

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

#[cfg(test)]
mod tests;
