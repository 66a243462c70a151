//! Grid staffing (网格长/网格指导员/专职网格员/兼职网格员): who looks after each grid.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::vault::Vault;
use crate::{nodes, scope_cond};
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::NodeKind;
use jiceng_core::org::GridRole;
use jiceng_core::people::Phone;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum GridStaff {
    Table,
    Id,
    GridNodeId,
    GridPath,
    Role,
    Name,
    PhoneSealed,
    PhoneMasked,
    UserId,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub grid_node_id: i64,
    pub role: String,
    pub name: String,
    pub phone_sealed: Option<String>,
    pub phone_masked: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffMember {
    pub id: i64,
    pub grid_node_id: i64,
    /// `grid_leader`, `grid_instructor`, `grid_worker`, `grid_helper`.
    pub role: String,
    pub name: String,
    pub phone: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl StaffRow {
    pub fn view(self, vault: &Vault, full_phone: bool) -> StaffMember {
        let phone = if full_phone {
            self.phone_sealed
                .as_deref()
                .and_then(|s| vault.open(s).ok())
        } else {
            self.phone_masked
        };
        StaffMember {
            id: self.id,
            grid_node_id: self.grid_node_id,
            role: self.role,
            name: self.name,
            phone,
            user_id: self.user_id,
            created_at: self.created_at,
        }
    }
}

pub struct NewStaff {
    pub grid_node_id: i64,
    pub role: GridRole,
    pub name: String,
    pub phone: Option<Phone>,
    pub user_id: Option<i64>,
}

pub async fn assign(
    db: &Db,
    vault: &Vault,
    scope: &Scope,
    actor: &Actor,
    new: NewStaff,
) -> StoreResult<StaffRow> {
    let grid = nodes::get(db, scope, new.grid_node_id).await?;
    if NodeKind::parse(&grid.kind) != Some(NodeKind::Grid) {
        return Err(DomainError::new("not_a_grid", "grid_node_id", "只能为网格配备网格员").into());
    }
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(GridStaff::Table)
                .columns([
                    GridStaff::GridNodeId,
                    GridStaff::GridPath,
                    GridStaff::Role,
                    GridStaff::Name,
                    GridStaff::PhoneSealed,
                    GridStaff::PhoneMasked,
                    GridStaff::UserId,
                    GridStaff::CreatedAt,
                    GridStaff::UpdatedAt,
                ])
                .values_panic([
                    grid.id.into(),
                    grid.path.clone().into(),
                    new.role.as_str().into(),
                    new.name.clone().into(),
                    new.phone.as_ref().map(|p| vault.seal(p.as_str())).into(),
                    new.phone.as_ref().map(|p| p.masked()).into(),
                    new.user_id.into(),
                    actor.at.into(),
                    actor.at.into(),
                ])
                .returning_col(GridStaff::Id)
                .to_owned(),
        )
        .await?;
    audit::record(&mut tx, actor, Change {
        action: "grid_staff.assign",
        object_type: "grid_staff",
        object_id: id.to_string(),
        object_path: &grid.path,
        before: None,
        after: Some(serde_json::json!({"grid_node_id": grid.id, "role": new.role.as_str(), "name": new.name})),
    })
    .await?;
    tx.commit().await?;
    let rows = list(db, scope, grid.id).await?;
    rows.into_iter()
        .find(|r| r.id == id)
        .ok_or(StoreError::NotFound)
}

/// The staff of one grid in scope, leaders first.
pub async fn list(db: &Db, scope: &Scope, grid_id: i64) -> StoreResult<Vec<StaffRow>> {
    let grid = nodes::get(db, scope, grid_id).await?;
    db.all(
        &Query::select()
            .columns([
                GridStaff::Id,
                GridStaff::GridNodeId,
                GridStaff::Role,
                GridStaff::Name,
                GridStaff::PhoneSealed,
                GridStaff::PhoneMasked,
                GridStaff::UserId,
                GridStaff::CreatedAt,
            ])
            .from(GridStaff::Table)
            .cond_where(scope_cond(scope, GridStaff::GridPath))
            .and_where(Expr::col(GridStaff::GridNodeId).eq(grid.id))
            .order_by(GridStaff::Role, Order::Asc)
            .order_by(GridStaff::Id, Order::Asc)
            .to_owned(),
    )
    .await
}
