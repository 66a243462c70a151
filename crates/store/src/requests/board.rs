//! The public board (公示): closed requests under a place, for anyone, without signing in.
//! This module reads only what the board may show — category, place, dates, lead unit, result,
//! rating — plus the requester's name, which the web layer needs only to scrub it out of the
//! result. Descriptions, phones, addresses and answers are never selected.

use super::Requests;
use super::categories::RequestCategories as Cat;
use super::place_index::RequestPlaces;
use crate::Page;
use crate::db::Db;
use crate::error::StoreResult;
use crate::nodes::{Node, Nodes};
use crate::orgs::Organisations as O;
use chrono::{DateTime, Utc};
use jiceng_core::node::{NodeKind, Tree};
use jiceng_core::requests::Status;
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

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

/// The most pages the board lists (`Page::size` rows each) under one filter: the newest
/// closed requests. A page further down costs a read of every row above it, and a public page
/// must not let anyone make the server read a county's whole history.
pub const MAX_PAGES: u64 = 50;

/// A page of the closed requests under `path` (optionally of one category), the most recently
/// submitted first, as the request lists order them. Under a place the page is a range of
/// `request_places` read in its order and cut at the page, whatever the place's history.
pub async fn closed(
    db: &Db,
    path: &str,
    category_id: Option<i64>,
    page: Page,
) -> StoreResult<Vec<BoardRow>> {
    let r = Requests::Table;
    let mut q = select();
    q.and_where(Expr::col((r, Requests::Status)).eq(Status::Closed.as_str()));
    if let Some(id) = category_id {
        q.and_where(Expr::col((r, Requests::CategoryId)).eq(id));
    }
    if path == "/" {
        // Everywhere: `requests_submitted`, newest first.
        q.order_by((r, Requests::SubmittedAt), Order::Desc)
            .order_by((r, Requests::Id), Order::Desc);
    } else {
        let p = RequestPlaces::Table;
        q.inner_join(
            p,
            Expr::col((p, RequestPlaces::RequestId)).equals((r, Requests::Id)),
        )
        .and_where(Expr::col((p, RequestPlaces::Prefix)).eq(path))
        .order_by((p, RequestPlaces::SubmittedAt), Order::Desc)
        .order_by((p, RequestPlaces::RequestId), Order::Desc);
    }
    db.all(&q.limit(page.size).offset(page.offset()).to_owned())
        .await
}

/// Closed requests under `path` by category: (category id, name, count), most first — from the
/// counters (`place_category`), so a county's board costs what a grid's does.
pub async fn categories(db: &Db, path: &str) -> StoreResult<Vec<(i64, String, i64)>> {
    let paths = super::place_category::counted_paths(db, path).await?;
    let counts = super::place_category::closed_by_category(db, &paths).await?;
    let counts: Vec<(i64, i64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    if counts.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<(i64, String)> = db
        .all(
            &Query::select()
                .columns([Cat::Id, Cat::Name])
                .from(Cat::Table)
                .and_where(Expr::col(Cat::Id).is_in(counts.iter().map(|(id, _)| *id)))
                .to_owned(),
        )
        .await?;
    let names: std::collections::HashMap<i64, String> = names.into_iter().collect();
    let mut rows: Vec<(i64, String, i64)> = counts
        .into_iter()
        .filter_map(|(id, n)| names.get(&id).map(|name| (id, name.clone(), n)))
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    Ok(rows)
}
