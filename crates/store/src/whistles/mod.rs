//! 吹哨报到 (whistles): a street or community summons units to a problem, each unit checks in
//! and says what it will do, the whistler rates each response. Who sees a whistle and who may
//! act on it is decided here from the [`WhistleViewer`] the web layer builds once per call; the
//! rules themselves are `jiceng_core::whistle`.

pub mod blow;
pub mod figures;
pub mod steps;

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::Nodes;
use crate::orgs::Organisations;
use crate::{Page, scope_cond, under_path};
use chrono::{DateTime, Utc};
use jiceng_core::requests::Rating;
use jiceng_core::scope::Scope;
use jiceng_core::whistle::{UnitFacts, WhistleMetric, WhistleStatus};
use sea_query::{Cond, Condition, Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
pub(crate) enum Whistles {
    Table,
    Id,
    Title,
    Description,
    PlaceNodeId,
    PlacePath,
    RequestId,
    WhistlerUserId,
    WhistlerName,
    WhistlerUnit,
    DeadlineAt,
    Status,
    CreatedAt,
    ClosedAt,
    CloseNote,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum WhistleUnits {
    Table,
    WhistleId,
    OrgId,
    CheckedInAt,
    CheckedInByUserId,
    CheckedInByName,
    CheckInNote,
    Late,
    Rating,
    RatedAt,
    RatedByUserId,
    RatingNote,
}

/// Who is looking, as far as whistles are concerned. Built once per call by the web layer.
#[derive(Debug, Clone)]
pub struct WhistleViewer {
    pub user_id: i64,
    pub name: String,
    pub unit: String,
    /// Where the user blows whistles, rates responses and closes them (`BlowWhistle`).
    pub whistles: Option<Scope>,
    /// Where the user sees whistles by place without acting on them (`ViewRequests`).
    pub places: Option<Scope>,
    /// The unit the user checks in for (`HandleRequests`, the account's organisation).
    pub unit_id: Option<i64>,
}

impl WhistleViewer {
    /// Whistles this viewer may see: by place in either scope, or summoning their unit.
    pub(crate) fn visible(&self) -> Condition {
        let path = (Whistles::Table, Whistles::PlacePath);
        let mut any = Cond::any();
        for s in [&self.whistles, &self.places].into_iter().flatten() {
            any = any.add(scope_cond(s, path));
        }
        if let Some(org) = self.unit_id {
            any = any.add(
                Expr::col((Whistles::Table, Whistles::Id)).in_subquery(
                    Query::select()
                        .column(WhistleUnits::WhistleId)
                        .from(WhistleUnits::Table)
                        .and_where(Expr::col(WhistleUnits::OrgId).eq(org))
                        .to_owned(),
                ),
            );
        }
        // With no way to see any whistle the condition must be false, not an empty "any".
        any = any.add(Expr::val(1).eq(0));
        Cond::all().add(any)
    }

    /// Is the viewer on the whistler's side of `w`: may rate and close it?
    pub fn is_whistler(&self, w: &Whistle) -> bool {
        self.whistles
            .as_ref()
            .is_some_and(|s| s.contains(&w.place_path))
    }
}

/// A whistle as stored, with its place's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Whistle {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub place_node_id: i64,
    pub place_path: String,
    pub place_name: String,
    pub request_id: Option<i64>,
    pub whistler_user_id: i64,
    pub whistler_name: String,
    pub whistler_unit: String,
    pub deadline_at: DateTime<Utc>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_note: String,
}

impl Whistle {
    pub fn status(&self) -> WhistleStatus {
        WhistleStatus::parse(&self.status).unwrap_or(WhistleStatus::Open)
    }
}

/// A summoned unit on a whistle: its check-in and the rating of its response.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WhistleUnit {
    pub whistle_id: i64,
    pub org_id: i64,
    pub name: String,
    pub kind: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_in_by_name: String,
    /// What the unit said it will do.
    pub check_in_note: String,
    /// Checked in after the deadline.
    pub late: bool,
    /// `satisfied`, `fairly_satisfied`, `dissatisfied`.
    pub rating: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
    pub rating_note: String,
}

impl WhistleUnit {
    pub fn facts(&self, w: &Whistle) -> UnitFacts {
        UnitFacts {
            status: w.status(),
            deadline: w.deadline_at,
            closed_at: w.closed_at,
            checked_in_at: self.checked_in_at,
            rating: self.rating.as_deref().and_then(Rating::parse),
        }
    }
}

pub(crate) fn select() -> SelectStatement {
    let w = Whistles::Table;
    Query::select()
        .columns([
            (w, Whistles::Id),
            (w, Whistles::Title),
            (w, Whistles::Description),
            (w, Whistles::PlaceNodeId),
            (w, Whistles::PlacePath),
            (w, Whistles::RequestId),
            (w, Whistles::WhistlerUserId),
            (w, Whistles::WhistlerName),
            (w, Whistles::WhistlerUnit),
            (w, Whistles::DeadlineAt),
            (w, Whistles::Status),
            (w, Whistles::CreatedAt),
            (w, Whistles::ClosedAt),
            (w, Whistles::CloseNote),
        ])
        .expr_as(Expr::col((Nodes::Table, Nodes::Name)), "place_name")
        .from(w)
        .inner_join(
            Nodes::Table,
            Expr::col((Nodes::Table, Nodes::Id)).equals((w, Whistles::PlaceNodeId)),
        )
        .to_owned()
}

/// The whistle `id` if the viewer may see it; otherwise `NotFound`, as if it did not exist.
pub async fn get(db: &Db, viewer: &WhistleViewer, id: i64) -> StoreResult<Whistle> {
    db.optional(
        &select()
            .and_where(Expr::col((Whistles::Table, Whistles::Id)).eq(id))
            .cond_where(viewer.visible())
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// The units summoned by the given whistles, in the order they were summoned.
pub async fn units(db: &Db, whistle_ids: &[i64]) -> StoreResult<Vec<WhistleUnit>> {
    if whistle_ids.is_empty() {
        return Ok(Vec::new());
    }
    let u = WhistleUnits::Table;
    db.all(
        &Query::select()
            .columns([
                (u, WhistleUnits::WhistleId),
                (u, WhistleUnits::OrgId),
                (u, WhistleUnits::CheckedInAt),
                (u, WhistleUnits::CheckedInByName),
                (u, WhistleUnits::CheckInNote),
                (u, WhistleUnits::Late),
                (u, WhistleUnits::Rating),
                (u, WhistleUnits::RatedAt),
                (u, WhistleUnits::RatingNote),
            ])
            .column((Organisations::Table, Organisations::Name))
            .column((Organisations::Table, Organisations::Kind))
            .from(u)
            .inner_join(
                Organisations::Table,
                Expr::col((Organisations::Table, Organisations::Id))
                    .equals((u, WhistleUnits::OrgId)),
            )
            .and_where(Expr::col((u, WhistleUnits::WhistleId)).is_in(whistle_ids.to_vec()))
            .order_by((u, WhistleUnits::WhistleId), Order::Asc)
            .order_by((Organisations::Table, Organisations::Name), Order::Asc)
            .to_owned(),
    )
    .await
}

/// What a list of whistles is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `None`: open and closed.
    pub status: Option<WhistleStatus>,
    /// Whistles at places under this path.
    pub under: Option<String>,
    /// Whistles summoning this unit.
    pub unit: Option<i64>,
    /// Whistles where a summoned unit (or `unit`) counts in this figure (`docs/RATES.md`).
    pub metric: Option<WhistleMetric>,
    /// Months of blowing (`YYYY-MM`, Beijing time), inclusive.
    pub months: (Option<String>, Option<String>),
}

fn col(c: Whistles) -> Expr {
    Expr::col((Whistles::Table, c))
}

/// Every condition of `f` except the figure, which is decided in Rust (see `figures`).
pub(crate) fn filtered(
    mut q: SelectStatement,
    viewer: &WhistleViewer,
    f: &Filter,
) -> SelectStatement {
    q.cond_where(viewer.visible());
    if let Some(s) = f.status {
        q.and_where(col(Whistles::Status).eq(s.as_str()));
    }
    if let Some(p) = &f.under {
        q.cond_where(under_path((Whistles::Table, Whistles::PlacePath), p));
    }
    if let Some(org) = f.unit {
        q.and_where(
            col(Whistles::Id).in_subquery(
                Query::select()
                    .column(WhistleUnits::WhistleId)
                    .from(WhistleUnits::Table)
                    .and_where(Expr::col(WhistleUnits::OrgId).eq(org))
                    .to_owned(),
            ),
        );
    }
    use crate::requests::list::month_start;
    if let Some(t) = f.months.0.as_deref().and_then(|m| month_start(m, false)) {
        q.and_where(col(Whistles::CreatedAt).gte(t));
    }
    if let Some(t) = f.months.1.as_deref().and_then(|m| month_start(m, true)) {
        q.and_where(col(Whistles::CreatedAt).lt(t));
    }
    q
}

/// A page of whistles, open ones most urgent first, and the total matching. With a figure in
/// the filter, the whistles are those the same rule counts (`figures::ids_counted`).
pub async fn list(
    db: &Db,
    viewer: &WhistleViewer,
    f: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> StoreResult<(Vec<Whistle>, i64)> {
    let narrow = |q: SelectStatement| filtered(q, viewer, f);
    let mut counting = narrow(
        Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(Whistles::Table)
            .to_owned(),
    );
    let mut q = narrow(select());
    if let Some(m) = f.metric {
        let ids = figures::ids_counted(db, viewer, f, m, now).await?;
        counting.and_where(col(Whistles::Id).is_in(ids.clone()));
        q.and_where(col(Whistles::Id).is_in(ids));
    }
    let total = db.scalar(&counting).await?;
    if f.status == Some(WhistleStatus::Open) {
        q.order_by((Whistles::Table, Whistles::DeadlineAt), Order::Asc);
    } else {
        q.order_by((Whistles::Table, Whistles::CreatedAt), Order::Desc);
    }
    q.order_by((Whistles::Table, Whistles::Id), Order::Desc)
        .limit(page.size)
        .offset(page.offset());
    Ok((db.all(&q).await?, total))
}

/// Whistles blown about a request that the viewer may see (for the request's page).
pub async fn of_request(
    db: &Db,
    viewer: &WhistleViewer,
    request_id: i64,
) -> StoreResult<Vec<Whistle>> {
    db.all(
        &select()
            .and_where(col(Whistles::RequestId).eq(request_id))
            .cond_where(viewer.visible())
            .order_by((Whistles::Table, Whistles::Id), Order::Asc)
            .to_owned(),
    )
    .await
}
