//! Failed sign-ins, counted per login name and per address. Stored in the database so that
//! several app instances throttle together.

use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Iden, Query};

#[derive(Iden, Clone, Copy)]
enum LoginFailures {
    Table,
    Id,
    Login,
    Ip,
    At,
}

/// (failures for this login, failures from this address) since `since`.
pub async fn failures(
    db: &Db,
    login: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> StoreResult<(i64, i64)> {
    let count = |col: LoginFailures, v: &str| {
        Query::select()
            .expr(Expr::col(LoginFailures::Id).count())
            .from(LoginFailures::Table)
            .and_where(Expr::col(col).eq(v))
            .and_where(Expr::col(LoginFailures::At).gt(since))
            .to_owned()
    };
    let by_login = db.scalar(&count(LoginFailures::Login, login)).await?;
    let by_ip = db.scalar(&count(LoginFailures::Ip, ip)).await?;
    Ok((by_login, by_ip))
}

/// Records a failed attempt (for a known or unknown login alike) and audits it.
pub async fn record_failure(db: &Db, actor: &Actor, reason: &str) -> StoreResult<()> {
    let ip = actor.ip.clone().unwrap_or_default();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(LoginFailures::Table)
            .columns([LoginFailures::Login, LoginFailures::Ip, LoginFailures::At])
            .values_panic([actor.login.clone().into(), ip.into(), actor.at.into()])
            .to_owned(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "auth.login_failed",
            object_type: "login",
            object_id: actor.login.clone(),
            object_path: jiceng_core::node::ROOT_PATH,
            before: None,
            after: Some(serde_json::json!({"reason": reason})),
        },
    )
    .await?;
    tx.commit().await
}

pub(crate) async fn clear(tx: &mut Tx, login: &str) -> StoreResult<()> {
    tx.execute(
        &Query::delete()
            .from_table(LoginFailures::Table)
            .and_where(Expr::col(LoginFailures::Login).eq(login))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Housekeeping: failures older than the window no longer count.
pub async fn purge_before(db: &Db, before: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Query::delete()
                .from_table(LoginFailures::Table)
                .and_where(Expr::col(LoginFailures::At).lt(before))
                .to_owned(),
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}
