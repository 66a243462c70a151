//! The public read of requests the Open311 endpoint serves: every request of the installation,
//! by time window, ids or category, newest first.

use crate::Page;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::Nodes;
use crate::requests::categories::RequestCategories;
use crate::requests::{RequestRow, Requests, open_status};
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, SelectStatement};

/// A request as the public Open311 read shows it: the stored row plus what the spec asks for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicRequest {
    #[sqlx(flatten)]
    pub row: RequestRow,
    pub category_code: String,
    pub place_code: String,
    pub updated_at: DateTime<Utc>,
}

/// `GET requests`: ids (which override everything else), else categories by code, open or
/// closed, and a `[from, to)` window on the submission time.
#[derive(Debug, Clone)]
pub struct PublicQuery {
    pub ids: Option<Vec<i64>>,
    pub codes: Vec<String>,
    /// `Some(true)`: open only; `Some(false)`: closed only.
    pub open: Option<bool>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub page: Page,
}

fn select_public() -> SelectStatement {
    crate::requests::select()
        .column((Requests::Table, Requests::UpdatedAt))
        .expr_as(
            Expr::col((RequestCategories::Table, RequestCategories::Code)),
            "category_code",
        )
        .expr_as(Expr::col((Nodes::Table, Nodes::Code)), "place_code")
        .to_owned()
}

/// The page of requests `q` selects, newest first. Open311 reads are public: every request of
/// the installation, and the web layer shows none of the requester's personal data.
pub async fn requests(db: &Db, q: &PublicQuery) -> StoreResult<Vec<PublicRequest>> {
    let col = |c: Requests| Expr::col((Requests::Table, c));
    let mut s = select_public();
    if let Some(ids) = &q.ids {
        s.and_where(col(Requests::Id).is_in(ids.clone()));
    } else {
        if !q.codes.is_empty() {
            s.and_where(
                Expr::col((RequestCategories::Table, RequestCategories::Code))
                    .is_in(q.codes.clone()),
            );
        }
        match q.open {
            Some(true) => s.and_where(open_status(false)),
            Some(false) => s.and_where(open_status(true)),
            None => &mut s,
        };
        s.and_where(col(Requests::SubmittedAt).gte(q.from))
            .and_where(col(Requests::SubmittedAt).lt(q.to));
    }
    s.order_by((Requests::Table, Requests::SubmittedAt), Order::Desc)
        .order_by((Requests::Table, Requests::Id), Order::Desc)
        .limit(q.page.size)
        .offset(q.page.offset());
    db.all(&s).await
}

/// One request by id, or `NotFound`.
pub async fn request(db: &Db, id: i64) -> StoreResult<PublicRequest> {
    db.optional(
        &select_public()
            .and_where(Expr::col((Requests::Table, Requests::Id)).eq(id))
            .to_owned(),
    )
    .await?
    .ok_or(StoreError::NotFound)
}
