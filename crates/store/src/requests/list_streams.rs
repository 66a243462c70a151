//! The general list — everything the viewer may see, newest first — as a merge of index
//! streams. A request is visible by its place, by its desk, by a unit on it or to its requester
//! (`Viewer::visible`); each of these ways is an index in the list's order (`request_places`,
//! `requests_desk_across`, `request_units_org_time`, `requests_requester`), so each stream is
//! read newest first and cut after the page, and the union of the cut streams holds the page.
//! The cost follows the page, not the history (bench S3). The filter's conditions are checked
//! on each request as its stream reaches it.

use super::counters::{RequestCounterTotals as T, RequestCounters as C};
use super::list::{Filter, Total, col, view_and_filter};
use super::place_index::RequestPlaces as RP;
use super::{RequestRow, RequestUnits as RU, Requests, Viewer, select};
use crate::Page;
use crate::db::Db;
use crate::error::StoreResult;
use crate::{scope_cond, under_path};
use chrono::{DateTime, Utc};
use jiceng_core::node::ROOT_PATH;
use jiceng_core::requests::rates::Metric;
use sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, Order, Query, SelectStatement, UnionType};

/// Up to this many, a general list is counted exactly from its streams; beyond it the count is
/// taken from the counters when they hold exactly this list, else shown as "more than".
const COUNT_CAP: u64 = 1_000;

#[cfg(test)]
mod plans;
mod total;

/// One way of seeing requests, read newest first.
#[derive(Clone)]
enum Stream {
    /// Requests at or under a place (`request_places`), or everything for the root.
    Place(String),
    /// Requests at or under a place whose desk lies under `desk` (a desk not inside any of the
    /// viewer's places).
    PlaceAtDesk(String, String),
    /// Requests sent across to a desk under this path (desk not at or above the place).
    DeskAcross(String),
    /// What the viewer submitted.
    Requester(i64),
    /// Requests a unit is or was on.
    Unit(i64),
}

/// The place streams' keys: the viewer's places, narrowed to the filter's `under`.
fn place_keys(places: &[String], under: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = places
        .iter()
        .filter_map(|p| match under {
            None => Some(p.clone()),
            Some(u) if u.starts_with(p.as_str()) => Some(u.to_owned()),
            Some(u) if p.starts_with(u) => Some(p.clone()),
            Some(_) => None,
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn streams(viewer: &Viewer, under: Option<&str>) -> Vec<Stream> {
    let places: Vec<String> = viewer
        .places
        .as_ref()
        .map(|s| s.prefixes().to_vec())
        .unwrap_or_default();
    let mut out: Vec<Stream> = place_keys(&places, under)
        .into_iter()
        .map(Stream::Place)
        .collect();
    for d in viewer.desks.as_ref().map(|s| s.prefixes()).unwrap_or(&[]) {
        out.push(Stream::DeskAcross(d.clone()));
        // A desk inside the viewer's places adds nothing its place stream does not hold:
        // a desk at or above a request's place is under the place's ancestors.
        if !places.iter().any(|p| d.starts_with(p.as_str())) {
            for k in place_keys(std::slice::from_ref(d), under) {
                out.push(Stream::PlaceAtDesk(k, d.clone()));
            }
        }
    }
    out.push(Stream::Requester(viewer.user_id));
    if let Some(org) = viewer.unit_id {
        out.push(Stream::Unit(org));
    }
    out
}

/// How the streams of one list are read.
struct Read<'a> {
    viewer: &'a Viewer,
    f: &'a Filter,
    now: DateTime<Utc>,
    /// Each stream is cut after this many.
    limit: u64,
    /// Only requests whose place lies outside all of these (what the counters do not hold).
    outside: &'a [String],
}

impl Read<'_> {
    /// The conditions checked on the request itself: the filter, `under` unless the stream's
    /// key is it, and `outside`.
    fn on_request(&self, mut q: SelectStatement, with_under: bool) -> SelectStatement {
        let r = Requests::Table;
        let mut g = self.f.clone();
        if let (Some(u), true) = (&self.f.under, with_under) {
            q.cond_where(scope_cond(u, (r, Requests::PlacePath)));
        }
        g.under = None;
        for o in self.outside {
            q.cond_where(under_path((r, Requests::PlacePath), o).not());
        }
        view_and_filter(q, self.viewer, &g, self.now)
    }

    fn probes(&self, with_under: bool) -> bool {
        has_conditions(self.f) || !self.outside.is_empty() || (with_under && self.f.under.is_some())
    }

    fn open_index(&self) -> bool {
        self.f.only_open() && narrowed(self.f)
    }

    /// A stream read from `requests` by one of its indexes.
    fn direct(&self, key: Cond) -> SelectStatement {
        let r = Requests::Table;
        let mut q = Query::select();
        q.expr_as(col(Requests::Id), Alias::new("id"))
            .expr_as(col(Requests::SubmittedAt), Alias::new("at"))
            .from(r)
            .cond_where(key);
        let mut q = self.on_request(q, true);
        q.order_by((r, Requests::SubmittedAt), Order::Desc)
            .order_by((r, Requests::Id), Order::Desc)
            .limit(self.limit);
        q
    }

    /// A stream read from its own table (`request_places`, `request_units`) in `(at, id)`
    /// order, probing the request (by primary key) for the conditions and `also`.
    fn keyed<T: sea_query::Iden + Copy + 'static>(
        &self,
        (table, id_col, at_col): (T, T, T),
        key: Cond,
        with_under: bool,
        also: Option<Cond>,
    ) -> SelectStatement {
        let mut q = Query::select();
        q.expr_as(Expr::col((table, id_col)), Alias::new("id"))
            .expr_as(Expr::col((table, at_col)), Alias::new("at"))
            .from(table)
            .cond_where(key);
        if self.probes(with_under) || also.is_some() {
            let mut probe = Query::select();
            probe
                .expr(Expr::val(1))
                .from(Requests::Table)
                .and_where(col(Requests::Id).equals((table, id_col)));
            if let Some(c) = also {
                probe.cond_where(c);
            }
            q.and_where(Expr::exists(self.on_request(probe, with_under)));
        }
        q.order_by((table, at_col), Order::Desc)
            .order_by((table, id_col), Order::Desc)
            .limit(self.limit);
        q
    }

    /// `(id, at)` of the stream's newest requests meeting the conditions.
    fn stream(&self, s: &Stream) -> SelectStatement {
        let r = Requests::Table;
        let places = (RP::Table, RP::RequestId, RP::SubmittedAt);
        let on_prefix = |p: &str| Cond::all().add(Expr::col((RP::Table, RP::Prefix)).eq(p));
        let at_desk = |d: &str| under_path((r, Requests::DeskPath), d);
        let open_under = |p: &str| Cond::all().add(under_path((r, Requests::PlacePath), p));
        match s {
            // Only some open requests match (overdue ones, one status, one category …): read
            // the few open ones under the place (`requests_open_place`) and sort them, rather
            // than walk the place's whole history for them (the county's overdue list took
            // 0.4 s of the demo's 220,000). All open ones are the newest: walked as any list.
            Stream::Place(p) if self.open_index() => self.direct(open_under(p)),
            Stream::PlaceAtDesk(p, d) if self.open_index() => {
                self.direct(open_under(p).add(at_desk(d)))
            }
            Stream::Place(p) if p == ROOT_PATH => self.direct(Cond::all()),
            Stream::Place(p) => self.keyed(places, on_prefix(p), false, None),
            Stream::PlaceAtDesk(p, d) if p == ROOT_PATH => self.direct(at_desk(d)),
            Stream::PlaceAtDesk(p, d) => self.keyed(places, on_prefix(p), false, Some(at_desk(d))),
            // Spelled as in the partial index `requests_desk_across`.
            Stream::DeskAcross(d) => self.direct(
                Cond::all()
                    .add(Expr::cust(
                        "substr(place_path, 1, length(desk_path)) <> desk_path",
                    ))
                    .add(at_desk(d)),
            ),
            Stream::Requester(u) => {
                self.direct(Cond::all().add(col(Requests::RequesterUserId).eq(*u)))
            }
            Stream::Unit(org) => self.keyed(
                (RU::Table, RU::RequestId, RU::SubmittedAt),
                Cond::all().add(Expr::col((RU::Table, RU::OrgId)).eq(*org)),
                true,
                None,
            ),
        }
    }

    /// The union of the streams, each cut at `limit`: distinct `(id, at)`.
    fn union(&self, streams: &[Stream]) -> Option<SelectStatement> {
        let mut parts = streams.iter().enumerate().map(|(i, s)| {
            let mut part = Query::select();
            part.column(Asterisk)
                .from_subquery(self.stream(s), Alias::new(format!("s{i}")));
            part
        });
        let mut u = parts.next()?;
        for p in parts {
            u.union(UnionType::Distinct, p);
        }
        Some(u)
    }
}

/// Whether anything besides the viewer's visibility narrows the list.
fn has_conditions(f: &Filter) -> bool {
    f.open_only || narrowed(f)
}

/// Whether anything besides visibility and "open" narrows the list.
fn narrowed(f: &Filter) -> bool {
    f.status.is_some()
        || f.category_id.is_some()
        || f.light.is_some()
        || f.metric.is_some_and(|m| m != Metric::Submitted)
        || f.months != (None, None)
        || f.unit.is_some()
        || f.from.is_some()
        || f.to.is_some()
}

fn under_of(f: &Filter) -> Option<&str> {
    f.under
        .as_ref()
        .and_then(|u| u.prefixes().first())
        .map(String::as_str)
}

pub(super) async fn page(
    db: &Db,
    viewer: &Viewer,
    f: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> StoreResult<(Vec<RequestRow>, Total)> {
    let all = streams(viewer, under_of(f));
    let read = Read {
        viewer,
        f,
        now,
        limit: page.offset() + page.size,
        outside: &[],
    };
    let union = read
        .union(&all)
        .expect("the requester stream is always there");
    // Built in place: a builder's `to_owned()` copies the whole statement, and the request
    // select with its joins is the largest we have (5 % of a list's CPU, bench S3).
    let mut page_ids = Query::select();
    page_ids
        .column(Alias::new("id"))
        .from_subquery(union, Alias::new("u"))
        .order_by(Alias::new("at"), Order::Desc)
        .order_by(Alias::new("id"), Order::Desc)
        .limit(page.size)
        .offset(page.offset());
    // One query for the page's rows; sorted here, so the planner has no order to walk an index
    // for and reads the page's ids by primary key.
    let mut q = select();
    q.and_where(col(Requests::Id).in_subquery(page_ids));
    // The total's numbers come in the same call.
    let (plan, numbers) = total::plan(&read, &all);
    let (mut rows, numbers): (Vec<RequestRow>, _) = db.all_packed_with(&q, numbers).await?;
    rows.sort_by_key(|r| std::cmp::Reverse((r.submitted_at, r.id)));
    let total = total::total(db, &read, &all, &plan, numbers).await?;
    Ok((rows, total))
}
