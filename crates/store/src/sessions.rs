//! Browser sessions and API bearer tokens, kept in the database so that any app instance can
//! serve any user. Only a SHA-256 of each token is stored.

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::nodes::Nodes;
use crate::users::{Grants, User, Users};
use chrono::{DateTime, Utc};
use jiceng_core::role::Role;
use jiceng_core::scope::Grant;
use sea_query::{Alias, Expr, ExprTrait, Iden, Order, Query};

#[derive(Iden, Clone, Copy)]
pub(crate) enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    Kind,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub struct NewSession<'a> {
    pub user_id: i64,
    pub kind: SessionKind,
    pub token_hash: &'a str,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
    /// Where the user's first role sits, for the audit entry's scope.
    pub user_path: &'a str,
}

/// Records a successful sign-in: the session, the cleared failure count, the audit entry.
pub async fn create(db: &Db, actor: &Actor, s: NewSession<'_>) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Sessions::Table)
                .columns([
                    Sessions::TokenHash,
                    Sessions::UserId,
                    Sessions::Kind,
                    Sessions::CsrfToken,
                    Sessions::CreatedAt,
                    Sessions::ExpiresAt,
                ])
                .values_panic([
                    s.token_hash.into(),
                    s.user_id.into(),
                    s.kind.as_str().into(),
                    s.csrf_token.into(),
                    actor.at.into(),
                    s.expires_at.into(),
                ])
                .returning_col(Sessions::Id)
                .to_owned(),
        )
        .await?;
    crate::throttle::clear(&mut tx, &actor.login).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "auth.login",
            object_type: "user",
            object_id: s.user_id.to_string(),
            object_path: s.user_path,
            before: None,
            after: Some(serde_json::json!({"kind": s.kind.as_str()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The live session for a token hash, if any.
pub async fn lookup(db: &Db, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>> {
    db.optional(
        &Query::select()
            .columns([
                Sessions::Id,
                Sessions::UserId,
                Sessions::Kind,
                Sessions::CsrfToken,
                Sessions::ExpiresAt,
            ])
            .from(Sessions::Table)
            .and_where(Expr::col(Sessions::TokenHash).eq(token_hash))
            .and_where(Expr::col(Sessions::ExpiresAt).gt(now))
            .to_owned(),
    )
    .await
}

#[derive(sqlx::FromRow)]
struct SignedInRow {
    session_id: i64,
    user_id: i64,
    kind: String,
    csrf_token: String,
    expires_at: DateTime<Utc>,
    login: String,
    display_name: String,
    unit_name: String,
    organisation_id: Option<i64>,
    active: bool,
    created_at: DateTime<Utc>,
    role: Option<String>,
    node_id: Option<i64>,
    path: Option<String>,
    name: Option<String>,
}

/// Who holds a live session: the session, its user and the user's roles with their nodes' paths
/// (ordered by path, as `users::grants_of`), in one query — it runs on every authenticated
/// request. Read from the database each time, so a revoked session, a deactivated account or a
/// changed role applies to the very next request on every instance. The caller checks `active`.
pub async fn signed_in(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<(Session, User, Vec<Grant>)>> {
    let rows: Vec<SignedInRow> = db
        .all(
            &Query::select()
                .expr_as(
                    Expr::col((Sessions::Table, Sessions::Id)),
                    Alias::new("session_id"),
                )
                .columns([
                    (Sessions::Table, Sessions::UserId),
                    (Sessions::Table, Sessions::Kind),
                    (Sessions::Table, Sessions::CsrfToken),
                    (Sessions::Table, Sessions::ExpiresAt),
                ])
                .columns([
                    (Users::Table, Users::Login),
                    (Users::Table, Users::DisplayName),
                    (Users::Table, Users::UnitName),
                    (Users::Table, Users::OrganisationId),
                    (Users::Table, Users::Active),
                    (Users::Table, Users::CreatedAt),
                ])
                .columns([
                    (Grants::Table, Grants::Role),
                    (Grants::Table, Grants::NodeId),
                ])
                .columns([(Nodes::Table, Nodes::Path), (Nodes::Table, Nodes::Name)])
                .from(Sessions::Table)
                .inner_join(
                    Users::Table,
                    Expr::col((Users::Table, Users::Id))
                        .equals((Sessions::Table, Sessions::UserId)),
                )
                .left_join(
                    Grants::Table,
                    Expr::col((Grants::Table, Grants::UserId))
                        .equals((Sessions::Table, Sessions::UserId)),
                )
                .left_join(
                    Nodes::Table,
                    Expr::col((Nodes::Table, Nodes::Id)).equals((Grants::Table, Grants::NodeId)),
                )
                .and_where(Expr::col((Sessions::Table, Sessions::TokenHash)).eq(token_hash))
                .and_where(Expr::col((Sessions::Table, Sessions::ExpiresAt)).gt(now))
                .order_by((Nodes::Table, Nodes::Path), Order::Asc)
                .to_owned(),
        )
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let session = Session {
        id: first.session_id,
        user_id: first.user_id,
        kind: first.kind.clone(),
        csrf_token: first.csrf_token.clone(),
        expires_at: first.expires_at,
    };
    let user = User {
        id: first.user_id,
        login: first.login.clone(),
        display_name: first.display_name.clone(),
        unit_name: first.unit_name.clone(),
        organisation_id: first.organisation_id,
        active: first.active,
        created_at: first.created_at,
    };
    // A grant whose node is gone is left out, as the inner join of `users::grants_of` does.
    let grants = rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(r.role.as_deref()?)?,
                node_id: r.node_id?,
                node_path: r.path?,
                node_name: r.name?,
            })
        })
        .collect();
    Ok(Some((session, user, grants)))
}

/// Signs out: the session ends and the audit log says so.
pub async fn delete(
    db: &Db,
    actor: &Actor,
    session_id: i64,
    user_id: i64,
    user_path: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::Id).eq(session_id))
            .to_owned(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "auth.logout",
            object_type: "user",
            object_id: user_id.to_string(),
            object_path: user_path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await
}

pub(crate) async fn delete_others(tx: &mut Tx, user_id: i64, keep: Option<i64>) -> StoreResult<()> {
    let mut q = Query::delete()
        .from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .to_owned();
    if let Some(k) = keep {
        q.and_where(Expr::col(Sessions::Id).ne(k));
    }
    tx.execute(&q).await?;
    Ok(())
}

/// Housekeeping: expired sessions carry no information worth auditing.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Query::delete()
                .from_table(Sessions::Table)
                .and_where(Expr::col(Sessions::ExpiresAt).lte(now))
                .to_owned(),
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}
