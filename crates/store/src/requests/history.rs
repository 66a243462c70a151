//! Loading finished history in bulk: requests with their whole timeline, units and overdue
//! events, as an older system (or the demo generator) recorded them. Multi-row inserts in one
//! transaction per batch, with one audit entry per batch. Ids are assigned here, so a load must
//! not run while the same database takes new requests.

use super::RequestUnits as U;
use super::ticker::SlaEvents;
use super::writes::RequestEvents as E;
use super::{Requests, counters, place_index};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Engine, Tx};
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::requests::sla::Stage;
use jiceng_core::requests::{Channel, Rating, Severity, Status};
use sea_query::{Expr, ExprTrait, Query, SimpleExpr};

/// One step of a past request's timeline.
#[derive(Debug, Clone)]
pub struct PastEvent {
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub actor_unit: String,
    /// An action name (`accept`, `dispatch`, …), `submit` or `overdue`.
    pub action: &'static str,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub note: String,
}

/// A request as it stands after its history, with that history.
#[derive(Debug, Clone)]
pub struct PastRequest {
    pub category_id: i64,
    pub severity: Severity,
    pub channel: Channel,
    pub description: String,
    pub requester_user_id: Option<i64>,
    pub requester_name: String,
    pub place_node_id: i64,
    pub place_path: String,
    pub desk_path: String,
    pub lead_org_id: Option<i64>,
    pub status: Status,
    /// The running stage and its clock, for requests still open.
    pub stage: Option<Stage>,
    pub due_at: Option<DateTime<Utc>>,
    pub warn_at: Option<DateTime<Utc>>,
    pub resolve_days: i64,
    pub submitted_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<Rating>,
    pub result: String,
    pub reopen_count: i64,
    pub return_count: i64,
    /// Deadlines that passed: one overdue event each.
    pub overdue: Vec<(Stage, DateTime<Utc>)>,
    pub events: Vec<PastEvent>,
}

const ROWS_PER_STATEMENT: usize = 400;

impl PastRequest {
    fn late(&self, stage: Stage) -> bool {
        self.overdue.iter().any(|(s, _)| *s == stage)
    }

    /// The counters it is in, as `counters::read` would find it after the insert.
    fn counted(&self, id: i64) -> counters::Membership {
        let row = counters::FactsRow {
            id,
            status: self.status.as_str().to_owned(),
            category_id: self.category_id,
            place_path: self.place_path.clone(),
            submitted_at: self.submitted_at,
            accepted_at: self.accepted_at,
            dispatched_at: self.dispatched_at,
            claimed_at: self.claimed_at,
            claim_late: self.late(Stage::Claim),
            resolve_late: self.late(Stage::Resolve),
            rating: self.rating.map(|r| r.as_str().to_owned()),
            return_count: self.return_count,
            overdue_count: self.overdue.len() as i64,
            reopen_count: self.reopen_count,
            supervise_count: 0,
            escalation_count: 0,
        };
        counters::membership(&row, &self.lead_org_id.into_iter().collect::<Vec<_>>())
    }
}

async fn next_id(tx: &mut Tx) -> StoreResult<i64> {
    let max = tx
        .scalar(
            &Query::select()
                .expr(Expr::col(Requests::Id).max().if_null(0))
                .from(Requests::Table)
                .to_owned(),
        )
        .await?;
    Ok(max + 1)
}

fn request_values(id: i64, r: &PastRequest, now: DateTime<Utc>) -> Vec<SimpleExpr> {
    vec![
        id.into(),
        r.category_id.into(),
        r.severity.as_str().into(),
        r.channel.as_str().into(),
        r.description.clone().into(),
        "{}".into(),
        r.requester_user_id.into(),
        r.requester_name.clone().into(),
        r.place_node_id.into(),
        r.place_path.clone().into(),
        r.desk_path.clone().into(),
        r.lead_org_id.into(),
        r.status.as_str().into(),
        r.stage.map(|s| s.as_str()).into(),
        r.due_at.into(),
        r.warn_at.into(),
        r.due_at.is_some_and(|d| d <= now).into(),
        r.resolve_days.into(),
        r.submitted_at.into(),
        r.accepted_at.into(),
        r.dispatched_at.into(),
        r.claimed_at.into(),
        r.resolved_at.into(),
        r.closed_at.into(),
        r.rating.map(|x| x.as_str()).into(),
        r.result.clone().into(),
        r.reopen_count.into(),
        r.return_count.into(),
        (r.overdue.len() as i64).into(),
        r.closed_at
            .or(r.resolved_at)
            .unwrap_or(r.submitted_at)
            .into(),
        r.late(Stage::Claim).into(),
        r.late(Stage::Resolve).into(),
    ]
}

const REQUEST_COLUMNS: [Requests; 32] = [
    Requests::Id,
    Requests::CategoryId,
    Requests::Severity,
    Requests::Channel,
    Requests::Description,
    Requests::AnswersJson,
    Requests::RequesterUserId,
    Requests::RequesterName,
    Requests::PlaceNodeId,
    Requests::PlacePath,
    Requests::DeskPath,
    Requests::LeadOrgId,
    Requests::Status,
    Requests::Stage,
    Requests::DueAt,
    Requests::WarnAt,
    Requests::DueFlagged,
    Requests::ResolveDays,
    Requests::SubmittedAt,
    Requests::AcceptedAt,
    Requests::DispatchedAt,
    Requests::ClaimedAt,
    Requests::ResolvedAt,
    Requests::ClosedAt,
    Requests::Rating,
    Requests::Result,
    Requests::ReopenCount,
    Requests::ReturnCount,
    Requests::OverdueCount,
    Requests::UpdatedAt,
    Requests::ClaimLate,
    Requests::ResolveLate,
];

/// Inserts `batch` in one transaction; returns the ids given, in order. Deadlines already
/// passed at `now` are stored as flagged, with their overdue events, so the ticker does not
/// raise them again.
pub async fn insert(db: &Db, actor: &Actor, batch: &[PastRequest]) -> StoreResult<Vec<i64>> {
    let mut tx = db.begin().await?;
    let first = next_id(&mut tx).await?;
    let ids: Vec<i64> = (first..).take(batch.len()).collect();
    for (chunk, chunk_ids) in batch
        .chunks(ROWS_PER_STATEMENT)
        .zip(ids.chunks(ROWS_PER_STATEMENT))
    {
        let mut q = Query::insert();
        q.into_table(Requests::Table).columns(REQUEST_COLUMNS);
        for (r, id) in chunk.iter().zip(chunk_ids) {
            q.values_panic(request_values(*id, r, actor.at));
        }
        tx.execute(&q).await?;
    }
    let placed: Vec<(i64, &str, DateTime<Utc>)> = batch
        .iter()
        .zip(&ids)
        .map(|(r, id)| (*id, r.place_path.as_str(), r.submitted_at))
        .collect();
    place_index::insert(&mut tx, &placed).await?;
    let mut events = Vec::new();
    let mut units = Vec::new();
    let mut overdue = Vec::new();
    for (r, id) in batch.iter().zip(&ids) {
        events.extend(r.events.iter().map(|e| (*id, e)));
        if let Some(org) = r.lead_org_id {
            units.push((
                *id,
                org,
                r.dispatched_at.unwrap_or(r.submitted_at),
                r.submitted_at,
            ));
        }
        overdue.extend(r.overdue.iter().map(|(s, d)| (*id, *s, *d)));
    }
    for chunk in events.chunks(ROWS_PER_STATEMENT * 2) {
        let mut q = Query::insert();
        q.into_table(E::Table).columns([
            E::RequestId,
            E::At,
            E::ActorUserId,
            E::ActorLogin,
            E::ActorName,
            E::ActorUnit,
            E::Action,
            E::FromStatus,
            E::ToStatus,
            E::Note,
        ]);
        for (id, e) in chunk {
            q.values_panic([
                (*id).into(),
                e.at.into(),
                e.actor_user_id.into(),
                String::new().into(),
                e.actor_name.clone().into(),
                e.actor_unit.clone().into(),
                e.action.into(),
                e.from.map(|s| s.as_str()).into(),
                e.to.map(|s| s.as_str()).into(),
                e.note.clone().into(),
            ]);
        }
        tx.execute(&q).await?;
    }
    for chunk in units.chunks(ROWS_PER_STATEMENT * 2) {
        let mut q = Query::insert();
        q.into_table(U::Table).columns([
            U::RequestId,
            U::OrgId,
            U::Role,
            U::CreatedAt,
            U::SubmittedAt,
        ]);
        for (id, org, at, submitted) in chunk {
            q.values_panic([
                (*id).into(),
                (*org).into(),
                "lead".into(),
                (*at).into(),
                (*submitted).into(),
            ]);
        }
        tx.execute(&q).await?;
    }
    for chunk in overdue.chunks(ROWS_PER_STATEMENT * 2) {
        let mut q = Query::insert();
        q.into_table(SlaEvents::Table).columns([
            SlaEvents::RequestId,
            SlaEvents::Stage,
            SlaEvents::DueAt,
            SlaEvents::RaisedAt,
        ]);
        for (id, stage, due) in chunk {
            q.values_panic([
                (*id).into(),
                stage.as_str().into(),
                (*due).into(),
                (*due).into(),
            ]);
        }
        tx.execute(&q).await?;
    }
    let counted: counters::Membership = batch
        .iter()
        .zip(&ids)
        .flat_map(|(r, id)| r.counted(*id))
        .collect();
    counters::apply(&mut tx, &Vec::new(), &counted);
    if tx.engine() == Engine::Postgres {
        // Explicit ids bypass the identity sequence; move it past them for later submissions.
        tx.execute(
            &Query::select()
                .expr(Expr::cust(
                    "setval(pg_get_serial_sequence('requests', 'id'), (SELECT MAX(id) FROM requests))",
                ))
                .to_owned(),
        )
        .await?;
    }
    let change = Change {
        action: "request.import_history",
        object_type: "request",
        object_id: format!("{}-{}", first, first + batch.len() as i64 - 1),
        object_path: jiceng_core::node::ROOT_PATH,
        before: None,
        after: Some(serde_json::json!({ "requests": batch.len(), "events": events.len() })),
    };
    audit::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(ids)
}
