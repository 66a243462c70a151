//! Who may see what: a user's scope for a permission is the union of the subtrees of the nodes
//! where they hold a role that grants it. The store binds every query to a `Scope`.

use crate::role::{Permission, Role};
use serde::Serialize;

/// A role held at a node, with the node's path so scope needs no further lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub node_id: i64,
    pub node_path: String,
    pub node_name: String,
}

/// A set of subtrees, each given by its root's materialized path (ending in `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    prefixes: Vec<String>,
}

impl Scope {
    /// The whole installation: used by command-line administration and background jobs only.
    pub fn everything() -> Self {
        Self {
            prefixes: vec![crate::node::ROOT_PATH.to_owned()],
        }
    }

    /// The subtrees where `grants` permit `p`, or `None` when no grant does.
    pub fn for_permission(grants: &[Grant], p: Permission) -> Option<Self> {
        let paths = grants
            .iter()
            .filter(|g| g.role.permits(p))
            .map(|g| g.node_path.clone());
        Self::from_paths(paths)
    }

    /// Normalises: drops any path that lies inside another, so queries stay short.
    pub fn from_paths(paths: impl IntoIterator<Item = String>) -> Option<Self> {
        let mut all: Vec<String> = paths.into_iter().collect();
        all.sort();
        all.dedup();
        let mut prefixes: Vec<String> = Vec::new();
        for p in all {
            // Sorted order puts an ancestor right before its descendants.
            if !prefixes.iter().any(|kept| p.starts_with(kept.as_str())) {
                prefixes.push(p);
            }
        }
        (!prefixes.is_empty()).then_some(Self { prefixes })
    }

    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    pub fn contains(&self, path: &str) -> bool {
        self.prefixes.iter().any(|p| path.starts_with(p.as_str()))
    }
}

/// May the holder of `grants` give `role` at the node with `target_path`? They need, at that node
/// or above it, a role that may grant it.
pub fn may_grant_at(grants: &[Grant], role: Role, target_path: &str) -> bool {
    grants
        .iter()
        .any(|g| g.role.may_grant(role) && target_path.starts_with(g.node_path.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: &str) -> Grant {
        Grant {
            role,
            node_id: 0,
            node_path: path.into(),
            node_name: String::new(),
        }
    }

    #[test]
    fn scope_is_the_union_of_permitted_subtrees() {
        let g = [
            grant(Role::CommunityWorker, "/371722/371722001/371722001001/"),
            grant(Role::CommunityWorker, "/371722/371722002/"),
            grant(Role::Resident, "/371722/"),
        ];
        let s = Scope::for_permission(&g, Permission::ViewNodes).unwrap();
        assert!(s.contains("/371722/371722001/371722001001/x/"));
        assert!(s.contains("/371722/371722002/"));
        assert!(!s.contains("/371722/371722001/371722001002/"));
        assert!(
            !s.contains("/371722/"),
            "resident grant does not permit viewing nodes"
        );
        assert!(Scope::for_permission(&g, Permission::ViewAudit).is_none());
    }

    #[test]
    fn nested_paths_collapse_into_their_ancestor() {
        let s = Scope::from_paths(["/1/2/".into(), "/1/".into(), "/3/".into(), "/1/".into()]);
        assert_eq!(s.unwrap().prefixes(), ["/1/", "/3/"]);
        assert!(Scope::from_paths(Vec::new()).is_none());
    }

    #[test]
    fn sibling_codes_sharing_digits_are_not_confused() {
        // "/37/" must not cover "/371/": paths end with a slash for this reason.
        let s = Scope::from_paths(["/37/".into()]).unwrap();
        assert!(!s.contains("/371/"));
    }

    #[test]
    fn granting_needs_a_granting_role_above_the_target() {
        let g = [grant(Role::StreetStaff, "/1/2/")];
        assert!(may_grant_at(&g, Role::GridWorker, "/1/2/3/"));
        assert!(!may_grant_at(&g, Role::GridWorker, "/1/4/"));
        assert!(!may_grant_at(&g, Role::DistrictAdmin, "/1/2/3/"));
    }
}
