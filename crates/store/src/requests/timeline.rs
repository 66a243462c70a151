//! A request's timeline: every step with actor, unit, time, the states before and after, and
//! what was said.

use super::writes::RequestEvents as E;
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub actor_unit: String,
    /// An action of the state machine (`accept`, `dispatch`, …), `submit`, `overdue` or `merged_in`.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    pub data_json: Option<String>,
}

/// The timeline of a request the caller has already been allowed to see.
pub async fn of(db: &Db, request_id: i64) -> StoreResult<Vec<TimelineEntry>> {
    db.all(
        &Query::select()
            .columns([
                E::Id,
                E::At,
                E::ActorName,
                E::ActorUnit,
                E::Action,
                E::FromStatus,
                E::ToStatus,
                E::Note,
                E::DataJson,
            ])
            .from(E::Table)
            .and_where(Expr::col(E::RequestId).eq(request_id))
            .order_by(E::Id, Order::Asc)
            .to_owned(),
    )
    .await
}
