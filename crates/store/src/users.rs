//! Staff and resident accounts and the roles they hold at nodes.

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::Nodes;
use crate::{Page, scope_cond};
use chrono::{DateTime, Utc};
use jiceng_core::account::Login;
use jiceng_core::role::Role;
use jiceng_core::scope::{Grant, Scope};
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

mod write;
pub(crate) use write::insert_row;
pub use write::{create, set_organisation, set_password};

#[derive(Iden, Clone, Copy)]
pub(crate) enum Users {
    Table,
    Id,
    Login,
    DisplayName,
    UnitName,
    OrganisationId,
    PasswordHash,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Grants {
    Table,
    UserId,
    Role,
    NodeId,
    CreatedAt,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// The unit (单位) shown in the top bar, e.g. "城关街道办事处".
    pub unit_name: String,
    /// The unit (a department, a property company …) the user handles requests for.
    pub organisation_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// What sign-in needs; never leaves the auth code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    pub active: bool,
}

pub struct NewUser {
    pub login: Login,
    pub display_name: String,
    pub unit_name: String,
    /// An argon2 PHC string; hashing is the caller's (web/CLI) job.
    pub password_hash: String,
    pub grants: Vec<(Role, i64)>,
}

/// On whose authority roles are granted.
pub enum Authority<'a> {
    /// The command line on the server itself (first admin, recovery).
    Operator,
    /// A signed-in user: each role must be grantable by one of their grants at or above the node.
    User(&'a [Grant]),
}

fn select() -> SelectStatement {
    Query::select()
        .columns([
            (Users::Table, Users::Id),
            (Users::Table, Users::Login),
            (Users::Table, Users::DisplayName),
            (Users::Table, Users::UnitName),
            (Users::Table, Users::OrganisationId),
            (Users::Table, Users::Active),
            (Users::Table, Users::CreatedAt),
        ])
        .from(Users::Table)
        .to_owned()
}

/// Users holding at least one role inside `scope`.
fn in_scope(scope: &Scope) -> sea_query::SimpleExpr {
    Expr::col((Users::Table, Users::Id)).in_subquery(
        Query::select()
            .column((Grants::Table, Grants::UserId))
            .from(Grants::Table)
            .inner_join(
                Nodes::Table,
                Expr::col((Nodes::Table, Nodes::Id)).equals((Grants::Table, Grants::NodeId)),
            )
            .cond_where(scope_cond(scope, (Nodes::Table, Nodes::Path)))
            .to_owned(),
    )
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> StoreResult<User> {
    db.optional(
        &select()
            .and_where(Expr::col((Users::Table, Users::Id)).eq(id))
            .and_where(in_scope(scope))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn list(db: &Db, scope: &Scope, page: Page) -> StoreResult<(Vec<User>, i64)> {
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::col((Users::Table, Users::Id)).count())
                .from(Users::Table)
                .and_where(in_scope(scope))
                .to_owned(),
        )
        .await?;
    let items = db
        .all(
            &select()
                .and_where(in_scope(scope))
                .order_by((Users::Table, Users::Login), Order::Asc)
                .offset(page.offset())
                .limit(page.size)
                .to_owned(),
        )
        .await?;
    Ok((items, total))
}

/// Unscoped lookup by login, for authentication only.
pub async fn credentials(db: &Db, login: &str) -> StoreResult<Option<Credentials>> {
    db.optional(
        &Query::select()
            .columns([Users::Id, Users::Login, Users::PasswordHash, Users::Active])
            .from(Users::Table)
            .and_where(Expr::col(Users::Login).eq(login))
            .to_owned(),
    )
    .await
}

pub async fn credentials_by_id(db: &Db, id: i64) -> StoreResult<Credentials> {
    db.optional(
        &Query::select()
            .columns([Users::Id, Users::Login, Users::PasswordHash, Users::Active])
            .from(Users::Table)
            .and_where(Expr::col(Users::Id).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// The user's own account, unscoped: for the signed-in user themself.
pub async fn own(db: &Db, id: i64) -> StoreResult<User> {
    db.optional(
        &select()
            .and_where(Expr::col((Users::Table, Users::Id)).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    node_id: i64,
    path: String,
    name: String,
}

/// The roles a user holds, with their nodes' paths: the input to every scope decision.
pub async fn grants_of(db: &Db, user_id: i64) -> StoreResult<Vec<Grant>> {
    let rows: Vec<GrantRow> = db
        .all(
            &Query::select()
                .column((Grants::Table, Grants::Role))
                .column((Grants::Table, Grants::NodeId))
                .column((Nodes::Table, Nodes::Path))
                .column((Nodes::Table, Nodes::Name))
                .from(Grants::Table)
                .inner_join(
                    Nodes::Table,
                    Expr::col((Nodes::Table, Nodes::Id)).equals((Grants::Table, Grants::NodeId)),
                )
                .and_where(Expr::col((Grants::Table, Grants::UserId)).eq(user_id))
                .order_by((Nodes::Table, Nodes::Path), Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(&r.role)?,
                node_id: r.node_id,
                node_path: r.path,
                node_name: r.name,
            })
        })
        .collect())
}

pub async fn count(db: &Db) -> StoreResult<i64> {
    db.scalar(
        &Query::select()
            .expr(Expr::col(Users::Id).count())
            .from(Users::Table)
            .to_owned(),
    )
    .await
}
