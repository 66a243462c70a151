//! 督办 and 分级响应 on a request: pressing the unit that holds it, and a desk calling the level
//! above. Both are counted on the request (docs/RATES.md: 督办诉求数, 呼叫上级诉求数).

use super::writes::Effects;
use super::{RequestRow, Requests, SlaEnv};
use crate::db::Db;
use crate::error::StoreResult;
use crate::nodes::{self, Node, Nodes};
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::node::NodeKind;
use jiceng_core::requests::sla::{Stage, hours_due};
use sea_query::{Expr, ExprTrait};

/// 督办: counted, and the unit holding the request is told.
pub(crate) fn supervise() -> Effects {
    Effects::new().set(
        Requests::SuperviseCount,
        Expr::col(Requests::SuperviseCount).add(1),
    )
}

/// The desk one level up from `desk_path`: the street above a community desk, the district
/// above a street desk; `None` at the top.
pub(crate) async fn desk_above(db: &Db, desk_path: &str) -> StoreResult<Option<Node>> {
    let above: Vec<String> = jiceng_core::node::ancestor_paths(desk_path)
        .into_iter()
        .filter(|p| p != desk_path)
        .collect();
    if above.is_empty() {
        return Ok(None);
    }
    let kinds = [NodeKind::Street.as_str(), NodeKind::District.as_str()];
    let found: Vec<Node> = db
        .all(
            &nodes::select()
                .and_where(Expr::col(Nodes::Path).is_in(above))
                .and_where(Expr::col(Nodes::Kind).is_in(kinds))
                .to_owned(),
        )
        .await?;
    Ok(found.into_iter().max_by_key(|n| n.path.len()))
}

/// 呼叫上级: the request moves to the desk above and waits there to be accepted afresh.
pub(crate) async fn escalate(
    db: &Db,
    env: &SlaEnv<'_>,
    r: &RequestRow,
    now: DateTime<Utc>,
) -> StoreResult<(Effects, Node)> {
    let Some(up) = desk_above(db, &r.desk_path).await? else {
        return Err(DomainError::new(
            "no_higher_level",
            "action",
            "已是最高一级派单中心，无法再呼叫上级",
        )
        .into());
    };
    let due = hours_due(env.calendar, &env.office, now, env.policy.accept_hours);
    let fx = Effects::new()
        .set(Requests::DeskPath, up.path.clone())
        .set(
            Requests::EscalationCount,
            Expr::col(Requests::EscalationCount).add(1),
        )
        .clock(Some(Stage::Accept), Some(due));
    Ok((fx, up))
}
