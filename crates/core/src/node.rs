//! Nodes of the two linked trees (territory and party organisation). Every scoped object hangs
//! under a node, and a node's materialized path (`/371722/371722001/`) is what scope checks match.

use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tree {
    Territory,
    Org,
}

impl Tree {
    pub fn as_str(self) -> &'static str {
        match self {
            Tree::Territory => "territory",
            Tree::Org => "org",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "territory" => Some(Tree::Territory),
            "org" => Some(Tree::Org),
            _ => None,
        }
    }
}

macro_rules! node_kinds {
    ($( $variant:ident = $s:literal, $tree:ident, $rank:literal, $zh:literal, $en:literal; )*) => {
        /// What a node is. The rank orders kinds within a tree: a child must rank below its parent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum NodeKind { $($variant),* }

        impl NodeKind {
            pub const ALL: &'static [NodeKind] = &[$(NodeKind::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(NodeKind::$variant => $s),* } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(NodeKind::$variant),)* _ => None } }
            /// `None` for the root, which belongs to both trees.
            pub fn tree(self) -> Option<Tree> { match self { $(NodeKind::$variant => node_kinds!(@tree $tree)),* } }
            pub fn rank(self) -> u8 { match self { $(NodeKind::$variant => $rank),* } }
            pub fn label_zh(self) -> &'static str { match self { $(NodeKind::$variant => $zh),* } }
            pub fn label_en(self) -> &'static str { match self { $(NodeKind::$variant => $en),* } }
        }
    };
    (@tree Root) => { None };
    (@tree Territory) => { Some(Tree::Territory) };
    (@tree Org) => { Some(Tree::Org) };
}

node_kinds! {
    Root = "root", Root, 0, "全域", "All";
    Province = "province", Territory, 1, "省", "Province";
    City = "city", Territory, 2, "市", "City";
    District = "district", Territory, 3, "区/县", "District";
    Street = "street", Territory, 4, "街道/镇", "Street";
    Community = "community", Territory, 5, "社区/村", "Community";
    Grid = "grid", Territory, 6, "网格", "Grid";
    Estate = "estate", Territory, 7, "小区", "Estate";
    Courtyard = "courtyard", Territory, 8, "庭院", "Courtyard";
    OfficeTower = "office_tower", Territory, 8, "商务楼宇", "Office tower";
    Park = "park", Territory, 7, "园区", "Park";
    Building = "building", Territory, 9, "楼栋", "Building";
    Entrance = "entrance", Territory, 10, "单元", "Entrance";
    Household = "household", Territory, 11, "户", "Household";
    WorkingCommittee = "working_committee", Org, 3, "党工委", "Working committee";
    Committee = "committee", Org, 4, "党委", "Party committee";
    SectorCommittee = "sector_committee", Org, 4, "行业党委", "Sector committee";
    TowerCommittee = "tower_committee", Org, 5, "楼宇党委", "Tower committee";
    JointCommittee = "joint_committee", Org, 5, "联合党委", "Joint committee";
    GeneralBranch = "general_branch", Org, 6, "党总支", "General branch";
    ParkGeneralBranch = "park_general_branch", Org, 6, "园区党总支", "Park general branch";
    Branch = "branch", Org, 7, "党支部", "Branch";
    Group = "group", Org, 8, "党小组", "Party group";
}

impl NodeKind {
    /// May a node of kind `self` be created under a node of kind `parent`?
    /// Kinds stay in their own tree; both trees start at the root.
    pub fn may_hang_under(self, parent: NodeKind) -> bool {
        if self == NodeKind::Root {
            return false;
        }
        let same_tree = parent.tree().is_none() || parent.tree() == self.tree();
        same_tree && self.rank() > parent.rank()
    }
}

/// A node code: the statistical division code for divisions, or a code derived from the parent
/// for nodes below communities. ASCII letters and digits only, so it can sit in a path and a
/// `LIKE` prefix without escaping. Letters are upper-cased: SQLite's `LIKE` ignores ASCII case,
/// so `a1` and `A1` must be one code on both engines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCode(String);

impl NodeCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_ascii_uppercase();
        let s = s.as_str();
        if s.is_empty() || s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(DomainError::new(
                "invalid_code",
                "code",
                "编码须为 1–32 位英文字母或数字",
            ));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The path of a child: the parent's path followed by the child's code.
pub fn child_path(parent_path: &str, code: &NodeCode) -> String {
    format!("{parent_path}{}/", code.as_str())
}

pub const ROOT_PATH: &str = "/";

/// Every path above and at `path`, from the top, the root excepted
/// (`/37/3717/` → `/37/`, `/37/3717/`): the keys a place's figures and names are kept under.
pub fn ancestor_paths(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::from(ROOT_PATH);
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        acc.push_str(seg);
        acc.push('/');
        out.push(acc.clone());
    }
    out
}

pub fn parse_node_name(raw: &str) -> Result<String, DomainError> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 100 {
        return Err(DomainError::new(
            "invalid_name",
            "name",
            "名称不能为空，且不超过 100 个字",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use NodeKind::*;

    #[test]
    fn kinds_hang_only_below_higher_kinds_of_their_own_tree() {
        let cases = [
            (District, Root, true),
            (Street, District, true),
            (Community, Street, true),
            (Street, Community, false),
            (Branch, Community, false),
            (Branch, Committee, true),
            (WorkingCommittee, Root, true),
            (Community, Committee, false),
            (Root, Root, false),
        ];
        for (child, parent, ok) in cases {
            assert_eq!(
                child.may_hang_under(parent),
                ok,
                "{child:?} under {parent:?}"
            );
        }
    }

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for k in NodeKind::ALL {
            assert_eq!(NodeKind::parse(k.as_str()), Some(*k));
        }
    }

    #[test]
    fn codes_are_plain_ascii() {
        assert!(NodeCode::parse("371722001").is_ok());
        assert_eq!(NodeCode::parse(" g01 ").unwrap().as_str(), "G01");
        for bad in ["", "37/17", "37%", "社区", &"1".repeat(33)] {
            assert!(NodeCode::parse(bad).is_err(), "{bad}");
        }
        let c = NodeCode::parse("371722").unwrap();
        assert_eq!(child_path(ROOT_PATH, &c), "/371722/");
    }
}
