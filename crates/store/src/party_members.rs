//! Party members (党员): a registered resident's membership of a branch, with category
//! (在职/流动/离退休), management mode and roles (党员中心户, 党员楼栋长).

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::residents::{self, Residents};
use crate::{Page, nodes, scope_cond};
use chrono::{DateTime, NaiveDate, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::org::{ManagementMode, MemberCategory};
use jiceng_core::scope::Scope;
use sea_query::{Cond, Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum PartyMembers {
    Table,
    Id,
    ResidentId,
    ResidentPath,
    OrgNodeId,
    OrgPath,
    Category,
    ManagementMode,
    MemberHousehold,
    BuildingCaptain,
    JoinedOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PartyMember {
    pub id: i64,
    pub resident_id: i64,
    pub name: String,
    pub org_node_id: i64,
    pub category: String,
    pub management_mode: String,
    /// 党员中心户
    pub member_household: bool,
    /// 党员楼栋长
    pub building_captain: bool,
    pub joined_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

pub struct NewPartyMember {
    pub resident_id: i64,
    pub org_node_id: i64,
    pub category: MemberCategory,
    pub management_mode: ManagementMode,
    pub member_household: bool,
    pub building_captain: bool,
    pub joined_on: Option<NaiveDate>,
}

/// Members are seen from either side: by those scoped on the member's home, or on the branch.
fn visible(scope: &Scope) -> Cond {
    Cond::any()
        .add(scope_cond(
            scope,
            (PartyMembers::Table, PartyMembers::ResidentPath),
        ))
        .add(scope_cond(
            scope,
            (PartyMembers::Table, PartyMembers::OrgPath),
        ))
}

pub(crate) fn select() -> sea_query::SelectStatement {
    Query::select()
        .column((PartyMembers::Table, PartyMembers::Id))
        .column((PartyMembers::Table, PartyMembers::ResidentId))
        .column((Residents::Table, Residents::Name))
        .columns([
            (PartyMembers::Table, PartyMembers::OrgNodeId),
            (PartyMembers::Table, PartyMembers::Category),
            (PartyMembers::Table, PartyMembers::ManagementMode),
            (PartyMembers::Table, PartyMembers::MemberHousehold),
            (PartyMembers::Table, PartyMembers::BuildingCaptain),
            (PartyMembers::Table, PartyMembers::JoinedOn),
            (PartyMembers::Table, PartyMembers::CreatedAt),
        ])
        .from(PartyMembers::Table)
        .inner_join(
            Residents::Table,
            Expr::col((Residents::Table, Residents::Id))
                .equals((PartyMembers::Table, PartyMembers::ResidentId)),
        )
        .to_owned()
}

/// Records a resident's membership of a party organisation (branch or group level). The
/// resident and the organisation must both lie in `scope`; a resident is a member once.
pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    new: NewPartyMember,
) -> StoreResult<PartyMember> {
    let resident = residents::get(db, scope, new.resident_id).await?;
    let org = nodes::get(db, scope, new.org_node_id).await?;
    let kind = NodeKind::parse(&org.kind);
    if kind.and_then(|k| k.tree()) != Some(Tree::Org) {
        return Err(DomainError::new(
            "invalid_org",
            "org_node_id",
            "党员须编入党组织（党支部、党小组等）",
        )
        .into());
    }
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(PartyMembers::Table)
                .columns([
                    PartyMembers::ResidentId,
                    PartyMembers::ResidentPath,
                    PartyMembers::OrgNodeId,
                    PartyMembers::OrgPath,
                    PartyMembers::Category,
                    PartyMembers::ManagementMode,
                    PartyMembers::MemberHousehold,
                    PartyMembers::BuildingCaptain,
                    PartyMembers::JoinedOn,
                    PartyMembers::CreatedAt,
                    PartyMembers::UpdatedAt,
                ])
                .values_panic([
                    resident.id.into(),
                    resident.node_path.clone().into(),
                    org.id.into(),
                    org.path.clone().into(),
                    new.category.as_str().into(),
                    new.management_mode.as_str().into(),
                    new.member_household.into(),
                    new.building_captain.into(),
                    new.joined_on.into(),
                    actor.at.into(),
                    actor.at.into(),
                ])
                .returning_col(PartyMembers::Id)
                .to_owned(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict {
                field: "resident_id",
            },
            other => other,
        })?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "party_member.create",
            object_type: "party_member",
            object_id: id.to_string(),
            object_path: &org.path,
            before: None,
            after: Some(serde_json::json!({
                "resident_id": resident.id, "name": resident.name, "org_node_id": org.id,
                "category": new.category.as_str(), "management_mode": new.management_mode.as_str(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, scope, id).await
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> StoreResult<PartyMember> {
    db.optional(
        &select()
            .cond_where(visible(scope))
            .and_where(Expr::col((PartyMembers::Table, PartyMembers::Id)).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// Members within scope, optionally of one organisation (and the organisations under it).
pub async fn list(
    db: &Db,
    scope: &Scope,
    org_id: Option<i64>,
    page: Page,
) -> StoreResult<(Vec<PartyMember>, i64)> {
    let mut cond = Cond::all().add(visible(scope));
    if let Some(org) = org_id {
        let org = nodes::get(db, scope, org).await?;
        cond = cond.add(crate::under_path(
            (PartyMembers::Table, PartyMembers::OrgPath),
            &org.path,
        ));
    }
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::col((PartyMembers::Table, PartyMembers::Id)).count())
                .from(PartyMembers::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let items = db
        .all(
            &select()
                .cond_where(cond)
                .order_by((PartyMembers::Table, PartyMembers::OrgPath), Order::Asc)
                .order_by((PartyMembers::Table, PartyMembers::Id), Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}
