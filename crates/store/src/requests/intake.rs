//! Intake (受理前): a resident's own request, a grid worker's patrol find, or a hotline call
//! recorded on someone's behalf. Routing picks the desk; an auto-dispatch rule sends it straight
//! to the lead unit.

use super::routing::{self, RoutingRule};
use super::writes::{Effects, event_insert, notify_insert, units_insert};
use super::{Requests, SlaEnv, Viewer, categories, counters, notifications, place_index};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::nodes::{self, Node};
use crate::vault::Vault;
use jiceng_core::DomainError;
use jiceng_core::node::Tree;
use jiceng_core::people::Phone;
use jiceng_core::requests::questions::{Answers, check_answers};
use jiceng_core::requests::sla::{Stage, hours_due};
use jiceng_core::requests::{Action, Channel, Status};
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, InsertStatement, Query, SimpleExpr};
use std::mem::discriminant;

pub struct NewRequest {
    pub category_id: i64,
    pub channel: Channel,
    pub description: String,
    pub answers: Answers,
    /// The grid, estate, building … where the problem is; `None` falls back to `home`.
    pub place_node_id: Option<i64>,
    /// The submitter's own place (a resident's community, a grid worker's grid).
    pub home_node_id: Option<i64>,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// For hotline and on-behalf requests: the person the request is for.
    pub requester_name: String,
    pub requester_phone: Option<Phone>,
}

fn check_text(d: &str) -> Result<String, DomainError> {
    let d = d.trim();
    if d.chars().count() < 5 {
        return Err(DomainError::new(
            "description_too_short",
            "description",
            "请描述问题（至少5个字）",
        ));
    }
    if d.chars().count() > 2000 {
        return Err(DomainError::new(
            "description_too_long",
            "description",
            "问题描述不超过2000字",
        ));
    }
    Ok(d.to_owned())
}

fn check_coordinates(lon: Option<f64>, lat: Option<f64>) -> Result<(), DomainError> {
    match (lon, lat) {
        (None, None) => Ok(()),
        (Some(x), Some(y)) if (73.0..=136.0).contains(&x) && (3.0..=54.0).contains(&y) => Ok(()),
        (Some(_), Some(_)) => Err(DomainError::new(
            "invalid_coordinates",
            "longitude",
            "坐标不在中国境内",
        )),
        _ => Err(DomainError::new(
            "invalid_coordinates",
            "latitude",
            "经度和纬度须同时提供",
        )),
    }
}

/// A request just recorded.
#[derive(Debug, Clone, Copy)]
pub struct Submitted {
    pub id: i64,
    /// Submitted, or dispatched when an auto-dispatch rule sent it on at once.
    pub status: Status,
}

/// Records a new request submitted by `viewer` at a place inside `scope` (`SubmitRequests`).
pub async fn submit(
    db: &Db,
    env: &SlaEnv<'_>,
    vault: &Vault,
    scope: &Scope,
    viewer: &Viewer,
    actor: &Actor,
    new: NewRequest,
) -> StoreResult<Submitted> {
    let place_id = new.place_node_id.or(new.home_node_id);
    // Everything the request is checked and routed by, in one read: its category, the place
    // with every node above it, and the routing rules set on those (bench S1: each read is a
    // hand-off to SQLite's worker thread and back). No node has id 0: no place, no rows.
    let (category, line, rules): (Vec<categories::Row>, Vec<Node>, Vec<RoutingRule>) = db
        .all_packed3((
            categories::by_id(new.category_id),
            nodes::line_up(db.engine(), place_id.unwrap_or(0)),
            routing::rules_along(db.engine(), place_id.unwrap_or(0)),
        ))
        .await?;
    let category = category
        .into_iter()
        .next()
        .map(categories::Category::from)
        .filter(|c| c.active)
        .ok_or_else(|| {
            DomainError::new("unknown_category", "category_id", "诉求分类不存在或已停用")
        })?;
    let description = check_text(&new.description)?;
    let answers = check_answers(&category.questions, &new.answers)?;
    check_coordinates(new.longitude, new.latitude)?;
    let place_id = place_id.ok_or_else(|| {
        DomainError::new(
            "missing_location",
            "place_node_id",
            "请选择问题发生的网格、小区或楼栋",
        )
    })?;
    // As `nodes::get`: a place outside the scope is not found.
    let place = line
        .iter()
        .find(|n| n.id == place_id && scope.contains(&n.path))
        .ok_or(StoreError::NotFound)?;
    if place.tree != Tree::Territory.as_str() {
        return Err(DomainError::new(
            "invalid_place",
            "place_node_id",
            "问题位置须为区划、网格、小区或楼栋",
        )
        .into());
    }
    let on_behalf = new.channel.for_someone_else();
    let name = new.requester_name.trim();
    if on_behalf && name.is_empty() {
        return Err(DomainError::new(
            "missing_requester",
            "requester_name",
            "代办诉求须登记诉求人姓名",
        )
        .into());
    }
    let route = routing::route(category.id, place, &line, &rules);
    let severity = category.severity();
    let days = env
        .policy
        .resolve_days(severity, category.resolve_days.map(|d| d as u32));
    let now = actor.at;
    let due = hours_due(env.calendar, &env.office, now, env.policy.accept_hours);
    let phone = new.requester_phone.as_ref();
    let auto = route.suggested_org_id.filter(|_| route.auto_dispatch);
    let requester = (!on_behalf).then_some(viewer.user_id);
    let mut columns: Vec<(Requests, SimpleExpr)> = vec![
        (Requests::CategoryId, category.id.into()),
        (Requests::Severity, severity.as_str().into()),
        (Requests::Channel, new.channel.as_str().into()),
        (Requests::Description, description.clone().into()),
        (
            Requests::AnswersJson,
            serde_json::to_string(&answers)
                .unwrap_or_else(|_| "{}".into())
                .into(),
        ),
        (Requests::RequesterUserId, requester.into()),
        (
            Requests::RequesterName,
            if on_behalf {
                name.to_owned()
            } else {
                viewer.name.clone()
            }
            .into(),
        ),
        (
            Requests::RequesterPhoneSealed,
            phone.map(|p| vault.seal(p.as_str())).into(),
        ),
        (
            Requests::RequesterPhoneMasked,
            phone.map(|p| p.masked()).into(),
        ),
        (Requests::RecordedByUserId, viewer.user_id.into()),
        (Requests::PlaceNodeId, place.id.into()),
        (Requests::PlacePath, place.path.clone().into()),
        (Requests::Address, new.address.trim().to_owned().into()),
        (Requests::Longitude, new.longitude.into()),
        (Requests::Latitude, new.latitude.into()),
        (Requests::DeskPath, route.desk_path.clone().into()),
        (Requests::SuggestedOrgId, route.suggested_org_id.into()),
        (Requests::Status, Status::Submitted.as_str().into()),
        (Requests::Stage, Stage::Accept.as_str().into()),
        (Requests::DueAt, due.due.into()),
        (Requests::WarnAt, due.warn.into()),
        (Requests::ResolveDays, i64::from(days).into()),
        (Requests::SubmittedAt, now.into()),
        (Requests::UpdatedAt, now.into()),
    ];
    if let Some(org) = auto {
        // An auto-dispatch rule: the request is written accepted and dispatched at once, and
        // its timeline says so step by step.
        let dispatched = Effects::dispatch(env, now, org)
            .set(Requests::AcceptedAt, now)
            .set(Requests::Status, Status::Dispatched.as_str());
        for (c, v) in dispatched.into_columns() {
            let same = |(k, _): &(Requests, SimpleExpr)| discriminant(k) == discriminant(&c);
            match columns.iter_mut().find(|kv| same(kv)) {
                Some(kv) => kv.1 = v,
                None => columns.push((c, v)),
            }
        }
    }
    let w = Written {
        columns,
        place_path: place.path.clone(),
        place_name: place.name.clone(),
        desk_path: route.desk_path.clone(),
        category_id: category.id,
        category: category.name.clone(),
        channel: new.channel,
        channel_note: match new.channel {
            Channel::Hotline => format!("热线代办：{name}"),
            Channel::Open311 => format!("第三方平台（{}）：{name}", viewer.name),
            c => c.label_zh().to_owned(),
        },
        viewer: viewer.clone(),
        actor: actor.clone(),
        auto,
        now,
    };
    // Through the group writer (on either engine: it only adds rows): committed with whatever
    // other writes queued meanwhile.
    let id = db
        .write_new(move |tx| {
            Box::pin(async move {
                // Its id first, so the row and everything pointing at it go in one call.
                let id = tx.next_id("requests").await?;
                let (writes, counted) = w.inserts(id);
                // Nothing in the batch reads them: held for its one call (`Tx::insert_held`).
                tx.insert_held(&writes).await?;
                counters::apply(tx, &Vec::new(), &counted);
                Ok(id)
            })
        })
        .await?;
    Ok(Submitted {
        id,
        status: written_status(auto),
    })
}

/// The status a new request is written in: dispatched when an auto-dispatch rule named a unit.
fn written_status(auto: Option<i64>) -> Status {
    match auto {
        Some(_) => Status::Dispatched,
        None => Status::Submitted,
    }
}

/// What a new request's write needs besides its row.
struct Written {
    /// The request row's columns but its id.
    columns: Vec<(Requests, SimpleExpr)>,
    place_path: String,
    place_name: String,
    desk_path: String,
    category_id: i64,
    category: String,
    channel: Channel,
    channel_note: String,
    viewer: Viewer,
    actor: Actor,
    /// The unit an auto-dispatch rule sent it to.
    auto: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
}

impl Written {
    /// Everything the create writes, sent in one round trip (`Tx::execute_all`): the request
    /// row, its places, timeline, inbox, audit entry and unit; and the counters it joins.
    /// Runs on the group writer, so it takes its columns rather than copying them.
    fn inserts(mut self, id: i64) -> (Vec<InsertStatement>, counters::Membership) {
        let now = self.now;
        let (names, values): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.columns).into_iter().unzip();
        let mut row = Query::insert();
        row.into_table(Requests::Table)
            .columns(std::iter::once(Requests::Id).chain(names))
            .values_panic(std::iter::once(id.into()).chain(values));
        let mut writes = vec![row];
        writes.extend(place_index::inserts(&[(id, &self.place_path, now)]));
        writes.push(event_insert(
            id,
            &self.viewer,
            now,
            "submit",
            None,
            Some(Status::Submitted),
            &self.channel_note,
            None,
        ));
        let told = notifications::new_request(&self.desk_path, &self.category, &self.place_name);
        writes.push(notify_insert(id, &told, now));
        writes.push(audit::insert(
            &self.actor,
            Change {
                action: "request.submit",
                object_type: "request",
                object_id: id.to_string(),
                object_path: &self.place_path,
                before: None,
                after: Some(serde_json::json!({"category": self.category, "channel": self.channel.as_str(), "desk": self.desk_path})),
            },
        ));
        if let Some(org) = self.auto {
            let system = Viewer::system("自动派单");
            let (s, a, d) = (Status::Submitted, Status::Accepted, Status::Dispatched);
            let accept = Action::Accept.as_str();
            writes.push(event_insert(
                id,
                &system,
                now,
                accept,
                Some(s),
                Some(a),
                "",
                None,
            ));
            let dispatch = Action::Dispatch.as_str();
            let note = "按派单规则自动派单";
            writes.push(event_insert(
                id,
                &system,
                now,
                dispatch,
                Some(a),
                Some(d),
                note,
                None,
            ));
            writes.push(units_insert(id, now, org, &[], now));
            let what = format!("{}（{}）", self.category, self.place_name);
            writes.push(notify_insert(
                id,
                &notifications::dispatched(org, &what),
                now,
            ));
        }
        // The counters it joins, from what is being written (nothing to read back).
        let status = written_status(self.auto);
        let facts = counters::FactsRow {
            id,
            status: status.as_str().to_owned(),
            category_id: self.category_id,
            place_path: self.place_path.clone(),
            submitted_at: now,
            accepted_at: self.auto.map(|_| now),
            dispatched_at: self.auto.map(|_| now),
            claimed_at: None,
            claim_late: false,
            resolve_late: false,
            rating: None,
            return_count: 0,
            overdue_count: 0,
            reopen_count: 0,
            supervise_count: 0,
            escalation_count: 0,
        };
        let units: Vec<i64> = self.auto.into_iter().collect();
        (writes, counters::membership(&facts, &units))
    }
}

/// Open requests of the same category at the same place: shown to the submitter and the desk
/// as likely duplicates (the desk may merge them).
pub async fn duplicates(
    db: &Db,
    viewer: &Viewer,
    category_id: i64,
    place_node_id: i64,
    except: Option<i64>,
) -> StoreResult<Vec<super::RequestRow>> {
    db.all(&duplicates_query(
        viewer,
        category_id,
        place_node_id,
        except,
    ))
    .await
}

pub(super) fn duplicates_query(
    viewer: &Viewer,
    category_id: i64,
    place_node_id: i64,
    except: Option<i64>,
) -> sea_query::SelectStatement {
    // By the place's path rather than its id: the open requests at one place are an index
    // range of `requests_open_place` (migration 0016), and the category is checked on them.
    let path = Query::select()
        .column(nodes::Nodes::Path)
        .from(nodes::Nodes::Table)
        .and_where(Expr::col(nodes::Nodes::Id).eq(place_node_id))
        .to_owned();
    let mut q = super::select()
        .and_where(
            Expr::col((Requests::Table, Requests::PlacePath))
                .eq(Expr::SubQuery(None, Box::new(path.into()))),
        )
        .and_where(Expr::col((Requests::Table, Requests::CategoryId)).eq(category_id))
        .and_where(super::open_status(false))
        .cond_where(viewer.visible())
        // The most pressing first, which is also the order of `requests_open_place`.
        .order_by((Requests::Table, Requests::DueAt), sea_query::Order::Asc)
        .limit(20)
        .to_owned();
    if let Some(id) = except {
        q.and_where(Expr::col((Requests::Table, Requests::Id)).ne(id));
    }
    q
}
