//! Installation settings editable by a district administrator, such as the grid staffing norm.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::StoreResult;
use jiceng_core::requests::sla::SlaPolicy;
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Iden, Clone, Copy)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

pub const STAFFING_NORM: &str = "staffing_norm";
/// Stage time limits of the request loop (`jiceng_core::requests::sla::SlaPolicy`).
pub const SLA_POLICY: &str = "sla_policy";

/// The stored value, or `None` when never set (callers fall back to the domain default).
pub async fn get<T: DeserializeOwned>(db: &Db, key: &str) -> StoreResult<Option<T>> {
    let row: Option<(String,)> = db
        .optional(
            &Query::select()
                .column(Settings::Value)
                .from(Settings::Table)
                .and_where(Expr::col(Settings::Key).eq(key))
                .to_owned(),
        )
        .await?;
    Ok(row.and_then(|(v,)| serde_json::from_str(&v).ok()))
}

pub async fn set<T: Serialize>(db: &Db, actor: &Actor, key: &str, value: &T) -> StoreResult<()> {
    let before: Option<serde_json::Value> = get(db, key).await?;
    let json = serde_json::to_value(value).unwrap_or_default();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::insert()
            .into_table(Settings::Table)
            .columns([Settings::Key, Settings::Value, Settings::UpdatedAt])
            .values_panic([key.into(), json.to_string().into(), actor.at.into()])
            .on_conflict(
                OnConflict::column(Settings::Key)
                    .update_columns([Settings::Value, Settings::UpdatedAt])
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "setting.update",
            object_type: "setting",
            object_id: key.to_owned(),
            object_path: jiceng_core::node::ROOT_PATH,
            before,
            after: Some(json),
        },
    )
    .await?;
    tx.commit().await
}

/// The installation's time limits and reopen limit: the stored policy, or "2310" with one
/// reopening when never set.
pub async fn sla_policy(db: &Db) -> StoreResult<SlaPolicy> {
    Ok(get(db, SLA_POLICY).await?.unwrap_or_default())
}

/// Replaces the policy after checking every figure (`SlaPolicy::check`). Deadlines already set
/// stand, and a request keeps the resolve days it was submitted with; the hour limits apply to
/// stages that start from now, the reopen limit to the next rating.
pub async fn set_sla_policy(db: &Db, actor: &Actor, policy: &SlaPolicy) -> StoreResult<()> {
    policy.check()?;
    set(db, actor, SLA_POLICY, policy).await
}
