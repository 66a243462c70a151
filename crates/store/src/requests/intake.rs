//! Intake (受理前): a resident's own request, a grid worker's patrol find, or a hotline call
//! recorded on someone's behalf. Routing picks the desk; an auto-dispatch rule sends it straight
//! to the lead unit.

use super::writes::{Effects, event, notify, write_units};
use super::{Requests, SlaEnv, Viewer, categories, counters, routing};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::StoreResult;
use crate::nodes;
use crate::vault::Vault;
use jiceng_core::DomainError;
use jiceng_core::node::Tree;
use jiceng_core::people::Phone;
use jiceng_core::requests::questions::{Answers, check_answers};
use jiceng_core::requests::sla::{Stage, hours_due};
use jiceng_core::requests::{Action, Channel, Status};
use jiceng_core::scope::Scope;
use sea_query::{Expr, ExprTrait, Query};

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

/// Records a new request submitted by `viewer` at a place inside `scope` (`SubmitRequests`).
pub async fn submit(
    db: &Db,
    env: &SlaEnv<'_>,
    vault: &Vault,
    scope: &Scope,
    viewer: &Viewer,
    actor: &Actor,
    new: NewRequest,
) -> StoreResult<i64> {
    let category = categories::get(db, new.category_id)
        .await
        .ok()
        .filter(|c| c.active)
        .ok_or_else(|| {
            DomainError::new("unknown_category", "category_id", "诉求分类不存在或已停用")
        })?;
    let description = check_text(&new.description)?;
    let answers = check_answers(&category.questions, &new.answers)?;
    check_coordinates(new.longitude, new.latitude)?;
    let place_id = new.place_node_id.or(new.home_node_id).ok_or_else(|| {
        DomainError::new(
            "missing_location",
            "place_node_id",
            "请选择问题发生的网格、小区或楼栋",
        )
    })?;
    let place = nodes::get(db, scope, place_id).await?;
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
    let route = routing::route(db, category.id, &place).await?;
    let severity = category.severity();
    let days = env
        .policy
        .resolve_days(severity, category.resolve_days.map(|d| d as u32));
    let now = actor.at;
    let due = hours_due(env.calendar, &env.office, now, env.policy.accept_hours);
    let phone = new.requester_phone.as_ref();
    let mut tx = db.begin().await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(Requests::Table)
                .columns([
                    Requests::CategoryId,
                    Requests::Severity,
                    Requests::Channel,
                    Requests::Description,
                    Requests::AnswersJson,
                    Requests::RequesterUserId,
                    Requests::RequesterName,
                    Requests::RequesterPhoneSealed,
                    Requests::RequesterPhoneMasked,
                    Requests::RecordedByUserId,
                    Requests::PlaceNodeId,
                    Requests::PlacePath,
                    Requests::Address,
                    Requests::Longitude,
                    Requests::Latitude,
                    Requests::DeskPath,
                    Requests::SuggestedOrgId,
                    Requests::Status,
                    Requests::Stage,
                    Requests::DueAt,
                    Requests::WarnAt,
                    Requests::ResolveDays,
                    Requests::SubmittedAt,
                    Requests::UpdatedAt,
                ])
                .values_panic([
                    category.id.into(),
                    severity.as_str().into(),
                    new.channel.as_str().into(),
                    description.clone().into(),
                    serde_json::to_string(&answers)
                        .unwrap_or_else(|_| "{}".into())
                        .into(),
                    (!on_behalf).then_some(viewer.user_id).into(),
                    if on_behalf {
                        name.to_owned()
                    } else {
                        viewer.name.clone()
                    }
                    .into(),
                    phone.map(|p| vault.seal(p.as_str())).into(),
                    phone.map(|p| p.masked()).into(),
                    viewer.user_id.into(),
                    place.id.into(),
                    place.path.clone().into(),
                    new.address.trim().to_owned().into(),
                    new.longitude.into(),
                    new.latitude.into(),
                    route.desk_path.clone().into(),
                    route.suggested_org_id.into(),
                    Status::Submitted.as_str().into(),
                    Stage::Accept.as_str().into(),
                    due.due.into(),
                    due.warn.into(),
                    i64::from(days).into(),
                    now.into(),
                    now.into(),
                ])
                .returning_col(Requests::Id)
                .to_owned(),
        )
        .await?;
    let channel_note = match new.channel {
        Channel::Hotline => format!("热线代办：{name}"),
        Channel::Open311 => format!("第三方平台（{}）：{name}", viewer.name),
        c => c.label_zh().to_owned(),
    };
    event(
        &mut tx,
        id,
        viewer,
        now,
        "submit",
        None,
        Some(Status::Submitted),
        &channel_note,
        None,
    )
    .await?;
    notify(
        &mut tx,
        id,
        None,
        Some(&route.desk_path),
        None,
        "new_request",
        &format!("新诉求：{}（{}）", category.name, place.name),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "request.submit",
            object_type: "request",
            object_id: id.to_string(),
            object_path: &place.path,
            before: None,
            after: Some(serde_json::json!({"category": category.name, "channel": new.channel.as_str(), "desk": route.desk_path})),
        },
    )
    .await?;
    if let (true, Some(org)) = (route.auto_dispatch, route.suggested_org_id) {
        let system = Viewer::system("自动派单");
        // Accepted and dispatched in the same update.
        let fx = Effects::dispatch(env, now, org).set(Requests::AcceptedAt, now);
        event(
            &mut tx,
            id,
            &system,
            now,
            Action::Accept.as_str(),
            Some(Status::Submitted),
            Some(Status::Accepted),
            "",
            None,
        )
        .await?;
        fx.apply(&mut tx, id, Status::Submitted, Status::Dispatched, now)
            .await?;
        write_units(&mut tx, id, org, &[], now).await?;
        event(
            &mut tx,
            id,
            &system,
            now,
            Action::Dispatch.as_str(),
            Some(Status::Accepted),
            Some(Status::Dispatched),
            "按派单规则自动派单",
            None,
        )
        .await?;
        notify(
            &mut tx,
            id,
            Some(org),
            None,
            None,
            "dispatched",
            &format!("新派单：{}（{}）", category.name, place.name),
            now,
        )
        .await?;
    }
    let counted = counters::memberships(&mut tx, &[id]).await?;
    counters::apply(&mut tx, &Vec::new(), &counted).await?;
    tx.commit().await?;
    Ok(id)
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
    let open: Vec<&str> = Status::OPEN.iter().map(|s| s.as_str()).collect();
    let mut q = super::select()
        .and_where(Expr::col((Requests::Table, Requests::CategoryId)).eq(category_id))
        .and_where(Expr::col((Requests::Table, Requests::PlaceNodeId)).eq(place_node_id))
        .and_where(Expr::col((Requests::Table, Requests::Status)).is_in(open))
        .cond_where(viewer.visible())
        .limit(20)
        .to_owned();
    if let Some(id) = except {
        q.and_where(Expr::col((Requests::Table, Requests::Id)).ne(id));
    }
    db.all(&q).await
}
