//! Fills the demo county's communities with people and organisations (see `demo_gen` for how
//! each piece is drawn). Writes go through the same store functions the product uses, so the
//! demo obeys every rule and leaves a complete audit trail.

use crate::demo_gen::{ESTATE_NAMES, IdMint, PROPERTY_COMPANIES, Rng, household};
use chrono::{Datelike, NaiveDate};
use jiceng_core::node::NodeKind;
use jiceng_core::org::{GridRole, ManagementMode, MemberCategory, OrgKind};
use jiceng_core::scope::Scope;
use jiceng_store::grid_staff::{self, NewStaff};
use jiceng_store::nodes::{self, NewNode, Node};
use jiceng_store::orgs::{self, NewOrganisation};
use jiceng_store::party_members::{self, NewPartyMember};
use jiceng_store::residents::{self, ResidentFilter};
use jiceng_store::residents_import::{self, ImportOptions, ImportRow};
use jiceng_store::vault::Vault;
use jiceng_store::{Actor, Db, Page};
use std::collections::HashMap;

/// How much detail to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    /// People per grid, roughly (households are drawn until it is reached).
    pub residents_per_grid: usize,
    /// Fill only the first N streets (tests); `None` fills all.
    pub streets: Option<usize>,
    /// Requests of each county's year of history.
    pub requests: usize,
    /// What every draw starts from (`--seed`): one seed, one demo.
    pub seed: u64,
}

/// The party organisations made for the demo accounts.
#[derive(Default)]
pub struct PartyTree {
    pub working_committee: HashMap<i64, Node>,
    pub committee: HashMap<i64, Node>,
}

type Res<T> = Result<T, String>;

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

async fn make(
    db: &Db,
    actor: &Actor,
    parent: i64,
    kind: NodeKind,
    code: &str,
    name: &str,
) -> Res<Node> {
    let new = NewNode::parse(parent, kind.as_str(), code, name).map_err(e)?;
    nodes::create(db, &Scope::everything(), actor, new)
        .await
        .map_err(e)
}

use jiceng_core::place_label::short_name as short;

/// An estate's buildings as the demo lays them out, and the flats already given a household:
/// two households never share a flat, and flats are numbered as in China (floor, then door:
/// 502室 is the second door of the fifth floor).
struct Layout {
    buildings: u64,
    entrances: u64,
    floors: u64,
    taken: std::collections::HashSet<(u64, u64, u64)>,
}

impl Layout {
    fn new(rng: &mut Rng) -> Self {
        Self {
            buildings: rng.range(4, 24),
            entrances: rng.range(1, 4),
            // Walk-ups of the 1990s, then the mid- and high-rises since.
            floors: *rng.pick(&[5, 6, 6, 7, 11, 18, 26]),
            taken: std::collections::HashSet::new(),
        }
    }

    /// A free flat's address (after a few tries, a taken one: a shared flat is better than none).
    fn flat(&mut self, rng: &mut Rng) -> String {
        let pick = |rng: &mut Rng| {
            let floor = rng.range(1, self.floors);
            (
                rng.range(1, self.buildings),
                rng.range(1, self.entrances),
                floor * 100 + rng.range(1, 2),
            )
        };
        let mut at = pick(rng);
        for _ in 0..20 {
            if !self.taken.contains(&at) {
                break;
            }
            at = pick(rng);
        }
        self.taken.insert(at);
        format!("{}号楼{}单元{}室", at.0, at.1, at.2)
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn populate(
    db: &Db,
    vault: &Vault,
    actor: &Actor,
    county_code: &str,
    streets: &[Node],
    grids: &[(Node, Vec<Node>)],
    size: DemoSize,
    today: NaiveDate,
) -> Res<PartyTree> {
    let everything = Scope::everything();
    let mut rng = Rng::new(crate::demo_scale::mix(size.seed, county_code));
    let mut mint = IdMint::new(county_code);
    let mut tree = PartyTree {
        working_committee: HashMap::new(),
        committee: HashMap::new(),
    };
    let filled: Vec<i64> = streets
        .iter()
        .take(size.streets.unwrap_or(usize::MAX))
        .map(|s| s.id)
        .collect();
    for s in streets {
        let wc = make(
            db,
            actor,
            1,
            NodeKind::WorkingCommittee,
            &format!("GW{}", s.code),
            &format!("{}党工委", s.name),
        )
        .await?;
        // The two trees linked at every level, not only at the grids: the street's working
        // committee leads the street, the community's committee the community.
        orgs::anchor(db, &everything, actor, wc.id, s.id)
            .await
            .map_err(e)?;
        tree.working_committee.insert(s.id, wc);
    }
    let todo: Vec<&(Node, Vec<Node>)> = grids
        .iter()
        .filter(|(c, _)| c.parent_id.is_some_and(|p| filled.contains(&p)))
        .collect();
    let (mut people, mut members) = (0usize, 0usize);
    for (i, (community, community_grids)) in todo.iter().enumerate() {
        let wc = &tree.working_committee[&community.parent_id.unwrap_or_default()];
        let dw = make(
            db,
            actor,
            wc.id,
            NodeKind::Committee,
            &format!("DW{}", community.code),
            &format!("{}党委", short(&community.name)),
        )
        .await?;
        orgs::anchor(db, &everything, actor, dw.id, community.id)
            .await
            .map_err(e)?;
        let mut rows = Vec::new();
        let mut branch_of_grid = HashMap::new();
        let mut estates_all = Vec::new();
        // No two estates of a community share a name (two 北关书香苑 with two owners' committees).
        let mut names_left: Vec<&str> = ESTATE_NAMES.to_vec();
        for grid in community_grids.iter() {
            let mut estates = Vec::new();
            for _ in 0..rng.range(1, 3) {
                let at = rng.range(0, names_left.len() as u64 - 1) as usize;
                let name = format!(
                    "{}{}",
                    short(&community.name).trim_end_matches("社区"),
                    names_left.swap_remove(at)
                );
                if names_left.is_empty() {
                    names_left = ESTATE_NAMES.to_vec();
                }
                estates.push(make(db, actor, grid.id, NodeKind::Estate, "", &name).await?);
            }
            // Most grids have their branch (支部建在网格上); a few are still to be covered.
            if rng.chance(90) {
                let b = make(
                    db,
                    actor,
                    dw.id,
                    NodeKind::Branch,
                    &format!("ZB{}", grid.code),
                    &format!("{}{}党支部", short(&community.name), grid.name),
                )
                .await?;
                orgs::anchor(db, &everything, actor, b.id, grid.id)
                    .await
                    .map_err(e)?;
                branch_of_grid.insert(grid.path.clone(), b.id);
            }
            for (role, n) in [
                (GridRole::GridLeader, 1),
                (GridRole::GridInstructor, 1),
                (GridRole::GridWorker, rng.range(0, 2)),
                (GridRole::GridHelper, rng.range(0, 3)),
            ] {
                for _ in 0..n {
                    let male = rng.chance(50);
                    let surname = *rng.pick(&["王", "李", "张", "刘", "陈", "杨", "赵", "孙"]);
                    let new = NewStaff {
                        grid_node_id: grid.id,
                        role,
                        name: crate::demo_gen::name(&mut rng, surname, male),
                        phone: Some(crate::demo_gen::phone(&mut rng)),
                        user_id: None,
                    };
                    grid_staff::assign(db, vault, &everything, actor, new)
                        .await
                        .map_err(e)?;
                }
            }
            let codes: Vec<String> = estates.iter().map(|n| n.code.clone()).collect();
            let places = residents_import::places_by_code(db, &everything, &codes)
                .await
                .map_err(e)?;
            let mut layouts: Vec<Layout> = estates.iter().map(|_| Layout::new(&mut rng)).collect();
            let mut count = 0;
            while count < size.residents_per_grid {
                let at = rng.range(0, estates.len() as u64 - 1) as usize;
                let place = places[&estates[at].code].clone();
                let house = household(&mut rng, &mut mint, today);
                let address = layouts[at].flat(&mut rng);
                for p in house {
                    count += 1;
                    rows.push(ImportRow {
                        row: rows.len() as u32 + 2,
                        name: p.name,
                        id_card: p.id_card,
                        phone: p.phone,
                        relation: p.relation,
                        place: place.clone(),
                        address: address.clone(),
                    });
                }
            }
            estates_all.extend(estates);
        }
        people += rows.len();
        let opts = ImportOptions {
            dry_run: false,
            all_or_nothing: true,
        };
        residents_import::import(db, vault, &everything, actor, rows, opts)
            .await
            .map_err(e)?;

        // Property companies serve most estates; owners' committees fewer.
        let company = *rng.pick(PROPERTY_COMPANIES);
        let served: Vec<i64> = estates_all
            .iter()
            .filter(|_| rng.chance(80))
            .map(|n| n.id)
            .collect();
        if !served.is_empty() {
            let org = NewOrganisation {
                kind: OrgKind::PropertyCompany,
                name: format!("{company}{}项目部", short(&community.name)),
                home_node_id: community.id,
                credit_code: String::new(),
                contact_name: String::new(),
                contact_phone: String::new(),
                serves: served,
            };
            orgs::create_organisation(db, &everything, actor, org)
                .await
                .map_err(e)?;
        }
        for estate in estates_all.iter().filter(|_| rng.chance(55)) {
            let org = NewOrganisation {
                kind: OrgKind::OwnersCommittee,
                name: format!("{}业主委员会", estate.name),
                home_node_id: estate.id,
                credit_code: String::new(),
                contact_name: String::new(),
                contact_phone: String::new(),
                serves: vec![estate.id],
            };
            orgs::create_organisation(db, &everything, actor, org)
                .await
                .map_err(e)?;
        }

        // About 7 % of adults are party members of their grid's branch.
        let scope = Scope::from_paths([community.path.clone()]).ok_or("scope")?;
        let mut page = 1;
        loop {
            let (batch, total) = residents::list(
                db,
                vault,
                &scope,
                &ResidentFilter::default(),
                Page::new(Some(page), Some(Page::MAX_SIZE)),
            )
            .await
            .map_err(e)?;
            for r in &batch {
                let adult = today.year() - r.birth_date.year() >= 18;
                let branch = branch_of_grid
                    .iter()
                    .find(|(g, _)| r.node_path.starts_with(g.as_str()))
                    .map(|(_, b)| *b);
                if let (true, Some(b), true) = (adult, branch, rng.chance(7)) {
                    let retired = today.year() - r.birth_date.year() >= 60;
                    let category = if retired {
                        MemberCategory::Retired
                    } else if rng.chance(85) {
                        MemberCategory::InService
                    } else {
                        MemberCategory::Mobile
                    };
                    let new = NewPartyMember {
                        resident_id: r.id,
                        org_node_id: b,
                        category,
                        management_mode: ManagementMode::Dual,
                        member_household: rng.chance(15),
                        building_captain: rng.chance(10),
                        joined_on: None,
                    };
                    party_members::create(db, &everything, actor, new)
                        .await
                        .map_err(e)?;
                    members += 1;
                }
            }
            if (page * Page::MAX_SIZE) as i64 >= total {
                break;
            }
            page += 1;
        }
        tree.committee.insert(community.id, dw);
        crate::demo::progress(
            &format!("居民与组织（{people} 人，党员 {members} 名）"),
            i + 1,
            todo.len(),
        );
    }
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flats_are_numbered_by_floor_and_door_and_not_shared() {
        let mut rng = Rng::new(3);
        assert!(Layout::new(&mut rng).floors >= 5);
        let mut l = Layout {
            buildings: 6,
            entrances: 2,
            floors: 6,
            taken: Default::default(),
        };
        let mut seen = std::collections::HashSet::new();
        for _ in 0..40 {
            let a = l.flat(&mut rng);
            let room: u64 = a[a.find("单元").unwrap() + "单元".len()..a.len() - "室".len()]
                .parse()
                .unwrap();
            assert!((1..=l.floors).contains(&(room / 100)), "{a}");
            assert!((1..=2).contains(&(room % 100)), "{a}");
            assert!(seen.insert(a.clone()), "{a} given twice");
        }
    }
}
