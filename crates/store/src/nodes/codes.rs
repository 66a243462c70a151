//! Codes of new nodes: below a community they extend the parent's (`371722001001G01`,
//! `…G01E02`). One place for the rule, so a single creation and a roster import derive alike.

use crate::error::StoreResult;
use jiceng_core::node::{NodeCode, NodeKind};

/// Letters that mark the level in codes derived below a community: 371722001001G01 is grid 1 of
/// committee 371722001001, …G01E02 an estate in it.
pub(crate) fn code_letter(kind: NodeKind) -> Option<&'static str> {
    Some(match kind {
        NodeKind::Grid => "G",
        NodeKind::Estate => "E",
        NodeKind::Courtyard => "Y",
        NodeKind::OfficeTower => "T",
        NodeKind::Park => "P",
        NodeKind::Building => "B",
        NodeKind::Entrance => "U",
        NodeKind::Household => "H",
        _ => return None,
    })
}

/// How the code of a new node is decided, before anything is read: the one to use, or the
/// prefix (parent code and level letter) of the next free number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CodePlan {
    Given(NodeCode),
    Next { prefix: String },
}

/// The code plan of a `kind` node under the node coded `parent_code`. Shared by a single
/// creation and a roster import, so both derive the same codes.
pub(crate) fn plan_code(
    parent_code: &str,
    kind: NodeKind,
    given: Option<&NodeCode>,
) -> StoreResult<CodePlan> {
    match (given, code_letter(kind)) {
        (Some(c), Some(_)) if !c.as_str().starts_with(parent_code) => Ok(CodePlan::Given(
            NodeCode::parse(&format!("{parent_code}{}", c.as_str()))?,
        )),
        (Some(c), _) => Ok(CodePlan::Given(c.clone())),
        (None, Some(letter)) => Ok(CodePlan::Next {
            prefix: format!("{parent_code}{letter}"),
        }),
        (None, None) => Err(jiceng_core::DomainError::new(
            "missing_field",
            "code",
            "区划及组织须填写编码（社区以下的网格、小区、楼栋等可自动生成）",
        )
        .into()),
    }
}

/// The next number after the highest of `prefix` among `taken` (the siblings' codes): `G01`,
/// `G02`, … Gaps (codes typed by hand as `G05`) are not refilled: numbers only grow.
pub(crate) fn next_free<'a>(
    prefix: &str,
    taken: impl IntoIterator<Item = &'a str>,
) -> StoreResult<NodeCode> {
    let next = taken
        .into_iter()
        .filter_map(|c| c.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    Ok(NodeCode::parse(&format!("{prefix}{next:02}"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> NodeCode {
        NodeCode::parse(s).unwrap()
    }

    #[test]
    fn a_suffix_below_a_community_gets_the_parents_code_in_front() {
        let plan = |kind, given: &str| plan_code("371722001001", kind, Some(&code(given))).unwrap();
        let given = |s: &str| CodePlan::Given(code(s));
        assert_eq!(plan(NodeKind::Grid, "G01"), given("371722001001G01"));
        assert_eq!(
            plan(NodeKind::Grid, "371722001001G07"),
            given("371722001001G07")
        );
        assert_eq!(
            plan(NodeKind::Branch, "DW1"),
            given("DW1"),
            "organisations keep theirs"
        );
        assert!(plan_code("371722", NodeKind::Street, None).is_err());
    }

    #[test]
    fn a_missing_code_is_the_number_after_the_highest_of_its_level() {
        let prefix = "371722001001G";
        let taken = ["371722001001G01", "371722001001G07", "371722001001P09", "X"];
        assert_eq!(next_free(prefix, taken).unwrap(), code("371722001001G08"));
        assert_eq!(next_free(prefix, []).unwrap(), code("371722001001G01"));
        let plan = plan_code("371722001001G01", NodeKind::Estate, None).unwrap();
        let prefix = "371722001001G01E".to_owned();
        assert_eq!(plan, CodePlan::Next { prefix });
    }
}
