//! Lists of requests: the desk's queue, a unit's inbox, the requester's own, and everything the
//! viewer may see, with filters. Queues and inboxes read the open set only, through the partial
//! indexes (the desk's queue: `requests_desk_queue`, migration 0015), sorted by the running
//! deadline.

use super::{RequestRow, RequestUnits, Requests, Viewer, select};
use crate::Page;
use crate::db::Db;
use crate::error::StoreResult;
use crate::scope_cond;
use chrono::{DateTime, NaiveDate, Utc};
use jiceng_core::requests::Status;
use jiceng_core::requests::rates::Metric;
use jiceng_core::requests::sla::{Light, instant};
use jiceng_core::scope::Scope;
use sea_query::{Cond, Expr, ExprTrait, NullOrdering, Order, Query, SelectStatement};

#[cfg(test)]
pub(super) mod plans;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Everything the viewer may see, newest first.
    #[default]
    All,
    /// The dispatch desk's work: to accept, to dispatch (again), to verify, to close, and
    /// extension requests to decide.
    Queue,
    /// A unit's work: dispatched to it, being handled by it, or assisted by it.
    Inbox,
    /// What the viewer submitted or recorded.
    Mine,
}

impl View {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "all" => Some(View::All),
            "queue" => Some(View::Queue),
            "inbox" => Some(View::Inbox),
            "mine" => Some(View::Mine),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub view: View,
    pub status: Option<Status>,
    pub open_only: bool,
    pub category_id: Option<i64>,
    pub light: Option<Light>,
    /// Only requests at or below this place (a path inside the viewer's scope).
    pub under: Option<Scope>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only requests counted in this figure (docs/RATES.md): the list behind a dashboard figure.
    pub metric: Option<Metric>,
    /// Submitted in these months (`YYYY-MM`, Beijing time), inclusive.
    pub months: (Option<String>, Option<String>),
    /// Only requests this unit led (now or before a re-dispatch).
    pub unit: Option<i64>,
}

impl Filter {
    /// Whether only open requests can match: asked for, a running clock's light (no clock runs
    /// on a closed request, `RequestRow::light`), or an open status. Such a list reads the open
    /// requests' indexes (`requests_open_*`) rather than a place's whole history.
    pub fn only_open(&self) -> bool {
        self.open_only || self.light.is_some() || self.status.is_some_and(Status::is_open)
    }
}

/// The condition of a figure on the request record: the same definitions as
/// `jiceng_core::requests::rates::metrics`, which the counters use (the recount test holds
/// them equal).
pub(crate) fn metric_cond(m: Metric) -> Cond {
    use Status as S;
    let is = |s: Status| col(Requests::Status).eq(s.as_str());
    let c = Cond::all();
    match m {
        Metric::Submitted => c,
        Metric::Accepted => c.add(col(Requests::AcceptedAt).is_not_null()),
        Metric::Declined => c.add(is(S::Declined)),
        Metric::Dispatched => c.add(col(Requests::DispatchedAt).is_not_null()),
        Metric::RespondedOnTime => c
            .add(col(Requests::ClaimedAt).is_not_null())
            .add(col(Requests::ClaimLate).eq(false)),
        Metric::Resolvable => c
            .add(col(Requests::AcceptedAt).is_not_null())
            .add(col(Requests::Status).is_not_in([S::Withdrawn.as_str(), S::Merged.as_str()])),
        Metric::Closed => c.add(is(S::Closed)),
        Metric::ClosedOnTime => c
            .add(is(S::Closed))
            .add(col(Requests::ResolveLate).eq(false)),
        Metric::Rated => c.add(col(Requests::Rating).is_not_null()),
        Metric::Satisfied => c.add(col(Requests::Rating).is_in([
            jiceng_core::requests::Rating::Satisfied.as_str(),
            jiceng_core::requests::Rating::FairlySatisfied.as_str(),
        ])),
        Metric::Returned => c.add(col(Requests::ReturnCount).gt(0)),
        Metric::Overdue => c.add(col(Requests::OverdueCount).gt(0)),
        Metric::Reopened => c.add(col(Requests::ReopenCount).gt(0)),
        Metric::Open => c.add(super::open_status(false)),
        Metric::Supervised => c.add(col(Requests::SuperviseCount).gt(0)),
        Metric::Escalated => c.add(col(Requests::EscalationCount).gt(0)),
    }
}

/// The first instant of month `m` (`YYYY-MM`) in Beijing time, or of the month after it.
pub(crate) fn month_start(m: &str, next: bool) -> Option<DateTime<Utc>> {
    let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok()?;
    let day = if next {
        first.checked_add_months(chrono::Months::new(1))?
    } else {
        first
    };
    Some(instant(day.and_hms_opt(0, 0, 0)?))
}

fn names(s: &[Status]) -> Vec<&'static str> {
    s.iter().map(|s| s.as_str()).collect()
}

pub(super) fn col(c: Requests) -> Expr {
    Expr::col((Requests::Table, c))
}

/// The filter's conditions on `q`, which selects from `requests` (joined or not).
fn filtered(
    mut q: SelectStatement,
    viewer: &Viewer,
    f: &Filter,
    now: DateTime<Utc>,
) -> SelectStatement {
    // The desk's queue, the unit's inbox and one's own requests are visible by construction;
    // the general list (exports) adds the visibility union. Pages of the general list are read
    // by `list_streams` instead, which needs no union.
    if f.view == View::All {
        q.cond_where(viewer.visible());
    }
    view_and_filter(q, viewer, f, now)
}

/// The view's and the filter's conditions, without the general list's visibility.
pub(super) fn view_and_filter(
    mut q: SelectStatement,
    viewer: &Viewer,
    f: &Filter,
    now: DateTime<Utc>,
) -> SelectStatement {
    if matches!(f.view, View::Queue | View::Inbox) || f.only_open() {
        // Spelled as in the partial indexes, so SQLite's planner can use them.
        q.and_where(super::open_status(false));
    }
    match f.view {
        View::All => {}
        View::Queue => {
            let desk = viewer.desks.clone().map_or_else(
                || Cond::all().add(Expr::val(false)),
                |d| scope_cond(&d, (Requests::Table, Requests::DeskPath)),
            );
            q.cond_where(desk);
            // Spelled as in the partial index `requests_desk_queue`.
            q.and_where(super::queue_status());
        }
        View::Inbox => {
            let org = viewer.unit_id.unwrap_or(-1);
            // Both ways in as id lists, so the planner reads each from its own index (the
            // open requests led by the unit, the unit's assists) instead of every open one.
            let led = Query::select()
                .column(Requests::Id)
                .from(Requests::Table)
                .and_where(super::open_status(false))
                .and_where(col(Requests::LeadOrgId).eq(org))
                .and_where(col(Requests::Status).is_in(names(&[
                    Status::Dispatched,
                    Status::Claimed,
                    Status::InProgress,
                    Status::Suspended,
                ])))
                .to_owned();
            q.cond_where(
                Cond::any().add(col(Requests::Id).in_subquery(led)).add(
                    col(Requests::Id).in_subquery(
                        Query::select()
                            .column(RequestUnits::RequestId)
                            .from(RequestUnits::Table)
                            .and_where(Expr::col(RequestUnits::OrgId).eq(org))
                            // Written into the SQL, as the partial index
                            // `request_units_assist` (0019) is: SQLite matches an index's
                            // `WHERE` only against literals.
                            .and_where(Expr::cust("request_units.role = 'assist'"))
                            .to_owned(),
                    ),
                ),
            );
        }
        View::Mine => {
            q.cond_where(
                Cond::any()
                    .add(col(Requests::RequesterUserId).eq(viewer.user_id))
                    // As the partial index `requests_recorder` (0016) is written: what the
                    // viewer recorded for someone else. What they submitted themselves has
                    // them as its requester.
                    .add(
                        Cond::all()
                            .add(col(Requests::RequesterUserId).is_null())
                            .add(col(Requests::RecordedByUserId).eq(viewer.user_id)),
                    ),
            );
        }
    }
    if let Some(s) = f.status {
        q.and_where(col(Requests::Status).eq(s.as_str()));
    }
    if let Some(c) = f.category_id {
        q.and_where(col(Requests::CategoryId).eq(c));
    }
    if let Some(under) = &f.under {
        q.cond_where(scope_cond(under, (Requests::Table, Requests::PlacePath)));
    }
    match f.light {
        Some(Light::Red) => q.and_where(col(Requests::DueAt).lt(now)),
        Some(Light::Yellow) => q
            .and_where(col(Requests::WarnAt).lte(now))
            .and_where(col(Requests::DueAt).gte(now)),
        Some(Light::Green) => q.and_where(col(Requests::WarnAt).gt(now)),
        None => &mut q,
    };
    if let Some(m) = f.metric {
        q.cond_where(metric_cond(m));
    }
    if let Some(t) = f.months.0.as_deref().and_then(|m| month_start(m, false)) {
        q.and_where(col(Requests::SubmittedAt).gte(t));
    }
    if let Some(t) = f.months.1.as_deref().and_then(|m| month_start(m, true)) {
        q.and_where(col(Requests::SubmittedAt).lt(t));
    }
    if let Some(org) = f.unit {
        q.and_where(
            col(Requests::Id).in_subquery(
                Query::select()
                    .column(RequestUnits::RequestId)
                    .from(RequestUnits::Table)
                    .and_where(Expr::col(RequestUnits::OrgId).eq(org))
                    .and_where(Expr::col(RequestUnits::Role).is_in(["lead", "former"]))
                    .to_owned(),
            ),
        );
    }
    if let Some(d) = f.from {
        q.and_where(
            col(Requests::SubmittedAt).gte(instant(d.and_hms_opt(0, 0, 0).expect("midnight"))),
        );
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        q.and_where(
            col(Requests::SubmittedAt).lt(instant(d.and_hms_opt(0, 0, 0).expect("midnight"))),
        );
    }
    q
}

/// How many requests a list holds: exact, or (for long general lists whose count no counter
/// holds) at least this many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub count: i64,
    pub exact: bool,
}

impl Total {
    /// From `n`, counted with a limit of `cap + 1`: exact up to `cap`, else "more than `cap`".
    pub(crate) fn up_to(n: i64, cap: u64) -> Self {
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        Self {
            count: Ord::min(n, cap),
            exact: n <= cap,
        }
    }
}

/// A page of requests and the total matching.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    f: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> StoreResult<(Vec<RequestRow>, Total)> {
    if f.view == View::All {
        return super::list_streams::page(db, viewer, f, page, now).await;
    }
    // Counted on the bare table (the joins only add names to the rows shown), in the same
    // call as the page.
    let counting = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(Requests::Table)
        .to_owned();
    let counting = filtered(counting, viewer, f, now);
    // The page's ids first, on the bare table, then their rows with the names joined: joined
    // before the sort, every open request of a street desk was joined to be sorted (bench S3's
    // desk queue: 44 ms at a million requests).
    let by_deadline = matches!(f.view, View::Queue | View::Inbox);
    let ids = page_ids(viewer, f, page, now);
    let mut q = select();
    q.and_where(col(Requests::Id).in_subquery(ids));
    let (mut rows, [total, _]): (Vec<RequestRow>, _) =
        db.all_packed_with(&q, (counting, None)).await?;
    if by_deadline {
        // Nulls last, as in the query: `None` sorts after every `Some`.
        rows.sort_by_key(|r| (r.due_at.is_none(), r.due_at, std::cmp::Reverse(r.id)));
    } else {
        rows.sort_by_key(|r| std::cmp::Reverse((r.submitted_at, r.id)));
    }
    Ok((
        rows,
        Total {
            count: total,
            exact: true,
        },
    ))
}

/// The ids of a page of a queue, inbox or own list, in its order, read from `requests` alone.
pub(super) fn page_ids(
    viewer: &Viewer,
    f: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> SelectStatement {
    let bare = Query::select()
        .column((Requests::Table, Requests::Id))
        .from(Requests::Table)
        .to_owned();
    let mut ids = filtered(bare, viewer, f, now);
    if matches!(f.view, View::Queue | View::Inbox) {
        ids.order_by_with_nulls(
            (Requests::Table, Requests::DueAt),
            Order::Asc,
            NullOrdering::Last,
        );
    } else {
        ids.order_by((Requests::Table, Requests::SubmittedAt), Order::Desc);
    }
    ids.order_by((Requests::Table, Requests::Id), Order::Desc)
        .limit(page.size)
        .offset(page.offset());
    ids
}

/// Every matching request, for exports (capped).
pub async fn all(
    db: &Db,
    viewer: &Viewer,
    f: &Filter,
    now: DateTime<Utc>,
    cap: u64,
) -> StoreResult<Vec<RequestRow>> {
    let q = filtered(select(), viewer, f, now)
        .order_by((Requests::Table, Requests::SubmittedAt), Order::Desc)
        .order_by((Requests::Table, Requests::Id), Order::Desc)
        .limit(cap)
        .to_owned();
    db.all(&q).await
}
