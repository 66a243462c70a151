//! Routing (派单规则): which dispatch desk receives a request and which unit it suggests as
//! lead, by category × territory. The most specific rule wins: the deepest territory that
//! contains the request's place, and at equal depth a rule for the category over a rule for
//! every category.

use crate::node::NodeKind;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: i64,
    /// `None` applies to every category.
    pub category_id: Option<i64>,
    /// The territory the rule covers (materialized path, ends in `/`).
    pub node_path: String,
    /// The desk (a territory node whose dispatchers receive the request); `None` keeps the
    /// default desk, the street (else district) above the place.
    pub desk_path: Option<String>,
    /// Instead of a named desk, the nearest node of this kind above each request's place
    /// (分级响应: a community receives what happens in it, and calls the street when it cannot
    /// settle it). Only communities, for now: `DESK_LEVELS`.
    pub desk_level: Option<NodeKind>,
    /// The unit suggested as lead, if the rule names one.
    pub lead_org_id: Option<i64>,
    /// Dispatch straight to the lead unit on submission (needs a lead unit).
    pub auto_dispatch: bool,
}

/// The levels a rule may send requests to, besides the default (the street above the place).
pub const DESK_LEVELS: &[NodeKind] = &[NodeKind::Community];

/// The rule for a request of `category_id` at `place_path`, if any covers it.
pub fn choose<'a>(rules: &'a [Rule], category_id: i64, place_path: &str) -> Option<&'a Rule> {
    rules
        .iter()
        .filter(|r| place_path.starts_with(r.node_path.as_str()))
        .filter(|r| r.category_id.is_none_or(|c| c == category_id))
        .max_by_key(|r| (r.node_path.len(), r.category_id.is_some(), -r.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: i64, cat: Option<i64>, path: &str, desk: &str) -> Rule {
        Rule {
            id,
            category_id: cat,
            node_path: path.into(),
            desk_path: Some(desk.into()),
            desk_level: None,
            lead_org_id: None,
            auto_dispatch: false,
        }
    }

    #[test]
    fn the_deepest_territory_wins_then_the_category_specific_rule() {
        let rules = [
            r(1, None, "/371722/", "/371722/"),
            r(2, Some(7), "/371722/", "/371722/"),
            r(3, None, "/371722/371722001/", "/371722/371722001/"),
            r(4, Some(7), "/371722/371722002/", "/371722/"),
        ];
        let street1 = "/371722/371722001/371722001001/";
        let street2 = "/371722/371722002/371722002001/";
        assert_eq!(choose(&rules, 7, street1).map(|r| r.id), Some(3));
        assert_eq!(choose(&rules, 7, street2).map(|r| r.id), Some(4));
        assert_eq!(choose(&rules, 8, street2).map(|r| r.id), Some(1));
        assert_eq!(choose(&rules, 7, "/371723/").map(|r| r.id), None);
    }

    #[test]
    fn at_equal_specificity_the_oldest_rule_wins_so_the_choice_is_stable() {
        let rules = [r(5, None, "/1/", "/1/"), r(2, None, "/1/", "/1/")];
        assert_eq!(choose(&rules, 1, "/1/2/").map(|r| r.id), Some(2));
    }
}
