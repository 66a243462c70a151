//! The writes every step shares: the row update guarded by the status it was decided on, the
//! timeline entry, inbox notifications, the units on a request, and suspensions.

use super::{RequestUnits, Requests, SlaEnv, Viewer};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::requests::inbox::Notifications;
use crate::requests::notifications::Notice;
use chrono::{DateTime, Utc};
use jiceng_core::requests::Status;
use jiceng_core::requests::sla::{Due, Stage, hours_due};
use sea_query::{Expr, ExprTrait, Iden, InsertStatement, Query, SimpleExpr};

#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestEvents {
    Table,
    Id,
    RequestId,
    At,
    ActorUserId,
    ActorLogin,
    ActorName,
    ActorUnit,
    Action,
    FromStatus,
    ToStatus,
    Note,
    DataJson,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestPauses {
    Table,
    RequestId,
    StartedAt,
    EndedAt,
}

/// Column changes of one step, besides the status.
pub(crate) struct Effects(Vec<(Requests, SimpleExpr)>);

impl Effects {
    pub(crate) fn new() -> Self {
        Effects(Vec::new())
    }
    /// The column changes, for a writer that inserts the request in its final state.
    pub(crate) fn into_columns(self) -> Vec<(Requests, SimpleExpr)> {
        self.0
    }
    pub(crate) fn set(mut self, col: Requests, v: impl Into<SimpleExpr>) -> Self {
        self.0.push((col, v.into()));
        self
    }
    /// Starts a stage's clock (or stops every clock with `None`); a new deadline is unflagged.
    pub(crate) fn clock(self, stage: Option<Stage>, due: Option<Due>) -> Self {
        self.set(Requests::Stage, stage.map(|s| s.as_str()))
            .set(Requests::DueAt, due.map(|d| d.due))
            .set(Requests::WarnAt, due.map(|d| d.warn))
            .set(Requests::DueFlagged, false)
    }
    pub(crate) fn dispatch(env: &SlaEnv<'_>, now: DateTime<Utc>, org: i64) -> Self {
        let due = hours_due(env.calendar, &env.office, now, env.policy.claim_hours);
        Effects::new()
            .set(Requests::LeadOrgId, org)
            .set(Requests::DispatchedAt, now)
            .clock(Some(Stage::Claim), Some(due))
    }
    pub(crate) async fn apply(
        self,
        tx: &mut Tx,
        id: i64,
        from: Status,
        to: Status,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut q = Query::update();
        q.table(Requests::Table)
            .value(Requests::Status, to.as_str())
            .value(Requests::UpdatedAt, now);
        for (c, v) in self.0 {
            q.value(c, v);
        }
        q.and_where(Expr::col(Requests::Id).eq(id))
            .and_where(Expr::col(Requests::Status).eq(from.as_str()));
        if tx.execute(&q).await? == 0 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn event(
    tx: &mut Tx,
    request_id: i64,
    who: &Viewer,
    at: DateTime<Utc>,
    action: &str,
    from: Option<Status>,
    to: Option<Status>,
    note: &str,
    data: Option<serde_json::Value>,
) -> StoreResult<()> {
    let q = event_insert(request_id, who, at, action, from, to, note, data);
    tx.execute(&q).await?;
    Ok(())
}

/// The timeline entry as an insert (see `event`), for `Tx::execute_all`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn event_insert(
    request_id: i64,
    who: &Viewer,
    at: DateTime<Utc>,
    action: &str,
    from: Option<Status>,
    to: Option<Status>,
    note: &str,
    data: Option<serde_json::Value>,
) -> InsertStatement {
    Query::insert()
        .into_table(RequestEvents::Table)
        .columns([
            RequestEvents::RequestId,
            RequestEvents::At,
            RequestEvents::ActorUserId,
            RequestEvents::ActorLogin,
            RequestEvents::ActorName,
            RequestEvents::ActorUnit,
            RequestEvents::Action,
            RequestEvents::FromStatus,
            RequestEvents::ToStatus,
            RequestEvents::Note,
            RequestEvents::DataJson,
        ])
        .values_panic([
            request_id.into(),
            at.into(),
            (who.user_id != 0).then_some(who.user_id).into(),
            String::new().into(),
            who.name.clone().into(),
            who.unit.clone().into(),
            action.into(),
            from.map(|s| s.as_str()).into(),
            to.map(|s| s.as_str()).into(),
            note.into(),
            data.map(|d| d.to_string()).into(),
        ])
        .to_owned()
}

/// The columns of an inbox entry, in the order of [`notice_values`].
pub(crate) const NOTICE_COLUMNS: [Notifications; 7] = [
    Notifications::RequestId,
    Notifications::OrgId,
    Notifications::DeskPath,
    Notifications::UserId,
    Notifications::Kind,
    Notifications::Message,
    Notifications::CreatedAt,
];

/// One inbox entry's row: notice `n` about `request_id`, sent at `at`.
pub(crate) fn notice_values(request_id: i64, n: &Notice, at: DateTime<Utc>) -> [SimpleExpr; 7] {
    let (org, desk, user, kind, message) = n;
    [
        request_id.into(),
        (*org).into(),
        desk.clone().into(),
        (*user).into(),
        (*kind).into(),
        message.clone().into(),
        at.into(),
    ]
}

/// One inbox entry (`notifications`: to a unit's staff, a desk's dispatchers or a single user)
/// as an insert, sent with the write's other inserts (`Tx::execute_all`).
pub(crate) fn notify_insert(request_id: i64, n: &Notice, at: DateTime<Utc>) -> InsertStatement {
    Query::insert()
        .into_table(Notifications::Table)
        .columns(NOTICE_COLUMNS)
        .values_panic(notice_values(request_id, n, at))
        .to_owned()
}

/// Sets the lead and assisting units of a dispatch. A previous lead that is replaced stays on
/// record as `former`: it still answers for the time it held the request (rates per unit).
pub(crate) async fn write_units(
    tx: &mut Tx,
    id: i64,
    submitted_at: DateTime<Utc>,
    lead: i64,
    assist: &[i64],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let on_request = || Expr::col(RequestUnits::RequestId).eq(id);
    tx.execute(
        &Query::delete()
            .from_table(RequestUnits::Table)
            .and_where(on_request())
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(RequestUnits::Role).eq("assist"))
                    .add(Expr::col(RequestUnits::OrgId).eq(lead)),
            )
            .to_owned(),
    )
    .await?;
    tx.execute(
        &Query::update()
            .table(RequestUnits::Table)
            .value(RequestUnits::Role, "former")
            .and_where(on_request())
            .and_where(Expr::col(RequestUnits::Role).eq("lead"))
            .to_owned(),
    )
    .await?;
    tx.execute(&units_insert(id, submitted_at, lead, assist, at))
        .await?;
    Ok(())
}

/// The lead (and assisting) units of a request as an insert; existing rows are kept.
pub(crate) fn units_insert(
    id: i64,
    submitted_at: DateTime<Utc>,
    lead: i64,
    assist: &[i64],
    at: DateTime<Utc>,
) -> InsertStatement {
    let mut q = Query::insert();
    q.into_table(RequestUnits::Table)
        .columns([
            RequestUnits::RequestId,
            RequestUnits::OrgId,
            RequestUnits::Role,
            RequestUnits::CreatedAt,
            RequestUnits::SubmittedAt,
        ])
        .on_conflict(
            sea_query::OnConflict::columns([RequestUnits::RequestId, RequestUnits::OrgId])
                .do_nothing()
                .to_owned(),
        );
    let s = submitted_at;
    q.values_panic([id.into(), lead.into(), "lead".into(), at.into(), s.into()]);
    for a in assist.iter().filter(|a| **a != lead) {
        q.values_panic([id.into(), (*a).into(), "assist".into(), at.into(), s.into()]);
    }
    q
}

pub(crate) async fn pauses(
    db: &Db,
    id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = db
        .all(
            &Query::select()
                .columns([RequestPauses::StartedAt, RequestPauses::EndedAt])
                .from(RequestPauses::Table)
                .and_where(Expr::col(RequestPauses::RequestId).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(a, b)| (a, b.unwrap_or(now)))
        .collect())
}
