//! The demo's logins: one account per role, in the first county of the demo (the district-level
//! ones over every county built), all with the same password, printed when the demo starts.

use crate::demo_city::PartyTree;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::Node;
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db};
use std::collections::HashMap;

pub const DEMO_PASSWORD: &str = "Jiceng-2026";

pub struct DemoLogin {
    pub login: &'static str,
    pub role: Role,
    pub at: String,
    pub user_id: i64,
    pub display_name: String,
}

/// Where the logins work.
pub struct At<'a> {
    /// The county, or the city above the counties of a `city` demo.
    pub top: &'a Node,
    pub county: &'a Node,
    pub street: &'a Node,
    pub community: &'a Node,
    pub grid: &'a Node,
}

/// Creates the accounts; `departments` are the first county's, by key.
pub async fn create(
    db: &Db,
    actor: &Actor,
    party: &PartyTree,
    departments: &HashMap<String, i64>,
    at: At<'_>,
) -> Result<Vec<DemoLogin>, String> {
    let accounts: [(&'static str, Role, &Node, &str, String); 9] = [
        (
            "admin",
            Role::DistrictAdmin,
            at.top,
            "区级管理员",
            format!("{}委组织部", at.top.name),
        ),
        (
            "auditor",
            Role::Auditor,
            at.top,
            "审计员",
            format!("{}纪委监委", at.top.name),
        ),
        (
            "dept",
            Role::DepartmentStaff,
            at.county,
            "部门人员",
            format!("{}住房和城乡建设局", at.county.name),
        ),
        (
            "street",
            Role::StreetStaff,
            at.street,
            "街道工作人员",
            format!("{}党工委", at.street.name),
        ),
        (
            "dispatch",
            Role::Dispatcher,
            at.street,
            "派单员",
            format!("{}派单中心", at.street.name),
        ),
        (
            "community",
            Role::CommunityWorker,
            at.community,
            "社区工作者",
            at.community.name.clone(),
        ),
        (
            "member",
            Role::PartyMember,
            at.community,
            "党员",
            at.community.name.clone(),
        ),
        (
            "grid",
            Role::GridWorker,
            at.grid,
            "网格员",
            format!(
                "{}{}",
                jiceng_core::place_label::short_name(&at.community.name),
                at.grid.name
            ),
        ),
        ("resident", Role::Resident, at.grid, "居民", String::new()),
    ];
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
        let user = users::create(db, Authority::Operator, actor, new)
            .await
            .map_err(|e| e.to_string())?;
        if role == Role::DepartmentStaff {
            // The demo department login works for 住建局, which leads 供暖, 物业 and more.
            let org = departments.get("zhujian").copied();
            users::set_organisation(db, &Scope::everything(), actor, user.id, org)
                .await
                .map_err(|e| e.to_string())?;
        }
        logins.push(DemoLogin {
            login,
            role,
            at: node.name.clone(),
            user_id: user.id,
            display_name: user.display_name.clone(),
        });
    }
    Ok(logins)
}

pub fn print_logins(base: &str, logins: &[DemoLogin]) {
    println!();
    println!("演示账号（密码均为 {DEMO_PASSWORD}），浏览器打开 {base}/login：");
    for l in logins {
        println!("  {:<10} {}（{}）", l.login, l.role.label_zh(), l.at);
    }
}
