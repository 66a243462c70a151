//! The shell around every page: the left navigation (what the user may open, grouped), the
//! top bar with unit and scope, the language link.

use super::{PageUser, Tr, requests, settings_categories, whistles};
use jiceng_core::role::Permission;

/// Everything the layout needs around a page's content.
pub struct Shell {
    pub t: Tr,
    pub title: String,
    pub user_name: String,
    pub unit: String,
    pub scope_label: String,
    pub nav: Vec<NavGroup>,
    pub csrf: String,
    pub lang_href: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

pub struct NavGroup {
    pub label: &'static str,
    pub items: Vec<NavItem>,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
    /// A count beside the label (unread messages).
    pub badge: Option<i64>,
}

impl PageUser {
    /// The shell for a page titled by the string `title_key`, with `active` highlighted.
    pub fn shell(&self, title_key: &str, active: &str) -> Shell {
        let t = self.tr();
        let p = &self.p;
        let item = |href: &'static str, key: &'static str| NavItem {
            href,
            label: t.s(key),
            active: href == active,
            badge: None,
        };
        let mut governance = vec![item("/", "nav.home")];
        if p.can(Permission::ViewNodes) {
            governance.push(item("/nodes", "nav.nodes"));
            governance.push(item("/trees", "nav.trees"));
        }
        if p.can(Permission::ViewResidents) {
            governance.push(item("/residents", "nav.residents"));
        }
        if p.can(Permission::ViewPartyMembers) {
            governance.push(item("/party-members", "nav.party_members"));
        }
        if p.can(Permission::ViewNodes) {
            governance.push(item("/coverage", "nav.coverage"));
            governance.push(item("/organisations", "nav.organisations"));
        }
        let mut work: Vec<NavItem> = requests::nav_entries(p)
            .into_iter()
            .map(|(href, key)| item(href, key))
            .collect();
        work.extend(
            whistles::nav_entries(p)
                .into_iter()
                .map(|(h, k)| item(h, k)),
        );
        if let Some(inbox) = work.iter_mut().find(|i| i.href == "/notifications") {
            inbox.badge = (self.unread > 0).then_some(self.unread);
        }
        let settings: Vec<NavItem> = settings_categories::nav_entries(p)
            .into_iter()
            .map(|(href, key)| item(href, key))
            .collect();
        let mut system = Vec::new();
        if p.can(Permission::ViewUsers) {
            system.push(item("/users", "nav.users"));
        }
        if p.can(Permission::ViewAudit) {
            system.push(item("/audit", "nav.audit"));
        }
        if p.can(Permission::ManageRequestSetup) {
            system.push(item("/settings/open311", "nav.open311"));
        }
        let mut nav = vec![NavGroup {
            label: t.s("nav.group.governance"),
            items: governance,
        }];
        if !work.is_empty() {
            nav.push(NavGroup {
                label: t.s("nav.group.requests"),
                items: work,
            });
        }
        if !settings.is_empty() {
            nav.push(NavGroup {
                label: t.s("nav.group.settings"),
                items: settings,
            });
        }
        if !system.is_empty() {
            nav.push(NavGroup {
                label: t.s("nav.group.system"),
                items: system,
            });
        }
        nav.push(NavGroup {
            label: t.s("nav.group.me"),
            items: vec![item("/account/password", "nav.password")],
        });
        let scope_label = p
            .grants
            .iter()
            .map(|g| format!("{}·{}", g.node_name, t.role(g.role)))
            .collect::<Vec<_>>()
            .join("，");
        Shell {
            t,
            title: t.s(title_key).to_owned(),
            user_name: p.user.display_name.clone(),
            unit: p.unit(),
            scope_label,
            nav,
            csrf: p.csrf_token.clone(),
            lang_href: format!(
                "/lang/{}?next={}",
                self.lang.other().code(),
                urlencoding::encode(&self.path)
            ),
            flash: None,
            error: None,
        }
    }
}
