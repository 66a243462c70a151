//! Roles and what they permit. A role is always held *at a node*; see `scope`.

use serde::{Deserialize, Serialize};

macro_rules! roles {
    ($( $variant:ident = $s:literal, $zh:literal, $en:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Role { $($variant),* }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(Role::$variant => $s),* } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(Role::$variant),)* _ => None } }
            pub fn label_zh(self) -> &'static str { match self { $(Role::$variant => $zh),* } }
            pub fn label_en(self) -> &'static str { match self { $(Role::$variant => $en),* } }
        }
    };
}

roles! {
    DistrictAdmin = "district_admin", "区级管理员", "District administrator";
    StreetStaff = "street_staff", "街道工作人员", "Street office staff";
    Dispatcher = "dispatcher", "派单员", "Dispatcher";
    CommunityWorker = "community_worker", "社区工作者", "Community worker";
    GridWorker = "grid_worker", "网格员", "Grid worker";
    DepartmentStaff = "department_staff", "部门人员", "Department staff";
    PartyMember = "party_member", "党员", "Party member";
    Resident = "resident", "居民", "Resident";
    Auditor = "auditor", "审计员", "Auditor";
}

/// Things a user may do. Each handler asks for exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the territory and organisation trees.
    ViewNodes,
    /// Create and rename nodes.
    ManageNodes,
    /// See staff accounts.
    ViewUsers,
    /// Create staff accounts and grant roles.
    ManageUsers,
    /// Read the audit log.
    ViewAudit,
    /// See residents (names, addresses, masked identifiers).
    ViewResidents,
    /// Register and edit residents.
    ManageResidents,
    /// See full phone numbers: the people who call residents back.
    ViewPhones,
    /// Reveal a full 身份证 number; every reveal is audited.
    RevealIdCard,
    /// See party members and their branches.
    ViewPartyMembers,
    /// Record party membership (编入支部).
    ManagePartyMembers,
    /// Change installation settings such as the grid staffing norm.
    ManageSettings,
    /// Submit a request (诉求): residents for themselves, grid staff from patrols, the hotline
    /// and community workers on someone's behalf.
    SubmitRequests,
    /// See requests by the place they concern.
    ViewRequests,
    /// Run a dispatch desk (派单中心): accept, dispatch, verify, suspend, decide extensions.
    DispatchRequests,
    /// Handle requests dispatched to one's own unit (接单、办结).
    HandleRequests,
    /// Edit the category catalogue and routing rules.
    ManageRequestSetup,
    /// Supervise (督办) requests in one's area: street and district offices.
    SuperviseRequests,
    /// Blow the whistle (吹哨): summon departments to a problem in one's territory, rate their
    /// responses and close the whistle.
    BlowWhistle,
}

impl Role {
    pub fn permits(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            ViewNodes => self != Resident,
            ManageNodes => matches!(self, DistrictAdmin | StreetStaff | CommunityWorker),
            ViewUsers => matches!(
                self,
                DistrictAdmin | StreetStaff | CommunityWorker | Auditor
            ),
            ManageUsers => matches!(self, DistrictAdmin | StreetStaff),
            ViewAudit => matches!(self, DistrictAdmin | Auditor),
            ViewResidents => matches!(
                self,
                DistrictAdmin | StreetStaff | Dispatcher | CommunityWorker | GridWorker
            ),
            ManageResidents => matches!(self, CommunityWorker | GridWorker),
            ViewPhones => matches!(
                self,
                StreetStaff | Dispatcher | CommunityWorker | GridWorker
            ),
            // The community keeps the household register; grid staff work with masked numbers.
            RevealIdCard => matches!(self, CommunityWorker),
            ViewPartyMembers => matches!(
                self,
                DistrictAdmin | StreetStaff | CommunityWorker | GridWorker
            ),
            ManagePartyMembers => matches!(self, StreetStaff | CommunityWorker),
            ManageSettings => self == DistrictAdmin,
            SubmitRequests => matches!(
                self,
                Resident | GridWorker | CommunityWorker | Dispatcher | PartyMember
            ),
            ViewRequests => matches!(
                self,
                DistrictAdmin | StreetStaff | Dispatcher | CommunityWorker | GridWorker | Auditor
            ),
            // Community workers run the community's desk when a routing rule sends requests
            // there (分级响应: the lowest level able to handle them).
            DispatchRequests => matches!(self, Dispatcher | CommunityWorker),
            SuperviseRequests => matches!(self, DistrictAdmin | StreetStaff),
            HandleRequests => self == DepartmentStaff,
            ManageRequestSetup => self == DistrictAdmin,
            // 街道吹哨 / 社区吹哨: the street's dispatch centre and staff, and the community.
            BlowWhistle => matches!(self, Dispatcher | StreetStaff | CommunityWorker),
        }
    }

    /// May a holder of `self` grant `other` to someone (inside the holder's own scope)?
    /// Only a district admin hands out the two district-wide oversight roles.
    pub fn may_grant(self, other: Role) -> bool {
        if !self.permits(Permission::ManageUsers) {
            return false;
        }
        self == Role::DistrictAdmin || !matches!(other, Role::DistrictAdmin | Role::Auditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_and_auditors_read_the_audit_log() {
        let readers: Vec<_> = Role::ALL
            .iter()
            .filter(|r| r.permits(Permission::ViewAudit))
            .collect();
        assert_eq!(readers, [&Role::DistrictAdmin, &Role::Auditor]);
    }

    #[test]
    fn street_staff_cannot_mint_admins() {
        assert!(Role::StreetStaff.may_grant(Role::GridWorker));
        assert!(!Role::StreetStaff.may_grant(Role::DistrictAdmin));
        assert!(!Role::StreetStaff.may_grant(Role::Auditor));
        assert!(Role::DistrictAdmin.may_grant(Role::Auditor));
        assert!(!Role::GridWorker.may_grant(Role::Resident));
    }

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
    }
}
