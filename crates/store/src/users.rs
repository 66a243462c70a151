//! Staff and resident accounts and the roles they hold at nodes.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::{self, Nodes};
use crate::{Page, scope_cond};
use chrono::{DateTime, Utc};
use jiceng_core::account::Login;
use jiceng_core::role::Role;
use jiceng_core::scope::{Grant, Scope, may_grant_at};
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

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

/// Creates an account with its roles. Each target node must be visible to the authority (else
/// `NotFound`) and each role grantable there (else `Forbidden`).
pub async fn create(
    db: &Db,
    authority: Authority<'_>,
    actor: &Actor,
    new: NewUser,
) -> StoreResult<User> {
    if new.grants.is_empty() {
        return Err(
            jiceng_core::DomainError::new("missing_grant", "grants", "至少授予一个角色").into(),
        );
    }
    let node_ids: Vec<i64> = new.grants.iter().map(|(_, n)| *n).collect();
    let targets = nodes::by_ids(db, node_ids).await?;
    let mut granted = Vec::new();
    for (role, node_id) in &new.grants {
        let node = targets
            .iter()
            .find(|n| n.id == *node_id)
            .ok_or(StoreError::NotFound)?;
        if let Authority::User(grants) = authority {
            let sees = Scope::from_paths(grants.iter().map(|g| g.node_path.clone()))
                .is_some_and(|s| s.contains(&node.path));
            if !sees {
                return Err(StoreError::NotFound);
            }
            if !may_grant_at(grants, *role, &node.path) {
                return Err(StoreError::Forbidden);
            }
        }
        granted.push((*role, node.id, node.path.clone()));
    }
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Users::Table)
                .columns([
                    Users::Login,
                    Users::DisplayName,
                    Users::UnitName,
                    Users::PasswordHash,
                    Users::Active,
                    Users::CreatedAt,
                    Users::UpdatedAt,
                ])
                .values_panic([
                    new.login.as_str().into(),
                    new.display_name.clone().into(),
                    new.unit_name.clone().into(),
                    new.password_hash.into(),
                    true.into(),
                    actor.at.into(),
                    actor.at.into(),
                ])
                .returning_col(Users::Id)
                .to_owned(),
        )
        .await?;
    for (role, node_id, _) in &granted {
        tx.execute(
            &Query::insert()
                .into_table(Grants::Table)
                .columns([
                    Grants::UserId,
                    Grants::Role,
                    Grants::NodeId,
                    Grants::CreatedAt,
                ])
                .values_panic([
                    id.into(),
                    role.as_str().into(),
                    (*node_id).into(),
                    actor.at.into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    let roles: Vec<_> = granted
        .iter()
        .map(|(r, n, _)| serde_json::json!({"role": r.as_str(), "node_id": n}))
        .collect();
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "user.create",
            object_type: "user",
            object_id: id.to_string(),
            object_path: &granted[0].2,
            before: None,
            after: Some(serde_json::json!({
                "login": new.login.as_str(), "display_name": new.display_name,
                "unit_name": new.unit_name, "grants": roles,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        id,
        login: new.login.as_str().to_owned(),
        display_name: new.display_name,
        unit_name: new.unit_name,
        organisation_id: None,
        active: true,
        created_at: actor.at,
    })
}

/// Replaces a user's password hash and ends their other sessions (`keep_session` survives).
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    password_hash: String,
    keep_session: Option<i64>,
    object_path: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Query::update()
                .table(Users::Table)
                .values([
                    (Users::PasswordHash, password_hash.into()),
                    (Users::UpdatedAt, actor.at.into()),
                ])
                .and_where(Expr::col(Users::Id).eq(user_id))
                .to_owned(),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    crate::sessions::delete_others(&mut tx, user_id, keep_session).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "user.password_change",
            object_type: "user",
            object_id: user_id.to_string(),
            object_path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await
}

/// Makes `user_id` staff of organisation `org_id` (or of none): they then act for it on requests.
/// Both must be visible in `scope`; the caller checks the permission to manage users.
pub async fn set_organisation(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    user_id: i64,
    org_id: Option<i64>,
) -> StoreResult<()> {
    let user = get(db, scope, user_id).await?;
    if let Some(org) = org_id {
        crate::orgs::get_organisation(db, scope, org).await?;
    }
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::update()
            .table(Users::Table)
            .values([
                (Users::OrganisationId, org_id.into()),
                (Users::UpdatedAt, actor.at.into()),
            ])
            .and_where(Expr::col(Users::Id).eq(user.id))
            .to_owned(),
    )
    .await?;
    let change = Change {
        action: "user.set_organisation",
        object_type: "user",
        object_id: user.id.to_string(),
        object_path: jiceng_core::node::ROOT_PATH,
        before: Some(serde_json::json!({ "organisation_id": user.organisation_id })),
        after: Some(serde_json::json!({ "organisation_id": org_id })),
    };
    audit::record(&mut tx, actor, change).await?;
    tx.commit().await
}
