//! Changes to accounts: creating one with its roles, replacing its password, setting the
//! organisation it works for; each in one transaction with its audit entry.

use super::{Authority, Grants, NewUser, User, Users, get};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::nodes;
use chrono::{DateTime, Utc};
use jiceng_core::scope::{Scope, may_grant_at};
use sea_query::{Expr, ExprTrait, Query};

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
    let id = insert_row(
        &mut tx,
        new.login.as_str(),
        &new.display_name,
        &new.unit_name,
        &new.password_hash,
        true,
        actor.at,
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

/// Inserts an account row (no roles) and answers its id: the one place a `users` row is
/// written, for people (`create`) and for Open311 keys' accounts.
pub(crate) async fn insert_row(
    tx: &mut Tx,
    login: &str,
    display_name: &str,
    unit_name: &str,
    password_hash: &str,
    active: bool,
    at: DateTime<Utc>,
) -> StoreResult<i64> {
    tx.scalar(
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
                login.into(),
                display_name.into(),
                unit_name.into(),
                password_hash.into(),
                active.into(),
                at.into(),
                at.into(),
            ])
            .returning_col(Users::Id)
            .to_owned(),
    )
    .await
}
