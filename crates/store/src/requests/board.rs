//! The public board (公示): closed requests under a place, for anyone, without signing in.
//! This module reads only what the board may show — category, place, dates, lead unit, result,
//! rating — plus the requester's name, which the web layer needs only to scrub it out of the
//! result. Descriptions, phones, addresses and answers are never selected.

use super::Requests;
use super::categories::RequestCategories as Cat;
use crate::db::Db;
use crate::error::StoreResult;
use crate::nodes::{Node, Nodes};
use crate::orgs::Organisations as O;
use crate::{Page, under_path};
use chrono::{DateTime, Utc};
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::requests::Status;
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};

/// The kinds of place the board is kept for: a district down to a grid. Estates, buildings and
/// households are never a board of their own, nor named on one.
pub const PLACES: [NodeKind; 6] = [
    NodeKind::Province,
    NodeKind::City,
    NodeKind::District,
    NodeKind::Street,
    NodeKind::Community,
    NodeKind::Grid,
];

fn place_kinds() -> Vec<&'static str> {
    PLACES.iter().map(|k| k.as_str()).collect()
}

/// The place with `code`, if it is a board place (territory, district down to grid).
pub async fn place(db: &Db, code: &str) -> StoreResult<Option<Node>> {
    db.optional(
        &crate::nodes::select()
            .and_where(Expr::col(Nodes::Code).eq(code.trim().to_ascii_uppercase()))
            .and_where(Expr::col(Nodes::Tree).eq(Tree::Territory.as_str()))
            .and_where(Expr::col(Nodes::Kind).is_in(place_kinds()))
            .to_owned(),
    )
    .await
}

/// Board places directly under `parent` (the root when `None`), by code.
pub async fn children(db: &Db, parent: Option<&Node>) -> StoreResult<Vec<Node>> {
    let mut q = crate::nodes::select();
    q.and_where(Expr::col(Nodes::Tree).eq(Tree::Territory.as_str()))
        .and_where(Expr::col(Nodes::Kind).is_in(place_kinds()))
        .order_by(Nodes::Code, Order::Asc)
        .limit(Page::MAX_SIZE);
    match parent {
        Some(p) => q.and_where(Expr::col(Nodes::ParentId).eq(p.id)),
        None => q.and_where(
            Expr::col(Nodes::ParentId).in_subquery(
                Query::select()
                    .column(Nodes::Id)
                    .from(Nodes::Table)
                    .and_where(Expr::col(Nodes::Kind).eq(NodeKind::Root.as_str()))
                    .to_owned(),
            ),
        ),
    };
    db.all(&q).await
}

/// Board places whose path is one of `paths`: the community and grid above a request's place.
pub async fn places_at(db: &Db, paths: Vec<String>) -> StoreResult<Vec<Node>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    db.all(
        &crate::nodes::select()
            .and_where(Expr::col(Nodes::Path).is_in(paths))
            .and_where(Expr::col(Nodes::Kind).is_in(place_kinds()))
            .to_owned(),
    )
    .await
}

/// A closed request as the board may read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoardRow {
    pub category_name: String,
    pub place_path: String,
    pub submitted_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lead_org_name: Option<String>,
    pub result: String,
    pub rating: Option<String>,
    /// Only to scrub it out of `result`; never shown.
    pub requester_name: String,
}

fn closed_under(path: &str, category_id: Option<i64>) -> Cond {
    let r = Requests::Table;
    let mut c = Cond::all()
        .add(under_path((r, Requests::PlacePath), path))
        .add(Expr::col((r, Requests::Status)).eq(Status::Closed.as_str()));
    if let Some(id) = category_id {
        c = c.add(Expr::col((r, Requests::CategoryId)).eq(id));
    }
    c
}

fn select() -> SelectStatement {
    let r = Requests::Table;
    Query::select()
        .expr_as(Expr::col((Cat::Table, Cat::Name)), "category_name")
        .columns([
            (r, Requests::PlacePath),
            (r, Requests::SubmittedAt),
            (r, Requests::ClosedAt),
        ])
        .expr_as(Expr::col((O::Table, O::Name)), "lead_org_name")
        .columns([
            (r, Requests::Result),
            (r, Requests::Rating),
            (r, Requests::RequesterName),
        ])
        .from(r)
        .inner_join(
            Cat::Table,
            Expr::col((Cat::Table, Cat::Id)).equals((r, Requests::CategoryId)),
        )
        .left_join(
            O::Table,
            Expr::col((O::Table, O::Id)).equals((r, Requests::LeadOrgId)),
        )
        .to_owned()
}

/// A page of the closed requests under `path` (optionally of one category), most recently
/// closed first, and how many there are.
pub async fn closed(
    db: &Db,
    path: &str,
    category_id: Option<i64>,
    page: Page,
) -> StoreResult<(Vec<BoardRow>, i64)> {
    let total = db
        .scalar(
            &Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(Requests::Table)
                .cond_where(closed_under(path, category_id))
                .to_owned(),
        )
        .await?;
    let rows = db
        .all(
            &select()
                .cond_where(closed_under(path, category_id))
                .order_by((Requests::Table, Requests::ClosedAt), Order::Desc)
                .order_by((Requests::Table, Requests::Id), Order::Desc)
                .limit(page.size)
                .offset(page.offset())
                .to_owned(),
        )
        .await?;
    Ok((rows, total))
}

/// Closed requests under `path` by category: (category id, name, count), most first.
pub async fn categories(db: &Db, path: &str) -> StoreResult<Vec<(i64, String, i64)>> {
    let r = Requests::Table;
    let mut rows: Vec<(i64, String, i64)> = db
        .all(
            &Query::select()
                .column((r, Requests::CategoryId))
                .column((Cat::Table, Cat::Name))
                .expr(Expr::cust("COUNT(*)"))
                .from(r)
                .inner_join(
                    Cat::Table,
                    Expr::col((Cat::Table, Cat::Id)).equals((r, Requests::CategoryId)),
                )
                .cond_where(closed_under(path, None))
                .group_by_col((r, Requests::CategoryId))
                .group_by_col((Cat::Table, Cat::Name))
                .to_owned(),
        )
        .await?;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    Ok(rows)
}
