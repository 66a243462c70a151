//! What hangs off a node page besides its children: the party organisations covering a place and
//! the places an organisation covers, organisations serving a place, grid staff, party members,
//! and the forms to add each.

use super::i18n::Lang;
use super::requests::label;
use super::{CsrfForm, PageUser, Tr};
use crate::AppState;
use crate::error::AppError;
use crate::extract::PathId;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::org::{GridRole, ManagementMode, MemberCategory};
use jiceng_core::people::{Phone, parse_person_name};
use jiceng_core::role::Permission;
use jiceng_core::scope::Scope;
use jiceng_store::grid_staff::{self, NewStaff};
use jiceng_store::nodes::Node;
use jiceng_store::party_members::{self, NewPartyMember};
use jiceng_store::residents::{self, ResidentFilter};
use jiceng_store::{Page, nodes, orgs};
use serde::Deserialize;

/// A row of text cells with an optional link on the first.
pub struct Line {
    pub href: Option<String>,
    pub cells: Vec<String>,
}

#[derive(Default)]
pub struct NodeLinks {
    pub is_org: bool,
    pub is_grid: bool,
    /// Streets, communities and districts have a coverage page.
    pub coverage: bool,
    /// Party organisations covering this place, or places this organisation covers.
    pub anchors: Vec<Line>,
    pub serving: Vec<Line>,
    pub staff: Vec<Line>,
    pub members: Vec<Line>,
    pub can_anchor: bool,
    pub anchor_choices: Vec<(String, String)>,
    pub can_staff: bool,
    pub grid_roles: Vec<(&'static str, &'static str)>,
    pub can_enrol: bool,
    pub resident_choices: Vec<(String, String)>,
    pub categories: Vec<(&'static str, &'static str)>,
}

/// A node on the other tree; a link only where the reader may open it (a grid worker sees
/// their grid's branch by name, but the organisation tree lies outside their scope).
fn node_line(t: Tr, n: Node, view: &Scope) -> Line {
    Line {
        href: view.contains(&n.path).then(|| format!("/nodes/{}", n.id)),
        cells: vec![n.name, t.kind(&n.kind).to_owned(), n.code],
    }
}

pub async fn load(s: &AppState, u: &PageUser, node: &Node) -> Result<NodeLinks, AppError> {
    let t = u.tr();
    let kind = NodeKind::parse(&node.kind).unwrap_or(NodeKind::Root);
    let view = u.p.scope(Permission::ViewNodes)?;
    let manage =
        u.p.scope(Permission::ManageNodes)
            .ok()
            .filter(|m| m.contains(&node.path));
    let mut l = NodeLinks {
        is_org: kind.tree() == Some(Tree::Org),
        is_grid: kind == NodeKind::Grid,
        coverage: matches!(
            kind,
            NodeKind::District | NodeKind::Street | NodeKind::Community
        ),
        ..NodeLinks::default()
    };
    if l.is_org {
        l.anchors = orgs::anchored_to(&s.db, node.id)
            .await?
            .into_iter()
            .map(|n| node_line(t, n, &view))
            .collect();
        if let Some(m) = &manage {
            l.can_anchor = true;
            let kinds = [
                NodeKind::Community,
                NodeKind::Grid,
                NodeKind::Estate,
                NodeKind::Courtyard,
                NodeKind::OfficeTower,
                NodeKind::Park,
            ];
            l.anchor_choices = nodes::choices(&s.db, m, &kinds, 2000)
                .await?
                .into_iter()
                .map(|n| {
                    (
                        n.id.to_string(),
                        format!("{}（{}）", n.name, t.kind(&n.kind)),
                    )
                })
                .collect();
        }
        if u.p.can(Permission::ViewPartyMembers) {
            let scope = u.p.scope(Permission::ViewPartyMembers)?;
            let (members, _) =
                party_members::list(&s.db, &scope, Some(node.id), Page::new(None, Some(500)))
                    .await
                    .unwrap_or_default();
            l.members = members
                .into_iter()
                .map(|m| Line {
                    href: Some(format!("/residents/{}", m.resident_id)),
                    cells: vec![
                        m.name,
                        MemberCategory::parse(&m.category)
                            .map(|c| label!(t.lang, c))
                            .unwrap_or("")
                            .to_owned(),
                        [
                            (m.member_household, "links.member_household"),
                            (m.building_captain, "links.building_captain"),
                        ]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, key)| t.s(key))
                        .collect::<Vec<_>>()
                        .join(match t.lang {
                            Lang::Zh => "、",
                            Lang::En => ", ",
                        }),
                    ],
                })
                .collect();
        }
        if let Ok(sc) = u.p.scope(Permission::ManagePartyMembers)
            && sc.contains(&node.path)
        {
            l.can_enrol = true;
            let (rows, _) = residents::list(
                &s.db,
                &s.vault,
                &sc,
                &ResidentFilter::default(),
                Page::new(None, Some(500)),
            )
            .await?;
            l.resident_choices = rows
                .into_iter()
                .map(|r| (r.id.to_string(), format!("{} {}", r.name, r.id_card_masked)))
                .collect();
            l.categories = MemberCategory::ALL
                .iter()
                .map(|c| (c.as_str(), label!(t.lang, c)))
                .collect();
        }
    } else if kind != NodeKind::Root {
        l.anchors = orgs::anchored_at(&s.db, &view, node.id)
            .await?
            .into_iter()
            .map(|n| node_line(t, n, &view))
            .collect();
        l.serving = orgs::serving(&s.db, &view, node.id)
            .await?
            .into_iter()
            .map(|o| Line {
                href: None,
                cells: vec![
                    o.name,
                    jiceng_core::org::OrgKind::parse(&o.kind)
                        .map(|k| label!(t.lang, k))
                        .unwrap_or("")
                        .to_owned(),
                    o.contact_phone,
                ],
            })
            .collect();
    }
    if l.is_grid {
        let full = u.p.can(Permission::ViewPhones);
        l.staff = grid_staff::list(&s.db, &view, node.id)
            .await?
            .into_iter()
            .map(|r| {
                let v = r.view(&s.vault, full);
                let role = GridRole::parse(&v.role)
                    .map(|g| label!(t.lang, g))
                    .unwrap_or("")
                    .to_owned();
                Line {
                    href: None,
                    cells: vec![v.name, role, v.phone.unwrap_or_default()],
                }
            })
            .collect();
        l.can_staff = manage.is_some();
        l.grid_roles = GridRole::ALL
            .iter()
            .map(|r| (r.as_str(), label!(t.lang, r)))
            .collect();
    }
    Ok(l)
}

#[derive(Deserialize)]
pub struct AnchorForm {
    #[serde(default)]
    territory_node_id: String,
}

fn id_field(raw: &str, field: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::bad_request("invalid_type", field, "请选择一项"))
}

pub async fn anchor(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<AnchorForm>,
) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::ManageNodes)?;
        let place = id_field(&f.form.territory_node_id, "territory_node_id")?;
        Ok::<_, AppError>(orgs::anchor(&s.db, &scope, &u.p.actor(), id, place).await?)
    }
    .await;
    done(u, r, id)
}

#[derive(Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

pub async fn staff(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<StaffForm>,
) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::ManageNodes)?;
        let role = GridRole::parse(&f.form.role)
            .ok_or_else(|| AppError::bad_request("invalid_role", "role", "网格角色不正确"))?;
        let phone = match f.form.phone.trim() {
            "" => None,
            p => Some(Phone::parse(p)?),
        };
        let new = NewStaff {
            grid_node_id: id,
            role,
            name: parse_person_name(&f.form.name)?,
            phone,
            user_id: None,
        };
        grid_staff::assign(&s.db, &s.vault, &scope, &u.p.actor(), new).await?;
        Ok::<_, AppError>(())
    }
    .await;
    done(u, r, id)
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    member_household: Option<String>,
}

pub async fn enrol(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<MemberForm>,
) -> Response {
    let u = &f.user;
    let r = async {
        let scope = u.p.scope(Permission::ManagePartyMembers)?;
        let new = NewPartyMember {
            resident_id: id_field(&f.form.resident_id, "resident_id")?,
            org_node_id: id,
            category: MemberCategory::parse(&f.form.category).ok_or_else(|| {
                AppError::bad_request("invalid_category", "category", "党员类别不正确")
            })?,
            management_mode: ManagementMode::Dual,
            member_household: f.form.member_household.is_some(),
            building_captain: false,
            joined_on: None,
        };
        party_members::create(&s.db, &scope, &u.p.actor(), new).await?;
        Ok::<_, AppError>(())
    }
    .await;
    done(u, r, id)
}

/// Back to the node page on success; errors as an error page naming what was wrong.
fn done(u: &PageUser, r: Result<(), AppError>, id: i64) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/nodes/{id}")).into_response(),
        Err(e) => u.err(e).into_response(),
    }
}
