//! Requests (诉求) and their loop. Who a user is to a request — requester, dispatch desk, lead
//! or assisting unit — is decided here from the [`Viewer`] the web layer builds once per call;
//! whether a step is legal is decided by `jiceng_core::requests::machine`.

pub mod board;
pub mod categories;
pub mod counters;
pub mod escalation;
pub mod figures;
pub mod history;
pub mod history_notifications;
pub mod inbox;
pub mod intake;
pub mod list;
mod list_streams;
mod notifications;
pub mod photos;
pub mod place_category;
pub(crate) mod place_index;
pub mod routing;
mod step_write;
pub mod ticker;
pub mod timeline;
pub mod transition;
pub mod trends;
pub mod writes;

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::scope_cond;
use chrono::{DateTime, Utc};
use jiceng_core::calendar::{Calendar, OfficeHours};
use jiceng_core::requests::sla::{Due, Light, SlaPolicy};
use jiceng_core::requests::{Party, Status};
use jiceng_core::scope::Scope;
use sea_query::{Cond, Condition, Expr, ExprTrait, Iden, Query, SelectStatement};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum Requests {
    Table,
    Id,
    CategoryId,
    Severity,
    Channel,
    Description,
    AnswersJson,
    RequesterUserId,
    RequesterName,
    RequesterPhoneSealed,
    RequesterPhoneMasked,
    RecordedByUserId,
    PlaceNodeId,
    PlacePath,
    Address,
    Longitude,
    Latitude,
    DeskPath,
    SuggestedOrgId,
    LeadOrgId,
    Status,
    Stage,
    DueAt,
    WarnAt,
    DueFlagged,
    ResolveDays,
    ExtensionDays,
    ExtensionPendingDays,
    SubmittedAt,
    AcceptedAt,
    DispatchedAt,
    ClaimedAt,
    ResolvedAt,
    ClosedAt,
    SuspendedAt,
    Rating,
    Result,
    ReopenCount,
    ReturnCount,
    OverdueCount,
    MergedIntoId,
    UpdatedAt,
    ClaimLate,
    ResolveLate,
    SuperviseCount,
    EscalationCount,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum RequestUnits {
    Table,
    RequestId,
    OrgId,
    Role,
    CreatedAt,
    SubmittedAt,
}

/// Who is looking, as far as requests are concerned. Built once per call by the web layer from
/// the user's grants; the store derives visibility and parties from it and nothing else.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub unit: String,
    /// Where the user sees requests by place (`ViewRequests`).
    pub places: Option<Scope>,
    /// Where the user runs a dispatch desk (`DispatchRequests`): requests whose desk lies inside.
    pub desks: Option<Scope>,
    /// The unit the user acts for, when they may handle requests (`HandleRequests`).
    pub unit_id: Option<i64>,
    /// Where the user supervises (督办) requests by place (`SuperviseRequests`).
    pub supervises: Option<Scope>,
}

impl Viewer {
    /// The background jobs: sees everything, is party to nothing.
    pub fn system(what: &str) -> Self {
        Self {
            user_id: 0,
            name: format!("系统（{what}）"),
            unit: String::new(),
            places: Some(Scope::everything()),
            desks: None,
            unit_id: None,
            supervises: None,
        }
    }

    /// Requests this viewer may see.
    pub(crate) fn visible(&self) -> Condition {
        let mut any = Cond::any()
            .add(Expr::col((Requests::Table, Requests::RequesterUserId)).eq(self.user_id));
        if let Some(s) = &self.places {
            any = any.add(scope_cond(s, (Requests::Table, Requests::PlacePath)));
        }
        if let Some(s) = &self.desks {
            any = any.add(scope_cond(s, (Requests::Table, Requests::DeskPath)));
        }
        if let Some(org) = self.unit_id {
            // Correlated, so a check on one request is a primary-key lookup instead of reading
            // the unit's whole history (the bench's S2 finding).
            any = any.add(Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(RequestUnits::Table)
                    .and_where(
                        Expr::col((RequestUnits::Table, RequestUnits::RequestId))
                            .equals((Requests::Table, Requests::Id)),
                    )
                    .and_where(Expr::col((RequestUnits::Table, RequestUnits::OrgId)).eq(org))
                    .to_owned(),
            ));
        }
        Cond::all().add(any)
    }

    /// What the viewer is to `r` (possibly several things, possibly nothing).
    pub fn parties(&self, r: &RequestRow, assisting: &[i64]) -> Vec<Party> {
        let mut out = Vec::new();
        if r.requester_user_id == Some(self.user_id) {
            out.push(Party::Requester);
        }
        if self
            .desks
            .as_ref()
            .is_some_and(|d| d.contains(&r.desk_path))
        {
            out.push(Party::Desk);
        }
        if self
            .supervises
            .as_ref()
            .is_some_and(|s| s.contains(&r.place_path))
        {
            out.push(Party::Supervisor);
        }
        if let Some(org) = self.unit_id {
            if r.lead_org_id == Some(org) {
                out.push(Party::LeadUnit);
            } else if assisting.contains(&org) {
                out.push(Party::AssistUnit);
            }
        }
        out
    }
}

/// The calendar, office hours and limits every deadline is computed with.
#[derive(Debug, Clone)]
pub struct SlaEnv<'a> {
    pub calendar: &'a Calendar,
    pub office: OfficeHours,
    pub policy: SlaPolicy,
}

/// A request as stored (the phone still sealed). `Deserialize` reads it packed (`all_packed`).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub severity: String,
    pub channel: String,
    pub description: String,
    pub answers_json: String,
    pub requester_user_id: Option<i64>,
    pub requester_name: String,
    pub requester_phone_sealed: Option<String>,
    pub requester_phone_masked: Option<String>,
    pub place_node_id: i64,
    pub place_path: String,
    pub place_name: String,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub desk_path: String,
    pub suggested_org_id: Option<i64>,
    pub lead_org_id: Option<i64>,
    pub lead_org_name: Option<String>,
    pub status: String,
    pub stage: Option<String>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub warn_at: Option<DateTime<Utc>>,
    pub resolve_days: i64,
    pub extension_days: i64,
    pub extension_pending_days: Option<i64>,
    #[serde(deserialize_with = "crate::time_text::utc")]
    pub submitted_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub dispatched_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub claimed_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::time_text::utc_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<String>,
    pub result: String,
    pub reopen_count: i64,
    pub return_count: i64,
    pub overdue_count: i64,
    pub merged_into_id: Option<i64>,
}

impl RequestRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }

    /// The running stage's light; `None` when no clock runs (suspended, resolved, closed).
    pub fn light(&self, now: DateTime<Utc>) -> Option<Light> {
        Some(
            Due {
                due: self.due_at?,
                warn: self.warn_at?,
            }
            .light(now),
        )
    }
}

/// `requests.status` is one of the open statuses, written out as literals: SQLite uses a
/// partial index only when the query's condition matches the index's `WHERE`, and it cannot
/// see through bound parameters in an `IN` list. Bound, every queue, inbox and duplicate check
/// read the whole table (the `requests_open_*` indexes of migration 0004 were never used).
/// The names are our own constants, never user input.
pub(crate) fn open_status(negated: bool) -> Expr {
    let names: Vec<String> = Status::OPEN
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let not = if negated { "NOT " } else { "" };
    Expr::cust(format!(
        "\"requests\".\"status\" {not}IN ({})",
        names.join(", ")
    ))
}

/// What waits for a dispatch desk — to accept, dispatch again, verify or close, or an
/// extension to decide — written as the `WHERE` of the partial index `requests_desk_queue`
/// (migration 0015), character for character in its terms, for the same reason as
/// [`open_status`]. Parenthesised, since sea-query joins custom conditions as they are.
pub(crate) fn queue_status() -> Expr {
    let names: Vec<String> = Status::AT_DESK
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    Expr::cust(format!(
        "(\"requests\".\"status\" IN ({}) OR \"requests\".\"extension_pending_days\" IS NOT NULL)",
        names.join(", ")
    ))
}

pub(crate) fn select() -> SelectStatement {
    use crate::nodes::Nodes;
    use crate::orgs::Organisations;
    use categories::RequestCategories as C;
    let r = Requests::Table;
    Query::select()
        .columns([
            (r, Requests::Id),
            (r, Requests::CategoryId),
            (r, Requests::Severity),
            (r, Requests::Channel),
            (r, Requests::Description),
            (r, Requests::AnswersJson),
            (r, Requests::RequesterUserId),
            (r, Requests::RequesterName),
            (r, Requests::RequesterPhoneSealed),
            (r, Requests::RequesterPhoneMasked),
            (r, Requests::PlaceNodeId),
            (r, Requests::PlacePath),
            (r, Requests::Address),
            (r, Requests::Longitude),
            (r, Requests::Latitude),
            (r, Requests::DeskPath),
            (r, Requests::SuggestedOrgId),
            (r, Requests::LeadOrgId),
            (r, Requests::Status),
            (r, Requests::Stage),
            (r, Requests::DueAt),
            (r, Requests::WarnAt),
            (r, Requests::ResolveDays),
            (r, Requests::ExtensionDays),
            (r, Requests::ExtensionPendingDays),
            (r, Requests::SubmittedAt),
            (r, Requests::AcceptedAt),
            (r, Requests::DispatchedAt),
            (r, Requests::ClaimedAt),
            (r, Requests::ResolvedAt),
            (r, Requests::ClosedAt),
            (r, Requests::Rating),
            (r, Requests::Result),
            (r, Requests::ReopenCount),
            (r, Requests::ReturnCount),
            (r, Requests::OverdueCount),
            (r, Requests::MergedIntoId),
        ])
        .expr_as(Expr::col((C::Table, C::Name)), "category_name")
        .expr_as(Expr::col((Nodes::Table, Nodes::Name)), "place_name")
        .expr_as(
            Expr::col((Organisations::Table, Organisations::Name)),
            "lead_org_name",
        )
        .from(r)
        .inner_join(
            C::Table,
            Expr::col((C::Table, C::Id)).equals((r, Requests::CategoryId)),
        )
        .inner_join(
            Nodes::Table,
            Expr::col((Nodes::Table, Nodes::Id)).equals((r, Requests::PlaceNodeId)),
        )
        .left_join(
            Organisations::Table,
            Expr::col((Organisations::Table, Organisations::Id)).equals((r, Requests::LeadOrgId)),
        )
        .to_owned()
}

/// The request `id` if the viewer may see it; otherwise `NotFound`, as if it did not exist.
pub async fn get(db: &Db, viewer: &Viewer, id: i64) -> StoreResult<RequestRow> {
    db.optional(
        &select()
            .and_where(Expr::col((Requests::Table, Requests::Id)).eq(id))
            .cond_where(viewer.visible())
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// A unit on a request and its part in it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RequestUnit {
    pub org_id: i64,
    pub name: String,
    /// `lead` or `assist`.
    pub role: String,
}

pub async fn units(db: &Db, request_id: i64) -> StoreResult<Vec<RequestUnit>> {
    use crate::orgs::Organisations as O;
    db.all(
        &Query::select()
            .column((RequestUnits::Table, RequestUnits::OrgId))
            .expr_as(Expr::col((O::Table, O::Name)), "name")
            .column((RequestUnits::Table, RequestUnits::Role))
            .from(RequestUnits::Table)
            .inner_join(
                O::Table,
                Expr::col((O::Table, O::Id)).equals((RequestUnits::Table, RequestUnits::OrgId)),
            )
            .and_where(Expr::col((RequestUnits::Table, RequestUnits::RequestId)).eq(request_id))
            .order_by(
                (RequestUnits::Table, RequestUnits::Role),
                sea_query::Order::Desc,
            )
            .to_owned(),
    )
    .await
}
