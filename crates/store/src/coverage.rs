//! Coverage checks per street and community: estates without a party branch, owners' committee
//! or property company; grids short of the staffing norm; branches and their members. Each figure
//! is the count of the very condition its list uses, so the two cannot disagree.

use crate::db::Db;
use crate::error::StoreResult;
use crate::grid_staff::GridStaff;
use crate::nodes::{self, Node, Nodes};
use crate::orgs::{OrgAnchors, OrganisationServes, Organisations};
use crate::party_members::{self, PartyMember, PartyMembers};
use crate::{Page, scope_cond};
use jiceng_core::node::NodeKind;
use jiceng_core::org::{GridRole, OrgKind, StaffingNorm};
use jiceng_core::scope::Scope;
use sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order, Query, SimpleExpr};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Estates,
    EstatesWithoutBranch,
    EstatesWithoutOwnersCommittee,
    EstatesWithoutPropertyCompany,
    Grids,
    GridsShortStaffed,
    Branches,
    PartyMembers,
}

impl Measure {
    pub const ALL: &'static [Measure] = &[
        Measure::Estates,
        Measure::EstatesWithoutBranch,
        Measure::EstatesWithoutOwnersCommittee,
        Measure::EstatesWithoutPropertyCompany,
        Measure::Grids,
        Measure::GridsShortStaffed,
        Measure::Branches,
        Measure::PartyMembers,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Estates => "estates",
            Measure::EstatesWithoutBranch => "estates_without_branch",
            Measure::EstatesWithoutOwnersCommittee => "estates_without_owners_committee",
            Measure::EstatesWithoutPropertyCompany => "estates_without_property_company",
            Measure::Grids => "grids",
            Measure::GridsShortStaffed => "grids_short_staffed",
            Measure::Branches => "branches",
            Measure::PartyMembers => "party_members",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Measure::ALL.iter().copied().find(|m| m.as_str() == s)
    }
}

/// Party organisations that count as "a branch" for an estate.
const BRANCH_KINDS: [NodeKind; 3] = [
    NodeKind::Branch,
    NodeKind::GeneralBranch,
    NodeKind::ParkGeneralBranch,
];

fn branch_kinds() -> Vec<&'static str> {
    BRANCH_KINDS.iter().map(|k| k.as_str()).collect()
}

/// An estate is covered by a branch anchored to the estate itself or to the grid it lies in.
fn has_branch() -> SimpleExpr {
    let o = Alias::new("o");
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(OrgAnchors::Table)
            .join_as(
                JoinType::InnerJoin,
                Nodes::Table,
                o.clone(),
                Expr::col((o.clone(), Nodes::Id))
                    .equals((OrgAnchors::Table, OrgAnchors::OrgNodeId)),
            )
            .and_where(Expr::col((o, Nodes::Kind)).is_in(branch_kinds()))
            .cond_where(
                Cond::any()
                    .add(
                        Expr::col((OrgAnchors::Table, OrgAnchors::TerritoryNodeId))
                            .equals((Nodes::Table, Nodes::Id)),
                    )
                    .add(
                        Expr::col((OrgAnchors::Table, OrgAnchors::TerritoryNodeId))
                            .equals((Nodes::Table, Nodes::ParentId)),
                    ),
            )
            .to_owned(),
    )
}

/// Whether an organisation of `kind` serves the estate. The estate's own few serving rows are
/// read by `organisation_serves_node` and each one's kind by its key: written as a join, SQLite
/// (no statistics) walked every organisation of the kind for each estate instead, 1.3 s for
/// the demo county's 1,651 estates against 9 ms.
fn served_by(kind: OrgKind) -> SimpleExpr {
    let kind_of = Query::select()
        .column((Organisations::Table, Organisations::Kind))
        .from(Organisations::Table)
        .and_where(
            Expr::col((Organisations::Table, Organisations::Id)).equals((
                OrganisationServes::Table,
                OrganisationServes::OrganisationId,
            )),
        )
        .to_owned();
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(OrganisationServes::Table)
            .and_where(
                Expr::col((OrganisationServes::Table, OrganisationServes::NodeId))
                    .equals((Nodes::Table, Nodes::Id)),
            )
            .and_where(
                Expr::expr(SimpleExpr::SubQuery(None, Box::new(kind_of.into()))).eq(kind.as_str()),
            )
            .to_owned(),
    )
}

fn staff_count(role: GridRole) -> SimpleExpr {
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Expr::col((GridStaff::Table, GridStaff::Id)).count())
                .from(GridStaff::Table)
                .and_where(
                    Expr::col((GridStaff::Table, GridStaff::GridNodeId))
                        .equals((Nodes::Table, Nodes::Id)),
                )
                .and_where(Expr::col((GridStaff::Table, GridStaff::Role)).eq(role.as_str()))
                .to_owned()
                .into(),
        ),
    )
}

fn short_staffed(norm: &StaffingNorm) -> Cond {
    let mut any = Cond::any();
    for r in GridRole::ALL {
        let need = norm.required(*r);
        if need > 0 {
            any = any.add(staff_count(*r).lt(i64::from(need)));
        }
    }
    any
}

/// Branches anchored somewhere under `under`.
fn anchored_under(under: &str) -> SimpleExpr {
    let t = Alias::new("t");
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(OrgAnchors::Table)
            .join_as(
                JoinType::InnerJoin,
                Nodes::Table,
                t.clone(),
                Expr::col((t.clone(), Nodes::Id))
                    .equals((OrgAnchors::Table, OrgAnchors::TerritoryNodeId)),
            )
            .and_where(
                Expr::col((OrgAnchors::Table, OrgAnchors::OrgNodeId))
                    .equals((Nodes::Table, Nodes::Id)),
            )
            .cond_where(crate::under_path((t, Nodes::Path), under))
            .to_owned(),
    )
}

/// The condition on `nodes` for a node measure under `under` (a path inside `scope`).
fn node_cond(m: Measure, scope: &Scope, under: &str, norm: &StaffingNorm) -> Cond {
    let in_place = scope_cond(scope, (Nodes::Table, Nodes::Path))
        .add(crate::under_path((Nodes::Table, Nodes::Path), under));
    let kind = |k: NodeKind| Expr::col((Nodes::Table, Nodes::Kind)).eq(k.as_str());
    match m {
        Measure::Estates => in_place.add(kind(NodeKind::Estate)),
        Measure::EstatesWithoutBranch => {
            in_place.add(kind(NodeKind::Estate)).add(has_branch().not())
        }
        Measure::EstatesWithoutOwnersCommittee => in_place
            .add(kind(NodeKind::Estate))
            .add(served_by(OrgKind::OwnersCommittee).not()),
        Measure::EstatesWithoutPropertyCompany => in_place
            .add(kind(NodeKind::Estate))
            .add(served_by(OrgKind::PropertyCompany).not()),
        Measure::Grids => in_place.add(kind(NodeKind::Grid)),
        Measure::GridsShortStaffed => in_place.add(kind(NodeKind::Grid)).add(short_staffed(norm)),
        // Branches live in the organisation tree: they count where they are anchored.
        Measure::Branches => Cond::all()
            .add(Expr::col((Nodes::Table, Nodes::Kind)).is_in(branch_kinds()))
            .add(anchored_under(under)),
        Measure::PartyMembers => Cond::all(),
    }
}

fn members_cond(scope: &Scope, under: &str) -> Cond {
    scope_cond(scope, (PartyMembers::Table, PartyMembers::ResidentPath)).add(crate::under_path(
        (PartyMembers::Table, PartyMembers::ResidentPath),
        under,
    ))
}

/// The figure for one measure under `under`.
pub async fn count(
    db: &Db,
    scope: &Scope,
    m: Measure,
    under: &str,
    norm: &StaffingNorm,
) -> StoreResult<i64> {
    if m == Measure::PartyMembers {
        return db
            .scalar(
                &Query::select()
                    .expr(Expr::col((PartyMembers::Table, PartyMembers::Id)).count())
                    .from(PartyMembers::Table)
                    .cond_where(members_cond(scope, under))
                    .to_owned(),
            )
            .await;
    }
    db.scalar(
        &Query::select()
            .expr(Expr::col((Nodes::Table, Nodes::Id)).count())
            .from(Nodes::Table)
            .cond_where(node_cond(m, scope, under, norm))
            .to_owned(),
    )
    .await
}

/// The nodes a node measure counts (estates, grids or branches), by path.
pub async fn nodes(
    db: &Db,
    scope: &Scope,
    m: Measure,
    under: &str,
    norm: &StaffingNorm,
    page: Page,
) -> StoreResult<(Vec<Node>, i64)> {
    let total = count(db, scope, m, under, norm).await?;
    let items = db
        .all(
            &nodes::select()
                .cond_where(node_cond(m, scope, under, norm))
                .order_by((Nodes::Table, Nodes::Path), Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}

/// Party members living under `under`, by id: the list behind the party-member figure, read in
/// one query (an export holds tens of thousands).
pub async fn members(
    db: &Db,
    scope: &Scope,
    under: &str,
    page: Page,
) -> StoreResult<(Vec<PartyMember>, i64)> {
    let total = count(
        db,
        scope,
        Measure::PartyMembers,
        under,
        &StaffingNorm::default(),
    )
    .await?;
    let items = db
        .all(
            &party_members::select()
                .cond_where(members_cond(scope, under))
                .order_by((PartyMembers::Table, PartyMembers::Id), Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}

/// One row of the coverage table: a street or community and every figure under it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageRow {
    pub node_id: i64,
    pub name: String,
    pub kind: String,
    /// Figures by measure name (`estates_without_branch`, …).
    #[schema(value_type = Object)]
    pub figures: std::collections::BTreeMap<String, i64>,
}

/// Coverage for the units under `node`: its streets (for a district), its communities (for a
/// street), or the community itself.
pub async fn table(
    db: &Db,
    scope: &Scope,
    node_id: i64,
    norm: &StaffingNorm,
) -> StoreResult<Vec<CoverageRow>> {
    let node = nodes::get(db, scope, node_id).await?;
    let units: Vec<Node> = match NodeKind::parse(&node.kind) {
        Some(NodeKind::District) | Some(NodeKind::Street) => {
            nodes::children(db, scope, node.id, Page::new(None, Some(Page::MAX_SIZE)))
                .await?
                .0
        }
        _ => vec![node.clone()],
    };
    let mut rows = Vec::new();
    for u in units {
        let mut figures = std::collections::BTreeMap::new();
        for m in Measure::ALL {
            figures.insert(
                m.as_str().to_owned(),
                count(db, scope, *m, &u.path, norm).await?,
            );
        }
        rows.push(CoverageRow {
            node_id: u.id,
            name: u.name,
            kind: u.kind,
            figures,
        });
    }
    Ok(rows)
}
