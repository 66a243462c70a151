//! Open311 GeoReport v2: API keys for integrating systems, the record of which key submitted
//! which request, and the public read of requests the endpoint serves.
//!
//! A key belongs to a territory node: what the system submits without a precise `address_id`
//! lands there, and an `address_id` must lie inside it. Each key acts through its own service
//! account (inactive, with no usable password), so its requests reference `users(id)` like any
//! other and the audit log names the key's account.

mod reads;

pub use reads::{PublicQuery, PublicRequest, request, requests};

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::{Node, Nodes};
use crate::scope_cond;
use crate::users::Users;
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::Tree;
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
enum Open311Keys {
    Table,
    Id,
    Name,
    KeyHash,
    NodeId,
    NodePath,
    UserId,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

#[derive(Iden, Clone, Copy)]
enum Open311Requests {
    Table,
    RequestId,
    KeyId,
    AccountId,
    CreatedAt,
}

/// An issued key (never the key itself: only its hash is stored).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Key {
    pub id: i64,
    pub name: String,
    pub node_id: i64,
    pub node_path: String,
    pub node_name: String,
    /// The key's service account: requester and recorder of what the key submits.
    pub user_id: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Key {
    /// Where the key may place requests: the subtree of its node (`None` only for a corrupt
    /// row without a path).
    pub fn scope(&self) -> Option<Scope> {
        Scope::from_paths([self.node_path.clone()])
    }

    /// The login of the key's service account, as the audit log shows it.
    pub fn login(&self) -> String {
        service_login(self.id)
    }
}

fn service_login(key_id: i64) -> String {
    format!("open311-{key_id}")
}

fn select_keys() -> SelectStatement {
    let k = Open311Keys::Table;
    Query::select()
        .columns([
            (k, Open311Keys::Id),
            (k, Open311Keys::Name),
            (k, Open311Keys::NodeId),
            (k, Open311Keys::NodePath),
            (k, Open311Keys::UserId),
            (k, Open311Keys::CreatedBy),
            (k, Open311Keys::CreatedAt),
            (k, Open311Keys::RevokedAt),
        ])
        .expr_as(Expr::col((Nodes::Table, Nodes::Name)), "node_name")
        .from(k)
        .inner_join(
            Nodes::Table,
            Expr::col((Nodes::Table, Nodes::Id)).equals((k, Open311Keys::NodeId)),
        )
        .to_owned()
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(DomainError::new(
            "invalid_name",
            "name",
            "接入系统名称不能为空，且不超过60字",
        ));
    }
    Ok(name.to_owned())
}

/// Records a key for the system `name`, submitting into `node_id` (a territory node inside
/// `scope`), with its service account. `key_hash` is the SHA-256 the web layer computed; the key
/// itself is shown once to whoever issued it and never stored.
pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    name: &str,
    node_id: i64,
    key_hash: &str,
) -> StoreResult<Key> {
    let name = check_name(name)?;
    let node = crate::nodes::get(db, scope, node_id).await?;
    if node.tree != Tree::Territory.as_str() {
        return Err(
            DomainError::new("invalid_node", "node_id", "接入范围须为区划或网格节点").into(),
        );
    }
    let now = actor.at;
    let mut tx = db.begin().await?;
    // The account's login names the key's id, which exists only after the key row; the hash is
    // unique, so it makes a unique placeholder until then.
    let user_id = crate::users::insert_row(
        &mut tx,
        &format!("open311-pending-{key_hash}"),
        &name,
        "Open311",
        // Not a PHC string: no password ever verifies against it.
        "!",
        false,
        now,
    )
    .await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Open311Keys::Table)
                .columns([
                    Open311Keys::Name,
                    Open311Keys::KeyHash,
                    Open311Keys::NodeId,
                    Open311Keys::NodePath,
                    Open311Keys::UserId,
                    Open311Keys::CreatedBy,
                    Open311Keys::CreatedAt,
                ])
                .values_panic([
                    name.clone().into(),
                    key_hash.into(),
                    node.id.into(),
                    node.path.clone().into(),
                    user_id.into(),
                    actor.login.clone().into(),
                    now.into(),
                ])
                .returning_col(Open311Keys::Id)
                .to_owned(),
        )
        .await?;
    tx.execute(
        &Query::update()
            .table(Users::Table)
            .value(Users::Login, service_login(id))
            .and_where(Expr::col(Users::Id).eq(user_id))
            .to_owned(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "open311_key.create",
            object_type: "open311_key",
            object_id: id.to_string(),
            object_path: &node.path,
            before: None,
            after: Some(
                serde_json::json!({"name": name, "node": node.name, "account": service_login(id)}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Key {
        id,
        name,
        node_id: node.id,
        node_path: node.path,
        node_name: node.name,
        user_id,
        created_by: actor.login.clone(),
        created_at: now,
        revoked_at: None,
    })
}

/// The unrevoked key with this hash.
pub async fn by_hash(db: &Db, key_hash: &str) -> StoreResult<Option<Key>> {
    db.optional(
        &select_keys()
            .and_where(Expr::col((Open311Keys::Table, Open311Keys::KeyHash)).eq(key_hash))
            .and_where(Expr::col((Open311Keys::Table, Open311Keys::RevokedAt)).is_null())
            .to_owned(),
    )
    .await
}

/// Keys whose node lies in `scope`, revoked ones included, newest first.
pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<Key>> {
    db.all(
        &select_keys()
            .cond_where(scope_cond(
                scope,
                (Open311Keys::Table, Open311Keys::NodePath),
            ))
            .order_by((Open311Keys::Table, Open311Keys::Id), Order::Desc)
            .to_owned(),
    )
    .await
}

/// Revokes key `id` (inside `scope`): from now on it is refused with 403. Revoking twice is a
/// no-op, not an error.
pub async fn revoke(db: &Db, scope: &Scope, actor: &Actor, id: i64) -> StoreResult<Key> {
    let key: Key = db
        .optional(
            &select_keys()
                .and_where(Expr::col((Open311Keys::Table, Open311Keys::Id)).eq(id))
                .cond_where(scope_cond(
                    scope,
                    (Open311Keys::Table, Open311Keys::NodePath),
                ))
                .to_owned(),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::update()
            .table(Open311Keys::Table)
            .value(Open311Keys::RevokedAt, actor.at)
            .and_where(Expr::col(Open311Keys::Id).eq(id))
            .and_where(Expr::col(Open311Keys::RevokedAt).is_null())
            .to_owned(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "open311_key.revoke",
            object_type: "open311_key",
            object_id: id.to_string(),
            object_path: &key.node_path,
            before: None,
            after: Some(serde_json::json!({"name": key.name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Key {
        revoked_at: Some(actor.at),
        ..key
    })
}

/// Notes that `key` submitted `request_id` (with the system's own account id for its user).
pub async fn record_submission(
    db: &Db,
    key: &Key,
    request_id: i64,
    account_id: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(Open311Requests::Table)
            .columns([
                Open311Requests::RequestId,
                Open311Requests::KeyId,
                Open311Requests::AccountId,
                Open311Requests::CreatedAt,
            ])
            .values_panic([
                request_id.into(),
                key.id.into(),
                account_id.map(str::to_owned).into(),
                at.into(),
            ])
            .to_owned(),
    )
    .await?;
    tx.commit().await
}

/// The territory node with `code` inside `scope` (an Open311 `address_id`).
pub async fn place_by_code(db: &Db, scope: &Scope, code: &str) -> StoreResult<Node> {
    let code = code.trim().to_ascii_uppercase();
    let id: Option<(i64,)> = db
        .optional(
            &Query::select()
                .column(Nodes::Id)
                .from(Nodes::Table)
                .and_where(Expr::col(Nodes::Code).eq(code))
                .and_where(Expr::col(Nodes::Tree).eq(Tree::Territory.as_str()))
                .cond_where(scope_cond(scope, Nodes::Path))
                .to_owned(),
        )
        .await?;
    let (id,) = id.ok_or(StoreError::NotFound)?;
    crate::nodes::get(db, scope, id).await
}

/// Which of `ids` the key `key_id` submitted: the requests whose own text it may read back.
pub async fn submitted_by(db: &Db, key_id: i64, ids: Vec<i64>) -> StoreResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64,)> = db
        .all(
            &Query::select()
                .column(Open311Requests::RequestId)
                .from(Open311Requests::Table)
                .and_where(Expr::col(Open311Requests::KeyId).eq(key_id))
                .and_where(Expr::col(Open311Requests::RequestId).is_in(ids))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
