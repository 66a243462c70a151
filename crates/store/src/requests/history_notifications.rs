//! The inbox a loaded history leaves. A history (`history::insert`) brings requests with their
//! timelines and passed deadlines but no notices: the older system had its own inbox, or (the
//! demo) none. Since a moment — the last weeks, what a unit or desk would still scroll through —
//! this writes the notices the live loop would have sent at each of those steps, worded by the
//! same builders (`notifications`), in the order they happened, so each user's 消息 reads as if the
//! system had run all along.
//!
//! A loaded request keeps only its last lead unit (`history`), so a dispatch's notice goes to
//! that unit even when an earlier one returned it.

use super::Requests;
use super::inbox::Notifications as N;
use super::notifications::{self, Notice};
use super::ticker::SlaEvents;
use super::writes::{NOTICE_COLUMNS, RequestEvents as E, notice_values};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use jiceng_core::requests::sla::Stage;
use jiceng_core::requests::{Rating, Status};
use sea_query::{Expr, ExprTrait, Query};
use std::collections::{HashMap, HashSet};

/// The timeline steps that notify someone, as the loaded history names them.
const NOTIFYING: [&str; 6] = ["submit", "dispatch", "return", "resolve", "verify", "rate"];

const ROWS_PER_STATEMENT: usize = 500;

/// A passed deadline: the request, its stage, when, and the request's lead unit and desk.
type Late = (i64, String, DateTime<Utc>, Option<i64>, String, i64);

/// A timeline step with what its notice needs of its request.
type Step = (
    i64,
    DateTime<Utc>,
    String,
    Option<String>,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
    i64,
);

/// Writes the notices of every notifying step and passed deadline at or after `since` of the
/// requests no notice names yet; returns how many. Run after the history is loaded.
pub async fn derive(db: &Db, actor: &Actor, since: DateTime<Utc>) -> StoreResult<usize> {
    let steps: Vec<Step> = db
        .all(
            &Query::select()
                .columns([
                    (E::Table, E::RequestId),
                    (E::Table, E::At),
                    (E::Table, E::Action),
                    (E::Table, E::ToStatus),
                    (E::Table, E::Note),
                ])
                .columns([
                    (Requests::Table, Requests::CategoryId),
                    (Requests::Table, Requests::DeskPath),
                    (Requests::Table, Requests::LeadOrgId),
                    (Requests::Table, Requests::RequesterUserId),
                    (Requests::Table, Requests::PlaceNodeId),
                    (Requests::Table, Requests::Rating),
                    (Requests::Table, Requests::ReopenCount),
                ])
                .from(E::Table)
                .inner_join(
                    Requests::Table,
                    Expr::col((Requests::Table, Requests::Id)).equals((E::Table, E::RequestId)),
                )
                .and_where(Expr::col((E::Table, E::At)).gte(since))
                .and_where(Expr::col((E::Table, E::Action)).is_in(NOTIFYING))
                .to_owned(),
        )
        .await?;
    let late: Vec<Late> = db
        .all(
            &Query::select()
                .columns([
                    (SlaEvents::Table, SlaEvents::RequestId),
                    (SlaEvents::Table, SlaEvents::Stage),
                    (SlaEvents::Table, SlaEvents::RaisedAt),
                ])
                .columns([
                    (Requests::Table, Requests::LeadOrgId),
                    (Requests::Table, Requests::DeskPath),
                    (Requests::Table, Requests::CategoryId),
                ])
                .from(SlaEvents::Table)
                .inner_join(
                    Requests::Table,
                    Expr::col((Requests::Table, Requests::Id))
                        .equals((SlaEvents::Table, SlaEvents::RequestId)),
                )
                .and_where(Expr::col((SlaEvents::Table, SlaEvents::RaisedAt)).gte(since))
                .to_owned(),
        )
        .await?;
    let categories: HashMap<i64, String> = super::categories::list(db, false)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    // Requests the live loop has already told someone about keep their notices: run twice, or
    // after live steps, this adds nothing for them.
    let told: HashSet<i64> = db
        .all::<(Option<i64>,)>(
            &Query::select()
                .distinct()
                .column(N::RequestId)
                .from(N::Table)
                .to_owned(),
        )
        .await?
        .into_iter()
        .filter_map(|(id,)| id)
        .collect();
    let steps: Vec<Step> = steps.into_iter().filter(|s| !told.contains(&s.0)).collect();
    let late: Vec<_> = late.into_iter().filter(|l| !told.contains(&l.0)).collect();
    let places = place_names(db, steps.iter().filter(|s| s.2 == "submit").map(|s| s.9)).await?;
    let mut out: Vec<(DateTime<Utc>, i64, Notice)> = Vec::new();
    for (id, at, action, to, note, category, desk, lead, requester, place, rating, reopens) in
        &steps
    {
        let category = categories.get(category).map_or("", String::as_str);
        let what = notifications::what(*id, category);
        let to = to.as_deref().and_then(Status::parse);
        let notices: Vec<Notice> = match action.as_str() {
            "submit" => {
                let place = places.get(place).map_or("", String::as_str);
                vec![notifications::new_request(desk, category, place)]
            }
            "dispatch" => lead
                .map(|l| notifications::dispatched(l, &what))
                .into_iter()
                .collect(),
            "return" => vec![notifications::returned(desk, &what, note)],
            "resolve" => vec![notifications::resolved(desk, &what)],
            "verify" => requester
                .map(|u| notifications::rate(u, &what))
                .into_iter()
                .collect(),
            // A rating that left the request open reopened it.
            "rate" if to.is_some_and(Status::is_open) => {
                vec![notifications::reopened(*lead, &what)]
            }
            // One that closed it while its final rating is 不满意 closed it dissatisfied (a
            // request's rating is only replaced while it is open).
            "rate" if rating.as_deref() == Some(Rating::Dissatisfied.as_str()) => {
                notifications::closed_dissatisfied(*lead, desk, &what, *reopens)
            }
            _ => Vec::new(),
        };
        out.extend(notices.into_iter().map(|n| (*at, *id, n)));
    }
    for (id, stage, at, lead, desk, category) in &late {
        let category = categories.get(category).map_or("", String::as_str);
        let what = notifications::what(*id, category);
        let n = notifications::overdue(&what, Stage::parse(stage), *lead, desk);
        out.push((*at, *id, n));
    }
    // Newest last: the inbox lists by id.
    out.sort_by_key(|(at, id, _)| (*at, *id));
    let mut tx = db.begin().await?;
    for chunk in out.chunks(ROWS_PER_STATEMENT) {
        let mut q = Query::insert();
        q.into_table(N::Table).columns(NOTICE_COLUMNS);
        for (at, id, n) in chunk {
            q.values_panic(notice_values(*id, n, *at));
        }
        tx.execute(&q).await?;
    }
    let change = Change {
        action: "request.derive_notifications",
        object_type: "request",
        object_id: String::new(),
        object_path: jiceng_core::node::ROOT_PATH,
        before: None,
        after: Some(serde_json::json!({ "since": since, "notifications": out.len() })),
    };
    audit::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(out.len())
}

/// The names of the places `ids`, read a few hundred at a time.
async fn place_names(db: &Db, ids: impl Iterator<Item = i64>) -> StoreResult<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let nodes = crate::nodes::by_ids(db, chunk.to_vec()).await?;
        names.extend(nodes.into_iter().map(|n| (n.id, n.name)));
    }
    Ok(names)
}
