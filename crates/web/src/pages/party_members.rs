//! The party members list (党员信息): the members visible from the caller's scope (through their
//! home or their organisation), filtered by organisation, paged, exported to Excel (audited, as
//! personal data) and imported from a roster by those who enrol members.

use super::i18n::Lang;
use super::{PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::exports::xlsx;
use crate::api::party_members::{MemberLine, member_lines, members_table};
use crate::api::roster::Roster;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::org::{ManagementMode, MemberCategory};
use jiceng_core::role::Permission;
use jiceng_store::{Page, nodes, party_members};
use serde::Deserialize;

/// One member as the table shows it.
pub struct Shown {
    pub resident_id: i64,
    pub name: String,
    pub org_id: Option<i64>,
    pub org: String,
    pub category: &'static str,
    pub mode: &'static str,
    pub member_household: bool,
    pub building_captain: bool,
    pub joined_on: String,
}

/// A party organisation the list can be filtered by.
pub struct OrgChoice {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "party_members.html")]
struct ListPage {
    shell: Shell,
    orgs: Vec<OrgChoice>,
    items: Vec<Shown>,
    pager: Pager,
    export_href: String,
    can_import: bool,
    can_open_residents: bool,
}

#[derive(Deserialize)]
pub struct ListQ {
    org_id: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

/// The organisation filter: empty (the form's "all") is none; anything else must be an id.
fn org_filter(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => r
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request("invalid_org", "org_id", "党组织编号不正确")),
    }
}

fn label<T: Copy>(
    lang: Lang,
    v: Option<T>,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> &'static str {
    match (v, lang) {
        (None, _) => "—",
        (Some(v), Lang::Zh) => zh(v),
        (Some(v), Lang::En) => en(v),
    }
}

/// `opens`: whether the reader may open the member's organisation's page (a grid worker reads
/// their grid's members, but the organisation tree lies outside their scope).
fn shown(lang: Lang, l: MemberLine, opens: impl Fn(&str) -> bool) -> Shown {
    let m = l.member;
    Shown {
        resident_id: m.resident_id,
        org_id: l.org.as_ref().filter(|o| opens(&o.path)).map(|o| o.id),
        org: l.org.map(|o| o.name).unwrap_or_default(),
        category: label(
            lang,
            MemberCategory::parse(&m.category),
            MemberCategory::label_zh,
            MemberCategory::label_en,
        ),
        mode: label(
            lang,
            ManagementMode::parse(&m.management_mode),
            ManagementMode::label_zh,
            ManagementMode::label_en,
        ),
        member_household: m.member_household,
        building_captain: m.building_captain,
        joined_on: m.joined_on.map(|d| d.to_string()).unwrap_or_default(),
        name: m.name,
    }
}

/// The party organisations of the caller's scope, for the filter (at most a few hundred).
const ORG_CHOICES: u64 = 500;

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let page = Page::new(q.page, q.page_size);
    let r = async {
        let scope = u.p.scope(Permission::ViewPartyMembers)?;
        let org_id = org_filter(q.org_id.as_deref())?;
        let (items, total) = party_members::list(&s.db, &scope, org_id, page).await?;
        let lines = member_lines(&s, items).await?;
        let kinds: Vec<NodeKind> = NodeKind::ALL
            .iter()
            .copied()
            .filter(|k| k.tree() == Some(Tree::Org))
            .collect();
        let orgs = nodes::choices(&s.db, &scope, &kinds, ORG_CHOICES).await?;
        Ok::<_, AppError>((org_id, lines, total, orgs))
    }
    .await;
    let (org_id, lines, total, orgs) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let filter = org_id.map(|id| id.to_string()).unwrap_or_default();
    let nodes_scope = u.p.scope(Permission::ViewNodes).ok();
    render(&ListPage {
        shell: u.shell("party_members.title", "/party-members"),
        orgs: orgs
            .into_iter()
            .map(|n| OrgChoice {
                selected: Some(n.id) == org_id,
                label: format!("{}（{}）", n.name, n.code),
                id: n.id,
            })
            .collect(),
        items: lines
            .into_iter()
            .map(|l| {
                shown(u.lang, l, |p| {
                    nodes_scope.as_ref().is_some_and(|s| s.contains(p))
                })
            })
            .collect(),
        pager: Pager::new(&format!("/party-members?org_id={filter}&"), page, total),
        export_href: format!("/party-members/export.xlsx?org_id={filter}"),
        can_import: u.p.can(Roster::PartyMembers.permission()),
        can_open_residents: u.p.can(Permission::ViewResidents),
    })
}

/// The list as an Excel file, with its filter; audited like the API's.
pub async fn export(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let r = async {
        let scope = u.p.scope(Permission::ViewPartyMembers)?;
        let org_id = org_filter(q.org_id.as_deref())?;
        let t = members_table(&s, &u.p, &scope, org_id).await?;
        xlsx(&t, "党员信息.xlsx")
    }
    .await;
    r.unwrap_or_else(|e| u.err(e).into_response())
}
